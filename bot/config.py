"""Settings from the environment and ``.env``, in one typed object.

The environment wins over ``.env`` so that an operator can override a file value for one run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

DEFAULT_BASE_URL = "https://api.telegram.org/bot"


class SettingsError(ValueError):
    """A setting has a value the bot cannot use; the message says which and why."""


@dataclass(frozen=True)
class Secret:
    """A string that never shows itself in ``repr`` or ``str`` (the bot token)."""

    value: str = field(repr=False)

    def __str__(self) -> str:
        return "***" if self.value else ""

    def __repr__(self) -> str:
        return "Secret('***')" if self.value else "Secret('')"

    def __bool__(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True)
class Settings:
    """Everything the bot can be configured with; see ``.env.example`` for each one."""

    telegram_bot_token: Secret = Secret("")
    telegram_base_url: str = DEFAULT_BASE_URL
    admin_ids: frozenset[int] = frozenset()
    database_path: Path = Path("data/azabot.sqlite3")
    faq_dir: Path = Path("faq")
    default_timezone: str = "Europe/London"
    log_level: str = "INFO"
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: Secret = Secret("")
    rate_limiter: bool = True
    faq_auto_reload: bool = True


def check_base_url(url: str) -> str:
    """``url`` if it can be a Bot API base URL, else a :class:`SettingsError` saying what is wrong.

    python-telegram-bot appends the token to it (``.../bot<token>/getMe``), so a malformed one
    would fail at the first request with the URL, token included, in the error. The message
    quotes no more of the URL than the part that is wrong: an operator may have pasted the token.
    """
    advice = "e.g. https://api.telegram.org/bot (the default) or http://127.0.0.1:8081/bot"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535", a port that is no number
        reason = "its port is not a number from 1 to 65535" if "ort" in str(exc) else "its host is malformed"
        raise SettingsError(f"TELEGRAM_BASE_URL cannot be used: {reason}; {advice}") from None
    if parts.scheme not in ("http", "https"):
        raise SettingsError(
            "TELEGRAM_BASE_URL must start with https:// (or http:// for a local Bot API server), "
            f"{'not ' + parts.scheme + ':' if parts.scheme else 'and it has no scheme'}; {advice}"
        )
    if not parts.hostname:
        raise SettingsError(f"TELEGRAM_BASE_URL has no host name; {advice}")
    if port == 0:
        raise SettingsError(f"TELEGRAM_BASE_URL's port must be a number from 1 to 65535; {advice}")
    if not parts.path.endswith("/bot") or parts.query or parts.fragment:
        raise SettingsError(
            f"TELEGRAM_BASE_URL must end in /bot, with nothing after it (the token is added to it); {advice}"
        )
    return url


def _parse_admin_ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise SettingsError(
                f"ADMIN_IDS must be Telegram user ids separated by commas, e.g. 12345,67890; got {part!r}"
            ) from None
    return frozenset(ids)


_TRUE = frozenset({"on", "true", "yes", "1"})
_FALSE = frozenset({"off", "false", "no", "0"})


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE | _FALSE:
        return value in _TRUE
    raise SettingsError(f"{name} must be on or off (or true/false, yes/no, 1/0); got {raw!r}")


def find_env_file(name: Path = Path(".env")) -> Path | None:
    """``name`` in the current folder or the nearest folder above it (as git finds its repository)."""
    if name.is_absolute():
        return name if name.is_file() else None
    here = Path.cwd()
    return next((folder / name for folder in (here, *here.parents) if (folder / name).is_file()), None)


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> Settings:
    """Read settings from ``env_file`` overlaid with ``environ`` (default: os.environ).

    A relative ``env_file`` is looked for in the current folder, then the folders above it.
    Relative DATABASE_PATH and FAQ_DIR are taken from that file's folder, so the bot finds the same
    files from any folder of the installation; without a ``.env``, from the current folder.
    """
    values: dict[str, str] = {}
    base = Path.cwd()
    env_file = None if env_file is None else find_env_file(env_file)
    if env_file is not None:
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        base = env_file.resolve().parent
    values.update(os.environ if environ is None else environ)

    def get(name: str, default: str) -> str:
        value = values.get(name, "").strip()
        return value or default

    def path(name: str, default: Path) -> Path:
        return base / Path(get(name, str(default))).expanduser()  # an absolute path stays as it is

    defaults = Settings()
    timezone = get("DEFAULT_TIMEZONE", defaults.default_timezone)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"DEFAULT_TIMEZONE {timezone!r} is not a known time zone; use a name such as "
            "Europe/London or America/New_York"
        ) from None
    log_level = get("LOG_LEVEL", defaults.log_level).upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise SettingsError(f"LOG_LEVEL {log_level!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    port_text = get("WEBHOOK_PORT", str(defaults.webhook_port))
    try:
        webhook_port = int(port_text)
    except ValueError:
        webhook_port = -1
    if not 0 < webhook_port < 65536:
        raise SettingsError(f"WEBHOOK_PORT must be a port number from 1 to 65535; got {port_text!r}")
    limiter = _parse_bool("RATE_LIMITER", get("RATE_LIMITER", "on"))
    auto_reload = _parse_bool("FAQ_AUTO_RELOAD", get("FAQ_AUTO_RELOAD", "on"))
    secret = get("WEBHOOK_SECRET", "")
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise SettingsError("WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and -, at most 256 characters")
    return Settings(
        telegram_bot_token=Secret(get("TELEGRAM_BOT_TOKEN", "")),
        telegram_base_url=check_base_url(get("TELEGRAM_BASE_URL", defaults.telegram_base_url)),
        admin_ids=_parse_admin_ids(values.get("ADMIN_IDS", "")),
        database_path=path("DATABASE_PATH", defaults.database_path),
        faq_dir=path("FAQ_DIR", defaults.faq_dir),
        default_timezone=timezone,
        log_level=log_level,
        webhook_url=get("WEBHOOK_URL", defaults.webhook_url),
        webhook_listen=get("WEBHOOK_LISTEN", defaults.webhook_listen),
        webhook_port=webhook_port,
        webhook_secret=Secret(secret),
        rate_limiter=limiter,
        faq_auto_reload=auto_reload,
    )
