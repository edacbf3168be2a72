"""Actors (analysis.compare.actors): names, aliases, titles, kinds, quotation speakers, per-event table."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.compare.actor_lexicon import KINDS, load_aliases
from analysis.compare.actors import ACTOR_COLUMNS, actor_table
from analysis.compare.mentions import find_mentions, link_names
from analysis.compare.speakers import quote_speakers


def actors(text: str) -> list[str]:
    return [m.actor for m in find_mentions(text)]


def by_text(text: str) -> dict[str, object]:
    return {m.text: m for m in find_mentions(text)}


# --- names -----------------------------------------------------------------------------------


def test_surname_links_to_the_full_name_mentioned_earlier():
    text = "President Anton Sadovar arrived on Monday. Later Sadovar said the talks had gone well."
    mentions = find_mentions(text)
    assert [(m.text, m.actor) for m in mentions] == [
        ("Anton Sadovar", "Anton Sadovar"),
        ("Sadovar", "Anton Sadovar"),
    ]
    assert mentions[0].role == "President"
    assert all(m.kind == "person" for m in mentions)


def test_an_ambiguous_surname_stays_unlinked():
    text = "Mary Smith met John Smith in Leeds. Smith said nothing."
    assert actors(text)[-1] == "Smith"


def test_honorifics_and_titles_are_stripped_and_kept_as_role():
    text = (
        "Dr. Jane Roe met Mr. Smith. Secretary of State Mike Pompeo spoke to Prime Minister Boris "
        "Johnson and Bank of England Governor Andrew Bailey."
    )
    found = {m.actor: m for m in find_mentions(text)}
    assert found["Jane Roe"].role == "Dr"
    assert found["Smith"].role == "Mr"
    assert found["Mike Pompeo"].role == "Secretary of State"
    assert found["Boris Johnson"].role == "Prime Minister"
    assert found["Andrew Bailey"].role == "Governor"
    assert found["Bank of England"].kind == "organisation"


def test_a_bare_title_is_not_an_actor():
    assert actors("The President said the Prime Minister would resign.") == []


def test_sentence_starters_are_not_actors():
    text = "The plan failed. However, nobody cared. Critics say it works. Meanwhile it rained. In fact, no."
    assert actors(text) == []


def test_sentence_initial_adjective_is_dropped_from_a_name():
    text = "Furious Brennick commuters protested. The fares in Brennick rose by a fifth."
    assert actors(text) == ["Brennick", "Brennick"]


def test_days_and_months_are_not_part_of_names():
    assert actors("On Sunday Reyland said the plan failed in March.") == ["Reyland"]
    assert actors("Theresa May said in May 2019 that she would resign.") == ["Theresa May"]


def test_possessive_is_not_part_of_the_name():
    m = find_mentions("The deal hurt Reyland’s standing in Castelmar.")[0]
    assert (m.text, m.actor) == ("Reyland", "Reyland")


def test_name_particles_and_prefixes():
    found = actors("Officials of the Department of the Treasury met Charles de Gaulle and Bashar al-Assad.")
    assert "Department of the Treasury" in found
    assert "Charles de Gaulle" in found
    assert "Bashar al-Assad" in found


def test_all_caps_emphasis_is_not_an_acronym_but_acronyms_are_organisations():
    text = "He would ONLY talk about trade, the UMEW union said."
    found = {m.actor: m.kind for m in find_mentions(text)}
    assert "ONLY" not in found
    assert found.get("UMEW") == "organisation"


# --- aliases and kinds -------------------------------------------------------------------------


def test_aliases_map_to_one_canonical_name():
    text = "The U.S. and the UK signed it. Britain and America cheered, and the UN and NATO agreed. Tell us."
    assert actors(text) == [
        "United States",
        "United Kingdom",
        "United Kingdom",
        "United States",
        "United Nations",
        "NATO",
    ]


def test_demonyms_count_only_before_an_institution_word():
    assert actors("French officials said the deal was off.") == ["France"]
    assert actors("She likes French wine.") == []
    # A demonym of a place named in the same text: "Ostranan" -> Ostrana.
    text = "Ostrana vetoed the text. The Ostranan government said it was unfair. Ostranan art is old."
    assert actors(text) == ["Ostrana", "Ostrana"]


def test_kinds_from_cues():
    text = (
        "Dunmore Mayor Owen Tate said the Ministry of Finance in Castelmar was wrong. "
        "Tate flew to Castelmar. The University of Castelmar agreed."
    )
    found = {m.actor: m.kind for m in find_mentions(text)}
    assert found["Owen Tate"] == "person"
    assert found["Ministry of Finance"] == "organisation"
    assert found["Castelmar"] == "place"
    assert found["University of Castelmar"] == "organisation"
    assert set(found.values()) <= set(KINDS)


def test_link_names_merges_variants():
    canon = link_names(
        {
            "Donald J. Trump": {"person": 1},
            "Donald Trump": {"person": 3},
            "Trump": {},
            "Hillary": {"person": 1},
            "Hillary Clinton": {"person": 2},
            "Washington": {"place": 2},
        }
    )
    assert canon["Donald J. Trump"] == canon["Trump"] == "Donald Trump"
    assert canon["Hillary"] == "Hillary Clinton"
    assert canon["Washington"] == "Washington"


def test_alias_file_parses_and_rejects_bad_lines(tmp_path):
    table = load_aliases()
    assert table["U.S."] == ("United States", "place")
    assert len(table) >= 100
    bad = tmp_path / "aliases.tsv"
    bad.write_text("# comment\nUS\tUnited States\tcountry\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"aliases\.tsv:2"):
        load_aliases(bad)


# --- quotations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"We will win," said Jane Roe.',
        '"We will win," Jane Roe said.',
        'Jane Roe said: "We will win."',
        'Jane Roe told reporters on Monday that "we will win this fight".',
        'Turnout was high, according to Jane Roe, who called it "a big win".',
        'Jane Roe spoke in Leeds. "We will win," she said.',
    ],
)
def test_quotation_speaker(text):
    assert [q.speaker for q in quote_speakers(text)] == ["Jane Roe"]


def test_pronoun_speaker_prefers_the_person_named_in_the_paragraph():
    text = (
        'Alina Vesk said the remarks were part of "a campaign of pressure" against Ostrana.\n\n'
        'Foreign Minister Ines Calloway spoke to parliament. "We have not cut contact," she said.\n\n'
        '"It was a mistake," she added.'
    )
    assert [q.speaker for q in quote_speakers(text)] == ["Alina Vesk", "Ines Calloway", "Ines Calloway"]


def test_unattributed_quotation_continues_the_previous_speaker():
    text = '"The visit is off," spokesman Yuri Stelmak told reporters. "He remains ready to come."'
    assert [q.speaker for q in quote_speakers(text)] == ["Yuri Stelmak", "Yuri Stelmak"]


def test_quotation_without_a_named_speaker():
    text = 'One senior diplomat told the paper: "This is a total disaster."'
    assert [q.speaker for q in quote_speakers(text)] == [None]
    assert quote_speakers("No quotations here.") == []


# --- the per-event table -----------------------------------------------------------------------

EVENT = [
    {
        "outlet": "Wire",
        "title": "Sadovar cancels visit",
        "text": (
            "President Anton Sadovar cancelled his visit to Castelmar on Tuesday. "
            '"The president has decided to postpone the visit," said Yuri Stelmak, his spokesman. '
            "Sadovar remains ready to come, Stelmak said."
        ),
    },
    {
        "outlet": "Blaze",
        "title": "SNUB! Disgraced Sadovar storms off",
        "text": (
            "The disgraced and corrupt Sadovar stormed off in a furious row. "
            '"It is a humiliating shambles," Gerard Hollin said of Sadovar.'
        ),
    },
]


def test_actor_table_counts_and_merges_across_outlets():
    df = actor_table(EVENT)
    assert list(df.columns) == list(ACTOR_COLUMNS)
    rows = {(r.outlet, r.actor): r for r in df.itertuples()}
    wire = rows[("Wire", "Anton Sadovar")]
    blaze = rows[("Blaze", "Anton Sadovar")]  # "Sadovar" alone in the Blaze: merged with the Wire's name
    assert ("Blaze", "Sadovar") not in rows
    assert wire.mentions == 3 and wire.title_mentions == 1 and wire.articles == 1
    assert wire.roles == "President"
    assert blaze.mentions == 3 and blaze.title_mentions == 1
    assert blaze.negative >= 2 and blaze.sentiment < 0
    assert blaze.positive + blaze.neutral + blaze.negative == blaze.mentions
    assert blaze.sentiment == pytest.approx((blaze.positive - blaze.negative) / blaze.mentions)
    assert rows[("Wire", "Yuri Stelmak")].quoted == 1
    assert rows[("Blaze", "Gerard Hollin")].quoted == 1
    assert wire.kind == blaze.kind == "person"
    assert rows[("Wire", "Castelmar")].kind == "place"
    # sorted by outlet, then most mentioned
    assert list(df["outlet"]) == sorted(df["outlet"])


def test_actor_table_headlines_count_only_known_actors():
    df = actor_table(EVENT)
    assert not (df["actor"].str.contains("SNUB|Disgraced")).any()


def test_actor_table_empty():
    df = actor_table([])
    assert df.empty and list(df.columns) == list(ACTOR_COLUMNS)
    df = actor_table([{"outlet": "X", "text": "", "title": ""}, {"outlet": "Y"}])
    assert df.empty


# --- robustness --------------------------------------------------------------------------------

PIECES = [
    *"AaBbXy \"“”‘’'-,;:.!?\n",
    "Mr. ",
    "Dr ",
    "UN ",
    "U.S. ",
    " of ",
    " de ",
    "al-Xy ",
    "Sadovar ",
    "President ",
    "Prime Minister ",
    " said ",
    " she ",
    "according to ",
    "The ",
    "However ",
]
NAMEY = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=150), NAMEY))
def test_never_raises_and_offsets_are_valid(text):
    mentions = find_mentions(text)
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        assert m.kind in KINDS
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    for q in quote_speakers(text, mentions):
        assert 0 <= q.start < q.end <= len(text)
    find_mentions(text, known=[m.actor for m in mentions])
    df = actor_table([{"outlet": "o", "text": text, "title": text[:40]}])
    assert list(df.columns) == list(ACTOR_COLUMNS)
