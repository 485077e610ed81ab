"""How a reply looks: the reply model (spans, paragraphs, buttons) and its rendering as Telegram
HTML or terminal text. Every layer that says something to a user builds these.

May import: nothing else in bot. Never Telegram.
"""
