"""Logging for the bot: one format, ``LOG_LEVEL``, quiet HTTP libraries, and the token redacted.

python-telegram-bot puts the token in request URLs (``.../bot<token>/sendMessage``) and in the
``repr`` of its ``Bot``; :class:`RedactingFilter` replaces it with ``***`` in every record that
reaches the root handlers, including formatted tracebacks. Message text is never logged together
with user ids at INFO: handlers log ids and decisions only.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote

REDACTED = "***"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_NOISY = ("httpx", "httpcore")
#: Libraries whose DEBUG records carry whole updates and request parameters: message text beside
#: user ids and names ("Processing update ...", "Calling Bot API endpoint ... with parameters").
#: They stay at INFO or above whatever LOG_LEVEL says; the bot's own DEBUG lines carry ids only.
_PRIVATE_AT_DEBUG = ("telegram", "aiohttp", "apscheduler", "bot.telegram.transport")


class RedactingFilter(logging.Filter):
    """Replace secrets (the token, also URL-encoded) in a record's message, args and traceback."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        variants: set[str] = set()
        for secret in secrets:
            if secret:
                variants.update({secret, quote(secret, safe=""), quote(secret)})
        # Longest first, so a secret containing another is replaced whole.
        self.secrets = sorted(variants, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def _contains(self, text: str) -> bool:
        return any(secret in text for secret in self.secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place; never drops a record."""
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw parts, redacted
            message = f"{record.msg} {record.args}"
        if self._contains(message):
            record.msg = self.redact(message)
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self._contains(record.exc_text):
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info and self._contains(record.stack_info):
            record.stack_info = self.redact(record.stack_info)
        return True


def install_redaction(secrets: Iterable[str], logger: logging.Logger | None = None) -> RedactingFilter:
    """Add a :class:`RedactingFilter` to every handler of ``logger`` (default: the root logger)."""
    redactor = RedactingFilter(secrets)
    for handler in (logger or logging.getLogger()).handlers:
        handler.addFilter(redactor)
    return redactor


def setup_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> RedactingFilter:
    """Configure the root logger at ``level``, quieten httpx/httpcore and redact ``secrets``."""
    logging.basicConfig(format=_FORMAT, level=level.upper())
    logging.getLogger().setLevel(level.upper())
    for name in _NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
    floor = max(logging.INFO, logging.getLevelNamesMapping()[level.upper()])
    for name in _PRIVATE_AT_DEBUG:
        logging.getLogger(name).setLevel(floor)
    return install_redaction(secrets)


class RedactingStream:
    """A text stream that writes to ``stream`` with the secrets replaced by ``***``.

    Installed over ``sys.stdout`` and ``sys.stderr`` while the bot runs, so that whatever path
    text takes out of the process (an uncaught exception printed by Python, a library's warning,
    a print) cannot carry the token.
    """

    def __init__(self, stream: TextIO, redactor: RedactingFilter) -> None:
        self.stream = stream
        self.redactor = redactor

    def write(self, text: str) -> int:
        """Write ``text``, redacted; returns the length of ``text`` as given."""
        self.stream.write(self.redactor.redact(text))
        return len(text)

    def __getattr__(self, name: str) -> object:  # flush, fileno, isatty, encoding...
        return getattr(self.stream, name)


def protect_output(secrets: Iterable[str]) -> RedactingFilter:
    """Redact ``secrets`` from everything written to ``sys.stdout`` and ``sys.stderr`` from now on."""
    redactor = RedactingFilter(secrets)
    if redactor.secrets:
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if isinstance(stream, RedactingStream):
                stream.redactor.secrets = sorted(
                    {*stream.redactor.secrets, *redactor.secrets}, key=len, reverse=True
                )
            else:
                setattr(sys, name, RedactingStream(stream, redactor))
    return redactor


def describe_exception(error: BaseException) -> str:
    """A traceback without the exceptions' messages: types and code locations only.

    An exception's message can hold what a user typed (``ValueError: invalid literal for int()
    with base 10: '²'``, a time zone name), so logs of unexpected errors carry this instead of
    the usual traceback. The chain (``raise ... from``) is kept, newest last, as Python prints it.
    """
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    lines: list[str] = []
    for exc in reversed(chain):
        if lines:
            lines.append("  which led to:")
        frames = traceback.extract_tb(exc.__traceback__)
        lines.extend(f"  {f.filename}:{f.lineno} in {f.name}" for f in frames)
        lines.append(f"  {type(exc).__module__}.{type(exc).__qualname__} (message not logged)")
    return "\n".join(lines)
