"""Phone numbers and services, kept in one place an operator outside the UK can change.

``faq/services.yaml`` names them (``emergency_number: "999"``, ``crisis_line: ...``); any text
in the FAQ, the safety texts or the signs file refers to one as ``{emergency_number}``. Nothing
in code writes a phone number: a clinic in another country edits one file and every reply,
crisis and emergency advice included, follows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: The services every deployment must name: the triage replies cannot be written without them.
REQUIRED_SERVICES = ("emergency_number", "emergency_place", "urgent_line", "crisis_line", "poison_line")
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
SERVICE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_SERVICE_CHARS = 200


def fill(text: str, services: Mapping[str, str]) -> tuple[str, list[str]]:
    """``text`` with each ``{name}`` replaced by its service; and the names that are unknown."""
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in services:
            unknown.append(name)
            return match.group(0)
        return services[name]

    return PLACEHOLDER.sub(replace, text), unknown
