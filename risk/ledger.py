"""The capacity ledger: blocks of compute a dependent has or has committed to, by version.

One block (``id``) is a quantity of compute on one supplier's chips; each of its lines is a
version with the day it became public (``known_from``), so a later report (an LOI becomes a
contract, a plan is cut) never erases what was known before. Rows come in as the columns
of ``data/capacity.csv`` and are checked as a batch: every problem is reported with its line
and column, and nothing is written unless the whole batch is clean. The caller owns the
transaction (``db.transaction`` or ``db.write_with_retry``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from risk import evidence, organisations
from risk.errors import ConfigError, Problem, ValidationError
from risk.methodology import Methodology
from risk.units import STATUSES, UNITS, Units

LEDGER_COLUMNS = (
    "id", "known_from", "dependent", "supplier", "chip", "channel", "quantity", "unit",
    "status", "start", "full_by", "end", "evidence", "note",
)  # fmt: skip
OPTIONAL_COLUMNS = frozenset({"chip", "end", "note"})
REQUIRED_COLUMNS = tuple(c for c in LEDGER_COLUMNS if c not in OPTIONAL_COLUMNS)
OWNED = "owned"
MAX_NOTE = 2000
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


def is_ledger_header(header: Sequence[str]) -> bool:
    """True when a CSV header names a ledger file (every required ledger column)."""
    names = {h.strip() for h in header}
    return set(REQUIRED_COLUMNS) <= names and {"known_from", "full_by"} <= names


def units_of(method: Methodology) -> Units:
    if method.units is None:
        raise ConfigError("methodology has no [conversion] table: the ledger cannot be used")
    return method.units


class _Checker:
    def __init__(self, con: duckdb.DuckDBPyConnection, method: Methodology,
                 today: date) -> None:
        self.units = units_of(method)
        self.orgs = organisations.directory(con)
        self.evidence_ids = {r[0] for r in con.execute("SELECT id FROM evidence").fetchall()}
        self.today = today

    def check(self, row: dict, line: int | None) -> tuple[dict, list[Problem]]:
        problems: list[Problem] = []

        def bad(field: str, message: str) -> None:
            problems.append(evidence.row_problem(line, field, message))

        get = {c: str(row.get(c) if row.get(c) is not None else "").strip()
               for c in LEDGER_COLUMNS}  # fmt: skip
        out: dict = {"id": get["id"]}
        if not get["id"]:
            bad("id", "is empty")
        elif not _ID.match(get["id"]):
            bad("id", f"{get['id']!r} may hold only letters, digits and . _ : - (64 at most)")
        out["known_from"] = self._date(get, "known_from", bad)
        if out["known_from"] and out["known_from"] > self.today:
            bad("known_from", f"{get['known_from']} is in the future")
        out["dependent"] = self._org(get["dependent"], "dependent", bad, role="dependent")
        out["supplier"] = self._org(get["supplier"], "supplier", bad)
        out["channel"] = (OWNED if get["channel"].casefold() == OWNED
                          else self._org(get["channel"], "channel", bad))  # fmt: skip
        out["chip"] = get["chip"] or None
        if out["chip"] and out["chip"] not in self.units.chips:
            known = ", ".join(self.units.chips)
            bad("chip", f"unknown chip {out['chip']!r} (known: {known})")
        elif out["chip"] and out["supplier"]:
            maker = self.units.chips[out["chip"]].supplier
            if maker != out["supplier"]:
                bad("chip", f"{out['chip']} is a {maker} chip, not a {out['supplier']} one")
        out["quantity"] = self._quantity(get["quantity"], bad)
        out["unit"] = get["unit"]
        if get["unit"] not in UNITS:
            bad("unit", f"unknown unit {get['unit']!r} (known: {', '.join(UNITS)})")
        elif out["supplier"] and not (out["chip"] and out["chip"] not in self.units.chips):
            reason = self.units.missing_factor(get["unit"], out["supplier"], out["chip"])
            if reason:
                bad("unit", reason)
        out["status"] = get["status"]
        if get["status"] not in STATUSES:
            bad("status", f"unknown status {get['status']!r} (known: {', '.join(STATUSES)})")
        out["start"] = self._date(get, "start", bad)
        out["full_by"] = self._date(get, "full_by", bad)
        out["end"] = self._date(get, "end", bad) if get["end"] else None
        if out["start"] and out["full_by"] and out["full_by"] < out["start"]:
            bad("full_by", f"{out['full_by']} is before start {out['start']}")
        if out["start"] and out["end"] and out["end"] < out["start"]:
            bad("end", f"{out['end']} is before start {out['start']}")
        out["evidence"] = [e.strip() for e in get["evidence"].split(";") if e.strip()]
        if not out["evidence"]:
            bad("evidence", "is empty: every row needs at least one evidence id")
        for ev in out["evidence"]:
            if ev not in self.evidence_ids:
                bad("evidence", f"evidence id {ev!r} does not exist")
        if len(set(out["evidence"])) != len(out["evidence"]):
            bad("evidence", "lists the same evidence id twice")
        out["note"] = get["note"] or None
        if out["note"] and len(out["note"]) > MAX_NOTE:
            bad("note", f"is {len(out['note'])} characters; {MAX_NOTE} at most")
        return out, problems

    @staticmethod
    def _date(get: dict, field: str, bad) -> date | None:  # noqa: ANN001
        if not get[field]:
            bad(field, "is empty (expected YYYY-MM-DD)")
            return None
        try:
            return evidence.parse_iso_date(get[field])
        except ValueError as exc:
            bad(field, str(exc))
            return None

    def _org(self, text: str, field: str, bad, role: str | None = None) -> str | None:  # noqa: ANN001
        if not text:
            bad(field, "is empty")
            return None
        org_id, problem = self.orgs.check(text, role)
        if problem:
            bad(field, problem)
            return None
        return org_id

    @staticmethod
    def _quantity(text: str, bad) -> float | None:  # noqa: ANN001
        if not text:
            bad("quantity", "is empty")
            return None
        try:
            value = float(text.replace("_", ""))
        except ValueError:
            bad("quantity", f"{text!r} is not a number (write 1000000, not 1m)")
            return None
        if not math.isfinite(value) or value <= 0:
            bad("quantity", f"{text!r} must be a finite number greater than 0")
            return None
        return value


def validate(
    con: duckdb.DuckDBPyConnection,
    rows: Iterable[tuple[int | None, dict]],
    method: Methodology,
    today: date | None = None,
) -> tuple[list[dict], list[Problem]]:
    """Check every row, and (id, known_from) across the batch and the stored ledger."""
    checker = _Checker(con, method, today or date.today())
    stored = {(r[0], r[1]) for r in con.execute("SELECT id, known_from FROM ledger").fetchall()}
    seen: dict[tuple, int | None] = {}
    out: list[dict] = []
    problems: list[Problem] = []
    for line, row in rows:
        item, row_problems = checker.check(row, line)
        problems.extend(row_problems)
        key = (item["id"], item["known_from"])
        if item["id"] and item["known_from"]:
            if key in stored:
                problems.append(evidence.row_problem(line, "known_from", (
                    f"{item['id']} already has a version known from {item['known_from']}")))
            elif key in seen:
                where = f" (first on line {seen[key]})" if seen[key] else ""
                problems.append(evidence.row_problem(line, "known_from", (
                    f"duplicate version {item['id']} known from {item['known_from']}{where}")))
            seen.setdefault(key, line)
        out.append(item)
    return out, problems


def insert(con: duckdb.DuckDBPyConnection, items: list[dict], origin: str = "import") -> int:
    """Write validated rows in two batch statements; the caller owns the transaction."""
    if not items:
        return 0
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    versions = pd.DataFrame({
        "id": [i["id"] for i in items],
        "known_from": [iso(i["known_from"]) for i in items],
        "dependent": [i["dependent"] for i in items],
        "supplier": [i["supplier"] for i in items],
        "chip": [i["chip"] for i in items],
        "channel": [i["channel"] for i in items],
        "quantity": [float(i["quantity"]) for i in items],
        "unit": [i["unit"] for i in items],
        "status": [i["status"] for i in items],
        "start": [iso(i["start"]) for i in items],
        "full_by": [iso(i["full_by"]) for i in items],
        "end": [iso(i["end"]) for i in items],
        "note": [i["note"] for i in items],
    }, dtype=object)  # fmt: skip
    links = pd.DataFrame(
        [(i["id"], iso(i["known_from"]), ev) for i in items for ev in i["evidence"]],
        columns=["id", "known_from", "evidence_id"], dtype=object,
    )
    con.register("_ledger_batch", versions)
    con.register("_ledger_links", links)
    try:
        con.execute(
            'INSERT INTO ledger (id, known_from, dependent, supplier, chip, channel, quantity, '
            'unit, status, start, full_by, "end", note, origin) '
            'SELECT id, CAST(known_from AS DATE), dependent, supplier, chip, channel, '
            'CAST(quantity AS DOUBLE), unit, status, CAST(start AS DATE), '
            'CAST(full_by AS DATE), CAST("end" AS DATE), note, ? FROM _ledger_batch',
            [origin],
        )
        con.execute(
            "INSERT INTO ledger_evidence SELECT id, CAST(known_from AS DATE), evidence_id "
            "FROM _ledger_links"
        )
    finally:
        con.unregister("_ledger_batch")
        con.unregister("_ledger_links")
    return len(items)


def load_rows(
    con: duckdb.DuckDBPyConnection,
    rows: Sequence[dict] | Sequence[tuple[int | None, dict]],
    method: Methodology,
    name: str = "ledger",
    origin: str = "import",
) -> int:
    """Validate all rows (dicts, or (line, dict) pairs), then insert them all; on any
    problem raise ValidationError naming each row and field, and write nothing."""
    numbered = [r if isinstance(r, tuple) else (None, r) for r in rows]
    items, problems = validate(con, numbered, method)
    if problems:
        raise ValidationError([p.within(f"{name}, ") for p in problems])
    return insert(con, items, origin)


def load_csv(con: duckdb.DuckDBPyConnection, path: Path, method: Methodology) -> int:
    """A ledger CSV file (the columns of ``LEDGER_COLUMNS``), all rows or none."""
    path = Path(path)
    text = evidence.read_csv_text(path)
    rows = evidence.parse_csv(text, REQUIRED_COLUMNS, path.name)
    return load_rows(con, rows, method, name=path.name)


def rows(con: duckdb.DuckDBPyConnection, dependent: str | None = None) -> pd.DataFrame:
    """The ledger as its CSV columns (dates as ISO text, evidence ids joined by ``;``),
    ordered by id then known_from: the export, and a file ``load_csv`` takes back."""
    return con.execute(
        """
        SELECT l.id, strftime(l.known_from, '%Y-%m-%d') AS known_from, l.dependent,
               l.supplier, l.chip, l.channel, l.quantity, l.unit, l.status,
               strftime(l.start, '%Y-%m-%d') AS start,
               strftime(l.full_by, '%Y-%m-%d') AS full_by,
               strftime(l."end", '%Y-%m-%d') AS "end",
               (SELECT string_agg(e.evidence_id, ';' ORDER BY e.evidence_id)
                FROM ledger_evidence e
                WHERE e.id = l.id AND e.known_from = l.known_from) AS evidence,
               l.note
        FROM ledger l
        WHERE ? IS NULL OR l.dependent = ?
        ORDER BY l.id, l.known_from
        """,
        [dependent, dependent],
    ).df()
