"""What clinic staff do: checked FAQ changes (``faq_changes``), their replies (``replies``) and the
counts of what patients asked without their words (``insights``).

May import: knowledge, presentation. Never Telegram.
"""
