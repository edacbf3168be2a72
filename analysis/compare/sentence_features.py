"""Sentence features for matching statements across outlets (:mod:`analysis.compare.alignment`):
figures with a normalised key (:func:`find_numbers`), proper-noun phrases (:func:`find_names`) and
the content-word stems the TF-IDF match compares."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from analysis.compare.wordchoice import STOP_WORDS
from analysis.scoring.text import WORD_RE

# --- numbers --------------------------------------------------------------------------------------
# Currency words after a number ("38 million crowns", "2.80 crowns"): the figure is money.
CURRENCY_WORDS = (
    "dollars|dollar|euros|euro|pounds|pound|sterling|crowns|crown|kronor|krona|kroner|krone|yen|yuan|"
    "renminbi|rupees|rupee|francs|franc|pesos|peso|roubles|rouble|rubles|ruble|lira|rand|shekels|shekel|"
    "zloty|forints|forint|reais|ringgit|baht|dinars|dinar|dirhams|dirham|riyals|riyal|cents|cent|pence"
)
MULTIPLIERS = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
# Number words are compared like figures; "one" is left out (mostly a pronoun: "one more blow").
NUMBER_WORDS: dict[str, int] = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
    if i >= 2
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
MONTHS = frozenset(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
YEAR_RANGE = (1800, 2100)  # a bare integer in this range (no comma, no decimals) is a year
# Kinds of figure compared exactly and listed in the numbers matrix.  Years, dates and bare number
# words ("two years", "three coalition members") are too common to show that two sentences report
# one fact; they still count as words in the cosine.
KEY_KINDS = frozenset({"percent", "money", "count"})

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUMWORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_MULT_LONG = r"thousand|million|billion|trillion"
_MULT_SHORT = r"bn|mn|mln|tn|[kmb]"  # only when attached: "5m", "$2bn"
NUMBER_RE = re.compile(
    rf"""
    (?<![\w.,/:\-−])                                  # not inside a word, a number, a time or a range
    (?P<cur>(?:US|A|C|NZ|HK|S)?[$£€¥₹])?\s?           # US$ 5, £300m
    (?:(?P<num>{_NUM})|(?P<word>\b(?:{_NUMWORD})\b))
    (?:
        (?P<short>{_MULT_SHORT})(?![\w])              # 5m, 2bn
      | \s?-?\s?(?P<long>{_MULT_LONG})\b              # 38 million, two-million
    )?
    (?P<pct>\s?%|\s?(?:percent|per\s?cent)\b)?
    (?:\s(?P<curword>{CURRENCY_WORDS})\b)?
    (?![\w]|:\d)                                      # not a clock time (11:40)
    (?!\s?[ap]\.?m\b)                                  # nor 6 p.m. / 6am
    """,
    re.VERBOSE | re.IGNORECASE,
)
# "from 2.40 to 2.80 crowns", "between 2 and 3 percent": the first figure takes the second's unit.
_RANGE_GAP_RE = re.compile(r"\s*(?:to|and|or|-|–|—)\s*", re.IGNORECASE)
# "2.80 crowns, up from 2.40", "17 percent, against 12": the later bare figure takes the unit.
_COMPARE_GAP_RE = re.compile(
    r"[,;]?\s*(?:(?:up|down|rising|falling)\s+from|from|to|and|or|against|versus|vs\.?|compared\s+with)\s*",
    re.IGNORECASE,
)

# --- names ----------------------------------------------------------------------------------------
# Words capitalised as titles, not names.  They stay in a name phrase for display ("Mayor Dana
# Whitlow") but do not identify it.
TITLE_WORDS = frozenset(
    """mr mrs ms miss dr prof sir dame lord lady mayor deputy president prime minister ministers
    secretary chancellor governor senator sen rep representative councillor councilman councilwoman
    chair chairman chairwoman chief executive director spokesman spokeswoman spokesperson leader
    general gen colonel col captain capt sergeant officer judge justice king queen prince princess
    pope bishop father sister brother mother st saint mum dad""".split()
)
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())


@dataclass(frozen=True)
class Number:
    """One figure in a sentence."""

    text: str  # as written: "38 million crowns"
    key: str  # normalised for exact comparison: "money:3.8e+07", "percent:17", "count:34"
    kind: str  # "percent", "money", "count", "year", "date" or "word" (a bare number word)
    value: float


def find_numbers(sentence: str) -> list[Number]:
    """Every figure in ``sentence`` with a normalised key ("17 percent" and "17%" share one key)."""
    found: list[tuple[re.Match[str], float, str, str]] = []  # match, value, kind, multiplier
    for m in NUMBER_RE.finditer(sentence):
        if m.group("num") is not None:
            value = float(m.group("num").replace(",", ""))
        else:
            value = float(NUMBER_WORDS[m.group("word").lower()])
        mult = (m.group("short") or m.group("long") or "").lower()
        if mult:
            value *= MULTIPLIERS[mult]
        if m.group("pct"):
            kind = "percent"
        elif m.group("cur") or m.group("curword"):
            kind = "money"
        elif m.group("word") and not mult:
            kind = "word"
        elif _is_date(sentence, m.start(), m.end()):
            kind = "date"
        elif (
            m.group("num")
            and re.fullmatch(r"\d{4}", m.group("num"))
            and YEAR_RANGE[0] <= value <= YEAR_RANGE[1]
        ):
            kind = "year"
        else:
            kind = "count"
        found.append((m, value, kind, mult))
    # A bare figure in a range or comparison with a unit-bearing one takes its unit (and multiplier):
    # backwards first ("from 2.40 to 2.80 crowns"), then forwards ("2.80 crowns, up from 2.40").
    for k in range(len(found) - 2, -1, -1):
        m, value, kind, mult = found[k]
        m2, _, kind2, mult2 = found[k + 1]
        if kind in ("count", "word") and kind2 in ("money", "percent"):
            if _RANGE_GAP_RE.fullmatch(sentence[m.end() : m2.start()]):
                if mult2 and not mult:
                    value *= MULTIPLIERS[mult2]
                found[k] = (m, value, kind2, mult or mult2)
    for k in range(1, len(found)):
        m0, _, kind0, mult0 = found[k - 1]
        m, value, kind, mult = found[k]
        if kind == "count" and kind0 in ("money", "percent"):
            if _COMPARE_GAP_RE.fullmatch(sentence[m0.end() : m.start()]):
                if mult0 and not mult:
                    value *= MULTIPLIERS[mult0]
                found[k] = (m, value, kind0, mult or mult0)
    out: list[Number] = []
    for m, value, kind, _ in found:
        cmp_kind = "count" if kind == "word" else kind
        out.append(
            Number(text=" ".join(m.group().split()), key=f"{cmp_kind}:{value:.6g}", kind=kind, value=value)
        )
    return out


def _is_date(sentence: str, start: int, end: int) -> bool:
    before = WORD_RE.findall(sentence[max(0, start - 12) : start])
    after = WORD_RE.match(sentence, end + 1) if end < len(sentence) and sentence[end] == " " else None
    return (bool(before) and before[-1].lower().rstrip(".") in MONTHS) or (
        after is not None and after.group().lower() in MONTHS
    )


def _key_numbers(numbers: Iterable[Number]) -> tuple[Number, ...]:
    return tuple(n for n in numbers if n.kind in KEY_KINDS)


# --- names ----------------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def _base(word: str) -> str:
    w = word.lower().replace("’", "'")
    return w[:-2] if w.endswith("'s") else w


def _capital_runs(sentence: str) -> list[list[tuple[int, str]]]:
    """Runs of capitalised words separated by single spaces: [(start, word), ...] per run."""
    runs: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    prev_end = -1
    for m in WORD_RE.finditer(sentence):
        word = m.group()
        if word[0].isupper():
            if current and sentence[prev_end : m.start()] != " ":
                runs.append(current)
                current = []
            current.append((m.start(), word))
            prev_end = m.end()
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _name_runs(sentence: str, lower_vocab: frozenset[str]) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """(start, end, phrase, identifying tokens) of each proper-noun run that has identifying tokens."""
    first = WORD_RE.search(sentence)
    first_start = first.start() if first else -1
    out: list[tuple[int, int, str, tuple[str, ...]]] = []
    for run in _capital_runs(sentence):
        if run[0][0] == first_start and len(run) == 1:
            continue  # a lone capitalised sentence opener: "Families", "Officials"
        ident = tuple(
            dict.fromkeys(
                b
                for _, w in run
                if (b := _base(w)) not in TITLE_WORDS
                and b not in STOP_WORDS
                and b not in MONTHS
                and b not in WEEKDAYS
                and b not in lower_vocab
                and len(b) > 1
            )
        )
        if ident:
            start, end = run[0][0], run[-1][0] + len(run[-1][1])
            out.append((start, end, sentence[start:end], ident))
    return out


def find_names(sentence: str, lower_vocab: frozenset[str] = frozenset()) -> list[tuple[str, frozenset[str]]]:
    """Proper-noun phrases in ``sentence``: (phrase as written, identifying lower-case tokens).

    Identifying tokens exclude titles ("Mayor"), stop words, months and weekdays, and words found in
    lower case elsewhere in the event (``lower_vocab``: "the Union" is not a name when "union" is used
    as a word).  The sentence's first word counts only inside a longer run ("Maya Osei said").
    """
    return [(phrase, frozenset(ident)) for _, _, phrase, ident in _name_runs(sentence, lower_vocab)]


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A very light suffix stripper so "cuts"/"cut", "rises"/"rise", "repairs"/"repair" match."""
    for suffix, repl, min_len in (
        ("ies", "y", 5),
        ("ing", "", 6),
        ("ed", "", 5),
        ("es", "", 5),
        ("s", "", 4),
    ):
        if word.endswith(suffix) and len(word) >= min_len and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + repl
    return word


def _match_tokens(sentence: str, runs: Sequence[tuple[int, int, str, tuple[str, ...]]] = ()) -> list[str]:
    """Content-word stems for the TF-IDF match.  A name (one of ``_name_runs``) counts once, by its
    last identifying word ("Mayor Dana Whitlow" -> "whitlow"), so a shared three-word name does not
    outweigh the rest of the sentence; the name bonus adds its own, smaller weight."""
    toks: list[str] = []
    r = 0
    for m in WORD_RE.finditer(sentence):
        start = m.start()
        while r < len(runs) and runs[r][1] <= start:
            r += 1
        if r < len(runs) and runs[r][0] <= start:
            if m.end() == runs[r][1]:
                toks.append(runs[r][3][-1])
            continue
        t = _stem(_base(m.group()))
        if len(t) > 1 and t not in STOP_WORDS:
            toks.append(t)
    return toks
