"""``outlet list|edit|import|export`` and ``blindspots --by``, run in process."""

from __future__ import annotations

import csv
import io
import json

import pytest

from analysis.store import Store
from tests.test_cli import run


@pytest.fixture
def demo(tmp_path, capsys) -> str:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run(capsys, "demo", "--db", db, "-q")[0] == 0
    return db


def test_outlet_list_and_edit(demo, capsys) -> None:
    code, out, _ = run(capsys, "outlet", "list", "--db", demo)
    assert code == 0 and "Meridian Wire" in out and "meridianwire.example" in out and "group=wire" in out
    code, out, err = run(
        capsys, "outlet", "edit", "The Daily Blaze", "--display-name", "Daily Blaze", "--colour", "#112233",
        "--add-domain", "https://www.blaze-tv.example/live", "--group", "leaning=none", "--group", "group=",
        "--db", demo,
    )  # fmt: skip
    assert code == 0, err
    assert "changed display_name, colour, domains, groups" in out
    code, out, _ = run(capsys, "outlet", "list", "--format", "json", "--db", demo)
    blaze = next(o for o in json.loads(out) if o["name"] == "The Daily Blaze")
    assert blaze["display_name"] == "Daily Blaze" and blaze["colour"] == "#112233"
    assert blaze["domains"] == ["dailyblaze.example", "blaze-tv.example"]
    assert blaze["groups"] == {"leaning": "none"} and blaze["origin"] == "user"
    code, out, _ = run(capsys, "history", "--db", demo)
    assert "outlet.display_name" in out and "Daily Blaze" in out
    code, out, _ = run(capsys, "outlet", "edit", "daily blaze", "--colour", "#112233", "--db", demo)
    assert code == 0 and "nothing changed" in out  # found by its display name, case aside


def test_outlet_errors(demo, capsys) -> None:
    for argv, message in [
        (["outlet", "edit", "No Such Outlet", "--colour", "#000000"], "no outlet named"),
        (["outlet", "edit", "Meridian Wire"], "nothing to change"),
        (["outlet", "edit", "Meridian Wire", "--colour", "blue"], "not a colour"),
        (["outlet", "edit", "Meridian Wire", "--group", "leaning"], "expected DIMENSION=VALUE"),
        (["outlet", "edit", "Meridian Wire", "--display-name", "heartland courier"], "is taken"),
        (["outlet", "import", "/no/such/file.csv"], "cannot read"),
    ]:
        code, _, err = run(capsys, *argv, "--db", demo)
        assert code == 1, argv
        assert message in err and len(err.strip().splitlines()) == 1, err


def test_outlet_export_import_round_trip(demo, capsys, tmp_path) -> None:
    store = Store(demo)
    colours = store.outlet_colors()
    path = tmp_path / "outlets.csv"
    code, _, err = run(capsys, "outlet", "export", str(path), "--db", demo)
    assert code == 0 and "wrote 6 outlets" in err
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert list(rows[0]) == ["name", "display_name", "domains", "colour", "group"]
    assert {r["name"]: r["colour"] for r in rows} == colours
    # a ratings file of the user's own: a new dimension, a new outlet; nothing deleted
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(
        "name,leaning,ownership\nMeridian Wire,centre,cooperative\nNew Outlet,left,\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "outlet", "import", str(ratings), "--db", demo)
    assert code == 0, err
    assert "1 outlets added, 1 changed, 0 unchanged" in out
    assert store.outlet_groups("leaning") == {"Meridian Wire": "centre", "New Outlet": "left"}
    assert {k: store.outlet_colors()[k] for k in colours} == colours  # nobody repainted
    code, out, _ = run(capsys, "outlet", "export", "--db", demo)
    assert len(list(csv.DictReader(io.StringIO(out)))) == 7
    bad = tmp_path / "bad.csv"
    bad.write_text("name,colour\nMeridian Wire,#12\n", encoding="utf-8")
    code, _, err = run(capsys, "outlet", "import", str(bad), "--db", demo)
    assert code == 1 and "row 2: bad colour '#12'" in err


def test_blindspots_by_a_dimension(demo, capsys) -> None:
    code, out, _ = run(capsys, "blindspots", "--db", demo)
    assert code == 0 and "'group' groups" in out and "business" in out
    run(capsys, "outlet", "edit", "Meridian Wire", "--group", "type=wire agency", "--db", demo)
    code, out, _ = run(capsys, "blindspots", "--by", "type", "--db", demo)
    assert code == 0 and "'type' groups" in out and "wire agency" in out
    code, _, err = run(capsys, "blindspots", "--by", "leaning", "--db", demo)
    assert code == 1 and "no outlet has a 'leaning' group" in err
