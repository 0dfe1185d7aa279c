"""The Signs of Safety vocabulary, defined once.

Storage, dialogue, summary and templates all read the column keys, the roles and the
parents-first order from here, so "ask parents first" is one sort key, not an
if-statement in five places.
"""

# Canonical column keys (storage and the JSON contract), in the Hackney five-heading
# order followed by what needs to happen.
COLUMNS = (
    "worries",
    "safety",
    "strengths",
    "complicating_factors",
    "grey_areas",
    "next_steps",
)

COLUMN_TITLES = {
    "worries": "Worries",
    "complicating_factors": "Complicating factors",
    "strengths": "Strengths",
    "safety": "Existing safety",
    "grey_areas": "Grey areas",
    "next_steps": "What needs to happen",
}

# The three-column board groups the columns under the questions families know.
BOARD = (
    ("What are we worried about?", ("worries", "complicating_factors")),
    ("What's working well?", ("strengths", "safety")),
    ("What needs to happen?", ("next_steps",)),
)
# What is in dispute or missing (grey areas), read before what needs to happen.
NOT_YET_CLEAR = ("What is not yet clear?", ("grey_areas",))


def board_for(conference_type: str) -> tuple:
    """The board's headings in the order the conference takes them: a review starts with
    what's working well (seed 000), an initial conference with the worries."""
    if conference_type == "review":
        return (BOARD[1], BOARD[0], BOARD[2])
    return BOARD


def full_board_for(conference_type: str) -> tuple:
    """The board with what is not yet clear before what needs to happen: every column, as
    the chair's board, the record and a participant's read-back show them."""
    first, second, last = board_for(conference_type)
    return (first, second, NOT_YET_CLEAR, last)


# Roles in the order views are listed everywhere: parents first.
ROLES = (
    "parent",
    "family_member",
    "young_person",
    "social_worker",
    "professional",
    "advocate",
    "note_taker",
    "chair",
)

ROLE_TITLES = {
    "parent": "Parent or carer",
    "family_member": "Family or network member",
    "young_person": "Child or young person",
    "social_worker": "Social worker",
    "professional": "Professional",
    "advocate": "Advocate",
    "note_taker": "Note taker",
    "chair": "Conference chair",
}

# A response's status in words (paused and stopped: bot/review/statuses.py).
RESPONSE_WORDS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "paused": "Paused",
    "stopped": "Stopped",
    "submitted": "Sent",
    "removed": "Taken off",  # taken off the conference before answering (statuses.py)
}

# Everyone who takes part scores except the chair, advocates and note takers.
NON_SCORING_ROLES = frozenset({"chair", "advocate", "note_taker"})

# Who the chat asks for views; the chair, advocates and note takers have no questions.
ANSWERING_ROLES = ("parent", "family_member", "young_person", "social_worker", "professional")

# Who the chat speaks to, which decides the wording of the welcome and the questions.
AUDIENCES = {
    "parent": "family",
    "family_member": "family",
    "young_person": "young_person",
    "social_worker": "professional",
    "professional": "professional",
    "advocate": "professional",
    "note_taker": "professional",
    "chair": "professional",
}

CONFERENCE_TYPES = ("initial", "review")
CONFERENCE_STATUSES = ("draft", "approved")
RESPONSE_STATUSES = ("not_started", "in_progress", "submitted")

# The council's staff who sign in to the pages: a coordinator sets up and invites for
# every conference; a chair reviews the conferences assigned to them.
STAFF_ROLES = ("coordinator", "chair")
# How a participant prefers to be reached (the conference file's `channel`).
CHANNELS = ("web", "telegram", "letter")
# An invite or a reminder to one contact: how it goes, and where it stands.
OUTREACH_KINDS = ("invite", "reminder")
OUTREACH_CHANNELS = ("email", "sms", "letter")
OUTREACH_STATUSES = ("pending", "sending", "sent", "delivered", "failed", "revoked")

MAX_DANGER_STATEMENTS = 4
SCORE_RANGE = range(0, 11)


def role_order(role: str) -> int:
    """The sort key that puts parents first, then family, the child, professionals."""
    return ROLES.index(role)


def role_scores(role: str) -> bool:
    return role not in NON_SCORING_ROLES
