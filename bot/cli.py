"""`companion`: the command line for administrators and for `make run`."""

from __future__ import annotations

import argparse
import json
import sys

from bot.conference_file import ConferenceFileError, load_conference_file
from bot.launcher.serve import serve
from bot.links import invite_links
from bot.model import crypto
from bot.model.conferences import create_conference
from bot.model.database import Database, setup
from bot.settings import Settings, load_settings

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="companion", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("setup", help="create the key file and create or migrate the database")

    conference = commands.add_parser("conference", help="manage conferences")
    conference_commands = conference.add_subparsers(dest="conference_command", required=True)
    importer = conference_commands.add_parser("import", help="create a conference from a YAML file")
    importer.add_argument("file")

    serve = commands.add_parser("serve", help="start Rasa, the action server and the web app")
    serve.add_argument(
        "--demo", action="store_true", help="load the demo conference and print its invites"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    try:
        if args.command == "setup":
            setup(settings)
            return 0
        if args.command == "conference":
            return import_conference(settings, args.file)
        if args.command == "serve":
            return serve(settings, demo=args.demo)
    except crypto.EncryptionKeyError as error:
        print(error, file=sys.stderr)
        return 1
    return 1


if __name__ == "__main__":
    sys.exit(main())
