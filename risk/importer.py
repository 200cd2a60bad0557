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

from risk import access, audit, evidence, organisations, scoring
from risk.identity import Actor, local_actor
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


def import_file(
    file: Path, db_file: str | Path, method: Methodology, actor: Actor | None = None
) -> ImportReport:
    """Validate ``file`` completely, then write it, rescore and record it in the audit
    trail in one transaction. Evidence needs the ``evidence`` right, organisations the
    ``organisations`` right (``actor`` None: the local OS user)."""
    actor = actor or local_actor()
    text = evidence.read_csv_text(file)
    kind = _kind(text)
    required = organisations.ORG_COLUMNS if kind == "organisations" else evidence.REQUIRED_COLUMNS
    rows = evidence.parse_csv(text, required, file.name)

    def work(con: duckdb.DuckDBPyConnection) -> ImportReport:
        if kind == "organisations":
            actor.require(access.ORGANISATIONS, "organisation.upsert", "organisation", file.name)
            orgs = organisations.validate_rows(rows, file.name)
            count = organisations.upsert_audited(con, orgs, actor, source=file.name)
        else:
            actor.require(access.EVIDENCE, "evidence.import", "evidence", file.name)
            before = {r[0] for r in con.execute("SELECT id FROM evidence").fetchall()}
            count = evidence.import_evidence_rows(con, rows, file.name, "import", method)
            ids = sorted({r[0] for r in con.execute("SELECT id FROM evidence").fetchall()}
                         - before)  # fmt: skip
            audit.record(con, actor, "evidence.import", "evidence", file.name,
                         after={"file": file.name, "rows": count, "ids": ids})  # fmt: skip
        return ImportReport(kind, count, scoring.rescore(con, method))

    return audit.write(work, db_file)
