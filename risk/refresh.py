"""Every derived table rebuilt by one call: the signal scores and the reliance indicators.

Both are functions of the same evidence, ledger and methodology, so they must never drift
apart: a write that changes any input (an import, a form, an accepted candidate, a new
methodology version, a new day) calls ``recompute``, and readiness asks ``is_current``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from risk import access, audit, reliance, scoring
from risk.identity import Actor, local_actor
from risk.methodology import Methodology, load, save_as


def recompute(
    con: duckdb.DuckDBPyConnection, method: Methodology, end: date | None = None
) -> int:
    """Re-score the signals and recompute reliance in the caller's transaction; returns the
    number of score rows (what ``python -m risk score`` has always reported)."""
    rows = scoring.rescore(con, method, end)
    if method.units is not None:  # a methodology without [conversion] scores signals only
        reliance.compute(con, method, end=end)
    return rows


def reliance_is_current(con: duckdb.DuckDBPyConnection, method: Methodology) -> bool:
    """Whether the stored indicators were made with this methodology and reach its end
    (always, for a methodology without conversion factors: it has no indicators)."""
    if method.units is None:
        return True
    row = con.execute(
        "SELECT methodology_version, grid_end FROM reliance_runs "
        "ORDER BY computed_at DESC LIMIT 1"
    ).fetchone()
    return row is not None and row[0] == method.version and row[1] >= reliance.grid_end(method)


def is_current(con: duckdb.DuckDBPyConnection, method: Methodology) -> bool:
    return scoring.is_current(con, method) and reliance_is_current(con, method)


def adopt(method: Methodology, semver: str, db_file: str | Path,
          methodology_file: str | Path, actor: Actor | None = None) -> Methodology:  # fmt: skip
    """Make a what-if the methodology in force: save it under a new version, recompute all
    history with it. The version it replaces stays recorded in ``methodology_versions``.
    ``actor`` needs the ``methodology`` right (None: the local OS user); the refusal comes
    before the file is touched, and the audit row shares the recompute's transaction."""
    actor = actor or local_actor()
    audit.refuse_unless(actor, access.METHODOLOGY, "methodology.save", "methodology", semver,
                        db_file)  # fmt: skip
    previous = load(methodology_file)
    saved = save_as(method, semver, methodology_file)

    def work(con: duckdb.DuckDBPyConnection) -> None:
        recompute(con, saved)
        audit.record(con, actor, "methodology.save", "methodology", saved.version,
                     before={**previous.as_dict(), "full_version": previous.version},
                     after={**saved.as_dict(), "full_version": saved.version})  # fmt: skip

    audit.write(work, db_file)
    return saved
