"""Storage discipline: recorded migrations, bounded waits on another process's lock."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from risk import db
from risk.errors import DatabaseBusyError, RiskError
from risk.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def hold_lock(path: Path, seconds: float) -> subprocess.Popen:
    """Another process that keeps the database open (and so locked) for ``seconds``."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_migrations_applied_twice_are_a_no_op(tmp_path):
    path = tmp_path / "m.duckdb"
    with db.connect(path) as con:
        first = db.migrate(con)
        second = db.migrate(con)
        recorded = con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
    assert first == [name for _, name, _ in db.available_migrations()]
    assert second == []
    assert [r[0] for r in recorded] == [v for v, _, _ in db.available_migrations()]


def test_an_older_database_upgrades_in_place_keeping_its_rows(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    all_migrations = db.available_migrations()
    monkeypatch.setattr(db, "available_migrations", lambda: all_migrations[:1])
    with db.connect(path) as con:
        db.migrate(con)
        con.execute("INSERT INTO organisations VALUES ('x', 'X', ['dependent'], [])")
    monkeypatch.undo()
    with db.connect(path) as con:
        applied = db.migrate(con)
        kept = con.execute("SELECT id FROM organisations").fetchall()
    assert applied == [name for _, name, _ in all_migrations[1:]]
    assert kept == [("x",)]


def test_every_write_bumps_the_data_version(db_file):
    with db.connect(db_file) as con:
        before = db.data_version(con)
    with db.transaction(db_file) as con:
        con.execute("INSERT INTO meta VALUES ('probe', 'x')")
    with db.connect(db_file) as con:
        assert db.data_version(con) == before + 1


def test_failed_write_leaves_nothing_behind(db_file):
    with pytest.raises(duckdb.Error), db.transaction(db_file) as con:
        con.execute("INSERT INTO meta VALUES ('probe', 'x')")
        con.execute("INSERT INTO meta VALUES ('probe', 'again')")  # primary key clash
    with db.connect(db_file) as con:
        assert con.execute("SELECT count(*) FROM meta WHERE key = 'probe'").fetchone()[0] == 0


def test_cli_waits_for_a_lock_held_by_another_process_then_succeeds(db_file):
    holder = hold_lock(db_file, 1.0)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "risk", "score", "--db", str(db_file)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    waited = time.monotonic() - started
    holder.wait(timeout=10)
    assert result.returncode == 0, result.stderr
    assert waited >= 0.5  # it really had to wait for the holder to let go
    assert "methodology" in result.stdout


def test_lock_held_too_long_is_reported_in_one_line(db_file):
    holder = hold_lock(db_file, 3.0)
    try:
        with pytest.raises(DatabaseBusyError, match="locked by another process"):
            db.open_connection(db_file, wait_seconds=0.5)
    finally:
        holder.wait(timeout=10)


def test_risk_db_environment_variable_selects_the_database(tmp_path, monkeypatch):
    target = tmp_path / "env.duckdb"
    monkeypatch.setenv("RISK_DB", str(target))
    with db.connect(Settings.resolve().db_path) as con:
        db.migrate(con)
    assert target.exists()
    assert os.path.getsize(target) > 0


SIDECAR_HOLDER = """
import fcntl, sys, time
handle = open(sys.argv[1] + ".lock", "a")
fcntl.flock(handle, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def sidecar_free(path: Path) -> bool:
    """Whether another open file could take the database's sidecar lock right now."""
    with open(f"{path}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def test_the_sidecar_lock_is_held_until_the_last_connection_has_closed(db_file):
    assert sidecar_free(db_file)
    with db.connect(db_file) as outer:
        assert not sidecar_free(db_file)
        with db.connect(db_file) as inner:  # a second session of the same process
            inner.execute("SELECT 1").fetchall()
        assert not sidecar_free(db_file)  # the outer connection still uses the file
        outer.execute("SELECT 1").fetchall()
    assert sidecar_free(db_file)


def test_a_process_holding_the_sidecar_lock_keeps_others_out_of_the_file(db_file):
    proc = subprocess.Popen([sys.executable, "-c", SIDECAR_HOLDER, str(db_file), "3"],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(DatabaseBusyError, match="locked by another process"):
            db.open_connection(db_file, wait_seconds=0.5)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    with db.connect(db_file) as con:  # free again once the holder is gone
        assert con.execute("SELECT 1").fetchone() == (1,)


def test_a_failed_open_lets_go_of_the_sidecar_lock(tmp_path):
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database" * 100)
    with pytest.raises(RiskError, match="not a DuckDB database file"):
        db.open_connection(broken)
    assert sidecar_free(broken)
