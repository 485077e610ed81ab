"""The Telegram layer: the python-telegram-bot application and its handlers.

Importing this package imports nothing from python-telegram-bot; :mod:`bot.telegram.app` does.
The conversation itself (:mod:`bot.conversation`) is plain Python shared with the terminal chat.
"""
