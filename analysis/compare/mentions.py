"""Actor mentions: candidate names linked to one canonical name (aliases, surname -> full name)
and given a kind (person / organisation / place / unknown) by vote; :func:`find_mentions`."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analysis.compare.actor_lexicon import (
    _TOKEN_RE,
    CONNECTORS,
    FULL_NAME_VOTE,
    INSTITUTION_WORDS,
    KINDS,
    NAME_WORD_VOTE,
    ORG_WORDS,
    PLACE_WORDS,
    _alias,
    _is_demonym_word,
)
from analysis.compare.candidates import _add_vote, _is_capitalised, _Raw, _raw_candidates


@dataclass(frozen=True)
class Mention:
    """One mention of an actor: ``text == source[start:end]`` (the name without title/possessive)."""

    start: int
    end: int
    text: str
    actor: str  # canonical name: alias-resolved, surname linked to the full name
    kind: str  # person / organisation / place / unknown
    role: str = ""  # title stripped from before the name ("President", "Foreign Minister")


# --------------------------------------------------------------------------------------------
# Linking and kinds
# --------------------------------------------------------------------------------------------


def _demonym_target(word: str, names: Iterable[str]) -> str | None:
    """The place a demonym stands for: the alias table, or a name in ``names`` that the word
    extends by one letter ("Ostranan" -> "Ostrana", "Iraqi" -> "Iraq", "Valdorian" -> "Valdoria")."""
    entry = _alias(word)
    if entry is not None:
        return entry[0] if entry[1] == "demonym" else None
    if len(word) > 4 and word[-1] in "ni" and " " not in word:
        stem = word[:-1]
        if stem in names:
            return stem
    return None


def _person_like(name: str, kind_votes: Counter) -> bool:
    """A multi-word name that can own a surname: no organisation/place word or demonym in it, not
    in the alias table, and its cues do not point to an organisation or place."""
    if " " not in name or _alias(name) is not None:
        return False
    parts = name.split()
    if not all(_is_capitalised(p) or p in CONNECTORS for p in parts) or _is_demonym_word(parts[0]):
        return False
    if any(p.lower() in ORG_WORDS or p.lower() in PLACE_WORDS for p in parts):
        return False
    return kind_votes["organisation"] + kind_votes["place"] <= kind_votes["person"]


def link_names(names: Mapping[str, Counter]) -> dict[str, str]:
    """surface name -> canonical name, for the names of one text or one event.

    ``names`` maps each surface name to its kind votes.  The alias table applies first; then
    multi-word person names with the same first and last word are one person (the most frequent
    form, by vote weight, wins: "Donald J. Trump" and "Donald Trump"); then a one-word name is
    linked to the single person name that ends with it, or else starts with it ("Sadovar" ->
    "Mirek Sadovar", "Hillary" -> "Hillary Clinton").  A name matching several full names stays
    as it is.
    """
    names = {n: Counter(v) for n, v in names.items()}
    canon: dict[str, str] = {}
    for name in names:
        entry = _alias(name)
        canon[name] = entry[0] if entry is not None and entry[1] != "demonym" else name
    full = [n for n in names if canon[n] == n and _person_like(n, names[n])]
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for n in full:
        parts = n.split()
        groups[(parts[0], parts[-1])].append(n)
    heads: dict[str, str] = {}
    for members in groups.values():
        head = max(members, key=lambda m: (sum(names[m].values()) + 1, len(m)))
        for m in members:
            heads[m] = head
            canon[m] = head
    by_last: dict[str, set[str]] = defaultdict(set)
    by_first: dict[str, set[str]] = defaultdict(set)
    for n, head in heads.items():
        parts = n.split()
        by_last[parts[-1]].add(head)
        by_first[parts[0]].add(head)
    for name in names:
        votes = names[name]
        if " " in name or canon[name] != name or votes["place"] + votes["organisation"] > votes["person"]:
            continue  # several words, already linked, or a place/organisation by its own cues
        if len(by_last.get(name, ())) == 1:
            canon[name] = next(iter(by_last[name]))
        elif not by_last.get(name) and len(by_first.get(name, ())) == 1:
            canon[name] = next(iter(by_first[name]))
    return canon


def _vote_kind(votes: Counter, canonical: str) -> str:
    entry = _alias(canonical)
    if entry is not None and entry[1] in KINDS:
        return entry[1]
    if not votes:
        return "unknown"
    ranked = votes.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return "unknown"
    return ranked[0][0]


def _resolve(raws: list[_Raw], known: Iterable[str] = ()) -> list[Mention]:
    """Mentions from candidates: demonyms, linking, kinds."""
    names: dict[str, Counter] = defaultdict(Counter)
    for r in raws:
        names[r.name].update(r.votes)
    known_names = {k: Counter({"person": FULL_NAME_VOTE}) for k in known if k not in names}
    all_names = {**known_names, **names}
    single = {n for n in all_names if " " not in n} | {
        entry[0] for n in all_names if (entry := _alias(n)) is not None
    }
    canon = link_names(all_names)
    actor_votes: dict[str, Counter] = defaultdict(Counter)
    for n, votes in names.items():
        actor_votes[canon[n]].update(votes)
        stem = _demonym_target(n, single) if " " not in n else None
        if stem is not None:
            _add_vote(actor_votes[canon.get(stem, stem)], "place", NAME_WORD_VOTE)  # a place has a demonym
    out: list[Mention] = []
    for r in raws:
        demonym_place = _demonym_target(r.name, single) if " " not in r.name else None
        if demonym_place is not None or _is_demonym_word(r.name):
            continue  # handled below (needs the next word)
        actor = canon[r.name]
        out.append(Mention(r.start, r.end, r.text, actor, _vote_kind(actor_votes[actor], actor), r.role))
    return out


def _demonym_mentions(text: str, raws: list[_Raw], known_places: set[str]) -> list[Mention]:
    """Demonyms before an institution word: "French officials" -> France, "the Ostranan government"."""
    out: list[Mention] = []
    for r in raws:
        if " " in r.name or r.role:
            continue
        place = _demonym_target(r.name, known_places)
        if place is None:
            continue
        m = _TOKEN_RE.match(text, r.end + 1) if text[r.end : r.end + 1] == " " else None
        if m is not None and m.group().lower() in INSTITUTION_WORDS:
            entry = _alias(place)
            canonical = entry[0] if entry is not None else place
            out.append(Mention(r.start, r.end, r.text, canonical, "place"))
    return out


def find_mentions(text: str, known: Iterable[str] | None = None) -> list[Mention]:
    """Every actor mention in ``text``, in order.

    With ``known`` (canonical names, e.g. the actors of an article's body), only mentions of those
    actors are kept, and a run of capitalised words is also searched for a known name or surname
    inside it: use it for headlines, whose Title Case makes every word look like a name.
    """
    if not text:
        return []
    known_words = frozenset(w for k in known or () for w in k.split())
    raws = _raw_candidates(text, known_words)
    if known is not None:
        raws = _split_for_known(raws, set(known))
    mentions = _resolve(raws, known or ())
    places = {m.actor for m in mentions} | {r.name for r in raws if " " not in r.name}
    mentions.extend(_demonym_mentions(text, raws, places))
    if known is not None:
        known_set = set(known)
        mentions = [m for m in mentions if m.actor in known_set]
    mentions.sort(key=lambda m: m.start)
    return mentions


def _split_for_known(raws: list[_Raw], known: set[str]) -> list[_Raw]:
    """Replace each candidate that is not a known name (or a word of one) by the known names,
    aliases and surnames found inside it, longest first."""
    known_words: set[str] = set()
    for k in known:
        parts = k.split()
        known_words.update({parts[0], parts[-1]})
    out: list[_Raw] = []
    for r in raws:
        entry = _alias(r.name)
        if r.name in known or r.name in known_words or (entry is not None and entry[0] in known):
            out.append(r)
            continue
        words = [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(r.text)]
        i = 0
        while i < len(words):
            for j in range(len(words), i, -1):
                phrase = r.text[words[i][0] : words[j - 1][1]]
                entry = _alias(phrase)
                if phrase in known or (j - i == 1 and phrase in known_words) or (entry and entry[0] in known):
                    s, e = r.start + words[i][0], r.start + words[j - 1][1]
                    out.append(_Raw(s, e, phrase, phrase, r.role if i == 0 else "", Counter(r.votes)))
                    i = j - 1
                    break
            i += 1
    return out
