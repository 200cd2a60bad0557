"""The one way into the database: short connections, bounded waits, recorded migrations.

DuckDB lets a single process hold a database file at a time. The dashboard, a scheduled
export and a CLI write must nevertheless work at the same moment, so every caller opens a
connection here, does its work in one short transaction and closes it. A lock held by
another process is retried with backoff for a bounded time, then reported in one line.
Every write bumps ``data_version`` so readers (the dashboard cache) notice changes.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import duckdb

from risk.errors import DatabaseBusyError, RiskError
from risk.paths import MIGRATIONS_DIR

DEFAULT_WAIT_SECONDS = 30.0
T = TypeVar("T")
# Threads of one process (Streamlit sessions) share DuckDB's instance cache; attaching the
# same file from two threads at the same instant can clash, so connects take turns.
_CONNECT_LOCK = threading.Lock()
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
# Only the extensions built into the wheel (parquet, json, icu): DuckDB must never fetch or
# load one on its own (a SQLite file given as RISK_DB made it try to download a scanner).
CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
}


def new_connection(database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with extension downloads and auto-loading off and the session
    time zone set to UTC (``current_timestamp`` stored in a TIMESTAMP column is UTC)."""
    con = duckdb.connect(database, config=dict(CONFIG))
    try:
        con.execute("SET TimeZone = 'UTC'")
    except BaseException:
        con.close()
        raise
    return con


def utc_now() -> datetime:
    """Now in UTC, naive, as every TIMESTAMP column stores it (exports add the ``Z``)."""
    return datetime.now(UTC).replace(tzinfo=None)


def one_line(exc: BaseException, limit: int = 300) -> str:
    """An exception's message on one line, cut to ``limit`` characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    """Another process holds the file, or (in this process) another thread is attaching or
    detaching the same file at this very moment."""
    text = str(exc)
    return any(
        marker in text
        for marker in ("Could not set lock", "Conflicting lock", "Unique file handle conflict")
    )


def _is_write_conflict(exc: duckdb.Error) -> bool:
    return isinstance(exc, duckdb.TransactionException) and "onflict" in str(exc)


def open_connection(
    path: str | Path, wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> duckdb.DuckDBPyConnection:
    """Open the database, waiting with backoff while another process holds its lock."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or one_line(exc)
        raise RiskError(f"cannot create the database folder {target.parent}: {reason}") from exc
    if target.is_dir():
        raise RiskError(f"database {target} is a folder, not a DuckDB file")
    deadline = time.monotonic() + wait_seconds
    delay = 0.02
    while True:
        try:
            with _CONNECT_LOCK:
                return new_connection(str(target))
        except duckdb.Error as exc:
            if not _is_lock_conflict(exc):
                raise RiskError(_open_failure(target, exc)) from exc
            if time.monotonic() + delay > deadline:
                raise DatabaseBusyError(
                    f"database {target} is locked by another process "
                    f"(waited {wait_seconds:.0f}s); try again when it finishes"
                ) from exc
        time.sleep(delay * (1 + random.random() / 2))
        delay = min(delay * 2, 0.5)


def _open_failure(target: Path, exc: duckdb.Error) -> str:
    text = one_line(exc, 200)
    if "not a valid DuckDB database" in text or "xtension" in text:
        return f"cannot open database {target}: not a DuckDB database file"
    if "Could not read enough bytes" in text or "truncated" in text.lower():
        return f"cannot open database {target}: the file is truncated or damaged"
    return f"cannot open database {target}: {text}"


@contextmanager
def connect(
    path: str | Path, wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection for reads; closed on exit so other processes get their turn."""
    con = open_connection(path, wait_seconds)
    try:
        yield con
    finally:
        with _CONNECT_LOCK:
            con.close()


@contextmanager
def transaction(
    path: str | Path, wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write: all of the block or none of it, then ``data_version`` is bumped."""
    with connect(path, wait_seconds) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
            _bump_data_version(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def write_with_retry(
    work: Callable[[duckdb.DuckDBPyConnection], T],
    path: str | Path,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
) -> T:
    """Run ``work(con)`` in a transaction, retrying when a concurrent writer in this process
    conflicted (DuckDB's optimistic concurrency), until ``wait_seconds`` have passed."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.02
    while True:
        try:
            with transaction(path, wait_seconds) as con:
                return work(con)
        except duckdb.TransactionException as exc:
            if not _is_write_conflict(exc) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def _bump_data_version(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO meta (key, value) VALUES ('data_version', '1') "
        "ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS VARCHAR)"
    )


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """A counter every write increases: the cache key for anything read from the database."""
    rows = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchall()
    return int(rows[0][0]) if rows else 0


def available_migrations() -> list[tuple[int, str, Path]]:
    """The numbered SQL files shipped with the package, in the order they apply."""
    found = []
    for file in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(file.name)
        if match:
            found.append((int(match.group(1)), file.stem, file))
    return found


def applied_migrations(con: duckdb.DuckDBPyConnection) -> set[int]:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return set()
    return {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply, in order and each in its own transaction, the migrations not yet recorded."""
    done = applied_migrations(con)
    applied = []
    for version, name, file in available_migrations():
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(file.read_text(encoding="utf-8"))
            con.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) "
                "VALUES (?, ?, current_timestamp)",
                [version, name],
            )
            _bump_data_version(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


def needs_migration(con: duckdb.DuckDBPyConnection) -> bool:
    return {v for v, _, _ in available_migrations()} - applied_migrations(con) != set()
