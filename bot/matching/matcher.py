"""Matching a patient's message to FAQ entries, and deciding whether to answer, suggest or decline.

The message is read once (synonyms, spelling corrected to the FAQ's words, which medicines it
names) and scored against every entry by the signals of ``bot.matching.signals``:

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
matched question is answered when the learned decision (``bot.matching.decision``, from ``Matcher.assess``)
is confident enough.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
from rapidfuzz import fuzz, process

from bot.knowledge.about import only_symbols
from bot.knowledge.schema import KnowledgeBase, SmallTalk
from bot.knowledge.textnorm import Normaliser, fold, stem
from bot.matching.about import SelfReader
from bot.matching.decision import DecisionModel, Evidence, shipped_model, word_feature
from bot.matching.embedding import Embedder, default_embedder
from bot.matching.model import (
    FUZZY_SHORTLIST,
    LEARNED_MAX_ENTRIES,
    MAX_CACHED_CORRECTIONS,
    MAX_MATCH_CHARS,
    OVERVIEW_WORDS,
    OWN_MEDICINE_WORD,
    PERMISSION,
    POINTERS_TO_ANOTHER,
    PURPOSE_OPENERS,
    UNNAMED_FALLBACKS,
    UNNAMED_POINTERS,
    USES_WORDS,
    WEIGHTS,
    WITH_IT,
    Assessment,
    Candidate,
    FallbackReason,
    FirstLook,
    Leader,
    Match,
    Mentions,
    Ranking,
    Reading,
    Scores,
    Thresholds,
    without_dummy_it,
)
from bot.matching.rules import RuleCascade
from bot.matching.signals import KeywordEvidence, Meaning, PhrasingSimilarity


class Matcher(RuleCascade):
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
        self._naming_pointers = vocab.refers_to_own - UNNAMED_POINTERS
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
        self._not_background = self._conditions | OVERVIEW_WORDS | USES_WORDS | {OWN_MEDICINE_WORD}
        self._background = dict.fromkeys(self._conditions, WEIGHTS.condition_evidence)
        self._corrections: dict[str, str | None] = {}
        self._smalltalk = {fold(pattern): item for item in knowledge.smalltalk for pattern in item.patterns}
        #: Questions about the bot, emoji, abuse and unreadable messages (``bot.matching.about``).
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

    def _read(self, text: str) -> Reading:
        """Normalise once; scoring, mentions and embedding all use the result."""
        return self._read_words(self.normaliser.words(text[:MAX_MATCH_CHARS]))

    def _read_words(self, words: list[str]) -> Reading:
        if len(words) > 2 and words[0] in PURPOSE_OPENERS and words[-1] == "for":
            # "What is imuran for?" asks what it is used for, not what it is.
            words = [*words[:-1], "used", "for"]
        terms = self._terms(words)
        mentions = self._mentions(self._terms(without_dummy_it(words)))
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
        return Reading(
            words,
            corrected,
            mentions,
            practical=bool(terms & vocab.practical),
            child=bool(terms & vocab.children),
            animal=bool(terms & vocab.animals),
            general=general,
            personal=bool(terms & vocab.people),
            permission=bool(terms & PERMISSION),
        )

    # -- scoring ---------------------------------------------------------------------------

    def scores(self, text: str) -> np.ndarray:
        """Combined score of ``text`` against every entry (in FAQ order), learned signal included."""
        return self._scores(self._read(text)).combined

    def _scores(self, reading: Reading) -> Scores:
        n = len(self._ids)
        words = reading.content
        if not words or n == 0:
            zeros = np.zeros(n)
            return Scores(zeros, zeros, None, zeros, zeros, zeros, zeros)
        background = not set(words) <= self._not_background  # the condition is context
        evidence = self._keywords.evidence(words, self._background if background else {})
        # Embed the synonym-normalised words, so "6mp" and "aza" mean what the FAQ says.
        vector = self._meaning.embed(" ".join(reading.words))
        weights = WEIGHTS
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
        return Scores(combined, base, learned, keywords, closest, centre, phrasing)

    def mentions(self, text: str) -> Mentions:
        """Which medicines the message names or points at (words and two-word phrases)."""
        return self._read(text).mentions

    def _asks_about_entry_medicine(self, reading: Reading, entry_id: str) -> bool:
        """True for "what is 6mp?": it names a medicine the entry is about, and little else."""
        named = reading.mentions.others & self._about[entry_id]
        if not named:
            return False
        name_words = {word for name in named for word in name.split()}
        rest = self.normaliser.meaningful([w for w in reading.words if w not in name_words])
        return set(rest) <= OVERVIEW_WORDS

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

    def _without_conditions(self, reading: Reading) -> Reading | None:
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
            pointers = (pointers - POINTERS_TO_ANOTHER) | (terms & WITH_IT)
        explicit = own or bool(pointers & self._naming_pointers)
        return Mentions(own=own, other=bool(others), refers=bool(pointers), others=others, explicit=explicit)

    def rank(self, text: str, limit: int = 5) -> tuple[Candidate, ...]:
        """The best ``limit`` entries for ``text``, best first."""
        return self._rank(self._read(text), limit)

    def _rank(self, reading: Reading, limit: int) -> tuple[Candidate, ...]:
        return self._ranking(reading, limit).ranked

    def _ranking(self, reading: Reading, limit: int) -> Ranking:
        """The best ``limit`` entries, the best score before the learned signal, and confidence."""
        scores = self._scores(reading)
        factor = 1.0
        if reading.mentions.another_only and not reading.mentions.refers:
            factor = self.thresholds.other_medicine_factor
        order = np.argsort(-scores.combined, kind="stable")[:limit]
        ranked = tuple(Candidate(self._ids[i], round(float(scores.combined[i]) * factor, 1)) for i in order)
        in_scope = float(scores.base.max()) * factor if len(scores.base) else 0.0
        confidence = 0.0
        leader = Leader()
        if len(order):
            top = order[0]
            lead = 0.0
            if scores.learned is not None:
                confidence = float(scores.learned[top])
                runner_up = float(np.partition(scores.learned, -2)[-2]) if len(scores.learned) > 1 else 0.0
                lead = confidence - runner_up
            leader = Leader(
                float(scores.keywords[top]),
                float(scores.keywords.max()),
                float(scores.closest[top]),
                float(scores.centre[top]),
                float(scores.phrasing[top]),
                lead,
            )
        return Ranking(ranked, in_scope, confidence, leader)

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
        here takes it: the learned decision (``bot.matching.decision``) answers or offers an entry when
        its probabilities clear the shipped thresholds. With ``learned_only`` the learned
        decision decides every message (measured beside the rules by ``bench.decision``).
        """
        smalltalk = self.smalltalk_for(text)
        if smalltalk is not None:
            return Match("smalltalk", 100.0, smalltalk=smalltalk)
        about = self.about_self(text)  # the hook of bot.matching.about: emoji, abuse, questions about the bot
        if about is not None:
            return about
        look = self.first_look(text)  # read and ranked once for both decisions
        if self.learned_only:
            return self._learned(self.assess(text, look), alone=True)
        ruled = self.rules(text, look)
        if ruled.decision != "fallback" or ruled.reason not in UNNAMED_FALLBACKS:
            return ruled
        learned = self._learned(self.assess(text, look), alone=False)
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

    def assess(self, text: str, look: FirstLook | None = None) -> Assessment:
        """Read and measure one message for the decision (``bot.matching.decision``), deciding nothing."""
        look = look or self.first_look(text)
        limits = self.thresholds
        reading, ranking, in_scope, doubt = look.reading, look.ranking, look.in_scope, look.doubt
        mentions, ranked, condition_leader = reading.mentions, ranking.ranked, look.condition_leader
        other_question = look.other_medicine
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
