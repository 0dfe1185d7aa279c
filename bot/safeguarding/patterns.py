"""The words and patterns the safeguarding detector looks for.

Kept apart from the matching code so a safeguarding lead can read and review them. A
pattern is a list of slots: a word, or a SET from WORDS; "?" after a slot makes it
optional and "*" lets it repeat (0 or more); "_" is any one word. Every phrase in
tests/data/safeguarding/ must keep giving the right answer after a change here.
"""

from __future__ import annotations

# Text-speak and contractions, spelled out before matching (on lower-case text).
REWRITES = [
    (r"\bi'm\b|\bim\b", "i am"),
    (r"\bi've\b|\bive\b", "i have"),
    (r"\bi'd\b", "i would"),
    (r"\bhe'd\b|\bhed\b", "he would"),
    (r"\bshe'd\b", "she would"),
    (r"\bhe's\b|\bhes\b", "he is"),
    (r"\bshe's\b|\bshes\b", "she is"),
    (r"\bthey're\b|\btheyre\b", "they are"),
    (r"\bwe're\b", "we are"),
    (r"\b(do|does|did|is|was|are|were|has|have|had|would|could|should)n'?t\b", r"\1 not"),
    (r"\bwon'?t\b", "will not"),
    (r"\bcan'?t\b", "can not"),
    (r"\bain'?t\b", "is not"),
    (r"\bwanna\b", "want to"),
    (r"\bgonna\b|\bgunna\b|\bgona\b", "going to"),
    (r"\b2nite\b|\b2night\b|\btonite\b|\btnite\b", "tonight"),
    (r"\b2day\b", "today"),
    (r"\b2\b", "to"),
    (r"\bu\b", "you"),
    (r"\bn\b", "and"),
    (r"\bany more\b", "anymore"),
    (r"\bno one\b", "nobody"),
    (r"\bno longer\b", "not"),
    (r"\bstep[ -]?(dad|mum|father|mother)\b", r"step\1"),
    (r"\bself[ -]?harm", "selfharm"),
    (r"(\w)'s (\w+ing)\b", r"\1 is \2"),  # "dad's hitting" -> "dad is hitting"
]

# Spellings that mean the same word.
VARIANTS = {
    "dads": "dad", "daddy": "dad", "mums": "mum", "mam": "mum", "mom": "mum", "moms": "mum",
    "mummy": "mum", "mommy": "mum", "stepdads": "stepdad", "bf": "boyfriend",
    "hitz": "hits", "hittin": "hitting", "hitin": "hitting", "hiting": "hitting",
    "hurtin": "hurting", "beatin": "beating", "kickin": "kicking", "punchd": "punched",
    "slappin": "slapping", "touchin": "touching", "killin": "killing", "cuttin": "cutting",
    "kil": "kill", "kils": "kills", "myslef": "myself", "mysef": "myself",
    "selfharming": "selfharm", "selfharmed": "selfharm", "pls": "please", "plz": "please",
}  # fmt: skip

# Long keywords that a one-letter slip still counts as ("hurtng", "sucide").
FUZZY_KEYWORDS = (
    "hitting", "hurting", "beating", "punching", "punched", "kicking", "slapping",
    "strangle", "strangled", "choking", "touches", "touching", "touched", "privates",
    "suicide", "suicidal", "killing", "myself", "overdose", "molested", "abused",
    "abusing", "stepdad", "boyfriend", "beaten", "battered", "tonight", "cutting",
)  # fmt: skip
# Ordinary words one slip away from a keyword: never mended into it.
ORDINARY_WORDS = {
    "cooking", "hunting", "hinting", "sitting", "fitting", "hurling", "beaming", "bearing",
    "touring", "couching", "heating", "putting", "cutting", "kissing", "licking", "picking",
    "ticking", "kicked", "picked", "packing", "punches", "touchy", "myself", "suicide",
}  # fmt: skip

WORDS = {
    "SUBJECT": {
        "he", "she", "they", "dad", "mum", "stepdad", "stepmum", "stepfather", "stepmother",
        "father", "mother", "brother", "sister", "uncle", "aunt", "auntie", "nan", "nana",
        "grandad", "grandma", "grandpa", "boyfriend", "girlfriend", "partner", "husband",
        "wife", "someone", "somebody", "man", "cousin", "carer", "people", "lodger",
    },
    "AUX": {
        "is", "was", "are", "were", "keeps", "keep", "kept", "has", "have", "had", "been",
        "will", "would", "going", "to", "always", "still", "just", "often", "sometimes",
        "really", "then", "again", "also", "even", "tried", "tries", "trying", "wants",
        "want", "said", "says", "threatened", "threatens", "started", "starts", "be",
        "being", "can", "could", "might", "gets", "got", "get", "getting", "and", "now",
        "literally", "actually", "proper", "constantly", "did", "does", "do", "used",
    },
    "HURT": {
        "hit", "hits", "hitting", "hurt", "hurts", "hurting", "beat", "beats", "beating",
        "beaten", "kick", "kicks", "kicking", "kicked", "punch", "punches", "punching",
        "punched", "slap", "slaps", "slapping", "slapped", "choke", "chokes", "choking",
        "choked", "strangle", "strangles", "strangling", "strangled", "burn", "burns",
        "burning", "burned", "burnt", "smack", "smacks", "smacking", "smacked", "batter",
        "batters", "battering", "battered", "attack", "attacks", "attacking", "attacked",
        "stab", "stabs", "stabbed", "stabbing", "threw", "throws", "throwing", "push",
        "pushes", "pushed", "shove", "shoves", "shoved", "bite", "bites", "whip", "whips",
        "whipped", "belt", "belts", "belted", "thump", "thumps", "thumped",
    },
    "PASSIVE_MARK": {"am", "was", "get", "got", "getting", "being", "been", "keep", "gets"},
    "PASSIVE_HURT": {
        "hit", "hurt", "beaten", "beat", "kicked", "punched", "slapped", "battered",
        "attacked", "smacked", "strangled", "choked", "burned", "burnt", "abused",
        "raped", "molested", "stabbed", "thumped",
    },
    "PERSON": {
        "me", "us", "mum", "dad", "him", "her", "them", "baby", "kids", "children", "brother",
        "sister", "brothers", "sisters", "son", "daughter", "nan", "mother", "father",
        "stepdad", "you", "everyone",
    },
    "ME": {"me", "us"},
    "SELF": {"myself", "herself", "himself", "themselves", "themself"},
    "DET": {"my", "our", "the", "his", "her", "their", "little", "big", "baby", "younger"},
    "KILL": {"kill", "kills", "killing", "murder", "murders", "shoot", "stab"},
    "WEAPON": {"knife", "knives", "gun", "blade", "machete", "bat"},
    "HOLD": {"has", "got", "had", "held", "holds", "holding", "pulled", "carries", "with"},
    "TOUCH": {"touch", "touches", "touching", "touched", "feels", "felt", "grabs", "grabbed"},
    "SEXUAL": {
        "sex", "sexual", "porn", "naked", "nude", "nudes", "clothes", "privates", "private",
    },
    "ABUSE": {"abuse", "abuses", "abused", "abusing", "rape", "rapes", "raped", "raping",
              "molest", "molests", "molested", "molesting"},  # fmt: skip
    "SELF_CUT": {"cut", "cuts", "cutting", "burn", "burning", "hurting", "hurt"},
    "INTENT": {"want", "wants", "going", "will", "keep", "keeps", "been", "might", "like",
               "thinking", "think", "planning", "plan", "about", "to", "wanted"},  # fmt: skip
    "WISH_DEAD": {"die", "dead"},
    "RUN": {"run", "running", "leave", "leaving"},
    "NOW": {"tonight", "today", "now"},
    "FEAR": {"scared", "afraid", "frightened", "terrified"},
    "LOCK": {"lock", "locks", "locked", "locking"},
}  # fmt: skip

KNOWN_WORDS = set().union(*WORDS.values())

PATTERNS = {
    # Someone hurting, or about to hurt, a person.
    "harm": [
        ["SUBJECT", "AUX*", "HURT", "up?", "DET?", "DET?", "PERSON"],
        ["SUBJECT", "AUX*", "HURT", "DET", "DET?", "PERSON"],
        ["HURT", "ME"],
        ["i", "AUX*", "PASSIVE_MARK", "AUX*", "PASSIVE_HURT"],
        ["being", "PASSIVE_HURT"],
        ["SUBJECT", "AUX*", "LOCK", "PERSON", "in?"],
    ],
    "kill_threat": [
        ["SUBJECT", "AUX*", "KILL", "DET?", "DET?", "PERSON"],
        ["SUBJECT", "AUX*", "HOLD", "a", "WEAPON"],
        ["SUBJECT", "AUX*", "HOLD", "a", "_", "WEAPON"],
        ["SUBJECT", "AUX*", "threatened", "PERSON", "with", "a?", "WEAPON"],
        ["burn", "the", "house", "down"],
        ["scared", "for", "my", "life"],
    ],
    "sexual_abuse": [
        ["SUBJECT", "AUX*", "TOUCH", "PERSON"],
        ["SUBJECT", "AUX*", "TOUCH", "my", "SEXUAL"],
        ["SUBJECT", "AUX*", "makes", "PERSON", "touch"],
        ["SUBJECT", "AUX*", "makes", "PERSON", "_?", "_?", "_?", "SEXUAL"],
        ["SUBJECT", "AUX*", "sexually?", "ABUSE", "PERSON"],
        ["i", "AUX*", "PASSIVE_MARK", "AUX*", "ABUSE"],
        ["i", "was", "ABUSE"],
        ["SUBJECT", "AUX*", "ABUSE", "PERSON"],
        ["SUBJECT", "AUX*", "sends", "PERSON", "SEXUAL"],
        ["SUBJECT", "AUX*", "sent", "PERSON", "SEXUAL"],
        ["SUBJECT", "AUX*", "asks", "PERSON", "for", "SEXUAL"],
        ["SUBJECT", "AUX*", "gets", "in", "my", "bed"],
        ["SUBJECT", "AUX*", "comes", "in", "my", "bed"],
        ["SUBJECT", "AUX*", "comes", "into", "my", "bed"],
        ["ABUSE", "PERSON"],
    ],
    "suicide": [
        ["KILL", "SELF"],
        ["end", "my", "life"],
        ["end", "it", "all"],
        ["take", "my", "own?", "life"],
        ["want", "to", "die"],
        ["want", "to", "be", "dead"],
        ["wish", "i", "was", "dead"],
        ["wish", "i", "were", "dead"],
        ["better", "off", "_?", "_?", "_?", "dead"],
        ["suicide"],
        ["suicidal"],
        ["overdose"],
        ["take", "all", "my", "pills"],
        ["jump", "off", "the?", "_"],
    ],
    "self_harm": [
        ["cut", "SELF"],
        ["cutting", "SELF"],
        ["cuts", "SELF"],
        ["INTENT", "AUX*", "SELF_CUT", "SELF"],
        ["hurt", "myself", "on", "purpose"],
        ["selfharm"],
    ],
    "running_away": [
        ["RUN", "away", "AUX*", "NOW"],
        ["RUN", "home", "NOW"],
    ],
    # These say danger with a "not" in them: the "not" is not a negation here.
    "unsafe": [
        ["not", "feel?", "safe"],
        ["in", "danger"],
        ["not", "want", "to", "be", "alive"],
        ["not", "want", "to", "live"],
        ["not", "want", "to", "wake", "up"],
        ["not", "going", "home", "tonight"],
        ["not", "coming", "home", "tonight"],
    ],
    # Concern: recorded for the chair, the conversation goes on.
    "fear": [
        ["FEAR", "of", "DET?", "SUBJECT"],
        ["FEAR", "of", "DET?", "PERSON"],
        ["FEAR", "to", "go", "home"],
        ["FEAR", "when", "SUBJECT"],
    ],
}

# Families that are immediate whoever the subject is (a "not" makes them a concern).
CONTEXT_FREE_IMMEDIATE = {"suicide", "self_harm", "running_away", "sexual_abuse"}
# Families recorded as a concern only.
CONCERN_KINDS = {"fear"}
# Families where harm long ago is a concern rather than an emergency.
FADES_WITH_TIME = {"harm", "kill_threat"}
# Families whose "not" is part of the danger, never a negation.
NOT_IS_DANGER = {"unsafe"}

NEGATORS = {"not", "never", "nobody", "stopped", "no", "without"}
NEGATING_AFTER = {"anymore"}
ACCIDENT_AFTER = {"shaving", "cooking", "accidentally", "accident"}
LONG_AGO = (
    "used to", "years ago", "year ago", "when i was little", "when i was small",
    "when i was younger", "when i was a kid", "when i was a baby", "last year",
    "in the past", "long time ago", "before they split",
)  # fmt: skip
# Words before a "hurting me" that show it is not a person doing it.
NON_PERSON = {
    "it", "this", "that", "back", "head", "knee", "leg", "arm", "tooth", "teeth", "job",
    "work", "form", "rent", "wait", "exam", "stomach", "neck", "foot", "feet", "heart",
    "shoes", "weather", "money", "price", "bills", "joke", "film", "tummy", "ear",
}  # fmt: skip
BODY_PARTS = {"head", "back", "arm", "leg", "knee", "hand", "finger", "foot", "toe", "face",
              "lip", "lips", "nose", "elbow", "shoulder", "ankle", "wrist"}  # fmt: skip


def to_spacy(spec: list[str]) -> list[dict]:
    """A compact pattern as a spaCy Matcher pattern over the canonical forms."""
    pattern = []
    for slot in spec:
        op = slot[-1] if slot[-1] in "?*" else None
        name = slot.rstrip("?*")
        if name == "_":
            token = {}
        elif name in WORDS:
            token = {"_": {"canon": {"IN": sorted(WORDS[name])}}}
        else:
            token = {"_": {"canon": name}}
        if op:
            token["OP"] = op
        pattern.append(token)
    return pattern
