"""Fixed replies (welcome, help, privacy, non-text input) and button actions, free of Telegram.

Used by :class:`bot.conversation.Conversation`, so the Telegram bot and the terminal chat
(``azabot chat``) give the same replies; /help and /privacy have a terminal wording where the
terminal differs. Medical replies always come from :mod:`bot.conversation.answers`, which adds the reminder.
"""

from __future__ import annotations

import datetime as dtm
from dataclasses import replace
from pathlib import Path

from bot.conversation.answers import (
    CATEGORY,
    ENTRY,
    MORE,
    NONE_OF_THESE,
    SOURCES,
    TOPICS,
    answer_reply,
    category_reply,
    none_of_these_reply,
    sources_reply,
    topics_reply,
)
from bot.knowledge.schema import KnowledgeBase
from bot.presentation.reply import Button, Paragraph, Reply, Span
from bot.reminders.parsing import describe_time, tzinfo_for
from bot.reminders.rules import LOCAL_CHAT_ID, Subscription

#: The bot's commands and their menu descriptions, in menu order (set with set_my_commands).
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Welcome and what I can do"),
    ("topics", "Browse all topics"),
    ("help", "How to ask a question"),
    ("remind", "Daily blood-test reminder: /remind 08:00"),
    ("nexttest", "Date of your next blood test"),
    ("timezone", "Your time zone for reminders"),
    ("stopreminders", "Stop blood-test reminders"),
    ("privacy", "What is stored and how to erase it"),
    ("forget", "Erase everything stored about this chat"),
)
#: Extra commands in the menu of admins only (a command scope per admin chat).
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("reload", "Admin: re-read and check the FAQ files"),
    ("export", "Admin: send the FAQ files"),
    ("rollback", "Admin: undo the last FAQ file installed here"),
    ("stats", "Admin: questions, answers and feedback"),
    ("unanswered", "Admin: frequent questions without an answer"),
)
#: Button actions of the /forget confirmation.
FORGET_YES, FORGET_NO = "forget:yes", "forget:no"


def _para(*spans: Span | str) -> Paragraph:
    return tuple(Span(s) if isinstance(s, str) else s for s in spans)


def _category_buttons(knowledge: KnowledgeBase) -> tuple[Button, ...]:
    return tuple(Button(name.capitalize(), f"{CATEGORY}{i}") for i, name in enumerate(knowledge.categories))


def welcome_reply(knowledge: KnowledgeBase, first_name: str | None = None) -> Reply:
    """The /start greeting: what the bot is and is not, how to ask, and topic buttons."""
    hello = f"Hello {first_name}!" if first_name else "Hello!"
    return Reply(
        (
            _para(Span(hello, bold=True)),
            _para(
                "I answer common questions about azathioprine (Imuran, Azasan) from a reviewed FAQ, "
                "with the sources for every answer."
            ),
            _para(
                Span("What I am not: ", bold=True),
                "I am not a doctor, I can't give you personal doses or medical advice, and I am not "
                "for emergencies. If you feel very unwell, contact your doctor or call your local "
                "emergency number.",
            ),
            _para(
                "Just type your question in your own words, for example ",
                Span("“Can I drink alcohol?”", bold=True),
                " or ",
                Span("“How often do I need blood tests?”", bold=True),
                ", or choose a topic below.",
            ),
        ),
        _category_buttons(knowledge),
        decision="welcome",
        medical=False,
    )


#: The terminal's own command, after the shared ones in /help.
TERMINAL_COMMANDS = "/due - show a reminder that is due now\nquit - leave the chat"


def help_reply(knowledge: KnowledgeBase, *, terminal: bool = False) -> Reply:
    """The /help text: how to ask and the commands (in the terminal, its own ones too)."""
    reply = Reply(
        (
            _para(Span("How to use this bot", bold=True)),
            _para(
                "Type a question about azathioprine in your own words. I will answer with sources, "
                "suggest the closest topics if I am not sure, or tell you honestly when I don't know."
            ),
            _para(
                "/topics - browse all topics\n/remind 08:00 - a daily blood-test reminder\n"
                "/nexttest 3 Dec - the date of your next test\n/timezone - your time zone\n"
                "/stopreminders - stop reminders\n/privacy - what is stored and how to erase it\n"
                "/forget - erase everything stored about this chat\n/start - the welcome message"
            ),
            _para(
                "I am not a doctor and not for emergencies: for anything about your own treatment, "
                "ask your doctor, nurse or pharmacist."
            ),
        ),
        (Button("Browse topics", TOPICS),),
        decision="help",
        medical=False,
    )
    if not terminal:
        return reply
    paragraphs = (*reply.paragraphs[:3], _para(TERMINAL_COMMANDS), *reply.paragraphs[3:])
    return replace(reply, paragraphs=paragraphs)


def terminal_privacy_reply(database: Path | None) -> Reply:
    """/privacy in ``azabot chat``: what this terminal chat stores, and where."""
    where = f"the bot's database file ({database})" if database else "the bot's database file"
    return Reply(
        (
            _para(Span("Privacy (terminal chat)", bold=True)),
            _para(
                "What you type here is answered and then forgotten: it is not stored, counted or "
                "logged. For a few minutes I remember the topic of my last answer in memory only, "
                "so a short follow-up such as “and with alcohol?” is read with it in mind."
            ),
            _para(
                f"Reminders you set here are stored in {where}, the same file the Telegram bot uses, "
                f"under the fixed local chat id {LOCAL_CHAT_ID} (no Telegram chat has that id): the "
                "reminder time and time zone, your test dates if you give them, and when the setting "
                "was created and changed. They are shown here when due, at the next prompt or with /due."
            ),
            _para("/forget erases everything stored for this terminal chat, after you confirm."),
        ),
        decision="privacy",
        medical=False,
    )


def privacy_reply(*, terminal: bool = False, database: Path | None = None) -> Reply:
    """The /privacy text: what is stored, why, and how to erase it."""
    if terminal:
        return terminal_privacy_reply(database)
    return Reply(
        (
            _para(Span("Privacy", bold=True)),
            _para(
                "Your questions are not stored with your Telegram id. The bot reads each message and "
                "answers it. Technical logs contain ids and errors, never the text of your messages."
            ),
            _para(
                "When I can't answer a question confidently (I suggest topics, say I don't know, or you "
                "tap “None of these”), I keep the text of the question and the time, without your id, "
                "for at most 90 days, so the clinic team can add what patients are missing. Before "
                "keeping it I take out e-mail addresses, dates that include a year or follow “born”, "
                "phone, NHS and other numbers of seven digits or more, and a name after words like "
                "“my name is” or “I'm called”. I can't recognise a name written on its own, so "
                "please don't type personal details into a question."
            ),
            _para(
                "I count how often each answer is shown and how often it was marked helpful or not "
                "helpful, without who asked or voted. To count one vote per answer, I remember which "
                "answers in this chat were voted on in memory only, until the bot restarts."
            ),
            _para(
                "For a few minutes after an answer I remember its topic, in memory only and never "
                "stored, so a short follow-up such as “and with alcohol?” is read with it in mind."
            ),
            _para(
                "If you subscribe to blood-test reminders, the bot stores only what it needs to send "
                "them: your chat id, the reminder time and time zone, whether you chose daily or "
                "test-day reminders, your next test date and the date of your last test if you give "
                "them, how many tests you have marked done since the monitoring pattern began and when "
                "it began, a pending snooze, whether reminders are on or stopped, the day the last "
                "reminder was sent, and when the setting was created and changed. /stopreminders stops "
                "the reminders."
            ),
            _para(
                "/forget erases everything stored about this chat, after you confirm with a button, and "
                "tells you what was erased. Questions and votes kept without an id cannot be linked to "
                "you, so they cannot be picked out and erased: the questions are deleted after 90 "
                "days, and votes exist only as totals per answer and day."
            ),
            _para("Telegram itself keeps the chat history on your devices; you can delete it at any time."),
        ),
        decision="privacy",
        medical=False,
    )


def forget_confirm_reply() -> Reply:
    """/forget: what would be erased, and the confirm button."""
    return Reply(
        (
            _para(Span("Erase your data?", bold=True)),
            _para(
                "This erases everything the bot stores about this chat: your blood-test reminder "
                "settings (time, time zone, test dates). Reminders stop. It cannot be undone."
            ),
        ),
        (Button("Yes, erase everything", FORGET_YES), Button("Cancel", FORGET_NO)),
        decision="forget",
        medical=False,
    )


def forgotten_reply(erased: list[str]) -> Reply:
    """After /forget was confirmed: what was erased (``erased`` describes each thing)."""
    if erased:
        body = _para("Erased:\n" + "\n".join(f"• {item}" for item in erased))
    else:
        body = _para("There was nothing stored about this chat, so nothing had to be erased.")
    return Reply(
        (
            _para(Span("Done.", bold=True)),
            body,
            _para(
                "Questions I could not answer are kept without any id for at most 90 days, so they "
                "cannot be linked to you. You can use the bot again at any time."
            ),
        ),
        decision="forget",
        medical=False,
    )


def forget_cancelled_reply() -> Reply:
    """/forget was cancelled."""
    return Reply((_para("Nothing was erased."),), decision="forget", medical=False)


def reminders_unavailable_reply() -> Reply:
    """A reminder command when no database could be opened (the terminal chat may run without one)."""
    return Reply(
        (_para("Reminders are not available here right now: I can't open the database to keep them."),),
        decision="input_error",
        medical=False,
    )


def nothing_due_reply(sub: Subscription | None, due: dtm.datetime | None) -> Reply:
    """/due when no reminder is due: when the next one is, or how to set one."""
    if sub is None or not sub.active or sub.remind_at is None:
        text = "No reminder is due: you have none switched on. /remind 08:00 starts a daily one."
    elif due is None:
        text = "No reminder is due now."
    else:
        assert sub.zone is not None  # a due instant needs a zone
        local = due.astimezone(tzinfo_for(sub.zone))
        at = describe_time(local.time())
        text = f"No reminder is due now. The next one is on {local:%a %d %b} at {at}."
    return Reply((_para(text),), decision="due", medical=False)


def unknown_command_reply() -> Reply:
    """Any command the bot does not know, and every admin command from someone who is not an admin.

    Both get exactly this reply, so a non-admin learns nothing about admin commands.
    """
    return Reply(
        (_para("Sorry, I don't know that command. /help shows what I can do."),),
        decision="unknown_command",
        medical=False,
    )


def non_text_reply() -> Reply:
    """The kind answer to stickers, photos, voice messages, files and the like."""
    return Reply(
        (
            _para(
                "Thanks! I can only read text, so please type your question, for example "
                "“What are the side effects?”. /topics shows everything I can help with."
            ),
        ),
        (Button("Browse topics", TOPICS),),
        decision="non_text",
        medical=False,
    )


def is_navigation(action: str) -> bool:
    """True for topic-browser actions (a category or back to all topics)."""
    return action == TOPICS or action.startswith(CATEGORY)


def reply_for_action(knowledge: KnowledgeBase, action: str) -> Reply | None:
    """The reply a button action leads to, or None for an unknown action."""
    if action.startswith(ENTRY):
        return answer_reply(knowledge, action[len(ENTRY) :])
    if action.startswith(MORE):
        return answer_reply(knowledge, action[len(MORE) :], full=True)
    if action.startswith(SOURCES):
        return sources_reply(knowledge, action[len(SOURCES) :])
    if action.startswith(CATEGORY):
        try:
            index = int(action[len(CATEGORY) :])
        except ValueError:
            return None
        return category_reply(knowledge, index)
    if action == TOPICS:
        return topics_reply(knowledge, intro="Here is everything I can tell you about.", decision="topics")
    if action == NONE_OF_THESE:
        return none_of_these_reply(knowledge)
    return None
