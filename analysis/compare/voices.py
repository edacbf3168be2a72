"""Who gets to speak: every quote of an article with its speaker, the speaker's role and the verb.

:func:`find_quotes` finds, in one text,

- **direct** quotations ('"...," said X', 'X said: "..."', 'X: "..."' after a colon, a quotation
  that continues the previous speaker's in the same paragraph),
- **partial** quotations: quoted words inside the writer's sentence ('accused him of "vanity"'),
  kept only when the sentence attributes them (a reporting verb and a speaker),
- **indirect** speech without quote marks ('X said the plant would close', 'according to X').

Each is attributed to a speaker: a named person or organisation (the actor finder's canonical
name, :func:`analysis.compare.mentions.find_mentions`, titles kept apart), an unnamed source ("a
government spokesperson", "critics", "residents"), or a pronoun ("she said") carried to the last
person named.  The verb is kept as written (normalised to one form: "says" -> "said"), and the
role comes from the speaker's title and description through :mod:`analysis.compare.roles`.

Quote marks and their kind (speech / scare / title) come from
:func:`analysis.scoring.text.classify_quotes`; this module adds the attribution on top.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analysis.compare.actor_lexicon import _POSSESSIVE_RE, _TOKEN_RE
from analysis.compare.mentions import Mention, find_mentions
from analysis.compare.roles import (
    apply_overrides,
    classify_role,
    indirect_verbs,
    role_cues,
    unnamed_heads,
    verb_forms,
)
from analysis.scoring.text import classify_quotes, paragraph_spans, split_sentences

KINDS: tuple[str, ...] = ("direct", "partial", "indirect")
ATTRIBUTION_AFTER_WORDS = 8  # words after a quotation searched for '..., said X' / '..., X said'
SUBJECT_WORDS = 5  # words before a verb searched for its subject ("the finance minister, X, said")
INVERTED_WORDS = 6  # words after a verb searched for an inverted subject ("said a senior agency official")
PRONOUN_PARAGRAPHS = 2  # "she said" is the previous speaker when that quote is this close
APPOSITIVE_WORDS = 14  # words of ", a Kelby councillor whose street ..." kept as a description
PREFIX_WORDS = 4  # lower-case words right before a name kept ("union leader", "party spokeswoman")
INDIRECT_MIN_WORDS = 4  # words an indirect quote must report (not "he said so")
PERSON_PRONOUNS = frozenset({"he", "she"})
# Words that mark an unnamed speaker as a withheld identity (role "anonymous").
ANONYMITY_WORDS = frozenset("senior backbench unnamed anonymous anonymity".split())
# "an official said", "one diplomat said": a single unnamed insider (a spokesperson speaks on record).
WITHHELD_HEADS = frozenset("official diplomat mp officer minister lawmaker insider source aide".split())
GROUP_PRONOUNS = frozenset({"they", "it"})
# Words that may stand between a subject and its verb ("Reyland later said", "who has repeatedly warned").
_SKIP = frozenset("has have had was were is also later then again repeatedly had once who which".split())
_DETERMINERS = frozenset(
    "a an the one two three some several many most other another its his her their".split()
)
_STOP_BEFORE = frozenset("and or but that said says to of in on at for by with from as".split())
# Verbs whose next noun is their object, never an inverted subject.
_OBJECT_VERBS = frozenset("told tell tells asked asks accused accuses called calls urged urges".split())
# A name right after one of these is not a subject ("doctors in Tervin say").
_PREPOSITIONS = frozenset("in of at from near for with to on by about against".split())
# "Lena Marsh of the Lantern Rights Project": a person's name, then an organisation.
_NAME_OF_RE = re.compile(r"^((?:[A-Z][\w'’\-]+\s){1,3}?[A-Z][\w'’\-]+)\s+(?:of|from|at)\s+(?:the\s+)?(.+)$")


@dataclass(frozen=True)
class Quote:
    """One quote: ``text[start:end]`` is the quotation (marks included) or the reported sentence."""

    start: int
    end: int
    text: str  # the quoted words without the marks, or the reported sentence
    kind: str  # direct / partial / indirect
    speaker: str  # canonical name or unnamed description ("a spokesperson"); "" when not found
    named: bool  # a named person or organisation
    role: str  # analysis.compare.roles.ROLES
    verb: str  # "said", "warned", "according to"; "" for a colon or a continued quotation
    description: str = ""  # title and description seen with the speaker ("finance minister")


@dataclass(frozen=True)
class _Speaker:
    name: str
    named: bool
    description: str
    pronoun: str = ""  # he / she / they / it: still to be resolved
    person: bool = False  # a named person (no role cue: an ordinary person)


class _Text:
    """One text's tokens, mentions, sentences and paragraphs, for the attribution rules."""

    def __init__(self, text: str, mentions: Sequence[Mention]) -> None:
        self.text = text
        self.tokens = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN_RE.finditer(text)]
        self.tok_starts = [t[0] for t in self.tokens]
        self.mentions = [m for m in mentions if m.kind != "place"]
        self.m_starts = [m.start for m in self.mentions]
        self.sentences = split_sentences(text) or [(0, len(text))]
        self.s_starts = [s for s, _ in self.sentences]
        self.paragraphs = paragraph_spans(text) or [(0, len(text))]
        self.p_starts = [s for s, _ in self.paragraphs]
        self.descriptions: dict[str, list[str]] = {}
        for m in self.mentions:
            self.descriptions.setdefault(m.actor, []).append(self._describe(m))

    # --- lookups -----------------------------------------------------------------------------
    def sentence(self, pos: int) -> tuple[int, int]:
        return self.sentences[max(0, bisect.bisect_right(self.s_starts, pos) - 1)]

    def paragraph(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.p_starts, pos) - 1)

    def tok_range(self, start: int, end: int) -> range:
        return range(bisect.bisect_left(self.tok_starts, start), bisect.bisect_left(self.tok_starts, end))

    def mention_at(self, start: int, end: int) -> Mention | None:
        """A (non-place) mention overlapping [start, end)."""
        i = max(0, bisect.bisect_left(self.m_starts, start) - 1)
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end > start:
                return self.mentions[i]
            i += 1
        return None

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        i = bisect.bisect_left(self.m_starts, start)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            out.append(self.mentions[i])
            i += 1
        return out

    def last_person(self, pos: int, since: int = 0) -> str | None:
        i = bisect.bisect_left(self.m_starts, pos) - 1
        while i >= 0 and self.mentions[i].start >= since:
            m = self.mentions[i]
            if m.kind == "person" and not _POSSESSIVE_RE.match(self.text[m.end : m.end + 2]):
                return m.actor
            i -= 1
        return None

    # --- descriptions ------------------------------------------------------------------------
    def _describe(self, m: Mention) -> str:
        """Title, the lower-case words before the name and an appositive or 'of the X' after it."""
        parts = [m.role] if m.role else []
        before = self.text[max(0, m.start - 60) : m.start]
        words = re.findall(r"[A-Za-z][\w\-]*", before.split(".")[-1].split(",")[-1])[-PREFIX_WORDS:]
        parts += [w for w in words if (w.islower() or w.lower() in role_cues()) and w not in _STOP_BEFORE]
        after = self.text[m.end : m.end + 200]
        app = re.match(r",\s+((?:a|an|the|who|one|its|his|her|[a-z]|[A-Z][\w\-]*['’]s\s)[^,.;:“”\"]*)", after)
        if app and app.group(1).split()[0].lower() not in verb_forms():
            parts.append(" ".join(app.group(1).split()[:APPOSITIVE_WORDS]))
        of = re.match(r"\s*,?\s+(?:of|from|at|for)\s+((?:the\s+)?[A-Z][^,.;:“”\"]*)", after)
        if of:
            parts.append(" ".join(of.group(1).split()[:APPOSITIVE_WORDS]))
        if m.kind == "organisation":
            parts.append(m.actor)
        return " ".join(p for p in parts if p)

    def description_of(self, actor: str) -> str:
        return " ".join(dict.fromkeys(d for d in self.descriptions.get(actor, []) if d))

    # --- speakers ----------------------------------------------------------------------------
    def _unnamed(self, k: int) -> _Speaker:
        """The noun phrase headed by token ``k`` ("a government spokesperson"), with 'for/of the X'."""
        lo = k
        while lo > 0 and k - lo < 3:
            s, e, w = self.tokens[lo - 1]
            between = self.text[e : self.tokens[lo][0]]
            if (
                between.strip()
                or not (self.text[s].islower() or w in _DETERMINERS)
                or w in _STOP_BEFORE
                or w in verb_forms()
            ):
                break
            lo -= 1
            if w in _DETERMINERS:
                break
        end = self.tokens[k][1]
        tail = re.match(
            r"\s+(?:for|of|at|from)\s+(?:the\s+)?[A-Z][\w\-]*(?:\s+(?:of\s+)?[A-Z][\w\-]*)*", self.text[end:]
        )
        if tail:
            end += tail.end()
        phrase = " ".join(self.text[self.tokens[lo][0] : end].split())
        return _Speaker(phrase, False, phrase)

    def _titled_next(self, m: Mention) -> Mention:
        """The titled person right after ``m`` when ``m`` names the body of the title: "Water" in
        "said Water Commissioner Edda Vang", "Dunmore" in "Dunmore Mayor Owen Tate"."""
        i = bisect.bisect_right(self.m_starts, m.start)
        if i < len(self.mentions):
            nxt = self.mentions[i]
            if nxt.kind == "person" and nxt.role and self.text[m.end : nxt.start].split() == nxt.role.split():
                return nxt
        return m

    def named(self, m: Mention) -> _Speaker:
        name, description = m.actor, self.description_of(m.actor)
        split = _NAME_OF_RE.match(name) if m.kind == "person" or " of " in name else None
        if split and not any(w.lower() in role_cues() for w in split.group(1).split()):
            name, description = split.group(1), f"{description} {split.group(2)}".strip()
        return _Speaker(name, True, description, person=m.kind == "person" or bool(split))

    def _subject_token(self, k: int) -> _Speaker | None:
        s, e, w = self.tokens[k]
        m = self.mention_at(s, e)
        if m is not None:
            m = self._titled_next(m)
        if m is not None and not _POSSESSIVE_RE.match(self.text[m.end : m.end + 2]):
            prev = self.text[max(0, m.start - 12) : m.start].split()
            if prev and prev[-1].lower() in _PREPOSITIONS and m.kind != "person":
                return None
            return self.named(m)
        if w in PERSON_PRONOUNS or w in GROUP_PRONOUNS:
            return _Speaker("", False, "", pronoun=w)
        if w in unnamed_heads():
            return self._unnamed(k)
        return None

    def subject_before(self, v: int, lo: int, clause: bool = True) -> _Speaker | None:
        """The subject of verb token ``v`` among the words before it, not before position ``lo``."""
        k = v - 1
        seen = 0
        if clause and k >= 0 and "," in self.text[self.tokens[k][1] : self.tokens[v][0]]:
            # "Tanya Moss, 44, who takes two buses, told ...": the first name followed by a comma.
            head_start = max(lo, self.sentence(self.tokens[v][0])[0])
            for m in self.mentions_in(head_start, self.tokens[v][0]):
                if self.text[m.end : m.end + 1] == "," and not _POSSESSIVE_RE.match(
                    self.text[m.end - 2 : m.end]
                ):
                    prev = self.text[max(0, m.start - 12) : m.start].split()
                    if not (prev and prev[-1].lower() in _PREPOSITIONS):
                        return self.named(m)
                    break
            # "A senior manager, who spoke on condition of anonymity, said": before the first comma.
            comma = self.text.find(",", head_start, self.tokens[v][0])
            j = bisect.bisect_left(self.tok_starts, comma) if comma >= 0 else -1
            if 0 < j < v:
                found = self.subject_before(j, head_start, clause=False)
                if found is not None:
                    return found
        while k >= 0 and self.tokens[k][0] >= lo and seen < SUBJECT_WORDS:
            gap = self.text[self.tokens[k][1] : self.tokens[k + 1][0]]
            if any(c in gap for c in '“”".;:!?'):
                return None
            found = self._subject_token(k)
            if found is not None:
                return found
            if self.tokens[k][2] not in _SKIP and "," not in gap:
                seen += 1
            k -= 1
        return None

    def subject_after(self, v: int, hi: int) -> _Speaker | None:
        """An inverted subject: 'said Ana Ribeiro', 'said a spokesperson', 'said he'."""
        if self.tokens[v][2] in _OBJECT_VERBS:
            return None  # "told the Blaze": an object, not an inverted subject
        first: _Speaker | None = None
        for k in range(v + 1, min(len(self.tokens), v + 1 + INVERTED_WORDS)):
            if self.tokens[k][1] > hi:
                break
            gap = self.text[self.tokens[k - 1][1] : self.tokens[k][0]]
            if any(c in gap for c in '“”".;:!?,'):
                break
            found = self._subject_token(k)
            if found is not None and found.named:
                return found  # "said retired teacher Eileen Marsh": the name, not "teacher"
            first = first or found
        return first


def _verb_at(tx: _Text, k: int) -> str | None:
    w = tx.tokens[k][2]
    if w == "according" and k + 1 < len(tx.tokens) and tx.tokens[k + 1][2] == "to":
        return "according to"
    return verb_forms().get(w)


def _inside(regions: Sequence[tuple[int, int, str]], pos: int) -> bool:
    i = bisect.bisect_right([r[0] for r in regions], pos) - 1
    return i >= 0 and regions[i][0] <= pos < regions[i][1]


def _attribute(tx: _Text, regions: list[tuple[int, int, str]], idx: int) -> tuple[_Speaker | None, str]:
    """Speaker and verb of quotation ``regions[idx]``: after it first, then before it."""
    q_start, q_end, _ = regions[idx]
    prev_end = regions[idx - 1][1] if idx > 0 else 0
    next_start = regions[idx + 1][0] if idx + 1 < len(regions) else len(tx.text)
    s_end = min(tx.sentence(max(q_start, q_end - 1))[1], next_start)
    s_start = max(tx.sentence(q_start)[0], prev_end)
    after = list(tx.tok_range(q_end, s_end))[:ATTRIBUTION_AFTER_WORDS]
    before = list(tx.tok_range(s_start, q_start))
    # An embedded quotation ('called the plan "a tax on work" and said ...') belongs to the
    # sentence's subject before it; a quotation that opens the sentence to the words after it.
    embedded = _quote_kind(tx, q_start, q_end) == "partial"
    for search in (_before, _after) if embedded else (_after, _before):
        found = search(tx, before if search is _before else after, s_start, s_end, q_start, q_end)
        if found is not None:
            return found
    if tx.text[s_start:q_start].rstrip().endswith(":") and before:
        # 'Ribeiro, an economist, was blunt: "..."' / 'Hollin: "..."': the clause's first person,
        # else its last organisation.
        for k in before:
            m = tx.mention_at(tx.tokens[k][0], tx.tokens[k][1])
            if m is not None and m.kind == "person":
                return tx.named(m), ""
        for k in reversed(before):
            who = tx._subject_token(k)
            if who is not None:
                return who, ""
    return None, ""


def _after(
    tx: _Text, toks: list[int], s_start: int, s_end: int, q_start: int, q_end: int
) -> tuple[_Speaker, str] | None:
    for k in toks:
        verb = _verb_at(tx, k)
        if verb:
            who = tx.subject_after(k, s_end) or tx.subject_before(k, q_end)
            if who is not None and who.pronoun not in GROUP_PRONOUNS:
                return who, verb
            return None
        if tx.tokens[k][2] in ("and", "but"):
            return None
    return None


def _before(
    tx: _Text, toks: list[int], s_start: int, s_end: int, q_start: int, q_end: int
) -> tuple[_Speaker, str] | None:
    for k in reversed(toks):
        verb = _verb_at(tx, k)
        if verb == "according to":
            who = tx.subject_after(k + 1, q_start)
            if who is not None:
                return who, verb
        elif verb:
            who = tx.subject_before(k, s_start)
            if who is None and tx.text[:q_start].rstrip()[-1:] in (":", ","):
                who = tx.subject_after(k, q_start)  # 'said a spokesman: "..."'
            if who is not None:
                return who, verb
    return None


def _quote_kind(tx: _Text, q_start: int, q_end: int) -> str:
    inner = tx.text[q_start + 1 : q_end - 1].lstrip()
    sent_start = tx.sentence(q_start)[0]
    prefix = tx.text[sent_start:q_start].rstrip()
    if (
        not prefix
        or prefix[-1] in ":,—–("
        or (inner[:1].isupper() and prefix.split()[-1].lower() in verb_forms())
    ):
        return "direct" if not inner[:1].islower() else "partial"
    return "partial"


def find_quotes(text: str, mentions: Sequence[Mention] | None = None) -> list[Quote]:
    """Every direct, partial and indirect quote of ``text``, in order, with speaker, role and verb."""
    if not text:
        return []
    tx = _Text(text, find_mentions(text) if mentions is None else mentions)
    regions = [r for r in classify_quotes(text)]
    found: list[tuple[int, int, str, _Speaker | None, str]] = []
    prev: tuple[int, _Speaker | None, str] | None = None  # paragraph, speaker, verb of the last quote
    for idx, (q_start, q_end, qkind) in enumerate(regions):
        who, verb = _attribute(tx, regions, idx)
        par = tx.paragraph(q_start)
        if who is None:
            if qkind != "speech":
                continue  # scare quotes and titles nobody is said to have spoken
            opens_paragraph = tx.text[tx.paragraphs[par][0]] in "“\"‘'«"
            if prev is not None and (prev[0] == par or (par - prev[0] <= 1 and opens_paragraph)):
                who, verb = prev[1], prev[2]
        kind = _quote_kind(tx, q_start, q_end) if qkind == "speech" else "partial"
        found.append((q_start, q_end, kind, who, verb))
        prev = (par, who, verb)
    found += _indirect(tx, regions)
    found.sort(key=lambda f: f[0])
    return _resolve(tx, found)


def _indirect(
    tx: _Text, regions: list[tuple[int, int, str]]
) -> list[tuple[int, int, str, _Speaker | None, str]]:
    """Reported speech in sentences without a quotation: 'X said (that) ...', 'according to X'."""
    out: list[tuple[int, int, str, _Speaker | None, str]] = []
    region_starts = [r[0] for r in regions]
    verbs = indirect_verbs()
    for s, e in tx.sentences:
        i = bisect.bisect_left(region_starts, s)
        if (i < len(regions) and regions[i][0] < e) or (i > 0 and regions[i - 1][1] > s):
            continue
        toks = list(tx.tok_range(s, e))
        if len(toks) < INDIRECT_MIN_WORDS + 2:
            continue
        s_i = toks[0]
        for k in toks:
            w = tx.tokens[k][2]
            if w == "according" and k + 1 <= toks[-1] and tx.tokens[k + 1][2] == "to":
                who = _according_to(tx, k + 2, e)
                if who is not None:
                    out.append((s, e, "indirect", who, "according to"))
                    break
            elif w in verbs and not w.endswith("ing") and (k == toks[-1] or tx.tokens[k + 1][2] != "to"):
                if (
                    toks[-1] - k < INDIRECT_MIN_WORDS
                    and "," not in tx.text[tx.tokens[max(s_i, k - 3)][0] : tx.tokens[k][0]]
                ):
                    continue  # "a debt it has never explained": not reported speech
                who = tx.subject_before(k, s) or (tx.subject_after(k, e) if k - toks[0] >= 3 else None)
                rest = toks[-1] - k
                if who is not None and (rest >= INDIRECT_MIN_WORDS or k - toks[0] >= INDIRECT_MIN_WORDS + 1):
                    out.append((s, e, "indirect", who, verb_forms()[w]))
                    break
    return out


def _according_to(tx: _Text, k: int, end: int) -> _Speaker | None:
    if k >= len(tx.tokens) or tx.tokens[k][0] >= end:
        return None
    stop = re.search(r"[,.;:!?]", tx.text[tx.tokens[k][0] : end])
    phrase_end = tx.tokens[k][0] + (stop.start() if stop else end - tx.tokens[k][0])
    phrase = " ".join(tx.text[tx.tokens[k][0] : phrase_end].split()[:6])
    m = tx.mention_at(tx.tokens[k][0], tx.tokens[min(k + 2, len(tx.tokens) - 1)][1])
    if m is not None:
        name = re.sub(r"^(?:the|The)\s+", "", phrase)
        words = name.split()
        if (
            not m.role  # "Finance Director Tomas Greer": a title, kept apart from the name
            and len(words) > len(m.actor.split())
            and all(w[0].isupper() or w in ("of", "for", "and") for w in words)
        ):
            return _Speaker(name, True, name)  # "the Office for Health Statistics", whole
        return tx.named(m)
    return _Speaker(phrase, False, phrase) if phrase else None


def _resolve(tx: _Text, found: list[tuple[int, int, str, _Speaker | None, str]]) -> list[Quote]:
    """Pronouns to the person named last (in the paragraph, else the previous speaker), then roles."""
    out: list[Quote] = []
    last: tuple[int, _Speaker] | None = None
    for start, end, kind, who, verb in found:
        par = tx.paragraph(start)
        if who is not None and who.pronoun:
            name = None
            if who.pronoun in PERSON_PRONOUNS:
                name = last[1].name if last is not None and last[0] == par and last[1].person else None
                name = name or tx.last_person(start, since=tx.paragraphs[par][0])
                if name is None and last is not None and par - last[0] < PRONOUN_PARAGRAPHS and last[1].named:
                    name = last[1].name
                if name is None:
                    name = tx.last_person(start)
                who = _Speaker(name, True, tx.description_of(name), person=True) if name else None
            else:
                who = last[1] if last is not None and par - last[0] < PRONOUN_PARAGRAPHS else None
        if who is not None:
            last = (par, who)
        quoted = tx.text[start:end]
        if kind != "indirect":
            quoted = quoted[1:-1].strip()
        speaker = who.name if who else ""
        description = who.description if who else ""
        role = classify_role(f"{description} {speaker}") if who else "unknown"
        if role == "unknown" and who is not None and who.person and not who.named:
            # "a resident", "the young man": an unnamed person with no title, office or organisation.
            # A *named* person without a cue stays "unknown": a bare name ("Romney said") does not
            # say whether they are an official, a candidate or a passer-by, and guessing "ordinary"
            # was wrong for 45 of 77 held-out quotes.  The user sets the role (Voices tab, `role`).
            role = "ordinary"
        if who is not None and not who.named and _withheld(who.name):
            role = "anonymous"
        out.append(Quote(start, end, quoted, kind, speaker, bool(who and who.named), role, verb, description))
    return out


def _withheld(phrase: str) -> bool:
    """An unnamed single source whose identity is withheld: "a senior official", "one diplomat"."""
    words = phrase.lower().split()
    if any(w in ANONYMITY_WORDS for w in words):
        return True
    return bool(words) and words[0] in ("one", "an", "a") and words[-1] in WITHHELD_HEADS


def quotes_with_overrides(quotes: Sequence[Quote], overrides: Mapping[str, str] | None) -> list[Quote]:
    """``quotes`` with the user's roles (speaker -> role) applied."""
    if not overrides:
        return list(quotes)
    out = []
    for q in quotes:
        role = apply_overrides(q.role, q.speaker, overrides) if q.speaker else q.role
        out.append(q if role == q.role else Quote(**{**q.__dict__, "role": role}))
    return out
