"""Outlet colours: the palette and the colour a new outlet is given (pure, no dependencies).

Bottom layer: the store gives each outlet its colour once, when the outlet is first seen, with
:func:`next_outlet_colour`; the charts (analysis/present) draw with the stored colours.
"""

from __future__ import annotations

import colorsys
import re
import zlib
from collections.abc import Iterable

# Tableau 10 first (distinct, readable on white), then Plotly's Dark24 for large sets.
OUTLET_PALETTE: tuple[str, ...] = (
    "#4E79A7",
    "#F28E2B",
    "#59A14F",
    "#B07AA1",
    "#76B7B2",
    "#EDC948",
    "#9C755F",
    "#FF9DA7",
    "#E15759",
    "#BAB0AC",
    "#2E91E5",
    "#E15F99",
    "#1CA71C",
    "#DA16FF",
    "#222A2A",
    "#B68100",
    "#750D86",
    "#EB663B",
    "#511CFB",
    "#00A08B",
    "#FB00D1",
    "#FC0080",
    "#B2828D",
    "#6C7C32",
    "#778AAE",
    "#862A16",
    "#A777F1",
    "#620042",
    "#1616A7",
    "#DA60CA",
    "#6C4516",
    "#0D2A63",
    "#AF0038",
)

COLOUR_RE = re.compile(r"#[0-9a-fA-F]{6}")  # the stored form of a colour: "#rrggbb"
# Beyond the palette an outlet gets a colour from a hash of its name; candidates closer than this
# (Euclidean distance in RGB, 0..441) to a colour in use are passed over for the next candidate.
MIN_COLOUR_DISTANCE = 60.0
HASH_COLOUR_TRIES = 64  # candidates tried before the most distant one is taken


def normalise_colour(value: str) -> str:
    """``value`` as stored ("#rrggbb", lower case); ValueError for anything else."""
    v = value.strip()
    if not COLOUR_RE.fullmatch(v):
        raise ValueError(f"not a colour {value!r}: expected #rrggbb (six hex digits)")
    return v.lower()


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _distance(a: str, b: str) -> float:
    return sum((x - y) ** 2 for x, y in zip(_rgb(a), _rgb(b), strict=True)) ** 0.5


def _hash_colour(name: str, attempt: int) -> str:
    h = zlib.crc32(f"{name}\x00{attempt}".encode())
    hue = (h % 360) / 360
    lightness = 0.35 + ((h >> 9) % 20) / 100  # 0.35..0.54: readable on white
    saturation = 0.55 + ((h >> 14) % 35) / 100  # 0.55..0.89
    r, g, b = colorsys.hls_to_rgb(hue, lightness, saturation)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def next_outlet_colour(name: str, used: Iterable[str]) -> str:
    """The colour for a new outlet ``name`` when ``used`` are taken: the first free palette colour,
    else a colour derived from the name's hash, at least MIN_COLOUR_DISTANCE from every used one
    when one of HASH_COLOUR_TRIES candidates is (else the most distant candidate).  Deterministic."""
    taken = {c.lower() for c in used if c}
    for colour in OUTLET_PALETTE:
        if colour.lower() not in taken:
            return colour.lower()
    best, best_gap = "", -1.0
    for attempt in range(HASH_COLOUR_TRIES):
        candidate = _hash_colour(name, attempt)
        gap = min((_distance(candidate, c) for c in taken if COLOUR_RE.fullmatch(c)), default=999.0)
        if gap >= MIN_COLOUR_DISTANCE:
            return candidate
        if gap > best_gap:
            best, best_gap = candidate, gap
    return best
