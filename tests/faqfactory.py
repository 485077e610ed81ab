"""Build small FAQ folders for tests, so loader tests don't depend on the shipped content."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

#: Files every FAQ folder needs whose content these tests do not vary: copied from the shipped FAQ.
SHIPPED_FAQ = Path(__file__).resolve().parent.parent / "faq"
SHARED_FILES = ("services.yaml", "signs.yaml")

SAFETY = """\
safety:
  reminder: Contact your team if you have a fever, sore throat or unexplained bruising.
"""


def entry_yaml(
    entry_id: str,
    *,
    question: str | None = None,
    phrasings: list[str] | None = None,
    answer: str = "A short plain answer.",
    extra: str = "",
) -> str:
    """One entry as YAML text (indented for an ``entries:`` list)."""
    question = question or f"What about {entry_id}?"
    phrasings = phrasings or [f"{entry_id} phrasing {n}" for n in range(1, 5)]
    lines = [
        f"  - id: {entry_id}",
        "    category: basics",
        f"    question: {question}",
        "    phrasings:",
        *[f"      - {p}" for p in phrasings],
        "    answer: |",
        *[f"      {line}" for line in answer.splitlines()],
        "    sources:",
        "      - title: NHS",
        "        url: https://www.nhs.uk/medicines/azathioprine/",
        "    reviewed: 2026-11-27",
        "    reviewed_by: the test suite",
        "    next_review: 2027-11-27",
    ]
    if extra:
        lines.extend("    " + line for line in textwrap.dedent(extra).strip().splitlines())
    return "\n".join(lines) + "\n"


def write_faq(folder: Path, *entries: str, safety: str = SAFETY) -> Path:
    """Write an FAQ folder with one entries file and a safety file; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "basics.yaml").write_text("entries:\n" + "".join(entries), encoding="utf-8")
    (folder / "safety-text.yaml").write_text(safety, encoding="utf-8")
    for name in SHARED_FILES:
        shutil.copyfile(SHIPPED_FAQ / name, folder / name)
    return folder
