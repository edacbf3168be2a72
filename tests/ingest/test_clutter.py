"""Page clutter in article text: removed when it is interface text, kept when it is a sentence.

All lines are synthetic (invented outlets, names and headlines)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analysis.ingest.clutter import classify, remove_clutter, remove_clutter_lines
from analysis.ingest.extract import article_from_text, extract_article

PROSE = [
    f"Paragraph {i} of the report says the harbour board met on Tuesday and agreed to repair the "
    f"eastern breakwater before winter storms, at a cost put at {i + 2} million pounds."
    for i in range(8)
]

CLUTTER = [
    "date 2019-03-04 57 SHARES Share Tweet Google+ Mail Reddit Pocket Print",
    "1.2K shares",
    "Share",
    "Share this article",
    "Facebook Twitter WhatsApp Email",
    "Read more: Harbour board delays vote on breakwater",
    "READ MORE: Ferry timetable cut for the winter",
    "Related: Storm damage bill passes five million",
    "Sign up for our daily newsletter",
    "Get the best stories straight to your inbox every morning",
    "Photo: Tom Hale / Getty Images",
    "(AP Photo/Rina Osei)",
    "Image copyright Reuters",
    "By Mara Quill",
    "By Mara Quill and Ivo Brandt, Staff Writers | Updated March 4, 2019 3:45 pm",
    "Follow us on Twitter",
    "Follow us on X",
    "Follow Mara Quill on Instagram @maraquill",
    "Published: 4 March 2019 14:05",
]

KEPT = [
    "The clip was shared thousands of times on Facebook and Twitter within an hour.",
    "More than 5,000 readers signed up for the harbour newsletter last year.",
    "Subscribers to the newsletter complained about the delay.",
    "A photo of the damaged wall, taken by a fisherman, showed the gap clearly.",
    "Photos by residents showed water reaching the first floor.",
    "Shares in the port operator fell 3% on Tuesday, Reuters reported.",
    "Read more about the plan on the council website before the vote.",
    "By Monday, the water had risen another metre.",
    "By 2030 the breakwater will need replacing again.",
    "Related-party loans rose sharply",
    "Share prices steadied after the announcement.",
    "Follow-up inspections are planned for the spring.",
    "Email records show the board knew of the crack in 2017.",
    "Get ready for a briefing from the minister on Tuesday.",
    "Follow the signs on X Street to the shelter.",
]


@pytest.mark.parametrize("line", CLUTTER)
def test_interface_lines_are_clutter(line: str) -> None:
    assert classify(line)[0], line


@pytest.mark.parametrize("line", KEPT)
def test_sentences_about_sharing_newsletters_and_photos_are_kept(line: str) -> None:
    assert classify(line)[0] == "", line


def test_long_lines_are_never_label_clutter() -> None:
    long = "Read more: " + " ".join(["the board said"] * 10)
    assert classify(long)[0] == ""
    assert classify("Sign up for our newsletter " + "and much more besides " * 6)[0] == ""


def test_a_related_box_heading_takes_its_headline_links_along() -> None:
    text = "\n\n".join(
        [
            PROSE[0],
            "DON'T MISS",
            "Ferry timetable cut for the winter [INSIGHT]",
            "Lighthouse keeper retires after forty years [PICTURES]",
            PROSE[1],
            "Related stories",
            "Harbour fees to rise",
        ]
    )
    out = remove_clutter(text)
    assert out.text == f"{PROSE[0]}\n\n{PROSE[1]}"
    assert len(out.removed) == 5


def test_the_box_ends_at_the_first_sentence() -> None:
    text = "\n\n".join(["You may also like:", PROSE[0], "Short subheading here"])
    assert remove_clutter(text).text == f"{PROSE[0]}\n\nShort subheading here"


def test_dates_and_bylines_of_removed_lines_are_reported() -> None:
    lines, info = remove_clutter_lines(
        ["date 2019-03-04 57 SHARES Share Tweet Mail", "", "By Mara Quill", "", *PROSE]
    )
    assert lines[:3] == ["", "", ""] and lines[4:] == PROSE
    assert info.published == datetime(2019, 3, 4, tzinfo=UTC)
    assert info.authors == ("Mara Quill",)


def test_pasted_text_loses_its_share_bar_and_gains_date_and_author() -> None:
    pasted = (
        " date 2019-03-04 57 SHARES Share Tweet Google+ Mail Reddit Pocket Print\n\n\n\nBy Mara Quill\n\n"
        + "\n\n".join(PROSE)
        + "\n\nSign up for our daily newsletter\n"
    )
    art = article_from_text(pasted, "Breakwater repair agreed", "Harbour Times")
    assert art.text == "\n\n".join(PROSE)
    assert "SHARES" not in art.text and "newsletter" not in art.text
    assert art.published == datetime(2019, 3, 4, tzinfo=UTC)
    assert art.authors == ("Mara Quill",)
    assert "no-date" not in art.problems


def test_pasted_text_keeps_given_metadata_and_one_line_paragraphs() -> None:
    pasted = "By Mara Quill\nShare\n" + "\n".join(PROSE)
    given = datetime(2020, 1, 2, tzinfo=UTC)
    art = article_from_text(pasted, "T", "Harbour Times", published=given, authors=("Ivo Brandt",))
    assert art.text == "\n\n".join(PROSE)  # still one paragraph a line
    assert art.published == given and art.authors == ("Ivo Brandt",)


def test_pasted_sentences_mentioning_sharing_stay() -> None:
    body = "\n\n".join([*PROSE[:4], *KEPT])
    assert article_from_text(body, "T", "Harbour Times").text == body


def test_html_body_loses_clutter_and_uses_its_byline_when_the_page_has_no_author() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in PROSE)
    page = (
        "<html><head><title>Breakwater repair agreed</title></head><body><article>"
        "<h1>Breakwater repair agreed</h1><p>By Mara Quill</p>"
        f"{paragraphs}<p>Read more: Ferry timetable cut for the winter</p>"
        "<p>Photo: Tom Hale / Getty Images</p></article></body></html>"
    )
    art = extract_article(page, "https://harbour-times.example/news/breakwater")
    assert "Read more" not in art.text and "Getty" not in art.text and "By Mara" not in art.text
    assert PROSE[0] in art.text and PROSE[-1] in art.text
    assert art.authors == ("Mara Quill",)
