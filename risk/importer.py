"""``python -m risk import``: one CSV file in, all rows or none, then a rescore.

The header says what the file holds: evidence (the columns of ``data/evidence.csv``) or
organisations (``id,name,roles,aliases``). Everything is validated before the first write,
and the write and the rescore share one transaction, so a failure leaves the data as it was.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

from risk import db, evidence, organisations, scoring
from risk.methodology import Methodology


@dataclass
class ImportReport:
    kind: str
    rows: int
    score_rows: int


def _kind(text: str) -> str:
    header = next(csv.reader(io.StringIO(text)), [])
    names = {h.strip() for h in header}
    return "organisations" if set(organisations.ORG_COLUMNS) <= names and "date" not in names else (
        "evidence")  # fmt: skip


def import_file(file: Path, db_file: str | Path, method: Methodology) -> ImportReport:
    """Validate ``file`` completely, then write it and rescore in one transaction."""
    text = evidence.read_csv_text(file)
    kind = _kind(text)
    required = organisations.ORG_COLUMNS if kind == "organisations" else evidence.REQUIRED_COLUMNS
    rows = evidence.parse_csv(text, required, file.name)

    def work(con: duckdb.DuckDBPyConnection) -> ImportReport:
        if kind == "organisations":
            count = organisations.upsert(con, organisations.validate_rows(rows, file.name))
        else:
            count = evidence.import_evidence_rows(con, rows, file.name, "import", method)
        return ImportReport(kind, count, scoring.rescore(con, method))

    return db.write_with_retry(work, db_file)
