"""Thermometer readings in any wording ("temp 38", "101F", "thermometer says 38.2"): each is marked
in the text as a fever, a normal reading or the weather before any sign is looked for."""

from __future__ import annotations

import re

from bot.knowledge.signs import Temperature

# Feeling hot or sweaty, when the thermometer gave a normal reading and none in the fever range
# ("hot and sweaty but it's 32 degrees out and my thermometer says 36.8"). Chills still count.
HEAT_WORDS = re.compile(r"(?!.*(?:shiver|cold|chill))(?:hot|sweat|burnin|boiling|roasting|body)")
# Readings are marked in the text before anything else (see :func:`mark_readings`).
HIGH, NORMAL, WEATHER = "hightemp", "normaltemp", "weathertemp"
FEVER_WORD = re.compile(r"(?:(?:a|the|high) )?(?:fever|temp|febrile)")
# "Is 37.2 a fever?": a normal reading asked about just before the word.
READING_BEFORE = re.compile(rf"\b(?:is|isnt|was) {NORMAL}(?: \w+){{0,2}} $")
# A number that may be a temperature, with its unit if any: "38.5", "101F", "39 degrees", "38,2°C".
NUMBER = re.compile(
    r"(?<![\d.,])(\d{2,3})(?:[.,](\d{1,2}))?(?![\d.,]\d)\s*"
    r"(°\s*[cf]?|º\s*[cf]?|degrees?(?:\s*(?:c|f|celsius|fahrenheit|centigrade)\b)?|"
    r"celsius|fahrenheit|centigrade|c\b|f\b)?"
)
# Words just before a number that make it a thermometer reading ("temp 38", "thermometer says 38.2").
READING_CONTEXT = re.compile(
    r"(?:temp\w*|thermometer|fever|febre|fiebre|reading|spiked?|spiking|running|ran|gor\w*czk\w*)"
    r"[^.!?\n]{0,20}$"
)
# A blood test, weight or dose is not a temperature ("CRP 38.5", "38.5 kg", "100 mg").
NOT_A_READING_BEFORE = re.compile(r"(?:crp|alt|ast|esr|ggt|hb|wbc|neut\w*|plt|platelets|mcv|bmi|egfr)\W*$")
NOT_A_READING_AFTER = re.compile(
    r"^\s*(?:kg|kilos?|lbs?|mg|ml|cm|mm|g\b|%|years?|yrs?|weeks?|months?|days?|mmol|u/l|iu|"
    r"mins?|minutes|hours?|hrs?)"
)
# The weather, whatever the unit: "it's 38 degrees outside".
WEATHER_AFTER = re.compile(
    r"^\W*(?:out\b|outside|in the shade|here|today in|in (?:the )?(?:sun|garden|car)|heat|"
    r"in [a-z]+ (?:this|today|at|last|right now))"
)


def reading(value: float, unit: str) -> float | None:
    """The reading in degrees Celsius, or None when it cannot be a body temperature."""
    if unit.endswith(("f", "fahrenheit")) or 90 <= value <= 110:
        value = (value - 32) * 5 / 9
    return value if 34 <= value <= 43 else None


def mark_readings(text: str, thresholds: Temperature) -> str:
    """``text`` (case-folded) with each thermometer reading replaced by a high or normal marker.

    A number counts when a unit follows it, a temperature word comes shortly before it, or it is
    a decimal in the body's range ("38.6 this evening"). In-between readings stay numbers.
    """

    def mark(match: re.Match[str]) -> str:
        whole, decimals, unit = match.group(1), match.group(2), (match.group(3) or "").replace(" ", "")
        before, after = text[: match.start()], text[match.end() :]
        if WEATHER_AFTER.match(after):
            return f" {WEATHER} "  # a hot day explains feeling hot, as a normal reading does
        if NOT_A_READING_BEFORE.search(before):
            return match.group(0)
        if not unit and NOT_A_READING_AFTER.match(after):
            return match.group(0)
        celsius = reading(float(f"{whole}.{decimals or 0}"), unit)
        if celsius is None:
            return match.group(0)
        # A decimal in the body's range is a reading on its own ("37.1 so fine", "38.6 tonight").
        if not (unit or decimals or READING_CONTEXT.search(before)):
            return match.group(0)
        if celsius >= thresholds.fever_from:
            return f" {HIGH} "
        return f" {NORMAL} " if celsius <= thresholds.normal_up_to else match.group(0)

    return NUMBER.sub(mark, text)
