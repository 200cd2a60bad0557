"""``python -m risk import``: one CSV file in, all rows or none, then a recompute.

The header says what the file holds: evidence (the columns of ``data/evidence.csv``),
organisations (``id,name,roles,aliases``) or capacity-ledger rows (the columns of
``data/capacity.csv``, as an export's ``capacity.csv`` writes them). Everything is validated
before the first write, and the write and the recompute share one transaction, so a failure
leaves the data as it was.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

from risk import access, audit, evidence, ledger, organisations, reliance, scoring
from risk.identity import Actor, local_actor
from risk.methodology import Methodology


@dataclass
class ImportReport:
    kind: str
    rows: int
    score_rows: int


def _kind(text: str) -> str:
    header = [h.strip() for h in next(csv.reader(io.StringIO(text)), [])]
    if ledger.is_ledger_header(header):
        return "ledger"
    names = set(header)
    return "organisations" if set(organisations.ORG_COLUMNS) <= names and "date" not in names else (
        "evidence")  # fmt: skip


REQUIRED = {
    "organisations": organisations.ORG_COLUMNS,
    "evidence": evidence.REQUIRED_COLUMNS,
    "ledger": ledger.REQUIRED_COLUMNS,
}


def _ids(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute(f"SELECT DISTINCT id FROM {table}").fetchall()}


def _write(con: duckdb.DuckDBPyConnection, kind: str, rows: list, name: str,
           method: Methodology, actor: Actor) -> ImportReport:  # fmt: skip
    """Store the rows, record them in the audit trail, then rebuild what they feed: the
    signals, or the reliance indicators."""
    if kind == "organisations":
        actor.require(access.ORGANISATIONS, "organisation.upsert", "organisation", name)
        orgs = organisations.validate_rows(rows, name)
        count = organisations.upsert_audited(con, orgs, actor, source=name)
        return ImportReport(kind, count, scoring.rescore(con, method))
    table = "ledger" if kind == "ledger" else "evidence"
    actor.require(access.LEDGER if kind == "ledger" else access.EVIDENCE, f"{table}.import",
                  table, name)  # fmt: skip
    before = _ids(con, table)
    if kind == "ledger":
        count = ledger.load_rows(con, rows, method, name=name)
    else:
        count = evidence.import_evidence_rows(con, rows, name, "import", method)
    audit.record(con, actor, f"{table}.import", table, name,
                 after={"file": name, "rows": count, "ids": sorted(_ids(con, table) - before)})
    derived = reliance.compute(con, method) if kind == "ledger" else scoring.rescore(con, method)
    return ImportReport(kind, count, derived)


def import_file(
    file: Path, db_file: str | Path, method: Methodology, actor: Actor | None = None
) -> ImportReport:
    """Validate ``file`` completely, then write it, recompute and record it in the audit
    trail in one transaction. Evidence needs the ``evidence`` right, ledger rows the
    ``ledger`` right, organisations the ``organisations`` right (``actor`` None: the local
    OS user)."""
    actor = actor or local_actor()
    text = evidence.read_csv_text(file)
    kind = _kind(text)
    rows = evidence.parse_csv(text, REQUIRED[kind], file.name)
    return audit.write(lambda con: _write(con, kind, rows, file.name, method, actor), db_file)


def add_ledger_row(row: dict[str, str], db_file: str | Path, method: Methodology,
                   actor: Actor | None = None) -> int:  # fmt: skip
    """One ledger version from the dashboard form: validated like an imported line, stored,
    audited and the indicators recomputed in one transaction (needs the ``ledger`` right).
    Returns the number of indicator rows."""
    actor = actor or local_actor()

    def work(con: duckdb.DuckDBPyConnection) -> int:
        actor.require(access.LEDGER, "ledger.add", "ledger", row.get("id", ""))
        ledger.load_rows(con, [(None, row)], method, name="form", origin="form")
        audit.record(con, actor, "ledger.add", "ledger", row.get("id", ""), after=dict(row))
        return reliance.compute(con, method)

    return audit.write(work, db_file)
