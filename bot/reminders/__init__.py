"""Daily blood-test reminders: the rules (time zones, the schedule, when one is due) in
``rules``, the texts in ``replies``, the scheduler that sends each due reminder once in
``scheduler``, and the store interface it needs in ``store`` (a Protocol that
``bot.storage.store`` implements, so storage depends on reminders, not the reverse).

May import: knowledge, conversation, logging_setup. Never Telegram.
"""
