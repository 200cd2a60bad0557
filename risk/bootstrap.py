"""First use and upgrades: migrate the database and fill it from the bundled CSVs.

A new user's first command (the dashboard or ``python -m risk init``) must leave a
complete, scored database behind; an old database must upgrade in place, keeping its data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from risk import db, evidence, ledger, organisations, refresh
from risk.methodology import Methodology
from risk.paths import DATA_DIR

BUNDLED_ORGANISATIONS = DATA_DIR / "organisations.csv"
BUNDLED_EVIDENCE = DATA_DIR / "evidence.csv"
BUNDLED_LEDGER = DATA_DIR / "capacity.csv"


@dataclass
class InitReport:
    path: Path
    migrations: list[str]
    organisations: int
    evidence: int
    score_rows: int
    ledger: int = 0


def _load_bundled(
    con: duckdb.DuckDBPyConnection, method: Methodology
) -> tuple[int, int, int]:
    org_rows = evidence.parse_csv(
        evidence.read_csv_text(BUNDLED_ORGANISATIONS), organisations.ORG_COLUMNS,
        BUNDLED_ORGANISATIONS.name,
    )  # fmt: skip
    orgs = organisations.upsert(
        con, organisations.validate_rows(org_rows, BUNDLED_ORGANISATIONS.name)
    )
    ev_rows = evidence.parse_csv(
        evidence.read_csv_text(BUNDLED_EVIDENCE), evidence.REQUIRED_COLUMNS,
        BUNDLED_EVIDENCE.name,
    )  # fmt: skip
    items = evidence.import_evidence_rows(con, ev_rows, BUNDLED_EVIDENCE.name, "bundled", method)
    blocks = ledger.load_csv(con, BUNDLED_LEDGER, method)
    return orgs, items, blocks


def init_database(path: str | Path, method: Methodology) -> InitReport:
    """Create or upgrade the database; load the bundled data only into an empty one."""
    target = Path(path)
    with db.connect(target) as con:
        applied = db.migrate(con)

    def fill(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int, int]:
        empty = con.execute("SELECT count(*) FROM evidence").fetchone()[0] == 0
        orgs, items, blocks = _load_bundled(con, method) if empty else (0, 0, 0)
        rows = 0
        if empty or not refresh.is_current(con, method):
            rows = refresh.recompute(con, method)
        return orgs, items, rows, blocks

    orgs, items, rows, blocks = db.write_with_retry(fill, target)
    return InitReport(target, applied, orgs, items, rows, blocks)


def ensure_ready(path: str | Path, method: Methodology) -> Path:
    """Cheap check run before every use: initialise or re-score only when something is
    missing or stale (new migration, changed methodology, or a new day to score)."""
    target = Path(path)
    if target.exists():
        with db.connect(target) as con:
            ready = not db.needs_migration(con) and refresh.is_current(con, method)
        if ready:
            return target
    return init_database(target, method).path
