"""A PostgreSQL database of its own for one test: made on the local server (``.ci/run`` starts one;
``ANALYSIS_TEST_PG_URL`` names it) and dropped afterwards, so tests, and other checkouts testing on
the same server, never see each other's tables.  Where there is no server, the test is skipped with
the reason."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

PG_URL = os.environ.get(
    "ANALYSIS_TEST_PG_URL", "postgresql+psycopg://analysis:analysis@127.0.0.1:5432/analysis_test"
)


def postgres_database() -> Iterator[str]:
    """Yield the URL of an empty database made for this test; drop it afterwards (a generator for
    ``yield from`` in a fixture)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install 'psycopg[binary]')")
    admin = create_engine(PG_URL, connect_args={"connect_timeout": 2}, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except OperationalError as exc:
        shown = admin.url.render_as_string(hide_password=True)
        pytest.skip(f"no PostgreSQL server at {shown} ({str(exc).splitlines()[0]}); .ci/run starts one")
    name = f"analysis_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
