"""Blood-test reminder rules, free of Telegram: parsing what people type, and when a reminder is due.

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

import calendar
import datetime as dtm
import functools
import importlib.resources
import re
import zoneinfo
from dataclasses import dataclass, replace
from typing import Literal

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
#: How far ahead /nexttest accepts a date (further is almost certainly a typo).
MAX_AHEAD = dtm.timedelta(days=366)

#: Zones offered as buttons, roughly by how many patients of an English-speaking clinic live there.
COMMON_ZONES: tuple[str, ...] = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Athens",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Sydney",
)


#: The chat id of the terminal chat (``azabot chat``) in the shared database. No Telegram chat
#: has id 0, so the Telegram bot leaves its row alone and the terminal touches no other.
LOCAL_CHAT_ID = 0


class ReminderInputError(ValueError):
    """Something the user typed could not be used; ``str(error)`` is a kind sentence with an example."""


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


# -- parsing ------------------------------------------------------------------------------------

_TIME_24 = re.compile(r"(\d{1,2})[:.h](\d{2})")
_TIME_12 = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\.?")
TIME_EXAMPLE = "for example /remind 08:00, /remind 8am or /remind 8:30pm"


def parse_time(text: str) -> dtm.time:
    """A local time of day: ``08:00``, ``8:30``, ``20.15``, ``8am``, ``8:30pm``, ``12am`` (midnight).

    A bare number such as ``8`` is refused: it could be 08:00 or 20:00.
    """
    raw = text.strip().lower()
    if match := _TIME_24.fullmatch(raw):
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise ReminderInputError(
                f"{text.strip()} is not a time of day: hours go from 00 to 23 and minutes from 00 to 59. "
                f"Please use the 24-hour clock, {TIME_EXAMPLE}."
            )
        return dtm.time(hour, minute)
    if match := _TIME_12.fullmatch(raw):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise ReminderInputError(
                f"{text.strip()} is not a time I understand: with am/pm the hour goes from 1 to 12. "
                f"Please try again, {TIME_EXAMPLE}."
            )
        hour = hour % 12 + (12 if match[3] == "p" else 0)
        return dtm.time(hour, minute)
    # isdecimal, not isdigit: "²" is a digit that int() refuses. Only an hour can be meant.
    if raw.isdecimal() and len(raw) <= 2 and int(raw) <= 23:
        raise ReminderInputError(
            f"Did you mean {int(raw):02d}:00 in the morning or in the evening? Please add the minutes "
            f"or am/pm, {TIME_EXAMPLE}."
        )
    raise ReminderInputError(
        f"Sorry, I didn't understand that time. Please write it like this: {TIME_EXAMPLE}."
    )


_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?")
ZONE_EXAMPLE = "for example /timezone Europe/London or /timezone +02:00"


#: Names in the zone database that are not places: a host's own clock, a placeholder zone.
_NOT_PLACES = frozenset({"localtime", "factory", "posixrules"})


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every zone name the bot accepts, keyed in lower case so ``europe/london`` works too.

    The list comes from the ``tzdata`` package the bot depends on, not from the host's folder,
    so a zone saved on one machine loads on every other: a host's extras (``localtime``, a link
    to its own clock, or the ``posix/`` and ``right/`` copies) would stop the reminders of a
    second host that lacks them.
    """
    try:
        listed = importlib.resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
        names = {line.strip() for line in listed.splitlines() if line.strip()}
    except (ModuleNotFoundError, OSError):  # no tzdata package: the host's database, filtered
        names = {n for n in zoneinfo.available_timezones() if not n.startswith(("posix/", "right/"))}
    return {name.lower(): name for name in names if name.lower() not in _NOT_PLACES}


#: UTC offsets in use anywhere, in minutes: -12:00 to +14:00.
_MIN_OFFSET, _MAX_OFFSET = -12 * 60, 14 * 60


def parse_zone(text: str) -> str:
    """A canonical zone: an IANA name (any case) or a UTC offset, returned as ``+HH:MM``.

    Only names in the zone list are accepted (never a path built from user input).
    """
    raw = text.strip()
    lowered = raw.lower()
    if lowered in {"utc", "gmt", "z"}:
        return "UTC"
    if name := _zone_names().get(lowered):
        return name
    if match := _OFFSET.fullmatch(lowered):
        hours, minutes = int(match[2]), int(match[3] or 0)
        signed = (hours * 60 + minutes) * (-1 if match[1] == "-" else 1)
        if minutes not in (0, 15, 30, 45) or not _MIN_OFFSET <= signed <= _MAX_OFFSET:
            raise ReminderInputError(
                f"{raw} is not a UTC offset used anywhere: offsets go from -12:00 to +14:00. "
                f"Please try again, {ZONE_EXAMPLE}."
            )
        return f"{match[1]}{hours:02d}:{minutes:02d}"
    raise ReminderInputError(
        f"I don't know the time zone {raw}. Please use a place name from the time-zone database or "
        f"a UTC offset, {ZONE_EXAMPLE}. You can also send /timezone with your local time now, "
        "for example /timezone 14:35, and I will suggest zones."
    )


def tzinfo_for(zone: str) -> dtm.tzinfo:
    """The tzinfo of a canonical zone from :func:`parse_zone`."""
    if zone[0] in "+-":
        sign = 1 if zone[0] == "+" else -1
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        return dtm.timezone(sign * dtm.timedelta(hours=hours, minutes=minutes))
    return zoneinfo.ZoneInfo(zone)


@functools.cache
def known_zone(zone: str) -> bool:
    """True when a stored zone can be used on this host.

    A row saved by an older version, or on a host with other zones, may hold a name this host
    cannot load; such a row must be skipped, not stop everyone's reminders.
    """
    try:
        return parse_zone(zone) == zone and tzinfo_for(zone) is not None
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return False


def usable_zone(zone: str | None) -> str | None:
    """``zone`` when it can be used on this host, else None (so callers fall back to the default)."""
    return zone if zone is not None and known_zone(zone) else None


def zones_matching_local_time(local: dtm.time, now: dtm.datetime) -> list[str]:
    """Zones whose clock shows ``local`` (to the quarter hour) at ``now``: common zones, then the offset.

    Lets a user pick a zone by telling the bot the time on their clock.
    """
    utc = now.astimezone(dtm.UTC)
    minutes = local.hour * 60 + local.minute - (utc.hour * 60 + utc.minute)
    minutes = (minutes + 12 * 60) % (24 * 60) - 12 * 60  # the offset, in -12:00..+11:59
    offset = round(minutes / 15) * 15
    if offset < -12 * 60:
        offset += 24 * 60
    matches = [
        name
        for name in COMMON_ZONES
        if (utc.astimezone(zoneinfo.ZoneInfo(name)).utcoffset() or dtm.timedelta())
        // dtm.timedelta(minutes=1)
        == offset
    ]
    sign = "+" if offset >= 0 else "-"
    matches.append(f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}")
    return matches


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_WEEKDAYS.update({name.lower(): i for i, name in enumerate(calendar.day_abbr)})
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"([a-z]+)\.?"
_YEAR = r"(?:,?\s+(\d{4}))?"
_DAY_MONTH = re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR}")
_MONTH_DAY = re.compile(rf"{_MONTH}\s+{_DAY}{_YEAR}")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASHED = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_RELATIVE = re.compile(r"in\s+(a|an|one|\d{1,3})\s+(day|week|month)s?")
DATE_EXAMPLE = "for example /nexttest 2026-12-03, /nexttest 3 Dec, /nexttest in 2 weeks or /nexttest friday"


def _make_date(year: int, month: int, day: int, original: str) -> dtm.date:
    try:
        return dtm.date(year, month, day)
    except ValueError:
        if not dtm.MINYEAR <= year <= dtm.MAXYEAR:
            reason = f"there is no year {year}"
        elif 1 <= month <= 12:
            days = calendar.monthrange(year, month)[1]
            reason = f"{calendar.month_name[month]} {year} has only {days} days"
        else:
            reason = "there are only 12 months"
        raise ReminderInputError(
            f"{original} is not a real date: {reason}. Please check it, {DATE_EXAMPLE}."
        ) from None


def _add_months(day: dtm.date, months: int) -> dtm.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dtm.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _month_number(name: str, original: str) -> int:
    month = _MONTHS.get(name)
    if month is None:
        raise ReminderInputError(f"I didn't recognise the month in {original}. Please try {DATE_EXAMPLE}.")
    return month


def _dated(day: int, month: int, year: str | None, today: dtm.date, original: str) -> dtm.date:
    """A day and month, in the given year, else the next time that day comes round (within half a year)."""
    if year:
        return _make_date(int(year), month, day, original)
    candidate = _make_date(today.year, month, day, original) if not (month == 2 and day == 29) else None
    if candidate is None:  # 29 Feb without a year: the next leap year's, if it is close enough
        year_ = next(y for y in range(today.year, today.year + 5) if calendar.isleap(y))
        return _make_date(year_, month, day, original)
    if candidate >= today:
        return candidate
    following = _make_date(today.year + 1, month, day, original)
    # A date that has just passed is far more likely a mistake than a test a year away.
    return following if following - today <= dtm.timedelta(days=183) else candidate


def _parse_date(text: str, today: dtm.date) -> dtm.date:
    raw = " ".join(text.strip().lower().split())
    original = text.strip()
    if raw == "today":
        return today
    if raw == "tomorrow":
        return today + dtm.timedelta(days=1)
    if match := _ISO.fullmatch(raw):
        return _make_date(int(match[1]), int(match[2]), int(match[3]), original)
    if match := _SLASHED.fullmatch(raw):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        if first <= 12 and second <= 12 and first != second:
            raise ReminderInputError(
                f"{original} could mean two different days (day/month or month/day). Please write the "
                f"month as a word or use year-month-day, {DATE_EXAMPLE}."
            )
        day, month = (second, first) if second > 12 else (first, second)
        return _make_date(year, month, day, original)
    if match := _DAY_MONTH.fullmatch(raw):
        return _dated(int(match[1]), _month_number(match[2], original), match[3], today, original)
    if match := _MONTH_DAY.fullmatch(raw):
        return _dated(int(match[2]), _month_number(match[1], original), match[3], today, original)
    if match := _RELATIVE.fullmatch(raw):
        count = 1 if match[1] in {"a", "an", "one"} else int(match[1])
        if match[2] == "month":
            return _add_months(today, count)
        return today + dtm.timedelta(days=count * (7 if match[2] == "week" else 1))
    words = raw.split()
    if words and words[0] in {"next", "this"} and len(words) == 2 and words[1] in _WEEKDAYS:
        raise ReminderInputError(
            f"“{original}” can mean different days to different people. Please send just the day "
            f"name for the coming one, or the date, {DATE_EXAMPLE}."
        )
    if raw in _WEEKDAYS:
        ahead = (_WEEKDAYS[raw] - today.weekday()) % 7
        if ahead == 0:
            raise ReminderInputError(
                f"Today is {calendar.day_name[today.weekday()]}: do you mean today or a week from now? "
                f"Please send /nexttest today or the date, {DATE_EXAMPLE}."
            )
        return today + dtm.timedelta(days=ahead)
    raise ReminderInputError(
        f"Sorry, I didn't understand that date. Please write it like this: {DATE_EXAMPLE}."
    )


def parse_test_date(text: str, today: dtm.date) -> dtm.date:
    """The next blood-test date from what the user typed, relative to their local ``today``.

    Accepts ``2026-12-03``, ``3 Dec``, ``December 3rd 2026``, ``13/12/2026`` (only when day and
    month cannot be swapped), ``today``, ``tomorrow``, ``in 2 weeks``, ``in 3 days``, ``in a
    month``, and a weekday name for the coming one. Refuses impossible and past dates.
    """
    day = _parse_date(text, today)
    if day < today:
        raise ReminderInputError(
            f"{text.strip()} is in the past ({describe_date(day)}). Please send the date of your next "
            f"test, {DATE_EXAMPLE}."
        )
    if day - today > MAX_AHEAD:
        raise ReminderInputError(
            f"{describe_date(day)} is more than a year away; please check the date, {DATE_EXAMPLE}."
        )
    return day


def describe_date(day: dtm.date) -> str:
    """``Thursday 3 December 2026``."""
    return f"{calendar.day_name[day.weekday()]} {day.day} {calendar.month_name[day.month]} {day.year}"


def describe_time(at: dtm.time) -> str:
    """``08:00``."""
    return f"{at.hour:02d}:{at.minute:02d}"


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
