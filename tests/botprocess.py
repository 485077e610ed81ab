"""Starting ``python -m bot run`` as a real subprocess, with only the settings a test gives it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import IO

from tests.conftest import FAQ_DIR, ROOT

#: Settings the bot reads from the environment; the caller's values must not leak into a test.
_SETTING_PREFIXES = (
    "TELEGRAM_",
    "WEBHOOK_",
    "ADMIN_IDS",
    "DATABASE_PATH",
    "FAQ_",
    "DEFAULT_TIMEZONE",
    "LOG_LEVEL",
    "RATE_LIMITER",
)
_PROXY_VARIABLES = frozenset({"http_proxy", "https_proxy", "all_proxy"})


def bot_env(**settings: str) -> dict[str, str]:
    """This process's environment without any bot setting or proxy, plus ``settings``.

    The shipped FAQ is used unless ``settings`` names another FAQ_DIR.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_SETTING_PREFIXES) and key.lower() not in _PROXY_VARIABLES
    }
    env.update({"PYTHONPATH": str(ROOT), "FAQ_DIR": str(FAQ_DIR), **settings})
    return env


async def start_bot(
    cwd: Path, env: dict[str, str], stdout: int | IO[bytes] = asyncio.subprocess.PIPE
) -> asyncio.subprocess.Process:
    """``python -m bot run`` in ``cwd`` (a folder without a .env), its output in ``stdout``."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=stdout,
        stderr=asyncio.subprocess.STDOUT,
    )
