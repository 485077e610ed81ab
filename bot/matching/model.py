"""What the matcher works with: its thresholds and weights, the reading of a message, candidates,
matches and assessments, and the word lists the reading uses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from bot.knowledge.about import AboutItem
from bot.knowledge.schema import SmallTalk
from bot.knowledge.textnorm import stem
from bot.matching.decision import Evidence

Decision = Literal["answer", "suggest", "fallback", "smalltalk", "about"]
#: Why a fallback names no entry, when the bot can tell the user: the message is another
#: medicine's question, a practical matter (prescriptions, appointments, costs) the clinic or
#: pharmacy handles, a general health question naming no medicine and no person, or a question
#: about an animal, which is the vet's.
FallbackReason = Literal["other_medicine", "practical", "general", "animal"]

#: The rules' fallbacks the learned decision may overturn: a general question, or one too weakly
#: matched; never a practical, animal or other medicine's question.
UNNAMED_FALLBACKS: frozenset[FallbackReason | None] = frozenset({"general", None})
#: Only this much of a message is matched: enough for any real question, bounded cost for 5,000.
MAX_MATCH_CHARS = 600
#: Messages of at least this many words may be answered from their one question clause alone.
LONG_MESSAGE_WORDS = 15
#: The word an implicit "it" or "my tablets" is scored as (the synonyms' name for our medicine).
OWN_MEDICINE_WORD = "azathioprine"
#: Spelling corrections remembered per FAQ load (see ``Matcher._correct``).
MAX_CACHED_CORRECTIONS = 20_000
#: In a FAQ of more entries than this, phrasings are compared (fuzzily) only for the entries
#: leading on keyword evidence and meaning; every entry of a smaller FAQ is compared.
FUZZY_SHORTLIST = 100
#: The learned classifier (``bot.matching.learned``) is trained for FAQs of up to this many entries; its
#: training passes over every phrasing at each step, too slow for a 2,000-entry FAQ at a reload.
LEARNED_MAX_ENTRIES = 300
#: A clause that starts with one of these asks something; others are usually context.
QUESTION_WORDS = frozenset(
    [
        "can",
        "could",
        "will",
        "would",
        "does",
        "do",
        "did",
        "is",
        "are",
        "am",
        "should",
        "shall",
        "how",
        "what",
        "when",
        "why",
        "which",
        "where",
        "whats",
        "hows",
        "who",
        "may",
        "might",
    ]
)
#: Besides the medicine's name, the only words of an overview question about it ("what is 6mp",
#: "is methotrexate better"); anything else ("side effects", "taper") is that medicine's question.
OVERVIEW_TEXT = (
    "what whats tell about mean means explain exactly is are better best worse difference different "
    "compare compared comparison vs versus same similar like thing things drug drugs medicine "
    "medicines option options alternative alternatives instead switch swap change go try move"
)
OVERVIEW_WORDS = frozenset(stem(word) for word in OVERVIEW_TEXT.split())
#: Words that ask about azathioprine's role in a condition ("does aza work for crohns?"), not
#: merely name the condition as background.
USES_TEXT = (
    "use used uses help helps work works treat treats treatment prescribed prescribe role worth "
    "effective standard licensed remission maintenance good"
)
USES_WORDS = frozenset(stem(word) for word in USES_TEXT.split())
#: After these, "work" is a job ("my wife had a transplant and I work as a nurse"), not a role.
WORKERS = frozenset({"i", "we", "he", "she", "they", "you"})
#: Beside another medicine and nothing naming ours, a bare "it" means that medicine ("how long
#: does it take for humira to work"); only the ``WITH_IT`` phrases still point at ours.
VAGUE_POINTERS = frozenset({"it", "its"})
#: Beside another medicine and nothing of ours, these point at that one: "my tacrolimus level is
#: 12, should I reduce my dose?" ("ibuprofen with my tablets?" still asks about ours).
POINTERS_TO_ANOTHER = VAGUE_POINTERS | {"my dose", "my dosage"}
#: "Is it safe with ibuprofen", "can I take it with infliximab"; and "it turns into 6-MP", where
#: ours becomes the other.
WITH_IT = frozenset(
    {"with it", "on it", "alongside it", "and it", "is it", "take it", "it with"}
    | {"it turns", "it becomes", "it converts", "it gets", "it breaks"}
)
#: Pointers that name no medicine: "is this safe?", "who made this bot?", "...as well".
UNNAMED_POINTERS = VAGUE_POINTERS | {"this", "these", "them", "as well"}
#: "Is it safe to...", "is it normal to...": before these and "to", "it" points at nothing.
DUMMY_IT_TEXT = "normal safe ok okay fine possible true bad dangerous worth wise common usual unusual risky"
DUMMY_IT_BEFORE = frozenset(DUMMY_IT_TEXT.split())
#: "...will my kids get it?": after these, an "it" that ends the message is the illness.
CATCHING_TEXT = "get gets getting got catch catching caught inherit inheriting inherited"
CATCHING = frozenset(CATCHING_TEXT.split())
#: Asking whether one may do something ("is the flu jab ok", "can I have a filling"): the question
#: of someone on the medicine, unlike "what jabs do I need for Thailand".
PERMISSION = frozenset(
    {"ok", "okay", "safe", "allowed", "alright", "fine", "can i", "should i", "do i", "am i", "could i"}
)
#: "What ... for?" asks about a purpose.
PURPOSE_OPENERS = frozenset({"what", "whats"})
#: Clauses end at punctuation (not a decimal point: "2.5mg"), a list number ("1)") or a joining word.
CLAUSE_SPLIT = re.compile(r"(?:[?!;:\n]|\.(?!\d))+|\b\d\)|\b(?:and also|also|plus|and|but|or)\b", re.I)


@dataclass(frozen=True)
class Thresholds:
    """The decision bands. Scores are 0-100; see ``bench/`` for how they were chosen."""

    answer: float = 60.0  #: best score needed to answer outright
    margin: float = 8.0  #: ...and its lead over the second-best entry
    #: Below this best score before the learned signal, the question is treated as out of scope:
    #: the classifier always favours some entry, even for "who won the football".
    suggest: float = 49.0
    second_topic: float = 56.0  #: a second question in the message is offered above this
    #: ...or above ``suggest`` when it leads the clause's next entry by this much
    clause_lead: float = 20.0
    #: Scores are multiplied by this when a message names another medicine (ibuprofen, metformin)
    #: and nothing of ours, not even "with it": "max dose of ibuprofen" is that medicine's question.
    other_medicine_factor: float = 0.9
    suggestions: int = 3  #: how many entries a suggestion offers
    #: A message naming a condition is read without it when another entry then scores within
    #: this of the condition's entry (see ``Matcher._context_free_ranking``).
    context_slack: float = 3.0
    #: ...and the two are offered when it scores within this and nothing asks about the role.
    context_doubt: float = 6.0
    #: Read without the condition, the other entry may lead the condition's own entry by this
    #: much ("my husband is on imuran after his kidney transplant, should he avoid colds")...
    context_lead: float = 8.0
    #: ...and then wins when it also leads its own runner-up by this much, or is offered with the
    #: condition's entry when it leads by ``context_hint``. Both need a message naming a medicine.
    context_clear: float = 6.0
    context_hint: float = 3.0
    #: The learned classifier's probability (0-1) for the best entry at which it is answered
    #: above ``answer`` even with a lead below ``margin``: the phrasings' meaning as a whole
    #: points one way even when a close second shares many of the message's words.
    confident: float = 0.7
    #: An entry whose ``wins_when`` phrase the message contains is answered when it scores
    #: within this of the best and the best is one of its ``related`` entries ("my husband takes
    #: it, could it harm the baby": fathering, not pregnancy); otherwise the phrase is background
    #: ("my husband is on it, flu jab?").
    settle_gap: float = 12.0
    #: A message that names our medicine, or points at it by more than a bare "it", is also
    #: answered from this best score when it leads the second-best entry by ``named_margin``.
    named_answer: float = 50.0
    named_margin: float = 12.0
    #: From ``named_answer``, a lead this wide answers even a message that names nothing ("can it
    #: give you loose stools?": 60 against 32): no other entry comes near.
    lone_margin: float = 25.0


@dataclass(frozen=True)
class Weights:
    evidence: float = 0.2
    evidence_full: float = 10.0  #: summed word rarity at which keyword evidence counts in full
    condition_evidence: float = 0.5  #: a condition's name counts this much of its rarity
    phrasing: float = 0.2
    meaning: float = 0.3  #: the closest phrasing's meaning
    centre: float = 0.1  #: closeness to the centre of all the entry's phrasings
    learned: float = 10.0  #: points added for the learned classifier's probability (0-1)


WEIGHTS = Weights()


@dataclass(frozen=True)
class Scores:
    """Every entry's score: ``combined`` ranks them; ``base``, without the learned classifier,
    says whether the message is in scope at all."""

    combined: np.ndarray
    base: np.ndarray
    #: The learned classifier's probability of each entry (None without a classifier).
    learned: np.ndarray | None
    #: The signals themselves (0-1 each), which the decision reads for the leader.
    keywords: np.ndarray
    closest: np.ndarray
    centre: np.ndarray
    phrasing: np.ndarray


@dataclass(frozen=True)
class Ranking:
    """The best entries for a message, best first, and what the decision needs besides."""

    ranked: tuple[Candidate, ...]
    in_scope: float  #: the best score before the learned signal
    confidence: float  #: the learned classifier's probability for the best entry (0 without)
    #: The best entry's own signals and two across entries (see ``Leader``).
    leader: Leader = field(default_factory=lambda: Leader())


@dataclass(frozen=True)
class Leader:
    """The signals of the best entry (0-1), which the decision reads besides the scores."""

    keywords: float = 0.0
    keywords_max: float = 0.0  #: the best keyword evidence of any entry
    closest: float = 0.0
    centre: float = 0.0
    phrasing: float = 0.0
    classifier_lead: float = 0.0  #: the classifier's probability for the best minus the runner-up


@dataclass(frozen=True)
class Candidate:
    """An entry and how well it matched."""

    entry_id: str
    score: float


@dataclass(frozen=True)
class Match:
    """What the matcher decided for one message."""

    decision: Decision
    score: float
    entry_id: str | None = None
    suggestions: tuple[str, ...] = ()
    also: str | None = None
    smalltalk: SmallTalk | None = None
    #: The question about the bot itself that was asked (decision "about").
    about: AboutItem | None = None
    #: Why a fallback picked no entry, when that can be said (see ``FallbackReason``).
    reason: FallbackReason | None = None
    ranked: tuple[Candidate, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class Assessment:
    """One message measured for the decision, with what each outcome would show."""

    evidence: Evidence | None  #: None when no entry could be scored
    ranked: tuple[Candidate, ...]
    chosen: Candidate  #: the entry an answer gives (usually the leader)
    also: str | None  #: a second question's entry, offered beside an answer
    suggestions: tuple[str, ...]  #: what a suggestion offers
    reason: FallbackReason | None  #: what a fallback says


@dataclass(frozen=True)
class Reading:
    """A message read once: its words (synonyms applied), scoring words and medicine mentions."""

    words: list[str]
    content: list[str]
    mentions: Mentions
    practical: bool = False  #: names a practical matter (see ``Vocabulary.practical``)
    child: bool = False  #: names a child (see ``Vocabulary.children``)
    animal: bool = False  #: asks about an animal (see ``Vocabulary.animals``)
    general: bool = False  #: asks a general health question (see ``Vocabulary.treatment``)
    personal: bool = False  #: names the writer or someone they care for (see ``Vocabulary.people``)
    permission: bool = False  #: asks whether one may ("is it ok", "can I")


@dataclass(frozen=True)
class Mentions:
    """Which medicines a message names (ours, another) or points at ("it", "my tablets")."""

    own: bool
    other: bool
    refers: bool
    #: The other medicines named (after synonyms).
    others: frozenset[str] = frozenset()
    #: Names ours or points at it by more than a bare "it" ("my tablets", "these meds").
    explicit: bool = False

    @property
    def another_only(self) -> bool:
        """Names another medicine and does not name ours."""
        return self.other and not self.own

    @property
    def any(self) -> bool:
        """Names or points at any medicine."""
        return self.own or self.other or self.refers


def asks_about_role(reading: Reading) -> bool:
    """True when the message asks about azathioprine's role ("does it work for lupus?", "used for").

    "I work as a nurse" names a job, not whether the medicine works.
    """
    role = set(reading.content) & USES_WORDS
    if role != {"work"}:
        return bool(role)
    # Only "work": a role unless every "work" follows a person ("I work", "she works").
    words = reading.words
    works = [i for i, word in enumerate(words) if stem(word) == "work"]
    return not works or any(i == 0 or words[i - 1] not in WORKERS for i in works)


def without_dummy_it(words: list[str]) -> list[str]:
    """``words`` without an "it" that points at no medicine.

    "Is it safe to..." opens with an "it" that points at nothing, though "is it safe to take
    with paracetamol" still points at the medicine: "it" is what is taken. A last "...will my
    kids get it" is the illness.
    """
    last = len(words) - 1
    return [
        word
        for index, word in enumerate(words)
        if not (
            word == "it"
            and (
                (
                    index + 2 < len(words)
                    and words[index + 1] in DUMMY_IT_BEFORE
                    and words[index + 2] == "to"
                    and words[index + 3 : index + 4] != ["take"]
                )
                or (index == last and index > 0 and words[index - 1] in CATCHING)
            )
        )
    ]


@dataclass(frozen=True)
class FirstLook:
    """A message read and ranked once, shared by the hand rules and the learned decision."""

    reading: Reading
    #: The ranking, re-read without the conditions named when a condition's entry led.
    ranking: Ranking
    #: Whether the message is in scope, judged on all it says (conditions included).
    in_scope: float
    #: An entry the rest of the message points to when a condition's entry leads.
    doubt: Candidate | None
    condition_leader: bool
    #: "Alcohol on methotrexate?": another medicine named and nothing pointing at ours.
    other_medicine: bool
