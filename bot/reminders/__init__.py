"""Daily blood-test reminders: the rules (time zones, the schedule, when one is due) in
``rules``, the scheduler that sends each due reminder once in ``scheduler``, and the store
interface it needs in ``store`` (a Protocol that ``bot.storage.store`` implements, so storage
depends on reminders, not the reverse). Their texts are conversation:
:mod:`bot.conversation.reminder_replies`.

May import: logging_setup. Never Telegram.
"""
