"""Everything configurable, read from the environment once (documented in the README)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The secret Rasa sends the action server; `companion serve` makes one unless it is set.
ACTION_TOKEN = "COMPANION_ACTION_TOKEN"
# How many Rasa servers and action servers `companion serve` runs (its --replicas sets it).
REPLICAS = "COMPANION_REPLICAS"


@dataclass(frozen=True)
class Settings:
    database_url: str
    tracker_store_url: str
    redis_url: str | None
    encryption_key: str | None
    encryption_key_file: Path
    var_dir: Path
    host: str
    rasa_port: int
    action_port: int
    web_port: int
    public_url: str
    telegram_bot_username: str | None
    start_timeout: float
    notify_api_key: str | None = None
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_email_template_id: str | None = None
    notify_sms_template_id: str | None = None
    notify_sign_in_template_id: str | None = None  # the chair's sign-in link by email
    # Invites and reminders to participants (bot/notify/invites.py, bot/notify/reminders.py).
    notify_invite_email_template_id: str | None = None
    notify_invite_sms_template_id: str | None = None
    notify_reminder_email_template_id: str | None = None
    notify_reminder_sms_template_id: str | None = None
    reminder_working_days: int = 3  # who has not finished is reminded this long before
    notify_interval: float = 10.0
    duty_email: str | None = None  # where alerts from someone not yet joined go
    rasa_bin: Path = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
    tracker_retention_days: float = 30.0  # Rasa's copy of a quiet conversation is deleted after
    # `companion erase`: the chat's data goes this long after the record's approval; the
    # approved record (and the safeguarding alerts) this long after it.
    retention_days: float = 90.0
    record_retention_days: float = 2190.0
    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"  # tests: a local fake Bot API
    telegram_polling: bool = False  # local use: ask Telegram for updates instead of a webhook
    picture_max_mb: float = 10.0  # the largest drawing or photo a child may send
    message_max_chars: int = 4000  # longer is refused kindly, before Rasa spends time on it
    body_timeout: float = 60.0  # seconds to receive a request's body; then 408, and closed
    log_max_mb: float = 10.0  # each service's log under var/log/ starts a new file past this
    log_keep: int = 5  # old log files kept of each
    replicas: int = 1  # Rasa servers (each with its own action server), on consecutive ports

    @property
    def rasa_url(self) -> str:
        """The first Rasa server."""
        return self.rasa_urls[0]

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://{self.host}:{self.rasa_port + n}" for n in range(self.replicas)]

    def rasa_urls_for(self, sender: str) -> list[str]:
        """Every Rasa server, the sender's own first: a conversation stays on one server
        (a stable hash of its sender) while it answers, and moves to the next when not."""
        urls = self.rasa_urls
        first = int.from_bytes(hashlib.sha256(sender.encode()).digest()[:8], "big") % len(urls)
        return urls[first:] + urls[:first]

    @property
    def action_url(self) -> str:
        """The first action server."""
        return self.action_urls[0]

    @property
    def action_urls(self) -> list[str]:
        return [f"http://{self.host}:{self.action_port + n}" for n in range(self.replicas)]

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"


def load_settings(env: dict | None = None) -> Settings:
    env = os.environ if env is None else env
    var_dir = Path(env.get("COMPANION_VAR_DIR") or PROJECT_ROOT / "var")
    web_port = int(env.get("COMPANION_WEB_PORT", 8080))
    return Settings(
        database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'companion.db'}",
        tracker_store_url=env.get("TRACKER_STORE_URL") or f"sqlite:///{var_dir / 'tracker.db'}",
        redis_url=env.get("REDIS_URL") or None,
        encryption_key=env.get("COMPANION_ENCRYPTION_KEY") or None,
        encryption_key_file=Path(
            env.get("COMPANION_ENCRYPTION_KEY_FILE") or var_dir / "encryption.key"
        ),
        var_dir=var_dir,
        host="127.0.0.1",
        rasa_port=int(env.get("COMPANION_RASA_PORT", 5005)),
        action_port=int(env.get("COMPANION_ACTION_PORT", 5055)),
        web_port=web_port,
        public_url=(env.get("COMPANION_PUBLIC_URL") or f"http://localhost:{web_port}").rstrip("/"),
        telegram_bot_username=env.get("TELEGRAM_BOT_USERNAME") or None,
        start_timeout=float(env.get("COMPANION_START_TIMEOUT", 180)),
        notify_api_key=env.get("NOTIFY_API_KEY") or None,
        notify_base_url=env.get("NOTIFY_BASE_URL") or "https://api.notifications.service.gov.uk",
        notify_email_template_id=env.get("NOTIFY_EMAIL_TEMPLATE_ID") or None,
        notify_sms_template_id=env.get("NOTIFY_SMS_TEMPLATE_ID") or None,
        notify_sign_in_template_id=env.get("NOTIFY_SIGN_IN_TEMPLATE_ID") or None,
        notify_invite_email_template_id=env.get("NOTIFY_INVITE_EMAIL_TEMPLATE_ID") or None,
        notify_invite_sms_template_id=env.get("NOTIFY_INVITE_SMS_TEMPLATE_ID") or None,
        notify_reminder_email_template_id=env.get("NOTIFY_REMINDER_EMAIL_TEMPLATE_ID") or None,
        notify_reminder_sms_template_id=env.get("NOTIFY_REMINDER_SMS_TEMPLATE_ID") or None,
        reminder_working_days=int(env.get("COMPANION_REMINDER_WORKING_DAYS", 3)),
        notify_interval=float(env.get("COMPANION_NOTIFY_INTERVAL", 10)),
        duty_email=env.get("COMPANION_DUTY_EMAIL") or None,
        rasa_bin=Path(env.get("COMPANION_RASA_BIN") or PROJECT_ROOT / ".venv-rasa/bin/rasa"),
        tracker_retention_days=float(env.get("COMPANION_TRACKER_RETENTION_DAYS", 30)),
        retention_days=float(env.get("COMPANION_RETENTION_DAYS", 90)),
        record_retention_days=float(env.get("COMPANION_RECORD_RETENTION_DAYS", 2190)),
        telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
        telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
        telegram_base_url=env.get("TELEGRAM_BASE_URL") or "https://api.telegram.org/bot",
        telegram_polling=env.get("TELEGRAM_MODE", "webhook") == "polling",
        picture_max_mb=float(env.get("COMPANION_PICTURE_MAX_MB", 10)),
        message_max_chars=int(env.get("COMPANION_MESSAGE_MAX_CHARS", 4000)),
        body_timeout=float(env.get("COMPANION_BODY_TIMEOUT_SECONDS", 60)),
        log_max_mb=float(env.get("COMPANION_LOG_MAX_MB", 10)),
        log_keep=int(env.get("COMPANION_LOG_KEEP", 5)),
        replicas=int(env.get(REPLICAS) or 1),
    )
