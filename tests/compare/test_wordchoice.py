"""Distinctive word choice: term extraction, the term x group table and Monroe et al.'s z-scores."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.compare.wordchoice import (
    DISTINCTIVE_COLUMNS,
    Z_95,
    background_prior,
    default_alpha0,
    distinctive_terms,
    event_word_choice,
    log_odds_table,
    term_counts,
    terms,
)

# One story told three times; outlet A says "regime" wherever the others say "government".
TEMPLATE = [
    "The {g} announced new measures on Monday after weeks of protests in the capital.",
    "Officials from the {g} met opposition leaders to discuss the crisis.",
    "Critics said the {g} had ignored warnings about rising prices.",
    "The {g} spokesman declined to comment on reports of arrests.",
    "Analysts expect the {g} to face further pressure from trade unions.",
    "Several ministers in the {g} have resigned since January.",
    "The {g} said it would publish a full budget next month.",
    "Farmers blocked roads near the port to protest against the {g} plan.",
]


def story(word: str) -> str:
    return " ".join(s.format(g=word) for s in TEMPLATE)


ROWS = [
    {"outlet": "A", "title": "", "text": story("regime")},
    {"outlet": "B", "title": "", "text": story("government")},
    {"outlet": "C", "title": "", "text": story("government")},
]


# --- terms ---------------------------------------------------------------------------------------


def test_terms_drop_stop_words_and_keep_clean_bigrams() -> None:
    c = terms("The mayor slammed the budget. Budget cuts hit the poor, critics said.")
    assert c["budget"] == 2 and c["mayor"] == 1
    assert "the" not in c and "the mayor" not in c
    assert c["mayor slammed"] == 1 and c["budget cuts"] == 1
    assert "slammed budget" not in c  # "the" between them
    assert "budget budget" not in c  # a sentence boundary between them
    assert "poor critics" not in c  # a comma between them
    assert c["critics said"] == 1  # attribution verbs are word choice, not stop words


def test_terms_normalise_case_apostrophes_possessives_and_numbers() -> None:
    c = terms("Brennick’s council and BRENNICK's mayor met 40 tenants in 2026.")
    assert c["brennick"] == 2 and "brennick's" not in c
    assert "40" not in c and "2026" not in c
    assert "met tenants" not in c  # a number breaks a bigram
    assert terms("40 tenants", keep_numbers=True)["40 tenants"] == 1


def test_terms_leave_out_direct_speech_but_keep_scare_quotes() -> None:
    text = '“This is a disgraceful betrayal,” said Smith. The so-called "experts" disagreed.'
    own = terms(text)
    assert "disgraceful" not in own and "betrayal" not in own
    assert own["experts"] == 1 and own["said smith"] == 1
    assert terms(text, exclude_quotes=False)["disgraceful betrayal"] == 1
    assert "disgraceful said" not in terms(text, exclude_quotes=False)


def test_terms_ngram_range() -> None:
    text = "Budget cuts hurt tenants."
    assert all(" " not in t for t in terms(text, (1, 1)))
    assert all(" " in t for t in terms(text, (2, 2)))
    with pytest.raises(ValueError):
        terms(text, (1, 3))


# --- the count table -----------------------------------------------------------------------------


def test_term_counts_table() -> None:
    rows = [*ROWS, {"outlet": None, "text": "ignored"}, {"outlet": "B", "title": "Regime change", "text": ""}]
    c = term_counts(rows)
    assert list(c.columns) == ["A", "B", "C"]
    assert c.index.name == "term" and c.index.is_unique
    assert (c.dtypes == "int64").all()
    assert c.at["regime", "A"] == 8 and c.at["regime", "B"] == 1  # B's headline counts
    assert c.at["government", "A"] == 0 and c.at["government", "C"] == 8
    assert c.at["regime change", "B"] == 1
    assert "regime" not in term_counts(rows, include_title=False).query("B > 0").index
    by_group = term_counts(ROWS, by={"A": "left", "B": "right", "C": "right"})
    assert list(by_group.columns) == ["left", "right"]
    assert by_group.at["government", "right"] == 16
    assert term_counts([]).empty
    trimmed = term_counts(ROWS, min_total=3)
    assert (trimmed.sum(axis=1) >= 3).all() and "regime" in trimmed.index


# --- log-odds with an informative Dirichlet prior ------------------------------------------------


def test_regime_is_outlet_as_top_term() -> None:
    result = distinctive_terms(term_counts(ROWS))
    assert tuple(result.columns) == DISTINCTIVE_COLUMNS
    a = result[result["group"] == "A"].reset_index(drop=True)
    assert a.at[0, "term"] == "regime"
    assert a.at[0, "z"] > Z_95
    assert a.at[0, "count"] == 8 and a.at[0, "other_count"] == 0
    gov = a.set_index("term").loc["government"]
    assert gov["z"] < 0 and gov["log_odds"] < 0
    # sorted by z, descending, within each group
    for _, part in result.groupby("group"):
        assert part["z"].is_monotonic_decreasing
    # shared wording is not distinctive
    assert abs(a.set_index("term").at["farmers", "z"]) < 1e-9


def test_two_groups_are_mirror_images() -> None:
    result = distinctive_terms(term_counts(ROWS[:2]))
    a = result[result["group"] == "A"].set_index("term")
    b = result[result["group"] == "B"].set_index("term").reindex(a.index)
    assert np.allclose(a["z"], -b["z"]) and np.allclose(a["log_odds"], -b["log_odds"])
    assert a.at["regime", "z"] > Z_95 and b.at["government", "z"] == pytest.approx(a.at["regime", "z"])


def test_matches_monroe_eq_22_for_one_term() -> None:
    counts = pd.DataFrame({"x": [10, 5, 1], "y": [2, 5, 9]}, index=pd.Index(["w1", "w2", "w3"], name="term"))
    alpha0 = 6.0
    delta, z = log_odds_table(counts, alpha0=alpha0)
    a_w = alpha0 * 12 / 32  # prior share of w1 in the table, scaled to alpha0
    y_i, n_i, y_j, n_j = 10, 16, 2, 16
    d = math.log((y_i + a_w) / (n_i + alpha0 - y_i - a_w)) - math.log(
        (y_j + a_w) / (n_j + alpha0 - y_j - a_w)
    )
    var = 1 / (y_i + a_w) + 1 / (y_j + a_w)
    assert delta.at["w1", "x"] == pytest.approx(d)
    assert z.at["w1", "x"] == pytest.approx(d / math.sqrt(var))
    assert z.at["w2", "x"] == pytest.approx(0.0, abs=1e-12)


def test_prior_strength_and_background_prior() -> None:
    counts = term_counts(ROWS)
    assert default_alpha0(counts) == pytest.approx(0.1 * counts.to_numpy().sum())
    weak = distinctive_terms(counts, alpha0=10).set_index(["group", "term"])
    strong = distinctive_terms(counts, alpha0=10_000).set_index(["group", "term"])
    # a stronger prior shrinks the log-odds towards zero
    assert abs(strong.at[("A", "regime"), "log_odds"]) < abs(weak.at[("A", "regime"), "log_odds"])
    # a background prior from another corpus, missing some of the terms, still gives finite scores
    background = background_prior(term_counts([{"outlet": "X", "text": story("cabinet") * 3}]))
    assert "regime" not in background.index
    with_bg = distinctive_terms(counts, prior=background)
    assert np.isfinite(with_bg["z"]).all()
    assert with_bg[with_bg["group"] == "A"].iloc[0]["term"] == "regime"
    with pytest.raises(ValueError):
        log_odds_table(counts, alpha0=0)


def test_min_count_top_and_degenerate_tables() -> None:
    counts = term_counts(ROWS)
    every = distinctive_terms(counts, min_count=1)
    assert (every["count"] + every["other_count"]).min() == 1
    default = distinctive_terms(counts)
    assert (default["count"] + default["other_count"]).min() >= 2
    top = distinctive_terms(counts, top=3)
    assert top.groupby("group").size().tolist() == [6, 6, 6]
    a = top[top["group"] == "A"]
    assert a.iloc[0]["term"] == "regime" and a.iloc[-1]["term"] == "government"
    one = distinctive_terms(term_counts(ROWS[:1]))
    assert one.empty and tuple(one.columns) == DISTINCTIVE_COLUMNS
    assert distinctive_terms(term_counts([])).empty


def test_event_word_choice_on_rows() -> None:
    res = event_word_choice(ROWS, top=2)
    assert set(res["group"]) == {"A", "B", "C"}
    assert res[res["group"] == "A"].iloc[0]["term"] == "regime"
    per = res[(res["group"] == "A") & (res["term"] == "regime")].iloc[0]
    assert per["per_1000"] == pytest.approx(8 * 1000 / term_counts(ROWS)["A"].sum())
