"""Loaded-language detection (analysis/scoring/loaded.py): lexicon, phrases, negation, quotes, rates."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.scoring.loaded import (
    SCARE_QUOTE_WEIGHT,
    SENTENCE_THRESHOLD,
    analyze_loaded,
    has_stance_cue,
    inflections,
    load_lexicon,
    loaded_spans,
    parse_lexicon_line,
    sentence_is_loaded,
)
from analysis.scoring.text import LEXICON_DIR


def _hits(text: str) -> dict[str, object]:
    return {sp.text.lower(): sp for sp in loaded_spans(text)}


def test_lexicon_loads_with_categories_and_weights() -> None:
    lexicon = load_lexicon()
    assert 1000 <= lexicon.size <= 2500
    categories = {e.category for e in lexicon.words.values()}
    required = {"emotional", "intensifier", "labelling", "doubt", "sarcasm", "loaded-verb", "partisan"}
    assert required <= categories
    assert all(0.0 <= e.weight <= 1.0 for e in lexicon.words.values())


def test_offsets_match_text() -> None:
    text = 'The radical left slammed the so-called "experts" in a shocking, outrageous rant!'
    spans = loaded_spans(text)
    assert spans
    for sp in spans:
        assert text[sp.start : sp.end] == sp.text
    assert [sp.start for sp in spans] == sorted(sp.start for sp in spans)
    assert all(a.end <= b.start for a, b in pairwise(spans))


def test_quoted_insult_is_attributed_to_the_speaker() -> None:
    text = 'The senator spoke on Monday. "These people are thugs," she said.'
    hit = _hits(text)["thugs"]
    assert hit.quoted is True and hit.category == "labelling"
    loaded = analyze_loaded(text)
    assert loaded.rate_per_1000 == 0.0
    assert loaded.quoted_rate_per_1000 == pytest.approx(hit.weight * 1000 / loaded.word_count)
    assert loaded.categories == ()
    assert loaded.loaded_sentences == 0


def test_negated_loaded_word_is_not_counted() -> None:
    assert loaded_spans("The plan is not outrageous.") == []
    assert loaded_spans("It was never a shocking result.") == []
    assert "outrageous" in _hits("The plan is outrageous.")
    # A comma ends the negation's scope; "not only" does not negate.
    assert "outrageous" in _hits("Not at all, the plan is outrageous.")
    assert "outrageous" in _hits("The plan is not only outrageous but costly.")


def test_multi_word_phrase_is_one_span() -> None:
    spans = loaded_spans("Critics called it a witch hunt by the radical left.")
    texts = [sp.text for sp in spans]
    assert "witch hunt" in texts and "radical left" in texts
    assert all(sp.rule == "phrase" for sp in spans if sp.text in {"witch hunt", "radical left"})
    assert "far-left" in [sp.text for sp in loaded_spans("A far-left group.")]


def test_hyphenated_entry_does_not_match_spaced_words() -> None:
    assert loaded_spans("He would be fine.") == []
    assert [sp.text for sp in loaded_spans("A would-be reformer.")] == ["would-be"]


def test_inflections_are_matched() -> None:
    assert "witch hunts" in _hits("More witch hunts followed.")
    assert "outraged" in _hits("Residents were outraged.")
    assert "slammed" in _hits("The mayor slammed the plan.")
    assert {"slammed", "slamming", "slams"} <= inflections("slam")
    assert {"parties", "partied"} <= inflections("party")


def test_stop_phrases_are_not_loaded() -> None:
    assert loaded_spans("The car slammed into a wall. She was supposed to go.") == []
    assert loaded_spans("The criminal justice system.") == []
    assert "criminals" in _hits("They are criminals.")


def test_scare_quotes_are_a_doubt_span() -> None:
    text = 'The "experts" disagreed.'
    (span,) = loaded_spans(text)
    assert span.text == '"experts"' and span.category == "doubt" and span.rule == "scare-quote"
    assert span.quoted is False and span.weight == SCARE_QUOTE_WEIGHT


def test_anti_prefix_neutralises() -> None:
    assert loaded_spans("An anti-racist group marched.") == []


def test_rate_computation_on_a_known_text() -> None:
    # 10 words, one unquoted hit ("outrageous", weight from the lexicon).
    text = "The council approved an outrageous plan for the old bridge."
    loaded = analyze_loaded(text)
    assert loaded.word_count == 10
    (span,) = loaded.spans
    assert span.text == "outrageous" and not span.quoted
    assert loaded.rate_per_1000 == pytest.approx(span.weight * 100)
    assert loaded.quoted_rate_per_1000 == 0.0
    assert loaded.categories == (("emotional", span.weight),)
    assert loaded.loaded_sentences == (1 if span.weight >= SENTENCE_THRESHOLD else 0)


def test_categories_sorted_largest_first() -> None:
    text = "A shocking, outrageous, disgusting plan. The mayor slammed it."
    cats = analyze_loaded(text).categories
    assert cats[0][0] == "emotional"
    assert [w for _, w in cats] == sorted((w for _, w in cats), reverse=True)


def test_empty_text() -> None:
    loaded = analyze_loaded("")
    assert loaded.spans == () and loaded.word_count == 0 and loaded.rate_per_1000 == 0.0


def test_sentence_decision() -> None:
    assert sentence_is_loaded("The outrageous plan was a disgrace.")
    assert not sentence_is_loaded("The council approved the budget on Tuesday.")
    assert not sentence_is_loaded('"It is an outrageous disgrace," the mayor said.')  # quoted only


def test_stance_cues() -> None:
    assert has_stance_cue("We should all be worried about this plan.")
    assert has_stance_cue("Is this really the best they can do?")
    assert not has_stance_cue("The U.S. army left after World War I ended.")
    text = '"We will win," he said.'
    assert not has_stance_cue(text, speech=[(0, 14)])


def test_caps_shouting() -> None:
    hits = _hits("This plan is a DISASTER for the town.")
    assert hits["disaster"].rule == "caps"
    assert loaded_spans("NATO AND THE EU MEET") == []  # an all-caps headline is not shouting


def test_malformed_lexicon_line_raises() -> None:
    assert parse_lexicon_line("# comment") is None
    assert parse_lexicon_line("vile\temotional\t1\tnote").weight == 1.0
    with pytest.raises(ValueError):
        parse_lexicon_line("vile\temotional")
    with pytest.raises(ValueError):
        parse_lexicon_line("vile\temotional\t3")


def test_lexicon_files_have_four_columns_and_known_categories() -> None:
    known = {
        "emotional", "intensifier", "labelling", "doubt", "sarcasm", "loaded-verb", "partisan",
        "euphemism", "framing", "ignore",
    }  # fmt: skip
    for path in sorted(Path(LEXICON_DIR).glob("loaded_*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or not line.strip():
                continue
            parts = line.split("\t")
            assert len(parts) == 4, (path.name, line)
            assert parts[1] in known, (path.name, line)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_loaded_spans_never_raise_and_stay_in_bounds(text: str) -> None:
    for sp in loaded_spans(text):
        assert 0 <= sp.start < sp.end <= len(text)
        assert text[sp.start : sp.end] == sp.text
    analyze_loaded(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["not", "outrageous", '"', "so-called", "thugs", "!", ",", "\n", "We", "?"])))
def test_loaded_spans_on_loaded_vocabulary_soup(words: list[str]) -> None:
    text = " ".join(words)
    for sp in loaded_spans(text):
        assert text[sp.start : sp.end] == sp.text


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Residents of low-lying streets were moved.", []),  # "lying" inside a compound
        ("An anti-racist march passed.", []),
        ("An ultra-radical group marched.", ["radical"]),  # intensifying prefix keeps it loaded
        ("Families can claim an emergency payment.", []),  # claim + object: neutral sense
        ("The flood claimed 12 lives.", []),
        ("He claimed the report was wrong.", ["claimed"]),  # claim + clause: doubt
    ],
)
def test_compounds_and_object_senses(sentence: str, expected: list[str]) -> None:
    assert [s.text for s in loaded_spans(sentence)] == expected


# --- sense rules (lexicons/senses.tsv) --------------------------------------------------------


def test_sense_rules_drop_literal_senses() -> None:
    from analysis.scoring.loaded import loaded_spans

    def words(text: str) -> list[str]:
        return [s.text.lower() for s in loaded_spans(text) if s.rule in ("lexicon", "phrase")]

    assert "plague" not in words("Three Cases of Plague Diagnosed in China")
    assert "plagued" in words("The scandal plagued his campaign.")
    assert "wild" not in words("A wild rabbit carried the fleas.")
    assert "wild" in words("He made wild claims.")
    assert "wild" in words("The crowd went wild.")
    assert "offensive" not in words("The army launched an offensive on the city.")
    assert "offensive" in words("His remarks were offensive.")
    assert "inflamed" not in words("Her lymph nodes were inflamed.")
    assert "admitted" not in words("He was admitted to Peking Union Medical College Hospital.")
    assert "admitted" in words("He admitted he lied.")


def test_sense_file_is_validated(tmp_path) -> None:
    import pytest

    from analysis.scoring.loaded import load_senses

    path = tmp_path / "senses.tsv"
    path.write_text("wild\tloaded-next\trabbit\n# comment\n", encoding="utf-8")
    senses = load_senses(path)
    assert "rabbits" in senses["wild"][0][1]
    path.write_text("wild\tnonsense\trabbit\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_senses(path)
    assert load_senses(tmp_path / "absent.tsv") == {}


def test_a_short_quoted_fragment_counts_in_part_as_the_outlets_wording() -> None:
    from analysis.scoring.fragments import FRAGMENT_QUOTE_SHARE

    lifted = 'The senator called the protesters "thugs" on Monday and left the hall early.'
    speech = 'The senator spoke on Monday. "These people are violent thugs," she said, and left.'
    for text, share in ((lifted, FRAGMENT_QUOTE_SHARE), (speech, 0.0)):
        hit = _hits(text)["thugs"]
        assert hit.quoted is True  # still the speaker's word: highlighted as quoted speech
        loaded = analyze_loaded(text)
        total = hit.weight * 1000 / loaded.word_count
        assert loaded.rate_per_1000 == pytest.approx(share * total)
        assert loaded.rate_per_1000 + loaded.quoted_rate_per_1000 == pytest.approx(total)
        assert loaded.loaded_sentences == 0  # the sentence decision reads unquoted words only
