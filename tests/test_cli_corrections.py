"""``flag``, ``topic``, ``history`` and ``corrections`` in process; ``show``, ``export`` and ``report``
apply the corrections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.cli.main import main
from analysis.store import Store

try:  # tests/ is on sys.path while it has no __init__.py
    from dashboard_fixtures import FIXTURE_EVENT, OTHER_EVENT, build_fixture_db
except ModuleNotFoundError:
    from tests.dashboard_fixtures import FIXTURE_EVENT, OTHER_EVENT, build_fixture_db


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ANALYSIS_USER", "cli tester")
    return build_fixture_db(tmp_path / "fx.db")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _ledger(db: str) -> dict:
    store = Store(db)
    rows = store.event_articles(store.find_event(FIXTURE_EVENT).id)
    return next(r for r in rows if r["outlet"] == "Daily Ledger")


def _export(db: str, capsys) -> list[dict]:
    code, out, _ = run(capsys, "export", "--db", db, "--event", FIXTURE_EVENT, "--format", "json")
    assert code == 0
    return json.loads(out)


def test_flag_dismiss_restore_at_every_scope(db: str, capsys) -> None:
    art = _ledger(db)
    code, out, _ = run(capsys, "flag", "dismiss", "--db", db, "--article", str(art["id"]), "Disastrous")
    assert code == 0 and "none -> dismiss" in out
    code, out, _ = run(capsys, "flag", "dismiss", "--db", db, "--event", FIXTURE_EVENT, "chaos")
    assert code == 0
    code, out, _ = run(capsys, "flag", "dismiss", "--db", db, "reckless")
    assert code == 0 and "everywhere" in out
    rows = {r["id"]: r for r in _export(db, capsys)}
    ledger = rows[art["id"]]
    dismissed = {sp["text"].lower() for sp in ledger["spans"] if sp["dismissed"]}
    assert dismissed == {"disastrous", "chaos", "reckless"}
    assert ledger["loaded_rate"] < ledger["scored_loaded_rate"]
    assert {c["term"] for c in ledger["corrections"]} == {"Disastrous", "chaos", "reckless"}
    # restore everywhere's dismissal in one article only: a restore row overrides it there
    code, out, _ = run(capsys, "flag", "restore", "--db", db, "--article", str(art["id"]), "reckless")
    assert code == 0 and "none -> restore" in out
    # restoring the article's own dismissal removes it
    code, out, _ = run(capsys, "flag", "restore", "--db", db, "--article", str(art["id"]), "disastrous")
    assert "dismiss -> none" in out
    ledger = {r["id"]: r for r in _export(db, capsys)}[art["id"]]
    assert {sp["text"].lower() for sp in ledger["spans"] if sp["dismissed"]} == {"chaos"}
    # nothing to change
    code, out, _ = run(capsys, "flag", "restore", "--db", db, "--event", FIXTURE_EVENT, "never-flagged")
    assert code == 0 and "nothing to change" in out


def test_flag_add_and_topic_and_show(db: str, capsys) -> None:
    code, _, _ = run(capsys, "show", "--db", db, "--event", FIXTURE_EVENT)
    code, out, _ = run(
        capsys, "flag", "add", "--db", db, "--event", FIXTURE_EVENT, "--category", "framing", "bridge"
    )
    assert code == 0 and "none -> add (framing" in out
    code, out, _ = run(capsys, "topic", "mark", "--db", db, "--event", FIXTURE_EVENT, "chaos")
    assert code == 0 and "none -> topic" in out
    code, out, _ = run(capsys, "show", "--db", db, "--event", FIXTURE_EVENT)
    assert code == 0 and "2 corrections in force" in out
    assert "not counted: chaos — marked as a topic word by a person" in out
    rows = _export(db, capsys)
    added = [sp for r in rows for sp in r["spans"] if sp["rule"] == "user"]
    assert added and all(sp["text"].lower() == "bridge" and sp["category"] == "framing" for sp in added)
    chaos = [sp for r in rows for sp in r["spans"] if sp["text"].lower() == "chaos"]
    # a topic word is shown (category "topic", its own category kept), not dismissed and not counted
    assert chaos and all(sp["category"] == "topic" and not sp["dismissed"] for sp in chaos)
    assert all(sp["weight"] == 0 for sp in chaos)
    code, out, _ = run(capsys, "topic", "unmark", "--db", db, "--event", FIXTURE_EVENT, "chaos")
    assert "topic -> none" in out
    # the other event is untouched
    code, out, _ = run(capsys, "export", "--db", db, "--event", OTHER_EVENT, "--format", "json")
    assert all(sp["rule"] != "user" for r in json.loads(out) for sp in r["spans"])


def test_flag_errors_are_one_line(db: str, capsys) -> None:
    code, _, err = run(capsys, "flag", "dismiss", "--db", db, "--article", "1", "--event", FIXTURE_EVENT, "x")
    assert code == 1 and err.startswith("error: give --article or --event")
    code, _, err = run(capsys, "flag", "dismiss", "--db", db, "--article", "999", "x")
    assert code == 1 and "no article with id 999" in err
    code, _, err = run(capsys, "flag", "dismiss", "--db", db, "--event", "No such event", "x")
    assert code == 1 and "no event named" in err
    code, _, err = run(capsys, "flag", "dismiss", "--db", db, "   ")
    assert code == 1 and "the word is empty" in err
    code, _, err = run(capsys, "flag", "add", "--db", db, "--category", "framing", "--weight", "2", "x")
    assert code == 1 and "weight" in err
    with pytest.raises(SystemExit):
        main(["flag", "add", "--db", db, "--category", "nonsense", "x"])


def test_history_and_event_edits(db: str, capsys) -> None:
    art = _ledger(db)
    run(capsys, "flag", "dismiss", "--db", db, "--article", str(art["id"]), "chaos")
    run(capsys, "event", "rename", "--db", db, FIXTURE_EVENT, "Bridge collapse, reviewed")
    code, out, _ = run(capsys, "history", "--db", db, "--event", "Bridge collapse, reviewed")
    assert code == 0
    lines = out.splitlines()
    assert "event.rename" in lines[2] and "cli tester" in lines[2]  # newest first
    assert "flag.dismiss" in lines[3] and "chaos (article" in lines[3]
    code, out, _ = run(capsys, "history", "--db", db, "--article", str(art["id"]))
    assert "flag.dismiss" in out and "event.rename" not in out
    run(capsys, "event", "merge", "--db", db, "Bridge collapse, reviewed", OTHER_EVENT)
    code, out, _ = run(capsys, "history", "--db", db, "--limit", "1")
    assert "event.merge" in out and OTHER_EVENT in out


def test_corrections_export_import_round_trip(db: str, capsys, tmp_path: Path) -> None:
    art = _ledger(db)
    run(capsys, "flag", "dismiss", "--db", db, "--article", str(art["id"]), "chaos")
    run(capsys, "flag", "dismiss", "--db", db, "--event", FIXTURE_EVENT, "reckless")
    run(capsys, "flag", "add", "--db", db, "--category", "labelling", "--weight", "0.4", "bridge")
    run(capsys, "topic", "mark", "--db", db, "--event", FIXTURE_EVENT, "harbour")
    path = tmp_path / "team.json"
    code, _, err = run(capsys, "corrections", "export", "--db", db, str(path))
    assert code == 0 and "wrote" in err
    data = json.loads(path.read_text("utf-8"))
    assert len(data["corrections"]) == 4
    # a colleague's database with the same articles
    other = build_fixture_db(tmp_path / "other.db")
    code, out, _ = run(capsys, "corrections", "import", "--db", other, str(path))
    assert code == 0 and out.startswith("4 corrections applied, 0 already there")
    code, out, _ = run(capsys, "corrections", "import", "--db", other, str(path))
    assert out.startswith("0 corrections applied, 4 already there")
    mine = {(c["kind"], c["term"], c["scope"], c["category"], c["weight"]) for c in Store(db).corrections()}
    theirs = {
        (c["kind"], c["term"], c["scope"], c["category"], c["weight"]) for c in Store(other).corrections()
    }
    assert mine == theirs
    code, out, _ = run(capsys, "corrections", "list", "--db", other)
    assert "everywhere" in out and "labelling" in out
    # an event this database does not have is skipped with the reason; a bad file is one line
    data["corrections"].append({"kind": "dismiss", "term": "x", "scope": "event", "event": "Nowhere"})
    path.write_text(json.dumps(data), "utf-8")
    code, out, _ = run(capsys, "corrections", "import", "--db", other, str(path))
    assert code == 3 and "skipped #5: no event named 'Nowhere'" in out
    path.write_text("{not json", "utf-8")
    code, _, err = run(capsys, "corrections", "import", "--db", other, str(path))
    assert code == 1 and "is not a JSON file" in err
    path.write_text('{"format": "other"}', "utf-8")
    code, _, err = run(capsys, "corrections", "import", "--db", other, str(path))
    assert code == 1 and "not a corrections file" in err


def test_report_mentions_the_corrections(db: str, capsys, tmp_path: Path) -> None:
    run(capsys, "flag", "dismiss", "--db", db, "--event", FIXTURE_EVENT, "chaos")
    run(capsys, "flag", "dismiss", "--db", db, "--event", FIXTURE_EVENT, "reckless")
    out_file = tmp_path / "r.html"
    code, _, _ = run(capsys, "report", "--db", db, "--event", FIXTURE_EVENT, "--out", str(out_file))
    assert code == 0
    page = out_file.read_text("utf-8")
    assert "2 flags dismissed by cli tester" in page
    assert "In force in this event: 2 flagged words dismissed" in page
