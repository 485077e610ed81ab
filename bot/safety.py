"""Warning-sign detection: does a message describe a sign someone has *now*?

Runs on every message before matching. A sign (fever, bleeding, yellow eyes, contact with
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
from dataclasses import dataclass

from bot.textnorm import fold

_W = r"(?:\w+ ){0,3}"  # up to three words in between
_WHO = r"(?:my|his|her|their|our|the)"
_BODY_FLUIDS = r"(?:pee|wee|urine|poo|poop|stool|stools|vomit|sick|spit|phlegm|mucus)"
# Thermometer readings (whole degrees, folded text): in the fever range in Celsius and
# Fahrenheit, and below it in either.
_FEVER_C = r"(?:3[89]|40)"
_FEVER_F = r"(?:10[0-4])"
_BELOW_FEVER = r"(?:3[0-7]|9\d)"

#: sign name -> pattern over folded text (lower case, no punctuation, single spaces).
SIGN_PATTERNS: dict[str, str] = {
    "fever": (
        # A temperature word followed by a normal reading ("temp was 37.2") is not a fever.
        r"\b(?:(?<!yellow )fever\w*|febrile|feverish|high temp\w*|"
        rf"(?:a|the) temp\w*(?! \w+ {_BELOW_FEVER}\b)|"
        rf"temp\w* (?:of|is|was|at|went up|keeps)(?! {_BELOW_FEVER}\b)|"
        r"teeth (?:\w+ ){0,2}chattering|freezing (?:\w+ ){0,4}(?:boiling|roasting|sweating|burning)|"
        r"(?:boiling|roasting) (?:\w+ ){0,4}freezing|"
        rf"{_FEVER_C} (?:\d )?(?:c\b|degrees)|{_FEVER_F} (?:\d )?(?:f\b|degrees)|"
        rf"{_FEVER_C} (?:\d )?(?:temp\w*|fever)|hot to (?:the )?touch|"
        r"hot and (?:cold|shivery|sweaty|clammy)|burnin\w* up|(?:burning|boiling|roasting) hot|hot body|"
        r"body (?:is |feels )?(?:so |really |very )?(?:hot|burning)|(?:night )?sweats|sweating|shiver\w*|"
        r"shaking|chills?|rigou?rs|flu like|fluey|flu ish|(?:got|have|has|caught) (?:the )?flu\b|"
        # Spanish, Portuguese, Polish, French: patients who write in their own language.
        r"fiebre|febre|fi[eè]vre|gor[aą]czk\w*|escalofr[ií]o\w*|calafrio\w*|dreszcz\w*|frissons?)"
    ),
    "infection": (
        r"\b(?:(?:got|have|has|with|caught|picked up|diagnosed with|developed) (?:a |an |the )?"
        r"(?:\w+ )?(?:infection|uti|pneumonia|cellulitis|abscess|covid|coronavirus|tonsillitis)|"
        r"(?:tested|testing) positive|infected|oozing|pus\b|cold sores?)"
    ),
    "sore throat": (
        r"\b(?:sore throat|throat (?:pain|ache)|pain in (?:my |his |her )?throat|"
        r"throats? (?:is |feels |really |so |very |a bit |absolutely |totally |proper |super )*"
        r"(?:sore|raw|killin\w*|"
        r"swollen|painful|on fire|hurts?)|throat (?:\w+ ){0,3}(?:razor|glass)|strep|hurts? to swallow|"
        # "I can barely swallow" is the throat; "can barely swallow the tablets" is how to take them.
        r"(?:barely|hardly) (?:able to )?swallow"
        r"(?! (?:the |my |these |those |them|it|\w* ?(?:tablets?|pills?)))|"
        r"painful to swallow|white (?:patches|spots) (?:\w+ ){0,4}(?:throat|tonsils?)|"
        r"(?:throat|tonsils?) (?:\w+ ){0,4}white (?:patches|spots)|(?:dolor|dor) de garganta|"
        r"b[oó]l gard[lł]a|mal (?:de|[aà] la) gorge)"
    ),
    "mouth ulcers": (
        rf"\b(?:mouth ulcers?|ulcers? (?:in|on|inside) {_WHO}? ?(?:mouth|tongue|gums?|lips?|cheeks?)|"
        rf"mouth (?:is )?(?:full of )?sores|sores? (?:in|on) {_WHO}? ?(?:mouth|tongue)|canker sores?|"
        r"(?:mouth|tongue|gums?) (?:\w+ ){0,3}(?:ulcers?|sores))"
    ),
    "bruising": r"\b(?:bruis\w*)",
    "bleeding": (
        rf"\b(?:bleed\w*|bled|blood (?:in|when|on) {_WHO}? ?{_BODY_FLUIDS}|"
        rf"bloody (?:{_BODY_FLUIDS}|nose|diarrhoea|diarrhea)|black (?:\w+ ){{0,2}}(?:poo|poop|stools?)|"
        r"(?:poo|poop|stools?) (?:\w+ ){0,3}black|"
        r"tarry|nose ?bleeds?|coughing (?:up )?blood|"
        # Someone's own period, not "do periods get heavier on it?".
        r"(?:my|her|their) periods? (?:\w+ ){0,3}(?:heavier|(?:wont|will not|doesnt|does not|not) stop\w*)|"
        r"(?:having|getting|got|get) (?:\w+ )?heavier periods?|"
        r"(?:pink|red) (?:pee|wee|urine)|"
        r"(?:pee|wee|urine) (?:is |looks )?(?:pink|red))"
    ),
    "red or purple spots": (
        r"\b(?:petechia\w*|purpura|(?:tiny|small|little|pin ?point|pinprick|pin prick) (?:\w+ ){0,2}"
        r"(?:spots|dots|marks|specks)|(?:red|purple|dark) (?:spots|dots|specks|pin ?pricks)|"
        r"purple (?:blotch\w*|patch\w*|marks?)|"
        # The glass test: a rash that does not fade when pressed.
        r"(?:spots|rash|marks|dots) (?:\w+ ){0,5}(?:dont|doesnt|wont|do not|does not|will not) fade)"
    ),
    "yellow skin or eyes": (
        rf"\b(?:jaundice\w*|yellow\w* (?:skin|eyes?|tinge|colou?r|whites)|"
        rf"(?:skin|eyes?|whites of {_WHO} eyes) (?:\w+ ){{0,4}}yellow\w*|"
        r"(?:look\w*|gone|turned|turning|going|went) (?:a bit |slightly |quite |really |very |so )?yellow|"
        # "I'm yellow" is the person; "my wee is yellow" and "the tablets are yellow" are not.
        r"\b(?:im|i am|hes|he is|shes|she is) (?:a bit |slightly |quite |really |so |very )?yellow\b|"
        r"icter[ií]cia|jaunisse|[żz][oó][łl]taczk\w*|(?:ojos|olhos|piel|pele) amar[ei]l\w*)"
    ),
    "dark urine": (
        r"\b(?:dark (?:pee|wee|urine)|(?:pee|wee|urine) (?:\w+ ){0,4}(?:dark|brown|cola|coke|tea|"
        r"orange)|colou?r of (?:cola|coke|tea|coffee)|(?:brown|cola colou?red) (?:pee|wee|urine)|"
        r"(?:peeing|weeing|urinating) (?:\w+ ){0,2}(?:dark|brown|cola|orange))"
    ),
    "severe stomach pain": (
        r"\b(?:(?:severe|bad|terrible|awful|excruciating|agonising|agonizing|unbearable|sharp|"
        r"intense|horrible|worst|crippling|stabbing) (?:\w+ ){0,2}(?:stomach|abdominal|abdomen|"
        r"belly|tummy|upper stomach) ?(?:pain|ache|cramps?|pains)|(?:stomach|abdominal|belly|tummy) "
        r"(?:pain|ache)s? (?:\w+ ){0,3}(?:severe|unbearable|agony|excruciating|worse|back)|"
        r"pain (?:\w+ ){0,8}(?:into|through to|going to|radiating to|spreading to) (?:my |the )?back|"
        r"(?:really bad|severe|terrible|awful|agonising|agonizing|excruciating) pain (?:\w+ ){0,5}"
        r"(?:stomach|tummy|belly|abdomen)|"
        r"(?:stomach|abdominal|belly|tummy) (?:pain|ache)s? (?:\w+ ){0,3}(?:[7-9]|10) (?:out of )?10\b|"
        r"(?:stomach|tummy|belly) (?:is |has been |keeps )?killing|doubled over|in agony)"
    ),
    "vomiting that won't stop": (
        r"\b(?:(?:cant|cannot|can not|unable to|not able to) (?:stop (?:being sick|vomiting|"
        r"throwing up)|keep (?:anything|food|water|fluids|drinks|it) down)|(?:vomit\w*|throwing up|"
        r"being sick|been sick|puking) (?:\w+ ){0,4}(?:non ?stop|all (?:day|night|morning)|"
        r"constantly|wont stop|for hours|every hour|since|times today|all the time|"
        r"(?:[3-9]|\d\d|several|many|multiple) times)|"
        r"keeps? (?:vomiting|throwing up|being sick|puking))"
    ),
    "breathlessness": (
        # Out of breath after a run is normal; after the stairs it may be anaemia.
        r"\b(?:breathless\w*|short(?:ness)? of breath|out of breath(?! after (?:\w+ ){0,2}(?:run|"
        r"running|jog\w*|sprint\w*|workout|gym|training|exercise|exercising|football|\d+k|marathon|race))|"
        r"(?:cant|cannot|struggling to|"
        r"hard to|trouble|difficulty|difficult to|problems?) (?:catch (?:my|his|her) )?breath\w*|"
        r"wheez\w*|tight chest|chest (?:is |feels )?tight|gasping)"
    ),
    "new lump": (
        r"\b(?:lumps?|swollen (?:glands?|lymph nodes?|nodes?)|swelling (?:in|on) "
        r"(?:my |his |her )?(?:neck|armpit|groin))\b"
    ),
    # "blister pack" is packaging, not skin.
    "sudden rash": r"\b(?:rash\w*|hives|blister(?!s? packs?)\w*|(?:skin (?:is )?)?peeling)",
    "chickenpox or shingles": r"\b(?:chicken ?pox|chickenpocks|shingles|varicella)",
    "swollen face or trouble breathing": (
        r"\b(?:(?:swollen|swelling|puffy|puffed up|swell\w*) (?:\w+ ){0,2}(?:face|lips?|tongue|"
        r"throat|eyes?|mouth)|(?:face|lips?|tongue|throat) (?:\w+ ){0,2}(?:swollen|swelling|"
        r"puff\w*|swell\w*)|anaphyla\w*|allergic reaction|cant breathe|cannot breathe|"
        # A throat closing up is an airway sign, unlike a sore one.
        r"can not breathe|throat (?:\w+ ){0,2}(?:tight|closing)|tight(?:ness in)? (?:my |his |her )?throat)"
    ),
}
EMERGENCY_SIGNS = frozenset({"swollen face or trouble breathing"})
FEVER_SIGN = "fever"
#: Characters of a message checked: a sign described later than this in a 5,000-character
#: message is a rare price for a bounded cost on every message.
MAX_CHECKED_CHARS = 2000
#: A sign only by contact: it does not count when the message says there was none.
CONTACT_SIGN = "chickenpox or shingles"
_COMPILED = {name: re.compile(pattern) for name, pattern in SIGN_PATTERNS.items()}

# A negation shortly before the sign ("no fever", "dont have a sore throat", "never bruised").
_NOT_WORDS = r"not|dont|doesnt|didnt|havent|hasnt|hadnt|isnt|arent|wasnt|never"
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
    r"whether|how common|commonly|are common|count as|^(?:is|are) (?:\w+ ){1,3}(?:common|rare)\b|counts as|"
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
    r"\b(?:(?:years?|yrs?|decades?) ago|months ago|last year|(?<!since )last week|long before|"
    r"(?:ive |i have )?always (?:had|bruised|been|bruise|bleed)|years back|"
    r"as (?:a |an )?(?:child|kid|baby|newborn|infant|toddler|teenager)|at birth|"
    r"when i was (?:a |younger|little|small)|in the past|(?<!never )(?<!not )used to|"
    r"history of|previously|already had|"
    r"had it before|before i (?:even )?started|long time ago|ages ago|childhood|"
    r"had (?:chicken ?pox|shingles)|"
    r"last month|last (?:winter|summer|spring|autumn|fall|christmas|easter)|"
    r"back in (?:jan\w*|feb\w*|march|april|may|june|july|aug\w*|sep\w*|oct\w*|nov\w*|"
    r"dec\w*|the spring|the summer|the autumn|the winter|\d{4}))\b"
)
# Feeling hot or sweaty, when the thermometer gave a reading below the fever range and none in it
# ("hot and sweaty but it's 32 degrees out and my thermometer says 36.8"). Chills still count.
_HEAT_WORDS = re.compile(r"(?!.*(?:shiver|cold|chill))(?:hot|sweat|burnin|boiling|roasting|body)")
_NORMAL_READING = re.compile(rf"\b(?:temp\w*|thermometer)(?: \w+){{0,3}} {_BELOW_FEVER}\b")
_FEVER_READING = re.compile(rf"\b(?:{_FEVER_C} (?:\d\b|c\b|degrees)|{_FEVER_F}\b)")
# "Is 37.2 a fever?": a reading below the fever range, asked about just before the word. It
# needs a decimal or a unit: in "she is 35 with a fever", 35 is her age.
_FEVER_WORD = re.compile(r"(?:(?:a|the|high) )?(?:fever|temp|febrile)")
_READING_BEFORE = re.compile(rf"\b(?:is|isnt|was) {_BELOW_FEVER} (?:\d|degrees|c|f)(?: \w+){{0,2}} $")
# A fever brought down by these is still a fever: "it's back to normal now" does not end it.
_FEVER_MEDICINE = re.compile(
    r"\b(?:paracetamol|calpol|ibuprofen|nurofen|tylenol|acetaminophen|advil|lemsip|panadol)\b"
)
# Over by now, or judged harmless: these describe what the whole clause said ("fever and aches
# all over, she's fine now"; "the scan says it's a harmless cyst", not "a harmless-looking lump").
_RESOLVED = re.compile(
    r"\b(?:gone now|(?:long|all) gone|back to (?:normal|pale|clear)|gone (?:within|after|by|in) |"
    r"went away|cleared up|panic over|false alarm|"
    r"healed (?:up )?now|(?:has|have|had|theyve|its|it has|they have) healed|"
    r"stopped (?:by itself|on its own|after|quickly|straight away|in|within)|"
    r"(?:clear|normal|pale) again|"
    r"(?:like|as) normal|(?:all|shes|hes|im|theyre|is|are|am) fine now|resolved|"
    r"(?:is|was|its|were) (?:a |an |just |only )?(?:harmless|benign))\b"
)
# "Hasn't stopped after 20 minutes", "still not back to normal": not over at all.
_NOT_OVER = re.compile(rf"\b(?:{_NOT_WORDS}|wont|cant|yet to)(?: \w+)? $")
# A sign with an everyday cause the writer names: bruises from a fall are not "unexplained
# bruising"; "bruise from the slightest knock" still is.
_EXPLAINED_BY = {
    "bruising": re.compile(
        r"\b(?:fell|falling|fallen|fall|tripped|crash\w*|accident|injur\w*|walked into|banged|"
        r"(?:rugby|football|hockey|netball) (?:match|game|tackle|training)|clumsy|knocked|bumped|"
        # "bruised my shin on the coffee table": a bump the writer remembers.
        r"(?:on|against|into) (?:the|a|our) (?:\w+ )?(?:table|door|desk|bed|chair|step|stairs|corner|"
        r"cupboard|car|wall|counter|worktop))\b"
    ),
    # "One ulcer from biting my cheek": a sore the writer knows the cause of.
    "mouth ulcers": re.compile(
        r"\b(?:(?:bit|biting|bitten) (?:my |his |her |their )?(?:cheek|tongue|lip)s?|"
        r"(?:burnt|burned|scalded) (?:my |his |her |their )?(?:mouth|tongue)|braces?)\b"
    ),
}
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
# A reading like "39.2" in the fever range is a temperature, unless a unit or a blood test says
# otherwise ("38.5 kg", "CRP 38.5"); it is marked so the fever pattern sees "39 2 degrees".
_TEMPERATURE_READING = re.compile(
    rf"(?<!crp )(?<!alt )(?<!ast )(?<!esr )(?<!ggt )\b({_FEVER_C})\.(\d)\b"
    r"(?! ?(?:kg|kilos?|lbs?|mg|ml|cm|mm|g\b|%|years?|yrs?|weeks?|mmol|u/l|iu))"
)
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
    """The warning signs found in a message; ``emergency`` means call an ambulance."""

    signs: tuple[str, ...]

    @property
    def emergency(self) -> bool:
        """True for a possible severe allergic reaction or trouble breathing."""
        return any(sign in EMERGENCY_SIGNS for sign in self.signs)


def _clauses(text: str) -> list[list[str]]:
    """The message's clauses, each as its parts (folded), continuing parts joined to the last."""
    # Split before folding so sentence punctuation still separates clauses.
    text = _TEMPERATURE_READING.sub(r"\1 \2 degrees", text.casefold())
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


def _someone_elses(before: str, part: str) -> bool:
    """True when someone close is named before the sign and the writer is not, after them."""
    close = list(_SOMEONE_CLOSE.finditer(before))
    if not close:
        return False
    rest = _WRITER_ON_IT.sub("", part[close[-1].end() :])
    return not _WRITER.search(rest)


def _sign_is_current(
    name: str,
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
    one below it.
    """
    before = part[: hit.start()]
    if name == FEVER_SIGN and not fever_reading:
        if normal_reading and _HEAT_WORDS.match(hit.group()):
            return False  # "hot and sweaty, but it's 32 degrees out and my thermometer says 36.8"
        if _FEVER_WORD.match(hit.group()) and _READING_BEFORE.search(before):
            return False  # "is 37.2 a fever?" asks about a normal reading
    if _NEGATION.search(before) or _ANIMAL.search(before):
        return False
    if writer_alone_on_it and name != CONTACT_SIGN and _someone_elses(before, part):
        return False  # "my partner has a sore throat, I'm on aza": the partner's sign
    if _AS_A_WARNING.search(part) and not _SOMEONE.search(part):
        return False  # "dark urine a warning sign on aza?" names the sign as a topic
    cause = _EXPLAINED_BY.get(name)
    # The cause may come in an earlier part: "bruised my shin on the table, it's just a bruise".
    told = clause[: clause.find(part) + len(part)]
    if cause is not None and any(not _NEGATION.search(told[: c.start()]) for c in cause.finditer(told)):
        return False  # "havent banged into anything" names no cause
    # Contact is a question about the whole clause: "my niece has chickenpox, can I go if she's
    # better by then" asks about contact to come.
    if _HYPOTHETICAL.search(clause if name == CONTACT_SIGN else part):
        return False
    return not _PAST.search(_OTHER_TIMES.sub("", part))


def detect_warning_signs(text: str) -> WarningSigns | None:
    """The warning signs described as happening now in ``text``, or None."""
    text = text[:MAX_CHECKED_CHARS]
    folded = fold(text)
    found: list[str] = []
    no_contact = bool(_NO_CONTACT.search(folded))
    ahead_of_time = bool(_AHEAD_OF_TIME.search(folded))
    writer_alone_on_it = bool(_WRITER_ON_IT.search(folded)) and not _OTHER_ON_IT.search(folded)
    fever_masked = bool(_FEVER_MEDICINE.search(folded))
    fever_reading = bool(_FEVER_READING.search(folded))
    normal_reading = bool(_NORMAL_READING.search(folded))
    clauses = _clauses(text)
    for index, parts in enumerate(clauses):
        clause = " ".join(parts)
        later = clauses[index + 1] if index + 1 < len(clauses) else []
        after = " ".join(later)
        if _NOT_ON_ANY.search(clause) or (ahead_of_time and _ASKS.search(clause)):
            continue
        if _NOT_ON_ANY.search(after) and not _FIRST_PERSON.search(clause):
            continue
        # Over by now: "fever and aches, she's fine now", or "...but it went away" after it, or
        # "...but I'd barely drunk anything, it's back to pale now".
        resolved = _says_over(clause) or any(_POINTS_BACK.match(p) and _says_over(p) for p in later)
        if resolved and not fever_masked:
            continue
        for name, pattern in _COMPILED.items():
            if name in found or (no_contact and name == CONTACT_SIGN) or (resolved and name != FEVER_SIGN):
                continue
            if any(
                _sign_is_current(
                    name,
                    part,
                    hit,
                    clause,
                    writer_alone_on_it=writer_alone_on_it,
                    fever_reading=fever_reading,
                    normal_reading=normal_reading,
                )
                for part in parts
                for hit in pattern.finditer(part)
            ):
                found.append(name)
    return WarningSigns(tuple(found)) if found else None
