"""The shipped FAQ and its matcher, built once per test session (the embeddings take ~1 s)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.knowledge.faq import load_knowledge, required_topic_ids
from bot.knowledge.schema import KnowledgeBase
from bot.matching.matcher import Matcher

ROOT = Path(__file__).resolve().parent.parent
FAQ_DIR = ROOT / "faq"
DATA_DIR = ROOT / "tests" / "data"


@cache
def shipped_knowledge() -> KnowledgeBase:
    """The real FAQ in faq/, which must load without problems."""
    result = load_knowledge(FAQ_DIR, required_topic_ids())
    assert result.knowledge is not None, "\n".join(map(str, result.problems))
    return result.knowledge


@cache
def shipped_matcher() -> Matcher:
    """A matcher over the real FAQ."""
    return Matcher(shipped_knowledge())
