"""Event features: the text an article is read from (headline, lead and body paragraphs, datelines
stripped) and the names and figures in it (proper-noun phrases, numbers with their unit).

The method as a whole: :mod:`analysis.events.grouper`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# Only the start of a long body is read: news puts the event first (inverted pyramid), and it bounds
# the cost per article.  ~500 words.  Measured: as good as 6,000 characters on NewsWCL50 (articles
# of up to 1,600 words) and the mix, slightly better at high thresholds.
MAX_BODY_CHARS = 3000
MIN_TITLE_WORDS = 3  # a title with fewer real words ("DESPERATION:", a dateline) is not used
ENTITY_SCAN_CHARS = 1500  # proper nouns and numbers are read from the title and this much of the body


# --------------------------------------------------------------------------------------------
# Text preparation
# --------------------------------------------------------------------------------------------

# A dateline at the start of a paragraph: "WASHINGTON —", "PALM BEACH, Fla. —",
# "Washington (AFP) –", "April 29 (UPI) —", "SAN DIEGO ―".  A short prefix (at most ~6 words) made of
# capitalised words, abbreviations, numbers and an agency in brackets, followed by a long dash.
_DATELINE_RE = re.compile(
    r"^\s*(?P<prefix>(?:[A-Z][\w.'’]*|\d{1,4}|\([A-Za-z .]{2,12}\))(?:[ ,]+(?:[A-Z][\w.'’]*|\d{1,4}|"
    r"\([A-Za-z .]{2,12}\))){0,5})\s*[,]?\s*(?:[—–―]|--)\s*"
)
DATELINE_PARAGRAPHS = 2  # a dateline is at the start of the text, alone on a line or opening the lead
_TITLE_PARTS_RE = re.compile(r"\s{2,}|\s[|•]\s")  # "Title  Subtitle", "Title | Site name"
_TITLE_WORD_RE = re.compile(r"[^\W\d_]{2,}")


def _strip_dateline(paragraph: str) -> str:
    m = _DATELINE_RE.match(paragraph)
    if m is None:
        return paragraph
    return paragraph[m.end() :]


def _paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs (one per line), a dateline stripped from the first ones."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if len(out) < DATELINE_PARAGRAPHS:
            line = _strip_dateline(line).strip()
        if line:
            out.append(line)
    return out


def clean_title(title: str | None) -> str:
    """The usable part of a headline, or "" when it is junk.

    Drops a dateline ("WEST PALM BEACH, Fla. —" is no headline), and returns "" when fewer than
    ``MIN_TITLE_WORDS`` words are left ("DESPERATION:").  A trailing "| Site name" part is dropped.
    """
    if not title:
        return ""
    parts = [p.strip() for p in _TITLE_PARTS_RE.split(title.strip()) if p.strip()]
    if len(parts) > 1 and " | " in title and len(_TITLE_WORD_RE.findall(parts[-1])) <= 3:
        parts = parts[:-1]  # "Headline | BBC News"
    text = _strip_dateline(" ".join(parts)).strip()
    if len(_TITLE_WORD_RE.findall(text)) < MIN_TITLE_WORDS:
        return ""
    return text


def _doc_parts(doc: Mapping[str, Any]) -> tuple[str, str | None, list[str]]:
    """(title, given lead or None, body paragraphs) of one input document, cleaned and capped."""
    return _parts(doc.get("title"), doc.get("text"), doc.get("lead"))


def _raw(doc: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    """The fields the features are made of (what is sent to a worker process): title, the start of
    the text (only MAX_BODY_CHARS are read), lead."""
    text = doc.get("text")
    return doc.get("title"), text[:MAX_BODY_CHARS] if isinstance(text, str) else text, doc.get("lead")


def _parts(title: Any, text: Any, lead: Any) -> tuple[str, str | None, list[str]]:
    text = text if isinstance(text, str) else ""
    lead = " ".join(_paragraphs(lead)) if isinstance(lead, str) and lead.strip() else None
    return clean_title(title if isinstance(title, str) else None), lead, _paragraphs(text[:MAX_BODY_CHARS])


# --------------------------------------------------------------------------------------------
# Named entities and numbers
# --------------------------------------------------------------------------------------------

# A capitalised word: "Pompeo", "NATO", "C.I.A.", "McConnell", "O'Brien", "Mr.".
_CAP = (
    r"(?:(?:Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Prof)\.|[A-Z][a-z]+(?:['’][A-Za-z]+)?"
    r"|[A-Z][a-z]*[A-Z][a-z]+|[A-Z]{2,6}|(?:[A-Z]\.){2,})"
)
# A phrase of capitalised words separated by one space or a hyphen, allowing the small connectors of
# names ("Bank of England").  Written to start with a character class (then the lookbehind): the
# regex engine then skips quickly to candidate positions (2x faster than a leading lookbehind).
_ENTITY_RE = re.compile(
    r"[A-Z](?<![\w.][A-Z])(?:(?<=[MDSRGLCP])(?:r|rs|s|t|en|ep|ov|ol|gt|rof)\.|[a-z]+(?:['’][A-Za-z]+)?"
    r"|[a-z]*[A-Z][a-z]+|[A-Z]{1,5}|\.(?:[A-Z]\.)+)"
    rf"(?:(?: (?:of|de|del|da|van|von|al|bin|le|la|du|der) | |-){_CAP})*"
)
# A number, with thousands separators, decimals, currency and unit: "4,200", "17%", "$3.5 billion".
_NUMBER_RE = re.compile(
    r"(?=[$€£\d])(?<![\w.,])(?P<cur>[$€£])?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?"
    r"(?:\s?(?P<unit>%|percent\b|per cent\b|million\b|billion\b|trillion\b|bn\b|km\b|miles\b))?"
)
# The same for ASCII text, 2x faster: it starts with a character class (the regex engine then skips
# quickly to candidate positions), the first character captured apart (a currency sign, or the number's
# first digit).  \w, \d and \s of ASCII text are the classes spelt out (\s is also \x1c-\x1f).
_NUMBER_ASCII_RE = re.compile(
    r"(?P<first>[$0-9])(?<![A-Za-z0-9_.,].)"
    r"(?P<num>(?<=[$])(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)|(?<=[0-9])(?:[0-9]{0,2}(?:,[0-9]{3})+|[0-9]*))"
    r"(?P<dec>\.[0-9]+)?"
    r"(?:[\s\x1c-\x1f]?(?P<unit>%|percent\b|per cent\b|million\b|billion\b|trillion\b|bn\b|km\b|miles\b))?",
    re.ASCII,
)
# Role words: they split a phrase and are not part of a name ("CIA Director Mike Pompeo" is "CIA"
# and "Mike Pompeo"; "President Trump" and "Mr. Trump" are "Trump").
_ROLES = frozenset(
    "mr mrs ms miss dr sir dame lord lady president vice prime minister secretary senator sen rep "
    "gov governor chancellor king queen prince princess pope general gen lt col sgt prof judge justice "
    "chief mayor director chairman chairwoman ceo speaker leader spokesman spokeswoman".split()
)
# Capitalised words that name no person, place or organisation of an event.
_NOT_ENTITIES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june "
    "july august september october november december today yesterday tomorrow".split()
)
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;\"“”'‘’]\s*|\n\s*)$")
_SPLIT_RE = re.compile(r"[\s-]+")
MIN_PLAIN_NUMBER = 10  # plain integers below this ("two", "3 people") are too common to identify anything


def entity_features(text: str) -> list[str]:
    """Proper-noun phrases and numbers of ``text`` as features: ``"e:mike pompeo"``, ``"n:4200"``.

    A multi-word name also yields its last word ("e:pompeo") so that "Mike Pompeo" and "Mr. Pompeo"
    meet.  A single capitalised word at the start of a sentence is skipped (it is capitalised by
    position, not because it is a name) unless it is an acronym.  Plain years (1900-2099) and small
    plain integers are not used: every story of the period shares them.
    """
    return [feat for feat, _surface in _entity_mentions(text)]


def _entity_mentions(text: str) -> list[tuple[str, str]]:
    """(feature, surface form) of every proper noun and number in ``text``."""
    out: list[tuple[str, str]] = []
    for m in _ENTITY_RE.finditer(text):
        mentions, check_start = _entity_phrase(m.group())
        if check_start and _SENTENCE_START_RE.search(text, max(0, m.start() - 3), m.start()):
            continue  # a single word capitalised by its position, not because it is a name
        out.extend(mentions)
    for cur, num, dec, unit in _numbers(text):
        num = num.replace(",", "")
        if not unit and not cur and not dec and (int(num) < MIN_PLAIN_NUMBER or 1900 <= int(num) <= 2099):
            continue
        unit = _UNITS.get(unit.lower(), unit.lower())
        out.append((f"n:{cur}{num}{dec}{unit}", f"{cur}{num}{dec}{unit}"))
    return out


_UNITS = {"percent": "%", "per cent": "%", "bn": "billion"}


def _numbers(text: str) -> list[tuple[str, str, str, str]]:
    """(currency, digits, decimals, unit) of every number in ``text``: ``_NUMBER_RE.findall(text)``."""
    if not text.isascii():
        return _NUMBER_RE.findall(text)
    return [
        ("", first + num, dec, unit) if first != "$" else (first, num, dec, unit)
        for first, num, dec, unit in _NUMBER_ASCII_RE.findall(text)
    ]


@lru_cache(maxsize=1 << 16)
def _entity_phrase(surface: str) -> tuple[tuple[tuple[str, str], ...], bool]:
    """Features of one capitalised phrase, and whether they only count away from a sentence start.

    Role words split a phrase: "CIA Director Mike Pompeo" is "CIA" and "Mike Pompeo".
    """
    words = [w[:-2] if w.lower().endswith("'s") else w for w in _SPLIT_RE.split(surface.replace("’", "'"))]
    runs: list[list[str]] = [[]]
    for w in words:
        if w.lower().rstrip(".") in _ROLES:
            runs.append([])
        else:
            runs[-1].append(w)
    mentions: list[tuple[str, str]] = []
    check_start = False
    for k, run in enumerate(runs):
        while run and (run[0].lower() in ENGLISH_STOP_WORDS or run[0].lower() in _NOT_ENTITIES):
            run = run[1:]  # "The White House", "On Tuesday", "of State" after "Secretary"
        while run and run[-1].lower() in _NOT_ENTITIES:
            run = run[:-1]  # "Pompeo Tuesday"
        if not run or (len(run) == 1 and len(run[0]) < 2):
            continue
        if len(run) == 1:
            word = run[0]
            # a lone capitalised first word may be capitalised only because it starts a sentence
            check_start = check_start or (k == 0 and len(words) == 1 and not word.isupper())
            mentions.append(("e:" + word.lower().replace(".", ""), word))
            continue
        mentions.append(("e:" + " ".join(w.lower().replace(".", "") for w in run), " ".join(run)))
        if run[-1].istitle() and len(run[-1]) > 2:
            mentions.append(("e:" + run[-1].lower(), run[-1]))  # "Mike Pompeo" meets "Mr. Pompeo"
    return tuple(mentions), check_start
