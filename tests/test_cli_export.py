"""``python -m analysis export`` in process: articles and the per-event summary, with hostile names;
``bench quality`` writes the results file the Method & limits page reads."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis.cli.main import main
from analysis.present.export import FORMULA_STARTS

EVENT = '=HYPERLINK("http://x","y")'
TITLE = "=cmd|' /C calc'!A0"
OUTLET = "@SUM(1+1)"
AUTHOR = "=Jane Doe"
TEXT = (
    "The council slammed the so-called plan on Monday. Critics said it was a disaster for the harbour. "
    "Officials declined to comment on the figures. "
) * 12


def is_formula(value: object) -> bool:
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return False
    try:
        float(value)
    except ValueError:
        return True
    return False


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def db(tmp_path: Path, capsys) -> str:
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    text = tmp_path / "a.txt"
    text.write_text(TEXT, "utf-8")
    for outlet, title, extra in (
        (OUTLET, TITLE, [f"--author={AUTHOR}", "--url", "http://x.example/=a"]),
        ("+Plus Post", "-minus headline", ["--url", "http://y.example/b", "--date", "2026-03-02"]),
    ):
        argv = ["add-text", "--event", EVENT, "--outlet", outlet, f"--title={title}", *extra, str(text)]
        code, _, err = run(capsys, *argv, "--db", url, "-q")
        assert code == 0, err
    return url


def test_article_export_csv_has_no_formula_cells(db: str, capsys) -> None:
    code, out, _ = run(capsys, "export", "--format", "csv", "--db", db)
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert len(table) == 2
    assert not [v for row in table for v in row.values() if is_formula(v)]
    by_outlet = {r["outlet"]: r for r in table}
    assert by_outlet["'" + OUTLET]["title"] == "'" + TITLE
    assert by_outlet["'" + OUTLET]["event"] == "'" + EVENT
    assert json.loads(by_outlet["'" + OUTLET]["authors"]) == [AUTHOR]
    assert by_outlet["'+Plus Post"]["title"] == "'-minus headline"
    assert float(by_outlet["'" + OUTLET]["sentiment"]) < 0  # still a number


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_summary_export_every_format(db: str, capsys, tmp_path: Path, fmt: str) -> None:
    out_file = tmp_path / f"summary.{fmt}"
    code, _, err = run(
        capsys, "export", "--event", EVENT, "--summary", "--format", fmt, "--out", str(out_file), "--db", db
    )
    assert code == 0, err
    if fmt == "json":
        data = json.loads(out_file.read_text("utf-8"))
        assert data["about"]["event"] == EVENT  # JSON keeps text as it is
        assert {o["outlet"] for o in data["outlets"]} == {OUTLET, "+Plus Post"}
        assert all(o["sentiment_lo"] <= o["sentiment"] <= o["sentiment_hi"] for o in data["outlets"])
        assert data["findings"] and "scorer version" in data["about"]
        return
    if fmt == "csv":
        cells = [c for row in csv.reader(io.StringIO(out_file.read_text("utf-8"))) for c in row]
    else:
        wb = load_workbook(out_file)
        assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)
        cells = [c.value for ws in wb for row in ws.iter_rows() for c in row]
    assert not [c for c in cells if is_formula(c)]
    assert "'" + OUTLET in cells and "'" + EVENT in cells and "'+Plus Post" in cells
    assert "corrections applied" in cells


def test_summary_to_stdout_and_bad_combinations(db: str, capsys) -> None:
    code, out, _ = run(capsys, "export", "--event", EVENT, "--summary", "--db", db)
    assert code == 0 and out.startswith("outlet,articles,")
    code, _, err = run(capsys, "export", "--summary", "--db", db)
    assert code != 0 and err.startswith("error:") and "--event" in err
    code, _, err = run(capsys, "export", "--format", "xlsx", "--db", db)
    assert code != 0 and err.startswith("error:") and "--summary" in err


def test_bench_quality_writes_the_results_file(tmp_path: Path, capsys, monkeypatch) -> None:
    from analysis.bench import quality

    fake = {
        "extraction": {"pages": 3, "extract_article": {"f1": 0.9}, "trafilatura": {"f1": 0.8}},
        "event_level": {"rows": [{"task": "event bias", "data": "BASIL", "metric": "r", "value": 0.3}]},
    }
    monkeypatch.setattr(quality, "run", lambda _eval_dir: fake)
    eval_dir = tmp_path / "eval"
    eval_dir.mkdir()
    out = tmp_path / "quality.json"
    code, stdout, _ = run(capsys, "bench", "quality", "--eval-dir", str(eval_dir), "--results", str(out))
    assert code == 0 and "wrote" in stdout
    doc = json.loads(out.read_text("utf-8"))
    rows = {r["task"]: r for r in doc["rows"]}
    assert rows["extraction: article body"]["value"] == 0.9
    assert rows["extraction: article body"]["baseline"] == "trafilatura alone 0.800"
    assert rows["extraction: article body"]["data"].endswith("3 pages")
    assert rows["event bias"] == {
        "task": "event bias",
        "data": "BASIL",
        "metric": "r",
        "value": 0.3,
        "baseline": "",
        "note": "",
    }
    assert doc["eval_data"] == f"{tmp_path.name}/eval" and doc["scorer_version"]
