"""``python -m analysis report --event NAME --out FILE.html``: read one event from the store and
write its self-contained HTML report (``analysis.present.report.build_event_report``)."""

from __future__ import annotations

from pathlib import Path

from analysis.compare import wordchoice
from analysis.compare.reviewed import reviewed_event
from analysis.outlet_table import label_rows, labelled_colours
from analysis.present.report import build_event_report
from analysis.store import Store, StoreError


def write_event_report(store: Store, event_name: str, out_path: str | Path) -> Path:
    """Write the report of ``event_name`` (name or slug) to ``out_path``; StoreError when unknown."""
    event = store.find_event(event_name)
    # as the Compare page counts them: the corrections first, then the event's topic words
    articles = label_rows(store.event_articles(event.id, with_text=True), store.outlet_labels())
    view = reviewed_event(articles, store.corrections(event.id), event.id)
    rows = view.rows
    if not rows:
        raise StoreError(f"event {event.name!r} has no articles yet")
    colors = labelled_colours(store)  # display names, stored colours (as on the dashboard)
    prior = wordchoice.database_prior(store.text_sample(wordchoice.PRIOR_SAMPLE_ARTICLES))
    page = build_event_report(
        event.name,
        rows,
        description=event.description or "",
        slug=event.slug,
        colors=colors,
        prior=prior,
        history=store.history(event_id=event.id),
        corrections=view.corrections,
        topic_words=view.topic_words,
    )
    path = Path(out_path)
    try:
        path.write_text(page, "utf-8")
    except OSError as exc:
        raise StoreError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    return path
