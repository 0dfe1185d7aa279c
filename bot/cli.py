"""`companion`: the command line for administrators and for `make run`."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from dataclasses import replace

import requests
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient
from sqlalchemy import select
from telegram.error import TelegramError

from bot import wording
from bot.chat_client import chat
from bot.conference_file import ConferenceFileError, load_conference_file
from bot.data_rights import erase, export_person, forget_trackers
from bot.launcher.serve import serve
from bot.links import invite_links, sign_in_link, staff_sign_in_link
from bot.model import crypto
from bot.model.audit import record
from bot.model.conferences import create_conference
from bot.model.database import Database, setup
from bot.model.invites import reissue_invite
from bot.model.key_rotation import RotationRefused, rotate
from bot.model.pictures import with_images
from bot.model.tables import Conference, Participant
from bot.notify import reminders
from bot.private_files import private_by_default, write_private
from bot.review import signin
from bot.review import staff as staff_members
from bot.settings import Settings, load_settings
from bot.summary.build import AUDIENCES, UnknownConference, build_summary
from bot.summary.export import FORMATS, render
from bot.web.telegram import ALLOWED_UPDATES, SHORTEST_SECRET, build_application

EXIT_REFUSED = 2


def import_conference(settings: Settings, path: str) -> int:
    try:
        spec = load_conference_file(path)
    except ConferenceFileError as error:
        print(f"The conference file was refused; nothing was written.\n{error}", file=sys.stderr)
        return EXIT_REFUSED
    setup(settings)
    database = Database(settings)
    with database.session() as session, session.begin():
        conference, codes = create_conference(session, spec, actor="cli")
        roles = {participant.key: participant.role for participant in conference.participants}
    database.dispose()
    invites = [
        {"participant": key, "role": roles[key], "code": code, **invite_links(settings, code)}
        for key, code in codes.items()
    ]
    print(json.dumps({"conference_id": conference.id, "invites": invites}, indent=2))
    return 0


def reissue(settings: Settings, conference_id: str, key: str) -> int:
    """A new code for one participant; the old one stops working."""
    code = for_participant(
        settings, conference_id, key, lambda session, p: reissue_invite(session, p, actor="cli")
    )
    if code is None:
        return EXIT_REFUSED
    print(json.dumps({"participant": key, "code": code, **invite_links(settings, code)}, indent=2))
    return 0


def for_participant(settings: Settings, conference_id: str, key: str, act):
    """act(session, participant) in one transaction, the participant found by their key in
    the conference file (P1); None, said, when there is no such participant."""
    database = Database(settings)
    try:
        with database.session() as session, session.begin():
            participant = session.execute(
                select(Participant).where(
                    Participant.conference_id == conference_id, Participant.key == key
                )
            ).scalar_one_or_none()
            if participant is not None:
                return act(session, participant)
    finally:
        database.dispose()
    print(f"There is no participant {key} in conference {conference_id}.", file=sys.stderr)
    return None


def export_one_person(settings: Settings, conference_id: str, key: str, output, force) -> int:
    """One person's own words, scores, choices and status, as JSON (README: Data rights)."""
    if refused := refuse_existing(output, force):
        return refused

    def audited(session, participant) -> dict:
        record(session, "cli", "person_exported", "participant", participant.id,
               conference=conference_id, to_file=bool(output))  # fmt: skip
        return export_person(session, participant)

    exported = for_participant(settings, conference_id, key, audited)
    if exported is None:
        return EXIT_REFUSED
    return deliver(
        (json.dumps(exported, indent=2, ensure_ascii=False) + "\n").encode(), output, force
    )


LONGEST_RETENTION_DAYS = 100_000  # about 270 years: any longer is no date


def erase_chat_data(settings: Settings, older_than: float | None, dry_run: bool) -> int:
    """The chat's data of conferences approved long enough ago (README: Data rights)."""
    for name, days in (
        ("--older-than", older_than),
        ("COMPANION_RETENTION_DAYS", settings.retention_days),
        ("COMPANION_RECORD_RETENTION_DAYS", settings.record_retention_days),
    ):
        if days is not None and not 0 <= days <= LONGEST_RETENTION_DAYS:  # NaN too
            print(
                f"{name} takes a number of days, from 0 to {LONGEST_RETENTION_DAYS} "
                f"(it is {days:g}): nothing was removed.",
                file=sys.stderr,
            )
            return EXIT_REFUSED
    database = Database(settings)
    try:
        with database.session() as session, session.begin():
            erased = erase(session, settings, older_than, dry_run)
    finally:
        database.dispose()
    if not dry_run:
        forget_trackers(settings, erased)
    for erasure in erased:
        print(erasure.line(dry_run))
    if not erased:
        print("No conference's record was approved long enough ago: nothing to remove.")
    elif dry_run:
        print("A dry run: nothing was removed.")
    return 0


def chair_link(settings: Settings, conference_id: str) -> int:
    """Print a single-use sign-in link to the chair's pages for one conference."""
    database = Database(settings)
    try:
        with database.session() as session, session.begin():
            token = signin.issue_link(session, conference_id, actor="cli")
            chair = signin.chair_of(session, conference_id)
            address, fields = (
                chair.email,
                {
                    "name": chair.name,
                    "conference_date": wording.conference_date(chair.conference.date),
                    "local_authority": chair.conference.local_authority,
                },
            )
    except signin.NoChair:
        print(
            f"There is no conference {conference_id} with a chair (role: chair) in it.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    finally:
        database.dispose()
    return hand_over(
        settings, sign_in_link(settings.public_url, token), address, fields, "the chair"
    )


def hand_over(settings: Settings, link: str, address: str | None, fields: dict, to: str) -> int:
    """Print a sign-in link, once saved, and email it when Notify is configured."""
    emailed = email_sign_in(settings, address, {**fields, "link": link})
    print(link)
    print(
        f"It works once, for {signin.LINK_LIFETIME.days} days. Send it to {to} only."
        + (f" It was also emailed to {emailed}." if emailed else ""),
        file=sys.stderr,
    )
    return 0


def email_sign_in(settings: Settings, address: str | None, fields: dict) -> str | None:
    """Email the link to the chair through GOV.UK Notify, when it is configured and the
    chair has an address; the address it went to, or None."""
    if not (settings.notify_api_key and settings.notify_sign_in_template_id and address):
        return None
    client = NotificationsAPIClient(settings.notify_api_key, base_url=settings.notify_base_url)
    try:
        client.send_email_notification(address, settings.notify_sign_in_template_id, fields)
    except (HTTPError, requests.RequestException) as error:
        print(
            f"The link could not be emailed ({error}); give it to them yourself.",
            file=sys.stderr,
        )
        return None
    return address


def add_staff(settings: Settings, name: str, email: str, role: str) -> int:
    """Add a coordinator or a chair; a chair is assigned to the conferences whose chair
    participant has their email."""
    setup(settings)
    database = Database(settings)
    try:
        with database.session() as session, session.begin():
            staff = staff_members.add_staff(session, name, email, role, actor="cli")
            chaired = staff_members.conferences_for(session, staff) if role == "chair" else []
            said = f"Added {staff.name} ({staff.email}) as a conference {role}."
            said += "".join(
                f"\nChair of the conference on {wording.conference_date(c.date)} ({c.id})."
                for c in chaired
            )
    except staff_members.StaffRefused as refused:
        print(f"Nobody was added. {refused}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        database.dispose()
    print(said)
    print(f"To sign them in: companion staff link {email.strip()}")
    return 0


def staff_link(settings: Settings, email: str) -> int:
    """Print a single-use sign-in link for a member of staff; email it when Notify is set."""
    database = Database(settings)
    try:
        with database.session() as session, session.begin():
            staff = staff_members.staff_by_email(session, email)
            if staff is None:
                print(
                    f"There is no member of staff with the email {email}. Add them first: "
                    "companion staff add --name NAME --email EMAIL --role coordinator|chair",
                    file=sys.stderr,
                )
                return EXIT_REFUSED
            token = staff_members.issue_link(session, staff, actor="cli")
            coming = staff_members.next_conference(session, staff)
            address, fields = (
                staff.email,
                {
                    "name": staff.name,
                    "conference_date": wording.conference_date(coming.date) if coming else "",
                    "local_authority": coming.local_authority if coming else "",
                },
            )
    except staff_members.StaffRefused as refused:
        print(refused, file=sys.stderr)
        return EXIT_REFUSED
    finally:
        database.dispose()
    link = staff_sign_in_link(settings.public_url, token)
    return hand_over(settings, link, address, fields, fields["name"])


def set_telegram_webhook(settings: Settings) -> int:
    """Tell Telegram where to send updates, with the secret it must send back."""
    if not settings.telegram_bot_token:
        print("Set TELEGRAM_BOT_TOKEN first (from BotFather).", file=sys.stderr)
        return EXIT_REFUSED
    if len(settings.telegram_webhook_secret or "") < SHORTEST_SECRET:
        print(
            f"Set TELEGRAM_WEBHOOK_SECRET, {SHORTEST_SECRET} characters or more "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(32))').",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    url = f"{settings.public_url}/telegram/webhook"

    async def register() -> None:
        async with build_application(settings).bot as bot:
            await bot.set_webhook(
                url,
                secret_token=settings.telegram_webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )

    try:
        asyncio.run(register())
    except TelegramError as error:
        print(f"Telegram refused the webhook: {error}", file=sys.stderr)
        return 1
    print(f"Telegram now sends updates to {url}")
    return 0


def send_reminders(settings: Settings, dry_run: bool) -> int:
    """Queue the reminders whose time has come (--dry-run: list every one due or coming)."""
    database = Database(settings)
    try:
        queued = [] if dry_run else reminders.send_due_reminders(database, settings)
        with database.session() as session:
            coming = reminders.due_reminders(session, settings, reminders.clock())
    finally:
        database.dispose()
    if dry_run:
        for reminder in coming:
            print(reminders.line(reminder))
        print("Nothing is due or coming." if not coming else "A dry run: nothing was sent.")
        return 0
    for reminder in queued:
        print(f"Queued: {reminders.line(reminder)}")
    print(
        f"{len(queued)} reminder(s) queued; the running service sends them. "
        f"{len(coming)} more not due yet, held, not invited yet or with no contact: "
        "see --dry-run."
    )
    return 0


def key_command(settings: Settings, command: str) -> int:
    if command == "new":
        print(crypto.new_key())
        return 0
    try:
        counts = rotate(settings)
    except RotationRefused as refused:
        print(refused, file=sys.stderr)
        return EXIT_REFUSED
    print(json.dumps({"re_encrypted": counts}, indent=2))
    return 0


def summary(
    settings: Settings, conference_id: str, fmt: str, audience: str, output, force: bool = False
) -> int:
    if refused := refuse_existing(output, force):
        return refused
    if fmt == "docx" and not output:
        print("A Word document needs --output FILE.docx.", file=sys.stderr)
        return EXIT_REFUSED
    database = Database(settings)
    try:
        with database.session() as session, session.begin():
            built = with_images(session, build_summary(session, conference_id, audience))
            names = {p.key: p.name for p in session.get(Conference, conference_id).participants}
            # Every export is audited: who may now hold a copy, and of what.
            record(
                session,
                "cli",
                "summary_exported",
                "conference",
                conference_id,
                audience=audience,
                format=fmt,
                to_file=bool(output),
            )
    except UnknownConference:
        print(f"There is no conference with the id {conference_id}.", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        database.dispose()
    return deliver(render(built, fmt, names), output, force)


def refuse_existing(output, force: bool) -> int:
    """EXIT_REFUSED, said, when the --output file exists and --force was not given."""
    if output and os.path.exists(output) and not force:
        print(f"{output} already exists: add --force to replace it.", file=sys.stderr)
        return EXIT_REFUSED
    return 0


def deliver(rendered: bytes, output, force: bool) -> int:
    """To the --output file (private to us), or to the screen."""
    if output:
        try:
            write_private(output, rendered, replace=force)
        except FileExistsError:
            return refuse_existing(output, force)
    else:
        sys.stdout.buffer.write(rendered)
        sys.stdout.flush()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="companion", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("setup", help="create the key file and create or migrate the database")

    conference = commands.add_parser("conference", help="manage conferences")
    conference_commands = conference.add_subparsers(dest="conference_command", required=True)
    importer = conference_commands.add_parser("import", help="create a conference from a YAML file")
    importer.add_argument("file")

    summary_parser = commands.add_parser("summary", help="the conference summary")
    summary_parser.add_argument("conference_id")
    summary_parser.add_argument("--format", default="json", choices=list(FORMATS))
    summary_parser.add_argument("--audience", default="chair", choices=list(AUDIENCES))
    summary_parser.add_argument("--output", help="write to this file instead of the screen")
    summary_parser.add_argument(
        "--force", action="store_true", help="replace the --output file if it exists"
    )

    person = commands.add_parser(
        "export-person", help="one person's own words, scores, choices and status, as JSON"
    )
    person.add_argument("conference_id")
    person.add_argument("participant", help="the participant's key in the conference file")
    person.add_argument("--output", help="write to this file instead of the screen")
    person.add_argument("--force", action="store_true", help="replace the --output file")

    eraser = commands.add_parser(
        "erase", help="remove the chat's data of conferences approved long enough ago"
    )
    eraser.add_argument(
        "--older-than",
        type=float,
        metavar="DAYS",
        help="approved more than DAYS ago (default COMPANION_RETENTION_DAYS)",
    )
    eraser.add_argument(
        "--dry-run", action="store_true", help="print what would be removed; remove nothing"
    )

    link = commands.add_parser(
        "chair-link", help="a single-use sign-in link to the chair's pages for a conference"
    )
    link.add_argument("conference_id")

    staff = commands.add_parser("staff", help="the council's staff who sign in to the pages")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    staff_adder = staff_commands.add_parser("add", help="add a coordinator or a chair")
    staff_adder.add_argument("--name", required=True)
    staff_adder.add_argument("--email", required=True)
    staff_adder.add_argument("--role", required=True, help="coordinator or chair")
    staff_linker = staff_commands.add_parser(
        "link", help="a single-use sign-in link for a member of staff"
    )
    staff_linker.add_argument("email")

    invite = commands.add_parser("invite", help="manage invites")
    invite_commands = invite.add_subparsers(dest="invite_command", required=True)
    reissuer = invite_commands.add_parser(
        "reissue", help="a new code for one participant; the old one stops working"
    )
    reissuer.add_argument("conference_id")
    reissuer.add_argument("participant", help="the participant's key in the conference file")

    telegram = commands.add_parser("telegram", help="the Telegram bot")
    telegram_commands = telegram.add_subparsers(dest="telegram_command", required=True)
    telegram_commands.add_parser(
        "set-webhook", help="register COMPANION_PUBLIC_URL/telegram/webhook with its secret"
    )

    reminder = commands.add_parser(
        "reminders", help="queue the reminders whose time has come (the service does it too)"
    )
    reminder.add_argument(
        "--dry-run", action="store_true", help="list every reminder due or coming; send nothing"
    )

    key = commands.add_parser("key", help="the encryption key")
    key_commands = key.add_subparsers(dest="key_command", required=True)
    key_commands.add_parser("new", help="print a new key (for COMPANION_ENCRYPTION_KEY)")
    key_commands.add_parser(
        "rotate", help="re-encrypt everything stored with a new key (stop the service first)"
    )

    chat_parser = commands.add_parser(
        "chat", help="try the chat in this terminal with an invite code (needs `make run`)"
    )
    chat_parser.add_argument("code", help="the invite code, as printed by `make run`")

    serve = commands.add_parser("serve", help="start Rasa, the action server and the web app")
    serve.add_argument(
        "--demo", action="store_true", help="load the demo conference and print its invites"
    )
    serve.add_argument(
        "--replicas",
        type=int,
        metavar="N",
        help="run N Rasa servers and N action servers (default 1, or COMPANION_REPLICAS); "
        "more than one needs PostgreSQL and Redis",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    private_by_default()  # what we write (and Rasa, started from here) is ours alone
    args = build_parser().parse_args(argv)
    settings = load_settings()
    try:
        if args.command == "setup":
            setup(settings)
            return 0
        if args.command == "conference":
            return import_conference(settings, args.file)
        if args.command == "summary":
            return summary(
                settings, args.conference_id, args.format, args.audience, args.output, args.force
            )
        if args.command == "chair-link":
            return chair_link(settings, args.conference_id)
        if args.command == "export-person":
            return export_one_person(
                settings, args.conference_id, args.participant, args.output, args.force
            )
        if args.command == "erase":
            return erase_chat_data(settings, args.older_than, args.dry_run)
        if args.command == "staff" and args.staff_command == "add":
            return add_staff(settings, args.name, args.email, args.role)
        if args.command == "staff":
            return staff_link(settings, args.email)
        if args.command == "invite":
            return reissue(settings, args.conference_id, args.participant)
        if args.command == "telegram":
            return set_telegram_webhook(settings)
        if args.command == "reminders":
            return send_reminders(settings, args.dry_run)
        if args.command == "key":
            return key_command(settings, args.key_command)
        if args.command == "chat":
            return chat(settings, args.code)
        if args.command == "serve":
            if args.replicas is not None:
                settings = replace(settings, replicas=args.replicas)
            return serve(settings, demo=args.demo)
    except crypto.EncryptionKeyError as error:
        print(error, file=sys.stderr)
        return 1
    return 1


if __name__ == "__main__":
    sys.exit(main())
