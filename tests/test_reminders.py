"""Reminder rules with an injected clock: parsing, DST, midnight, catch-up, phases, countdown."""

from __future__ import annotations

import datetime as dtm
from dataclasses import replace
from typing import Any

import pytest

from bot.reminders import parsing as rp
from bot.reminders import rules as r
from bot.reminders.parsing import ReminderInputError
from bot.reminders.rules import Subscription

UTC = dtm.UTC
LONDON = "Europe/London"
MINUTE = dtm.timedelta(minutes=1)


def at(text: str) -> dtm.datetime:
    """An aware UTC instant from ``2026-03-29T01:00``."""
    return dtm.datetime.fromisoformat(text).replace(tzinfo=UTC)


def active(remind_at: str, zone: str = LONDON, **fields: Any) -> Subscription:
    sub = Subscription(1, remind_at=dtm.time.fromisoformat(remind_at), zone=zone, state="active")
    return replace(sub, **fields)


def simulate(sub: Subscription, start: dtm.datetime, end: dtm.datetime) -> list[dtm.datetime]:
    """Subscribe at ``start``, tick every minute until ``end``; returns the instants a reminder went out."""
    assert sub.remind_at is not None
    sub = r.subscribe(sub, sub.remind_at, sub.zone, LONDON, start)
    sent: list[dtm.datetime] = []
    now = start
    while now < end:
        if r.is_due(sub, now):
            sent.append(now)
            sub = r.after_sent(sub, now)
        now += MINUTE
    return sent


def local(instant: dtm.datetime, zone: str = LONDON) -> str:
    return instant.astimezone(rp.tzinfo_for(zone)).strftime("%Y-%m-%d %H:%M")


# -- parsing times -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00", dtm.time(8)),
        ("8:30", dtm.time(8, 30)),
        ("20.15", dtm.time(20, 15)),
        ("8am", dtm.time(8)),
        ("8:30pm", dtm.time(20, 30)),
        ("8:30 PM", dtm.time(20, 30)),
        ("12am", dtm.time(0)),
        ("12pm", dtm.time(12)),
        ("00:00", dtm.time(0)),
        ("23:59", dtm.time(23, 59)),
    ],
)
def test_parse_time_accepts_24_hour_and_am_pm(text: str, expected: dtm.time) -> None:
    assert rp.parse_time(text) == expected


def test_parse_time_refuses_25_00_with_an_example() -> None:
    with pytest.raises(ReminderInputError, match="/remind 08:00"):
        rp.parse_time("25:00")


def test_parse_time_refuses_words_with_an_example() -> None:
    with pytest.raises(ReminderInputError, match="/remind 8am"):
        rp.parse_time("abc")


def test_parse_time_refuses_a_bare_hour_as_ambiguous() -> None:
    with pytest.raises(ReminderInputError, match="morning or in the evening"):
        rp.parse_time("8")


def test_parse_time_refuses_13pm() -> None:
    with pytest.raises(ReminderInputError, match="1 to 12"):
        rp.parse_time("13pm")


# -- parsing zones -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("UTC", "UTC"),
        ("+02:00", "+02:00"),
        ("-5", "-05:00"),
        ("UTC+5:30", "+05:30"),
        ("gmt-0330", "-03:30"),
    ],
)
def test_parse_zone_accepts_iana_names_and_offsets(text: str, expected: str) -> None:
    assert rp.parse_zone(text) == expected


def test_parse_zone_refuses_mars_olympus_with_an_example() -> None:
    with pytest.raises(ReminderInputError, match="/timezone Europe/London"):
        rp.parse_zone("Mars/Olympus")


def test_parse_zone_refuses_paths() -> None:
    with pytest.raises(ReminderInputError):
        rp.parse_zone("../../etc/passwd")


def test_parse_zone_refuses_offsets_no_zone_uses() -> None:
    with pytest.raises(ReminderInputError, match="-12:00 to \\+14:00"):
        rp.parse_zone("+15:00")


def test_zones_matching_local_time_offers_zones_showing_that_time() -> None:
    now = at("2026-07-01T12:00")  # London is on BST (12:00Z = 13:00 local)
    zones = rp.zones_matching_local_time(dtm.time(13, 2), now)
    assert zones[0] == "Europe/London"
    assert "Europe/Dublin" in zones
    assert zones[-1] == "+01:00"


def test_zones_matching_local_time_wraps_round_midnight() -> None:
    zones = rp.zones_matching_local_time(dtm.time(0, 30), at("2026-01-15T23:30"))
    assert zones[-1] == "+01:00"
    assert "Europe/Paris" in zones


# -- parsing dates -----------------------------------------------------------------------------

TODAY = dtm.date(2026, 11, 27)  # a Friday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-03", dtm.date(2026, 12, 3)),
        ("3 Dec", dtm.date(2026, 12, 3)),
        ("3rd December", dtm.date(2026, 12, 3)),
        ("Dec 3", dtm.date(2026, 12, 3)),
        ("December 3rd 2026", dtm.date(2026, 12, 3)),
        ("5 Jan", dtm.date(2027, 1, 5)),
        ("13/12/2026", dtm.date(2026, 12, 13)),
        ("in 2 weeks", dtm.date(2026, 12, 11)),
        ("in 3 days", dtm.date(2026, 11, 30)),
        ("in a month", dtm.date(2026, 12, 27)),
        ("tomorrow", dtm.date(2026, 11, 28)),
        ("today", TODAY),
        ("monday", dtm.date(2026, 11, 30)),
        ("Thu", dtm.date(2026, 12, 3)),
    ],
)
def test_parse_test_date_accepts_unambiguous_forms(text: str, expected: dtm.date) -> None:
    assert rp.parse_test_date(text, TODAY) == expected


def test_parse_test_date_refuses_30_february_saying_why() -> None:
    with pytest.raises(ReminderInputError, match=r"February 2026 has only 28 days.*/nexttest 2026-12-03"):
        rp.parse_test_date("2026-02-30", TODAY)


def test_parse_test_date_refuses_a_past_date() -> None:
    with pytest.raises(ReminderInputError, match="in the past"):
        rp.parse_test_date("2026-11-20", TODAY)


def test_parse_test_date_refuses_a_day_month_that_just_passed() -> None:
    with pytest.raises(ReminderInputError, match="in the past"):
        rp.parse_test_date("20 Nov", TODAY)


def test_parse_test_date_refuses_swappable_slashed_dates() -> None:
    with pytest.raises(ReminderInputError, match="two different days"):
        rp.parse_test_date("03/12/2026", TODAY)


def test_parse_test_date_refuses_todays_weekday_as_ambiguous() -> None:
    with pytest.raises(ReminderInputError, match="today or a week from now"):
        rp.parse_test_date("friday", TODAY)


def test_parse_test_date_refuses_next_weekday_as_ambiguous() -> None:
    with pytest.raises(ReminderInputError, match="different days"):
        rp.parse_test_date("next friday", TODAY)


def test_parse_test_date_refuses_gibberish_with_an_example() -> None:
    with pytest.raises(ReminderInputError, match="/nexttest 3 Dec"):
        rp.parse_test_date("soonish", TODAY)


# -- DST ---------------------------------------------------------------------------------------


def test_0800_london_stays_0800_local_across_the_march_change() -> None:
    sent = simulate(active("08:00"), at("2026-03-28T00:00"), at("2026-03-31T00:00"))
    assert [local(s) for s in sent] == ["2026-03-28 08:00", "2026-03-29 08:00", "2026-03-30 08:00"]
    assert [s.hour for s in sent] == [8, 7, 7]  # the UTC instant moves, the local time does not


def test_0800_london_stays_0800_local_across_the_october_change() -> None:
    sent = simulate(active("08:00"), at("2026-10-24T00:00"), at("2026-10-27T00:00"))
    assert [local(s) for s in sent] == ["2026-10-24 08:00", "2026-10-25 08:00", "2026-10-26 08:00"]
    assert [s.hour for s in sent] == [7, 8, 8]


def test_a_skipped_time_fires_once_at_the_next_valid_minute() -> None:
    # 01:30 does not exist in London on 29 March 2026 (01:00 GMT -> 02:00 BST).
    sent = simulate(active("01:30"), at("2026-03-28T12:00"), at("2026-03-30T12:00"))
    assert [local(s) for s in sent] == ["2026-03-29 02:00", "2026-03-30 01:30"]


def test_a_repeated_time_fires_once_at_its_first_occurrence() -> None:
    # 01:30 happens twice in London on 25 October 2026 (02:00 BST -> 01:00 GMT).
    sent = simulate(active("01:30"), at("2026-10-24T12:00"), at("2026-10-26T12:00"))
    assert sent == [at("2026-10-25T00:30"), at("2026-10-26T01:30")]


# -- midnight, catch-up ------------------------------------------------------------------------


def test_midnight_reminder_fires_at_local_midnight_not_before() -> None:
    sub = active("00:00", last_sent=dtm.date(2026, 6, 1))
    assert not r.is_due(sub, at("2026-06-01T22:59"))  # 23:59 BST
    assert r.is_due(sub, at("2026-06-01T23:00"))  # 00:00 BST on 2 June
    assert r.local_date(at("2026-06-01T23:00"), LONDON) == dtm.date(2026, 6, 2)


def test_a_zone_ahead_of_utc_wraps_to_the_previous_utc_day() -> None:
    sent = simulate(active("07:00", "Asia/Tokyo"), at("2026-06-01T00:00"), at("2026-06-03T00:00"))
    assert sent == [at("2026-06-01T22:00"), at("2026-06-02T22:00")]  # 07:00 JST on 2 and 3 June


def test_a_late_evening_time_behind_utc_wraps_to_the_next_utc_day() -> None:
    sent = simulate(active("23:30", "-05:00"), at("2026-06-01T00:00"), at("2026-06-02T12:00"))
    assert sent == [at("2026-06-01T04:30"), at("2026-06-02T04:30")]  # 23:30 on 31 May and 1 June


def test_catch_up_sends_a_missed_reminder_the_same_local_day() -> None:
    sub = active("08:00", last_sent=dtm.date(2026, 6, 1))
    assert r.is_due(sub, at("2026-06-02T11:00"))  # the bot was down at 08:00 BST, back at noon


def test_catch_up_skips_a_reminder_missed_on_an_earlier_day() -> None:
    sub = active("08:00", last_sent=dtm.date(2026, 6, 1))
    now = at("2026-06-03T05:00")  # down all of 2 June; back at 06:00 BST on 3 June
    assert not r.is_due(sub, now)
    assert r.next_due(sub, now) == at("2026-06-03T07:00")


def test_never_two_on_one_local_day() -> None:
    sub = r.after_sent(active("08:00"), at("2026-06-02T07:00"))
    assert not r.is_due(sub, at("2026-06-02T22:59"))


def test_subscribing_after_todays_time_starts_tomorrow() -> None:
    now = at("2026-06-02T12:00")
    sub = r.subscribe(Subscription(1), dtm.time(8), None, LONDON, now)
    assert not r.is_due(sub, now)
    assert r.next_due(sub, now) == at("2026-06-03T07:00")


def test_subscribing_before_todays_time_starts_today() -> None:
    now = at("2026-06-02T06:00")
    sub = r.subscribe(Subscription(1), dtm.time(8), None, LONDON, now)
    assert r.next_due(sub, now) == at("2026-06-02T07:00")


def test_subscribe_uses_the_saved_zone_before_the_default() -> None:
    sub = r.subscribe(Subscription(1, zone="Asia/Tokyo"), dtm.time(8), None, LONDON, at("2026-06-02T00:00"))
    assert sub.zone == "Asia/Tokyo"


def test_changing_the_time_after_todays_reminder_does_not_send_a_second() -> None:
    sent = r.after_sent(active("08:00"), at("2026-06-02T07:00"))
    moved = r.subscribe(sent, dtm.time(20), None, LONDON, at("2026-06-02T10:00"))
    assert not r.is_due(moved, at("2026-06-02T19:30"))


def test_snooze_sends_one_more_an_hour_later() -> None:
    sub = r.after_sent(active("08:00"), at("2026-06-02T07:00"))
    snoozed = r.snooze(sub, at("2026-06-02T07:05"))
    assert not r.is_due(snoozed, at("2026-06-02T08:04"))
    assert r.is_due(snoozed, at("2026-06-02T08:05"))
    assert not r.is_due(r.after_sent(snoozed, at("2026-06-02T08:05")), at("2026-06-02T09:00"))


def test_a_stopped_subscription_is_never_due() -> None:
    assert r.next_due(r.stop(active("08:00")), at("2026-06-02T12:00")) is None


def test_resume_after_a_block_starts_from_the_next_time() -> None:
    sub = r.blocked(active("08:00"))
    resumed = r.resume(sub, at("2026-06-02T12:00"))
    assert resumed.active
    assert r.next_due(resumed, at("2026-06-02T12:00")) == at("2026-06-03T07:00")


# -- monitoring phases -------------------------------------------------------------------------


def test_following_phases_starts_weekly() -> None:
    sub = r.follow_phases(active("08:00"), dtm.date(2026, 6, 1))
    assert sub.mode == r.PHASES
    assert sub.next_test == dtm.date(2026, 6, 8)


def test_phases_go_weekly_then_monthly_then_every_three_months() -> None:
    day = dtm.date(2026, 1, 5)
    sub = r.follow_phases(active("08:00"), day)
    gaps = []
    for _ in range(13):
        assert sub.next_test is not None
        day = sub.next_test
        before = day
        sub = r.record_test_done(sub, day)
        assert sub.next_test is not None
        gaps.append((sub.next_test - before).days)
    assert gaps == [7] * (r.WEEKLY_TESTS - 1) + [28] * 3 + [84] * 3


def test_dose_changed_restarts_the_weekly_phase() -> None:
    sub = replace(active("08:00", mode=r.PHASES), tests_done=10, next_test=dtm.date(2026, 9, 1))
    changed = r.dose_changed(sub, dtm.date(2026, 6, 1))
    assert (changed.tests_done, changed.next_test) == (0, dtm.date(2026, 6, 8))
    assert r.phase_name(changed.tests_done) == "weekly"


def test_phase_mode_reminds_on_the_due_day_and_daily_while_overdue() -> None:
    sub = replace(active("08:00", mode=r.PHASES), next_test=dtm.date(2026, 6, 4))
    sent = simulate(sub, at("2026-06-01T00:00"), at("2026-06-07T00:00"))
    assert [local(s)[:10] for s in sent] == ["2026-06-04", "2026-06-05", "2026-06-06"]


def test_test_done_in_phase_mode_stops_the_overdue_reminders() -> None:
    sub = replace(active("08:00", mode=r.PHASES), next_test=dtm.date(2026, 6, 4))
    done = r.record_test_done(sub, dtm.date(2026, 6, 5))
    assert done.next_test == dtm.date(2026, 6, 12)
    assert not r.is_due(done, at("2026-06-06T07:00"))


def test_daily_mode_test_done_asks_for_the_next_date() -> None:
    done = r.record_test_done(active("08:00", next_test=dtm.date(2026, 6, 4)), dtm.date(2026, 6, 4))
    assert (done.next_test, done.last_test) == (None, dtm.date(2026, 6, 4))


# -- countdown ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [(3, "in 3 days"), (1, "tomorrow"), (0, "today"), (-1, "has passed. When is the next one?")],
)
def test_countdown(days: int, expected: str) -> None:
    today = dtm.date(2026, 6, 1)
    text = r.countdown(active("08:00", next_test=today + dtm.timedelta(days=days)), today)
    assert text is not None and expected in text


def test_countdown_in_phase_mode_once_passed_asks_for_test_done() -> None:
    today = dtm.date(2026, 6, 1)
    sub = replace(active("08:00", mode=r.PHASES), next_test=dtm.date(2026, 5, 30))
    assert "Test done" in (r.countdown(sub, today) or "")
