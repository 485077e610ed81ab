"""Logging for the bot: one format, ``LOG_LEVEL``, quiet HTTP libraries, and the token redacted.

python-telegram-bot puts the token in request URLs (``.../bot<token>/sendMessage``) and in the
``repr`` of its ``Bot``; :class:`RedactingFilter` replaces it with ``***`` in every record that
reaches the root handlers, including formatted tracebacks. Message text is never logged together
with user ids at INFO: handlers log ids and decisions only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote

REDACTED = "***"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_NOISY = ("httpx", "httpcore")


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
    return install_redaction(secrets)
