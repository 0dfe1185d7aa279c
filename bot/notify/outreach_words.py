"""The words of invites and reminders: why each one goes (the `reason` Notify's templates
put in the message), and where an invite stands, as the coordinator's page says it."""

from __future__ import annotations

# Why a message goes, by Outreach.reason: the template's ((reason)). Plain words a parent
# reads on a phone; a reminder never says what anyone has or has not answered.
REASONS = {
    "invite": (
        "You are invited to share your views before the child protection conference. "
        "You can stop at any time and carry on later."
    ),
    "not_finished": (
        "You started sharing your views before the conference but have not sent them yet. "
        "You can carry on where you left off."
    ),
    "report_due": (
        "Your report for the conference needs to reach the family soon. Please share your "
        "views and say whether the family has seen your report."
    ),
}

# Where an invite stands, in the order it moves along (bot/notify/invites.py works it out).
INVITE_STATUS = {
    "not_sent": "Not sent",
    "to_print": "Letter to print",
    "waiting": "Waiting to send",
    "sent": "Sent",
    "delivered": "Delivered",
    "failed": "Failed",
    "printed": "Letter printed",
    "opened": "Opened",
    "in_progress": "In progress",
    "submitted": "Answers sent",
    "removed": "Removed",
    "revoked": "Revoked",
}

# What to do about a message that did not arrive, by Notify's delivery status.
FAILURE_ADVICE = {
    "refused": (
        "GOV.UK Notify says this email address or mobile number is not valid. Check it with "
        "the person, correct it, then send the invite again."
    ),
    "permanent-failure": (
        "The email address or mobile number is wrong or no longer used. Check it with the "
        "person, correct it, then send the invite again."
    ),
    "temporary-failure": (
        "The inbox was full or the phone was off. Try sending the invite again later."
    ),
    "technical-failure": "Something went wrong at GOV.UK Notify. Send the invite again.",
}

# Notify refused a message for a reason of the service's own set-up, not the contact's (its
# 400 BadRequestError): what to set or check, by words in Notify's message. The message
# waits and is tried again, so it goes once this is put right. {setting}: the template's.
SETUP_ADVICE = (
    (
        "team-only",
        "NOTIFY_API_KEY is a team-only key: set a live key, or add this contact "
        "to the guest list on GOV.UK Notify's API integration page",
    ),
    (
        "trial mode",
        "the GOV.UK Notify service is in trial mode: ask GOV.UK Notify to make it "
        "live, or add this contact to the guest list",
    ),
    (
        "personalisation",
        "the template in {setting} asks for a field this service does not "
        "fill: the README lists the fields a template may use",
    ),
    ("template", "check that {setting} names a template of this GOV.UK Notify service"),
)
SETUP_ADVICE_OTHERWISE = "check NOTIFY_API_KEY and {setting} with whoever runs the service"
