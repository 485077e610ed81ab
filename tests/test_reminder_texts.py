"""What the blood-test reminder messages say (review 2026-12-07, S-m3, S-m4 and section 5)."""

from __future__ import annotations

import datetime as dtm

from bot.conversation.reminder_replies import dose_changed_reply, mode_reply, reminder_reply
from bot.presentation.reply import render_text
from bot.reminders import rules as r
from tests.shipped import shipped_knowledge

NOW = dtm.datetime(2026, 6, 1, 9, 0, tzinfo=dtm.UTC)


def phases() -> r.Subscription:
    sub = r.Subscription(1, remind_at=dtm.time(8), zone="Europe/London", state="active")
    return r.follow_phases(sub, NOW.date())


def test_reminder_names_kidney_tests_as_well_as_blood_count_and_liver() -> None:
    text = render_text(reminder_reply(shipped_knowledge(), phases(), NOW.date()))
    assert "full blood count, liver and kidney tests" in text


def test_reminder_in_phase_mode_asks_to_tap_dose_changed_at_every_change() -> None:
    text = render_text(reminder_reply(shipped_knowledge(), phases(), NOW.date()))
    assert "every time your dose goes up or down" in text


def test_dose_changed_reply_does_not_claim_tests_are_weekly_again() -> None:
    text = render_text(dose_changed_reply(r.dose_changed(phases(), NOW.date())))
    assert "weekly again" not in text
    assert "more frequent again for a while (often every 1 to 2 weeks)" in text


def test_phase_mode_says_it_is_the_uk_pattern_and_sends_us_users_to_nexttest() -> None:
    text = render_text(mode_reply(phases(), NOW))
    assert "usual UK pattern" in text
    assert "In the US" in text and "/nexttest" in text


def test_phases_test_weekly_for_the_first_eight_weeks() -> None:
    # UK SmPC: blood count at least weekly for the first 8 weeks (review 2026-12-07, section 5).
    day = NOW.date()
    sub = phases()
    test_days = []
    for _ in range(9):
        assert sub.next_test is not None
        test_days.append((sub.next_test - day).days)
        sub = r.record_test_done(sub, sub.next_test)
    assert test_days == [7, 14, 21, 28, 35, 42, 49, 56, 84]
