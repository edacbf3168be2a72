"""Method & limits: what each score means, how it is computed, how good it is (the benchmark's own
figures, read from data/quality.json), where it fails and what to do then."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.compare import summary as compare
from analysis.present.provenance import TOOL_NAME, number_settings
from analysis.present.quality_file import QUALITY_FILE, read_quality, rows_for
from analysis.scoring.scorer import SCORER_VERSION

# (anchor, heading, task prefix of its rows in data/quality.json, what it means, how it fails)
SECTIONS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "sentiment",
        "Sentiment",
        "sentiment",
        "The tone of the wording, from −1 (negative) to +1 (positive). Each sentence is scored with "
        "VADER (a word list with rules for negation, intensifiers and punctuation), adapted to news: "
        "capitalised names are left out and news verbs VADER lacks (slammed, lauded …) are added. An "
        "article's score is the mean of its sentences weighted by their length; the headline is scored "
        "apart. The tone toward a person (the Actors tab) reads the words around each mention.",
        "- **Bad news reads negative.** A neutral report of a disaster scores negative: compare outlets "
        "on the *same* event, never an outlet's score alone.\n"
        "- **Mixed sentences average out.** A sentence praising one side and attacking another is "
        "near 0.\n"
        "- **Sarcasm and irony** are read literally.\n"
        "- **English only:** other languages are flagged `not-english` and their scores mean nothing.\n"
        "- *What to do:* read the highlighted sentences in the article columns; a score is only as good "
        "as the sentences behind it.",
    ),
    (
        "loaded-language",
        "Loaded language",
        "loaded language",
        f"The weight of words an outlet chooses that carry judgement (emotional, labelling, partisan, "
        f"doubt such as “so-called”, loaded verbs such as “slammed” …), per {compare.PER_WORDS:,.0f} "
        "words, from a list of about 1,700 entries with a weight each. Only the outlet's own words "
        "count: words inside direct quotations are the speaker's and are counted apart (shown dashed). "
        "Negation (“not a disaster”), neutral senses (“claim a refund”) and compounds are handled. "
        "Words that name the event's own subject (“strike” in a strike story: used by most of its "
        "outlets, or in most headlines) are shown but not counted for anyone.",
        "- **Missed words:** many words experts mark as biased depend on the topic; a fixed list "
        "misses them (low recall below).\n"
        "- **Wrong sense:** a listed word used neutrally is still flagged now and then.\n"
        "- **Paraphrased speech** without quotation marks counts as the outlet's own words.\n"
        "- **Topic words:** a loaded word every outlet uses is taken for the subject and not counted; "
        "slant that all outlets share is missed that way (the Compare page lists these words).\n"
        "- *What to do:* every flagged word is highlighted in the article; check the ones behind a "
        "finding before quoting it. Word lists are data files in `analysis/scoring/lexicons/`; after "
        "editing them run `python -m analysis rescore`.",
    ),
    (
        "thin-evidence",
        "Intervals and thin evidence",
        "intervals",
        f"Each estimate has a {compare.LEVEL:.0%} interval from a bootstrap: the outlet's sentences are "
        f"resampled {compare.N_RESAMPLES:,} times (fixed seed, so the same data give the same interval). "
        "When two outlets' intervals overlap, the page says the difference is *within the uncertainty*. "
        "Across events (Outlets page) the outlet's articles are resampled instead.",
        f"- **One article is thin evidence.** With fewer than {compare.THIN_ARTICLES} articles from an "
        "outlet, the interval only shows how much the result depends on that article's sentences, not "
        "how the outlet usually writes; across events an outlet with one article has no interval at all.\n"
        "- **Few sentences:** under 5 sentences the page warns; treat those numbers with care.\n"
        "- **Intervals do not cover** extraction errors, a wrong event grouping or scorer errors.\n"
        "- *What to do:* add more articles per outlet before drawing a conclusion about an outlet.",
    ),
    (
        "extraction",
        "Article extraction",
        "extraction",
        "Pages are read with two extractors (newspaper3k and trafilatura) and the better article body "
        "is kept; every article has a health value (`ok`, `short`, `no-date`, `not-english` …).",
        "- **Paywalls and front pages** give short or wrong text (health `short`).\n"
        "- **Comments, captions or related links** sometimes get into the body.\n"
        "- *What to do:* paste the article's text on the Add articles page, or save the page and use "
        "`python -m analysis import-html`.",
    ),
    (
        "event-grouping",
        "Event grouping",
        "event grouping",
        "Articles are grouped into events by shared words and names (TF-IDF), within a few days of "
        "each other.",
        "- **Two stories of one day** with shared names can be merged; a long-running story can be "
        "split.\n"
        "- *What to do:* rename, merge, split or move articles on the Events page; your edits survive "
        "re-grouping.",
    ),
)


def _rows_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["task", "data", "metric", "value", "baseline", "note"])


def _show_rows(rows: list[dict], key: str) -> None:
    if not rows:
        st.caption("Not measured in the results file.")
        return
    st.dataframe(
        _rows_frame(rows),
        hide_index=True,
        column_config={
            "task": st.column_config.TextColumn("Task", width="medium"),
            "data": st.column_config.TextColumn("Labelled data", width="medium"),
            "metric": st.column_config.TextColumn("Measure", width="small"),
            "value": st.column_config.NumberColumn("Ours", format="%.3f", width="small"),
            "baseline": st.column_config.TextColumn("Against", width="medium"),
            "note": st.column_config.TextColumn("Note", width="large"),
        },
        key=key,
    )


st.html('<div style="font-size: 1.5rem; font-weight: 700;">Method &amp; limits</div>')
st.markdown(
    "What each score means, how it is computed, **how good it is** on labelled data made by others, "
    "where it goes wrong and what to do then. Scores describe *wording*, not truth or intent."
)

quality = read_quality(QUALITY_FILE)
if quality.get("error"):
    st.warning(f"Measured quality is not available: {quality['error']}.")
else:
    st.caption(
        f"Measured by `python -m analysis bench quality` on {quality['generated'][:10] or 'an unknown date'}"
        f" with scorer {quality['scorer_version'] or 'unknown'} (labelled data in "
        f"{quality['eval_data'] or 'the evaluation folder'}, never copied into the project). "
        f"The articles you see are scored by {SCORER_VERSION}."
    )

shown: set[int] = set()
for anchor, heading, prefix, meaning, failures in SECTIONS:
    st.header(heading, anchor=anchor, divider="gray")
    st.markdown(meaning)
    rows = rows_for(quality, prefix)
    shown.update(id(r) for r in rows)
    if prefix != "intervals":
        st.markdown("**How good is it?**")
        _show_rows(rows, key=f"quality-{anchor}")
    st.markdown("**Known failures and what to do**")
    st.markdown(failures)

others = [r for r in quality.get("rows", []) if id(r) not in shown]
if others:
    st.header("Other measures", anchor="other-measures", divider="gray")
    _show_rows(others, key="quality-other")

st.header("What changes the numbers", anchor="settings", divider="gray")
st.dataframe(
    pd.DataFrame(number_settings(), columns=["setting", "value"]),
    hide_index=True,
    key="number-settings",
)
st.caption(
    f"Every exported chart and summary names the scorer version and {TOOL_NAME}, so a saved file "
    "says which method made it."
)
