"""Speaker roles and reporting verbs: the data tables behind :mod:`analysis.compare.voices`.

``lexicons/voice_roles.tsv`` maps cue words ("minister", "councillor", "economist", "residents")
to a role; ``lexicons/voice_verbs.tsv`` maps each form of a reporting verb ("says", "saying") to
the form shown ("said").  A speaker's role is the highest-priority role among the cue words of
its name, title and description (:data:`ROLE_PRIORITY`); user overrides (speaker -> role) win.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

VOICE_LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
ROLES_FILE = VOICE_LEXICON_DIR / "voice_roles.tsv"
VERBS_FILE = VOICE_LEXICON_DIR / "voice_verbs.tsv"

# The roles, and which wins when a speaker's description has cues for several: the most specific
# first ("opposition spokeswoman" is opposition, not official; "union official" is advocacy).
ROLE_PRIORITY: tuple[str, ...] = (
    "anonymous",
    "opposition",
    "advocacy",
    "business",
    "expert",
    "official",
    "ordinary",
)
ROLES: tuple[str, ...] = (*ROLE_PRIORITY, "unknown")  # unknown: no cue in the text or the table

_WORD_RE = re.compile(r"[a-z]+(?:-[a-z]+)*")


def _rows(path: Path) -> list[list[str]]:
    out = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.append(line.split("\t"))
    return out


@lru_cache(maxsize=1)
def role_cues() -> dict[str, str]:
    """cue word (lower case) -> role."""
    return {r[0]: r[1] for r in _rows(ROLES_FILE)}


@lru_cache(maxsize=1)
def unnamed_heads() -> frozenset[str]:
    """Words that alone can name an unnamed speaker ("officials said", "a spokesperson said")."""
    return frozenset(r[0] for r in _rows(ROLES_FILE) if len(r) > 2 and r[2] == "yes")


@lru_cache(maxsize=1)
def verb_forms() -> dict[str, str]:
    """reporting-verb form (lower case) -> the form shown ("says" -> "said")."""
    return {form: r[0] for r in _rows(VERBS_FILE) for form in r[1].split()}


@lru_cache(maxsize=1)
def indirect_verbs() -> frozenset[str]:
    """Forms that also introduce reported speech without quote marks ("said the plant would close")."""
    return frozenset(form for r in _rows(VERBS_FILE) if len(r) > 2 and r[2] == "yes" for form in r[1].split())


def classify_role(description: str | Iterable[str]) -> str:
    """The role the cue words of ``description`` point to, "unknown" without a cue."""
    text = description if isinstance(description, str) else " ".join(description)
    cues = role_cues()
    found = {cues[w] for w in _WORD_RE.findall(text.lower()) if w in cues}
    return next((r for r in ROLE_PRIORITY if r in found), "unknown")


def apply_overrides(role: str, speaker: str, overrides: Mapping[str, str] | None) -> str:
    """The user's role for ``speaker`` (matched ignoring case) when one is given, else ``role``."""
    if not overrides:
        return role
    key = speaker.casefold()
    for name, value in overrides.items():
        if name.casefold() == key and value in ROLES:
            return value
    return role
