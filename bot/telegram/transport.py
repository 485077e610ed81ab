"""The HTTP transport to the Bot API: python-telegram-bot's ``BaseRequest`` over aiohttp.

PTB's default transport (httpx over httpcore, anyio and h11) is pure Python. Profiled under a
burst, it took over half of the bot's CPU: building each request, url-encoding the reply text
one character at a time, and scanning its connection pool. aiohttp parses HTTP in C and sends
JSON bodies as they are, which lifts the bot's capacity (``bench/telegram.py``).

PTB still does everything above the transport: the Bot API methods, turning error statuses into
``RetryAfter``/``Forbidden``/``BadRequest``, the rate limiter and the retries. This class only
moves bytes, and maps aiohttp's failures onto PTB's ``TimedOut`` and ``NetworkError``.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.telegram.limits import CONNECTION_POOL_SIZE, POOL_TIMEOUT

#: Seconds, as in PTB's own transport.
DEFAULT_TIMEOUT = 5.0
#: Uploads (documents the admin commands send) may take longer than a text message.
MEDIA_WRITE_TIMEOUT = 20.0

_JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """A pooled aiohttp session for PTB's Bot API calls.

    Timeouts follow PTB's meaning where aiohttp has one: ``read_timeout`` is the wait for each
    read (long polling adds its own ``timeout`` to it), ``connect_timeout`` the socket connect,
    and ``pool_timeout`` plus ``connect_timeout`` the wait for a free pooled connection and the
    connect together. aiohttp has no write timeout; ``write_timeout`` caps the whole request
    instead, added to the read timeout, so a stalled upload cannot hang forever.
    """

    __slots__ = ("_connections", "_pool_timeout", "_session")

    def __init__(
        self, connection_pool_size: int = CONNECTION_POOL_SIZE, pool_timeout: float = POOL_TIMEOUT
    ) -> None:
        self._connections = connection_pool_size
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        """The default read timeout (PTB adds getUpdates' long-polling timeout to it)."""
        return DEFAULT_TIMEOUT

    async def initialize(self) -> None:
        """Open the session; it must be made inside the running event loop."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
                # PTB reads the body itself; the session must not raise on 4xx/5xx.
                raise_for_status=False,
                # HTTPS_PROXY/HTTP_PROXY/NO_PROXY from the environment: a hospital's outbound
                # proxy is often the only way out (issue 23 #4).
                trust_env=True,
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and body for PTB to interpret."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = _or(read_timeout, DEFAULT_TIMEOUT)
        connect = _or(connect_timeout, DEFAULT_TIMEOUT)
        pool = _or(pool_timeout, self._pool_timeout)
        files = request_data is not None and request_data.contains_files
        write = _or(write_timeout, MEDIA_WRITE_TIMEOUT if files else DEFAULT_TIMEOUT)
        timeout = aiohttp.ClientTimeout(
            total=None if read is None or write is None else read + write + (connect or 0) + (pool or 0),
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        body: aiohttp.FormData | bytes | None = None
        headers = None
        if request_data is not None and files:
            body = aiohttp.FormData(request_data.json_parameters)
            for name, (filename, content, mime_type) in request_data.multipart_data.items():
                body.add_field(name, content, filename=filename, content_type=mime_type)
        elif request_data is not None and request_data.json_parameters:
            body, headers = request_data.json_payload, _JSON
        try:
            request = self._session.request(method, url, data=body, headers=headers, timeout=timeout)
            async with request as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise TimedOut("Pool timeout or connect timeout: the request was not sent") from exc
        except TimeoutError as exc:  # a read timed out, e.g. a long poll Telegram held too long
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            # The class name helps when the message is empty; the URL (with the token) is left out.
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from exc


def _or(value: object, default: float | None) -> float | None:
    """PTB's DEFAULT_NONE means "use the transport's default"; None means "no limit"."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    return None if value is None else float(value)  # type: ignore[arg-type]
