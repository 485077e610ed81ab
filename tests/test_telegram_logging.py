"""The token redaction filter and the application factory's static parts."""

from __future__ import annotations

import logging

from bot.config import Secret, Settings, load_settings
from bot.logging_setup import RedactingFilter
from bot.telegram.admin import ADMIN_KEY
from bot.telegram.app import build_application, file_url_for

TOKEN = "123456:ABC-def_ghi"


def record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, exc_info)


def test_filter_redacts_message_args_url_form_and_traceback() -> None:
    redactor = RedactingFilter([TOKEN])
    rec = record("POST %s %r", f"https://api.telegram.org/bot{TOKEN}/getMe", {"token": TOKEN})
    assert redactor.filter(rec)
    assert rec.getMessage() == "POST https://api.telegram.org/bot***/getMe {'token': '***'}"
    encoded = record("url http://x/bot123456%3AABC-def_ghi/getMe")
    redactor.filter(encoded)
    assert "123456" not in encoded.getMessage()
    try:
        raise ValueError(f"bad {TOKEN}")
    except ValueError as exc:
        failing = record("boom", exc=exc)
    redactor.filter(failing)
    assert failing.exc_text is not None
    assert TOKEN not in failing.exc_text
    assert TOKEN not in logging.Formatter().format(failing)


def test_filter_leaves_other_records_alone() -> None:
    rec = record("hello %s", "world")
    RedactingFilter([TOKEN]).filter(rec)
    assert rec.msg == "hello %s"
    assert rec.args == ("world",)


def test_file_url_and_settings_for_webhook_and_limiter() -> None:
    assert file_url_for("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url_for("http://127.0.0.1:1234/bot") == "http://127.0.0.1:1234/file/bot"
    settings = load_settings(
        {"WEBHOOK_URL": "https://example.org/tg", "WEBHOOK_PORT": "8080", "RATE_LIMITER": "off"}, None
    )
    assert settings.webhook_url == "https://example.org/tg"
    assert settings.webhook_port == 8080
    assert settings.rate_limiter is False


def test_build_application_does_no_io_and_uses_the_settings() -> None:
    app = build_application(Settings(telegram_bot_token=Secret(TOKEN), rate_limiter=False))
    assert app.bot.token == TOKEN
    assert app.bot.rate_limiter is None
    assert app.bot.defaults is not None
    assert app.bot.defaults.parse_mode == "HTML"
    # Only the admin tools' settings; no FAQ, no database, no watcher until post_init.
    assert list(app.bot_data) == [ADMIN_KEY]
    assert app.bot_data[ADMIN_KEY].watcher is None
    limited = build_application(Settings(telegram_bot_token=Secret(TOKEN)))
    assert limited.bot.rate_limiter is not None
