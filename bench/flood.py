"""Flood benchmark (issue 21 #1): one chat flooding the bot while 50 other chats ask one question each.

The bot runs as its own process (``python -m bot run``, production settings: its rate limiter on)
against the fake Bot API server in this process, which enforces Telegram's limits: 30 sends in any
one-second window, one a second to each private chat, 429 with ``retry_after`` beyond. Over about
one second, 50 other chats each ask one question; in the flood run one more chat sends 50 messages
in the same second, interleaved with them.

Reported for each run: the other chats' answer times (from the question reaching the server to
the first successful ``sendMessage`` to that chat; p50, p95, max), other chats not answered within
the timeout (lost), 429 answers, "something went wrong" replies, what the flooding chat got
(answers, and the messages its "not read" notice counts), and how long the bot took to exit after
SIGTERM sent straight after the other chats were answered, while the flooding chat still waited.

Run: ``.venv/bin/python -m bench.flood`` (or ``make bench``). Targets: flood p95 within 2 s of
the no-flood p95, 0 lost.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.fresh_process import run_in_fresh_process
from bot.matching.evaluation import load_examples
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "7001234567:AAH-bench-token"
QUESTIONS = [e.text for e in load_examples(ROOT / "tests" / "data" / "eval-dev.jsonl")]
OTHERS = range(10_001, 10_051)
FLOODER = 777
FLOOD_MESSAGES = 50
SPREAD_SECONDS = 1.0
TIMEOUT = 60.0


async def start(server: FakeTelegram) -> asyncio.subprocess.Process:
    """The bot in its own process, polling ``server``; returns once it polls."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env={
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": server.base_url,
            "LOG_LEVEL": "WARNING",
            "RATE_LIMITER": "on",
            "WEBHOOK_URL": "",
            "DATABASE_PATH": str(Path(tempfile.mkdtemp(prefix="azabot-bench-")) / "bench.sqlite3"),
        },
        stdout=asyncio.subprocess.DEVNULL,
    )
    await server.wait_for_call("getUpdates", timeout=60)
    return process


def first_answers(server: FakeTelegram) -> dict[int, float]:
    """The time of each chat's first successful sendMessage."""
    firsts: dict[int, float] = {}
    for call in server.calls:
        if call["method"] == "sendMessage" and call["status"] == 200:
            firsts.setdefault(int(call["params"]["chat_id"]), float(call["time"]))
    return firsts


async def measure(flood: bool) -> dict[str, Any]:
    """One run: the 50 questions, with or without the flooding chat."""
    async with FakeTelegram(token=TOKEN) as server:
        server.flood_limit(30, per_chat_per_second=1)
        process = await start(server)
        asked: dict[int, float] = {}
        steps = max(len(OTHERS), FLOOD_MESSAGES)
        for n in range(steps):
            if flood and n < FLOOD_MESSAGES:
                server.push_text(FLOODER, QUESTIONS[n % len(QUESTIONS)])
            if n < len(OTHERS):
                chat = OTHERS[n]
                asked[chat] = time.monotonic()
                server.push_text(chat, QUESTIONS[(n * 7) % len(QUESTIONS)])
            await asyncio.sleep(SPREAD_SECONDS / steps)
        deadline = time.monotonic() + TIMEOUT
        while True:
            if set(OTHERS) <= set(first_answers(server)) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        stopping = time.monotonic()
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=120)
        exit_seconds = time.monotonic() - stopping
        firsts = first_answers(server)
        waits = sorted(firsts[chat] - t for chat, t in asked.items() if chat in firsts)
        texts = [str(s["text"] or "") for s in server.sent if s["method"] == "sendMessage"]
        flooder = [str(s["text"] or "") for s in server.sent if int(s["chat_id"]) == FLOODER]
        notices = [int(m.group(1)) for t in flooder if (m := re.search(r"so (\d+) messages? w", t))]
    return {
        "p50": statistics.median(waits) if waits else float("nan"),
        "p95": waits[max(0, int(len(waits) * 0.95) - 1)] if waits else float("nan"),
        "max": waits[-1] if waits else float("nan"),
        "lost": len(OTHERS) - len(waits),
        "429s": server.flood_rejections,
        "sorry": sum("something went wrong" in t.lower() for t in texts),
        "flooder_answers": len(flooder) - len(notices),
        "flooder_not_read": sum(notices),
        "exit_seconds": exit_seconds,
    }


def main() -> None:
    """Print the table (or, with --run NAME, one run's figures as JSON)."""
    if "--run" in sys.argv:
        flooding = sys.argv[sys.argv.index("--run") + 1] == "flood"
        print(json.dumps(asyncio.run(measure(flooding))))
        return
    quiet = run_in_fresh_process("bench.flood", "--run", "quiet")
    flood = run_in_fresh_process("bench.flood", "--run", "flood")
    print(
        f"# Flood: {len(OTHERS)} chats ask one question each within {SPREAD_SECONDS:.0f} s; in the flood run "
        f"one more chat sends {FLOOD_MESSAGES} messages in the same second. Bot in its own process, "
        "fake server enforcing 30 sends/s and 1/s per chat with 429s\n"
    )
    print("| | no flood | flood |")
    print("|---|---|---|")
    rows = [
        ("other chats' answer time p50, s", "p50", "{:.2f}"),
        ("other chats' answer time p95, s", "p95", "{:.2f}"),
        ("other chats' answer time max, s", "max", "{:.2f}"),
        ("other chats not answered (lost)", "lost", "{}"),
        ("429 answers from the server", "429s", "{}"),
        ('"something went wrong" replies', "sorry", "{}"),
        ("flooding chat: answers", "flooder_answers", "{}"),
        ("flooding chat: counted in its 'not read' notice", "flooder_not_read", "{}"),
        ("SIGTERM to exit, s", "exit_seconds", "{:.1f}"),
    ]
    for label, key, form in rows:
        print(f"| {label} | {form.format(quiet[key])} | {form.format(flood[key])} |")
    delta = flood["p95"] - quiet["p95"]
    print(
        f"\np95 with the flood - p95 without = {delta:+.2f} s (target: at most +2 s); "
        f"lost {flood['lost']} (target 0); the flooding chat's {FLOOD_MESSAGES} messages: "
        f"{flood['flooder_answers']} answered + {flood['flooder_not_read']} counted as not read."
    )


if __name__ == "__main__":
    main()
