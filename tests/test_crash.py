"""Crash safety: a batch killed mid-way (SIGKILL) loses nothing it committed, and a rerun finishes it.

The real command line runs as a subprocess against the local server, some pages slow.  Once a
few articles are committed (polled from the SQLite file) the process is killed without warning;
the same command is then run again to completion.  Every article committed before the kill is
still there with the same id, no canonical URL is stored twice, and every URL ends up stored.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
N_URLS = 30
SLOW_EVERY = 3  # every third page waits before answering
SLOW_SECONDS = 0.6
KILL_AFTER = 5  # committed articles seen before the kill
POLL = 0.05  # seconds between looks at the database
LIMIT = 120.0  # seconds any one run may take before the test gives up (a hang, not a result)


def committed(db: Path) -> list[tuple[int, str]]:
    """(id, canonical_url) of the stored articles; [] while the table does not exist yet."""
    if not db.exists():
        return []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return [
            (int(i), str(u)) for i, u in con.execute("SELECT id, canonical_url FROM articles ORDER BY id")
        ]
    except sqlite3.OperationalError:  # no table yet, or the writer holds a lock for a moment
        return []
    finally:
        con.close()


def command(db: Path, urls: list[str]) -> list[str]:
    return [
        sys.executable, "-m", "analysis", "ingest", "--event", "Crash drill", "--allow-private",
        "--db", f"sqlite:///{db}", "-q", *urls,
    ]  # fmt: skip


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_") and k != "DATABASE_URL"}
    env.update(
        {
            "PYTHONPATH": str(PROJECT),
            "ANALYSIS_WORKERS": "2",
            "ANALYSIS_PER_DOMAIN": "2",
            "ANALYSIS_DOMAIN_DELAY": "0.05",
            "ANALYSIS_CACHE_TTL": "0",  # no page cache: the rerun must really go to the server
            "ANALYSIS_DEADLINE": "10",
        }
    )
    return env


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_mid_batch_loses_nothing_and_the_rerun_completes(http_server, tmp_path) -> None:
    db = tmp_path / "crash.db"
    urls = [
        http_server.url(
            f"/gen/article/{5000 + i}" + (f"?delay={SLOW_SECONDS}" if i % SLOW_EVERY == 0 else "")
        )
        for i in range(N_URLS)
    ]
    first = subprocess.Popen(
        command(db, urls), cwd=PROJECT, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        stop = time.monotonic() + LIMIT
        while len(committed(db)) < KILL_AFTER and first.poll() is None and time.monotonic() < stop:
            time.sleep(POLL)
        assert first.poll() is None, "the batch finished before it could be killed: make it slower"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
        first.stderr.close()
    assert first.returncode == -signal.SIGKILL
    before = committed(db)
    print(f"\nkilled after {len(before)} of {N_URLS} articles were committed")
    assert KILL_AFTER <= len(before) < N_URLS  # killed mid-batch, after some commits

    second = subprocess.run(
        command(db, urls),
        cwd=PROJECT,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=LIMIT,
        check=False,
    )
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    assert f"{N_URLS - len(before)} stored, {len(before)} duplicate, 0 failed" in second.stdout

    after = committed(db)
    assert set(before) <= set(after)  # nothing committed was lost (same ids, same URLs)
    canon = [u for _, u in after]
    assert len(after) == N_URLS and len(set(canon)) == N_URLS  # all there, none twice
    assert {u.split("?")[0] for u in canon} == {u.split("?")[0] for u in urls}
