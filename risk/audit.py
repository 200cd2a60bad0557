"""The audit trail: who changed what, when (UTC), and from what to what.

Every write in the library records one row in ``audit_log`` through :func:`record`, inside
the transaction of the write itself, so a write and its audit row land together or not at
all. A write refused for lack of a right is recorded too (``outcome = 'refused'``): the
refused write's transaction is rolled back, then :func:`write` stores the refusal in a
transaction of its own before the error reaches the caller.

The table is append-only. Nothing in this project updates or deletes its rows (a test
reads every source file to hold that line), and exports carry it whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

import duckdb

from risk import db
from risk.access import AccessDenied
from risk.identity import Actor

T = TypeVar("T")
COLUMNS = ("id", "at_utc", "actor", "on_behalf_of", "role", "mode", "action", "target_kind",
           "target_id", "before", "after", "outcome", "reason")  # fmt: skip
OUTCOMES = ("ok", "refused")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    return str(value)


def to_json(value: object) -> str | None:
    """A value as stored in ``before``/``after``: JSON text, dates in ISO form; None stays
    NULL (there was nothing before, or nothing after)."""
    if value is None:
        return None
    return json.dumps(value, default=_plain, ensure_ascii=False, sort_keys=True)


def record(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    action: str,
    target_kind: str,
    target_id: object = None,
    before: object = None,
    after: object = None,
    outcome: str = "ok",
    reason: str | None = None,
) -> int:
    """Append one audit row in the caller's transaction; returns its id."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
    return con.execute(
        "INSERT INTO audit_log (at_utc, actor, on_behalf_of, role, mode, action, target_kind, "
        "target_id, before, after, outcome, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id",
        [_now(), actor.who, actor.on_behalf_of, actor.role, actor.mode, action, target_kind,
         None if target_id is None else str(target_id), to_json(before), to_json(after),
         outcome, reason],
    ).fetchone()[0]  # fmt: skip


def record_refusal(exc: AccessDenied, db_file: str | Path | None = None) -> None:
    """Store a refused write in a transaction of its own (the write's was rolled back)."""
    db.write_with_retry(
        lambda con: record(con, exc.actor, exc.action, exc.target_kind, exc.target_id,
                           before=exc.before, outcome="refused", reason=str(exc)),
        db_file,
    )  # fmt: skip


def write(work: Callable[[duckdb.DuckDBPyConnection], T], db_file: str | Path | None = None) -> T:
    """``db.write_with_retry(work)``; when ``work`` is refused (``AccessDenied``), the
    refusal is recorded before the error goes up. ``work`` records its own success."""
    try:
        return db.write_with_retry(work, db_file)
    except AccessDenied as exc:
        record_refusal(exc, db_file)
        raise


def refuse_unless(actor: Actor, right: str, action: str, target_kind: str,
                  target_id: object = None, db_file: str | Path | None = None) -> None:  # fmt: skip
    """For writes with a step outside the database (the methodology file): check the
    right first, recording and raising a refusal before anything is touched."""
    try:
        actor.require(right, action, target_kind, target_id)
    except AccessDenied as exc:
        record_refusal(exc, db_file)
        raise


# ---------------------------------------------------------------- reading


def _row(values: tuple) -> dict:
    entry = dict(zip(COLUMNS, values, strict=True))
    for key in ("before", "after"):
        if entry[key] is not None:
            entry[key] = json.loads(entry[key])
    return entry


def entries(
    con: duckdb.DuckDBPyConnection,
    actor: str | None = None,
    action: str | None = None,
    target_kind: str | None = None,
    target_id: str | None = None,
    outcome: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    text: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    """Audit rows, newest first, matching every filter given. ``actor`` matches the actor
    or the person acted for (ignoring case); ``action`` is exact or a prefix ending in
    ``.`` (``annotation.``); ``until`` is inclusive (a date means the whole day); ``text``
    searches the before and after values."""
    where: list[str] = []
    params: list = []
    if actor:
        where.append("(lower(actor) = lower(?) OR lower(on_behalf_of) = lower(?))")
        params += [actor.strip(), actor.strip()]
    if action:
        if action.endswith("."):
            where.append("starts_with(action, ?)")
        else:
            where.append("action = ?")
        params.append(action)
    for column, value in (("target_kind", target_kind), ("target_id", target_id),
                          ("outcome", outcome)):  # fmt: skip
        if value:
            where.append(f"{column} = ?")
            params.append(str(value))
    if since:
        where.append("at_utc >= ?")
        params.append(since)
    if until:
        if isinstance(until, datetime):
            where.append("at_utc <= ?")
        else:
            where.append("at_utc < CAST(? AS DATE) + INTERVAL 1 DAY")
        params.append(until)
    if text:
        where.append("contains(lower(concat_ws(' ', CAST(before AS VARCHAR), "
                     "CAST(after AS VARCHAR))), lower(?))")  # fmt: skip
        params.append(text)
    sql = (f"SELECT {', '.join(COLUMNS)} FROM audit_log"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC")  # fmt: skip
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_row(r) for r in con.execute(sql, params).fetchall()]


def actions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The actions recorded so far, for a filter's choices."""
    return [r[0] for r in con.execute(
        "SELECT DISTINCT action FROM audit_log ORDER BY action").fetchall()]  # fmt: skip


def actors(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Everyone who wrote (or tried to), for a filter's choices."""
    return [r[0] for r in con.execute(
        "SELECT DISTINCT actor FROM audit_log ORDER BY actor").fetchall()]  # fmt: skip
