"""Starting and staying up: connecting with back-off, a revoked token, two pollers, a bad update.

Three things python-telegram-bot does not do the way a clinic's service needs (issue 21 #17 and
#19, issue 23 #4):

* **No network at start.** ``run_polling`` tries ``getMe`` once and exits with two long
  tracebacks. :func:`connect` retries with back-off, one log line per attempt, until it
  connects or a SIGINT/SIGTERM stops it.
* **A token revoked while running.** A 401 on ``getUpdates`` ends PTB's polling task with a
  traceback while the process keeps running, deaf. :class:`AzabotBot` logs one sentence and stops
  the application instead; ``azabot run`` then exits non-zero so a supervisor or an operator sees it.
  A 409 (another process polling with the same token) gets one clear sentence a minute, and
  polling goes on, so whichever instance remains keeps working.
* **An update the library cannot parse.** PTB logs the whole batch (message text and user ids)
  at CRITICAL and never confirms it, so it comes back on every poll, for ever. :class:`AzabotBot`
  reads such a batch again one update at a time, skips the unreadable one (logged once, by id
  only) and goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

#: Seconds between connection attempts at start: doubling from the first, at most the last.
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0
#: A 409 is reported at most this often (seconds); PTB retries it with its own back-off.
CONFLICT_REPORT_SECONDS = 60.0

TOKEN_REJECTED = (
    "Telegram does not accept the bot token (401 Unauthorized): it was revoked, or changed with "
    "@BotFather. Put the current token in TELEGRAM_BOT_TOKEN and start the bot again."
)
CONFLICT = (
    "Telegram reports another process receiving updates with this bot token (409 Conflict). Only "
    "one may run: stop the other one (another server, a developer's laptop, or a webhook set for "
    "this token). This one keeps trying."
)


class _NoUpdateDump(logging.Filter):
    """Keeps PTB's records of updates it could not parse out of the log: they hold the raw
    updates (message text, user ids and names).

    The polling one is dropped (:class:`AzabotBot` logs the skipped update's id instead); the
    webhook one is rewritten to the update's id and the exception's type.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith("Error while parsing updates!"):
            return False
        if "Received data was: %r" in message:
            args = record.args  # logging unwraps a lone dict argument
            data: object = args[0] if isinstance(args, tuple) and args else args
            update_id = data.get("update_id") if isinstance(data, dict) else None
            error = type(record.exc_info[1]).__name__ if record.exc_info else "an error"
            record.msg = "update %s posted to the webhook could not be read (%s); not processed"
            record.args = (update_id, error)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True


_NO_UPDATE_DUMP = _NoUpdateDump()
logging.getLogger("telegram.ext.Updater").addFilter(_NO_UPDATE_DUMP)  # the webhook handler logs as it


class TokenRejected(RuntimeError):
    """Telegram refused the token; the bot stops (see :data:`TOKEN_REJECTED`)."""


class AzabotBot(ExtBot[Any]):
    """PTB's ``ExtBot``, with ``getUpdates`` made safe against bad updates, 401 and 409."""

    __slots__ = ("_conflict_reported", "_on_token_rejected", "_token_rejected")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._LOGGER.addFilter(_NO_UPDATE_DUMP)  # the same filter object is added only once
        # Underscored: PTB freezes a Bot's public attributes after __init__.
        self._on_token_rejected: Callable[[], None] | None = None
        self._conflict_reported = 0.0
        self._token_rejected = False

    def when_token_rejected(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (instead of logging) when Telegram rejects the token while polling."""
        self._on_token_rejected = callback

    async def get_updates(  # the same parameters as PTB's, passed through
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: Any = None,  # noqa: ASYNC109 - PTB's parameter: the long-polling time Telegram waits
        allowed_updates: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> tuple[Update, ...]:
        """PTB's ``get_updates``; see the module docstring for what is different."""
        if self._token_rejected:  # e.g. the updater's last call to confirm updates, while stopping
            return ()
        try:
            return await super().get_updates(offset, limit, timeout, allowed_updates, **kwargs)
        except InvalidToken:
            self._token_rejected = True
            if self._on_token_rejected is None:
                log.critical("%s", TOKEN_REJECTED)
            else:  # it stops the application; `azabot run` then says why, once
                self._on_token_rejected()
            await asyncio.Event().wait()  # until the stopping updater cancels this poll
            raise  # pragma: no cover - the wait above only ends by cancellation
        except Conflict:
            now = time.monotonic()
            if now - self._conflict_reported >= CONFLICT_REPORT_SECONDS or not self._conflict_reported:
                self._conflict_reported = now
                log.error("%s", CONFLICT)
            raise
        except TelegramError:
            raise
        except Exception:  # the answer arrived but could not be parsed
            return await self._updates_one_by_one(offset, limit, allowed_updates)

    async def _updates_one_by_one(
        self, offset: int | None, limit: int | None, allowed_updates: Sequence[str] | None
    ) -> tuple[Update, ...]:
        """Fetch the same batch again (it is not confirmed yet) and keep the updates that parse.

        An unreadable update is replaced by an empty one with its id, so the updater confirms it
        with the next poll and Telegram stops sending it.
        """
        data: dict[str, Any] = {"timeout": 0}
        if offset is not None:
            data["offset"] = offset
        if limit is not None:
            data["limit"] = limit
        if allowed_updates is not None:
            data["allowed_updates"] = list(allowed_updates)
        raw = await self._post("getUpdates", data)
        updates: list[Update] = []
        for item in raw if isinstance(raw, list) else []:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            try:
                updates.append(Update.de_json(item, self))
            except Exception as exc:
                if not isinstance(update_id, int):
                    raise
                log.warning("update %s could not be read (%s); skipped", update_id, type(exc).__name__)
                updates.append(Update(update_id))
        return tuple(updates)


async def connect(app: Any, base_url: str) -> bool:
    """``app.initialize()``, retried with back-off until it works; False if stopped by a signal.

    Raises :class:`TokenRejected` when Telegram refuses the token (retrying cannot help).
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    host = urlsplit(base_url).netloc
    delay = FIRST_RETRY_SECONDS
    attempt = 1
    try:
        while True:
            try:
                await app.initialize()
                if attempt > 1:
                    log.info("connected to %s", host)
                return True
            except InvalidToken:
                raise TokenRejected(TOKEN_REJECTED.replace("(401 Unauthorized)", "(401/404)")) from None
            except (NetworkError, RetryAfter) as exc:  # no network, DNS, refused, timed out, 5xx
                log.warning(
                    "cannot reach Telegram at %s (attempt %d: %s); trying again in %.0f s",
                    host,
                    attempt,
                    exc.message,
                    delay,
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            if stop.is_set():
                log.info("stopped before connecting")
                return False
            delay = min(delay * 2, MAX_RETRY_SECONDS)
            attempt += 1
    finally:
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
