"""Plain-text helpers shared by the scorers and the extractor: words, sentences, quotations.

Pure functions over ``str``; offsets are character offsets into the given text.

The sentence splitter is a rule-based splitter (no NLTK data, no spaCy): candidate boundaries are
runs of ``. ! ? …`` (with closing quotes/brackets) followed by white space, and a candidate is kept
or dropped by looking at the word before it (abbreviations from ``lexicons/abbreviations.tsv``,
initials, dotted acronyms) and at the word after it (lower case continues the sentence).  Line
breaks split too, except a single line break followed by a lower-case word (a soft-wrapped line).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

# A word: letters/digits with inner apostrophes or hyphens ("don't", "well-known", "2016").
WORD_RE = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*", re.UNICODE)

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
ABBREVIATIONS_FILE = LEXICON_DIR / "abbreviations.tsv"


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word in ``text``."""
    return [m.span() for m in WORD_RE.finditer(text)]


def count_words(text: str) -> int:
    """Number of words in ``text`` (same definition as :func:`word_spans`)."""
    return len(WORD_RE.findall(text))


# --------------------------------------------------------------------------------------------
# Paragraphs
# --------------------------------------------------------------------------------------------

# A run of line breaks (with any white space between them).  \u2028/\u2029 are Unicode line and
# paragraph separators, which some CMS exports use.
_LINEBREAKS_RE = re.compile(r"[ \t\f\v]*(?:\r\n|[\r\n\u2028\u2029])[\s]*")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every paragraph, trimmed of surrounding white space.

    A blank line always ends a paragraph.  A single line break ends one too (extracted article text
    puts one paragraph per line; headlines and captions have no final punctuation), except when the
    next line starts with a lower-case letter: that is a soft-wrapped line of pasted text.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _LINEBREAKS_RE.finditer(text):
        brk = m.group()
        n_breaks = brk.count("\n") + brk.count("\u2028") + 2 * brk.count("\u2029") + brk.count("\r")
        n_breaks -= brk.count("\r\n")  # a CRLF pair is one line break
        nxt = text[m.end() : m.end() + 1]
        if n_breaks < 2 and nxt.islower():
            continue  # soft wrap: same paragraph
        _add_trimmed(text, start, m.start(), spans)
        start = m.end()
    _add_trimmed(text, start, len(text), spans)
    return spans


def _add_trimmed(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start, end))


# --------------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------------

# A candidate boundary: terminal punctuation (or an ellipsis), then any closing quotes/brackets,
# then white space or the end of the paragraph.
_BOUNDARY_RE = re.compile(r"(?:\.\.\.|…|[.!?])+[\"'”’»)\]]*(?=\s|$)")
_OPENING_PUNCT = "\"'“‘«([{"
# Dotted acronyms and abbreviations such as U.S, a.m, Ph.D, e.g (the token before the last period).
_DOTTED_RE = re.compile(r"^[A-Za-z]{1,3}(?:\.[A-Za-z]{1,3})+$")
_INITIAL_RE = re.compile(r"^[A-Z]$")

# Words that typically open a sentence.  After an ambiguous abbreviation ("U.S.", "Inc.", "a.m.")
# a capitalised next word is usually a name ("U.S. Senate"), so we only split before these.
SENTENCE_OPENERS: frozenset[str] = frozenset(
    """the a an he she it they we i you his her its their our my your this that these those there
    here but and or so yet in on at for if when while after before as since although though because
    some many most all both each every no not none what who why how where which meanwhile however
    still now then later earlier last next one two three also even only such other another more
    officials police critics experts analysts authorities according""".split()
)


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, str]:
    """abbreviation (lower case, no final period) -> kind ("title", "number" or "other")."""
    kinds: dict[str, str] = {}
    for line in ABBREVIATIONS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 2:
            kinds[parts[0].strip().lower()] = parts[1].strip()
    return kinds


# score_text splits the same body twice (sentiment, then loaded language): the last few splits are
# kept so the second call is free.  Keyed by the text itself, so results can never be stale.
SPLIT_CACHE_SIZE = 8


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence in ``text``, trimmed of white space, in order.

    See :func:`_split_sentences`; repeated calls on the same text reuse the last result.
    """
    return list(_split_cached(text))


@lru_cache(maxsize=SPLIT_CACHE_SIZE)
def _split_cached(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(_split_sentences(text))


def _split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence in ``text``, trimmed of white space, in order.

    Paragraph breaks always split (see :func:`paragraph_spans`), so headlines without final
    punctuation are sentences of their own.  Handles titles (Mr., Dr., Sen.), initials (J. K.),
    dotted acronyms (U.S., a.m.), month and number abbreviations before digits (Oct. 5, No. 10),
    decimals (3.5), ellipses, and quotes closing after the period ("... done." He said).
    """
    abbrevs = _abbreviations()
    spans: list[tuple[int, int]] = []
    for p_start, p_end in paragraph_spans(text):
        para = text[p_start:p_end]
        start = 0
        for m in _BOUNDARY_RE.finditer(para):
            end = m.end()
            nxt = end
            while nxt < len(para) and para[nxt].isspace():
                nxt += 1
            if nxt >= len(para):
                break  # the paragraph end closes the last sentence anyway
            if _is_boundary(para, m.start(), m.group(), nxt, abbrevs):
                _add_trimmed(text, p_start + start, p_start + end, spans)
                start = nxt
        _add_trimmed(text, p_start + start, p_end, spans)
    return spans


def _is_boundary(para: str, punct_at: int, punct: str, nxt: int, abbrevs: dict[str, str]) -> bool:
    """Whether the candidate boundary ``punct`` at ``punct_at`` ends a sentence."""
    # The first letter of the next word, skipping opening quotes/brackets.
    i = nxt
    while i < len(para) and para[i] in _OPENING_PUNCT:
        i += 1
    first = para[i] if i < len(para) else ""
    if first.islower():
        return False  # "e.g. the", "Help!" she cried, "... and"
    core = punct.rstrip("\"'”’»)]")
    if core.endswith(("!", "?")) or "…" in core or "..." in core:
        return True
    # A single period: look at the token before it.
    j = punct_at
    while j > 0 and not para[j - 1].isspace():
        j -= 1
    token = para[j:punct_at].lstrip(_OPENING_PUNCT)
    if not token:
        return True
    if _INITIAL_RE.match(token):
        return False  # J. K. Rowling, George W. Bush
    kind = abbrevs.get(token.lower())
    if kind == "title":
        return False
    if first.isdigit():
        return kind != "number"  # Oct. 5, No. 10
    if kind == "other" or _DOTTED_RE.match(token):
        next_word = WORD_RE.match(para, i)
        return next_word is not None and next_word.group().lower() in SENTENCE_OPENERS
    return True


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings (see :func:`split_sentences`)."""
    return [text[s:e] for s, e in split_sentences(text)]


# --------------------------------------------------------------------------------------------
# Quotations
# --------------------------------------------------------------------------------------------

_DQ_OPENERS = "“„«"
_DQ_CLOSERS = "”»"
_DQ_ALL = _DQ_OPENERS + _DQ_CLOSERS + '"'
_SQ_ALL = "‘’'"
_DQ_RE = re.compile("[" + re.escape(_DQ_ALL) + "]")
_SQ_RE = re.compile("[" + re.escape(_SQ_ALL) + "]")
# Characters after which a quote mark opens a quotation (besides white space / paragraph start).
_BEFORE_OPENER = "([{—–-/:" + _DQ_ALL
MAX_SINGLE_QUOTE_CHARS = 300  # a 'single-quoted' passage longer than this is apostrophes, not a quote
# Elisions that start with an apostrophe and would otherwise open a single-quoted passage.
_ELISIONS = frozenset({"em", "til", "cause", "n", "tis", "twas", "bout", "round", "s"})

SCARE_MAX_WORDS = 3  # "so-called 'experts'": 1-3 words in quotes, not a clause, not attributed
# Words just before a short quotation that attribute it to a speaker or mark it as a name/term:
# then it is a (partial) quotation or a title, not the writer's scare quotes ("as" covers
# "described X as 'racist'", "assailed X as ...").
ATTRIBUTION_CUES: frozenset[str] = frozenset(
    """said says say saying told tell tells wrote writes write writing tweeted tweets posted posts
    added asked asks replied replies answered responded shouted chanted yelled screamed declared
    declares announced stated states called calls calling call dubbed dubs dubbing termed terms
    labelled labeled labels branded brands described describes describing describe characterized
    characterised nicknamed named titled entitled headlined known referred word words phrase
    phrases term slogan slogans motto hashtag headline headlines reading read reads sign signs
    banner chants cries cried warned warns urged urges promised vowed insisted argued argues
    claimed claims as""".split()
)
# A word right before the quote that marks it as scare quotes whatever follows.
SCARE_CUES: frozenset[str] = frozenset({"so-called", "self-styled", "self-described", "supposed", "alleged"})
# A short quotation in the first person ("I'm sorry.", "my friend") is someone's utterance: writers do
# not put their own scare quotes around I, me, my, we, us or our.
FIRST_PERSON: frozenset[str] = frozenset(
    "i i'm i’m i've i’ve i'll i’ll i'd i’d me my mine myself we we're we’re we've we’ve we'll we’ll "
    "us our ours ourselves".split()
)
# Words just after a quotation that attribute it ("...," he said).
ATTRIBUTION_AFTER: frozenset[str] = frozenset(
    """said says say told tells wrote writes tweeted posted added asked replied answered responded
    shouted chanted yelled declared announced stated explained continued insisted argued warned
    noted recalled according""".split()
)


# Verbs and phrases anywhere in the quotation's sentence, or in the sentence before it, that attribute
# a short quotation to a speaker: 'Hollande said talks must be "firm, frank," otherwise a "charade."'
# is the president's wording, not the outlet's doubt.  (Colon-introduced quotes are handled above.)
SPEECH_CUES: frozenset[str] = frozenset(
    """said says say saying told tell tells telling wrote writes writing tweeted tweets posted added
    asked replied answered responded declared declares announced stated states explained argued
    argues insisted warned warns urged noted recalled according called calls calling described
    describes describing dubbed termed labelled labeled branded characterized characterised
    quoted quoting statement interview remarks testified vowed promised complained""".split()
)
ATTRIBUTION_SENTENCES = 1  # sentences before the quotation's own that may attribute it


def quote_regions(text: str) -> list[tuple[int, int]]:
    """(start, end) of every direct quotation, quote marks included, sorted and non-overlapping.

    Double quotes (straight, curly, « »), and single curly/straight quotes when they clearly open at
    a word start and close before a non-letter.  A quotation left open at the end of a paragraph
    continues only when the next paragraph opens with a quote mark (the newspaper convention for
    multi-paragraph quotes); otherwise it is capped at the paragraph end, so a stray quote mark
    never swallows the rest of the article.
    """
    return [(s, e) for s, e, _ in classify_quotes(text)]


def scare_quotes(text: str) -> list[tuple[int, int]]:
    """(start, end) of the quotations that are scare quotes, marks included.

    A scare quote puts 1-3 words (not a full clause, no ?/! inside) in quotes without attributing
    them to anyone: the so-called "experts".  Quotations introduced by "said", "called", "dubbed",
    a colon ..., or followed by "he said", and capitalised names/titles ("Harry Potter") are not.
    """
    return [(s, e) for s, e, kind in classify_quotes(text) if kind == "scare"]


def classify_quotes(text: str) -> list[tuple[int, int, str]]:
    """Every quotation of :func:`quote_regions` with its kind: "speech", "scare" or "title".

    "title" is a short quotation of capitalised words: a name, nickname or title of a work.
    """
    return list(_classify_cached(text))


# The scorers, the alignment, word choice and the actor analysis each look for the quotations of the
# same article text: the last few results are kept (keyed by the text itself, like the splits).
@lru_cache(maxsize=SPLIT_CACHE_SIZE)
def _classify_cached(text: str) -> tuple[tuple[int, int, str], ...]:
    out: list[tuple[int, int, str]] = []
    sentence_spans: list[tuple[int, int]] | None = None
    for start, end, closed in _raw_quote_regions(text):
        kind = _quote_kind(text, start, end, closed)
        if kind == "scare" and not _scare_cued(text, start):
            if sentence_spans is None:
                sentence_spans = split_sentences(text)
            if _attributed(text, start, end, sentence_spans):
                kind = "speech"
        out.append((start, end, kind))
    return tuple(out)


def _scare_cued(text: str, start: int) -> bool:
    """Whether a "so-called"/"self-styled" cue right before ``start`` marks scare quotes outright."""
    before = [w.lower() for w in WORD_RE.findall(text[max(0, start - 40) : start])[-2:]]
    return bool(before) and (before[-1] in SCARE_CUES or before == ["so", "called"])


def _attributed(text: str, start: int, end: int, sentence_spans: Sequence[tuple[int, int]]) -> bool:
    """Whether a speech cue appears in the quotation's sentence (outside it) or the one before."""
    i = bisect.bisect_right(sentence_spans, (start, float("inf"))) - 1
    if i < 0:
        return False
    lo = sentence_spans[max(0, i - ATTRIBUTION_SENTENCES)][0]
    j = i
    while j + 1 < len(sentence_spans) and sentence_spans[j][1] < end:
        j += 1  # the quotation runs past its sentence's end
    hi = sentence_spans[j][1]
    window = text[lo:start] + " " + text[end:hi]
    return any(w.lower() in SPEECH_CUES for w in WORD_RE.findall(window))


def _raw_quote_regions(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, closed) regions; ``closed`` is False for a quotation capped at a paragraph end."""
    regions: list[tuple[int, int, bool]] = []
    pending_open = False  # the previous paragraph ended inside a quotation
    for p_start, p_end in paragraph_spans(text):
        para = text[p_start:p_end]
        para_regions, open_at_end = _double_quote_regions(para)
        if pending_open and regions and para_regions and para_regions[0][0] == 0:
            # Continuation: the open quotation extends over this paragraph's first quotation.
            prev_start = regions.pop()[0]
            _, first_end, first_closed = para_regions[0]
            para_regions[0] = (prev_start - p_start, first_end, first_closed)
        para_regions = _merge_single_quotes(para, para_regions)
        regions.extend((p_start + s, p_start + e, c) for s, e, c in para_regions)
        pending_open = open_at_end
    return regions


def _opener_context(para: str, i: int) -> bool:
    before_ok = i == 0 or para[i - 1].isspace() or para[i - 1] in _BEFORE_OPENER
    after_ok = i + 1 < len(para) and not para[i + 1].isspace()
    return before_ok and after_ok


def _closer_context(para: str, i: int) -> bool:
    before_ok = i > 0 and not para[i - 1].isspace()
    after_ok = i + 1 >= len(para) or not para[i + 1].isalnum()
    return before_ok and after_ok


def _double_quote_regions(para: str) -> tuple[list[tuple[int, int, bool]], bool]:
    """Double-quoted regions of one paragraph, and whether a quotation is still open at its end."""
    regions: list[tuple[int, int, bool]] = []
    open_at: int | None = None
    for m in _DQ_RE.finditer(para):
        i, c = m.start(), m.group()
        if open_at is None:
            if c in _DQ_OPENERS:
                open_at = i
            elif c in _DQ_CLOSERS and _opener_context(para, i) and not _closer_context(para, i):
                open_at = i  # reversed guillemets (»Text«) or a mistyped curly quote
            elif c == '"' and _opener_context(para, i) and not (i > 0 and para[i - 1].isdigit()):
                open_at = i  # (a straight quote after a digit is an inch mark: 12" screen)
            # otherwise a stray closing mark: ignore it
        elif c in _DQ_CLOSERS or c == '"' or _closer_context(para, i):
            regions.append((open_at, i + 1, True))
            open_at = None
        # an opening curly quote inside an open quotation that does not look like a closer: ignore
    if open_at is not None:
        regions.append((open_at, len(para), False))
        return regions, True
    return regions, False


def _merge_single_quotes(para: str, regions: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """Add single-quoted passages outside the double-quoted regions (headline style: 'A new low')."""
    if "‘" not in para and "'" not in para:
        return regions
    covered = [(s, e) for s, e, _ in regions]
    singles: list[tuple[int, int, bool]] = []
    open_at: int | None = None
    k = 0  # index of the first double quotation that ends after the current position
    k_at_open = 0
    for m in _SQ_RE.finditer(para):
        i, c = m.start(), m.group()
        while k < len(covered) and covered[k][1] <= i:
            k += 1
        if k < len(covered) and covered[k][0] <= i < covered[k][1]:
            continue  # nested single quotes inside a double quotation
        if open_at is not None and i - open_at > MAX_SINGLE_QUOTE_CHARS:
            open_at = None  # too long: the "opener" was an apostrophe
        if open_at is None:
            if c in "‘'" and _opener_context(para, i) and para[i + 1].isalpha():
                word = WORD_RE.match(para, i + 1)
                if word is None or word.group().lower() not in _ELISIONS:
                    open_at, k_at_open = i, k
        elif c in "’'" and _closer_context(para, i):
            if k == k_at_open:  # no double quotation in between
                singles.append((open_at, i + 1, True))
            open_at = None
    if not singles:
        return regions
    return sorted(regions + singles)


def _quote_kind(text: str, start: int, end: int, closed: bool) -> str:
    if not closed:
        return "speech"
    inner = text[start + 1 : end - 1]
    words = WORD_RE.findall(inner)
    if not 1 <= len(words) <= SCARE_MAX_WORDS or not any(len(w) >= 2 for w in words):
        return "speech"
    if inner.rstrip().endswith(("?", "!", "…", "...")):
        return "speech"
    if any(w.lower() in FIRST_PERSON and not (len(w) > 1 and w.isupper()) for w in words):
        return "speech"  # "I'm sorry." (but "US" is the country)
    letters = [w for w in words if w[0].isalpha()]
    if letters and all(w[0].isupper() for w in letters) and not inner.rstrip().endswith((",", ".", ";", ":")):
        return "title"  # "Harry Potter" (but "No," he said is speech)
    # Context before the opening mark, within the paragraph.
    # (searched only within the 60 characters: an unbounded search back to the previous line break
    # made a long text without line breaks quadratic in its quotations)
    line_start = max(text.rfind("\n", max(0, start - 60), start) + 1, start - 60)
    before = text[line_start:start].rstrip()
    before_words = [w.lower() for w in WORD_RE.findall(before)[-3:]]
    if (before_words and before_words[-1] in SCARE_CUES) or before_words[-2:] == ["so", "called"]:
        return "scare"  # so-called "experts"
    if not before or before.endswith((":", ".", "!", "?", "—", "–")):
        return "speech"  # opens a sentence or follows a colon: a quoted utterance
    if any(w in ATTRIBUTION_CUES for w in before_words):
        return "speech"
    line_end = text.find("\n", end, end + 40)
    after = text[end : min(end + 40, len(text) if line_end < 0 else line_end)]
    if after.lstrip().startswith(":"):
        return "speech"  # 'A new low': critic ...
    # "...," he said / "Nonsense." said Smith: attributed when the quote ends its clause.
    if inner.rstrip().endswith((",", ".")) or after.startswith(","):
        if any(w.lower() in ATTRIBUTION_AFTER for w in WORD_RE.findall(after)[:3]):
            return "speech"
    return "scare"


def in_regions(regions: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) lies inside one of the sorted, non-overlapping ``regions``."""
    i = bisect.bisect_right(regions, (start, float("inf"))) - 1
    return i >= 0 and regions[i][0] <= start and end <= regions[i][1]


# Characters an XML tree (lxml, under newspaper3k and trafilatura) cannot hold: C0 controls other
# than tab/LF/CR, and the noncharacters U+FFFE/U+FFFF.  In HTML they are parse errors; a stray
# one (raw or as "&#1;") made extraction raise.  Removed from decoded pages (form feed, which
# HTML treats as a space, becomes one), and numeric references to them become U+FFFD.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")
_NUMERIC_REF_RE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_SPACE_CODEPOINTS = frozenset({0x0B, 0x0C})


def _xml_invalid(cp: int) -> bool:
    return (cp < 0x20 and cp not in (0x09, 0x0A, 0x0D)) or cp in (0xFFFE, 0xFFFF)


def _safe_reference(match: re.Match[str]) -> str:
    cp = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    if not _xml_invalid(cp):
        return match.group(0)
    return " " if cp in _SPACE_CODEPOINTS else "\ufffd"


def clean_markup(text: str) -> str:
    """``text`` without the characters (raw or as numeric references) an XML tree cannot hold."""
    if "\x0c" in text:
        text = text.replace("\x0c", " ")
    text = _XML_INVALID_RE.sub("", text)
    if "&#" in text:
        text = _NUMERIC_REF_RE.sub(_safe_reference, text)
    return text
