"""Outlets in the database: display names, domains, group dimensions and a stable colour each.

An outlet row is made the first time an article names it (``OutletQueries.outlet_for_article``) or
when a database made before the table existed is opened (:func:`sync_outlets`, in sorted order, so
each outlet keeps the colour it had when colours followed the sorted list).  Its colour is given
then and stored (``next_outlet_colour``): adding an outlet never repaints another.  A person's edit
(page, CLI, import) writes a history row per changed field and makes the outlet "user": the
program never renames it after that.  Nothing here ever deletes an outlet.
"""

from __future__ import annotations

import ipaddress
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from analysis.models import Article
from analysis.palette import next_outlet_colour, normalise_colour
from analysis.store.engine import Connection, _write_session
from analysis.store.errors import StoreError
from analysis.store.history import record
from analysis.store.schema import MAX_OUTLET_NAME, ArticleRow, EventRow, OutletRow, _now, shown

SHIPPED, PAGE, USER = "shipped", "page", "user"  # OutletRow.origin
# Article.outlet_source values of outlets named by their site (not typed by a person, not set by a
# caller): such an article goes to the outlet that lists its domain.
NAMED_BY_SITE = frozenset({"table", "page", "domain"})
OUTLET_LOCK_KEY = zlib.crc32(b"analysis: outlets")  # PostgreSQL advisory lock of outlet writes
MAX_DIMENSION = 60  # characters of a group dimension's name
MAX_GROUP_VALUE = 100  # characters of a group value
MAX_DOMAINS = 50  # domains of one outlet
# Dimension names that would clash with the columns of the outlet table and its CSV file.
RESERVED_DIMENSIONS = frozenset({"name", "display_name", "domains", "domain", "colour", "color", "origin"})


@dataclass(frozen=True)
class OutletEdit:
    """What a person wants an outlet to be; None (or an absent dimension) leaves a field as it is.
    ``groups``: dimension -> value ("" clears that dimension)."""

    name: str
    display_name: str | None = None
    domains: tuple[str, ...] | None = None
    colour: str | None = None
    groups: Mapping[str, str] = field(default_factory=dict)


def outlet_dict(r: OutletRow, articles: int = 0) -> dict:
    return {
        "name": r.name,
        "display_name": r.display_name,
        "domains": list(r.domains or []),
        "groups": dict(r.groups or {}),
        "colour": r.colour,
        "origin": r.origin,
        "updated_at": r.updated_at,
        "articles": articles,
    }


def clean_name(value: str, what: str = "outlet name") -> str:
    clean = " ".join((value or "").split())
    if not clean:
        raise StoreError(f"the {what} is empty")
    if len(clean) > MAX_OUTLET_NAME:
        raise StoreError(f"the {what} is longer than {MAX_OUTLET_NAME} characters")
    return clean


_DOMAIN_RE = re.compile(r"[\w.:\[\]-]+")


def clean_domains(values: Iterable[str]) -> list[str]:
    """Domains as stored: lower case, without scheme, path or "www." ("https://www.bbc.co.uk/news"
    -> "bbc.co.uk" when callers pass registered domains, as the CLI and the page do), unique."""
    out: list[str] = []
    for v in values:
        d = (v or "").strip().lower()
        if not d:
            continue
        d = d.split("://", 1)[-1].split("/", 1)[0].removeprefix("www.").strip(".")
        if not d or not _DOMAIN_RE.fullmatch(d):
            raise StoreError(f"not a domain: {v.strip()!r}")
        if d not in out:
            out.append(d)
    if len(out) > MAX_DOMAINS:
        raise StoreError(f"more than {MAX_DOMAINS} domains for one outlet")
    return out


def shared_host(domain: str) -> bool:
    """True for an IP address or a single-label host ("localhost"): many sites may live there (test
    servers, intranets), so such a domain never identifies one outlet."""
    host = domain.strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "." not in host
    return True


def clean_groups(groups: Mapping[str, str]) -> dict[str, str]:
    """Dimension -> value, whitespace collapsed; "" values kept (they clear a dimension)."""
    out: dict[str, str] = {}
    for dim, value in groups.items():
        d = " ".join(str(dim).split())
        if not d:
            raise StoreError("a group dimension has no name")
        if len(d) > MAX_DIMENSION:
            raise StoreError(f"the group dimension {d[:40]!r}… is longer than {MAX_DIMENSION} characters")
        if d.casefold() in RESERVED_DIMENSIONS:
            raise StoreError(f"{d!r} cannot be a group dimension (it is a column of the outlet table)")
        v = " ".join(str(value or "").split())
        if len(v) > MAX_GROUP_VALUE:
            raise StoreError(f"the {d} value {v[:40]!r}… is longer than {MAX_GROUP_VALUE} characters")
        out[d] = v
    return out


def _groups_text(groups: Mapping[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(groups.items()))


def _new_row(
    s: Session, name: str, domains: list[str], origin: str, groups: Mapping[str, str] | None = None
) -> OutletRow:
    """A new outlet row (added to ``s``) with the next free colour."""
    used = s.scalars(select(OutletRow.colour)).all()
    row = OutletRow(
        name=name,
        display_name=name,
        domains=domains,
        groups=dict(groups or {}),
        colour=next_outlet_colour(name, used),
        origin=origin,
        updated_at=_now(),
    )
    s.add(row)
    s.flush()
    return row


def sync_outlets(engine: Engine) -> int:
    """Make a row for every outlet that articles name and the table lacks (databases made before
    the table; articles stored by an older version), in sorted order.  Returns how many."""
    missing_q = select(ArticleRow.outlet).where(ArticleRow.outlet.not_in(select(OutletRow.name))).limit(1)
    with engine.connect() as conn:
        if conn.execute(missing_q).first() is None:
            return 0
    with _write_session(sessionmaker(engine), OUTLET_LOCK_KEY) as s:
        have = set(s.scalars(select(OutletRow.name)))
        domains: dict[str, list[str]] = defaultdict(list)
        for outlet, domain in s.execute(select(ArticleRow.outlet, ArticleRow.domain).distinct()):
            names = domains[outlet]  # every outlet gets an entry, with or without a domain
            if outlet not in have and domain and domain not in names:
                names.append(domain)
        todo = sorted(n for n in domains if n not in have)
        for name in todo:
            _new_row(s, name, sorted(domains[name]), PAGE)
    return len(todo)


def _casefold_map(rows: Sequence[OutletRow]) -> dict[str, OutletRow]:
    by_display: dict[str, OutletRow] = {}
    for r in sorted(rows, key=lambda r: r.id):
        by_display.setdefault(r.display_name.casefold(), r)
    return by_display


def _find(rows: Sequence[OutletRow], name: str) -> OutletRow | None:
    """The outlet called ``name``: its stored name, else its display name (case-insensitive)."""
    exact = next((r for r in rows if r.name == name), None)
    return exact or _casefold_map(rows).get(name.casefold())


class OutletQueries(Connection):
    """The outlet table: reads for the pages and charts, edits, import and export."""

    def __init__(self, url_or_engine: str | Engine, *, read_only: bool | None = None) -> None:
        super().__init__(url_or_engine, read_only=read_only)
        self.has_outlet_table = not self.read_only or inspect(self.engine).has_table("outlets")
        if not self.read_only:
            sync_outlets(self.engine)

    # --- reads ----------------------------------------------------------------------------
    def _outlet_rows(self) -> list[OutletRow]:
        if not self.has_outlet_table:
            return []
        with self.session() as s:
            return list(s.scalars(select(OutletRow).order_by(OutletRow.id)))

    def outlets(self) -> list[dict]:
        """Every outlet (sorted by display name) with ``articles``: its articles on show."""
        with self.session() as s:
            q = select(ArticleRow.outlet, func.count(ArticleRow.id)).outerjoin(
                EventRow, ArticleRow.event_id == EventRow.id
            )
            counts = {o: n for o, n in s.execute(q.where(shown()).group_by(ArticleRow.outlet))}
        rows = self._outlet_rows()
        return [
            outlet_dict(r, counts.get(r.name, 0))
            for r in sorted(rows, key=lambda r: (r.display_name.casefold(), r.name))
        ]

    def find_outlet(self, name: str) -> dict:
        """One outlet by its name or display name (case-insensitive); StoreError when none."""
        row = _find(self._outlet_rows(), " ".join(name.split()))
        if row is None:
            raise StoreError(f"no outlet named {name!r} (see: outlet list)")
        return outlet_dict(row)

    def outlet_colors(self) -> dict[str, str]:
        """Outlet name -> its stored colour.  Outlets without a row (a read-only database made
        before the table) get the colours they would be given, after the stored ones."""
        rows = self._outlet_rows()
        colours = {r.name: r.colour for r in rows}
        with self.session() as s:
            named = s.scalars(select(ArticleRow.outlet).distinct().order_by(ArticleRow.outlet)).all()
        for name in named:
            if name not in colours:
                colours[name] = next_outlet_colour(name, colours.values())
        return colours

    def outlet_labels(self) -> dict[str, str]:
        """Outlet name -> display name (the label on every chart and table)."""
        return {r.name: r.display_name for r in self._outlet_rows()}

    def outlet_dimensions(self) -> list[str]:
        """The group dimensions that some outlet has a value for, sorted."""
        return sorted({d for r in self._outlet_rows() for d, v in (r.groups or {}).items() if v})

    def outlet_groups(self, dimension: str) -> dict[str, str]:
        """Outlet name -> its value in ``dimension`` (outlets without one are left out)."""
        return {r.name: r.groups[dimension] for r in self._outlet_rows() if (r.groups or {}).get(dimension)}

    def outlets_stamp(self) -> tuple[int, datetime | None]:
        """Changes with every outlet added or edited: part of the dashboard's cache key."""
        if not self.has_outlet_table:
            return (0, None)
        with self.session() as s:
            return (
                int(s.scalar(select(func.count(OutletRow.id))) or 0),
                s.scalar(select(func.max(OutletRow.updated_at))),
            )

    def export_outlets(self) -> list[dict]:
        """Every outlet as :meth:`outlets` gives it (for the CSV export)."""
        return self.outlets()

    # --- the outlet of a new article -----------------------------------------------------------
    def outlet_for_article(self, article: Article) -> str:
        """The stored name of ``article``'s outlet, made (with its colour) when first seen.

        A page's article goes to the outlet that lists its domain (unless the domain is an IP
        address or a single-label host, shared by many sites); else to the outlet named as the
        article names it (name or display name).  A new outlet is named as the article names it
        (the shipped table's name, the page's own site name, else the domain), the domain kept
        beside.  An outlet still named as its bare domain takes the page's site name as its display
        name; outlets a person edited are never renamed."""
        if not self.has_outlet_table:
            return article.outlet
        with self.session() as s:  # plain rows, no ORM objects: this runs for every stored article
            cols = (OutletRow.id, OutletRow.name, OutletRow.display_name, OutletRow.domains, OutletRow.origin)
            light = s.execute(select(*cols)).all()
        found = self._match(light, article)  # type: ignore[arg-type]  # rows with the same attributes
        if found is not None and not self._needs_update(found, article):
            return str(found.name)
        with _write_session(self._sessions, OUTLET_LOCK_KEY) as s:
            rows = list(s.scalars(select(OutletRow).order_by(OutletRow.id)))
            row = self._match(rows, article)
            if row is None:
                name = clean_name(article.outlet or article.domain or "unknown outlet")[:MAX_OUTLET_NAME]
                domains = [article.domain] if article.domain else []
                origin = {"table": SHIPPED, "given": USER}.get(article.outlet_source, PAGE)
                return _new_row(s, name, domains, origin, dict(article.outlet_groups)).name
            if row.origin == USER:
                return row.name
            if article.domain and article.domain not in (row.domains or []):
                row.domains = [*(row.domains or []), article.domain][:MAX_DOMAINS]
            site = " ".join(article.site_name.split())[:MAX_OUTLET_NAME]
            taken = {r.display_name.casefold() for r in rows if r.id != row.id}
            if self._named_as_domain(row) and site and site.casefold() not in taken:
                row.display_name = site
            row.updated_at = _now()
            return row.name

    @staticmethod
    def _match(rows: Sequence[OutletRow], article: Article) -> OutletRow | None:
        domain = article.domain
        if article.outlet_source in NAMED_BY_SITE and domain and not shared_host(domain):
            hits = [r for r in rows if domain in (r.domains or [])]
            if hits:
                return min(hits, key=lambda r: (r.origin != USER, r.id))
        return _find(rows, article.outlet) if article.outlet else None

    @staticmethod
    def _named_as_domain(row: OutletRow) -> bool:
        return row.origin == PAGE and row.display_name == row.name and row.name in (row.domains or [])

    def _needs_update(self, row: OutletRow, article: Article) -> bool:
        if row.origin == USER:
            return False
        new_domain = bool(article.domain) and article.domain not in (row.domains or [])
        renamed = self._named_as_domain(row) and bool(article.site_name.strip())
        return new_domain or renamed

    def _user_outlet(self, name: str) -> bool:
        """True when the outlet called ``name`` was edited by a person."""
        return any(r.name == name and r.origin == USER for r in self._outlet_rows())

    @staticmethod
    def ensure_outlet(s: Session, name: str) -> str:
        """``name``'s stored outlet name inside the caller's transaction (a person typed it: made
        as a "user" outlet when no outlet has that name or display name).  No history row here:
        the caller records the edit that named it."""
        clean = clean_name(name)
        rows = list(s.scalars(select(OutletRow).order_by(OutletRow.id)))
        row = _find(rows, clean)
        return row.name if row is not None else _new_row(s, clean, [], USER).name

    def fill_shipped_outlets(self, shipped: Mapping[str, Mapping[str, str]]) -> int:
        """Outlet name -> its groups in data/outlets.csv, for outlets the program named
        (never those a person edited): a row without groups takes the shipped groups and becomes
        "shipped".  For rows made before groups were stored.  Returns how many changed."""
        todo = [r for r in self._outlet_rows() if r.origin != USER and not r.groups and r.name in shipped]
        if not todo or self.read_only:
            return 0
        changed = 0
        with _write_session(self._sessions, OUTLET_LOCK_KEY) as s:
            for r in todo:
                row = s.get(OutletRow, r.id)
                groups = dict(shipped[r.name])
                if row is None or row.origin == USER or row.groups or not groups:
                    continue
                row.groups, row.origin, row.updated_at = groups, SHIPPED, _now()
                changed += 1
        return changed

    # --- a person's edits -----------------------------------------------------------------
    def edit_outlet(
        self,
        name: str,
        *,
        display_name: str | None = None,
        colour: str | None = None,
        domains: Iterable[str] | None = None,
        add_domains: Iterable[str] = (),
        groups: Mapping[str, str] | None = None,
        user: str = "",
    ) -> list[str]:
        """Change an outlet (found by name or display name).  ``domains`` replaces the list,
        ``add_domains`` adds to it; ``groups``: dimension -> value ("" removes the dimension).
        Returns the fields that changed; each writes one history row ``outlet.<field>``."""
        with _write_session(self._sessions, OUTLET_LOCK_KEY) as s:
            rows = list(s.scalars(select(OutletRow).order_by(OutletRow.id)))
            row = _find(rows, " ".join(name.split()))
            if row is None:
                raise StoreError(f"no outlet named {name!r} (see: outlet list)")
            new_domains = list(row.domains or []) if domains is None else clean_domains(domains)
            new_domains += [d for d in clean_domains(add_domains) if d not in new_domains]
            edit = OutletEdit(row.name, display_name, tuple(new_domains), colour, groups or {})
            return self._apply(s, rows, row, edit, user)

    def import_outlets(self, edits: Sequence[OutletEdit], *, user: str = "") -> dict[str, int]:
        """Add or change outlets (one transaction; nothing is deleted).  An outlet is found by its
        name or display name; a new one is made with the next free colour unless the row gives one.
        Returns counts: ``added``, ``changed``, ``unchanged``."""
        counts = {"added": 0, "changed": 0, "unchanged": 0}
        with _write_session(self._sessions, OUTLET_LOCK_KEY) as s:
            rows = list(s.scalars(select(OutletRow).order_by(OutletRow.id)))
            for edit in edits:
                row = _find(rows, clean_name(edit.name))
                if row is None:
                    row = _new_row(s, clean_name(edit.name), clean_domains(edit.domains or ()), USER)
                    rows.append(row)
                    record(s, "outlet.add", user=user, subject=row.name, after=row.display_name)
                    self._apply(s, rows, row, edit, user)
                    counts["added"] += 1
                elif self._apply(s, rows, row, edit, user):
                    counts["changed"] += 1
                else:
                    counts["unchanged"] += 1
        return counts

    @staticmethod
    def _apply(
        s: Session, rows: Sequence[OutletRow], row: OutletRow, edit: OutletEdit, user: str
    ) -> list[str]:
        changes: list[tuple[str, str, str, object]] = []
        if edit.display_name is not None:
            shown_name = clean_name(edit.display_name, "display name")
            clash = next(
                (r for r in rows if r.id != row.id and r.display_name.casefold() == shown_name.casefold()),
                None,
            )
            if clash is not None:
                raise StoreError(f"the display name {shown_name!r} is taken by the outlet {clash.name!r}")
            if shown_name != row.display_name:
                changes.append(("display_name", row.display_name, shown_name, shown_name))
        if edit.colour is not None:
            try:
                colour = normalise_colour(edit.colour)
            except ValueError as exc:
                raise StoreError(f"{row.name}: {exc}") from None
            if colour != row.colour:
                changes.append(("colour", row.colour, colour, colour))
        if edit.domains is not None:
            domains = clean_domains(edit.domains)
            if domains != list(row.domains or []):
                changes.append(("domains", "; ".join(row.domains or []), "; ".join(domains), domains))
        if edit.groups:
            before = dict(row.groups or {})
            after = dict(before)
            for dim, group_value in clean_groups(edit.groups).items():
                if group_value:
                    after[dim] = group_value
                else:
                    after.pop(dim, None)
            if after != before:
                changes.append(("groups", _groups_text(before), _groups_text(after), after))
        for fld, before_text, after_text, value in changes:
            record(s, f"outlet.{fld}", user=user, subject=row.name, before=before_text, after=after_text)
            setattr(row, fld, value)
        if changes:
            row.origin = USER
            row.updated_at = _now()
        return [c[0] for c in changes]
