"""Context rules after NegEx / ConText: whether a sign named in a message is happening now.

A sign named after a negation ("no fever"), in the past ("had shingles years ago"), as a
hypothetical or general question ("what if I get a fever?"), as over ("it went away") or about
someone who takes no medicine is not a current sign. The rules read clauses and their parts, as
ConText reads a trigger's scope up to the end of a clause.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.knowledge.textnorm import fold

# A negation shortly before the sign ("no fever", "dont have a sore throat", "never bruised").
NOT_WORDS = r"not|dont|doesnt|didnt|havent|hasnt|hadnt|isnt|arent|wasnt|wouldnt|never"
NEGATION = re.compile(
    rf"\b(?:no|{NOT_WORDS}|without|nor|"
    r"neither|none|zero|free of|any|não|nao|nie|sin|sem|pas)\b(?: \w+){0,4} ?$"
)
# Hypothetical or general questions: the sign is a topic, not something happening.
HYPOTHETICAL = re.compile(
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
PAST = re.compile(
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
NOW = re.compile(
    r"\b(?:now|today|tonight|this (?:morning|afternoon|evening|week)|currently|still|again|since)\b"
)
# A fever brought down by these is still a fever: "it's back to normal now" does not end it.
FEVER_MEDICINE = re.compile(
    r"\b(?:paracetamol|calpol|ibuprofen|nurofen|tylenol|acetaminophen|advil|lemsip|panadol)\b"
)
# Over by now, or judged harmless: these describe what the whole clause said ("fever and aches
# all over, she's fine now"; "the scan says it's a harmless cyst", not "a harmless-looking lump").
RESOLVED = re.compile(
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
NOT_OVER = re.compile(rf"\b(?:{NOT_WORDS}|wont|cant|yet to)(?: \w+)? $")
# The message asks ahead of time ("should I worry about bruising? none yet, just asking"): its
# questions about a sign are not reports of one. A statement beside it still is ("gums bleeding
# since yesterday, no other symptoms yet").
AHEAD_OF_TIME = re.compile(
    r"\b(?:none yet|nothing yet|no symptoms yet|for the future|for future reference|just curious|"
    r"out of curiosity|hypothetically)\b"
)
# Words for the writer, and for anyone (folded: "i'm" is "im").
FIRST_PERSON_WORDS = "i|im|ive|id|me"
PERSON_WORDS = f"{FIRST_PERSON_WORDS}|my|we|our|us|he|hes|his|him|she|shes|her|they|theyre|their|them"
FIRST_PERSON = re.compile(rf"\b(?:{FIRST_PERSON_WORDS})\b")
SOMEONE = re.compile(rf"\b(?:{PERSON_WORDS})\b")
WRITER = re.compile(rf"\b(?:{FIRST_PERSON_WORDS}|my)\b")
# Our medicine's names as patients write them (folded, before synonyms).
OURS = "aza|azathioprine|imuran|azasan"
# "Dark urine a warning sign?", "why all the bruising warnings?": the sign as a topic, in a part
# that names nobody. "I have dark urine is that a warning sign" still reports it, and so may a
# terse "yellow eyes, red flag?" or "bruising warning sign?" (no article): both stay urgent.
AS_A_WARNING = re.compile(r"\b(?:an? warning sign|warning signs|warnings)\b")
ASKS = re.compile(r"^(?:should|shall|what|whats|is|are|can|could|does|do|how|will|would|when|which)\b")
# An animal just before the sign: "my cat keeps being sick" is not a person's warning sign.
ANIMAL = re.compile(r"\b(?:cat|dog|puppy|kitten|pet|rabbit|hamster)s?\b(?: \w+){0,3} ?$")
# Grown-ups close to the writer, who may share their home and their colds.
GROWN_UPS_CLOSE = (
    "mum|mom|mother|dad|father|husband|wife|partner|brother|sister|friend|flatmate|housemate|"
    "boyfriend|girlfriend"
)
# Someone else who does not take it ("my mum's got a sore throat, she's not on any meds"): their
# sign is a question about catching something, not a warning sign of the drug. It covers its own
# clause and the one before ("my dad bruises easily but he's not on any meds"), unless that one
# is about the writer: "he's not on aza, but I have a sore throat" still counts.
NOT_ON_ANY = re.compile(
    rf"\b(?:he|she|they|hes|shes|theyre|son|daughter|nan|gran|grandma|grandad|{GROWN_UPS_CLOSE})"
    r"(?: is| are)? (?:not on|isnt on|arent on|not taking|isnt taking|doesnt take|dont take|"
    rf"not the one on|not the one taking) (?:any|anything|{OURS}|it)\b(?! other)"
)
# Someone close has the sign and the writer is the one on it: "my partner has a sore throat, I'm
# on aza", "my husband tested positive for covid and im on azathioprine". Their sign is a
# question about catching something (contact with chickenpox or shingles still counts).
WRITER_ON_IT = re.compile(
    r"\b(?:(?:im|i am|ive been|i have been) (?:\w+ )?(?:on|taking)|i take) "
    rf"(?:{OURS})\b"
)
OTHER_ON_IT = re.compile(
    r"\b(?:(?:he|she|they)(?: is| are)?|hes|shes|theyre|we|were|we are) (?:also |both |still )?"
    rf"(?:on|takes|taking) (?:{OURS}|it|them)\b"
)
SOMEONE_CLOSE = re.compile(rf"\b(?:my|our) (?:{GROWN_UPS_CLOSE}|colleague|coworker)\b")
# "...but it went away", "...but I'm fine now": a part of the next clause that starts by
# pointing back and says it is over resolves the clause before it.
POINTS_BACK = re.compile(r"^(?:it|they|theyd|theyve|its|theyre|that|both|im|i am|shes|hes|she is|he is)\b")
# No contact: "my brother has chickenpox but I haven't seen him for weeks". Not seeing a doctor
# ("haven't seen my GP yet") says nothing about contact.
NO_CONTACT = re.compile(
    r"\b(?:havent|have not|hasnt|has not|not|never|didnt|did not) (?:been )?(?:anywhere )?"
    r"(?:seen|near|around|in contact|had contact|visited|met)\b"
    r"(?! (?:a |the |my |our |any )?(?:doctors?|gp|nurses?|consultant|specialist|anyone|pharmacist|"
    r"hospital|team)\b)"
)
# Time words about something else: "a lump that wasn't there last month" is new, and in "pain is
# 9/10, started aza last month" the past is when the medicine was started.
OTHER_TIMES = re.compile(
    r"\b(?:(?:wasnt|was not|werent|were not) there|(?:started|starting|began|begun)(?: on)? "
    rf"(?:{OURS}|it|them|my tablets?|the tablets?|treatment)|"
    r"(?:started|put) (?:me|him|her|them|us) on \w+(?: for \w+)?)\b(?: \w+){0,3}"
)


def blank(match: re.Match[str]) -> str:
    """Spaces as long as the match: other time words are removed without moving positions."""
    return " " * len(match.group())


# A full stop ends a clause, except inside a number ("a temp of 38.2").
CLAUSES = re.compile(r"(?:[!?;\n]|\.(?!\d))+|\bbut\b|\bhowever\b|\balthough\b|\bthough\b")
# Inside a clause, commas and dashes separate parts (not brackets: "my friend (not on any meds)
# has yellow eyes" keeps its negation). "I have a fever, is it a side
# effect?" reports a sign in one part and asks in the next: what the question says (general,
# hypothetical) must not cancel the report.
PARTS = re.compile(r",|\s[-\u2013\u2014]+\s")
# A part with one of these says something of its own; one without continues the part before it
# ("what should I watch for, like fever, bruising", "I had a fever, last week").
OWN_PART = re.compile(
    rf"\b(?:{PERSON_WORDS}|it|its|this|"
    r"is|are|am|was|were|do|does|did|can|could|should|would|will|what|whats|how|why|when|which|"
    r"got|have|has|had|having|feel|feels|feeling|felt|keep|keeps|getting|been|now|today)\b"
)
LIST_LEAD = re.compile(r"^(?:like|such as|eg|e g|for example|especially|including)\b")


def split_clauses(text: str) -> list[list[str]]:
    """The message's clauses, each as its parts (folded), continuing parts joined to the last."""
    # Split before folding so sentence punctuation still separates clauses.
    clauses: list[list[str]] = []
    for clause in CLAUSES.split(text):
        pieces = [folded for piece in PARTS.split(clause) if (folded := fold(piece))]
        if not pieces:
            continue
        if clauses and LIST_LEAD.match(pieces[0]) and not OWN_PART.search(pieces[0]):
            # "What should I watch for? Like fever, bruising?" lists what the question asks.
            parts = clauses[-1]
        else:
            parts = []
            clauses.append(parts)
        for part in pieces:
            continues = not OWN_PART.search(part) and (len(part.split()) <= 4 or LIST_LEAD.match(part))
            if parts and continues:
                parts[-1] = f"{parts[-1]} {part}"
            else:
                parts.append(part)
    return clauses


def says_over(text: str) -> bool:
    """True when ``text`` says a sign is over or harmless, and does not deny it."""
    return any(not NOT_OVER.search(text[: hit.start()]) for hit in RESOLVED.finditer(text))


# "A nosebleed that stopped": an over word in a relative clause belongs to the sign just before it.
RELATIVE = re.compile(r"\b(?:that|which|who)(?: \w+){0,2} $")


def over_for(part: str, hit: re.Match[str], starts: list[int]) -> bool:
    """Whether an "over" word in ``part`` covers the sign at ``hit``. One in a relative clause
    ("...and a nosebleed that stopped") covers only the sign just before it."""
    for word in RESOLVED.finditer(part):
        before = part[: word.start()]
        if NOT_OVER.search(before):
            continue
        relative = RELATIVE.search(before) or word.group().startswith(("that ", "which "))
        if not relative or not any(hit.end() <= s < word.start() for s in starts):
            return True
    return False


def said(patterns: Sequence[re.Pattern[str]], clauses: list[list[str]]) -> bool:
    """Whether one of ``patterns`` is named, not negated, in some part of ``clauses``."""
    return any(
        not NEGATION.search(part[: hit.start()])
        for parts in clauses
        for part in parts
        for pattern in patterns
        for hit in pattern.finditer(part)
    )


def is_someone_elses(before: str, part: str) -> bool:
    """True when someone close is named before the sign and the writer is not, after them."""
    close = list(SOMEONE_CLOSE.finditer(before))
    if not close:
        return False
    rest = WRITER_ON_IT.sub("", part[close[-1].end() :])
    return not WRITER.search(rest)


# A question about mood as a side effect ("can aza cause suicidal thoughts?", "is depression a
# side effect"): crisis words there are a topic, not the writer's state. Narrower than
# HYPOTHETICAL, whose "if" and "would" are how people in crisis talk ("better off if I wasn't here").
ASKS_ABOUT_MOOD = re.compile(
    r"\b(?:cause[sd]?|causing|side effects?|linked to|link between|make (?:you|people)|"
    r"reported|leaflet|risk of|warning about|signs of|(?:some|other|many) people)\b"
)
