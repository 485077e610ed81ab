"""What the bot says about reminders, free of Telegram (shared wording, one place).

The reminder itself is medical content, so it is closed by
:func:`bot.conversation.answers.with_safety_reminder` and always ends with the FAQ's safety reminder. Settings
confirmations and input errors are not medical and carry no reminder, like /help.
"""

from __future__ import annotations

import datetime as dtm

from bot.conversation.answers import with_safety_reminder
from bot.knowledge.schema import KnowledgeBase
from bot.presentation.reply import Button, Paragraph, Reply, Span
from bot.reminders.parsing import COMMON_ZONES, describe_date, describe_time, tzinfo_for, usable_zone
from bot.reminders.rules import PHASES, WEEKLY_TESTS, Subscription, countdown, local_date, phase_name

#: Button actions (callback data), short and well under Telegram's 64 bytes.
DONE, SNOOZE, STOP, DOSE, FOLLOW_PHASES, EVERY_DAY, PICK_ZONE = (
    "r:done",
    "r:snooze",
    "r:stop",
    "r:dose",
    "r:phases",
    "r:daily",
    "r:zones",
)
ZONE = "z:"  # followed by a canonical zone


def _para(*spans: Span | str) -> Paragraph:
    return tuple(Span(s) if isinstance(s, str) else s for s in spans)


def _info(decision: str, *paragraphs: Paragraph, buttons: tuple[Button, ...] = ()) -> Reply:
    return Reply(paragraphs, buttons, decision=decision, medical=False)


def _zone_label(zone: str) -> str:
    return f"UTC{zone}" if zone[0] in "+-" else zone


def _clock_in(zone: str, now: dtm.datetime) -> str:
    return now.astimezone(tzinfo_for(zone)).strftime("%H:%M")


#: The frequent-test phase lasts until the dose is stable (BSR/BHPR 2017), and doses usually go
#: up in steps, so phase mode is right only if every change is reported (review 2026-12-07, §5).
DOSE_CHANGE_HINT = (
    "Tap “My dose changed” every time your dose goes up or down, so I can bring your tests closer."
)


#: For a row whose saved zone this host cannot use (saved by another host or an older version).
ZONE_UNKNOWN = (
    "The time zone saved with your reminder is not one I know any more, so I can't work out when "
    "to remind you. Please choose yours again with /timezone, for example /timezone Europe/London; "
    "your reminder time is kept."
)


def _schedule_sentence(sub: Subscription, now: dtm.datetime) -> str:
    assert sub.remind_at is not None
    if usable_zone(sub.zone) is None:
        return ZONE_UNKNOWN
    assert sub.zone is not None
    at = describe_time(sub.remind_at)
    zone = f"{_zone_label(sub.zone)} time (it is {_clock_in(sub.zone, now)} there now)"
    if sub.mode == PHASES:
        return (
            f"I will remind you at {at} {zone} on the day your next blood test is due, and every day "
            "after that until you tap “Test done”."
        )
    return f"I will remind you every day at {at} {zone}."


def reminder_reply(knowledge: KnowledgeBase, sub: Subscription, today: dtm.date) -> Reply:
    """The reminder message: what to do, the countdown if known, buttons, then the safety reminder."""
    paragraphs = [
        _para(Span("🩸 Blood test reminder", bold=True)),
        _para(
            "Azathioprine needs regular blood tests: a full blood count, liver and kidney tests, "
            "on the schedule agreed with your IBD, rheumatology or transplant team. If one is due, "
            "please book it or go as arranged."
        ),
    ]
    if text := countdown(sub, today):
        paragraphs.append(_para(text))
    elif sub.mode != PHASES:
        paragraphs.append(_para("Tell me the date of your next test with /nexttest, e.g. /nexttest 3 Dec."))
    if sub.mode == PHASES:
        paragraphs.append(_para(DOSE_CHANGE_HINT))
    buttons = [Button("✅ Test done", DONE), Button("⏰ Snooze 1 hour", SNOOZE)]
    if sub.mode == PHASES:
        buttons.append(Button("💊 My dose changed", DOSE))
    buttons.append(Button("🔕 Stop reminders", STOP))
    return with_safety_reminder(knowledge, paragraphs, buttons, decision="reminder")


def _mode_buttons(sub: Subscription) -> list[Button]:
    if sub.mode == PHASES:
        return [Button("Remind me every day instead", EVERY_DAY)]
    return [Button("Only when a test is due (weekly, then monthly…)", FOLLOW_PHASES)]


def subscribed_reply(sub: Subscription, now: dtm.datetime, *, zone_was_default: bool) -> Reply:
    """After ``/remind HH:MM``: what was set, and easy ways to change zone and mode."""
    paragraphs = [_para(Span("Reminder set. ", bold=True), _schedule_sentence(sub, now))]
    if zone_was_default:
        paragraphs.append(
            _para(
                "Telegram doesn't tell me your time zone, so I used the default. If that's not where you "
                "are, tap “Change time zone” or send /timezone with your local time now, "
                "e.g. /timezone 14:35."
            )
        )
    paragraphs.append(_para("/nexttest DATE records your next test date; /stopreminders stops reminders."))
    buttons = [
        Button("🌍 Change time zone", PICK_ZONE),
        *_mode_buttons(sub),
        Button("🔕 Stop reminders", STOP),
    ]
    return _info("remind_set", *paragraphs, buttons=tuple(buttons))


def settings_reply(sub: Subscription | None, default_zone: str, now: dtm.datetime) -> Reply:
    """``/remind`` alone: the current setting and how to change it."""
    zone = usable_zone(sub.zone if sub else None) or default_zone
    if sub is None or not sub.active:
        state = (
            "Your reminders are switched off."
            if sub is not None and sub.remind_at is not None
            else "You have no blood-test reminder yet."
        )
        return _info(
            "remind_settings",
            _para(Span(state, bold=True)),
            _para(
                "To get one, send /remind with a time, for example /remind 08:00 or /remind 8:30pm. "
                f"Your time zone is {_zone_label(zone)} (it is {_clock_in(zone, now)} there now); "
                "add a zone to change it, e.g. /remind 08:00 Europe/Paris."
            ),
            buttons=(Button("🌍 Change time zone", PICK_ZONE),),
        )
    paragraphs = [_para(Span("Your blood-test reminder", bold=True)), _para(_schedule_sentence(sub, now))]
    if sub.next_test is not None:
        paragraphs.append(_para(f"Next test: {describe_date(sub.next_test)}."))
    paragraphs.append(
        _para(
            "To change the time send /remind with a new time (e.g. /remind 07:30); /timezone changes the "
            "zone, /nexttest DATE sets your next test date, /stopreminders stops them."
        )
    )
    buttons = [
        Button("🌍 Change time zone", PICK_ZONE),
        *_mode_buttons(sub),
        Button("🔕 Stop reminders", STOP),
    ]
    return _info("remind_settings", *paragraphs, buttons=tuple(buttons))


def zone_picker_reply(current: str, now: dtm.datetime) -> Reply:
    """Common zones as buttons, and how to give any other zone."""
    return _info(
        "zone_picker",
        _para(
            f"Your time zone is {_zone_label(current)} (it is {_clock_in(current, now)} there now). "
            "Choose yours below, or send /timezone with your local time now, e.g. /timezone 14:35, and I "
            "will suggest zones. You can also send a zone name or a UTC offset, e.g. /timezone "
            "Asia/Singapore or /timezone +02:00."
        ),
        buttons=tuple(Button(name, ZONE + name) for name in COMMON_ZONES),
    )


def zone_matches_reply(local: dtm.time, zones: list[str]) -> Reply:
    """``/timezone 14:35``: the zones whose clocks show that time now."""
    return _info(
        "zone_matches",
        _para(f"These time zones show {describe_time(local)} now. Which one is yours?"),
        buttons=tuple(Button(_zone_label(z), ZONE + z) for z in zones),
    )


def zone_set_reply(sub: Subscription, now: dtm.datetime) -> Reply:
    """The zone was changed."""
    assert sub.zone is not None
    text = f"Time zone set to {_zone_label(sub.zone)} (it is {_clock_in(sub.zone, now)} there now)."
    if sub.active:
        return _info("zone_set", _para(text), _para(_schedule_sentence(sub, now)))
    return _info(
        "zone_set",
        _para(text),
        _para("Send /remind with a time to get a daily reminder, e.g. /remind 08:00."),
    )


def next_test_reply(sub: Subscription, today: dtm.date) -> Reply:
    """``/nexttest DATE`` was saved."""
    assert sub.next_test is not None
    paragraphs = [_para(f"Got it: your next blood test is on {describe_date(sub.next_test)}.")]
    if text := countdown(sub, today):
        paragraphs.append(_para(text))
    if not sub.active:
        paragraphs.append(_para("Send /remind with a time to get reminders, e.g. /remind 08:00."))
    return _info("next_test", *paragraphs)


def test_done_reply(sub: Subscription, today: dtm.date) -> Reply:
    """The "test done" button."""
    first = _para("Well done, I've noted today's blood test.")
    if sub.mode == PHASES and sub.next_test is not None:
        return _info(
            "test_done",
            first,
            _para(
                f"Following the {phase_name(sub.tests_done)} pattern, your next test would be on "
                f"{describe_date(sub.next_test)}. If your team gave you a different date, send it with "
                "/nexttest, e.g. /nexttest 3 Dec."
            ),
        )
    return _info(
        "test_done", first, _para("When is the next one? Send it with /nexttest, e.g. /nexttest in 4 weeks.")
    )


def dose_changed_reply(sub: Subscription) -> Reply:
    """The "dose changed" button: tests closer together again (the reminders restart weekly)."""
    assert sub.next_test is not None
    # BSR/BHPR 2017: every 2 weeks until stable for 6 weeks; SPS gastro: weeks 2, 4, 8, 12. Weekly
    # reminders are harmless, but the claim must not be "weekly" (review 2026-12-07, S-m4).
    return _info(
        "dose_changed",
        _para(
            "Thanks for telling me. After a dose change blood tests are usually more frequent again for "
            "a while (often every 1 to 2 weeks), so I've set your next test for "
            f"{describe_date(sub.next_test)} and will remind you on test days. "
            "If your team gave you a different date, send it with /nexttest."
        ),
    )


def mode_reply(sub: Subscription, now: dtm.datetime) -> Reply:
    """The mode was switched."""
    paragraphs = [_para(_schedule_sentence(sub, now))] if sub.active else []
    if sub.mode == PHASES and sub.next_test is not None:
        paragraphs.append(
            _para(
                f"Next test: {describe_date(sub.next_test)}. I follow the usual UK pattern (weekly for "
                f"the first {WEEKLY_TESTS} weeks, then monthly, then every 3 months) after each “Test "
                "done”, but your team's schedule comes first: /nexttest sets the date they give you. "
                "In the US and elsewhere schedules differ (often monthly tests long term), so set your "
                "team's dates with /nexttest."
            )
        )
        paragraphs.append(_para(DOSE_CHANGE_HINT))
    if not paragraphs:
        paragraphs.append(_para("Send /remind with a time to switch reminders on, e.g. /remind 08:00."))
    return _info("mode", *paragraphs, buttons=tuple(_mode_buttons(sub)))


def zone_unknown_reply() -> Reply:
    """Sent once to the owner of a reminder whose saved zone this host cannot use."""
    return _info("zone_unknown", _para(Span("About your reminders", bold=True)), _para(ZONE_UNKNOWN))


def snoozed_reply() -> Reply:
    """The snooze button."""
    return _info("snoozed", _para("OK, I'll remind you again in an hour."))


def stopped_reply(was_active: bool) -> Reply:
    """``/stopreminders`` or the stop button."""
    if not was_active:
        return _info("stopped", _para("You have no reminders switched on. /remind 08:00 starts a daily one."))
    return _info(
        "stopped",
        _para("Reminders stopped. I won't send any more."),
        _para("You can start them again any time with /remind, e.g. /remind 08:00."),
    )


def resumed_reply(sub: Subscription, now: dtm.datetime) -> Reply:
    """After the user unblocked the bot and said /start: reminders are back."""
    return _info(
        "resumed",
        _para(Span("Welcome back! ", bold=True), "Your blood-test reminders are on again."),
        _para(_schedule_sentence(sub, now), " /stopreminders stops them."),
    )


def input_error_reply(message: str) -> Reply:
    """A kind correction for something we could not use; nothing was saved."""
    return _info("input_error", _para(message), _para("Nothing was changed."))


def today_for(sub: Subscription, default_zone: str, now: dtm.datetime) -> dtm.date:
    """The user's local date (in their zone, else the default)."""
    return local_date(now, usable_zone(sub.zone) or default_zone)
