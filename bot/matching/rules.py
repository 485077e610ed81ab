"""The hand rules of the decision (``Matcher.rules``), each written for a kind of message the
scores alone got wrong, and the clause reading they share with ``Matcher.assess``. Matcher
inherits them; their ``self`` is the matcher.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.knowledge.textnorm import fold, stem
from bot.matching.model import (
    CLAUSE_SPLIT,
    LONG_MESSAGE_WORDS,
    MAX_MATCH_CHARS,
    OVERVIEW_WORDS,
    OWN_MEDICINE_WORD,
    QUESTION_WORDS,
    Candidate,
    FallbackReason,
    FirstLook,
    Match,
    Ranking,
    Reading,
    Thresholds,
    asks_about_role,
)


class RuleCascade:
    """The rule cascade and the clause reading, mixed into :class:`bot.matching.matcher.Matcher`."""

    if TYPE_CHECKING:  # what the rules use of the matcher, which defines all of it
        thresholds: Thresholds
        _ids: Sequence[str]
        _needs_medicine: AbstractSet[str]
        _condition_entries: AbstractSet[str]
        _overview_entries: AbstractSet[str]
        _not_background: AbstractSet[str]
        _related: Mapping[str, frozenset[str]]
        _wins_when: Mapping[str, tuple[str, ...]]

        def _read(self, text: str) -> Reading: ...
        def _ranking(self, reading: Reading, limit: int) -> Ranking: ...
        def rank(self, text: str, limit: int = 5) -> tuple[Candidate, ...]: ...
        def _asks_about_entry_medicine(self, reading: Reading, entry_id: str) -> bool: ...
        def _condition_free(self, words: list[str]) -> list[str]: ...
        def _without_conditions(self, reading: Reading) -> Reading | None: ...

    def first_look(self, text: str) -> FirstLook:
        """Read and rank ``text`` once, for the rules and the learned decision alike."""
        reading = self._read(text)
        mentions = reading.mentions
        ranking = self._ranking(reading, limit=max(5, self.thresholds.suggestions))
        in_scope = ranking.in_scope  # judged on all it says, conditions included
        doubt: Candidate | None = None
        condition_leader = bool(ranking.ranked) and ranking.ranked[0].entry_id in self._condition_entries
        if condition_leader:
            ranking, doubt = self._context_free_ranking(reading, ranking)
        ranked = ranking.ranked
        # "Alcohol on methotrexate?" names another medicine and nothing points at ours: it is
        # that medicine's question, which an azathioprine entry would answer wrongly.
        # Except a bare "what are biologics?" when an entry is about that very medicine: that
        # entry is offered, never answered ("side effects of cellcept" stays out).
        other_medicine = bool(
            mentions.another_only
            and not mentions.refers
            and not (ranked and self._asks_about_entry_medicine(reading, ranked[0].entry_id))
        )
        return FirstLook(reading, ranking, in_scope, doubt, condition_leader, other_medicine)

    def rules(self, text: str, look: FirstLook | None = None) -> Match:
        """The hand-written decision rules (before the learned decision), for a non-small-talk message."""
        look = look or self.first_look(text)
        limits = self.thresholds
        reading, ranking, in_scope, doubt = look.reading, look.ranking, look.in_scope, look.doubt
        mentions, ranked, other_medicine = reading.mentions, ranking.ranked, look.other_medicine
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

    def _context_free_ranking(self, reading: Reading, ranking: Ranking) -> tuple[Ranking, Candidate | None]:
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
        if asks_about_role(reading) or content <= self._not_background:
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

    def _lifted_by_background(self, reading: Reading, best: Candidate) -> frozenset[str]:
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
            and not asks_about_role(reading)
            and len(self._condition_free(reading.words)) < len(reading.words)
        ):
            lifted |= self._condition_entries
        if (
            best.entry_id not in self._overview_entries
            and reading.mentions.own
            and any(w != OWN_MEDICINE_WORD and stem(w) not in OVERVIEW_WORDS for w in content)
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
            for c in CLAUSE_SPLIT.split(text[:MAX_MATCH_CHARS])
            if len(c.split()) >= min_words and fold(c).split()[0] in QUESTION_WORDS
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
