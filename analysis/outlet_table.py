"""The outlet table as a CSV file (import and export), and the shipped groups of older rows.

Columns: ``name`` (the outlet as stored on its articles; required), ``display_name``, ``domains``
(separated by ``;``), ``colour`` (``#rrggbb``), then one column per group dimension (``leaning``,
``type``, ``country``, ``ownership`` ... any column not named here is a dimension).  The shipped
format (``domain``, ``name``, dimensions) is read too.  An empty cell changes nothing: an import
adds and changes outlets, never deletes one nor clears a value (clear a value on the page or with
``outlet edit NAME --group DIM=``).  Export writes every text cell through
:func:`analysis.present.export.safe_cell` (no formula injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from analysis.ingest.outlets import load_outlets, registered_domain
from analysis.palette import normalise_colour
from analysis.present.export import safe_cell
from analysis.store import Store
from analysis.store.outlets import RESERVED_DIMENSIONS, OutletEdit

BASE_COLUMNS = ("name", "display_name", "domains", "colour")
MAX_IMPORT_ROWS = 20_000  # outlets in one file at most
MAX_PROBLEMS = 20  # problems listed in one message


class OutletCsvError(ValueError):
    """The file cannot be imported; the message lists the problems with their row numbers."""


def _cell(row: list[str], index: int | None) -> str:
    return " ".join(row[index].split()) if index is not None and index < len(row) else ""


def _strip_formula_guard(value: str) -> str:
    """A cell our export guarded (``'`` before ``=``, ``+``, ``-``, ``@``) reads back as written."""
    return value[1:] if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r" else value


def read_outlet_csv(text: str) -> list[OutletEdit]:
    """The outlets of a CSV file, validated.  Raises OutletCsvError naming each bad row (spreadsheet
    row numbers: the header is row 1): a missing name, a bad colour or domain, a name twice."""
    lines = [line for line in io.StringIO(text.lstrip("\ufeff"), newline="")]
    reader = csv.reader(lines)
    header: list[str] = []
    for raw in reader:
        if raw and not raw[0].lstrip().startswith("#") and any(c.strip() for c in raw):
            header = [" ".join(c.split()) for c in raw]
            break
    if not header:
        raise OutletCsvError(
            "the file has no header row (expected columns name, display_name, domains, colour, …)"
        )
    keys = [h.casefold().replace(" ", "_") for h in header]
    col = {k: i for i, k in enumerate(keys)}
    if "color" in col and "colour" not in col:
        col["colour"] = col["color"]
    if "name" not in col:
        raise OutletCsvError(f"no 'name' column (columns: {', '.join(header)})")
    known = RESERVED_DIMENSIONS | {"articles", "updated_at"}  # columns that are never dimensions
    dims = [(i, h) for i, (h, k) in enumerate(zip(header, keys, strict=True)) if h and k not in known]
    edits: list[OutletEdit] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for raw in reader:
        rownum = reader.line_num
        if not any(c.strip() for c in raw) or raw[0].lstrip().startswith("#"):
            continue
        if len(edits) >= MAX_IMPORT_ROWS:
            raise OutletCsvError(f"more than {MAX_IMPORT_ROWS} outlets in one file")
        name = _strip_formula_guard(_cell(raw, col["name"]))
        if not name:
            problems.append(f"row {rownum}: no name")
            continue
        if name.casefold() in seen:
            problems.append(f"row {rownum}: {name!r} is also on row {seen[name.casefold()]}")
            continue
        seen[name.casefold()] = rownum
        colour = _cell(raw, col.get("colour")) or None
        if colour is not None:
            try:
                colour = normalise_colour(colour)
            except ValueError:
                problems.append(f"row {rownum}: bad colour {colour!r} for {name!r} (expected #rrggbb)")
                continue
        domains_text = _cell(raw, col.get("domains")) or _cell(raw, col.get("domain"))
        domains = [d.strip() for d in domains_text.split(";") if d.strip()]
        bad = [d for d in domains if not registered_domain(d)]
        if bad:
            problems.append(f"row {rownum}: not a domain {bad[0]!r} for {name!r}")
            continue
        display = _strip_formula_guard(_cell(raw, col.get("display_name"))) or None
        groups = {h: _strip_formula_guard(_cell(raw, i)) for i, h in dims if _cell(raw, i)}
        edits.append(
            OutletEdit(
                name=name,
                display_name=display,
                domains=tuple(registered_domain(d) for d in domains) if domains else None,
                colour=colour,
                groups=groups,
            )
        )
    if problems:
        more = f" (and {len(problems) - MAX_PROBLEMS} more)" if len(problems) > MAX_PROBLEMS else ""
        raise OutletCsvError("; ".join(problems[:MAX_PROBLEMS]) + more + ". Nothing was imported.")
    return edits


def outlet_csv(outlets: Iterable[Mapping]) -> str:
    """The outlet table as CSV text: the base columns, then one column per dimension (sorted)."""
    rows = list(outlets)
    dims = sorted({d for o in rows for d in (o.get("groups") or {})}, key=str.casefold)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*BASE_COLUMNS, *dims])
    for o in rows:
        groups = o.get("groups") or {}
        cells = [o["name"], o["display_name"], ";".join(o.get("domains") or []), o["colour"]]
        writer.writerow([safe_cell(c) for c in [*cells, *(groups.get(d, "") for d in dims)]])
    return out.getvalue()


def complete_outlets(store: Store) -> int:
    """Give the outlets the program named (never those a person edited) and that have no groups yet
    the groups data/outlets.csv ships for their domain or name (rows made before groups were
    stored).  Returns how many changed; nothing on a read-only database."""
    if store.read_only:
        return 0
    table = load_outlets()
    by_name = {o.name.casefold(): o for o in table.values()}
    shipped: dict[str, dict[str, str]] = {}
    for o in store.outlets():
        if o["origin"] == "user" or o["groups"]:
            continue
        found = next((table[d] for d in o["domains"] if d in table), None) or by_name.get(
            o["name"].casefold()
        )
        if found is not None and found.groups:
            shipped[o["name"]] = found.dimensions
    return store.fill_shipped_outlets(shipped) if shipped else 0


def pick_dimension(store: Store, wanted: str | None = None) -> str | None:
    """The group dimension to compare by: ``wanted`` (StoreError-free: ValueError when no outlet
    has it), else the one the most outlets with articles have a value for (ties: by name)."""
    dims = store.outlet_dimensions()
    if wanted:
        if wanted not in dims:
            raise ValueError(f"no outlet has a {wanted!r} group (dimensions: {', '.join(dims) or 'none'})")
        return wanted
    with_articles = {o["name"] for o in store.outlets() if o["articles"]}
    counts = {d: len(set(store.outlet_groups(d)) & with_articles) for d in dims}
    return max(sorted(dims), key=lambda d: counts[d], default=None)


def label_rows(rows: list[dict], labels: Mapping[str, str]) -> list[dict]:
    """``rows`` with each ``outlet`` replaced by its display name (``labels``: name -> display name);
    rows already so are passed on, not copied.  Every view of outlets goes through here."""
    out = []
    for r in rows:
        name = r.get("outlet")
        shown = labels.get(name, name) if isinstance(name, str) else name
        out.append(r if shown == name else {**r, "outlet": shown})
    return out


def labelled_colours(store: Store) -> dict[str, str]:
    """The stored colour of every outlet, by display name (for rows passed through :func:`label_rows`)."""
    labels = store.outlet_labels()
    return {labels.get(name, name): colour for name, colour in store.outlet_colors().items()}
