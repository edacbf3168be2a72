"""Commands about who speaks and what things are called: voices, labels, search."""

from __future__ import annotations

import argparse
import json

from analysis.cli.common import CliError, _printable, _store, print_frame

VOICE_CLI_COLUMNS = ["outlet", "article_id", "title", "speaker", "role", "verb", "kind", "text"]
SEARCH_CLI_COLUMNS = ["outlet", "event", "published", "article_id", "title", "left", "match", "right"]


def _json_rows(frame, columns: list[str]) -> str:  # noqa: ANN001 - a DataFrame
    records = frame[columns].to_dict(orient="records")
    return json.dumps(records, ensure_ascii=False, indent=1, default=str)


def cmd_voices(args: argparse.Namespace) -> int:
    from analysis.compare.voice_tables import event_voices, verb_table, voice_share

    store = _store(args)
    ev = store.find_event(args.event)
    voices = event_voices(store.event_articles(ev.id), store.speaker_roles())
    if args.format == "json":
        print(_json_rows(voices, VOICE_CLI_COLUMNS))
        return 0
    print(f"Quotes in {_printable(ev.name)!r}: {len(voices)} (one row per quote)\n")
    shown = voices[VOICE_CLI_COLUMNS].copy()
    shown["title"] = shown["title"].map(lambda t: _printable(t, 30))
    print_frame(shown, max_width=60)
    print("\nWho gets room: share of each outlet's quoted words\n")
    print_frame(voice_share(voices))
    print("\nAttribution verbs per outlet\n")
    print_frame(verb_table(voices).reset_index())
    return 0


def cmd_role(args: argparse.Namespace) -> int:
    from analysis.compare.roles import ROLES

    if args.role != "clear" and args.role not in ROLES:
        raise CliError(f"role must be one of {', '.join(ROLES)} or 'clear', not {args.role!r}")
    store = _store(args)
    store.set_speaker_role(args.speaker, None if args.role == "clear" else args.role)
    print(f"{_printable(args.speaker)}: {args.role} (used by voices, the Voices tab and the Outlets page)")
    return 0


def cmd_labels(args: argparse.Namespace) -> int:
    from analysis.compare.labels import label_table, labels_side_by_side

    store = _store(args)
    ev = store.find_event(args.event)
    table = label_table(store.event_articles(ev.id), by_meaning=args.group_by == "meaning")
    if args.format == "json":
        print(_json_rows(table, list(table.columns)))
        return 0
    print(f"Labels in {_printable(ev.name)!r}: what each outlet calls the same person, group or thing")
    print(
        "(basis: name = one person or organisation; head = phrases with one head word; meaning = phrases "
        "grouped by embeddings, --group-by head to turn off)\n"
    )
    print_frame(labels_side_by_side(table), max_width=40)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from analysis.compare.search import query_words, search_hits

    store = _store(args)
    if not query_words(args.text):
        raise CliError("search needs at least one word")
    event_id = store.find_event(args.event).id if args.event else None
    articles = store.search_texts(
        query_words(args.text), event_id=event_id, outlets=[args.outlet] if args.outlet else None
    )
    hits = search_hits(articles, args.text)
    if args.format == "json":
        print(_json_rows(hits, [*SEARCH_CLI_COLUMNS, "sentence"]))
        return 0
    print(f"{len(hits)} hits for {_printable(args.text)!r} in {hits['article_id'].nunique()} articles\n")
    if len(hits):
        print_frame(hits[SEARCH_CLI_COLUMNS], max_width=50)
    return 0
