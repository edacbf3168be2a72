"""Add articles: URLs (fetched on the server), saved HTML files, or pasted text for paywalled pages.

Every input gets a readable status next to it; a failure never stops the others and never
shows a traceback.  There is deliberately no "allow private addresses" switch here: the
server setting ANALYSIS_ALLOW_PRIVATE decides.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import streamlit as st

from analysis.models import IngestResult
from analysis.present.highlight import escape_text
from analysis.store import StoreError, validate_event_name
from app_pages import common

MAX_URLS = 100  # URLs per batch; more are refused with a message (split the list)
MAX_HTML_MB = 5  # per uploaded HTML file
MAX_FILES = 20  # HTML files per batch
MAX_TEXT_CHARS = 500_000  # pasted article text
OLDEST_TEXT_DATE = date(1800, 1, 1)  # any past date of a pasted article (archives); the future is refused

STATUS_COLORS = {  # (text, background): the health badge colours, not emoji (fonts may lack them)
    "stored": ("#1a7f37", "#dafbe1"),
    "duplicate": ("#57606a", "#eaeef2"),
    "warning": ("#9a6700", "#fff8c5"),
    "failed": ("#cf222e", "#ffebe9"),
}
USER_ERRORS = (StoreError, ValueError, OSError, UnicodeDecodeError)


def _status(res: IngestResult) -> tuple[str, str]:
    """(kind, message) for one result: stored / duplicate / warning / failed."""
    if res.duplicate:
        return "duplicate", res.reason or "already stored"
    if res.article_id is None:
        reason = res.reason or ""
        return "failed", reason if reason.startswith(res.health) else f"{res.health}: {reason}".rstrip(": ")
    a = res.article
    title = f"“{a.title[:80]}” ({a.outlet}, {a.word_count} words)" if a else f"article {res.article_id}"
    if res.health != "ok":
        return "warning", f"stored {title}, but {res.health}: {res.reason}"
    return "stored", f"stored {title}"


def _status_html(items: list[tuple[str, str, str]]) -> str:
    """Rows of icon, source and message, all escaped (messages may quote page titles)."""
    rows = "".join(
        f'<tr><td style="padding: 2px 6px;"><span style="padding: 0 7px; border-radius: 9px; '
        f"font-size: 0.78rem; font-weight: 600; color: {STATUS_COLORS[kind][0]}; "
        f'background: {STATUS_COLORS[kind][1]};">{kind}</span></td>'
        f'<td style="padding: 2px 6px; overflow-wrap: anywhere; max-width: 420px;">{escape_text(src)}</td>'
        f'<td style="padding: 2px 6px;">{escape_text(msg)}</td></tr>'
        for src, kind, msg in items
    )
    return f'<table style="font-size: 0.88rem; border-collapse: collapse;">{rows}</table>'


def _summary(items: list[tuple[str, str, str]], event: str) -> None:
    kinds = [k for _, k, _ in items]
    stored = kinds.count("stored") + kinds.count("warning")
    msg = f"{stored} stored, {kinds.count('duplicate')} already there, {kinds.count('failed')} failed."
    (st.success if not kinds.count("failed") else st.warning)(msg)
    if stored:
        st.cache_data.clear()
        if not event:
            return
        try:
            slug = common.store().find_event(event).slug  # the stored slug (unique), not a recomputed one
        except StoreError:
            slug = event  # the Compare page also finds an event by its name
        st.page_link(
            common.PAGE_COMPARE,
            label="Compare this event",
            icon=":material/view_column:",
            query_params={"event": slug},
        )


def _event_name(raw: str) -> str | None:
    try:
        return validate_event_name(raw)
    except StoreError as exc:
        st.error(f"Event name: {exc}.")
        return None


def _text_problems(outlet: str, title: str, body: str, page_url: str) -> list[str]:
    return [
        msg
        for missing, msg in (
            (not outlet.strip(), "the outlet is empty"),
            (not title.strip(), "the headline is empty"),
            (not body.strip(), "the text is empty"),
            (
                bool(page_url.strip()) and not page_url.strip().lower().startswith(("http://", "https://")),
                "the URL must start with http:// or https://",
            ),
        )
        if missing
    ]


def _preview(body: str, fields: dict) -> bool:
    """The article as it would be stored (clutter removed), shown as plain text; True when "Save" is
    clicked."""
    from analysis.ingest.extract import article_from_text

    try:
        article = article_from_text(body, **fields)
    except USER_ERRORS as exc:
        st.error(f"The text cannot be read: {type(exc).__name__}: {exc}.")
        return False
    with st.container(border=True, key="text-preview"):
        found = " (found in the text)"
        day = article.published.strftime("%Y-%m-%d") if article.published else "none"
        names = ", ".join(article.authors) or "none"
        st.text(f"Headline: {article.title}")
        st.text(f"Date: {day}{found if article.published and not fields['published'] else ''}")
        st.text(f"Authors: {names}{found if article.authors and not fields['authors'] else ''}")
        st.text(
            f"{article.word_count} words; health: {article.health}"
            + (f" ({article.reason})" if article.reason else "")
        )
        st.text_area("Cleaned text", value=article.text, height=260, disabled=True)
        return st.button("Save", type="primary", key="text-save", icon=":material/save:")


st.html('<div style="font-size: 1.5rem; font-weight: 700;">Add articles</div>')
store = common.store()
settings = common.settings()
url, version = common.current()
known = [e["name"] for e in common.events(url, version)]
st.caption(
    "Articles are grouped by event: use the same event name for every outlet's story about the same "
    f"thing. Known events: {', '.join(known[:12]) or 'none yet'}{' …' if len(known) > 12 else ''}."
)

tab_urls, tab_feeds, tab_html, tab_text = st.tabs(
    ["URLs", "Feeds & front pages", "Saved HTML files", "Pasted text"]
)

with tab_urls:
    with st.form("urls-form"):
        event_raw = st.text_input("Event name", key="url-event", max_chars=200)
        raw = st.text_area(
            "Article URLs, one per line",
            height=160,
            key="url-list",
            placeholder="https://www.example-news.com/2026/03/12/story.html",
        )
        go = st.form_submit_button("Fetch and analyse", type="primary", icon=":material/download:")
    if go:
        urls = [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        name = _event_name(event_raw)
        if not urls:
            st.error("Paste at least one URL.")
        elif len(urls) > MAX_URLS:
            st.error(f"{len(urls)} URLs: at most {MAX_URLS} per batch. Split the list.")
        elif name:
            from analysis.pipeline import ingest_urls

            bar = st.progress(0.0, text=f"0 of {len(urls)} done")
            live = st.empty()
            items: list[tuple[str, str, str]] = []

            def progress(done: int, total: int, res: IngestResult) -> None:
                kind, msg = _status(res)
                items.append((res.source, kind, msg))
                bar.progress(done / max(1, total), text=f"{done} of {total} done")
                live.html(_status_html(items))

            try:
                results = ingest_urls(store, urls, event=name, settings=settings, progress=progress)
            except USER_ERRORS as exc:
                st.error(f"The batch stopped: {type(exc).__name__}: {exc}. Articles already stored are kept.")
            else:
                items = [(r.source, *_status(r)) for r in results]  # input order
                live.html(_status_html(items))
                bar.progress(1.0, text=f"{len(results)} of {len(urls)} done")
                _summary(items, name)
    st.caption(
        "Pages are fetched by the server with size and time limits. Addresses on private networks are "
        "refused unless the server was started with ANALYSIS_ALLOW_PRIVATE=1."
    )

with tab_feeds:
    with st.form("feeds-form"):
        sources_raw = st.text_area(
            "RSS/Atom feeds or outlet front pages, one per line",
            height=110,
            key="feed-list",
            placeholder="https://www.example-news.com/world/rss.xml",
        )
        c1, c2, c3 = st.columns([1, 1, 2])
        limit = c1.number_input(
            "Links per source", min_value=1, max_value=MAX_URLS, value=20, key="feed-limit"
        )
        max_age = c2.number_input("Max age (days)", min_value=0.0, value=7.0, step=1.0, key="feed-age")
        feed_event = c3.text_input("Event (blank: group automatically)", key="feed-event", max_chars=200)
        go_feeds = st.form_submit_button("Discover and analyse", type="primary", icon=":material/rss_feed:")
    if go_feeds:
        sources = [ln.strip() for ln in sources_raw.splitlines() if ln.strip()]
        name = _event_name(feed_event) if feed_event.strip() else None
        if not sources:
            st.error("Paste at least one feed or front page address.")
        elif not feed_event.strip() or name:
            from analysis.ingest.discover import discover
            from analysis.pipeline import ingest_urls, regroup

            with st.spinner("Reading the sources…"):
                found = discover(sources, settings, limit=int(limit), max_age_days=float(max_age) or None)
            st.html(
                _status_html(
                    [(p.source, "failed", f"{p.health}: {p.reason}") for p in found.problems]
                    + [(x.source, "stored" if x.kept else "warning", x.describe()) for x in found.sources]
                )
            )
            urls = list(found.urls)[: settings.max_batch_urls]
            if urls:
                bar = st.progress(0.0, text=f"0 of {len(urls)} articles done")
                live = st.empty()
                items = []

                def progress_feed(done: int, total: int, res: IngestResult) -> None:
                    items.append((res.source, *_status(res)))
                    bar.progress(done / max(1, total), text=f"{done} of {total} articles done")
                    live.html(_status_html(items))

                try:
                    results = ingest_urls(store, urls, event=name, settings=settings, progress=progress_feed)
                    grouped = None if name else regroup(store, settings)
                except USER_ERRORS as exc:
                    st.error(
                        f"The batch stopped: {type(exc).__name__}: {exc}. Articles already stored are kept."
                    )
                else:
                    items = [(r.source, *_status(r)) for r in results]
                    live.html(_status_html(items))
                    st.cache_data.clear()
                    kinds = [k for _, k, _ in items]
                    stored = kinds.count("stored") + kinds.count("warning")
                    st.success(
                        f"{stored} stored, {kinds.count('duplicate')} already there, {kinds.count('failed')} "
                        "failed."
                        + (f" Grouped into events: {grouped['events_created']} new." if grouped else "")
                    )
    st.caption(
        "Feeds are read for their newest entries; front pages for links that look like articles on the "
        "same site. Without an event name the new articles are grouped into events automatically "
        "(see the Events page to rename, merge or split them)."
    )

with tab_html:
    st.caption(
        "For pages the server cannot fetch (paywall, bot block): save the page in your browser "
        f"(Save page as → HTML only) and upload it here. .html/.htm only, at most {MAX_HTML_MB} MB each."
    )
    event_html = st.text_input("Event name", key="html-event", max_chars=200)
    files = st.file_uploader(
        "HTML files",
        type=["html", "htm"],
        accept_multiple_files=True,
        max_upload_size=MAX_HTML_MB,
        key="html-files",
    )
    pending = []
    for i, f in enumerate((files or [])[:MAX_FILES]):
        data = f.getvalue()
        if len(data) > MAX_HTML_MB * 1_000_000:
            st.error(f"{f.name}: larger than {MAX_HTML_MB} MB, skipped.")
            continue
        try:
            from analysis.ingest.fetch import decode_html

            html = decode_html(data)[0]
        except ImportError:
            html = data.decode("utf-8", errors="replace")
        from analysis.ingest.extract import page_url_hint  # here: newspaper3k is slow to import

        hint = page_url_hint(html) or ""
        page_url = st.text_input(
            f"Address of {f.name}",
            value=hint,
            key=f"html-url-{i}-{f.file_id}",
            help="The page's original URL (identifies the outlet). Filled in from the page's canonical "
            "link when it has one.",
        )
        pending.append((f.name, html, page_url.strip()))
    if files and len(files) > MAX_FILES:
        st.warning(f"Only the first {MAX_FILES} files are used.")
    if st.button("Analyse files", type="primary", disabled=not pending, key="html-go"):
        name = _event_name(event_html)
        if name:
            from analysis.pipeline import ingest_html

            items = []
            bar = st.progress(0.0)
            live = st.empty()
            for n, (fname, html, page_url) in enumerate(pending, 1):
                if not page_url.lower().startswith(("http://", "https://")):
                    items.append((fname, "failed", "needs the page's address (http:// or https://)"))
                else:
                    try:
                        res = ingest_html(store, html, page_url, event=name, settings=settings)
                        items.append((fname, *_status(res)))
                    except USER_ERRORS as exc:
                        items.append((fname, "failed", f"{type(exc).__name__}: {exc}"))
                bar.progress(n / len(pending), text=f"{n} of {len(pending)} done")
                live.html(_status_html(items))
            _summary(items, name)

with tab_text:
    st.caption(
        "For paywalled articles you can read: paste the text (no HTML is interpreted). Without an event "
        "name the article is grouped into an event automatically. “Preview” shows the text as it will be "
        "stored: share bars, “Read more” boxes and bylines copied along are removed."
    )
    with st.form("text-form"):
        t1, t2, t3 = st.columns(3)
        with t1:
            event_text = st.text_input("Event (blank: group automatically)", max_chars=200, key="text-event")
        with t2:
            outlet = st.text_input("Outlet", max_chars=200, key="text-outlet")
        with t3:
            when = st.date_input(
                "Published",
                value=None,
                min_value=OLDEST_TEXT_DATE,
                max_value=datetime.now(UTC).date() + timedelta(days=1),
                key="text-date",
            )
        title = st.text_input("Headline", max_chars=500, key="text-title")
        t4, t5 = st.columns(2)
        with t4:
            page_url = st.text_input("Original URL (optional)", key="text-url")
        with t5:
            authors = st.text_input("Authors (optional, comma-separated)", key="text-authors")
        body = st.text_area("Article text", height=220, max_chars=MAX_TEXT_CHARS, key="text-body")
        b1, b2 = st.columns([1, 4])
        with b1:
            go_text = st.form_submit_button("Analyse text", type="primary")
        with b2:
            go_preview = st.form_submit_button("Preview", icon=":material/visibility:")
    if go_preview or go_text:
        st.session_state["text-previewing"] = go_preview
    text_fields: dict[str, Any] = {  # the article's fields, for the preview and the save alike
        "title": title.strip(),
        "outlet": outlet.strip(),
        "url": page_url.strip() or None,
        "published": datetime.combine(when, time(12), tzinfo=UTC) if when else None,
        "authors": tuple(a.strip() for a in authors.split(",") if a.strip()),
    }
    save = False
    if go_text or st.session_state.get("text-previewing"):
        name = _event_name(event_text) if event_text.strip() else None
        problems = _text_problems(outlet, title, body, page_url)
        for p in problems:
            st.error(p[0].upper() + p[1:] + ".")
        ready = not problems and (name is not None or not event_text.strip())
        if ready and not go_text:
            save = _preview(body, text_fields)
        if ready and (go_text or save):
            st.session_state["text-previewing"] = False
            from analysis.pipeline import ingest_text, regroup

            text_res: IngestResult | None = None
            text_grouped: dict[str, int] | None = None
            try:
                text_res = ingest_text(store, body, event=name, **text_fields)
                text_grouped = regroup(store, settings) if name is None and text_res.article_id else None
                items = [(title.strip() or "text", *_status(text_res))]
            except USER_ERRORS as exc:
                items = [(title.strip() or "text", "failed", f"{type(exc).__name__}: {exc}")]
            st.html(_status_html(items))
            placed = name or (
                store.event_name_of_article(text_res.article_id) if text_res and text_res.article_id else None
            )
            if text_grouped is not None:
                st.info(
                    f"Grouped automatically into “{placed or 'no event'}” (see the Events page to change it)."
                )
            _summary(items, placed or "")
