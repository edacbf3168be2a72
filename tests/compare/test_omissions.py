"""Omissions, the who-reported-what matrix and the key-figures matrix on a constructed event.

Three fictional outlets cover one fictional council budget.  What each one carries is known:

| fact                          | Wire | Blaze          | Chronicle |
|-------------------------------|------|----------------|-----------|
| fares rise 12 percent         | yes  | headline only  | yes       |
| 2 billion crown budget        | yes  | -              | yes       |
| passed 30 votes to 21         | yes  | -              | yes       |
| mayor Berg: no choice         | yes  | yes            | -         |
| Hale: hurts commuters         | yes  | yes            | -         |
| 5 million crowns cycle lanes  | only | -              | -         |
| cleaner's quote               | -    | only           | -         |
| professor Quist (a new name)  | -    | -              | only      |
| 80,000 daily passengers       | -    | -              | only      |
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.compare.alignment import (
    ALIGN_COLUMNS,
    FACT_COLUMNS,
    MATCH_THRESHOLD,
    SENTENCE_COLUMNS,
    align_event,
    align_sentences,
)
from analysis.compare.omissions import (
    MISSING_COLUMNS,
    NUMBER_META_COLUMNS,
    OMISSION_SUMMARY_COLUMNS,
    UNIQUE_COLUMNS,
    coverage_matrix,
    numbers_matrix,
    omissions,
    omissions_summary,
    required_others,
)
from analysis.compare.sentence_features import find_names, find_numbers

WIRE = {
    "id": 1,
    "outlet": "Wire",
    "title": "Council approves 2 billion crown budget with fare rise",
    "text": (
        "The city council approved a budget of 2 billion crowns on Tuesday.\n"
        "Bus fares will rise by 12 percent from July.\n"
        "Mayor Anna Berg said the council had no choice because of rising energy costs.\n"
        "Opposition leader Tom Hale said the plan would hurt commuters who depend on buses.\n"
        "The budget passed by 30 votes to 21.\n"
        "The budget includes 5 million crowns for new cycle lanes."
    ),
}
BLAZE = {
    "id": 2,
    "outlet": "Blaze",
    "title": "FARE FURY: commuters hit by 12% ticket hike",
    "text": (
        "Mayor Anna Berg claimed rising energy costs left the council with no choice.\n"
        "“I cannot afford this, it is daylight robbery,” said cleaner Rita Moss.\n"
        "Opposition leader Tom Hale blasted the plan as a disaster for commuters who depend on buses."
    ),
}
CHRONICLE = {
    "id": 3,
    "outlet": "Chronicle",
    "title": "What the budget means for the city",
    "text": (
        "Bus fares in the city will go up by 12 percent, the council decided.\n"
        "The council approved a 2 billion crown budget, which passed by 30 votes to 21.\n"
        "Professor Lena Quist of the Northern Institute argues that dearer tickets "
        "push people towards cars.\n"
        "The city has 80,000 daily bus passengers."
    ),
}
ROWS = [WIRE, BLAZE, CHRONICLE]


@pytest.fixture(scope="module")
def al():
    return align_event(ROWS)


def _fact(cm, needle: str) -> int:
    hits = [f for f, rep in zip(cm.facts["fact"], cm.facts["representative"], strict=True) if needle in rep]
    assert len(hits) == 1, (needle, cm.facts["representative"].tolist())
    return hits[0]


# --- figures and names ---------------------------------------------------------------------------


def test_numbers_are_normalised_so_different_spellings_match() -> None:
    def keys(s: str) -> list[str]:
        return [n.key for n in find_numbers(s)]

    assert keys("up 17%") == keys("up 17 percent") == keys("up 17 per cent")
    assert keys("38 million crowns") == keys("38m crowns")
    assert keys("£300m") == keys("£300 million")
    assert keys("1,240 jobs") == ["count:1240"]
    assert keys("17 percent") != keys("17 crowns") != keys("17 people")


def test_numbers_ranges_take_the_unit_of_their_partner() -> None:
    kinds = {n.text: (n.kind, n.value) for n in find_numbers("a pass goes from 62 to 71 crowns")}
    assert kinds["62"] == ("money", 62.0)
    kinds = {n.text: n.kind for n in find_numbers("it costs 2.80 crowns, up from 2.40")}
    assert kinds["2.40"] == "money"
    kinds = {n.text: n.value for n in find_numbers("between 2 and 3 million euros")}
    assert kinds["2"] == 2e6


def test_years_dates_times_and_number_words_are_not_key_figures() -> None:
    found = find_numbers("On March 10 at 11:40 p.m. in 2026 three people and 1,240 workers")
    kinds = {n.text: n.kind for n in found}
    assert kinds == {"10": "date", "2026": "year", "three": "word", "1,240": "count"}


def test_names_skip_titles_sentence_openers_and_ordinary_words() -> None:
    names = dict(
        find_names("Families say Mayor Dana Whitlow met the Brennick Tenants Association.", frozenset())
    )
    assert names["Mayor Dana Whitlow"] == frozenset({"dana", "whitlow"})
    assert "Families" not in names
    # "Tenants" and "Association" are used in lower case elsewhere in the event: not identifying.
    names = dict(
        find_names("He met the Brennick Tenants Association.", frozenset({"tenants", "association"}))
    )
    assert names["Brennick Tenants Association"] == frozenset({"brennick"})


# --- alignment -----------------------------------------------------------------------------------


def test_alignment_frames_have_the_documented_columns(al) -> None:
    assert al.outlets == ("Wire", "Blaze", "Chronicle")
    assert tuple(al.sentences.columns) == SENTENCE_COLUMNS
    assert tuple(al.facts.columns) == FACT_COLUMNS
    assert al.sentences["headline"].sum() == 3
    pairs = align_sentences(al)
    assert tuple(pairs.columns) == ALIGN_COLUMNS
    # every sentence has a best match in each of the two other outlets
    assert len(pairs) == 2 * len(al.sentences)
    assert (pairs["outlet"] != pairs["other_outlet"]).all()
    assert pairs["carried"].equals(pairs["score"] >= MATCH_THRESHOLD)


def test_restatements_match_and_unrelated_sentences_do_not(al) -> None:
    pairs = align_sentences(al).set_index(["sentence", "other_outlet"])
    hale = pairs.loc[(WIRE["text"].splitlines()[3], "Blaze")]
    assert hale["carried"] and "Tom Hale blasted" in hale["match_sentence"]
    votes = pairs.loc[(WIRE["text"].splitlines()[4], "Chronicle")]
    assert votes["carried"] and votes["shared_numbers"] == ("30", "21")
    quist = pairs.loc[(CHRONICLE["text"].splitlines()[2], "Wire")]
    assert not quist["carried"]


# --- who reported what ---------------------------------------------------------------------------


def test_coverage_matrix_knows_who_carries_each_fact(al) -> None:
    cm = coverage_matrix(al)
    assert list(cm.carried.columns) == ["Wire", "Blaze", "Chronicle"]
    assert cm.carried.dtypes.eq(bool).all()
    expected = {
        "12 percent from July": (True, True, True),  # the Blaze only in its headline
        "passed by 30 votes to 21": (True, False, True),
        "Mayor Anna Berg said": (True, True, False),
        "Tom Hale said": (True, True, False),
        "5 million crowns for new cycle lanes": (True, False, False),
        "Rita Moss": (False, True, False),
        "Lena Quist": (False, False, True),
        "80,000": (False, False, True),
    }
    for needle, row in expected.items():
        assert tuple(cm.carried.loc[_fact(cm, needle)]) == row, needle
    fare = _fact(cm, "12 percent from July")
    assert cm.sentences.at[fare, "Blaze"] == BLAZE["title"]  # carried by the headline
    votes = _fact(cm, "passed by 30 votes to 21")
    assert cm.sentences.at[votes, "Blaze"] == ""
    assert "30 votes to 21" in cm.sentences.at[votes, "Chronicle"]
    # most widely carried facts first
    assert cm.facts["n_outlets"].is_monotonic_decreasing
    assert cm.facts.at[fare, "n_outlets"] == 3
    wide = cm.to_frame()
    assert list(wide.columns) == ["label", "n_outlets", "kind", "Wire", "Blaze", "Chronicle"]


def test_coverage_matrix_limits(al) -> None:
    assert len(coverage_matrix(al, max_facts=2).facts) == 2
    shared = coverage_matrix(al, min_outlets=2)
    assert (shared.facts["n_outlets"] >= 2).all()
    assert not shared.facts["representative"].str.contains("Quist").any()


def test_numbers_matrix(al) -> None:
    nm = numbers_matrix(al)
    assert tuple(nm.columns[: len(NUMBER_META_COLUMNS)]) == NUMBER_META_COLUMNS
    by = nm.set_index("number")
    assert tuple(by.loc["12 percent", ["Wire", "Blaze", "Chronicle"]]) == (True, True, True)
    assert by.at["12 percent", "kind"] == "percent"
    assert tuple(by.loc["30", ["Wire", "Blaze", "Chronicle"]]) == (True, False, True)
    assert by.at["5 million crowns", "kind"] == "money"
    assert by.at["5 million crowns", "value"] == 5e6
    assert tuple(by.loc["80,000", ["Wire", "Blaze", "Chronicle"]]) == (False, False, True)
    assert nm["n_outlets"].is_monotonic_decreasing
    assert "percent" in set(numbers_matrix(al, include_counts=False)["kind"])
    assert "count" not in set(numbers_matrix(al, include_counts=False)["kind"])


# --- omissions -----------------------------------------------------------------------------------


def test_unique_statements_are_typed(al) -> None:
    om = omissions(al)
    assert set(om) == {"Wire", "Blaze", "Chronicle"}
    for o in om.values():
        assert tuple(o.unique.columns) == UNIQUE_COLUMNS
        assert tuple(o.missing.columns) == MISSING_COLUMNS
        assert (o.unique["best_score"] < MATCH_THRESHOLD).all()
    assert om["Wire"].unique[["kind", "sentence"]].values.tolist() == [
        ["number", "The budget includes 5 million crowns for new cycle lanes."]
    ]
    assert om["Blaze"].unique["kind"].tolist() == ["quote"]
    chron = dict(zip(om["Chronicle"].unique["kind"], om["Chronicle"].unique["sentence"], strict=True))
    assert set(chron) == {"name", "number"}
    assert "Lena Quist" in chron["name"] and "80,000" in chron["number"]
    quist = om["Chronicle"].unique.set_index("kind").at["name", "new_names"]
    assert "Professor Lena Quist" in quist
    # headlines are never listed as statements
    assert not any(om[o].unique["sentence"].isin([r["title"] for r in ROWS]).any() for o in om)


def test_missing_facts_and_figures(al) -> None:
    om = omissions(al)
    assert om["Wire"].missing.empty and om["Wire"].missing_numbers == ()
    blaze_missing = " ".join(om["Blaze"].missing["representative"])
    assert "30 votes to 21" in blaze_missing and "2 billion crowns" in blaze_missing
    assert "12 percent" not in blaze_missing  # its headline carries the fare rise
    assert set(om["Blaze"].missing_numbers) == {"2 billion crown", "30", "21"}
    chron_missing = om["Chronicle"].missing["representative"].tolist()
    assert len(chron_missing) == 2
    assert any("Anna Berg" in s for s in chron_missing) and any("Tom Hale" in s for s in chron_missing)
    assert all(n == 2 for n in om["Chronicle"].missing["n_outlets"])


def test_summary_counts(al) -> None:
    summary = omissions_summary(al).set_index("outlet")
    assert tuple(summary.reset_index().columns) == OMISSION_SUMMARY_COLUMNS
    assert summary.at["Chronicle", "n_unique"] == 2
    assert summary.at["Chronicle", "unique_name"] == 1
    assert summary.at["Blaze", "unique_quote"] == 1
    assert summary.at["Blaze", "n_missing"] == 2
    assert summary.at["Blaze", "n_missing_numbers"] == 3
    assert summary.at["Wire", "n_sentences"] == 6


def test_required_others_is_two_or_a_majority() -> None:
    assert [required_others(n) for n in (1, 2, 3, 4, 5, 6, 9)] == [2, 2, 2, 3, 3, 4, 5]


def test_two_outlets_one_outlet_and_nothing() -> None:
    two = omissions([WIRE, CHRONICLE])
    assert two["Chronicle"].missing.empty  # one other outlet is never enough to call it an omission
    assert two["Chronicle"].n_unique == 2
    wire_only = " ".join(two["Wire"].unique["sentence"])
    assert "Anna Berg" in wire_only and "Tom Hale" in wire_only and "30 votes" not in wire_only
    assert coverage_matrix([WIRE, CHRONICLE]).carried.shape[1] == 2

    one = omissions([WIRE])
    assert one["Wire"].n_unique == one["Wire"].n_sentences == 6
    assert one["Wire"].missing.empty
    assert coverage_matrix([WIRE]).carried.all().all()
    assert numbers_matrix([WIRE])["n_outlets"].eq(1).all()

    empty = align_event([])
    assert empty.outlets == () and empty.sentences.empty
    assert omissions([]) == {}
    assert coverage_matrix([]).facts.empty
    assert list(numbers_matrix([]).columns) == list(NUMBER_META_COLUMNS)
    assert align_sentences([]).empty
    assert omissions_summary([]).empty
    # rows without text are skipped
    assert align_event([{"outlet": "X", "text": "", "title": "Only a headline"}]).outlets == ()


def test_several_articles_of_one_outlet_are_read_together() -> None:
    first = {**WIRE, "text": "\n".join(WIRE["text"].splitlines()[:3])}
    second = {**WIRE, "id": 9, "title": "", "text": "\n".join(WIRE["text"].splitlines()[3:])}
    al = align_event([first, second, BLAZE, CHRONICLE])
    assert al.outlets == ("Wire", "Blaze", "Chronicle")
    assert set(al.sentences.loc[al.sentences["outlet"] == "Wire", "article_id"]) == {1, 9}
    om = omissions(al)
    assert om["Wire"].n_sentences == 6 and om["Wire"].missing.empty


def test_rows_are_accepted_directly() -> None:
    df = coverage_matrix(ROWS).to_frame()
    assert isinstance(df, pd.DataFrame) and len(df) >= 8


def test_short_texts_and_headline_only_matches() -> None:
    short = align_event([{"outlet": "A", "text": "Too short."}, {"outlet": "B", "text": "Also short."}])
    assert short.outlets == ("A", "B") and short.sentences.empty and short.facts.empty
    assert {o: om.n_sentences for o, om in omissions(short).items()} == {"A": 0, "B": 0}
    assert coverage_matrix(short).carried.shape == (0, 2)
    # B's only statement is carried by A's headline: not unique, and A lists no statement at all
    rows = [
        {"outlet": "A", "title": "Storm closes the harbour bridge", "text": "Too short."},
        {"outlet": "B", "text": "The storm closes the harbour bridge again."},
    ]
    om = omissions(rows)
    assert om["B"].n_sentences == 1 and om["B"].n_unique == 0
    assert om["A"].n_sentences == 0
