"""Alembic revision 0002 (the outlets table) makes the table the ORM describes (skipped without alembic)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from analysis.store.schema import Base

alembic = pytest.importorskip("alembic", reason="alembic is not installed")
MIGRATION = Path(__file__).resolve().parents[2] / "analysis/store/migrations/versions/0002_outlets.py"


def test_revision_0002_matches_the_orm_table(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    spec = importlib.util.spec_from_file_location("revision_0002", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (module.revision, module.down_revision) == ("0002", "0001")
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.begin() as conn:
        with Operations.context(MigrationContext.configure(conn)):
            module.upgrade()
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    about_outlets = [d for d in diff if "outlets" in repr(d) and d[0] != "add_table"]
    assert about_outlets == []
    assert "outlets" in inspect(engine).get_table_names()
    with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        module.downgrade()
    assert "outlets" not in inspect(engine).get_table_names()
