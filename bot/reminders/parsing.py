"""What people type for reminders, read kindly: times (``8am``, ``20.15``), time zones (a city, a
name, ``+02:00``) and test dates (``3 Dec``, ``in 2 weeks``, ``friday``); and how they are shown
back. Pure functions: today is always passed in."""

from __future__ import annotations

import calendar
import datetime as dtm
import functools
import importlib.resources
import re
import zoneinfo

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


class ReminderInputError(ValueError):
    """Something the user typed could not be used; ``str(error)`` is a kind sentence with an example."""


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
