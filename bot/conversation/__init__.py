"""The conversation layer both front ends share: what the bot replies to a message or a button,
as ``Reply`` objects of spans and buttons, and their rendering as HTML or plain text
(``answers``). Telegram and the terminal chat differ only in how they show a ``Reply``.

May import: knowledge, matching, safety. Never Telegram.
"""
