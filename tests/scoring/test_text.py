"""Sentence splitter, paragraphs and quotation detection (analysis/scoring/text.py)."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from analysis.scoring.text import (
    classify_quotes,
    count_words,
    paragraph_spans,
    quote_regions,
    scare_quotes,
    sentences,
    split_sentences,
    word_spans,
)


def test_count_words_and_word_spans_unchanged() -> None:
    text = "Don't panic: the well-known 2016 plan."
    assert count_words(text) == 6
    assert [text[s:e] for s, e in word_spans(text)] == ["Don't", "panic", "the", "well-known", "2016", "plan"]


def test_titles_acronyms_and_decimals_do_not_split() -> None:
    text = "Mr. Smith met U.S. officials on Oct. 5 in Washington. The rate rose 3.5 percent."
    assert sentences(text) == [
        "Mr. Smith met U.S. officials on Oct. 5 in Washington.",
        "The rate rose 3.5 percent.",
    ]


def test_quote_closing_after_period_splits_before_next_sentence() -> None:
    text = '"We are done." He said it twice. "Really?" she asked.'
    assert sentences(text) == ['"We are done."', "He said it twice.", '"Really?" she asked.']


def test_initials_and_dotted_acronym_before_name() -> None:
    text = "J. K. Rowling spoke to Dr. Jones. The U.S. Senate voted at 5 p.m. on Friday."
    assert sentences(text) == [
        "J. K. Rowling spoke to Dr. Jones.",
        "The U.S. Senate voted at 5 p.m. on Friday.",
    ]


def test_acronym_at_sentence_end_splits_before_an_opener() -> None:
    text = "Troops returned to the U.S. The president welcomed them."
    assert sentences(text) == ["Troops returned to the U.S.", "The president welcomed them."]


def test_ellipsis_and_exclamation() -> None:
    text = "He paused... then went on. Wait... The end! Yes."
    assert sentences(text) == ["He paused... then went on.", "Wait...", "The end!", "Yes."]


def test_headline_without_punctuation_and_paragraph_breaks() -> None:
    text = "Storm hits coast\nThe storm was strong.\n\nIt left.\nsoft-wrapped line continues here."
    assert sentences(text) == [
        "Storm hits coast",
        "The storm was strong.",
        "It left.\nsoft-wrapped line continues here.",
    ]


def test_offsets_are_trimmed_and_in_order() -> None:
    text = "  One.   Two!  \n\n Three?  "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["One.", "Two!", "Three?"]
    assert all(a[1] <= b[0] for a, b in pairwise(spans))


def test_empty_and_blank_text() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\n ") == []
    assert paragraph_spans("") == []


def test_quote_regions_straight_and_curly_and_guillemets() -> None:
    text = 'He said "yes, we will" and she said “no, we won’t” and «jamais de la vie».'
    found = [text[s:e] for s, e in quote_regions(text)]
    assert found == ['"yes, we will"', "“no, we won’t”", "«jamais de la vie»"]


def test_multi_paragraph_quote_continues_the_newspaper_way() -> None:
    text = '"We will fight on the beaches.\n\n"We will never surrender," he said. Then he left.'
    regions = quote_regions(text)
    assert len(regions) == 1
    start, end = regions[0]
    assert start == 0 and text[:end].endswith('surrender,"')


def test_unbalanced_quote_is_capped_at_its_paragraph() -> None:
    text = 'He said "this never closes. More text here.\nNext paragraph is not quoted.'
    regions = quote_regions(text)
    assert len(regions) == 1
    assert "Next paragraph" not in text[regions[0][0] : regions[0][1]]


def test_inch_mark_and_apostrophes_are_not_quotes() -> None:
    assert quote_regions("A 12\" screen and the players' union and Trump’s plan.") == []


def test_single_quoted_headline() -> None:
    text = "‘A new low’: critic attacks the plan"
    assert [text[s:e] for s, e in quote_regions(text)] == ["‘A new low’"]


def test_scare_quotes_versus_speech_and_titles() -> None:
    text = (
        'The so-called "experts" met. The "reform" passed. He called them "thugs," she said. '
        'The "Harry Potter" author. "No," he said.'
    )
    kinds = {text[s:e]: kind for s, e, kind in classify_quotes(text)}
    assert kinds['"experts"'] == "scare"
    assert kinds['"reform"'] == "scare"
    assert kinds['"thugs,"'] == "speech"
    assert kinds['"Harry Potter"'] == "title"
    assert kinds['"No,"'] == "speech"
    assert [text[s:e] for s, e in scare_quotes(text)] == ['"experts"', '"reform"']


def test_long_quotation_is_never_a_scare_quote() -> None:
    text = 'Critics warned that the "plan will hurt working families badly" in the end.'
    assert scare_quotes(text) == []
    assert len(quote_regions(text)) == 1


def test_long_article_splits_into_the_right_number_of_sentences() -> None:
    text = " ".join(["Mr. Smith said the U.S. plan costs $3.5 billion, a sum critics call large."] * 350)
    assert len(split_sentences(text)) == 350


@given(st.text(alphabet=st.sampled_from(list("ab .!?\"“”‘’'\n«»…AZ3")), max_size=200))
def test_text_functions_never_raise_and_stay_in_bounds(text: str) -> None:
    for s, e in split_sentences(text):
        assert 0 <= s < e <= len(text)
        assert text[s:e].strip() == text[s:e]
    regions = quote_regions(text)
    for s, e in regions:
        assert 0 <= s < e <= len(text)
    assert regions == sorted(regions)
    assert all(a[1] <= b[0] for a, b in pairwise(regions))
    assert set(scare_quotes(text)) <= set(regions)


def test_attributed_partial_quotes_are_speech() -> None:
    from analysis.scoring.text import classify_quotes

    text = 'Smith said talks must be "firm, frank," otherwise it would be a "charade."'
    assert [k for _s, _e, k in classify_quotes(text)] == ["speech", "speech"]
    text = 'The minister spoke on Monday. She called it a "disgrace" and left.'
    assert [k for _s, _e, k in classify_quotes(text)] == ["speech"]
    text = 'Smith spoke on Monday. Years later, the "experts" were wrong.'
    assert [k for _s, _e, k in classify_quotes(text)] == ["scare"]
    assert [k for _s, _e, k in classify_quotes('He said the so-called "experts" erred.')] == ["scare"]


def test_a_short_quotation_in_the_first_person_is_speech() -> None:
    text = 'At one point he appeared to mouth, "I\'m sorry." Later the "reform" passed.'
    assert [(text[s:e], k) for s, e, k in classify_quotes(text)] == [
        ('"I\'m sorry."', "speech"),
        ('"reform"', "scare"),
    ]
    text = 'The deal was a "win for us" and a "US" victory.'
    assert [k for _s, _e, k in classify_quotes(text)] == ["speech", "title"]  # "US": the country
