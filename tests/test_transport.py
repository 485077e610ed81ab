"""The aiohttp transport: what PTB expects of a BaseRequest, over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram.transport import AiohttpRequest

TOKEN = "123456:SECRET-token-value"


@pytest.fixture
async def transport() -> AsyncIterator[AiohttpRequest]:
    request = AiohttpRequest(connection_pool_size=2, pool_timeout=1.0)
    await request.initialize()
    yield request
    await request.shutdown()


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[web.Request], list[bytes]]]:
    """A server that echoes the status the path asks for; /slow answers after 2 s."""
    seen: list[web.Request] = []
    bodies: list[bytes] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(request)
        bodies.append(await request.read())
        if request.path.endswith("/slow"):
            await asyncio.sleep(2)
        status = 429 if request.path.endswith("/flood") else 200
        return web.json_response({"ok": status == 200, "result": True}, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/bot{TOKEN}", seen, bodies
    await runner.cleanup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_parameters_are_sent_as_a_json_body(
    transport: AiohttpRequest, server: tuple[str, list[web.Request], list[bytes]]
) -> None:
    base, seen, bodies = server
    data = RequestData(
        [RequestParameter.from_input("chat_id", 42), RequestParameter.from_input("text", "<b>hi</b> & bye")]
    )
    status, body = await transport.do_request(f"{base}/sendMessage", "POST", data)
    assert status == 200
    assert json.loads(body) == {"ok": True, "result": True}
    assert seen[0].content_type == "application/json"
    assert json.loads(bodies[0]) == {"chat_id": "42", "text": "<b>hi</b> & bye"}


async def test_an_error_status_is_returned_for_ptb_to_interpret(
    transport: AiohttpRequest, server: tuple[str, list[web.Request], list[bytes]]
) -> None:
    base, _, _ = server
    status, body = await transport.do_request(f"{base}/flood", "POST")
    assert status == 429
    assert json.loads(body)["ok"] is False


async def test_a_read_that_takes_too_long_is_timed_out(
    transport: AiohttpRequest, server: tuple[str, list[web.Request], list[bytes]]
) -> None:
    base, _, _ = server
    with pytest.raises(TimedOut):
        await transport.do_request(f"{base}/slow", "POST", read_timeout=0.2)


async def test_an_unreachable_server_is_a_network_error_without_the_token(transport: AiohttpRequest) -> None:
    url = f"http://127.0.0.1:{free_port()}/bot{TOKEN}/getMe"
    with pytest.raises(NetworkError) as raised:
        await transport.do_request(url, "POST")
    assert TOKEN not in str(raised.value)


async def test_requests_before_initialize_are_refused() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:1/x", "POST")


async def test_shutdown_then_initialize_opens_a_new_session(
    server: tuple[str, list[web.Request], list[bytes]],
) -> None:
    base, _, _ = server
    request = AiohttpRequest()
    await request.initialize()
    await request.shutdown()
    await request.initialize()  # PTB initialises again after a stop, e.g. in tests or restarts
    status, _ = await request.do_request(f"{base}/getMe", "POST")
    await request.shutdown()
    assert status == 200


@pytest.fixture
async def proxy(server: tuple[str, list[web.Request], list[bytes]]) -> AsyncIterator[tuple[str, list[bytes]]]:
    """A forward proxy that relays every connection to ``server``, recording each request line."""
    target = server[0].split("/")[2]
    host, port = target.split(":")
    request_lines: list[bytes] = []

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def relay(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        first = await client_reader.readline()
        request_lines.append(first)
        upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
        upstream_writer.write(first)
        await asyncio.gather(
            pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer), return_exceptions=True
        )

    relay_server = await asyncio.start_server(relay, "127.0.0.1", 0)
    relay_port = relay_server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{relay_port}", request_lines
    relay_server.close()


async def test_requests_go_through_the_proxy_the_environment_names(
    proxy: tuple[str, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy_url, request_lines = proxy
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    monkeypatch.setenv("HTTPS_PROXY", proxy_url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    request = AiohttpRequest()
    await request.initialize()
    try:
        # A host that does not resolve: only the proxy can make this request succeed.
        status, _ = await request.do_request(f"http://telegram.invalid/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
    assert status == 200
    assert request_lines and b"telegram.invalid" in request_lines[0]


async def test_no_proxy_hosts_are_reached_directly(
    proxy: tuple[str, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy_url, request_lines = proxy
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    monkeypatch.setenv("NO_PROXY", "telegram.invalid")
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.do_request(f"http://telegram.invalid/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
    assert request_lines == []
    assert TOKEN not in str(caught.value)
