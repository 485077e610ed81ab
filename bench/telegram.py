"""End-to-end benchmark: the real bot as its own process, talking HTTP to the fake Bot API server.

The bot (``python -m bot run``) and, for comparison, a minimal echo bot built with the same
library (``python -m bench.echo_bot``) run as child processes, so their memory is measured alone
and they do not share a core with the fake server, which runs here.

1. Capacity, outgoing rate limiter off (in production it holds sends at Telegram's ~30/s and
   would hide the bot's own cost): a burst of messages from many users -> answered per second;
   then a steady load below that capacity -> p50/p99 time from update to sendMessage; peak
   resident memory (VmHWM) of the bot process; time from process start to its first getUpdates.
2. Under Telegram's limits: limiter on, the fake server answering 429 above 30 sends a second,
   a burst from 500 users: achieved rate as a share of 30/s, 429s received, messages lost.

Run: ``.venv/bin/python -m bench.telegram`` (or ``make bench``).
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bench.fresh_process import run_in_fresh_process
from bot.logging_setup import setup_logging
from bot.matching.evaluation import load_examples
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "7001234567:AAH-bench-token"
QUESTIONS = [e.text for e in load_examples(ROOT / "tests" / "data" / "eval-dev.jsonl")]
BURST = 3000
STEADY_RATE = 60  # messages a second offered for the latency measurement
STEADY_SECONDS = 10


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _sends(server: FakeTelegram) -> list[dict[str, object]]:
    return [c for c in server.calls if c["method"] == "sendMessage" and c["status"] == 200]


async def _start(server: FakeTelegram, module: str, **env: str) -> tuple[asyncio.subprocess.Process, float]:
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        *module.split(),
        cwd=ROOT,
        env={
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": server.base_url,
            "LOG_LEVEL": "WARNING",
            # A fresh database per run, never the operator's data/ folder.
            "DATABASE_PATH": str(Path(tempfile.mkdtemp(prefix="azabot-bench-")) / "bench.sqlite3"),
            **env,
        },
        stdout=asyncio.subprocess.DEVNULL,
    )
    await server.wait_for_call("getUpdates", timeout=60)
    first_poll = next(c for c in server.calls if c["method"] == "getUpdates")
    return process, float(first_poll["time"]) - started


async def _stop(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.wait(), timeout=30)


async def capacity(module: str, **env: str) -> dict[str, float]:
    """Burst throughput, steady-load latency, peak memory and start-up time of one bot."""
    async with FakeTelegram(token=TOKEN) as server:
        process, startup = await _start(server, module, RATE_LIMITER="off", **env)
        started = time.monotonic()
        for n in range(BURST):
            server.push_text(100_000 + n, QUESTIONS[n % len(QUESTIONS)], user_id=100_000 + n)
        await server.wait_for_sent(BURST, timeout=600, method="sendMessage")
        rate = BURST / (time.monotonic() - started)

        pushed: dict[int, float] = {}
        for n in range(STEADY_RATE * STEADY_SECONDS):
            chat = 200_000 + n
            pushed[chat] = time.monotonic()
            server.push_text(chat, QUESTIONS[n % len(QUESTIONS)], user_id=chat)
            await asyncio.sleep(1 / STEADY_RATE)
        await server.wait_for_sent(BURST + len(pushed), timeout=120, method="sendMessage")
        answered = {int(c["params"]["chat_id"]): float(c["time"]) for c in _sends(server)}  # type: ignore[index, arg-type]
        latencies = sorted((answered[chat] - t) * 1000 for chat, t in pushed.items())
        rss = _peak_rss_mb(process.pid)
        await _stop(process)
    return {
        "rate": rate,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "rss": rss,
        "startup": startup,
    }


async def under_limits(users: int = 500) -> dict[str, float]:
    """A burst from ``users`` with the limiter on and the server enforcing 30 sends a second."""
    async with FakeTelegram(token=TOKEN) as server:
        server.flood_limit(30)
        process, _ = await _start(server, "bot run")
        started = time.monotonic()
        for n in range(users):
            server.push_text(300_000 + n, QUESTIONS[n % len(QUESTIONS)], user_id=300_000 + n)
        await server.wait_for_sent(users, timeout=300, method="sendMessage")
        elapsed = time.monotonic() - started
        answered = {c["params"]["chat_id"] for c in _sends(server)}  # type: ignore[index]
        rejected = server.flood_rejections
        await _stop(process)
    return {"rate": users / elapsed, "lost": users - len(answered), "rejected": rejected, "elapsed": elapsed}


def typical_reply() -> str:
    """azabot's reply to a typical question, as the echo bot's ECHO_REPLY (HTML and buttons)."""
    from bot.admin.insights import feedback_buttons
    from bot.conversation.answers import respond
    from bot.presentation.reply import render_html
    from tests.shipped import shipped_matcher

    reply = respond(shipped_matcher(), "can i drink on imuran?")
    buttons = [*reply.buttons, *feedback_buttons(reply.entry_id or "")]
    return json.dumps({"html": render_html(reply)[0], "buttons": [[b.label, b.action] for b in buttons]})


async def capacity_echo_sized() -> dict[str, float]:
    """The equally tuned echo bot, sending a reply as long as azabot's instead of the text."""
    return await capacity("bench.echo_bot tuned", ECHO_REPLY=typical_reply())


PARTS: dict[str, Callable[[], Coroutine[Any, Any, dict[str, float]]]] = {
    "echo": functools.partial(capacity, "bench.echo_bot"),
    "echo-tuned": functools.partial(capacity, "bench.echo_bot tuned"),
    "echo-sized": capacity_echo_sized,
    "azabot": functools.partial(capacity, "bot run"),
    "limits": under_limits,
}


def run_part(name: str) -> dict[str, float]:
    """One measurement in its own benchmark process (see ``bench.fresh_process``)."""
    return run_in_fresh_process("bench.telegram", "--part", name)


def main() -> None:
    """Print both tables (or, with --part NAME, one measurement as JSON)."""
    setup_logging("WARNING", [TOKEN])
    if "--part" in sys.argv:
        print(json.dumps(asyncio.run(PARTS[sys.argv[sys.argv.index("--part") + 1]]())))
        return
    echo, tuned, sized = run_part("echo"), run_part("echo-tuned"), run_part("echo-sized")
    azabot = run_part("azabot")
    limited = run_part("limits")
    print(
        f"# Capacity: burst of {BURST} messages from {BURST} users (throughput), then "
        f"{STEADY_RATE}/s for {STEADY_SECONDS} s (latency); rate limiter off\n"
    )
    print("| bot (own process) | answered/s | p50 ms | p99 ms | peak RSS MB | start to first poll s |")
    print("|---|---|---|---|---|---|")
    rows = [
        ("echo bot, library defaults", echo),
        ("echo bot, azabot's HTTP transport, pool and concurrency", tuned),
        ("the same, replying with azabot's answer to a typical question", sized),
        ("azabot", azabot),
    ]
    for name, r in rows:
        print(
            f"| {name} | {r['rate']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['rss']:.0f} "
            f"| {r['startup']:.2f} |"
        )
    print(
        f"\nazabot rate = {azabot['rate'] / echo['rate']:.0%} of the default echo bot's, "
        f"{azabot['rate'] / tuned['rate']:.0%} of the equally tuned echo bot's, "
        f"{azabot['rate'] / sized['rate']:.0%} of that bot's when it sends a reply as long as azabot's, "
        f"{azabot['rate'] / 30:.1f}x Telegram's cap of 30/s.\n"
    )
    print("# Under Telegram's limits: 500 users at once, limiter on, server enforcing 30/s\n")
    print(
        f"achieved {limited['rate']:.1f} messages/s = {limited['rate'] / 30:.0%} of 30/s; "
        f"429s received: {limited['rejected']:.0f}; lost: {limited['lost']:.0f} of 500; "
        f"total {limited['elapsed']:.1f} s"
    )


if __name__ == "__main__":
    main()
