"""Chaos: whole conversations in parallel while Rasa, the action server and the web app are
SIGKILLed at random moments; then the database is checked. Nothing lost, nothing twice.

    .venv/bin/python scripts/chaos.py [--conversations 200] [--kills 30] [--parallel 24]

It starts its own stack (`companion serve`, whose supervisor restarts a service that dies)
on free ports, in a fresh var directory (SQLite, or --database-url), imports a conference
with one invite per conversation, and talks to the web chat as a person with a browser
would: typed answers in their own words, buttons tapped, each message sent with the form's
message id, and sent again with the same id after a failed request. Meanwhile services are
killed (SIGKILL, the whole process group) at random moments: never one that is not running
again yet, and never so often that the supervisor would take it for a crash loop. Some
conversations end halfway, as people leave; the rest go to the end and send their answers.

Afterwards, in the database: every typed answer the chat acknowledged is stored exactly
once (lost: not at all; duplicated: twice, or a word stored that was never acknowledged, or
an answer replaced though nobody went back); a finished conversation is sent; and each
person who left halfway, opening the chat again, is asked the question they were at. It
prints the figures and exits 0 only when nothing was lost or duplicated and at least
--kills kills were made.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.codes import hash_code  # noqa: E402
from bot.launcher.supervise import answers_ok  # noqa: E402
from bot.model.database import Database  # noqa: E402
from bot.model.tables import Answer, Invite, Participant, Score  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from tests import typed_driver  # noqa: E402
from tests.conftest import free_port  # noqa: E402

BIN = ROOT / ".venv" / "bin"
SERVICES = {  # what each service's command line holds
    "rasa": "rasa run",
    "action server": "bot.actions.server",
    "web app": "bot.web.app",
}
# Buttons that go on, first found first: the read-back's, "nothing more", sharing, no.
GO_ON = ["send", "nothing", "no, that's all", "none", "yes, share", "no", "i don't know"]
SOCIAL_WORKER = "role: social_worker, agency: Children's Social Care"
QUICK = 60  # s: a death this soon after a start counts towards a crash loop
QUICK_IN_A_ROW = 3  # then a service runs a minute before it is killed again (the loop is 5)
BOT_LINE = r'companion-chat__bot">(.*?)</p>'
RETRY_FOR = 300  # s: a message is sent again for this long before the person gives up
STOPPING = threading.Event()


def _stop(signum, _frame):
    """SIGTERM: stop the stack on the way out (a SIGKILL would leave it running)."""
    raise SystemExit(128 + signum)


WHO = "Nan|Their aunt|My sister|Our neighbour|Grandad|The childminder|Their uncle|My mum|"
WHO += "Their dad|My friend Jo|The school nurse|Their cousin"
DOES = "takes them to football|helps with homework|cooks tea|reads with Leo|walks them to "
DOES += "school|does the bedtime routine|takes them swimming|checks the school bags|"
DOES += "comes to parents evening|sorts out the packed lunches|plays in the park with them|"
DOES += "rings to check in"
WHEN = "on Mondays|most evenings|at weekends|after school|every other Saturday|in the "
WHEN += "holidays|when I am at work|before breakfast|on Thursday nights|once a month|on "
WHEN += "Sundays after church|when the baby is asleep"


def conference_file(count: int) -> str:
    """One conference with `count` invites: parents and family members, professionals and
    social workers, in turn."""
    text = typed_driver.conference_file((count + 1) // 2, 0, count // 2)
    lines = []
    for line in text.splitlines():
        if (len(lines) % 2) and "role: parent" in line:
            line = line.replace("role: parent", "role: family_member")
        if (len(lines) % 2) and "role: professional" in line:
            line = line.replace("role: professional, agency: School", SOCIAL_WORKER)
        lines.append(line)
    return "\n".join(lines) + "\n"


@dataclass
class Figures:
    messages: int = 0
    retries: int = 0
    dropped: int = 0
    gave_up: int = 0
    kills: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


@dataclass
class Conversation:
    key: str
    code: str
    leave_after: int | None  # messages, for one who leaves halfway
    typed: list[str] = field(default_factory=list)  # acknowledged typed answers
    tapped: list[str] = field(default_factory=list)  # acknowledged buttons' titles
    last_question: str = ""
    finished: bool = False
    error: str = ""


class Person:
    """One person in the web chat with a browser of their own (JSON, as chat.js sends)."""

    def __init__(self, base, conversation: Conversation, figures: Figures, rng, options):
        self.base = base
        self.ids = not options.without_message_ids
        self.drop = options.drop
        verbose = options.verbose
        self.conversation = conversation
        self.figures = figures
        self.rng = rng
        self.verbose = verbose
        self.http = requests.Session()
        self.csrf = ""
        self.said_typed: set[str] = set()

    def _post(self, path: str, data: dict, json_answer: bool) -> requests.Response | None:
        """Sent until it is answered (2xx), again and again after failures, as a person
        presses Send again: the same words, the same message id."""
        deadline = time.monotonic() + RETRY_FOR
        tries = 0
        while time.monotonic() < deadline and not STOPPING.is_set():
            tries += 1
            # Now and then the answer is lost on its way back (a phone losing its signal):
            # the message has gone, the person does not know, and sends it again.
            dropped = path == "/chat/say" and tries == 1 and self.rng.random() < self.drop
            try:
                headers = {"Accept": "application/json"} if json_answer else {}
                timeout = (5, 0.05) if dropped else 90
                response = self.http.post(
                    self.base + path, data=data, headers=headers, timeout=timeout
                )
                if dropped:
                    raise requests.Timeout("the answer was not waited for")
                if response.status_code < 400:
                    if tries > 1:
                        self.figures.add(retries=tries - 1)
                    return response
                if response.status_code not in (502, 503, 504, 500):
                    self.conversation.error = (
                        f"{path}: {response.status_code} {response.text[:200]}"
                    )
                    return None
            except requests.RequestException:
                if dropped:
                    self.figures.add(dropped=1)
            time.sleep(self.rng.uniform(0.1, 0.5) if dropped else self.rng.uniform(0.5, 2.5))
        self.figures.add(gave_up=1, retries=tries - 1)
        self.conversation.error = f"{path}: gave up after {tries} tries"
        return None

    def start(self) -> list[dict] | None:
        response = self._post("/chat/start", {"code": self.conversation.code}, False)
        if response is None:
            return None
        self.figures.add(messages=1)
        page = response.text
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        if not found:
            self.conversation.error = "no chat after the code"
            return None
        self.csrf = found.group(1)
        # The page's last question and its buttons, as a person sees them.
        texts = re.findall(BOT_LINE, page, re.S)
        buttons = re.findall(r'name="message" value="([^"]*)"[^>]*>([^<]*)</button>', page)
        return [{"text": _unescape(text), "buttons": []} for text in texts[:-1] if text.strip()] + [
            {
                "text": _unescape(texts[-1]) if texts else "",
                "buttons": [{"payload": _unescape(p), "title": _unescape(t)} for p, t in buttons],
            }
        ]

    def say(self, message: str, title: str | None) -> list[dict] | None:
        data = {"message": message, "csrf": self.csrf}
        if self.ids:
            data["message_id"] = uuid.uuid4().hex
        response = self._post("/chat/say", data, True)
        if response is None:
            return None
        self.figures.add(messages=1)
        if title is None:
            self.conversation.typed.append(message)
        else:
            self.conversation.tapped.append(title)
        replies = response.json().get("replies") or []
        if self.verbose:
            print(f"{self.conversation.key} > {title or message}", file=sys.stderr)
            for reply in replies:
                names = [b["title"] for b in reply.get("buttons") or []]
                print(f"{self.conversation.key} < {reply['text'][:90]!r} {names}", file=sys.stderr)
        return replies

    def typed_answer(self) -> str:
        while True:
            words = " ".join(self.rng.choice(part.split("|")) for part in (WHO, DOES, WHEN))
            if words not in self.said_typed:
                self.said_typed.add(words)
                return words

    def choose(self, buttons: list[dict]) -> dict:
        """What a person taps to go on: a score on a scale, "no more" when asked for
        anything else, "send" at the read-back, yes to sharing, "no" when asked about
        danger; otherwise any button."""
        if all(str(b["payload"]).isdigit() for b in buttons):
            return self.rng.choice(buttons[3:9] or buttons)
        for wanted in GO_ON:
            for button in buttons:
                if button["title"].lower().startswith(wanted):
                    return button
        return self.rng.choice(buttons)

    def converse(self) -> None:
        replies = self.start()
        sent = 0
        while replies is not None:
            last = replies[-1] if replies else {"text": "", "buttons": []}
            self.conversation.last_question = last.get("text", "")
            buttons = last.get("buttons") or []
            if not buttons and _finished(replies):
                self.conversation.finished = True
                return
            if self.conversation.leave_after is not None and sent >= self.conversation.leave_after:
                return
            if sent > 120:
                self.conversation.error = "more than 120 messages"
                return
            if buttons and self.rng.random() < 0.9:
                button = self.choose(buttons)
                replies = self.say(str(button["payload"]), button["title"])
            else:
                replies = self.say(self.typed_answer(), None)
            sent += 1


def _finished(replies: list[dict]) -> bool:
    words = " ".join(reply.get("text", "") for reply in replies).lower()
    return "have been sent" in words or "already sent" in words or "thank you for sending" in words


def _unescape(text: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


class Killer(threading.Thread):
    """SIGKILLs a running service at random moments until told to stop."""

    def __init__(self, supervisor_pid: int, settings, rng, pause, figures, most=None, every=None):
        super().__init__(daemon=True)
        self.most = most
        self.every = every  # messages between kills, on average (spread over the whole run)
        self.next_at = rng.uniform(0.2, 1.0) * every if every else 0
        self.supervisor_pid = supervisor_pid
        self.settings = settings
        self.rng = rng
        self.pause = pause
        self.figures = figures
        self.stopping = threading.Event()
        self.up_since: dict[str, float] = {name: time.monotonic() for name in SERVICES}
        self.quick: Counter = Counter()
        self.health = {
            "rasa": f"{settings.rasa_url}/",
            "action server": f"{settings.action_url}/health",
            "web app": f"{settings.web_url}/healthz",
        }

    def pid_of(self, name: str) -> int | None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, ValueError, IndexError):
                continue
            if parent == self.supervisor_pid and SERVICES[name] in command:
                return int(entry.name)
        return None

    def healthy(self, name: str) -> bool:
        return answers_ok(self.health[name])

    def eligible(self, name: str) -> bool:
        up = time.monotonic() - self.up_since[name]
        return self.quick[name] < QUICK_IN_A_ROW or up > QUICK + 5

    def run(self) -> None:
        down: dict[str, bool] = {}
        while not self.stopping.wait(self.rng.uniform(*self.pause)):
            if self.most is not None and sum(self.figures.kills.values()) >= self.most:
                return
            if self.figures.messages < self.next_at:
                continue
            for name in SERVICES:  # back up again since the last kill?
                if down.get(name) and self.healthy(name):
                    down[name] = False
                    self.up_since[name] = time.monotonic()
            choices = [n for n in SERVICES if not down.get(n) and self.eligible(n)]
            if not choices:
                continue
            fewest = min(self.figures.kills[n] for n in choices)  # the least killed first
            name = self.rng.choice([n for n in choices if self.figures.kills[n] == fewest])
            pid = self.pid_of(name)
            if pid is None:
                continue
            up = time.monotonic() - self.up_since[name]
            self.quick[name] = self.quick[name] + 1 if up < QUICK else 0
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            down[name] = True
            self.figures.kills[name] += 1
            if self.every:
                self.next_at = self.figures.messages + self.rng.uniform(0.5, 1.5) * self.every


def check(database: Database, conversations: list[Conversation]) -> dict:
    """Lost, duplicated, finished and not sent, per the database."""
    lost = duplicated = unexpected = replaced = not_sent = 0
    problems = []
    with database.session() as session:
        for conversation in conversations:
            invite = session.scalars(
                select(Invite).where(Invite.code_hash == hash_code(conversation.code))
            ).one()
            pid = invite.participant_id
            answers = list(session.scalars(select(Answer).where(Answer.participant_id == pid)))
            scores = list(session.scalars(select(Score).where(Score.participant_id == pid)))
            stored = Counter(a.text for a in answers)
            for score in scores:
                stored.update(t for t in (score.reason, score.next_point) if t)
            for text in conversation.typed:
                if stored[text] == 0:
                    lost += 1
                    problems.append(f"{conversation.key}: lost {text!r}")
                elif stored[text] > 1:
                    duplicated += 1
                    problems.append(f"{conversation.key}: {stored[text]} times {text!r}")
            known = set(conversation.typed) | set(conversation.tapped)
            for text in stored:
                if text not in known and text.strip() not in known:
                    unexpected += 1
                    problems.append(f"{conversation.key}: stored, never acknowledged {text!r}")
            replaced += sum(1 for a in answers if a.superseded_at is not None)
            replaced += sum(1 for s in scores if getattr(s, "superseded_at", None) is not None)
            participant = session.get(Participant, pid)
            if conversation.finished and participant.response_status != "submitted":
                not_sent += 1
                problems.append(f"{conversation.key}: finished, yet {participant.response_status}")
    return {
        "lost": lost,
        "duplicated": duplicated,
        "stored_never_acknowledged": unexpected,
        "replaced": replaced,
        "finished_not_sent": not_sent,
        "problems": problems,
    }


def resumes(base: str, conversations: list[Conversation]) -> list[str]:
    """Each who left halfway, opening the chat again with their code, is asked the question
    they were at."""
    wrong = []
    for conversation in conversations:
        if conversation.finished or conversation.error or not conversation.last_question:
            continue
        page = requests.post(f"{base}/chat/start", data={"code": conversation.code}, timeout=90)
        texts = [_unescape(t) for t in re.findall(BOT_LINE, page.text, re.S)]
        # The question now, asked again: its words may be all the person last saw, or the
        # end of it ("Please choose one of the buttons...\n\nWhat is your recommendation?").
        now = texts[-1] if texts else ""
        if not now or not conversation.last_question.endswith(now):
            wrong.append(
                f"{conversation.key}: at {conversation.last_question!r}, shown {texts[-2:]}"
            )
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--kills", type=int, default=30, help="at least this many")
    parser.add_argument("--most-kills", type=int, default=None, help="no more than this many")
    parser.add_argument("--kill-every", type=int, default=None, metavar="MESSAGES",
                        help="a kill after about this many messages, over the run")  # fmt: skip
    parser.add_argument("--parallel", type=int, default=24)
    parser.add_argument("--pause", type=float, nargs=2, default=(2.0, 8.0), metavar=("MIN", "MAX"),
                        help="seconds between kills")  # fmt: skip
    parser.add_argument("--drop", type=float, default=0.05,
                        help="share of answers lost on the way back (sent again)")  # fmt: skip
    parser.add_argument("--leave", type=float, default=0.3, help="share who leave halfway")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--var-dir", default=None, help="kept afterwards (default: a temporary one)"
    )
    parser.add_argument("--json", action="store_true", help="the figures as JSON too")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--without-message-ids", action="store_true",
                        help="send no message ids (to see what they prevent)")  # fmt: skip
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else secrets.randbelow(10**6)
    rng = random.Random(seed)

    var_dir = Path(args.var_dir or tempfile.mkdtemp(prefix="companion-chaos-"))
    env = {
        **os.environ,
        "COMPANION_VAR_DIR": str(var_dir),
        "COMPANION_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "COMPANION_RASA_PORT": str(free_port()),
        "COMPANION_ACTION_PORT": str(free_port()),
        "COMPANION_WEB_PORT": str(free_port()),
        "COMPANION_ACTION_TOKEN": secrets.token_urlsafe(32),
    }
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "TRACKER_STORE_URL"):
        env.pop(name, None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    settings = load_settings(env)
    var_dir.mkdir(parents=True, exist_ok=True)
    output = open(var_dir / "serve.out", "w")
    serve = subprocess.Popen([str(BIN / "companion"), "serve"], env=env, stdout=output,
                             stderr=subprocess.STDOUT, cwd=ROOT)  # fmt: skip
    began = time.monotonic()
    figures = Figures()
    signal.signal(signal.SIGTERM, _stop)
    try:
        deadline = time.monotonic() + 300
        while "Conference Companion is running." not in (var_dir / "serve.out").read_text():
            if serve.poll() is not None or time.monotonic() > deadline:
                print((var_dir / "serve.out").read_text(), file=sys.stderr)
                return 2
            time.sleep(0.5)
        conference = var_dir / "chaos-conference.yml"
        conference.write_text(conference_file(args.conversations))
        imported = json.loads(
            subprocess.run(
                [str(BIN / "companion"), "conference", "import", str(conference)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout  # fmt: skip
        )
        codes = {i["participant"]: i["code"] for i in imported["invites"] if i["code"]}
        conversations = [
            Conversation(
                key,
                code,
                rng.randint(3, 25) if rng.random() < args.leave else None,
            )
            for key, code in codes.items()
            if key != "CH"
        ][: args.conversations]
        base = settings.web_url
        started = time.monotonic()
        killer = Killer(
            serve.pid,
            settings,
            random.Random(seed + 1),
            args.pause,
            figures,
            args.most_kills,
            args.kill_every,
        )
        killer.start()

        def talk(conversation: Conversation) -> None:
            person_rng = random.Random(f"{seed}-{conversation.key}")
            Person(base, conversation, figures, person_rng, args).converse()

        pool = ThreadPoolExecutor(args.parallel)
        try:
            list(pool.map(talk, conversations))
        finally:
            STOPPING.set()  # people still talking give up (on SIGTERM)
            pool.shutdown(wait=False, cancel_futures=True)
        killer.stopping.set()
        killer.join()
        talking = time.monotonic() - started
        # Everything up again before the checks (the supervisor restarts what was killed).
        deadline = time.monotonic() + 180
        while not all(killer.healthy(name) for name in SERVICES):
            if time.monotonic() > deadline or serve.poll() is not None:
                print("The stack did not come back after the kills.", file=sys.stderr)
                print((var_dir / "serve.out").read_text()[-3000:], file=sys.stderr)
                return 2
            time.sleep(1)
        database = Database(settings)
        try:
            result = check(database, conversations)
        finally:
            database.dispose()
        wrong_place = resumes(base, conversations)
    finally:
        if serve.poll() is None:
            serve.send_signal(signal.SIGTERM)
            try:
                serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                serve.kill()
        output.close()

    errors = [f"{c.key}: {c.error}" for c in conversations if c.error]
    total_kills = sum(figures.kills.values())
    summary = {
        "conversations": len(conversations),
        "finished": sum(c.finished for c in conversations),
        "left_halfway": sum(c.leave_after is not None and not c.finished for c in conversations),
        "messages": figures.messages,
        "typed_answers_acknowledged": sum(len(c.typed) for c in conversations),
        "buttons_acknowledged": sum(len(c.tapped) for c in conversations),
        "kills": total_kills,
        "kills_by_service": dict(figures.kills),
        "retries": figures.retries,
        "answers_dropped": figures.dropped,
        "gave_up": figures.gave_up,
        "lost": result["lost"],
        "duplicated": result["duplicated"],
        "stored_never_acknowledged": result["stored_never_acknowledged"],
        "replaced": result["replaced"],
        "finished_not_sent": result["finished_not_sent"],
        "resumed_elsewhere": len(wrong_place),
        "errors": len(errors),
        "talking_seconds": round(talking, 1),
        "total_seconds": round(time.monotonic() - began, 1),
        "seed": seed,
    }
    print(f"Chaos: {summary['conversations']} conversations ({summary['finished']} to the end, "
          f"{summary['left_halfway']} left halfway), {summary['messages']} messages")  # fmt: skip
    print(f"  kills: {total_kills} ({', '.join(f'{k} {v}' for k, v in figures.kills.items())}); "
          f"retries: {figures.retries}; answers lost on the way back and sent again: "
          f"{figures.dropped}; gave up: {figures.gave_up}")  # fmt: skip
    print(f"  typed answers acknowledged: {summary['typed_answers_acknowledged']}, "
          f"buttons: {summary['buttons_acknowledged']}")  # fmt: skip
    print(f"  lost: {summary['lost']}; duplicated: {summary['duplicated']}; stored but never "
          f"acknowledged: {summary['stored_never_acknowledged']}; "
          f"replaced: {summary['replaced']}")  # fmt: skip
    print(f"  finished but not sent: {summary['finished_not_sent']}; resumed at another "
          f"question: {len(wrong_place)}; errors: {len(errors)}")  # fmt: skip
    print(f"  time: {summary['talking_seconds']} s talking, {summary['total_seconds']} s in all "
          f"(seed {seed})")  # fmt: skip
    for line in (result["problems"] + wrong_place + errors)[:40]:
        print("  " + line)
    if args.json:
        print(json.dumps(summary))
    bad = (
        result["lost"] + result["duplicated"] + result["stored_never_acknowledged"]
        + result["replaced"] + result["finished_not_sent"] + len(wrong_place) + len(errors)
    )  # fmt: skip
    return 0 if bad == 0 and total_kills >= args.kills else 1


if __name__ == "__main__":
    sys.exit(main())
