"""The Telegram layer: the python-telegram-bot application, its handlers and its fixed texts.

Importing this package imports nothing from python-telegram-bot; :mod:`bot.telegram.app` does.
:mod:`bot.telegram.actions` is plain Python shared with the terminal chat.
"""
