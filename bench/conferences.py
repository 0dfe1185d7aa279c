"""Generated conferences for the bench: many parents on the demo's children (the typed
tests' conference, tests/typed_driver.py), and a large conference whose participants have
all answered (through the conversation engine, in this process), for timing the chair's
summary."""

from __future__ import annotations

import statistics
import time

from sqlalchemy import func, select

from bot.agenda.loader import load_agenda
from bot.dialogue.conversation import Conversation
from bot.dialogue.state import State
from bot.model.database import Database
from bot.model.tables import Answer, Participant
from bot.settings import load_settings
from bot.summary.build import build_summary
from tests.typed_driver import conference_file


def parents_conference(parents: int) -> str:
    """The demo's children and danger statement, which tests/data/family_review_path.yml
    expects, with as many parents as there are conversations."""
    return conference_file(parents, 0, 0)


HEAD = "conference: {type: review, date: 2026-12-15T10:00, local_authority: Example Council}"


def summary_conference(participants: int, dangers: int) -> str:
    """`participants` in all: 4 parents and carers, 4 young people, a chair, professionals."""
    kids = [("A", "Ava", 9), ("B", "Leo", 4), ("C", "Mia", 13), ("D", "Kai", 15)]
    lines = [HEAD, "children:"]
    lines += [f"  - {{key: {key}, name: {name}, age: {age}}}" for key, name, age in kids]
    lines.append("danger_statements:")
    for n in range(1, dangers + 1):
        lines += [
            f"  - key: D{n}",
            f"    danger: Worry number {n}, that the children could be hurt at home.",
            f"    safety_goal: The children are safe at home, for worry number {n}.",
            "    children: [A, B, C, D]",
            "    for_young_people:",
            f"      danger: Home does not always feel safe ({n}).",
            "      safety_goal: Home feels safe every day.",
        ]
    lines.append("participants:")
    lines += [f"  - {{key: P{n}, name: Parent {n}, role: parent, children: [A, B, C, D]}}"
              for n in range(1, 5)]  # fmt: skip
    lines += [f"  - {{key: Y{key}, name: {name}, role: young_person, child: {key}}}"
              for key, name, _ in kids]  # fmt: skip
    lines += [f"  - {{key: R{n}, name: Pro {n}, role: professional, agency: Agency {n}}}"
              for n in range(1, participants - 8)]  # fmt: skip
    lines.append("  - {key: CH, name: Chair Person, role: chair}")
    return "\n".join(lines) + "\n"


def _reply_to(last, seen: int, turn: int) -> str:
    """A button (the next one each time the same question comes back, so "anything else?"
    ends), or a sentence."""
    if last is not None and last.buttons:
        return last.buttons[min(seen, len(last.buttons) - 1)]["payload"]
    return f"Something we said at turn {turn}, about school, home and the weekends."


def fill_answers(env: dict, conference_id: str, most_turns: int = 300) -> int:
    """Every participant answers every question; returns how many answers were stored."""
    database = Database(load_settings(env))
    agenda = load_agenda()
    with database.session() as session, session.begin():
        participants = session.scalars(
            select(Participant).where(Participant.conference_id == conference_id)
        ).all()
        for participant in participants:
            conversation = Conversation(session, participant, agenda)
            replies, seen = conversation.ask(), {}
            for turn in range(most_turns):
                if conversation.state is not State.ACTIVE or conversation.step is None:
                    break
                last = replies[-1] if replies else None
                key = last.text if last else ""
                seen[key] = seen.get(key, 0) + 1
                replies = conversation.answer(_reply_to(last, seen[key] - 1, turn))
                replies += conversation.ask()
            if not conversation.finished:
                conversation.submit(consent=True)
        stored = session.scalar(
            select(func.count(Answer.id))
            .join(Participant)
            .where(Participant.conference_id == conference_id)
        )
    database.dispose()
    return stored


def time_summaries(env: dict, conference_id: str, runs: int = 5) -> tuple[float, float]:
    """Median seconds to build the chair's summary, and the family's."""
    database = Database(load_settings(env))
    timings = []
    for audience in ("chair", "family"):
        seconds = []
        for _ in range(runs):
            with database.session() as session:
                began = time.perf_counter()
                build_summary(session, conference_id, audience)
                seconds.append(time.perf_counter() - began)
        timings.append(statistics.median(seconds))
    database.dispose()
    return timings[0], timings[1]
