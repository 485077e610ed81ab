"""Short follow-ups ("and with alcohol?", "what about for kids?") read with the previous topic.

After an answer, each chat's topic (the question that reached it and the entry) is held **in
memory only**, for :data:`FOLLOW_UP_SECONDS`: never in SQLite, never in a log. A later message
that looks like a follow-up (short, and opening like one or pointing back with "it"/"that") and
that does not reach an answer on its own is matched again twice: naming our medicine (what the
previous message established: "what about for kids?" is about children *on azathioprine*), and
joined to the previous question ("how often?" after the blood-test answer). A reading is taken
only when it is better than the message alone (an answer beats an offer beats a fallback), so a
message that stands on its own is never changed, and urgent advice is never traded away.
"""

from __future__ import annotations

import datetime as dtm
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.conversation.answers import respond
from bot.matching.matcher import Matcher
from bot.matching.model import OWN_MEDICINE_WORD
from bot.presentation.reply import Reply

#: How long a topic is kept for a follow-up: long enough to read an answer and ask on.
FOLLOW_UP_SECONDS = 300
#: Longer messages say enough on their own to be matched alone.
MAX_FOLLOW_UP_WORDS = 8
#: A message this short that reaches nothing alone ("how often?") can only mean the topic.
BARE_WORDS = 3
_OPENERS = re.compile(
    r"^(?:and|or|also|but|so|then|even|plus|what about|how about|what if|is that|is this|is it the same"
    r"|does that|does this|same for|same with|the same|with|without|for)\b",
    re.IGNORECASE,
)
#: Words that point back at what was just said (in a question: "thanks, that helped" is not one).
_POINTERS = frozenset({"it", "that", "this", "those", "these", "them", "they", "same"})
_QUESTION_OPENERS = frozenset(
    {"is", "are", "does", "do", "did", "can", "could", "should", "will", "would", "what", "how"}
    | {"when", "why", "which", "who", "am", "was"}
)
#: "Is it possible/safe...": a dummy "it" points at nothing.
_DUMMY_IT = re.compile(r"\bit\s+(?:possible|safe|ok|okay|normal|true|worth|bad|common|likely|wise)\b")
_WORD = re.compile(r"[\w'-]+")
#: Words every question may use; the topic check ignores them.
_GENERIC = frozenset({"how", "many", "much", "often", "long", "what", "when", "why", "if", "same", "one"})
#: How good a decision is, for "better than alone".
_RANK = {"answer": 3, "suggest": 2}

Clock = Callable[[], dtm.datetime]


@dataclass(frozen=True)
class Topic:
    """What a chat was last answered about: the question that reached the entry, and the entry."""

    question: str
    entry_id: str
    at: dtm.datetime


class FollowUps:
    """Each chat's last topic, in memory only, forgotten after ``seconds`` (``clock`` is injectable)."""

    def __init__(self, clock: Clock, seconds: float = FOLLOW_UP_SECONDS) -> None:
        self._clock = clock
        self._ttl = dtm.timedelta(seconds=seconds)
        self._topics: dict[int, Topic] = {}

    def remember(self, chat_id: int, question: str, entry_id: str) -> None:
        """Keep ``question`` as the chat's topic (the previous one is replaced)."""
        self._prune()
        self._topics[chat_id] = Topic(question, entry_id, self._clock())

    def recall(self, chat_id: int) -> Topic | None:
        """The chat's topic if it is recent enough, else None."""
        topic = self._topics.get(chat_id)
        if topic is not None and self._clock() - topic.at > self._ttl:
            del self._topics[chat_id]
            return None
        return topic

    def forget(self, chat_id: int) -> None:
        """Drop the chat's topic (/forget)."""
        self._topics.pop(chat_id, None)

    def __len__(self) -> int:
        return len(self._topics)

    def _prune(self) -> None:
        # Bounded by the chats active in the last few minutes, not by every chat ever seen.
        now = self._clock()
        for chat_id in [c for c, t in self._topics.items() if now - t.at > self._ttl]:
            del self._topics[chat_id]


def looks_like_follow_up(text: str) -> bool:
    """Short, and opening like a follow-up, or a question pointing back at what was said."""
    text = text.strip().lower()
    words = _WORD.findall(_DUMMY_IT.sub(" ", text))
    if not words or len(words) > MAX_FOLLOW_UP_WORDS:
        return False
    if _OPENERS.match(text):
        return True
    question = text.endswith("?") or words[0] in _QUESTION_OPENERS
    return question and any(word in _POINTERS for word in words)


def _bare(text: str) -> bool:
    """A short question with no opener and no pointer: "how often?", "how many units?"."""
    text = text.strip().lower()
    words = _WORD.findall(text)
    return 0 < len(words) <= BARE_WORDS and (text.endswith("?") or words[0] in _QUESTION_OPENERS)


def _within_topic(matcher: Matcher, text: str, entry_id: str) -> bool:
    """Every word the message says of its own is a word of the topic's entry.

    "how often?" after the blood-test answer continues it; "is lupus contagious?" or "what causes
    migraines" after any answer asks something else, and must not get that answer again.
    """
    entry = matcher.knowledge.get(entry_id)
    if entry is None:
        return False
    own = set(matcher.content_words(text)) - _GENERIC
    if not own:
        return True
    pieces = [entry.question, *entry.phrasings, *entry.keywords, *re.split(r"(?<=[.!?])\s+", entry.answer)]
    vocabulary = {word for piece in pieces for word in matcher.content_words(piece)}
    return own <= vocabulary


def _rank(reply: Reply) -> int:
    return _RANK.get(reply.decision, 0)


def respond_in_context(matcher: Matcher, text: str, topic: Topic | None) -> Reply:
    """The reply to ``text``, read with ``topic`` in mind when it is a follow-up (see the module)."""
    alone = respond(matcher, text)
    # Only a message the bot could not answer is read again: anything else (an answer, small
    # talk, urgent advice, a reply about the bot) stands as it is.
    if topic is None or alone.urgent or alone.decision not in ("fallback", "suggest"):
        return alone
    bare = _bare(text)
    if not bare and not looks_like_follow_up(text):
        return alone
    # A message about another medicine stays that medicine's question (the matcher's call),
    # unless it opens as a comparison with what was just answered ("and budesonide?").
    if matcher.mentions(text).another_only and not _OPENERS.match(text.strip().lower()):
        return alone
    readings: tuple[str, ...] = (
        f"{text.strip().rstrip('?!.')} on {OWN_MEDICINE_WORD}?",
        f"{topic.question.strip()} {text}",
    )
    if bare and not looks_like_follow_up(text):
        # Nothing in it points back, so only a continuation of the topic in its own words counts.
        if not _within_topic(matcher, text, topic.entry_id):
            return alone
        readings = readings[1:]
    better: list[Reply] = []
    for reading in readings:
        reply = respond(matcher, reading)
        # Urgent advice only ever comes from what the user wrote now, never from a joined reading;
        # and when the message offered topics itself, the context may only choose among them.
        if reply.urgent or _rank(reply) <= _rank(alone):
            continue
        if alone.decision == "suggest" and reply.entry_id not in alone.suggestions:
            continue
        better.append(reply)
    if not better:
        return alone
    # The two readings may answer different entries ("what about for kids?" after side effects:
    # children, or side effects again): the one the message's own words lean to wins.
    own = {c.entry_id: c.score for c in matcher.rank(text, limit=len(matcher.knowledge.entries))}
    return max(better, key=lambda r: (_rank(r), own.get(r.entry_id or "", 0.0)))
