"""What the bot knows, as data a clinician edits: the FAQ's shape (``schema``), its loading
(``faq``) and its checks with file:line (``checks``, ``yamlsource``), review dates
(``governance``), the services and their numbers (``services``), the danger signs file
(``signs``), the questions about the bot itself (``about``) and the text folding every layer
shares (``textnorm``).

May import: nothing else in bot. Never Telegram.
"""
