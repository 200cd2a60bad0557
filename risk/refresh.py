"""Every derived table rebuilt by one call: the signal scores and the reliance indicators.

Both are functions of the same evidence, ledger and methodology, so they must never drift
apart: a write that changes any input (an import, a form, an accepted candidate, a new
methodology version, a new day) calls ``recompute``, and readiness asks ``is_current``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from risk import db, reliance, scoring
from risk.methodology import Methodology, save_as


def recompute(
    con: duckdb.DuckDBPyConnection, method: Methodology, end: date | None = None
) -> int:
    """Re-score the signals and recompute reliance in the caller's transaction; returns the
    number of score rows (what ``python -m risk score`` has always reported)."""
    rows = scoring.rescore(con, method, end)
    reliance.compute(con, method, end=end)
    return rows


def reliance_is_current(con: duckdb.DuckDBPyConnection, method: Methodology) -> bool:
    """Whether the stored indicators were made with this methodology and reach its end."""
    row = con.execute(
        "SELECT methodology_version, grid_end FROM reliance_runs "
        "ORDER BY computed_at DESC LIMIT 1"
    ).fetchone()
    return row is not None and row[0] == method.version and row[1] >= reliance.grid_end(method)


def is_current(con: duckdb.DuckDBPyConnection, method: Methodology) -> bool:
    return scoring.is_current(con, method) and reliance_is_current(con, method)


def adopt(method: Methodology, semver: str, db_file: str | Path,
          methodology_file: str | Path) -> Methodology:  # fmt: skip
    """Make a what-if the methodology in force: save it under a new version and recompute
    all history with it. The version it replaces stays recorded in ``methodology_versions``."""
    saved = save_as(method, semver, methodology_file)
    db.write_with_retry(lambda con: recompute(con, saved), db_file)
    return saved
