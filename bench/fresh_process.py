"""Run one benchmark measurement in a new Python process and read back its JSON result.

Each measurement gets a fresh process so the fake server starts with a clean heap: run after
another measurement in the same process, the fake server (still collecting the first one's
garbage) handled the bot's evenly paced sends in clumps and answered 429s that the same
measurement in its own process never gets.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run_in_fresh_process(module: str, *args: str) -> dict[str, Any]:
    """``python -m module *args`` from the project root; its last stdout line, parsed as JSON."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
