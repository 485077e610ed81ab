"""Blood-test reminder rules, free of Telegram: the subscription, and when a reminder is due
(what people type is read in :mod:`bot.reminders.parsing`).

Everything here is a pure function of its arguments. The current time is always passed in (the
callers get it from an injected clock), never read with ``datetime.now()``, so tests can stand on
any day, including the daylight-saving changes.

Time-zone rules (all via :mod:`zoneinfo`):

* A reminder is set in *local* wall-clock time, so 08:00 Europe/London stays 08:00 local across
  the March and October changes (the UTC instant moves, the local time does not).
* A local time that does not exist on a spring-forward day (01:30 in London on the last Sunday of
  March) fires once, at the next local minute that exists (02:00 BST).
* A local time that occurs twice on a fall-back day fires once, at its first occurrence; the
  last-sent local date stops the second.

Modes: ``daily`` (the default) reminds every day. ``phases`` follows the usual monitoring pattern
(weekly at first, then monthly, then every three months) and reminds only on the day a test is
due, and daily while it is overdue. The intervals are a common pattern, not a prescription: the
user can always set the date their team gave them with ``/nexttest``.
"""

from __future__ import annotations

import datetime as dtm
from dataclasses import dataclass, replace
from typing import Literal

from bot.reminders.parsing import describe_date, known_zone, tzinfo_for, usable_zone

Mode = Literal["daily", "phases"]
State = Literal["active", "stopped", "blocked"]

DAILY: Mode = "daily"
PHASES: Mode = "phases"

#: Monitoring phases: this many weekly tests, then this many monthly (4-weekly) ones, then 12-weekly.
#: 8 weekly tests because the UK SmPC (Imuran, Jayempi) asks for a blood count at least weekly for
#: the first 8 weeks; that also covers BSR/BHPR 2017 (2-weekly until stable for 6 weeks) and
#: BSG/SPS gastroenterology (weeks 2, 4, 8, 12). Was 6; changed after review 2026-12-07, section 5.
WEEKLY_TESTS = 8
MONTHLY_TESTS = 3
WEEKLY, MONTHLY, QUARTERLY = dtm.timedelta(weeks=1), dtm.timedelta(weeks=4), dtm.timedelta(weeks=12)
SNOOZE = dtm.timedelta(hours=1)


#: The chat id of the terminal chat (``azabot chat``) in the shared database. No Telegram chat
#: has id 0, so the Telegram bot leaves its row alone and the terminal touches no other.
LOCAL_CHAT_ID = 0


# -- the subscription ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    """Everything stored about one chat's reminders (and nothing else).

    ``last_sent`` is the *local* date of the last reminder sent, or of the day the time was set
    when that day's time had already passed (so the first reminder is the next one, not an
    immediate one). ``remind_at`` is None when only a zone or test date has been saved so far.
    """

    chat_id: int
    remind_at: dtm.time | None = None
    zone: str | None = None
    mode: Mode = DAILY
    next_test: dtm.date | None = None
    last_sent: dtm.date | None = None
    phase_start: dtm.date | None = None
    tests_done: int = 0
    last_test: dtm.date | None = None
    snoozed_until: dtm.datetime | None = None
    state: State = "stopped"

    @property
    def active(self) -> bool:
        """True when reminders are on and a time is set."""
        return self.state == "active" and self.remind_at is not None


# -- when reminders are due ---------------------------------------------------------------------


def local_date(now: dtm.datetime, zone: str) -> dtm.date:
    """The date on the user's clock at the instant ``now`` (an aware datetime)."""
    return now.astimezone(tzinfo_for(zone)).date()


def _exists(local: dtm.datetime) -> bool:
    """False for wall-clock times skipped by a spring-forward change (they do not survive a round trip)."""
    back = local.astimezone(dtm.UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def fire_instant(day: dtm.date, at: dtm.time, zone: str) -> dtm.datetime:
    """The UTC instant at which ``at`` local time happens on ``day`` in ``zone``.

    Skipped times move to the next local minute that exists; repeated times use the first
    occurrence (``fold=0``).
    """
    tz = tzinfo_for(zone)
    local = dtm.datetime.combine(day, at, tzinfo=tz)
    for _ in range(24 * 60):  # gaps are at most a few hours; the bound only guards the loop
        if _exists(local):
            break
        local += dtm.timedelta(minutes=1)
    return local.replace(fold=0).astimezone(dtm.UTC)


def _wanted_on(sub: Subscription, day: dtm.date) -> bool:
    """Whether the subscription's mode sends a reminder on local date ``day`` at all."""
    if sub.mode == PHASES and sub.next_test is not None:
        return day >= sub.next_test  # the due day, then daily while overdue
    return True


def next_due(sub: Subscription, now: dtm.datetime) -> dtm.datetime | None:
    """The instant the next reminder is due (at or before ``now`` means: send it now), or None.

    Only today's and later local days count: a reminder missed on an earlier day (the bot was
    down) is not sent late. A snooze adds one extra instant.
    """
    if not sub.active or sub.remind_at is None or sub.zone is None or not known_zone(sub.zone):
        return None
    today = local_date(now, sub.zone)
    due: dtm.datetime | None = None
    for offset in range(0, 400):
        day = today + dtm.timedelta(days=offset)
        if (sub.last_sent is not None and day <= sub.last_sent) or not _wanted_on(sub, day):
            continue
        instant = fire_instant(day, sub.remind_at, sub.zone)
        if offset == 0 or instant > now:
            due = instant
            break
    if sub.snoozed_until is not None and (due is None or sub.snoozed_until < due):
        due = sub.snoozed_until
    return due


def is_due(sub: Subscription, now: dtm.datetime) -> bool:
    """True when a reminder should go out for ``sub`` at ``now``."""
    due = next_due(sub, now)
    return due is not None and due <= now


def after_sent(sub: Subscription, now: dtm.datetime) -> Subscription:
    """The subscription once a reminder has been delivered at ``now``: today is done, any snooze used."""
    assert sub.zone is not None
    return replace(sub, last_sent=local_date(now, sub.zone), snoozed_until=None)


def _arm(sub: Subscription, now: dtm.datetime) -> Subscription:
    """After the time, zone or state changes: if today's time has already passed, start tomorrow.

    Also keeps "never two on one local day": when today's reminder went out already, it stays done.
    """
    if sub.remind_at is None or sub.zone is None or not known_zone(sub.zone):
        return sub
    today = local_date(now, sub.zone)
    if sub.last_sent is not None and sub.last_sent >= today:
        return sub
    if fire_instant(today, sub.remind_at, sub.zone) <= now:
        return replace(sub, last_sent=today)
    return sub


def subscribe(
    sub: Subscription, at: dtm.time, zone: str | None, default_zone: str, now: dtm.datetime
) -> Subscription:
    """``/remind HH:MM [ZONE]``: set the time (and zone), and switch reminders on."""
    chosen = zone or usable_zone(sub.zone) or default_zone
    return _arm(replace(sub, remind_at=at, zone=chosen, state="active", snoozed_until=None), now)


def set_zone(sub: Subscription, zone: str, now: dtm.datetime) -> Subscription:
    """``/timezone ZONE``: the same local time, now in ``zone``."""
    return _arm(replace(sub, zone=zone), now)


def set_next_test(sub: Subscription, day: dtm.date) -> Subscription:
    """``/nexttest DATE``."""
    return replace(sub, next_test=day)


def stop(sub: Subscription) -> Subscription:
    """``/stopreminders`` or the stop button."""
    return replace(sub, state="stopped", snoozed_until=None)


def blocked(sub: Subscription) -> Subscription:
    """Telegram said the user blocked the bot: no more sends until they come back."""
    return replace(sub, state="blocked", snoozed_until=None)


def resume(sub: Subscription, now: dtm.datetime) -> Subscription:
    """The user came back after blocking the bot: reminders on again, from the next due time."""
    return _arm(replace(sub, state="active"), now)


def snooze(sub: Subscription, now: dtm.datetime) -> Subscription:
    """The snooze button: one more reminder an hour from now."""
    return replace(sub, snoozed_until=now.astimezone(dtm.UTC) + SNOOZE)


def phase_interval(tests_done: int) -> dtm.timedelta:
    """Time to the next test after ``tests_done`` tests in the current phase sequence."""
    if tests_done < WEEKLY_TESTS:
        return WEEKLY
    if tests_done < WEEKLY_TESTS + MONTHLY_TESTS:
        return MONTHLY
    return QUARTERLY


def phase_name(tests_done: int) -> str:
    """``weekly``, ``monthly`` or ``every 3 months``: the phase the next test belongs to."""
    interval = phase_interval(tests_done)
    return {WEEKLY: "weekly", MONTHLY: "monthly"}.get(interval, "every 3 months")


def follow_phases(sub: Subscription, today: dtm.date) -> Subscription:
    """Switch to monitoring-phase mode; starts the weekly phase unless one is already under way."""
    start = sub.phase_start or today
    next_test = sub.next_test if sub.next_test is not None else today + phase_interval(sub.tests_done)
    return replace(sub, mode=PHASES, phase_start=start, next_test=next_test)


def daily(sub: Subscription) -> Subscription:
    """Back to the default: a reminder every day."""
    return replace(sub, mode=DAILY)


def dose_changed(sub: Subscription, today: dtm.date) -> Subscription:
    """The dose changed: weekly tests again, from a week after today."""
    return replace(sub, mode=PHASES, phase_start=today, tests_done=0, next_test=today + WEEKLY)


def record_test_done(sub: Subscription, today: dtm.date) -> Subscription:
    """A test was done today: record it; in phase mode compute the next date, otherwise ask for it.

    Once a day: a double tap on "Test done" must not count two tests (and skip a phase step).
    """
    if sub.last_test == today:
        return sub
    done = replace(sub, last_test=today, snoozed_until=None)
    if sub.mode != PHASES:
        return replace(done, next_test=None)
    tests = sub.tests_done + 1
    return replace(
        done, tests_done=tests, next_test=today + phase_interval(tests), phase_start=sub.phase_start or today
    )


def countdown(sub: Subscription, today: dtm.date) -> str | None:
    """The countdown sentence for the next test, or a request for the date once it has passed."""
    if sub.next_test is None:
        return None
    days = (sub.next_test - today).days
    when = describe_date(sub.next_test)
    if days > 1:
        return f"Your next blood test is in {days} days ({when})."
    if days == 1:
        return f"Your next blood test is tomorrow ({when})."
    if days == 0:
        return f"Your blood test is today ({when})."
    if sub.mode == PHASES:
        return (
            f"Your blood test was due on {when}. Once you have had it, tap “Test done” and I will "
            "work out the next date."
        )
    return (
        f"The test date you gave me ({when}) has passed. When is the next one? Send it with /nexttest, "
        "for example /nexttest 2026-12-03 or /nexttest in 4 weeks."
    )
