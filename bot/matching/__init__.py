"""Finding the FAQ entry a message asks about: the signals (keyword evidence, fuzzy scores,
embeddings, the classifier learned from the FAQ's phrasings) and the answer / suggest / fallback
decision (``matcher``), and the evaluation of both on labelled sets (``evaluation``).

May import: knowledge, safety. Never Telegram.
"""
