"""Canonical URLs for de-duplication (pure)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from analysis.ingest.url_safety import DEFAULT_PORTS

# Query parameters that only track where a click came from: removed by canonical_url.  Generic
# names that some sites use to pick the article ("cid", "id", "share", "ref") are kept.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "igshid", "mc_cid",
        "mc_eid", "ocid", "cmpid", "cmp", "icid", "ncid", "smid", "smtyp", "s_cid", "_ga", "_gl",
        "mkt_tok", "spm", "ito", "ftag", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname",
        "ns_fee", "sr_share", "wt.mc_id", "__twitter_impression", "taid",
    }
)  # fmt: skip
# Prefixes of tracking parameters: Google Analytics (utm_), AT Internet (at_, used by the
# BBC), Matomo/Piwik (mtm_, pk_), HubSpot (hsa_), Omniture (ns_).
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "at_", "mtm_", "pk_", "hsa_", "ns_")


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Normalise ``url`` for de-duplication (pure).

    Lower-cases scheme and host, drops the fragment, default ports and tracking parameters
    (utm_*, fbclid, gclid, ...), sorts the remaining query parameters and strips a trailing
    "/" from non-root paths.  Text that is not an absolute URL is returned stripped.
    """
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if not scheme or not parts.hostname:
        return text
    host = parts.hostname.rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query_pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query = urlencode(sorted(query_pairs))
    return urlunsplit((scheme, netloc, path, query, ""))
