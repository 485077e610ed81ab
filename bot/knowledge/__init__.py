"""What the bot knows, as data a clinician edits: the FAQ schema, loading and validation with
file:line (``faq``, ``yamlsource``), review dates (``governance``), the services and their
numbers (``services``), the danger signs file (``signs``) and the text folding every layer shares
(``textnorm``).

May import: nothing else in bot. Never Telegram.
"""
