"""The one way into the database: short connections, bounded waits, recorded migrations.

DuckDB lets a single process hold a database file at a time. The dashboard, a scheduled
export and a CLI write must nevertheless work at the same moment, so every caller opens a
connection here, does its work in one short transaction and closes it. A lock held by
another process is retried with backoff for a bounded time, then reported in one line.
Every write bumps ``data_version`` so readers (the dashboard cache) notice changes.

DuckDB's own file lock was not enough: with two processes writing by turns, about one run
in a hundred lost a whole committed write, or one process read the file while the other
was still writing it at close. So each process also holds an exclusive ``flock`` on a
sidecar file (``<database>.lock``) from before DuckDB opens the file until after the last
of its connections has closed it (and the close has written everything back).
"""

from __future__ import annotations

import fcntl
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TypeVar

import duckdb

from risk.errors import DatabaseBusyError, RiskError
from risk.paths import MIGRATIONS_DIR

DEFAULT_WAIT_SECONDS = 30.0
T = TypeVar("T")
# Threads of one process (Streamlit sessions) share DuckDB's instance cache; attaching the
# same file from two threads at the same instant can clash, so connects take turns.
_CONNECT_LOCK = threading.Lock()


@dataclass
class _Hold:
    """This process's hold on one database's sidecar lock."""

    handle: IO[str]  # the open lock file carrying the flock
    users: int = 1  # connections of this process using the database


_HELD: dict[Path, _Hold] = {}
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
    """Open the database, waiting with backoff while another process holds it. Close the
    connection with ``close_connection`` (``connect`` does both)."""
    target = _target(path)
    deadline = time.monotonic() + wait_seconds
    delay = 0.02
    while True:
        with _CONNECT_LOCK:
            con = _try_open(target)
        if con is not None:
            return con
        if time.monotonic() + delay > deadline:
            raise DatabaseBusyError(
                f"database {target} is locked by another process "
                f"(waited {wait_seconds:.0f}s); try again when it finishes"
            )
        time.sleep(delay * (1 + random.random() / 2))
        delay = min(delay * 2, 0.5)


def close_connection(con: duckdb.DuckDBPyConnection, path: str | Path) -> None:
    """Close ``con``; the last connection of this process lets other processes in."""
    with _CONNECT_LOCK:
        try:
            con.close()
        finally:
            _release(_lock_path(Path(path)))


def _target(path: str | Path) -> Path:
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or one_line(exc)
        raise RiskError(f"cannot create the database folder {target.parent}: {reason}") from exc
    if target.is_dir():
        raise RiskError(f"database {target} is a folder, not a DuckDB file")
    return target


def _try_open(target: Path) -> duckdb.DuckDBPyConnection | None:
    """A connection, or None when another process holds the database (under _CONNECT_LOCK)."""
    lock = _lock_path(target)
    if not _acquire(lock):
        return None
    try:
        return new_connection(str(target))
    except duckdb.Error as exc:
        _release(lock)
        if _is_lock_conflict(exc):  # a process that does not take the sidecar lock
            return None
        raise RiskError(_open_failure(target, exc)) from exc
    except BaseException:
        _release(lock)
        raise


def _lock_path(target: Path) -> Path:
    return target.with_name(target.name + ".lock")


def _acquire(lock: Path) -> bool:
    """Take (or count one more use of) this process's hold on ``lock``; False when another
    process holds it."""
    held = _HELD.get(lock)
    if held is not None:
        held.users += 1
        return True
    try:
        handle = open(lock, "a")  # noqa: SIM115 - kept open while the lock is held
    except OSError as exc:
        raise RiskError(f"cannot open the lock file {lock}: {exc.strerror or exc}") from exc
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False
    _HELD[lock] = _Hold(handle)
    return True


def _release(lock: Path) -> None:
    held = _HELD[lock]
    held.users -= 1
    if held.users == 0:
        del _HELD[lock]
        fcntl.flock(held.handle, fcntl.LOCK_UN)
        held.handle.close()


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
        close_connection(con, path)


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
