"""Commands that read an event and print what the comparison finds: show, words, omissions,
headlines, blindspots, actors."""

from __future__ import annotations

import argparse

from analysis.cli.common import TITLE_WIDTH, _printable, _store, format_table, print_frame
from analysis.compare.corrections import dismissal_summary

SHOW_COLUMNS = [
    ("id", "id"),
    ("outlet", "outlet"),
    ("published", "date"),
    ("title", "title"),
    ("words", "words"),
    ("sentiment", "sentiment"),
    ("headline_sentiment", "headline"),
    ("negative_share", "neg.sent"),
    ("loaded_rate", "loaded/1k"),
    ("quoted_rate", "quoted/1k"),
    ("top", "top categories"),
    ("health", "health"),
]


def cmd_show(args: argparse.Namespace) -> int:
    from analysis.compare.reviewed import reviewed_event
    from analysis.compare.topics import topic_notes

    store = _store(args)
    ev = store.find_event(args.event)
    corrections = store.corrections(ev.id)
    # as the Compare page counts them: the corrections first, then the event's topic words not counted
    view = reviewed_event(store.event_articles(ev.id), corrections, ev.id)
    rows, topic_words = view.rows, view.topic_words
    print(f"{_printable(ev.name)} — {len(rows)} articles from {len({r['outlet'] for r in rows})} outlets")
    if ev.description:
        print(_printable(ev.description))
    if corrections:
        done = dismissal_summary(rows)
        print(
            f"{len(corrections)} corrections in force: {done.get('dismissed', 0)} flags dismissed, "
            f"{done.get('added', 0)} words added "
            "(python -m analysis history --event ...)"
        )
    print()
    for r in rows:
        r["title"] = _printable(r["title"], TITLE_WIDTH)
        cats = sorted(r["categories"].items(), key=lambda kv: -kv[1])[:2]
        r["top"] = ", ".join(k for k, _ in cats)
    print(format_table(rows, SHOW_COLUMNS))
    notes = topic_notes(topic_words, len({r["outlet"] for r in rows if r.get("sentiment") is not None}))
    if notes:
        print("\nTopic words of this event (shown, not counted):")
        for line in notes:
            print(f"  {_printable(line)}")
    failed = store.attempts(ev.id, failed_only=True)
    if failed:
        print("\nFailed fetches:")
        for f in failed:
            print(f"  {_printable(f['url'], 80)}\n    {f['health']}: {_printable(f['reason'])}")
    print(
        "\nsentiment: VADER compound, length-weighted over sentences (-1 negative .. +1 positive); "
        "loaded/1k: the outlet's own loaded-language weight per 1,000 words (quoted speech counted apart)."
    )
    return 0


def _event_rows(args: argparse.Namespace) -> tuple[str, list[dict]]:
    store = _store(args)
    ev = store.find_event(args.event)
    return ev.name, store.event_articles(ev.id)


def cmd_words(args: argparse.Namespace) -> int:
    from analysis.compare.wordchoice import PRIOR_SAMPLE_ARTICLES, database_prior, event_word_choice

    name, rows = _event_rows(args)
    prior = database_prior(_store(args).text_sample(PRIOR_SAMPLE_ARTICLES))
    table = event_word_choice(rows, prior=prior, top=args.top)
    print(
        f"Distinctive word choice in {_printable(name)!r}: each outlet against the others "
        "(log-odds ratio with an informative Dirichlet prior; |z| > 1.96 is notable)\n"
    )
    for outlet, part in table.groupby("group", sort=True):
        print(f"== {_printable(outlet)}")
        print_frame(part[["term", "count", "other_count", "z"]])
        print()
    return 0


def cmd_omissions(args: argparse.Namespace) -> int:
    from analysis.compare.omissions import (
        align_event,
        coverage_matrix,
        numbers_matrix,
        omissions,
        omissions_summary,
    )

    name, rows = _event_rows(args)
    al = align_event(rows)
    print(f"Who reported what in {_printable(name)!r}\n")
    print_frame(omissions_summary(al))
    matrix = coverage_matrix(al, max_facts=args.max_facts).to_frame()
    print("\nKey facts (x = carried):")
    print_frame(matrix.replace({True: "x", False: ""}), max_width=70)
    print("\nKey figures:")
    print_frame(numbers_matrix(al).replace({True: "x", False: ""}))
    for outlet, om in omissions(al).items():
        if len(om.missing):
            print(f"\n{_printable(outlet)} leaves out what others carry:")
            print_frame(om.missing[["label", "n_outlets"]], max_width=90)
    return 0


def cmd_headlines(args: argparse.Namespace) -> int:
    from analysis.compare.coverage import headline_body_summary, headline_vs_body
    from analysis.compare.reviewed import reviewed_rows

    store = _store(args)
    event_id = store.find_event(args.event).id if args.event else None
    # the body's loaded rate as the Compare page counts it: corrections, then each event's topic words
    rows = reviewed_rows(store.event_articles(event_id), store.corrections(event_id))
    frame = headline_vs_body(rows)
    print("Headline versus body, per outlet (gap = headline minus body):\n")
    print_frame(headline_body_summary(frame))
    print()
    print_frame(
        frame[
            [
                "outlet",
                "title",
                "headline_sentiment",
                "body_sentiment",
                "sentiment_gap",
                "headline_loaded_per_1000",
                "body_loaded_rate",
            ]
        ],
        max_width=50,
    )
    return 0


def cmd_blindspots(args: argparse.Namespace) -> int:
    from analysis.compare.coverage import blindspot_summary, blindspots
    from analysis.outlet_table import pick_dimension

    store = _store(args)
    dimension = pick_dimension(store, args.by)
    groups = store.outlet_groups(dimension) if dimension else {}
    rows = store.event_articles(with_text=False)
    frame = blindspots(rows, groups)
    where = (
        f"the outlets' {dimension!r} groups" if dimension else "no outlet has a group: see outlet edit/import"
    )
    print(
        f"Events by outlet group ({where}; dimensions: {', '.join(store.outlet_dimensions()) or 'none'}):\n"
    )
    print_frame(frame.drop(columns=["first_published", "last_published"], errors="ignore"))
    print()
    print_frame(blindspot_summary(frame))
    return 0


def cmd_actors(args: argparse.Namespace) -> int:
    from analysis.compare.actors import actor_table

    name, rows = _event_rows(args)
    table = actor_table(rows)
    if args.top and len(table):
        keep = table.groupby("actor")["mentions"].sum().nlargest(args.top).index
        table = table[table["actor"].isin(keep)]
    print(f"Actors in {_printable(name)!r}: mentions, times quoted, and sentiment toward them per outlet")
    print("(sentiment = (positive - negative) / mentions, from the target's clause and context)\n")
    print_frame(
        table[
            ["actor", "kind", "outlet", "mentions", "quoted", "positive", "neutral", "negative", "sentiment"]
        ].sort_values(["actor", "outlet"])
    )
    return 0
