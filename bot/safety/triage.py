"""Triage: does a message describe a danger sign someone has *now*, and how urgent is it?

Runs on every message before matching. The signs themselves (their words, levels and advice) are
clinical data in ``faq/signs.yaml`` (:mod:`bot.knowledge.signs`); this module is the machinery that decides
whether a mention is current. A sign (fever, bleeding, yellow eyes, contact with
chickenpox...) counts only when the clause that mentions it is not negated ("no fever"), not
hypothetical or general ("what if I get a fever?", "what symptoms should I look out for"), and not
in the past ("had shingles years ago"). Someone else the writer cares for ("my son has a temp")
counts: carers ask for the person they look after.

Those checks look at the part of the clause that names the sign (clauses split further at commas
and dashes), so "I have a fever, is it a side effect?" stays urgent though its question is
general. A part with no subject or verb of its own ("like fever, bruising", "last week") belongs
to the part before it.

Patterns match everyday wordings as well as textbook words ("hot and shivery", "my wee is the
colour of cola", "gums keep bleeding"), because patients rarely use the textbook word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.knowledge.signs import RANK, Level, Sign, SignBook, Temperature
from bot.knowledge.textnorm import fold

#: Characters of a message checked: a sign described later than this in a 5,000-character
#: message is a rare price for a bounded cost on every message.
MAX_CHECKED_CHARS = 2000
# A negation shortly before the sign ("no fever", "dont have a sore throat", "never bruised").
_NOT_WORDS = r"not|dont|doesnt|didnt|havent|hasnt|hadnt|isnt|arent|wasnt|wouldnt|never"
_NEGATION = re.compile(
    rf"\b(?:no|{_NOT_WORDS}|without|nor|"
    r"neither|none|zero|free of|any|não|nao|nie|sin|sem|pas)\b(?: \w+){0,4} ?$"
)
# Hypothetical or general questions: the sign is a topic, not something happening.
_HYPOTHETICAL = re.compile(
    r"\b(?:what if|if|in case|incase|should i (?:look|watch)|(?:signs|symptoms) (?:of|to|that|i "
    r"should)|what (?:are|r) the (?:signs|symptoms|warning)|look(?:ing)? out for|watch(?:ing)? "
    r"(?:out )?for|when (?:should|do|would) (?:i|we|you)|when to|what happens|how (?:do|would|will|"
    r"can) (?:i|you|we) (?:know|tell)|can (?:it|this|azathioprine|imuran|aza) cause|does (?:it|this|"
    r"azathioprine|imuran|aza) cause|cause[sd]?|causing|risk\w*|chance|likely|prone|prevent\w*|"
    r"avoid\w*|protect\w*|side effects?|worried about getting|would|could i get|might i get|"
    r"why (?:is|are|does|do) (?:being|having|it|this|that|they|you|doctors|people)|big deal|fuss|"
    # "Why does chickenpox matter so much?" asks about the sign, not the writer's own ("it" may be).
    r"why (?:does|do) (?!it\b)(?:\w+ ){1,2}matter|"
    # General or second-hand: "which effects are most commonly reported", "some people get".
    r"what (?:does|do|would) (?:\w+ ){1,6}(?:look|feel) like|"
    r"^(?:is|are|isnt) (?:\w+ ){1,4}(?:a |an )?signs? of|"
    r"(?:rules?|guidance) (?:on|about|for|with)|leaflet|"
    # "Do you bruise more easily on it?" asks about everyone on it, not the writer.
    r"^(?:do|does|did|can|will|has|have) (?:you|people|patients|anyone|anybody) (?:\w+ ){0,2}"
    r"(?:bruise|bleed|get|got|catch|have|had|"
    r"develop|turn)\w*|"
    # "What does a non blanching rash mean?", "just read about the glass test", "why contact matters".
    r"what (?:does|do) (?:\w+ ){1,6}mean|read about|matters?|"
    r"(?:might|may|could) be (?:\w+ ){0,3}going (?:a)?round|"
    r"whether|how common|commonly|are common|count as|^(?:is|are) (?:\w+ ){1,3}(?:common|rare)\b|counts as|"
    r"(?:should i|do i need to|need i|do i) worry about|"
    r"(?:is|isnt) (?:that|it|this) (?:common|normal|usual|rare)|"
    r"(?:post|article|thread|story|video|programme|program) about|"
    r"(?:some|other|many) people (?:get|have|say)|"
    r"i(?:ve)? (?:read|heard)|every (?:winter|year)|each (?:winter|year)|"
    r"vaccin\w*|jabs?|boosters?|shingrix|zostavax|immune|immunity|sunscreen|sun cream|"
    # "What is shingles?" asks what the word means.
    r"^(?:what|whats) (?:is |are )?(?:a |an )?(?:shingles|chicken ?pox|jaundice|petechiae|purpura)$)\b"
)
# The past: a sign that is over ("had shingles years ago", "as a child"). Time words count
# within their own part of a clause: "had shingles years ago, now I have a rash" is urgent.
# "Never used to" says the sign is new, not over.
_PAST = re.compile(
    r"\b(?:(?:years?|yrs?|decades?) ago|months ago|last year|long before|"
    # "For the last week" runs up to now.
    r"(?<!since )(?<!for the )(?<!in the )(?<!over the )last week|"
    r"(?:ive |i have )?always (?:had|bruised|been|bruise|bleed)|years back|"
    r"as (?:a |an )?(?:child|kid|baby|newborn|infant|toddler|teenager)|at birth|"
    r"since (?:i was (?:a |an |little|small|young)|childhood|(?:a |an )?(?:child|kid|baby|teenager))|"
    r"when i was (?:a |younger|little|small)|in the past|(?<!never )(?<!not )used to|"
    r"history of|previously|already had|"
    r"had it before|before i (?:even )?started|long time ago|ages ago|childhood|"
    r"had (?:chicken ?pox|shingles)|"
    r"last month|last (?:winter|summer|spring|autumn|fall|christmas|easter)|last time|"
    r"in (?:19|20)\d\d|(?:\w+ed|bled|had|got) (?:\w+ ){0,4}once\b(?! a )|"
    r"back in (?:jan\w*|feb\w*|march|april|may|june|july|aug\w*|sep\w*|oct\w*|nov\w*|"
    r"dec\w*|the spring|the summer|the autumn|the winter|\d{4}))\b"
)
# Words that bring a clause back to the present after a time word: "years ago, now I have a rash".
_NOW = re.compile(
    r"\b(?:now|today|tonight|this (?:morning|afternoon|evening|week)|currently|still|again|since)\b"
)
# Feeling hot or sweaty, when the thermometer gave a normal reading and none in the fever range
# ("hot and sweaty but it's 32 degrees out and my thermometer says 36.8"). Chills still count.
_HEAT_WORDS = re.compile(r"(?!.*(?:shiver|cold|chill))(?:hot|sweat|burnin|boiling|roasting|body)")
# Readings are marked in the text before anything else (see :func:`_mark_readings`).
HIGH, NORMAL, WEATHER = "hightemp", "normaltemp", "weathertemp"
_FEVER_WORD = re.compile(r"(?:(?:a|the|high) )?(?:fever|temp|febrile)")
# "Is 37.2 a fever?": a normal reading asked about just before the word.
_READING_BEFORE = re.compile(rf"\b(?:is|isnt|was) {NORMAL}(?: \w+){{0,2}} $")
# A number that may be a temperature, with its unit if any: "38.5", "101F", "39 degrees", "38,2°C".
_NUMBER = re.compile(
    r"(?<![\d.,])(\d{2,3})(?:[.,](\d{1,2}))?(?![\d.,]\d)\s*"
    r"(°\s*[cf]?|º\s*[cf]?|degrees?(?:\s*(?:c|f|celsius|fahrenheit|centigrade)\b)?|"
    r"celsius|fahrenheit|centigrade|c\b|f\b)?"
)
# Words just before a number that make it a thermometer reading ("temp 38", "thermometer says 38.2").
_READING_CONTEXT = re.compile(
    r"(?:temp\w*|thermometer|fever|febre|fiebre|reading|spiked?|spiking|running|ran|gor\w*czk\w*)"
    r"[^.!?\n]{0,20}$"
)
# A blood test, weight or dose is not a temperature ("CRP 38.5", "38.5 kg", "100 mg").
_NOT_A_READING_BEFORE = re.compile(r"(?:crp|alt|ast|esr|ggt|hb|wbc|neut\w*|plt|platelets|mcv|bmi|egfr)\W*$")
_NOT_A_READING_AFTER = re.compile(
    r"^\s*(?:kg|kilos?|lbs?|mg|ml|cm|mm|g\b|%|years?|yrs?|weeks?|months?|days?|mmol|u/l|iu|"
    r"mins?|minutes|hours?|hrs?)"
)
# The weather, whatever the unit: "it's 38 degrees outside".
_WEATHER_AFTER = re.compile(
    r"^\W*(?:out\b|outside|in the shade|here|today in|in (?:the )?(?:sun|garden|car)|heat|"
    r"in [a-z]+ (?:this|today|at|last|right now))"
)


def _reading(value: float, unit: str) -> float | None:
    """The reading in degrees Celsius, or None when it cannot be a body temperature."""
    if unit.endswith(("f", "fahrenheit")) or 90 <= value <= 110:
        value = (value - 32) * 5 / 9
    return value if 34 <= value <= 43 else None


def _mark_readings(text: str, thresholds: Temperature) -> str:
    """``text`` (case-folded) with each thermometer reading replaced by a high or normal marker.

    A number counts when a unit follows it, a temperature word comes shortly before it, or it is
    a decimal in the body's range ("38.6 this evening"). In-between readings stay numbers.
    """

    def mark(match: re.Match[str]) -> str:
        whole, decimals, unit = match.group(1), match.group(2), (match.group(3) or "").replace(" ", "")
        before, after = text[: match.start()], text[match.end() :]
        if _WEATHER_AFTER.match(after):
            return f" {WEATHER} "  # a hot day explains feeling hot, as a normal reading does
        if _NOT_A_READING_BEFORE.search(before):
            return match.group(0)
        if not unit and _NOT_A_READING_AFTER.match(after):
            return match.group(0)
        celsius = _reading(float(f"{whole}.{decimals or 0}"), unit)
        if celsius is None:
            return match.group(0)
        # A decimal in the body's range is a reading on its own ("37.1 so fine", "38.6 tonight").
        if not (unit or decimals or _READING_CONTEXT.search(before)):
            return match.group(0)
        if celsius >= thresholds.fever_from:
            return f" {HIGH} "
        return f" {NORMAL} " if celsius <= thresholds.normal_up_to else match.group(0)

    return _NUMBER.sub(mark, text)


# A fever brought down by these is still a fever: "it's back to normal now" does not end it.
_FEVER_MEDICINE = re.compile(
    r"\b(?:paracetamol|calpol|ibuprofen|nurofen|tylenol|acetaminophen|advil|lemsip|panadol)\b"
)
# Over by now, or judged harmless: these describe what the whole clause said ("fever and aches
# all over, she's fine now"; "the scan says it's a harmless cyst", not "a harmless-looking lump").
_RESOLVED = re.compile(
    r"\b(?:gone now|(?:long|all) gone|back to (?:normal|pale|clear)|gone (?:within|after|by|in) |"
    r"went away|cleared up|panic over|false alarm|(?:completely|totally|fully) (?:gone|cleared|healed)|"
    r"healed (?:up )?now|(?:has|have|had|theyve|its|it has|they have) healed|"
    r"stopped (?:by itself|on its own|after|quickly|straight away|in|within)|"
    r"(?:clear|normal|pale) again|"
    r"(?:like|as) normal|(?:all|shes|hes|im|theyre|is|are|am) fine now|resolved|"
    r"(?:feel|feels|feeling|felt) (?:fine|normal|ok|okay|better) (?:now|today|again|after|afterwards)|"
    r"(?:it|its|they|bleeding|that|which) (?:has |had )?stopped\b(?! (?:working|taking))|"
    r"(?:is|was|its|were) (?:a |an |just |only )?(?:harmless|benign))\b"
)
# "Hasn't stopped after 20 minutes", "still not back to normal": not over at all.
_NOT_OVER = re.compile(rf"\b(?:{_NOT_WORDS}|wont|cant|yet to)(?: \w+)? $")
# The message asks ahead of time ("should I worry about bruising? none yet, just asking"): its
# questions about a sign are not reports of one. A statement beside it still is ("gums bleeding
# since yesterday, no other symptoms yet").
_AHEAD_OF_TIME = re.compile(
    r"\b(?:none yet|nothing yet|no symptoms yet|for the future|for future reference|just curious|"
    r"out of curiosity|hypothetically)\b"
)
# Words for the writer, and for anyone (folded: "i'm" is "im").
_FIRST_PERSON_WORDS = "i|im|ive|id|me"
_PERSON_WORDS = f"{_FIRST_PERSON_WORDS}|my|we|our|us|he|hes|his|him|she|shes|her|they|theyre|their|them"
_FIRST_PERSON = re.compile(rf"\b(?:{_FIRST_PERSON_WORDS})\b")
_SOMEONE = re.compile(rf"\b(?:{_PERSON_WORDS})\b")
_WRITER = re.compile(rf"\b(?:{_FIRST_PERSON_WORDS}|my)\b")
# Our medicine's names as patients write them (folded, before synonyms).
_OURS = "aza|azathioprine|imuran|azasan"
# "Dark urine a warning sign?", "why all the bruising warnings?": the sign as a topic, in a part
# that names nobody. "I have dark urine is that a warning sign" still reports it, and so may a
# terse "yellow eyes, red flag?" or "bruising warning sign?" (no article): both stay urgent.
_AS_A_WARNING = re.compile(r"\b(?:an? warning sign|warning signs|warnings)\b")
_ASKS = re.compile(r"^(?:should|shall|what|whats|is|are|can|could|does|do|how|will|would|when|which)\b")
# An animal just before the sign: "my cat keeps being sick" is not a person's warning sign.
_ANIMAL = re.compile(r"\b(?:cat|dog|puppy|kitten|pet|rabbit|hamster)s?\b(?: \w+){0,3} ?$")
# Grown-ups close to the writer, who may share their home and their colds.
_GROWN_UPS_CLOSE = (
    "mum|mom|mother|dad|father|husband|wife|partner|brother|sister|friend|flatmate|housemate|"
    "boyfriend|girlfriend"
)
# Someone else who does not take it ("my mum's got a sore throat, she's not on any meds"): their
# sign is a question about catching something, not a warning sign of the drug. It covers its own
# clause and the one before ("my dad bruises easily but he's not on any meds"), unless that one
# is about the writer: "he's not on aza, but I have a sore throat" still counts.
_NOT_ON_ANY = re.compile(
    rf"\b(?:he|she|they|hes|shes|theyre|son|daughter|nan|gran|grandma|grandad|{_GROWN_UPS_CLOSE})"
    r"(?: is| are)? (?:not on|isnt on|arent on|not taking|isnt taking|doesnt take|dont take|"
    rf"not the one on|not the one taking) (?:any|anything|{_OURS}|it)\b(?! other)"
)
# Someone close has the sign and the writer is the one on it: "my partner has a sore throat, I'm
# on aza", "my husband tested positive for covid and im on azathioprine". Their sign is a
# question about catching something (contact with chickenpox or shingles still counts).
_WRITER_ON_IT = re.compile(
    r"\b(?:(?:im|i am|ive been|i have been) (?:\w+ )?(?:on|taking)|i take) "
    rf"(?:{_OURS})\b"
)
_OTHER_ON_IT = re.compile(
    r"\b(?:(?:he|she|they)(?: is| are)?|hes|shes|theyre|we|were|we are) (?:also |both |still )?"
    rf"(?:on|takes|taking) (?:{_OURS}|it|them)\b"
)
_SOMEONE_CLOSE = re.compile(rf"\b(?:my|our) (?:{_GROWN_UPS_CLOSE}|colleague|coworker)\b")
# "...but it went away", "...but I'm fine now": a part of the next clause that starts by
# pointing back and says it is over resolves the clause before it.
_POINTS_BACK = re.compile(r"^(?:it|they|theyd|theyve|its|theyre|that|both|im|i am|shes|hes|she is|he is)\b")
# No contact: "my brother has chickenpox but I haven't seen him for weeks". Not seeing a doctor
# ("haven't seen my GP yet") says nothing about contact.
_NO_CONTACT = re.compile(
    r"\b(?:havent|have not|hasnt|has not|not|never|didnt|did not) (?:been )?(?:anywhere )?"
    r"(?:seen|near|around|in contact|had contact|visited|met)\b"
    r"(?! (?:a |the |my |our |any )?(?:doctors?|gp|nurses?|consultant|specialist|anyone|pharmacist|"
    r"hospital|team)\b)"
)
# Time words about something else: "a lump that wasn't there last month" is new, and in "pain is
# 9/10, started aza last month" the past is when the medicine was started.
_OTHER_TIMES = re.compile(
    r"\b(?:(?:wasnt|was not|werent|were not) there|(?:started|starting|began|begun)(?: on)? "
    rf"(?:{_OURS}|it|them|my tablets?|the tablets?|treatment)|"
    r"(?:started|put) (?:me|him|her|them|us) on \w+(?: for \w+)?)\b(?: \w+){0,3}"
)


def _blank(match: re.Match[str]) -> str:
    """Spaces as long as the match: other time words are removed without moving positions."""
    return " " * len(match.group())


# A full stop ends a clause, except inside a number ("a temp of 38.2").
_CLAUSES = re.compile(r"(?:[!?;\n]|\.(?!\d))+|\bbut\b|\bhowever\b|\balthough\b|\bthough\b")
# Inside a clause, commas and dashes separate parts (not brackets: "my friend (not on any meds)
# has yellow eyes" keeps its negation). "I have a fever, is it a side
# effect?" reports a sign in one part and asks in the next: what the question says (general,
# hypothetical) must not cancel the report.
_PARTS = re.compile(r",|\s[-\u2013\u2014]+\s")
# A part with one of these says something of its own; one without continues the part before it
# ("what should I watch for, like fever, bruising", "I had a fever, last week").
_OWN_PART = re.compile(
    rf"\b(?:{_PERSON_WORDS}|it|its|this|"
    r"is|are|am|was|were|do|does|did|can|could|should|would|will|what|whats|how|why|when|which|"
    r"got|have|has|had|having|feel|feels|feeling|felt|keep|keeps|getting|been|now|today)\b"
)
_LIST_LEAD = re.compile(r"^(?:like|such as|eg|e g|for example|especially|including)\b")


@dataclass(frozen=True)
class WarningSigns:
    """The danger signs found in a message, most urgent first."""

    found: tuple[Sign, ...]

    @property
    def signs(self) -> tuple[str, ...]:
        """The signs' labels, for replies and the command line."""
        return tuple(dict.fromkeys(sign.label for sign in self.found))

    @property
    def level(self) -> Level:
        """The most urgent level among the signs: what the reply leads with."""
        return self.found[0].level

    @property
    def emergency(self) -> bool:
        """True when an ambulance should be called (an emergency sign, or a crisis)."""
        return self.level in ("emergency", "crisis")


def _clauses(text: str) -> list[list[str]]:
    """The message's clauses, each as its parts (folded), continuing parts joined to the last."""
    # Split before folding so sentence punctuation still separates clauses.
    clauses: list[list[str]] = []
    for clause in _CLAUSES.split(text):
        pieces = [folded for piece in _PARTS.split(clause) if (folded := fold(piece))]
        if not pieces:
            continue
        if clauses and _LIST_LEAD.match(pieces[0]) and not _OWN_PART.search(pieces[0]):
            # "What should I watch for? Like fever, bruising?" lists what the question asks.
            parts = clauses[-1]
        else:
            parts = []
            clauses.append(parts)
        for part in pieces:
            continues = not _OWN_PART.search(part) and (len(part.split()) <= 4 or _LIST_LEAD.match(part))
            if parts and continues:
                parts[-1] = f"{parts[-1]} {part}"
            else:
                parts.append(part)
    return clauses


def _says_over(text: str) -> bool:
    """True when ``text`` says a sign is over or harmless, and does not deny it."""
    return any(not _NOT_OVER.search(text[: hit.start()]) for hit in _RESOLVED.finditer(text))


# "A nosebleed that stopped": an over word in a relative clause belongs to the sign just before it.
_RELATIVE = re.compile(r"\b(?:that|which|who)(?: \w+){0,2} $")


def _over_for(part: str, hit: re.Match[str], starts: list[int]) -> bool:
    """Whether an "over" word in ``part`` covers the sign at ``hit``. One in a relative clause
    ("...and a nosebleed that stopped") covers only the sign just before it."""
    for word in _RESOLVED.finditer(part):
        before = part[: word.start()]
        if _NOT_OVER.search(before):
            continue
        relative = _RELATIVE.search(before) or word.group().startswith(("that ", "which "))
        if not relative or not any(hit.end() <= s < word.start() for s in starts):
            return True
    return False


def _said(patterns: Sequence[re.Pattern[str]], clauses: list[list[str]]) -> bool:
    """Whether one of ``patterns`` is named, not negated, in some part of ``clauses``."""
    return any(
        not _NEGATION.search(part[: hit.start()])
        for parts in clauses
        for part in parts
        for pattern in patterns
        for hit in pattern.finditer(part)
    )


def _someone_elses(before: str, part: str) -> bool:
    """True when someone close is named before the sign and the writer is not, after them."""
    close = list(_SOMEONE_CLOSE.finditer(before))
    if not close:
        return False
    rest = _WRITER_ON_IT.sub("", part[close[-1].end() :])
    return not _WRITER.search(rest)


# A question about mood as a side effect ("can aza cause suicidal thoughts?", "is depression a
# side effect"): crisis words there are a topic, not the writer's state. Narrower than
# _HYPOTHETICAL, whose "if" and "would" are how people in crisis talk ("better off if I wasn't here").
_ASKS_ABOUT_MOOD = re.compile(
    r"\b(?:cause[sd]?|causing|side effects?|linked to|link between|make (?:you|people)|"
    r"reported|leaflet|risk of|warning about|signs of|(?:some|other|many) people)\b"
)


def _sign_is_current(
    sign: Sign,
    part: str,
    hit: re.Match[str],
    clause: str,
    *,
    writer_alone_on_it: bool,
    fever_reading: bool,
    normal_reading: bool,
) -> bool:
    """Whether the sign ``hit`` in one part of ``clause`` is happening now.

    ``writer_alone_on_it``: the message says the writer takes the medicine and nobody else does.
    ``fever_reading``, ``normal_reading``: it gives a thermometer reading in the fever range, or
    a normal one.
    """
    before = part[: hit.start()]
    if _NEGATION.search(before) or _ANIMAL.search(before):
        return False
    # The cause may come in an earlier part: "bruised my shin on the table, it's just a bruise".
    start = max(clause.find(part), 0)  # parts are pieces of their clause; 0 guards the impossible
    told = clause[: start + len(part)]
    for cause in sign.unless:
        if any(not _NEGATION.search(told[: c.start()]) for c in cause.finditer(told)):
            return False  # "havent banged into anything" names no cause
    # "Had a transplant last year and this evening he told me...": a time word of the present
    # between the past and the sign brings the sign back to now.
    pasts = list(_PAST.finditer(_OTHER_TIMES.sub(_blank, part)))
    # Crisis words come back with any now-word after the past: "tried to overdose last year and
    # I'm having those thoughts again tonight".
    now_until = len(part) if sign.level == "crisis" else hit.start()
    if pasts and not _NOW.search(part, pasts[-1].end(), now_until):
        return False
    # A time word earlier in the clause covers a part that names no time of its own: "had a bad
    # reaction last year, face swelled up and I went to A&E" is all last year.
    earlier = clause[:start]
    if earlier and _PAST.search(_OTHER_TIMES.sub("", earlier)) and not _NOW.search(part):
        return False
    if sign.level == "crisis":
        # Crisis words are not read through the wider hypothetical rules: see _ASKS_ABOUT_MOOD.
        return not _ASKS_ABOUT_MOOD.search(part)
    if sign.context == "temperature" and not fever_reading:
        if normal_reading and _HEAT_WORDS.match(hit.group()):
            return False  # "hot and sweaty, but it's 32 degrees out and my thermometer says 36.8"
        if _FEVER_WORD.match(hit.group()) and _READING_BEFORE.search(before):
            return False  # "is 37.2 a fever?" asks about a normal reading
    someone_elses = sign.level == "same-day" and writer_alone_on_it and sign.context != "contact"
    if someone_elses and _someone_elses(before, part):
        return False  # "my partner has a sore throat, I'm on aza": the partner's sign
    if _AS_A_WARNING.search(part) and not _SOMEONE.search(part):
        return False  # "dark urine a warning sign on aza?" names the sign as a topic
    # Contact is a question about the whole clause: "my niece has chickenpox, can I go if she's
    # better by then" asks about contact to come.
    return not _HYPOTHETICAL.search(clause if sign.context == "contact" else part)


def detect_warning_signs(text: str, book: SignBook) -> WarningSigns | None:
    """The danger signs of ``book`` described as happening now in ``text``, or None."""
    text = _mark_readings(text[:MAX_CHECKED_CHARS].casefold(), book.temperature)
    folded = fold(text)
    found: dict[str, Sign] = {}
    no_contact = bool(_NO_CONTACT.search(folded))
    ahead_of_time = bool(_AHEAD_OF_TIME.search(folded))
    writer_alone_on_it = bool(_WRITER_ON_IT.search(folded)) and not _OTHER_ON_IT.search(folded)
    fever_masked = bool(_FEVER_MEDICINE.search(folded))
    fever_reading = HIGH in folded
    normal_reading = NORMAL in folded or WEATHER in folded
    clauses = _clauses(text)
    # The sign needs another word somewhere in the message ("black stools" and "dizzy"), said
    # as present: "black stools from iron, no dizziness" does not count.
    present = [s for s in book.signs if not s.also or _said(s.also, clauses)]
    for index, parts in enumerate(clauses):
        clause = " ".join(parts)
        later = clauses[index + 1] if index + 1 < len(clauses) else []
        after = " ".join(later)
        if ahead_of_time and _ASKS.search(clause):
            continue
        # Someone who does not take it: their same-day signs are not the medicine's warning signs.
        before_clause = " ".join(clauses[index - 1]) if index else ""
        not_on_it = bool(_NOT_ON_ANY.search(clause)) or (
            bool(_NOT_ON_ANY.search(after) or _NOT_ON_ANY.search(before_clause))
            and not _FIRST_PERSON.search(clause)
        )
        later_says_over = any(_POINTS_BACK.match(p) and _says_over(p) for p in later)
        for number, part in enumerate(parts):
            # Over by now: "...but it went away" after it, or "...but I'd barely drunk anything,
            # it's back to pale now". Inside a part, an "over" word covers the sign just before
            # it: "lots of bruises and a nosebleed that stopped" still has the bruises.
            following = parts[number + 1] if number + 1 < len(parts) else None
            over_after = bool(
                _POINTS_BACK.match(following) and _says_over(following)
                if following is not None
                else later_says_over
            )
            starts = sorted({h.start() for s in present for p in s.patterns for h in p.finditer(part)})
            for sign in present:
                if sign.id in found or (no_contact and sign.context == "contact"):
                    continue
                current = [
                    hit
                    for pattern in sign.patterns
                    for hit in pattern.finditer(part)
                    if _sign_is_current(
                        sign,
                        part,
                        hit,
                        clause,
                        writer_alone_on_it=writer_alone_on_it,
                        fever_reading=fever_reading,
                        normal_reading=normal_reading,
                    )
                ]
                if not current:
                    continue
                over = over_after or all(_over_for(part, hit, starts) for hit in current)
                # A fever brought down by paracetamol is still a fever.
                if sign.level == "same-day" and over and (not fever_masked or sign.context != "temperature"):
                    continue
                # An emergency that is over ("fainted this morning, fine now") still needs a
                # doctor today: it is kept at the same-day level, and judged like one.
                level: Level = "same-day" if over and sign.level == "emergency" else sign.level
                if level == "same-day" and not_on_it:
                    continue
                found[sign.id] = replace(sign, level=level) if level != sign.level else sign
    if not found:
        return None
    return WarningSigns(tuple(sorted(found.values(), key=lambda s: -RANK[s.level])))


def shows_distress(text: str, book: SignBook) -> bool:
    """Whether ``text`` speaks of despair ("I can't cope any more") that is not negated or asked
    about, or names suicide or self-harm in a way that is not a crisis now ("I'm not suicidal,
    just fed up", "I tried to end it years ago"): one line with the crisis line costs little."""
    crisis = [sign for sign in book.signs if sign.level == "crisis"]
    for clause in _clauses(text[:MAX_CHECKED_CHARS].casefold()):
        for part in clause:
            if _ASKS_ABOUT_MOOD.search(part):
                continue
            if any(
                any(p.search(part) for p in sign.patterns) and not any(u.search(part) for u in sign.unless)
                for sign in crisis
            ):
                return True
            for pattern in book.distress:
                for hit in pattern.finditer(part):
                    before = part[: hit.start()]
                    if not (_NEGATION.search(before) or _PAST.search(part)):
                        return True
    return False
