"""``db upgrade|current|history``, run in process, on a copy of the database made before Alembic."""

from __future__ import annotations

import shutil
from pathlib import Path

from analysis.store import Store
from tests.test_cli import run

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "db" / "v2026-12-07.sqlite"


def test_current_upgrade_history(tmp_path, capsys) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE, path)
    db = f"sqlite:///{path}"
    before = path.read_bytes()
    code, out, err = run(capsys, "db", "current", "--db", db)
    assert code == 0, err
    assert "no schema revision: made before migrations" in out and "db upgrade" in out
    code, out, _ = run(capsys, "db", "history", "--db", db)
    assert code == 0 and "0001" in out and "Baseline" in out and "current" not in out
    assert path.read_bytes() == before  # current and history change nothing
    code, out, err = run(capsys, "db", "upgrade", "--db", db)
    assert code == 0, err
    assert "brought to the baseline and upgraded to" in out
    code, out, _ = run(capsys, "db", "current", "--db", db)
    assert code == 0 and "(the newest)" in out
    code, out, _ = run(capsys, "db", "history", "--db", db)
    assert code == 0 and "current" in out
    code, out, _ = run(capsys, "db", "upgrade", "--db", db)
    assert code == 0 and "already at the newest schema revision" in out
    assert len(Store(db).list_events()) == 6


def test_new_missing_and_in_memory_databases(tmp_path, capsys) -> None:
    db = f"sqlite:///{tmp_path / 'new.db'}"
    code, out, _ = run(capsys, "db", "current", "--db", db)
    assert code == 0 and "no database file yet" in out and not (tmp_path / "new.db").exists()
    code, out, _ = run(capsys, "db", "upgrade", "--db", db)
    assert code == 0 and "made the tables at the newest schema revision" in out
    code, _, err = run(capsys, "db", "upgrade", "--db", "sqlite://")
    assert code == 1 and "in-memory database" in err


def test_db_help(capsys) -> None:
    import pytest

    for action in ("upgrade", "current", "history"):
        with pytest.raises(SystemExit) as exc:
            run(capsys, "db", action, "--help")
        assert exc.value.code == 0
        assert "--db" in capsys.readouterr().out
