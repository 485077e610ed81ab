"""Triage before matching: crisis, emergency and same-day signs described as happening now, read
in context (negated, past, hypothetical, someone else) from the signs file (``triage``).

May import: knowledge. Never Telegram.
"""
