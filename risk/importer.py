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

from risk import db, evidence, ledger, organisations, reliance, scoring
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


def _write(con: duckdb.DuckDBPyConnection, kind: str, rows: list, name: str,
           method: Methodology) -> ImportReport:  # fmt: skip
    """Store the rows, then rebuild what they feed: the signals, or the reliance indicators."""
    if kind == "organisations":
        count = organisations.upsert(con, organisations.validate_rows(rows, name))
        return ImportReport(kind, count, scoring.rescore(con, method))
    if kind == "ledger":
        count = ledger.load_rows(con, rows, method, name=name)
        return ImportReport(kind, count, reliance.compute(con, method))
    count = evidence.import_evidence_rows(con, rows, name, "import", method)
    return ImportReport(kind, count, scoring.rescore(con, method))


def import_file(file: Path, db_file: str | Path, method: Methodology) -> ImportReport:
    """Validate ``file`` completely, then write it and recompute in one transaction."""
    text = evidence.read_csv_text(file)
    kind = _kind(text)
    rows = evidence.parse_csv(text, REQUIRED[kind], file.name)
    return db.write_with_retry(lambda con: _write(con, kind, rows, file.name, method), db_file)
