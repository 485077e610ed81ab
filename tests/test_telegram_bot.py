"""End to end: the real Application over real HTTP against the fake Bot API server."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.conversation.answers import respond
from bot.knowledge.schema import LoadResult
from bot.knowledge.yamlsource import Problem
from bot.logging_setup import install_redaction
from bot.telegram.app import FaqError, build_application
from bot.telegram.handlers import STATE_KEY, BotState
from bot.telegram.limits import MAX_HELD_UPDATES, UPDATE_QUEUE_SIZE
from tests.conftest import TOKEN, StartBot, bot_settings
from tests.fake_telegram import JSON, FakeTelegram, make_chat, make_message, make_user

CHAT = 4242
GROUP = -1001234567


def state(app: Any) -> BotState:
    result = app.bot_data[STATE_KEY]
    assert isinstance(result, BotState)
    return result


def reminder_end(app: Any) -> str:
    """The last paragraph of the FAQ's safety reminder, as Telegram shows it."""
    return state(app).knowledge.safety.reminder.strip().split("\n\n")[-1].strip()


def pick(app: Any, decision: str, candidates: list[str]) -> str:
    """The first candidate question the live matcher decides ``decision`` for."""
    matcher = state(app).matcher
    for text in candidates:
        if respond(matcher, text).decision == decision:
            return text
    raise AssertionError(f"none of {candidates} gives {decision}")


#: How long to wait for a reply. A /reload rebuilds the matcher, which takes several seconds when
#: the machine's two cores are shared with other work; a wrong reply still fails at once.
REPLY_TIMEOUT = 20.0


async def say(server: FakeTelegram, text: str, chat_id: int = CHAT, n: int = 1, **kwargs: Any) -> list[JSON]:
    """Push a user message and return the bot's ``n`` new messages in that chat."""
    before = len([s for s in server.sent if s["chat_id"] == chat_id])
    server.push_text(chat_id, text, **kwargs)
    sent = await server.wait_for_sent(before + n, chat_id=chat_id, timeout=REPLY_TIMEOUT)
    return sent[before:]


def text_of(record: JSON) -> str:
    return str(record["message"]["text"])


def buttons(record: JSON) -> list[JSON]:
    markup = record["reply_markup"] or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def no_errors(server: FakeTelegram) -> None:
    failed = [(c["method"], c["description"]) for c in server.calls if c["status"] not in (None, 200)]
    assert failed == []


# -- start-up ------------------------------------------------------------------------------------


async def test_commands_menu_is_set(server: FakeTelegram, app: Any) -> None:
    names = [c["command"] for c in server.commands()]
    assert names == [
        "start",
        "topics",
        "help",
        "remind",
        "nexttest",
        "timezone",
        "stopreminders",
        "privacy",
        "forget",
    ]


# -- commands ------------------------------------------------------------------------------------


async def test_start_welcomes_with_limits_and_topic_buttons(server: FakeTelegram, app: Any) -> None:
    [reply] = await say(server, "/start")
    text = text_of(reply)
    assert "not a doctor" in text
    assert "personal doses" in text
    assert "not for emergencies" in text
    labels = [b["text"] for b in buttons(reply)]
    assert len(labels) == len(state(app).knowledge.categories)
    assert all(b["callback_data"].startswith("c:") for b in buttons(reply))
    assert reply["params"]["parse_mode"] == "HTML"
    no_errors(server)


async def test_help_and_privacy(server: FakeTelegram, app: Any) -> None:
    [help_] = await say(server, "/help")
    assert "/topics" in text_of(help_)
    [privacy] = await say(server, "/privacy")
    text = text_of(privacy)
    assert "not stored with your Telegram id" in text
    assert "/forget" in text
    assert "without your id" in text and "90 days" in text  # unanswered questions


async def test_topics_browse_category_entry_and_back(server: FakeTelegram, app: Any) -> None:
    [topics] = await say(server, "/topics")
    first_category = buttons(topics)[0]
    server.press_button(CHAT, first_category["text"])
    [category] = await server.wait_for_sent(1, chat_id=CHAT, method="editMessageText")
    assert category["message_id"] == topics["message_id"]  # the browser is edited in place
    assert buttons(category)[-1]["callback_data"] == "topics"
    assert text_of(category).endswith(reminder_end(app))
    # Back to all topics, in place again.
    server.press_button(CHAT, buttons(category)[-1]["text"])
    edits = await server.wait_for_sent(2, chat_id=CHAT, method="editMessageText")
    assert buttons(edits[-1])[0]["callback_data"] == first_category["callback_data"]
    # Open the category again and an entry: the answer is a new message.
    server.press_button(CHAT, first_category["text"])
    edits = await server.wait_for_sent(3, chat_id=CHAT, method="editMessageText")
    entry_button = buttons(edits[-1])[0]
    server.press_button(CHAT, entry_button["text"])
    sends = await server.wait_for_sent(2, chat_id=CHAT, method="sendMessage")
    answer = text_of(sends[-1])
    assert answer.startswith(entry_button["text"])
    assert [b["text"] for b in buttons(sends[-1])][:2] == ["More", "Sources"]
    assert text_of(sends[-1]).endswith(reminder_end(app))
    await server.wait_for_call("answerCallbackQuery", 4)
    assert len(server.callback_answers) == 4
    no_errors(server)


async def test_deep_link_opens_one_answer(server: FakeTelegram, app: Any) -> None:
    entry = state(app).knowledge.entries[0]
    [reply] = await say(server, f"/start {entry.id}")
    assert text_of(reply).startswith(entry.question)
    assert text_of(reply).endswith(reminder_end(app))


async def test_deep_link_to_unknown_entry_offers_topics(server: FakeTelegram, app: Any) -> None:
    [reply] = await say(server, "/start no-such-entry")
    assert "couldn't find" in text_of(reply)
    assert buttons(reply)


# -- free text -----------------------------------------------------------------------------------


async def test_free_text_answer_is_short_and_more_gives_the_full_answer_with_sources(
    server: FakeTelegram, app: Any
) -> None:
    [reply] = await say(server, "Can I drink alcohol on azathioprine?")
    text = text_of(reply)
    assert "alcohol" in text.lower() and len(text) <= 700
    assert text.endswith(reminder_end(app))
    assert [b["text"] for b in buttons(reply)][:3] == ["More", "Sources", "Warning signs"]
    server.press_button(CHAT, "More")
    sends = await server.wait_for_sent(2, chat_id=CHAT, method="sendMessage")
    full = sends[-1]
    assert "Sources:" in text_of(full) and len(text_of(full)) > len(text)
    links = [e for e in full["message"].get("entities", []) if e["type"] == "text_link"]
    assert links and all(e["url"].startswith("https://") for e in links)
    assert full["params"]["link_preview_options"] == {"is_disabled": True}
    no_errors(server)


async def test_suggestion_button_leads_to_the_answer(server: FakeTelegram, app: Any) -> None:
    vague = ["side effects", "infection", "blood", "tablets", "can i take it at night", "is it safe"]
    question = pick(app, "suggest", vague)
    [reply] = await say(server, question)
    assert text_of(reply).endswith(reminder_end(app))
    choices = buttons(reply)
    assert choices[-1]["callback_data"].startswith("none")  # "none:<stored question id>"
    assert all(len(b["callback_data"].encode()) < 64 for b in choices)
    server.press_button(CHAT, choices[0]["text"])
    sends = await server.wait_for_sent(2, chat_id=CHAT)
    assert text_of(sends[-1]).startswith(choices[0]["text"])
    assert text_of(sends[-1]).endswith(reminder_end(app))
    # "None of these" admits it and shows the topics.
    server.press_button(CHAT, "None of these", message_id=reply["message_id"])
    sends = await server.wait_for_sent(3, chat_id=CHAT)
    assert "don't have an answer" in text_of(sends[-1])
    assert text_of(sends[-1]).endswith(reminder_end(app))


async def test_fallback_offers_the_topic_browser(server: FakeTelegram, app: Any) -> None:
    question = pick(app, "fallback", ["what is the capital of france", "how do I fix my bicycle"])
    [reply] = await say(server, question)
    assert "can't answer" in text_of(reply)
    assert all(b["callback_data"].startswith("c:") for b in buttons(reply))
    assert text_of(reply).endswith(reminder_end(app))


async def test_urgent_message_gets_urgent_advice_first(server: FakeTelegram, app: Any) -> None:
    [reply] = await say(server, "I have a high fever and a bad sore throat since yesterday")
    text = text_of(reply)
    assert text.startswith("⚠️ What you describe can be a warning sign")
    assert "Tablets:" in text
    assert reminder_end(app) not in text  # the advice takes the reminder's place, never both


async def test_crisis_message_gets_the_crisis_line_first_and_nothing_else(
    server: FakeTelegram, app: Any
) -> None:
    [reply] = await say(server, "i cant do this anymore, i want to end my life tonight")
    first_line = text_of(reply).split("\n")[0]
    services = state(app).knowledge.services
    assert services["emergency_number"] in first_line and services["crisis_line"] in first_line
    assert buttons(reply) == []
    assert "can't answer" not in text_of(reply)


async def test_emergency_message_gets_the_emergency_number_first(server: FakeTelegram, app: Any) -> None:
    [reply] = await say(server, "my dad has collapsed and we cant wake him")
    number = state(app).knowledge.services["emergency_number"]
    assert text_of(reply).startswith(f"⚠️ Call {number} now")
    assert "warning-signs" in [b["callback_data"].removeprefix("e:") for b in buttons(reply)]


async def test_user_html_is_escaped_and_accepted(server: FakeTelegram, app: Any) -> None:
    [reply] = await say(server, '<b>can I drink</b> alcohol & <a href="x">wine</a>? <script>')
    assert text_of(reply).endswith(reminder_end(app))
    no_errors(server)


async def test_very_long_message_is_answered(server: FakeTelegram, app: Any) -> None:
    question = "Can I drink alcohol while taking azathioprine? " + "blah " * 1000
    assert len(question) > 5000
    [reply] = await say(server, question[:4096])  # Telegram itself caps incoming text at 4096
    assert text_of(reply).endswith(reminder_end(app))
    server.push_update(
        {
            "message": make_message(
                9000, make_chat(CHAT), make_user(CHAT), text=question
            )  # a 5,000-character text (as a forwarded or API-made message could be)
        }
    )
    sends = await server.wait_for_sent(2, chat_id=CHAT)
    assert text_of(sends[-1]).endswith(reminder_end(app))
    assert all(len(text_of(s)) <= 4096 for s in sends)


async def test_smalltalk_is_answered_with_the_reminder(server: FakeTelegram, app: Any) -> None:
    [reply] = await say(server, "thank you")
    assert text_of(reply).endswith(reminder_end(app))


@pytest.mark.parametrize("command", ["/start", "/help", "/privacy", "/topics", "/forget", "/nosuchcommand"])
async def test_every_fixed_reply_ends_with_the_reminder(server: FakeTelegram, app: Any, command: str) -> None:
    [reply] = await say(server, command)
    assert text_of(reply).endswith(reminder_end(app))


# -- the bot on itself (faq/about.yaml, smalltalk) -----------------------------------------------


@pytest.mark.parametrize(
    ("question", "about_id"),
    [
        ("how do I set up a reminder for my bloods?", "reminders"),
        ("how do i stop the reminders", "reminders"),
        ("are you a human?", "not-a-doctor"),
        ("who wrote these answers?", "who-wrote-the-answers"),
        ("how do I delete what I sent?", "privacy-and-deleting"),
        ("what can you do?", "what-can-you-do"),
        ("what topics are there", "browsing-topics"),
    ],
)
async def test_question_about_the_bot_is_answered_from_the_about_file(
    server: FakeTelegram, app: Any, question: str, about_id: str
) -> None:
    item = next(i for i in state(app).knowledge.about if i.id == about_id)
    [reply] = await say(server, question)
    text = text_of(reply)
    assert text.startswith(item.question)
    assert item.answer.split("\n")[0].strip() in text
    assert text.endswith(reminder_end(app))
    assert "Sorry, I can't answer that" not in text
    no_errors(server)


async def test_reminder_question_shows_the_reminder_commands_to_tap(server: FakeTelegram, app: Any) -> None:
    [reply] = await say(server, "how do I set up a reminder for my bloods?")
    text = text_of(reply)
    for command in ("/remind", "/nexttest", "/timezone", "/stopreminders"):
        assert command in text


async def test_who_wrote_the_answers_quotes_the_entries_review_fields(server: FakeTelegram, app: Any) -> None:
    entries = state(app).knowledge.entries
    [reply] = await say(server, "who wrote these answers?")
    text = text_of(reply)
    assert entries[0].review.reviewed_by in text
    assert str(max(e.review.reviewed for e in entries)) in text
    assert str(min(e.review.next_review for e in entries)) in text


@pytest.mark.parametrize("message", ["hello?? anyone there", "hi", "thanks so much", "👍", "🙏🙏❤️"])
async def test_greeting_thanks_and_emoji_get_a_short_kind_reply_that_says_what_to_ask(
    server: FakeTelegram, app: Any, message: str
) -> None:
    [reply] = await say(server, message)
    text = text_of(reply)
    assert "/topics" in text or "question" in text
    assert "Sorry, I can't answer that" not in text
    assert text.endswith(reminder_end(app))
    assert len(text) <= 700


@pytest.mark.parametrize(
    "message", ["you are a useless piece of crap", "stupid bot", "wtf is wrong with you, useless"]
)
async def test_abuse_gets_a_calm_reply_that_says_what_to_ask(
    server: FakeTelegram, app: Any, message: str
) -> None:
    [reply] = await say(server, message)
    text = text_of(reply)
    assert text.startswith("I'm sorry I'm not being helpful")
    assert "/topics" in text and text.endswith(reminder_end(app))


async def test_a_swear_word_in_a_medical_question_still_gets_the_answer(
    server: FakeTelegram, app: Any
) -> None:
    [reply] = await say(server, "can i drink alcohol on this bloody stupid medicine")
    assert "not being helpful" not in text_of(reply)
    assert "alcohol" in text_of(reply).lower()


@pytest.mark.parametrize(
    "message",
    [
        "Meri ammi ki azathioprine ki goli kal reh gayi thi, kya aaj woh do goliyan ek saath le sakti hain?",
        "Czy przy azatioprynie łatwiej złapać infekcję?",
        "Какие побочные эффекты у азатиоприна?",  # noqa: RUF001
    ],
)
async def test_message_in_a_language_the_bot_cannot_read_gets_an_english_reply_saying_so(
    server: FakeTelegram, app: Any, message: str
) -> None:
    [reply] = await say(server, message)
    text = text_of(reply)
    assert text.startswith("Sorry, I can't read that well enough to answer: I read English.")
    assert {b["text"] for b in buttons(reply)} >= {
        name.capitalize() for name in state(app).knowledge.categories
    }
    assert text.endswith(reminder_end(app))


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        ("Kya main azathioprine ke saath sharab pee sakta hoon?", "alcohol"),
        ("Czy mogę się opalać biorąc azatioprynę?", "sun-protection"),
    ],
)
async def test_the_issues_polish_and_urdu_questions_are_now_answered(
    server: FakeTelegram, app: Any, message: str, entry_id: str
) -> None:
    entry = state(app).knowledge.get(entry_id)
    assert entry is not None
    [reply] = await say(server, message)
    assert text_of(reply).startswith(entry.question)


async def test_english_question_outside_the_faq_is_not_called_unreadable(
    server: FakeTelegram, app: Any
) -> None:
    [reply] = await say(server, "who won the football last night")
    assert "read English" not in text_of(reply)


# -- other input ---------------------------------------------------------------------------------


async def test_sticker_gets_a_kind_text_only_reply(server: FakeTelegram, app: Any) -> None:
    sticker = {
        "file_id": "sticker-1",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    server.push_update({"message": make_message(77, make_chat(CHAT), make_user(CHAT), sticker=sticker)})
    [reply] = await server.wait_for_sent(1, chat_id=CHAT)
    assert "only read text" in text_of(reply)


async def test_edited_messages_are_not_requested(server: FakeTelegram, app: Any) -> None:
    await server.wait_for_call("getUpdates", 1)
    update = server.push_update(
        {"edited_message": make_message(5, make_chat(CHAT), make_user(CHAT), text="alcohol", edit_date=1)}
    )
    assert update in server.dropped_updates


async def test_group_answers_only_when_addressed(server: FakeTelegram, app: Any) -> None:
    kind: dict[str, Any] = {"chat_type": "supergroup", "title": "IBD support"}
    server.push_text(GROUP, "Can I drink alcohol on azathioprine?", **kind)  # not for the bot
    mention = "@AzaTestBot"
    replies = await say(
        server,
        f"{mention} can I drink alcohol?",
        GROUP,
        entities=[{"type": "mention", "offset": 0, "length": len(mention)}],
        **kind,
    )
    assert "alcohol" in text_of(replies[0]).lower()
    assert replies[0]["params"]["reply_parameters"]["message_id"] == 2  # quotes the asker
    await say(server, "what about wine?", GROUP, reply_to_bot=True, **kind)
    await say(server, "/help@AzaTestBot", GROUP, **kind)
    assert len([s for s in server.sent if s["chat_id"] == GROUP]) == 3


# -- failures ------------------------------------------------------------------------------------


async def test_flood_control_is_retried(server: FakeTelegram, app: Any) -> None:
    server.fail_next("sendMessage", 429, retry_after=1)
    [reply] = await say(server, "/help")
    assert "/topics" in text_of(reply)
    statuses = [c["status"] for c in server.calls if c["method"] == "sendMessage"]
    assert statuses == [429, 200]


async def test_error_handler_apologises_and_the_bot_keeps_going(
    server: FakeTelegram, app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    real = state(app).matcher

    class Exploding:
        knowledge = real.knowledge

        def match(self, text: str) -> Any:
            raise RuntimeError("matcher exploded")

    state(app).matcher = Exploding()  # type: ignore[assignment]
    secret_question = "my private question about alcohol"
    with caplog.at_level(logging.ERROR, logger="bot"):
        [reply] = await say(server, secret_question)
    assert "something went wrong" in text_of(reply)
    assert text_of(reply).endswith(reminder_end(app))
    failures = [r for r in caplog.records if r.name == "bot.telegram.errors" and r.levelno == logging.ERROR]
    assert failures and "free_text" in failures[0].getMessage()
    assert isinstance(failures[0].args, tuple)
    assert str(failures[0].args[1]).isdigit()  # the update id
    assert secret_question not in caplog.text
    state(app).matcher = real
    [reply] = await say(server, "Can I drink alcohol?")
    assert "alcohol" in text_of(reply).lower()


async def test_blocked_user_is_handled_quietly(
    server: FakeTelegram, app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    server.fail_next("sendMessage", 403, chat_id=CHAT)
    server.push_text(CHAT, "/help")
    await server.wait_for_call("sendMessage", 1)
    [reply] = await say(server, "/privacy", chat_id=CHAT + 1)  # other chats are unaffected
    assert "Privacy" in text_of(reply)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_token_never_appears_in_logs(server: FakeTelegram, start_bot: StartBot, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        install_redaction([TOKEN])
        await start_bot()
        await say(server, "/start")
        await say(server, "Can I drink alcohol?")
        server.fail_next("sendMessage", 500)
        await say(server, "/help", n=1)
    finally:
        for name in ("httpx", "httpcore", "telegram"):
            logging.getLogger(name).setLevel(logging.NOTSET)
    assert "***" in caplog.text  # the token was there and was redacted
    assert TOKEN not in caplog.text
    assert all(TOKEN not in r.getMessage() for r in caplog.records)


async def test_invalid_faq_refuses_to_start(server: FakeTelegram, caplog: pytest.LogCaptureFixture) -> None:
    broken = LoadResult(None, [Problem("faq/basics.yaml", 3, "answer is empty")])
    app = build_application(bot_settings(server), knowledge_loader=lambda _: broken)
    await app.initialize()
    try:
        assert app.post_init is not None
        with pytest.raises(FaqError, match="will not start"):
            await app.post_init(app)
    finally:
        await app.shutdown()
    assert "faq/basics.yaml" in caplog.text
    assert server.calls_to("setMyCommands") == []


# -- load ----------------------------------------------------------------------------------------


async def test_a_flood_beyond_the_held_updates_is_answered_in_full(
    server: FakeTelegram, start_bot: StartBot
) -> None:
    # The limiter off, so the flood arrives faster than it is answered and the backlog fills.
    await start_bot(rate_limiter=False)
    users = range(500_000, 500_000 + MAX_HELD_UPDATES + UPDATE_QUEUE_SIZE + 40)
    for user in users:
        server.push_text(user, "can i drink on imuran?")
    await server.wait_for_sent(len(users), timeout=120, method="sendMessage")
    answered = {s["chat_id"] for s in server.sent}
    assert set(users) <= answered
    no_errors(server)
