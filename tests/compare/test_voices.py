"""Quotes, speakers, roles and verbs; per-event voice tables; labels; search."""

from __future__ import annotations

from analysis.compare.labels import label_table, labels_side_by_side
from analysis.compare.roles import classify_role
from analysis.compare.search import search_hits
from analysis.compare.voice_tables import event_voices, outlet_voice_mix, verb_table, voice_share
from analysis.compare.voices import find_quotes

# Written for these tests (an event the rules were not written against).
TEXT = (
    "Finance Minister Ana Ruiz defended the levy on Tuesday. “We had no choice,” Ruiz said. "
    "“The hole in the accounts was real.”\n\n"
    "Opposition leader Carl Menzer called the plan “a tax on work” and said it would cost jobs.\n\n"
    "Priya Shah, an economist at the Ardent Institute, was blunt: “The numbers do not add up.”\n\n"
    "“It will hurt families like mine,” said Tom Beck, a bus driver. He added: “Nobody asked us.”\n\n"
    "A government spokesperson insisted that the levy was temporary.\n\n"
    "The deficit grew by 3 percent last year, according to the national statistics office.\n\n"
    "Critics warned the measure would hit small firms hardest."
)


def by_text(quotes, fragment: str):
    return next(q for q in quotes if fragment in q.text)


def test_direct_partial_colon_pronoun_and_indirect() -> None:
    quotes = find_quotes(TEXT)
    q = by_text(quotes, "We had no choice")
    assert (q.speaker, q.kind, q.verb, q.role) == ("Ana Ruiz", "direct", "said", "official")
    assert by_text(quotes, "hole in the accounts").speaker == "Ana Ruiz"  # continues the speaker
    q = by_text(quotes, "a tax on work")
    assert (q.speaker, q.kind, q.role) == ("Carl Menzer", "partial", "opposition")
    q = by_text(quotes, "do not add up")
    assert (q.speaker, q.kind, q.verb, q.role) == ("Priya Shah", "direct", "", "expert")
    q = by_text(quotes, "hurt families")
    assert (q.speaker, q.verb, q.role) == ("Tom Beck", "said", "ordinary")
    q = by_text(quotes, "Nobody asked us")
    assert (q.speaker, q.verb) == ("Tom Beck", "added")  # "He added:" carried to the last person named
    q = by_text(quotes, "levy was temporary")
    assert (q.speaker, q.named, q.kind, q.verb, q.role) == (
        "A government spokesperson",
        False,
        "indirect",
        "insisted",
        "official",
    )
    q = by_text(quotes, "deficit grew")
    assert (q.verb, q.named) == ("according to", False) and "statistics office" in q.speaker
    q = by_text(quotes, "hit small firms")
    assert (q.speaker, q.verb, q.role) == ("Critics", "warned", "opposition")


def test_scare_quotes_and_plain_sentences_are_not_quotes() -> None:
    text = "The so-called “reform” passed. The plant employs 900 people and a debt it never explained."
    assert find_quotes(text) == []


def test_role_table() -> None:
    assert classify_role("a Kelby councillor") == "official"
    assert classify_role("opposition spokeswoman") == "opposition"
    assert classify_role("regional secretary of the union") == "advocacy"
    assert classify_role("a hotel") == "unknown"


ROWS = [
    {"id": 1, "outlet": "A", "title": "t1", "event": "E", "text": TEXT},
    {
        "id": 2,
        "outlet": "B",
        "title": "t2",
        "event": "E",
        "text": (
            "“We had no choice,” claimed Ruiz, the finance minister. "
            "Officials said the levy would end in 2027."
        ),
    },
]


def test_event_tables_and_overrides() -> None:
    voices = event_voices(ROWS)
    assert set(voices["outlet"]) == {"A", "B"}
    share = voice_share(voices)
    a = share[share["outlet"] == "A"]
    assert abs(a["share"].sum() - 1) < 0.01
    only = set(share[share["only_outlet"]]["speaker"])
    assert "Tom Beck" in only and "Ana Ruiz" not in only  # "Ruiz" in B is linked to Ana Ruiz
    verbs = verb_table(voices)
    assert verbs.loc["claimed", "B"] == 1
    mix = outlet_voice_mix(voices)
    assert mix.set_index("outlet").loc["B", "unnamed_share"] == 0.5
    fixed = event_voices(ROWS, {"tom beck": "business"})
    assert set(fixed[fixed["speaker"] == "Tom Beck"]["role"]) == {"business"}


def test_labels_side_by_side() -> None:
    rows = [
        {"outlet": "A", "text": "President Ana Ruiz visited the doomed factory. The factory will close."},
        {"outlet": "B", "text": "Ruiz toured the Dunmore factory on Monday."},
    ]
    table = label_table(rows)
    wide = labels_side_by_side(table)
    factory = wide[wide["group"] == "factory"].iloc[0]
    assert "doomed factory" in factory["A"] and factory["B"] == "Dunmore factory"
    ruiz = wide[wide["group"] == "Ana Ruiz"].iloc[0]
    assert ruiz["A"] == "President Ana Ruiz" and ruiz["B"] == "Ruiz"
    # the hook for an embedding model: heads put in one group are shown as one row per outlet
    rows.append({"outlet": "B", "text": "Workers left the plant on Monday."})
    grouped = label_table(
        rows, cluster_heads=lambda heads: [0 if h in ("factory", "plant") else 1 for h in heads]
    )
    assert "factory / plant" in set(grouped["group"])


def test_label_groups_by_meaning() -> None:
    from analysis.compare.label_groups import cluster, collect_phrases, group_by_head, noun_phrase_spans

    # an adverb or participle after the noun ends the phrase
    assert [
        p for _, p, _, _ in noun_phrase_spans("Workers began the indefinite strike starting on Monday.")
    ] == ["indefinite strike"]
    rows = [
        {"outlet": "A", "text": "Riders condemned the fare increase on Monday. The river was high."},
        {"outlet": "B", "text": "Riders condemned the fare rise on Monday. The storm was mild."},
    ]
    items = collect_phrases(rows)
    assert {p.phrase for p in items} == {"fare increase", "fare rise", "river", "storm"}
    assert len(set(group_by_head(items))) == 4
    table = label_table(rows, by_meaning=True)
    fare = table[table["basis"] == "meaning"]
    assert set(fare["outlet"]) == {"A", "B"} and set(fare["labels"]) == {"fare increase", "fare rise"}
    assert label_table(rows, by_meaning=False).query("basis != 'name'").empty
    # average linkage cut at a threshold
    import numpy as np

    scores = np.array([[1, 0.9, 0.1], [0.9, 1, 0.2], [0.1, 0.2, 1]])
    assert cluster(scores, 0.5)[0] == cluster(scores, 0.5)[1] != cluster(scores, 0.5)[2]


def test_search_hits_whole_words_in_context() -> None:
    hits = search_hits(ROWS, "the LEVY")
    assert len(hits) >= 2 and set(hits["match"].str.lower()) == {"the levy"}
    assert all("levy" in s.lower() for s in hits["sentence"])
    assert search_hits(ROWS, "lev").empty  # whole words only
    assert search_hits(ROWS, "  ").empty


WIRE = (
    'Health Secretary Mark Ellison on Friday announced a review of waiting lists. "We will not hide '
    'from the figures," Ellison told a news conference.\n\n'
    'Nurses\' union leader Joan Pike said the review was "too little, too late". "Our members are '
    'exhausted," she said.\n\n'
    'A senior hospital manager, who spoke on condition of anonymity, said: "Beds are full every night."\n\n'
    "According to the Office for Health Statistics, 7.4 million people are waiting for treatment.\n\n"
    '"I waited nine months for a hip," said retired teacher Eileen Marsh, 72.'
)


def test_straight_quotes_anonymous_source_and_inverted_name() -> None:
    quotes = find_quotes(WIRE)
    assert (by_text(quotes, "hide from").speaker, by_text(quotes, "hide from").verb) == (
        "Mark Ellison",
        "told",
    )
    q = by_text(quotes, "too little")
    assert (q.speaker, q.kind, q.role) == ("Joan Pike", "partial", "advocacy")
    assert by_text(quotes, "exhausted").speaker == "Joan Pike"
    q = by_text(quotes, "Beds are full")
    assert (q.speaker, q.role, q.named) == ("A senior hospital manager", "anonymous", False)
    assert by_text(quotes, "7.4 million").speaker == "Office for Health Statistics"
    q = by_text(quotes, "nine months")
    assert (q.speaker, q.role) == ("Eileen Marsh", "ordinary")


def test_quality_on_the_labelled_demo_corpus_does_not_regress() -> None:
    from analysis.bench.voices_eval import eval_voices

    result = eval_voices()
    assert result["labelled_quotes"] >= 240
    # measured 0.949 / 0.907 / 0.782 (a bare name is "unknown", not "ordinary"); 0.926 of the roles
    # stated are right.  Floors, not targets.
    assert result["speaker_precision"] >= 0.9 and result["speaker_recall"] >= 0.85
    assert result["role_accuracy"] >= 0.75 and result["role_accuracy_when_stated"] >= 0.9


def test_heldout_quote_labels_hold_offsets_not_text(tmp_path) -> None:
    import csv

    from analysis.bench.voices_eval import HELDOUT_FILE, eval_voices, load_gold

    lines = [x for x in HELDOUT_FILE.read_text("utf-8").splitlines() if x and not x.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(rows) >= 70 and set(rows[0]) == {
        "event", "outlet", "sha1", "start", "end", "speaker", "role", "verb", "kind"
    }  # fmt: skip
    assert all(int(r["start"]) < int(r["end"]) for r in rows)
    assert sum(len(v) for v in load_gold().values()) + len(rows) >= 300
    # without the eval folder only the demo part is measured
    result = eval_voices(tmp_path)
    assert "heldout" not in result and {r["task"] for r in result["rows"]} == {"quotes: speaker (dev)"}
