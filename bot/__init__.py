"""azabot: a Telegram bot that answers patients' questions about azathioprine."""

__version__ = "0.1.0"
