"""The public Python API promised in the README is importable from ``analysis``."""

from __future__ import annotations

import dataclasses

import analysis


def test_every_exported_name_resolves() -> None:
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None, name


def test_notebook_round_trip() -> None:
    html = (
        "<html><head><title>Storm hits coast</title></head><body><article><h1>Storm hits coast</h1>"
        + "<p>The storm caused terrible damage and a catastrophic flood in the harbour town.</p>" * 20
        + "</article></body></html>"
    )
    art = analysis.extract_article(html, "https://www.example.com/news/storm")
    assert dataclasses.is_dataclass(art) and art.title == "Storm hits coast"
    for field in ("title", "authors", "published", "text", "outlet", "language", "health"):
        assert hasattr(art, field)
    with __import__("pytest").raises(dataclasses.FrozenInstanceError):
        art.title = "x"  # type: ignore[misc]
    scores = analysis.score_text(art.text, title=art.title)
    assert scores.sentiment.compound < 0
    spans = analysis.loaded_spans(art.text)
    assert spans and all(art.text[s.start : s.end] == s.text for s in spans)
    assert {"start", "end", "text", "category", "weight"} <= {f.name for f in dataclasses.fields(spans[0])}
    assert analysis.sentence_is_loaded("A catastrophic, shameful disaster.") is True
    assert analysis.sentence_is_loaded("The council met on Tuesday.") is False


def test_readme_python_example_runs(capsys) -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    code = re.search(r"```python\n(.*?)```", (root / "README.md").read_text("utf-8"), re.S).group(1)
    import os

    cwd = Path.cwd()
    os.chdir(root)
    try:
        exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert capsys.readouterr().out.strip().endswith("True")
