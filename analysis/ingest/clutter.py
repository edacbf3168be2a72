"""Page clutter inside article text: share bars, related-link boxes, newsletter prompts, photo
credits, bylines and "follow us" lines (pure, offline).

Extractors and copy-paste both leave page furniture in the body ("12 SHARES Share Tweet ...",
"DON'T MISS" boxes, "Photo: ... / Getty Images"), and the scorers then read it as text
("SHARES" as an intensifier).  :func:`remove_clutter` drops such lines by general line-level
rules, each a named pattern below.  Every rule applies only to a *short line that looks like
interface text* — a label, a run of button words, a capitalised name, no sentence of prose — so
a sentence that mentions sharing, a newsletter or a photo is never removed.  Dates and author
names found in the removed lines are returned for articles that have none of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from analysis.ingest.dates import parse_date

# --- limits: what counts as a short, UI-like line --------------------------------------------------
# Labels with a headline after them ("Read more: ...", "Photo: ... / AP") stay under this many
# words; prose paragraphs run 20-60.  Longer lines are never removed by a label rule.
MAX_LABEL_LINE_WORDS = 20
MAX_BYLINE_WORDS = 16  # "By Jane Doe and John Roe, Staff Writers | Updated Oct. 11, 2016 3:45 pm"
MAX_PROMPT_WORDS = 20  # newsletter and "follow us" prompts
# After a box heading alone on its line ("DON'T MISS", "Related stories"), up to this many
# following headline-like lines (at most HEADLINE_MAX_WORDS words, not ending like a sentence)
# are the box's links.  The first line of prose ends the box.
BOX_MAX_LINKS = 6
HEADLINE_MAX_WORDS = 16

# --- share bars --------------------------------------------------------------------------------------
# Words of share/social buttons.  A line made only of these (plus share counts, a date stamp and
# separators) is a share bar: "12 SHARES Share Tweet Google+ Mail Reddit Print".
SOCIAL_BUTTON_WORDS = frozenset(
    {
        "share", "shares", "shared", "tweet", "email", "e-mail", "mail", "pin", "pinit", "pinterest",
        "facebook", "twitter", "x", "linkedin", "whatsapp", "reddit", "print", "google+", "google",
        "buffer", "pocket", "delicious", "tumblr", "skype", "flipboard", "messenger", "telegram",
        "sms", "copy", "link", "save", "comment", "comments", "stumbleupon", "digg", "vk", "line",
        "threads", "bluesky", "mastodon", "this", "article", "story", "page", "on", "via", "to",
    }
)  # fmt: skip
# Words that are also ordinary words: a run needs at least one real button besides these.
WEAK_BUTTON_WORDS = frozenset(
    {
        "shared",
        "copy",
        "link",
        "save",
        "this",
        "article",
        "story",
        "page",
        "on",
        "via",
        "to",
        "line",
        "x",
        "mail",
        "google",
    }
)
SHARE_COUNT_RE = re.compile(
    r"\d[\d,.]*\s*[kKmM]?\s+(?:shares?|comments?|views?|likes?|reactions?)\b", re.IGNORECASE
)
_STRONG_BUTTON_WORDS = SOCIAL_BUTTON_WORDS - WEAK_BUTTON_WORDS
_TOKEN_PUNCTUATION = "|/·•,:;()[]<>»«›‹*-"
MAX_SHARE_BAR_WORDS = 40
# Words of a date stamp or count label beside the buttons ("posted on oct. 11, 2016 at 3:45 pm").
MAX_STAMP_WORDS = 9  # a bar of a dozen networks, its counts and a date stamp
_SEPARATOR_RE = re.compile(r"[\s|/·•,:;()\[\]<>»«›‹+*-]+")

# --- date stamps ------------------------------------------------------------------------------------
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DATE_STAMP_RE = re.compile(
    r"(?:(?:date|published|posted|updated|last updated|first published|on)\s*:?\s*)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    r"(?:(?:19|20)\d\d-\d\d-\d\d(?:[t ]\d\d:\d\d(?::\d\d)?)?"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?:19|20)\d\d)"
    r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d\d(?:\s*[ap]\.?m\.?)?(?:\s+[a-z]{2,4})?)?",
    re.IGNORECASE,
)
# A line that is only a date stamp, with an optional label: "Published: 11 October 2016 14:05".
DATE_LINE_LABEL_RE = re.compile(
    r"^(?:date|published|posted|updated|last updated|first published|published on|posted on)\b\s*:?\s*",
    re.IGNORECASE,
)
MAX_DATE_LINE_WORDS = 12

# --- related-link and "read more" boxes ---------------------------------------------------------------
BOX_LABELS = (
    r"read more|read next|read also|also read|more to read|related|related articles?|related stories"
    r"|related coverage|related content|related links?|related news|related topics|more on this(?: story)?"
    r"|more from [\w ]{1,30}|see also|recommended(?: for you| stories| reading)?|most read|most popular"
    r"|most viewed|trending(?: now| stories)?|you may also like|you might also like|you may have missed"
    r"|don['’]?t miss|do not miss|must read|up next|what to read next|editor['’]?s picks?|top stories"
    r"|latest news|more stories|more news|watch|watch now|listen|click here"
)
# The label, then a separator and a headline: "Read more: Putin cancels Paris visit".
# A hyphen or dash separates only with a space before it ("Related-party" is a word).
BOX_LABEL_LINE_RE = re.compile(rf"^(?:{BOX_LABELS})(?:\s*[:|»>›]+|\s+[–—-]+)\s*(?P<rest>.*)$", re.IGNORECASE)
# The label alone (a box heading, its links follow): "DON'T MISS", "Related stories".
BOX_HEADING_RE = re.compile(rf"^(?:{BOX_LABELS})\s*[:|»>›–—.-]*$", re.IGNORECASE)

# --- newsletter, sign-up and "follow us" prompts ------------------------------------------------------
NEWSLETTER_RE = re.compile(
    r"^(?:sign up|sign-up|subscribe|get|join|receive|want|never miss|don['’]?t miss)\b.*"
    r"\b(?:newsletters?|inbox|e-?mail alerts?)\b"
    r"|^(?:sign up|sign-up|subscribe)\b.*\b(?:briefing|digest|bulletin|updates|alerts)\b"
    r"|^newsletters?\b\s*(?:sign[ -]?up)?"
    r"|^(?:sign up|subscribe|subscribe now|enter your e-?mail(?: address)?|thanks for signing up!?)[.!:]?$"
    r"|^by signing up,? you agree\b",
    re.IGNORECASE,
)
SOCIAL_NETWORKS = (
    r"twitter|facebook|instagram|linkedin|tiktok|youtube|threads|bluesky|mastodon|snapchat"
    r"|telegram|whatsapp|x(?=\s*(?:$|[,.@(]|and\b|or\b))"  # "X", not "X Street"
)
FOLLOW_RE = re.compile(
    rf"^(?:follow|like|find|join|connect with)\b.{{0,60}}?\bon (?:{SOCIAL_NETWORKS})\b"
    r"|^follow @\w+",
    re.IGNORECASE,
)

# --- photo credits -------------------------------------------------------------------------------------
PHOTO_AGENCIES = (
    r"getty images|getty|afp|ap|ap photo|associated press|reuters|epa|epa-efe|shutterstock|pa|pa wire"
    r"|pa images|alamy|rex features|rex|bloomberg|xinhua|sipa|anadolu|dpa|istock|istockphoto"
    r"|ani|pti|aap|tass|sputnik"
)
PHOTO_CREDIT_RE = re.compile(
    # "Photo: John Smith / Getty Images", "Image by Jane Doe", "(Photo credit: AFP)"
    r"^\(?\s*(?:file\s+)?(?:photo|photograph|picture|image|video|illustration|caption)s?"
    r"(?:\s+credit)?\s*(?::|/|\||by\b|copyright\b|source\b|courtesy\b)"
    # "John Smith / Getty Images", "(AP Photo/Jane Doe)", "Getty Images" alone
    rf"|(?:^|[/|,:(—–-]\s*)\(?(?:{PHOTO_AGENCIES})(?:\s+photo)?\)?\s*(?:/[^/]{{0,40}})?\)?$",
    re.IGNORECASE,
)

# --- bylines -------------------------------------------------------------------------------------------
_NAME = r"[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|der|da|del|la|le|bin|al|di))*"
BYLINE_RE = re.compile(
    rf"^(?i:(?:written|words|story|text|reporting|report)\s+)?(?i:by)\s*:?\s+(?P<names>{_NAME}"
    rf"(?:\s*(?:,|(?i:and)|&)\s*{_NAME})*)(?:\s*[,|•·–—-]\s*(?P<tail>.*))?$"
)
# Words allowed (besides capitalised words and numbers) after a byline's names: roles, times.
BYLINE_TAIL_WORDS = frozenset(
    {
        "staff", "writer", "writers", "reporter", "reporters", "correspondent", "editor", "and", "in",
        "at", "of", "the", "for", "updated", "published", "posted", "am", "pm", "a.m.", "p.m.", "et",
        "gmt", "utc", "bst", "est", "edt", "on", "senior", "chief", "political", "with", "contributor",
    }
)  # fmt: skip
# A line ends like a sentence: a full stop, "!" or "?" (maybe inside closing quotes).
_SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)\]]*$")


@dataclass(frozen=True)
class Uncluttered:
    """Text without clutter lines, the lines removed, and what they said about the article."""

    text: str
    removed: tuple[str, ...] = ()
    published: datetime | None = None  # the first date stamp in a removed line
    authors: tuple[str, ...] = ()  # names from removed "By ..." lines (raw, for clean_authors)


def _words(line: str) -> list[str]:
    return line.split()


def _is_sentence(line: str) -> bool:
    return bool(_SENTENCE_END_RE.search(line))


def _share_bar(line: str) -> tuple[bool, datetime | None]:
    """Whether ``line`` is only share buttons/counts (and a date stamp); the stamp's date."""
    spaces = line.count(" ")
    if spaces >= MAX_SHARE_BAR_WORDS or (spaces > MAX_STAMP_WORDS and _is_sentence(line)):
        return False, None  # long, or ending like a sentence: prose (the common case, decided fast)
    tokens = [w.strip(_TOKEN_PUNCTUATION) for w in line.casefold().split()]
    others = [t for t in tokens if t and t not in SOCIAL_BUTTON_WORDS and not t.isdigit()]
    # cheap test first: most lines are prose with no button word, or many other words
    if len(others) > MAX_STAMP_WORDS or (
        _STRONG_BUTTON_WORDS.isdisjoint(tokens) and not SHARE_COUNT_RE.search(line)
    ):
        return False, None
    date = None
    stamp = DATE_STAMP_RE.search(line)
    if stamp:
        date = parse_date(DATE_LINE_LABEL_RE.sub("", stamp.group(0)).removeprefix("on ").strip())
        line = line[: stamp.start()] + " " + line[stamp.end() :]
    counts = SHARE_COUNT_RE.findall(line)
    rest = SHARE_COUNT_RE.sub(" ", line)
    tokens = [t.casefold() for t in _SEPARATOR_RE.split(rest) if t]
    tokens = [t for t in tokens if not t.isdigit()]  # bare counts beside the buttons
    if not all(t in SOCIAL_BUTTON_WORDS or t == "+" for t in tokens):
        return False, None
    strong = [t for t in tokens if t not in WEAK_BUTTON_WORDS]
    return bool(counts or strong), date


def _date_line(line: str) -> datetime | None:
    """The date of a line that is only a (labelled) date stamp, else None."""
    if len(_words(line)) > MAX_DATE_LINE_WORDS:
        return None
    stamp = DATE_STAMP_RE.search(line)
    if not stamp:
        return None
    outside = (line[: stamp.start()] + line[stamp.end() :]).strip(" |·•-–—,:")
    if outside and not DATE_LINE_LABEL_RE.match(outside + " "):
        return None
    return parse_date(DATE_LINE_LABEL_RE.sub("", stamp.group(0)).removeprefix("on ").strip())


def _byline(line: str) -> str | None:
    """The names of a "By NAME[, NAME and NAME][, role | date]" line, else None."""
    if len(_words(line)) > MAX_BYLINE_WORDS:
        return None
    m = BYLINE_RE.match(line.strip(" ."))
    if not m:
        return None
    tail = m.group("tail") or ""
    for word in tail.split():
        w = word.strip(",.:;()|")
        if w and not (w[0].isupper() or any(c.isdigit() for c in w) or w.casefold() in BYLINE_TAIL_WORDS):
            return None
    return m.group("names")


def _is_headline(line: str) -> bool:
    return 0 < len(_words(line)) <= HEADLINE_MAX_WORDS and not _is_sentence(line)


def classify(line: str) -> tuple[str, datetime | None, str | None]:
    """What kind of clutter ``line`` is ("" when it is text), a date it holds, a byline's names."""
    s = " ".join(line.split())
    if not s:
        return "", None, None
    n = len(s.split())
    is_bar, date = _share_bar(s)
    if is_bar:
        return "share", date, None
    if BOX_HEADING_RE.match(s):
        return "box-heading", None, None
    if n <= MAX_LABEL_LINE_WORDS:
        m = BOX_LABEL_LINE_RE.match(s)
        if m and _is_headline(m.group("rest") or "x"):
            return "read-more", None, None
        if PHOTO_CREDIT_RE.search(s) and not _is_sentence(s.rstrip(")")):
            return "photo-credit", None, None
    if n <= MAX_PROMPT_WORDS and (NEWSLETTER_RE.match(s) or FOLLOW_RE.match(s)):
        return "prompt", None, None
    names = _byline(s)
    if names:
        return "byline", _date_line_in(s), names
    date = _date_line(s)
    if date is not None:
        return "date", date, None
    return "", None, None


def _date_line_in(line: str) -> datetime | None:
    stamp = DATE_STAMP_RE.search(line)
    return parse_date(DATE_LINE_LABEL_RE.sub("", stamp.group(0)).strip()) if stamp else None


def remove_clutter_lines(lines: Iterable[str]) -> tuple[list[str], Uncluttered]:
    """``lines`` with every clutter line replaced by "" (blank lines are kept as they are).

    Returns the lines and an :class:`Uncluttered` whose ``text`` is empty (callers join the
    lines their own way) with what the removed lines said.
    """
    out = list(lines)
    removed: list[str] = []
    dates: list[datetime] = []
    names: list[str] = []
    box_left = 0  # links still expected after a box heading
    for i, line in enumerate(out):
        if not line.strip():
            continue
        kind, date, byline = classify(line)
        if not kind and box_left and _is_headline(" ".join(line.split())):
            kind = "box-link"
        box_left = BOX_MAX_LINKS if kind == "box-heading" else box_left - 1 if kind == "box-link" else 0
        if not kind:
            continue
        removed.append(" ".join(line.split()))
        out[i] = ""
        if date is not None:
            dates.append(date)
        if byline:
            names.append(byline)
    info = Uncluttered(
        text="", removed=tuple(removed), published=dates[0] if dates else None, authors=tuple(names)
    )
    return out, info


def remove_clutter(text: str) -> Uncluttered:
    """Extractor output (paragraphs separated by blank lines) without clutter paragraphs."""
    lines, info = remove_clutter_lines(text.split("\n\n"))
    return Uncluttered(
        text="\n\n".join(p for p in lines if p.strip()),
        removed=info.removed,
        published=info.published,
        authors=info.authors,
    )
