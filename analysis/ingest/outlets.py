"""Outlets: registered domains and their display names, offline.

``registered_domain`` reduces a URL or host to the domain an outlet registered
("www.bbc.co.uk" -> "bbc.co.uk") with tldextract's bundled public-suffix snapshot;
it never downloads the live list.  ``outlet_name`` looks the domain up in
``data/outlets.csv`` (and ``data/demo/outlets.csv`` when present) and otherwise
returns the domain itself: no name is invented (extraction names an unknown site from its
page instead, :func:`analysis.ingest.metadata.page_site_name`).

The shipped table's format: lines starting with ``#`` are comments; then a header with ``domain``
and ``name``; every other column is a group dimension (``type``, ``country`` ...), its cells that
outlet's value (empty: none).  A column ``group`` (the older three-column format) is the dimension
"group".  Only plain facts are shipped (wire agency, public broadcaster, country); no bias
ratings — their publishers' licences forbid redistribution: users import their own.
"""

from __future__ import annotations

import csv
import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import tldextract

from analysis.settings import DATA_DIR

OUTLETS_CSV = DATA_DIR / "outlets.csv"
DEMO_OUTLETS_CSV = DATA_DIR / "demo" / "outlets.csv"
OUTLET_COLUMNS = ("domain", "name", "group")
_HOST_RE = re.compile(r"[\w.:-]+")  # DNS names, IPv4, IPv6 (brackets already removed by urlsplit)


@dataclass(frozen=True)
class Outlet:
    domain: str  # registered domain (or a full host for outlets that live on a shared domain)
    name: str  # display name
    group: str = ""  # the older single "group" column (also in ``groups`` as dimension "group")
    groups: tuple[tuple[str, str], ...] = ()  # (dimension, value) pairs, e.g. ("type", "wire agency")

    @property
    def dimensions(self) -> dict[str, str]:
        """Group dimension -> value (only the dimensions with a value)."""
        return dict(self.groups)


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() -> never fetch the live Public Suffix List, use the bundled snapshot;
    # cache_dir=None -> no cache files written under ~/.cache.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _host(url_or_host: str) -> str:
    """The lower-case host of a URL or a bare host ("www.x.com:8080/path" -> "www.x.com")."""
    s = url_or_host.strip()
    if "://" not in s:
        s = "//" + s
    try:
        host = urlsplit(s).hostname or ""
    except ValueError:  # e.g. an invalid IPv6 literal
        host = ""
    host = host.strip(".").lower()
    return host if _HOST_RE.fullmatch(host) else ""


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def registered_domain(url_or_host: str) -> str:
    """The registered domain of a URL or host: "https://www.bbc.co.uk/news" -> "bbc.co.uk".

    IP addresses and single-label hosts ("localhost") come back unchanged.  Hosts whose
    suffix is not in the public-suffix list (".test", ".example", intranet names) fall
    back to their last two labels.  Returns "" when there is no host at all.
    """
    host = _host(url_or_host)
    if not host or _is_ip(host) or "." not in host:
        return host
    ext = _extractor()(host)
    if ext.domain and ext.suffix:
        return f"{ext.domain}.{ext.suffix}"
    return ".".join(host.split(".")[-2:])


def _read_table(path: Path) -> dict[str, Outlet]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(line for line in fh if not line.lstrip().startswith("#"))
        missing = [c for c in OUTLET_COLUMNS[:2] if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; expected {OUTLET_COLUMNS}")
        table: dict[str, Outlet] = {}
        for row in reader:
            domain = (row.get("domain") or "").strip().lower()
            name = (row.get("name") or "").strip()
            if not domain or not name or domain.startswith("#"):
                continue
            dims = tuple(
                (str(k).strip(), " ".join(str(v).split()))
                for k, v in row.items()
                if k and str(k).strip() not in OUTLET_COLUMNS[:2] and isinstance(v, str) and v.strip()
            )
            group = (row.get("group") or "").strip()
            table[domain] = Outlet(domain=domain, name=name, group=group, groups=dims)
    return table


def load_outlets(path: Path | None = None) -> dict[str, Outlet]:
    """Outlets by domain.  Without ``path``: ``data/outlets.csv``, then ``data/demo/outlets.csv``
    when it exists (its rows are added after, so they win on a clash)."""
    if path is not None:
        return _read_table(path)
    table = _read_table(OUTLETS_CSV) if OUTLETS_CSV.is_file() else {}
    if DEMO_OUTLETS_CSV.is_file():
        table.update(_read_table(DEMO_OUTLETS_CSV))
    return table


@lru_cache(maxsize=1)
def _default_outlets() -> dict[str, Outlet]:
    return load_outlets()


def find_outlet(domain: str) -> Outlet | None:
    """The table entry for a host or domain (exact host first, then its registered domain)."""
    table = _default_outlets()
    host = _host(domain)
    if not host:
        return None
    return table.get(host) or table.get(registered_domain(host))


def outlet_name(domain: str) -> str:
    """Display name for a domain (or host/URL) from the outlets table, else the domain itself."""
    outlet = find_outlet(domain)
    if outlet is not None:
        return outlet.name
    return registered_domain(domain) or domain.strip()


def is_shared_host(domain: str) -> bool:
    """True for an IP address or a single-label host ("localhost"): many sites may live there (test
    servers, intranets), so such a domain never identifies one outlet."""
    host = _host(domain)
    return not host or _is_ip(host) or "." not in host


def domain_for_name(name: str) -> str | None:
    """The domain of the outlet called ``name`` (case-insensitive), or None when not in the table."""
    wanted = name.strip().casefold()
    for outlet in _default_outlets().values():
        if outlet.name.casefold() == wanted:
            return outlet.domain
    return None


def page_outlet(domain: str, site_name: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """(outlet, where the name came from, shipped groups) for a page from ``domain`` whose site
    calls itself ``site_name``: the table's name ("table"), else the site's own ("page"), else the
    domain ("domain")."""
    known = find_outlet(domain) if domain else None
    if known is not None:
        return known.name, "table", known.groups
    if site_name:
        return site_name, "page", ()
    return domain, "domain", ()


def given_outlet(outlet: str, domain: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """Likewise for pasted text: the outlet a person typed ("given"; groups when the table knows
    that name), else the table's name for ``domain``."""
    name = " ".join(outlet.split())
    if not name:
        return page_outlet(domain, "")
    wanted = name.casefold()
    known = next((o for o in _default_outlets().values() if o.name.casefold() == wanted), None)
    return name, "given", known.groups if known is not None else ()
