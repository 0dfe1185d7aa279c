"""A database that stops answering: the person is told "I can't save that right now,
please try again in a minute", the channel gets a non-2xx, and nothing is lost or started
afresh. Real: the stack on a PostgreSQL database that is made to refuse every connection
(ALLOW_CONNECTIONS false, its sessions ended), then let back."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.model.database import Database
from bot.retries import CANT_SAVE
from tests.conftest import (
    ACTION_TOKEN_FOR_TESTS,
    EXAMPLES,
    POSTGRES_ADMIN_URL,
    Launcher,
    import_conference,
    stack_environment,
)
from tests.test_message_ids import answers_of, rest
from tests.test_telegram import TelegramUser, texts
from tests.test_web_chat import Browser


@pytest.fixture
def postgres_stack(tmp_path, postgres_url, fake_notify, fake_telegram):
    env = stack_environment(
        tmp_path,
        DATABASE_URL=postgres_url,
        COMPANION_ACTION_TOKEN=ACTION_TOKEN_FOR_TESTS,
        **fake_notify.environment(),
        **fake_telegram.environment(),
    )
    launcher = Launcher(env)
    launcher.wait_ready()
    yield launcher
    launcher.stop()


class Refusing:
    """The stack's database refusing every connection, and then answering again."""

    def __init__(self, url: str):
        self.name = make_url(url).database
        self.admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def __enter__(self):
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false'))
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
                {"d": self.name},
            )
        return self

    def __exit__(self, *_):
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true'))
        self.admin.dispose()


def test_a_database_that_stops_answering_is_said_and_nothing_is_lost_or_begun_afresh(
    postgres_stack, fake_telegram
):
    stack = postgres_stack
    codes = import_conference(stack.env, EXAMPLES / "demo-conference.yml")
    sender = f"rest-{uuid.uuid4().hex}"
    assert rest(stack, sender, f"/start {codes['P1']}", message_id="1").status_code == 200
    question = rest(stack, sender, "Yes I have", message_id="2").json()[-1]["text"]
    browser = Browser(stack)
    browser.start(codes["P3"])
    csrf = browser.csrf()
    page_id = re.search(r'name="message_id" value="([^"]+)"', browser.get().text).group(1)
    telegram = TelegramUser(stack, fake_telegram)
    telegram.says(f"/start {codes['P4']}")
    update = telegram.message(text="The school has seen the reports")

    with Refusing(stack.settings.database_url):
        refused = rest(stack, sender, "Nobody went through them", message_id="3")
        assert refused.status_code == 503
        assert [reply["text"] for reply in refused.json()] == [CANT_SAVE]

        form = {"message": "Police were called in March", "csrf": csrf, "message_id": page_id}
        by_form = browser.http.post(f"{browser.base}/chat/say", data=form, timeout=60)
        assert by_form.status_code == 503 and CANT_SAVE.replace("'", "&#39;") in by_form.text
        assert "Police were called in March</textarea>" in by_form.text  # kept in the box
        assert f'value="{page_id}"' in by_form.text  # sent again, the same message
        assert "The code from your invite" not in by_form.text  # never a fresh start
        fetched = browser.http.post(
            f"{browser.base}/chat/say",
            data=form,
            headers={"Accept": "application/json"},
            timeout=60,
        )
        assert fetched.status_code == 503 and fetched.json() == {"error": CANT_SAVE}
        reloaded = browser.get()
        assert reloaded.status_code == 503 and "The code from your invite" not in reloaded.text
        newcomer = Browser(stack).start(codes["P2"])
        assert newcomer.status_code == 503 and "try again in a minute" in newcomer.text

        assert telegram.post(update).status_code == 503
        assert texts(telegram.replies()) == CANT_SAVE
        assert telegram.post(update).status_code == 503  # Telegram tries again: told once
        assert telegram.replies() == []

    # Back: the same messages go on from where each person was, each taken once.
    again = rest(stack, sender, "Nobody went through them", message_id="3")
    assert again.status_code == 200
    assert again.json()[0]["text"] != question and CANT_SAVE not in again.text
    assert rest(stack, sender, "Nobody went through them", message_id="3").json() == again.json()
    database = Database(stack.settings)
    try:
        assert len(answers_of(database, codes["P1"])) == 2
        sent = browser.http.post(f"{browser.base}/chat/say", data=form, timeout=60)
        assert sent.status_code == 200
        assert answers_of(database, codes["P3"]) == ["Police were called in March"]
        assert telegram.post(update).status_code == 200
        assert CANT_SAVE not in texts(telegram.replies())
        assert answers_of(database, codes["P4"]) == ["The school has seen the reports"]
    finally:
        database.dispose()
