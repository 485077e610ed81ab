"""Settings: defaults, .env, environment precedence, and a token that never shows itself."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings, SettingsError, load_settings


def test_defaults_without_env_file(tmp_path: Path) -> None:
    settings = load_settings({}, tmp_path / "missing.env")
    defaults = Settings()
    # Without a .env, relative paths are taken from the current folder (and shown absolute).
    assert settings == replace(
        defaults, faq_dir=Path.cwd() / defaults.faq_dir, database_path=Path.cwd() / defaults.database_path
    )


def test_relative_paths_are_taken_from_the_env_files_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / ".env").write_text("FAQ_DIR=content/faq\nDATABASE_PATH=/var/lib/azabot/bot.sqlite3\n")
    settings = load_settings({}, site / ".env")
    assert settings.faq_dir == site / "content" / "faq"
    assert settings.database_path == Path("/var/lib/azabot/bot.sqlite3")
    from_env = load_settings({"DATABASE_PATH": "data/x.sqlite3"}, site / ".env")
    assert from_env.database_path == site / "data" / "x.sqlite3"


def test_the_env_file_is_found_from_a_folder_below_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    (site / "faq").mkdir(parents=True)
    (site / ".env").write_text("LOG_LEVEL=debug\n")
    monkeypatch.chdir(site / "faq")
    settings = load_settings({})
    assert settings.log_level == "DEBUG"
    assert settings.faq_dir == site / "faq"
    assert settings.database_path == site / "data" / "azabot.sqlite3"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", False),
        ("off", False),
        ("False", False),
        ("no", False),
        ("1", True),
        ("ON", True),
        ("true", True),
        ("yes", True),
    ],
)
def test_boolean_settings_accept_the_usual_spellings(raw: str, expected: bool) -> None:
    settings = load_settings({"FAQ_AUTO_RELOAD": raw, "RATE_LIMITER": raw}, None)
    assert (settings.faq_auto_reload, settings.rate_limiter) == (expected, expected)


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("FAQ_DIR=from-file\nLOG_LEVEL=debug\nADMIN_IDS=1, 2\n")
    settings = load_settings({"FAQ_DIR": "from-env"}, env_file)
    assert settings.faq_dir == tmp_path / "from-env"
    assert settings.log_level == "DEBUG"
    assert settings.admin_ids == frozenset({1, 2})


def test_token_is_hidden_in_repr_and_str(tmp_path: Path) -> None:
    token = "123456:ABC-secret-token"
    settings = load_settings({"TELEGRAM_BOT_TOKEN": token}, None)
    assert settings.telegram_bot_token.value == token
    assert token not in repr(settings)
    assert token not in str(settings.telegram_bot_token)


def test_unknown_timezone_is_a_clear_error() -> None:
    with pytest.raises(SettingsError, match="Mars/Olympus"):
        load_settings({"DEFAULT_TIMEZONE": "Mars/Olympus"}, None)


def test_non_numeric_admin_id_is_a_clear_error() -> None:
    with pytest.raises(SettingsError, match="ADMIN_IDS"):
        load_settings({"ADMIN_IDS": "alice"}, None)


def test_faq_auto_reload_is_on_by_default_and_can_be_switched_off() -> None:
    assert load_settings({}, None).faq_auto_reload is True
    assert load_settings({"FAQ_AUTO_RELOAD": "off"}, None).faq_auto_reload is False
    with pytest.raises(SettingsError, match="FAQ_AUTO_RELOAD"):
        load_settings({"FAQ_AUTO_RELOAD": "sometimes"}, None)
    with pytest.raises(SettingsError, match="true/false, yes/no, 1/0"):
        load_settings({"RATE_LIMITER": "2"}, None)
