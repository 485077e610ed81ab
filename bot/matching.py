"""Matching a patient's message to FAQ entries, and deciding whether to answer, suggest or decline.

The message is read once (synonyms, spelling corrected to the FAQ's words, which medicines it
names) and scored against every entry by the signals of ``bot.signals``:

- **Keyword evidence** (BM25-style): the summed rarity of the message's words that an entry knows,
  so "allopurinol" counts for much more than "take"; numbers must match exactly ("50" is not "150").
- **Phrasing similarity**: rapidfuzz ``token_sort_ratio`` against every question, phrasing and
  keyword line, best per entry. It compares whole strings, so a two-word message cannot score 100
  against a long phrasing the way ``WRatio``/``token_set_ratio`` partial matching would.
- **Meaning**: WordLlama static embeddings: the closest phrasing and the centre of all of an
  entry's phrasings ("can i drink on this" / alcohol); and a classifier learned from the phrasings,
  whose probability both adds to the score and can make a close lead an answer.

The weights and thresholds were chosen on the development evaluation set
(``tests/data/eval-dev.jsonl``) and checked on sets written by other authors (``tests/data``).

The decision uses named thresholds (:class:`Thresholds`) on the combined 0-100 score and a margin
between the best two entries (``Matcher.rules``); what those rules turn away as a general or weakly
matched question is answered when the learned decision (``bot.decision``, from ``Matcher.assess``)
is confident enough.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process

from bot.about import AboutItem, SelfReader, only_symbols
from bot.decision import DecisionModel, Evidence, shipped_model, word_feature
from bot.embedding import Embedder, default_embedder
from bot.knowledge import KnowledgeBase, SmallTalk
from bot.signals import KeywordEvidence, Meaning, PhrasingSimilarity
from bot.textnorm import Normaliser, fold, stem

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
#: The learned classifier (``bot.learned``) is trained for FAQs of up to this many entries; its
#: training passes over every phrasing at each step, too slow for a 2,000-entry FAQ at a reload.
LEARNED_MAX_ENTRIES = 300
#: A clause that starts with one of these asks something; others are usually context.
_QUESTION_WORDS = frozenset(
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
_OVERVIEW_TEXT = (
    "what whats tell about mean means explain exactly is are better best worse difference different "
    "compare compared comparison vs versus same similar like thing things drug drugs medicine "
    "medicines option options alternative alternatives instead switch swap change go try move"
)
_OVERVIEW_WORDS = frozenset(stem(word) for word in _OVERVIEW_TEXT.split())
#: Words that ask about azathioprine's role in a condition ("does aza work for crohns?"), not
#: merely name the condition as background.
_USES_TEXT = (
    "use used uses help helps work works treat treats treatment prescribed prescribe role worth "
    "effective standard licensed remission maintenance good"
)
_USES_WORDS = frozenset(stem(word) for word in _USES_TEXT.split())
#: After these, "work" is a job ("my wife had a transplant and I work as a nurse"), not a role.
_WORKERS = frozenset({"i", "we", "he", "she", "they", "you"})
#: Beside another medicine and nothing naming ours, a bare "it" means that medicine ("how long
#: does it take for humira to work"); only the ``_WITH_IT`` phrases still point at ours.
_VAGUE_POINTERS = frozenset({"it", "its"})
#: Beside another medicine and nothing of ours, these point at that one: "my tacrolimus level is
#: 12, should I reduce my dose?" ("ibuprofen with my tablets?" still asks about ours).
_POINTERS_TO_ANOTHER = _VAGUE_POINTERS | {"my dose", "my dosage"}
#: "Is it safe with ibuprofen", "can I take it with infliximab"; and "it turns into 6-MP", where
#: ours becomes the other.
_WITH_IT = frozenset(
    {"with it", "on it", "alongside it", "and it", "is it", "take it", "it with"}
    | {"it turns", "it becomes", "it converts", "it gets", "it breaks"}
)
#: Pointers that name no medicine: "is this safe?", "who made this bot?", "...as well".
_UNNAMED_POINTERS = _VAGUE_POINTERS | {"this", "these", "them", "as well"}
#: "Is it safe to...", "is it normal to...": before these and "to", "it" points at nothing.
_DUMMY_IT_TEXT = "normal safe ok okay fine possible true bad dangerous worth wise common usual unusual risky"
_DUMMY_IT_BEFORE = frozenset(_DUMMY_IT_TEXT.split())
#: "...will my kids get it?": after these, an "it" that ends the message is the illness.
_CATCHING_TEXT = "get gets getting got catch catching caught inherit inheriting inherited"
_CATCHING = frozenset(_CATCHING_TEXT.split())
#: Asking whether one may do something ("is the flu jab ok", "can I have a filling"): the question
#: of someone on the medicine, unlike "what jabs do I need for Thailand".
_PERMISSION = frozenset(
    {"ok", "okay", "safe", "allowed", "alright", "fine", "can i", "should i", "do i", "am i", "could i"}
)
#: "What ... for?" asks about a purpose.
_PURPOSE_OPENERS = frozenset({"what", "whats"})
#: Clauses end at punctuation (not a decimal point: "2.5mg"), a list number ("1)") or a joining word.
_CLAUSE_SPLIT = re.compile(r"(?:[?!;:\n]|\.(?!\d))+|\b\d\)|\b(?:and also|also|plus|and|but|or)\b", re.I)


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
class _Weights:
    evidence: float = 0.2
    evidence_full: float = 10.0  #: summed word rarity at which keyword evidence counts in full
    condition_evidence: float = 0.5  #: a condition's name counts this much of its rarity
    phrasing: float = 0.2
    meaning: float = 0.3  #: the closest phrasing's meaning
    centre: float = 0.1  #: closeness to the centre of all the entry's phrasings
    learned: float = 10.0  #: points added for the learned classifier's probability (0-1)


_WEIGHTS = _Weights()


@dataclass(frozen=True)
class _Scores:
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
class _Ranking:
    """The best entries for a message, best first, and what the decision needs besides."""

    ranked: tuple[Candidate, ...]
    in_scope: float  #: the best score before the learned signal
    confidence: float  #: the learned classifier's probability for the best entry (0 without)
    #: The best entry's own signals and two across entries (see ``_Leader``).
    leader: _Leader = field(default_factory=lambda: _Leader())


@dataclass(frozen=True)
class _Leader:
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
class _Reading:
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


def _asks_about_role(reading: _Reading) -> bool:
    """True when the message asks about azathioprine's role ("does it work for lupus?", "used for").

    "I work as a nurse" names a job, not whether the medicine works.
    """
    role = set(reading.content) & _USES_WORDS
    if role != {"work"}:
        return bool(role)
    # Only "work": a role unless every "work" follows a person ("I work", "she works").
    words = reading.words
    works = [i for i, word in enumerate(words) if stem(word) == "work"]
    return not works or any(i == 0 or words[i - 1] not in _WORKERS for i in works)


def _without_dummy_it(words: list[str]) -> list[str]:
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
                    and words[index + 1] in _DUMMY_IT_BEFORE
                    and words[index + 2] == "to"
                    and words[index + 3 : index + 4] != ["take"]
                )
                or (index == last and index > 0 and words[index - 1] in _CATCHING)
            )
        )
    ]


class Matcher:
    """Scores messages against one :class:`KnowledgeBase`; build once per FAQ load."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        thresholds: Thresholds | None = None,
        embedder: Embedder | None = None,
        model: DecisionModel | None = None,
        learned_only: bool = False,
    ) -> None:
        self.knowledge = knowledge
        #: Let the learned decision decide every message, not only those the rules turn away.
        self.learned_only = learned_only
        self._model = model
        self.embedder = embedder or default_embedder()
        self.thresholds = thresholds or Thresholds()
        vocab = knowledge.vocabulary
        self.normaliser = Normaliser(vocab.synonyms, vocab.ignore)
        self._ids = [entry.id for entry in knowledge.entries]
        self._needs_medicine = {entry.id for entry in knowledge.entries if entry.needs_medicine}
        self._overview_entries = {entry.id for entry in knowledge.entries if entry.overview}
        # "My tablets", "the drug": pointers that name the patient's medicine (not "it", "this").
        self._naming_pointers = vocab.refers_to_own - _UNNAMED_POINTERS
        # A condition's entry (Crohn's, lupus, transplant, the uses overview): its keywords name
        # conditions, so a message naming one as background ("on aza for my UC") lifts it.
        conditions = vocab.conditions
        self._condition_entries = {
            entry.id
            for entry in knowledge.entries
            if entry.needs_medicine
            and any(self._terms(self.normaliser.words(keyword)) & conditions for keyword in entry.keywords)
        }
        self._wins_when = {entry.id: entry.wins_when for entry in knowledge.entries if entry.wins_when}
        self._related = {entry.id: frozenset(entry.related) for entry in knowledge.entries}
        # The other medicines an entry's own question names: what the entry is about.
        self._about = {
            entry.id: self._terms(self.normaliser.words(entry.question)) & vocab.other_medicines
            for entry in knowledge.entries
        }

        # Per entry: the texts whose meaning is compared, its token-sorted lines for fuzzy
        # comparison, and how often each of its words occurs.
        texts: list[list[str]] = []
        lines: list[list[str]] = []
        entry_words: list[Counter[str]] = []
        for entry in knowledge.entries:
            texts.append([])
            lines.append([])
            words: Counter[str] = Counter()
            for text in (entry.question, *entry.phrasings):
                texts[-1].append(" ".join(self.normaliser.words(text)))
                content = self.normaliser.content_words(text)
                lines[-1].append(" ".join(sorted(content)))
                words.update(set(content))
            for keyword in entry.keywords:
                content = self.normaliser.content_words(keyword)
                lines[-1].append(" ".join(sorted(content)))
                # Keywords are the admin's strongest hint: count them like several phrasings.
                words.update({word: 3 for word in content})
            entry_words.append(words)
        self._keywords = KeywordEvidence(entry_words)
        self._phrasings = PhrasingSimilarity(lines)
        # Training passes over every phrasing at each step: too slow for a huge FAQ at a reload.
        self._meaning = Meaning(self.embedder, texts, learn=len(texts) <= LEARNED_MAX_ENTRIES)
        # A condition's name is rare in the FAQ (only its own entry has it), so it would count
        # as strong evidence, though patients mostly name it as background ("on aza for my UC").
        # Only when the message says something else: in "aza for lupus?" the condition is the topic.
        self._conditions = vocab.conditions | {stem(word) for word in vocab.conditions}
        self._not_background = self._conditions | _OVERVIEW_WORDS | _USES_WORDS | {OWN_MEDICINE_WORD}
        self._background = dict.fromkeys(self._conditions, _WEIGHTS.condition_evidence)
        self._corrections: dict[str, str | None] = {}
        self._smalltalk = {fold(pattern): item for item in knowledge.smalltalk for pattern in item.patterns}
        #: Questions about the bot, emoji, abuse and unreadable messages (``bot.about``).
        self.self_reader = SelfReader(
            knowledge.about, knowledge.smalltalk, knowledge.entries, self.normaliser, self.embedder
        )

    @property
    def model(self) -> DecisionModel:
        """The learned decision (``bot/decision.json`` unless given): probabilities, thresholds."""
        if self._model is None:
            self._model = shipped_model()
        return self._model

    # -- words -----------------------------------------------------------------------------

    def _correct(self, word: str) -> str | None:
        """The FAQ word a misspelt word most likely means, or None (cached per FAQ load)."""
        if self._keywords.knows(word):
            return word
        if word in self._corrections:
            return self._corrections[word]
        corrected: str | None = None
        if len(word) >= 5 and word.isalpha():
            found = process.extractOne(
                word, self._keywords.vocabulary, scorer=fuzz.ratio, score_cutoff=80 if len(word) >= 7 else 82
            )
            if found is not None:
                corrected = found[0]
        if len(self._corrections) >= MAX_CACHED_CORRECTIONS:
            # Every new misspelling or stray word adds an entry; a bot running for months must
            # not grow without bound. Starting over costs one fuzzy lookup per word.
            self._corrections.clear()
        self._corrections[word] = corrected
        return corrected

    def content_words(self, text: str) -> list[str]:
        """The message's meaningful words after normalisation and spelling correction."""
        return self._read(text).content

    def _read(self, text: str) -> _Reading:
        """Normalise once; scoring, mentions and embedding all use the result."""
        return self._read_words(self.normaliser.words(text[:MAX_MATCH_CHARS]))

    def _read_words(self, words: list[str]) -> _Reading:
        if len(words) > 2 and words[0] in _PURPOSE_OPENERS and words[-1] == "for":
            # "What is imuran for?" asks what it is used for, not what it is.
            words = [*words[:-1], "used", "for"]
        terms = self._terms(words)
        mentions = self._mentions(self._terms(_without_dummy_it(words)))
        if mentions.explicit and not mentions.own:
            # "Beer on my tablets?": the FAQ's phrasings name the medicine, and "tablets" on its
            # own pulls towards how-to-take. Scored and embedded as "beer on azathioprine?".
            words = self._named_as_own(words)
        content = self.normaliser.meaningful(words)
        implicit = mentions.refers and not mentions.own and not mentions.other
        if implicit and OWN_MEDICINE_WORD not in content and self._keywords.knows(OWN_MEDICINE_WORD):
            # "How long do I take it for?" means azathioprine: score it as if it said so, since
            # the FAQ's phrasings mostly name it ("how long do I take azathioprine for").
            content = [*content, OWN_MEDICINE_WORD]
        vocab = self.knowledge.vocabulary
        corrected = [self._correct(word) or word for word in content]
        general = (
            not mentions.any
            and any(" ".join(words[:n]) in vocab.general_openers for n in (1, 2, 3))
            and not terms & (vocab.people | vocab.treatment)
        )
        return _Reading(
            words,
            corrected,
            mentions,
            practical=bool(terms & vocab.practical),
            child=bool(terms & vocab.children),
            animal=bool(terms & vocab.animals),
            general=general,
            personal=bool(terms & vocab.people),
            permission=bool(terms & _PERMISSION),
        )

    # -- scoring ---------------------------------------------------------------------------

    def scores(self, text: str) -> np.ndarray:
        """Combined score of ``text`` against every entry (in FAQ order), learned signal included."""
        return self._scores(self._read(text)).combined

    def _scores(self, reading: _Reading) -> _Scores:
        n = len(self._ids)
        words = reading.content
        if not words or n == 0:
            zeros = np.zeros(n)
            return _Scores(zeros, zeros, None, zeros, zeros, zeros, zeros)
        background = not set(words) <= self._not_background  # the condition is context
        evidence = self._keywords.evidence(words, self._background if background else {})
        # Embed the synonym-normalised words, so "6mp" and "aza" mean what the FAQ says.
        vector = self._meaning.embed(" ".join(reading.words))
        weights = _WEIGHTS
        keywords = np.minimum(1.0, evidence / weights.evidence_full)
        closest = self._meaning.closest(vector)
        centre = self._meaning.centre(vector)
        partial = weights.evidence * keywords + weights.meaning * closest + weights.centre * centre
        phrasing = self._phrasings.best(" ".join(sorted(words)), partial, FUZZY_SHORTLIST)
        base: np.ndarray = (
            100.0
            * (partial + weights.phrasing * phrasing)
            / (weights.evidence + weights.phrasing + weights.meaning + weights.centre)
        )
        learned = self._meaning.learned(vector)
        combined = base if learned is None else base + weights.learned * learned
        return _Scores(combined, base, learned, keywords, closest, centre, phrasing)

    def mentions(self, text: str) -> Mentions:
        """Which medicines the message names or points at (words and two-word phrases)."""
        return self._read(text).mentions

    def _asks_about_entry_medicine(self, reading: _Reading, entry_id: str) -> bool:
        """True for "what is 6mp?": it names a medicine the entry is about, and little else."""
        named = reading.mentions.others & self._about[entry_id]
        if not named:
            return False
        name_words = {word for name in named for word in name.split()}
        rest = self.normaliser.meaningful([w for w in reading.words if w not in name_words])
        return set(rest) <= _OVERVIEW_WORDS

    def _named_as_own(self, words: list[str]) -> list[str]:
        """``words`` with "my tablets", "these tablets"... read as the medicine's name."""
        out: list[str] = []
        index = 0
        while index < len(words):
            if " ".join(words[index : index + 2]) in self._naming_pointers:
                out.append(OWN_MEDICINE_WORD)
                index += 2
                continue
            out.append(words[index])
            index += 1
        return out

    def _without_conditions(self, reading: _Reading) -> _Reading | None:
        """The message without the conditions it names, or None when it names none.

        "My 11yo with crohns starts aza next week, is it safe for kids?" names Crohn's as context;
        the question is about children. Read without it, the question's own words decide.
        """
        kept = self._condition_free(reading.words)
        if len(kept) == len(reading.words):
            return None
        stripped = self._read_words(kept)
        return stripped if stripped.content else None

    def _condition_free(self, words: list[str]) -> list[str]:
        """``words`` without the conditions they name (words, stems and two-word phrases)."""
        conditions = self._conditions
        kept: list[str] = []
        index = 0
        while index < len(words):
            if " ".join(words[index : index + 2]) in conditions:  # "kidney transplant"
                index += 2
                continue
            if words[index] not in conditions and stem(words[index]) not in conditions:
                kept.append(words[index])
            index += 1
        return kept

    @staticmethod
    def _terms(words: list[str]) -> frozenset[str]:
        """The words and two-word phrases of ``words``."""
        return frozenset(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}

    def _mentions(self, terms: frozenset[str]) -> Mentions:
        vocabulary = self.knowledge.vocabulary
        others = terms & vocabulary.other_medicines
        own = bool(terms & vocabulary.own_medicine)
        pointers = terms & vocabulary.refers_to_own
        if others and not own:
            pointers = (pointers - _POINTERS_TO_ANOTHER) | (terms & _WITH_IT)
        explicit = own or bool(pointers & self._naming_pointers)
        return Mentions(own=own, other=bool(others), refers=bool(pointers), others=others, explicit=explicit)

    def rank(self, text: str, limit: int = 5) -> tuple[Candidate, ...]:
        """The best ``limit`` entries for ``text``, best first."""
        return self._rank(self._read(text), limit)

    def _rank(self, reading: _Reading, limit: int) -> tuple[Candidate, ...]:
        return self._ranking(reading, limit).ranked

    def _ranking(self, reading: _Reading, limit: int) -> _Ranking:
        """The best ``limit`` entries, the best score before the learned signal, and confidence."""
        scores = self._scores(reading)
        factor = 1.0
        if reading.mentions.another_only and not reading.mentions.refers:
            factor = self.thresholds.other_medicine_factor
        order = np.argsort(-scores.combined, kind="stable")[:limit]
        ranked = tuple(Candidate(self._ids[i], round(float(scores.combined[i]) * factor, 1)) for i in order)
        in_scope = float(scores.base.max()) * factor if len(scores.base) else 0.0
        confidence = 0.0
        leader = _Leader()
        if len(order):
            top = order[0]
            lead = 0.0
            if scores.learned is not None:
                confidence = float(scores.learned[top])
                runner_up = float(np.partition(scores.learned, -2)[-2]) if len(scores.learned) > 1 else 0.0
                lead = confidence - runner_up
            leader = _Leader(
                float(scores.keywords[top]),
                float(scores.keywords.max()),
                float(scores.closest[top]),
                float(scores.centre[top]),
                float(scores.phrasing[top]),
                lead,
            )
        return _Ranking(ranked, in_scope, confidence, leader)

    # -- decision --------------------------------------------------------------------------

    def smalltalk_for(self, text: str) -> SmallTalk | None:
        """The chit-chat item when the whole message is a greeting, thanks and so on."""
        folded = fold(text)
        if not folded or len(folded) > 40:
            return None
        item = self._smalltalk.get(folded)
        if item is not None:
            return item
        found = process.extractOne(folded, list(self._smalltalk), scorer=fuzz.ratio, score_cutoff=88)
        return self._smalltalk[found[0]] if found else None

    def about_self(self, text: str) -> Match | None:
        """Emoji only, abuse only, or a question about the bot that no FAQ entry fits as well."""
        reader = self.self_reader
        if reader.emoji is not None and only_symbols(text):
            return Match("smalltalk", 100.0, smalltalk=reader.emoji)
        if reader.abuse is not None and reader.is_abuse(text, only=True):
            return Match("smalltalk", 100.0, smalltalk=reader.abuse)

        def medical_best() -> float:
            ranked = self.rank(text, limit=1)
            return ranked[0].score if ranked else 0.0

        found = reader.about_for(text, medical_best)
        if found is None:
            return None
        item, score = found
        return Match("about", score, about=item)

    def match(self, text: str) -> Match:
        """Decide what to do with one message: answer, suggest, fallback or small talk.

        The hand rules decide first (``rules``). A message they turn away as a general
        question because it names no medicine is then read as about azathioprine, as everyone
        here takes it: the learned decision (``bot.decision``) answers or offers an entry when
        its probabilities clear the shipped thresholds. With ``learned_only`` the learned
        decision decides every message (measured beside the rules by ``bench.decision``).
        """
        smalltalk = self.smalltalk_for(text)
        if smalltalk is not None:
            return Match("smalltalk", 100.0, smalltalk=smalltalk)
        about = self.about_self(text)  # the hook of bot.about: emoji, abuse, questions about the bot
        if about is not None:
            return about
        if self.learned_only:
            return self._learned(self.assess(text), alone=True)
        ruled = self.rules(text)
        if ruled.decision != "fallback" or ruled.reason not in UNNAMED_FALLBACKS:
            return ruled
        learned = self._learned(self.assess(text), alone=False)
        return ruled if learned.decision == "fallback" else learned

    def _learned(self, found: Assessment, alone: bool) -> Match:
        """What the learned decision makes of a measured message."""
        ranked, evidence = found.ranked, found.evidence
        if not ranked or evidence is None:
            return Match("fallback", 0.0, reason=found.reason)
        best = ranked[0]
        decision = self.model.decide(evidence, alone).decision
        if decision == "answer" and evidence.another_only:
            # "...and is it safe with ibuprofen?" may be about ours: offer, never answer outright.
            decision = "suggest"
        if decision == "answer":
            chosen = found.chosen
            return Match("answer", chosen.score, entry_id=chosen.entry_id, also=found.also, ranked=ranked)
        if decision == "suggest" and not evidence.other_question:
            return Match("suggest", best.score, suggestions=found.suggestions, ranked=ranked)
        return Match("fallback", best.score, ranked=ranked, reason=found.reason)

    def assess(self, text: str) -> Assessment:
        """Read and measure one message for the decision (``bot.decision``), deciding nothing."""
        limits = self.thresholds
        reading = self._read(text)
        mentions = reading.mentions
        ranking = self._ranking(reading, limit=max(5, limits.suggestions))
        # Whether the message is in scope is judged on all it says, conditions included.
        in_scope = ranking.in_scope
        doubt: Candidate | None = None
        condition_leader = bool(ranking.ranked) and ranking.ranked[0].entry_id in self._condition_entries
        if condition_leader:
            ranking, doubt = self._context_free_ranking(reading, ranking)
        ranked = ranking.ranked
        # "Alcohol on methotrexate?" names another medicine and nothing points at ours: it is
        # that medicine's question. Except a bare "what are biologics?" when an entry is about
        # that very medicine: that entry may be offered.
        other_question = (
            mentions.another_only
            and not mentions.refers
            and not (ranked and self._asks_about_entry_medicine(reading, ranked[0].entry_id))
        )
        reason: FallbackReason | None = None
        if reading.practical:
            reason = "practical"
        elif reading.animal:
            reason = "animal"
        elif other_question:
            reason = "other_medicine"
        elif not mentions.any:
            reason = "general"
        if not ranked:
            return Assessment(None, (), Candidate("", 0.0), None, (), reason)
        best = ranked[0]
        second = ranked[1] if len(ranked) > 1 else Candidate("", 0.0)
        third = ranked[2] if len(ranked) > 2 else Candidate("", 0.0)
        lifted = self._lifted_by_background(reading, best)
        past = next((c for c in ranked[1:] if c.entry_id not in lifted), Candidate("", 0.0))
        settled = self._settled_by_phrase(text, ranked[: limits.suggestions])
        clause_winners = self._clause_winners(text)
        lone = self._lone_question_winner(text)
        questions = clause_winners or ([lone] if lone is not None else [])
        asked = self._asked_past_context(questions, best, ranked[: limits.suggestions])
        # The entry an answer gives: a ``wins_when`` phrase, or the message's question clause
        # when context leads, can name another than the leader.
        chosen = settled or asked or best
        others = [c.entry_id for c in clause_winners] + ([lone.entry_id] if lone else []) + [best.entry_id]
        also = next((i for i in others if i != chosen.entry_id), None)
        if also == best.entry_id and chosen is best:
            also = None
        offered = (chosen.entry_id, *(doubt.entry_id for _ in (doubt,) if doubt is not None))
        suggestions = tuple(dict.fromkeys((*offered, *(c.entry_id for c in ranked))))[: limits.suggestions]
        winner_ids = {c.entry_id for c in clause_winners}
        leader = ranking.leader
        evidence = Evidence(
            best=best.score / 100.0,
            lead=(best.score - second.score) / 100.0,
            lead3=(best.score - third.score) / 100.0,
            lead_past_background=(best.score - past.score) / 100.0,
            base=in_scope / 100.0,
            classifier=ranking.confidence,
            classifier_lead=leader.classifier_lead,
            keywords=leader.keywords,
            keywords_max=leader.keywords_max,
            closest=leader.closest,
            centre=leader.centre,
            phrasing=leader.phrasing,
            own=mentions.own,
            explicit=mentions.explicit,
            refers=mentions.refers,
            another_only=mentions.another_only,
            other_question=other_question,
            practical=reading.practical,
            animal=reading.animal,
            child=reading.child,
            general=reading.general,
            personal=reading.personal,
            permission=reading.permission,
            needs_medicine=best.entry_id in self._needs_medicine,
            condition_leader=condition_leader,
            doubt=doubt is not None,
            settled=settled is not None and settled.entry_id != best.entry_id,
            asked=asked is not None,
            clauses_agree=best.entry_id in winner_ids,
            clauses_differ=bool(winner_ids - {best.entry_id}),
            lone_agrees=lone is not None and lone.entry_id == best.entry_id,
            lone_differs=lone is not None and lone.entry_id != best.entry_id,
            words=word_feature(len(text[:MAX_MATCH_CHARS].split())),
        )
        return Assessment(evidence, ranked, chosen, also, suggestions, reason)

    def rules(self, text: str) -> Match:
        """The hand-written decision rules (before the learned decision), for a non-small-talk message."""
        limits = self.thresholds
        reading = self._read(text)
        mentions = reading.mentions
        ranking = self._ranking(reading, limit=max(5, limits.suggestions))
        # Whether the message is in scope is judged on all it says, conditions included.
        in_scope = ranking.in_scope
        doubt: Candidate | None = None
        if ranking.ranked and ranking.ranked[0].entry_id in self._condition_entries:
            ranking, doubt = self._context_free_ranking(reading, ranking)
        ranked = ranking.ranked
        # "Alcohol on methotrexate?" names another medicine and nothing points at ours: it is
        # that medicine's question, which an azathioprine entry would answer wrongly.
        # Except a bare "what are biologics?" when an entry is about that very medicine: that
        # entry is offered, as below, never answered ("side effects of cellcept" stays out).
        other_medicine = (
            mentions.another_only
            and not mentions.refers
            and not (ranked and self._asks_about_entry_medicine(reading, ranked[0].entry_id))
        )
        if reading.practical:
            # "My repeat prescription hasn't come, who do I ring?": no entry answers that, and
            # the words it shares with entries (tablets, pharmacy) would only mislead.
            return Match("fallback", ranked[0].score if ranked else 0.0, ranked=ranked, reason="practical")
        if reading.animal:
            # "What dose of azathioprine should I give my dog?": the FAQ's answers are for people;
            # a dose or a vaccine for a pet is the vet's to give.
            return Match("fallback", ranked[0].score if ranked else 0.0, ranked=ranked, reason="animal")
        if reading.child and not mentions.any:
            # "When does my baby get the MMR jab?" is about the child's general health; a carer
            # asking about a child's azathioprine names it or points at it ("his tablets").
            return Match("fallback", ranked[0].score if ranked else 0.0, ranked=ranked)
        if not ranked or in_scope < limits.suggest or other_medicine:
            score = ranked[0].score if ranked else 0.0
            reason: FallbackReason | None = "other_medicine" if other_medicine else None
            return Match("fallback", score, ranked=ranked, reason=reason)
        best, second = ranked[0], ranked[1] if len(ranked) > 1 else Candidate("", 0.0)
        if reading.general:
            # "What is shingles?", "how many units a week is safe?": a general health question
            # that names no medicine and no person. An entry would answer it as if about
            # azathioprine; say what the bot covers and how to ask if it is about the medicine.
            return Match("fallback", best.score, ranked=ranked, reason="general")
        if (
            best.entry_id in self._needs_medicine
            and not mentions.any
            and not self._asks_elsewhere(text, best)
        ):
            # "Is colitis curable?", "what jabs do I need for Thailand?", "how long do I fast
            # before a colonoscopy?" name no medicine: they are about the condition, the vaccine or
            # the procedure, and the entry on azathioprine's part in it would answer another
            # question. Say what the bot covers and how to ask if it is about the medicine.
            return Match("fallback", best.score, ranked=ranked, reason="general")
        suggestions = tuple(
            c.entry_id
            for c in ranked
            if c.score >= limits.suggest * 0.8 and (mentions.any or c.entry_id not in self._needs_medicine)
        )[: limits.suggestions]
        if mentions.another_only:
            # "...and is it safe with ibuprofen?" may be about ours: offer, never answer outright.
            return Match("suggest", best.score, suggestions=suggestions, ranked=ranked)
        settled = self._settled_by_phrase(text, ranked[: limits.suggestions])
        if settled is not None:
            # "My husband takes imuran, could it harm the baby?" scores close to pregnancy, but
            # who takes it makes it the fathering entry's question; pregnancy is offered beside it.
            also = best.entry_id if settled.entry_id != best.entry_id else None
            return Match("answer", settled.score, entry_id=settled.entry_id, also=also, ranked=ranked)
        if doubt is not None:
            # The condition's entry leads, but the rest of the message points fairly strongly at
            # another: offer both rather than risk answering the background instead of the question.
            pair = (best.entry_id, doubt.entry_id)
            offered = (*pair, *(i for i in suggestions if i not in pair))[: limits.suggestions]
            return Match("suggest", best.score, suggestions=offered, ranked=ranked)
        lifted = self._lifted_by_background(reading, best)
        if lifted:
            # "Losing hair, is it my aza or my lupus?", "aza and beer?": naming the condition or
            # the medicine lifts its entry to second place, but it is not what was asked. The
            # lead that counts is over the rest.
            second = next((c for c in ranked[1:] if c.entry_id not in lifted), Candidate("", 0.0))
        clause_winners = self._clause_winners(text)
        # What the message asks, read clause by clause: each question clause's clear winner, or
        # a long message's one question (of three words or more).
        lone = self._lone_question_winner(text)
        questions = clause_winners or ([lone] if lone is not None else [])
        asked = self._asked_past_context(questions, best, ranked[: limits.suggestions])
        lead = best.score - second.score
        clear = lead >= limits.margin or ranking.confidence >= limits.confident
        # A short message scores lower ("prosecco ok with my tablets?": 57), but a lead this wide
        # over every other entry is as clear as a high score: ``named_margin`` when it names our
        # medicine, the wider ``lone_margin`` when it names nothing (a bare "it" may mean anything).
        far_ahead = best.score >= limits.named_answer and (
            lead >= limits.lone_margin or (mentions.explicit and lead >= limits.named_margin)
        )
        if (best.score >= limits.answer and clear) or far_ahead:
            if asked is not None and len(questions) > 1:
                # Two questions that both point away from a clear leader outweigh it: the
                # leader comes from context ("handed aza by the transplant team... what is this
                # tablet and what is it used for?" is not the transplant entry's question).
                return Match(
                    "answer", asked.score, entry_id=asked.entry_id, also=questions[1].entry_id, ranked=ranked
                )
            also = next((c.entry_id for c in clause_winners if c.entry_id != best.entry_id), None)
            if also is None and lone is not None and lone.entry_id != best.entry_id:
                # Context can outweigh a long message's one question ("...for my colitis. How
                # quickly might it help?"): offer what the question alone points to as well.
                also = lone.entry_id
            return Match("answer", best.score, entry_id=best.entry_id, also=also, ranked=ranked)
        # Two questions in one message split the score between two entries. When a clause on
        # its own clearly confirms the best entry and another clause clearly names a second one,
        # answer the first and offer the second as a button. The second need not be near the top
        # overall: context ("my father's discharge letter...") can lift a third entry past it.
        winner_ids = [c.entry_id for c in clause_winners]
        others = [i for i in winner_ids if i != best.entry_id]
        if best.entry_id in winner_ids and others:
            return Match("answer", best.score, entry_id=best.entry_id, also=others[0], ranked=ranked)
        # A long message with context ("I'm 34, diagnosed in 2019, ... how long before it works?")
        # dilutes the score: when its one question, on its own, names the leader, answer it.
        if lone is not None and lone.entry_id == best.entry_id:
            return Match("answer", best.score, entry_id=best.entry_id, ranked=ranked)
        if (
            len(questions) == 1
            and questions[0].entry_id == best.entry_id
            and questions[0].score >= limits.answer
        ):
            # Of several clauses ("how long before the op? will it slow healing?"), only one
            # names an entry clearly, and on its own it clears the answer bar: the leader's.
            return Match("answer", best.score, entry_id=best.entry_id, ranked=ranked)
        if asked is not None and len(questions) == 1:
            # The context may lead instead ("I had to stop it for low counts... what do people
            # move on to after aza fails?": stopping). When only one question clearly names an
            # entry, answer it and offer the context's entry. Two clause winners that both miss
            # a close leader are as likely misread clauses ("did he make a mistake?").
            return Match("answer", asked.score, entry_id=asked.entry_id, also=best.entry_id, ranked=ranked)
        return Match("suggest", best.score, suggestions=suggestions, ranked=ranked)

    def _context_free_ranking(
        self, reading: _Reading, ranking: _Ranking
    ) -> tuple[_Ranking, Candidate | None]:
        """The ranking of the message without its conditions when that points elsewhere, and doubt.

        An entry on azathioprine's role in a condition wins any message naming the condition,
        though patients mostly name it as background. When the words left after taking the
        conditions out point about as strongly to another entry, or clearly prefer it to the
        condition's entry and to every other, that entry is what was asked. When they point there
        a little less strongly, that entry is returned as the doubt: both are offered. A message
        asking about azathioprine's role ("does it work for...") is left be.
        """
        stripped = self._without_conditions(reading)
        if stripped is None:
            return ranking, None
        ranked = ranking.ranked
        content = set(reading.content)
        # "Does aza work for lupus?" asks about the role; "aza for crohns?" says nothing else.
        if _asks_about_role(reading) or content <= self._not_background:
            return ranking, None
        alternative = self._ranking(stripped, limit=len(self._ids))
        best = alternative.ranked[0]
        if best.entry_id in self._condition_entries:
            return ranking, None
        limits = self.thresholds
        # Without the condition, how much the rest of the message prefers the other entry to the
        # condition's, and how clearly it stands out from every other entry.
        lead = best.score - next(c.score for c in alternative.ranked if c.entry_id == ranked[0].entry_id)
        clear = best.score - (alternative.ranked[1].score if len(alternative.ranked) > 1 else 0.0)
        preferred = reading.mentions.any and lead >= limits.context_lead
        if best.score >= ranked[0].score - limits.context_slack or (
            preferred and clear >= limits.context_clear
        ):
            return replace(alternative, ranked=alternative.ranked[: len(ranked)]), None
        if best.score >= ranked[0].score - limits.context_doubt or (
            preferred and clear >= limits.context_hint
        ):
            return ranking, best
        return ranking, None

    def _lifted_by_background(self, reading: _Reading, best: Candidate) -> frozenset[str]:
        """The entries whose score comes from a name the message gives only as background.

        A condition's entries, when the message names a condition but does not ask about
        azathioprine's role ("is it used for lupus?"). The overview entries, when the message
        names our medicine beside a question of its own ("aza and beer?", not "what is aza?").
        Neither counts when it is the best entry itself.
        """
        lifted: set[str] = set()
        content = reading.content
        if (
            best.entry_id not in self._condition_entries
            and not _asks_about_role(reading)
            and len(self._condition_free(reading.words)) < len(reading.words)
        ):
            lifted |= self._condition_entries
        if (
            best.entry_id not in self._overview_entries
            and reading.mentions.own
            and any(w != OWN_MEDICINE_WORD and stem(w) not in _OVERVIEW_WORDS for w in content)
        ):
            lifted |= self._overview_entries
        return frozenset(lifted)

    def _asked_past_context(
        self, questions: Sequence[Candidate], best: Candidate, offered: Sequence[Candidate]
    ) -> Candidate | None:
        """The entry the message's questions ask about when context, not a question, leads.

        ``questions`` are the clear winners of the message's question clauses. The first is
        what was asked when ``best`` is none of them and, on its own, it clears the answer bar,
        outscores anything the whole message reaches and is among the entries ``offered``
        (returned with its score for the whole message).
        """
        if not questions or best.entry_id in {c.entry_id for c in questions}:
            return None
        first = questions[0]
        if first.score < self.thresholds.answer or first.score <= best.score:
            return None
        return next((c for c in offered if c.entry_id == first.entry_id), None)

    def _asks_elsewhere(self, text: str, best: Candidate) -> bool:
        """True when a long message's one question clearly points at an entry other than ``best``.

        "The nurse covered the flu jab and sun cream... can I have a few pints at the wedding?"
        leads with the vaccines entry on its background, but asks about alcohol.
        """
        lone = self._lone_question_winner(text)
        return (
            lone is not None and lone.entry_id != best.entry_id and lone.entry_id not in self._needs_medicine
        )

    def _settled_by_phrase(self, text: str, leaders: Sequence[Candidate]) -> Candidate | None:
        """The first of ``leaders`` whose ``wins_when`` phrases settle a close call, if any.

        Only between neighbours: the candidate must be within ``settle_gap`` of the best and the
        best one of its related entries ("my husband is on aza, flu jab?" stays with vaccines).
        """
        if not self._wins_when or not leaders:
            return None
        best = leaders[0]
        padded = f" {fold(text[:MAX_MATCH_CHARS])} "
        for candidate in leaders:
            phrases = self._wins_when.get(candidate.entry_id, ())
            close = best.score - candidate.score <= self.thresholds.settle_gap and (
                candidate is best or best.entry_id in self._related[candidate.entry_id]
            )
            if close and any(f" {phrase} " in padded for phrase in phrases):
                return candidate
        return None

    def _question_clauses(self, text: str, min_words: int) -> list[str]:
        """The clauses that start like questions ("how long...", "can I...")."""
        return [
            c
            for c in _CLAUSE_SPLIT.split(text[:MAX_MATCH_CHARS])
            if len(c.split()) >= min_words and fold(c).split()[0] in _QUESTION_WORDS
        ]

    def _clear_winner(self, clause: str) -> Candidate | None:
        """The clause's best entry if it leads clearly, else None."""
        top = self.rank(clause, limit=2)
        if not top:
            return None
        lead = top[0].score - (top[1].score if len(top) > 1 else 0.0)
        limits = self.thresholds
        if top[0].score >= limits.second_topic and lead >= limits.margin:
            return top[0]
        # A short clause scores lower ("will my hair fall out": 56 against 23 for the next).
        if top[0].score >= limits.suggest and lead >= limits.clause_lead:
            return top[0]
        return None

    def _lone_question_winner(self, text: str) -> Candidate | None:
        """For a long message with exactly one question clause: that clause's clear winner."""
        if len(text[:MAX_MATCH_CHARS].split()) < LONG_MESSAGE_WORDS:
            return None
        clauses = self._question_clauses(text, min_words=3)
        return self._clear_winner(clauses[0]) if len(clauses) == 1 else None

    def _clause_winners(self, text: str) -> list[Candidate]:
        """Clear winners of the message's clauses (distinct entries, best first)."""
        clauses = self._question_clauses(text, min_words=2)
        if len(clauses) < 2:
            return []
        winners: dict[str, Candidate] = {}
        for clause in clauses:
            winner = self._clear_winner(clause)
            if winner is not None:
                known = winners.get(winner.entry_id)
                if known is None or winner.score > known.score:
                    winners[winner.entry_id] = winner
        return sorted(winners.values(), key=lambda c: -c.score)
