"""One step of the hostile-size budget test (tests/test_sizes.py), run in a fresh process.

    python -m tests.size_budget cli ARGS...         # analysis.cli.main(ARGS) in this process
    python -m tests.size_budget page DB_URL EVENT PART   # the Compare page's data, PART of PAGE_PARTS

The last line on stderr is ``PEAK_KB <n> CPU_S <s>``: the peak resident memory (kB) of this process
and every process it started (the local engine's workers: the largest sum seen, sampled every
20 ms, or this process's own peak if larger), and their CPU time (user + system).
"""

from __future__ import annotations

import resource
import sys
import threading
from collections.abc import Sequence

import psutil  # (a dependency of distributed)

HOSTILE_PIECES: tuple[str, ...] = (
    "Word. ",
    "Slammed! ",
    "Chaos. ",
    "Word. ",
    '"Outrageous," Smith said. ',
    "Radical. ",
    'So-called "experts". ',
    "Shocking. ",
    "Word. ",
    "Officials said 17 percent fled. ",
)


def hostile_text(size: int) -> str:
    """About ``size`` characters of one-word sentences, with loaded words, exclamations, speech and
    scare quotes, a name and a figure mixed in, and no line break: one paragraph, the worst case for
    everything that looks back to the start of a paragraph or line."""
    piece = "".join(HOSTILE_PIECES)
    return (piece * (size // len(piece) + 1))[:size].rstrip() + "\n"


PAGE_PARTS = ("first-screen", "tabs")


def compare_page_data(db_url: str, event: str, part: str) -> dict[str, int]:
    """What app_pages/compare.py computes for one event, without Streamlit.

    ``part``: "first-screen" is what opening the page computes (the event's rows, the summary and
    findings, the charts, word choice (the open tab) and the articles highlighted side by side);
    "tabs" the other tabs, each computed when it is opened (who reported what, headline vs body,
    actors).  Returns a few sizes, for the test to check that something was drawn.
    """
    from analysis.compare import summary as compare
    from analysis.compare import wordchoice
    from analysis.present import charts
    from analysis.store.database import Store

    store = Store(db_url)
    rows = store.event_articles(store.find_event(event).id, with_text=True)
    usable = [r for r in rows if compare.usable(r)]
    colors = charts.outlet_colors(store.outlet_names())
    order = sorted({r["outlet"] for r in usable})
    if part == "first-screen":
        from analysis.present.highlight import (
            article_header_html,
            article_html,
            categories_html,
            category_legend_html,
            summary_table_html,
        )

        prior = wordchoice.database_prior(store.text_sample(wordchoice.PRIOR_SAMPLE_ARTICLES))
        sentences = compare.sentence_frame(rows)
        summary = compare.outlet_summary(rows, sentences=sentences)
        found = compare.findings(summary)
        figures = [
            charts.outlet_interval_chart(summary, colors),
            charts.sentence_arc_chart(sentences, colors),
            charts.category_chart(compare.category_frame(rows), list(summary["outlet"])),
            charts.word_choice_chart(wordchoice.event_word_choice(usable, prior=prior), colors),
        ]
        cats = sorted(
            {c for r in rows for c in r["categories"]} | {sp["category"] for r in rows for sp in r["spans"]}
        )
        cat_colors = charts.category_colors(cats)
        page = [summary_table_html(summary, colors), category_legend_html(cat_colors)]
        for r in rows:
            page.append(article_header_html(r, colors))
            page.append(categories_html(r["categories"], r["words"], cat_colors))
            page.append(
                article_html(r["text"], r["spans"], r["sentences"], colors=cat_colors, max_height=640)
            )
        sizes = {"sentences": len(sentences), "findings": sum(map(len, found.values()))}
        sizes["page_html_chars"] = sum(map(len, page))
    elif part == "tabs":
        from analysis.compare import coverage, omissions
        from analysis.compare.actors import actor_table

        alignment = omissions.align_event(usable)
        matrix = omissions.coverage_matrix(alignment, max_facts=25)
        numbers = omissions.numbers_matrix(alignment).head(25)
        omissions.omissions(alignment)
        omissions.omissions_summary(alignment)
        heads = coverage.headline_vs_body(usable)
        actors = actor_table(usable)
        figures = [
            charts.fact_coverage_chart(matrix, colors, order=order),
            charts.key_figures_chart(numbers, colors, order=order),
            charts.headline_body_chart(coverage.headline_body_summary(heads), colors),
            charts.actor_chart(actors, order),
        ]
        sizes = {"statements": len(alignment.sentences), "actors": len(actors)}
    else:
        raise SystemExit(f"unknown part {part!r}: one of {', '.join(PAGE_PARTS)}")
    sizes["chart_json_chars"] = sum(len(fig.to_json()) for fig in figures)  # what the browser receives
    return sizes


class ProcessTreeSampler(threading.Thread):
    """Samples the memory and CPU time of every process this one started, however: the local
    engine's workers are started by a forkserver, so they are not children this process waits for
    and ``RUSAGE_CHILDREN`` never sees them."""

    INTERVAL = 0.02  # seconds between samples

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.me = psutil.Process()
        self.peak_rss = 0  # bytes: the largest sum over the whole tree seen in one sample
        self.cpu: dict[int, float] = {}  # descendant pid -> its last seen CPU seconds
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(self.INTERVAL)

    def sample(self) -> None:
        total = 0
        for proc in [self.me, *self.me.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
                if proc.pid != self.me.pid:
                    times = proc.cpu_times()
                    self.cpu[proc.pid] = times.user + times.system
            except psutil.Error:
                continue  # it ended in between
        self.peak_rss = max(self.peak_rss, total)

    def stop(self) -> tuple[int, float]:
        """(peak RSS in bytes, CPU seconds) of this process and every process it started."""
        self.sample()
        self.done.set()
        self.join()
        own = resource.getrusage(resource.RUSAGE_SELF)
        waited = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak = max(self.peak_rss, own.ru_maxrss * 1024, waited.ru_maxrss * 1024)
        return peak, own.ru_utime + own.ru_stime + sum(self.cpu.values())


def main(argv: Sequence[str]) -> int:
    kind, *args = argv
    sampler = ProcessTreeSampler()
    sampler.start()
    if kind == "cli":
        from analysis.cli.main import main as cli_main

        code = cli_main(args)
    elif kind == "page":
        sizes = compare_page_data(*args)
        print(" ".join(f"{k}={v}" for k, v in sizes.items()))
        code = 0
    else:
        raise SystemExit(f"unknown step kind {kind!r}")
    sys.stdout.flush()
    peak, cpu = sampler.stop()
    print(f"PEAK_KB {peak // 1024} CPU_S {cpu:.2f}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
