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

from risk import ledger, organisations


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


