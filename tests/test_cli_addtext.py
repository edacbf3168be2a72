"""add-text without an event (grouped automatically) and in batches: files, a folder, CSV, JSONL."""

from __future__ import annotations

import csv
import json

import pytest

from analysis.cli.main import main
from analysis.store import Store

BODY = (
    "The river Lannet rose two metres overnight and flooded the lower town, the council said on "
    "Tuesday. Residents of forty streets were moved to the sports hall while pumps ran until dawn. "
    "The mayor called the damage severe and asked the region for emergency funds to repair the "
    "bridge. Engineers will inspect the dam on Wednesday, officials said, and schools stay closed. "
)


def _text(n: int) -> str:
    return f"Story number {n}. " + BODY * 3


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'addtext.db'}"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_without_event_the_article_is_grouped(db, capsys, tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(_text(1), "utf-8")
    code, out, err = run(
        capsys, "add-text", str(path), "--outlet", "Wire", "--title", "Floods", "--db", db, "-q"
    )
    assert code == 0, err
    assert "1 stored" in out and "Grouped 1 articles without a chosen event" in out
    store = Store(db)
    assert store.list_events(), "the article was put in an event by the grouping"


def test_batch_from_a_folder(db, capsys, tmp_path) -> None:
    folder = tmp_path / "texts"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.txt").write_text("Floods in the valley\n\n" + _text(1), "utf-8")
    (folder / "sub" / "two.md").write_text("# Dam inspected\n\n" + _text(2), "utf-8")
    (folder / "empty.txt").write_text("  \n", "utf-8")
    (folder / "notes.csv").write_text("ignored", "utf-8")  # only .txt/.md from a folder
    code, out, err = run(capsys, "add-text", str(folder), "--outlet", "Wire", "--event", "Floods", "--db", db)
    assert code == 3, err  # some failed
    assert "2 stored, 0 duplicate, 1 failed (of 3)" in out
    assert "texts/empty.txt" in out and "contains no text" in out
    store = Store(db)
    titles = {a["title"] for a in store.event_articles(store.find_event("Floods").id, with_text=False)}
    assert titles == {"Floods in the valley", "Dam inspected"}  # a file's first line is its title


def _rows() -> list[dict]:
    return [
        {"title": "Floods hit town", "outlet": "Wire", "date": "2016-03-12", "url": "", "text": _text(1)},
        {
            "title": "Town under water",
            "outlet": "Tabloid",
            "date": "",
            "url": "https://t.example/a",
            "text": _text(2),
        },
        {"title": "Bad date", "outlet": "Daily", "date": "last week", "url": "", "text": _text(3)},
    ]


def test_batch_from_a_csv_with_one_bad_row(db, capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # short names: the notes cut a long path
    path = tmp_path / "articles.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["title", "outlet", "date", "url", "text"])
        writer.writeheader()
        writer.writerows(_rows())
    code, out, err = run(capsys, "add-text", path.name, "--event", "Floods", "--db", db, "-q")
    assert code == 3, err
    assert "2 stored, 0 duplicate, 1 failed (of 3)" in out
    assert "articles.csv row 4" in out and "'last week' is not an ISO date" in out


def test_batch_from_a_jsonl_with_one_bad_row_and_grouping(db, capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "articles.jsonl"
    lines = [json.dumps(r) for r in _rows()[:2]] + ["{not json", ""]
    path.write_text("\n".join(lines), "utf-8")
    code, out, err = run(capsys, "add-text", path.name, "--db", db, "-q")
    assert code == 3, err
    assert "2 stored, 0 duplicate, 1 failed (of 3)" in out
    assert "articles.jsonl line 3" in out and "not valid JSON" in out
    assert "Grouped 2 articles without a chosen event" in out


def test_several_files_and_a_row_without_outlet(db, capsys, tmp_path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.jsonl"
    a.write_text("Headline A\n" + _text(1), "utf-8")
    b.write_text(json.dumps({"title": "No outlet", "text": _text(2)}), "utf-8")
    code, out, err = run(capsys, "add-text", str(a), str(b), "--event", "E", "--db", db, "-q")
    assert code == 3, err
    assert "no outlet" in out  # the text file has no --outlet either
    assert "0 stored, 0 duplicate, 2 failed (of 2)" in out
