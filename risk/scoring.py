"""The methodology, computed in DuckDB in one pass over the evidence.

Family pressure on day t is a decayed sum of signed, confidence-weighted magnitudes:

    P_f(t) = sum_{e in f, date_e <= t} s_e * m_e * c_e * 2^(-(t - date_e) / h_f)

Rewritten as 2^(-(t - t0)/h_f) * cumsum_e(s_e * m_e * c_e * 2^((date_e - t0)/h_f)), it is a
running sum over a daily grid, so the work grows with evidence + days, not their product.
Scores are derived data: they can always be thrown away and rebuilt from the evidence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd
import pyarrow as pa

from risk import db
from risk.methodology import COMPOSITE, Methodology

SCORE_COLUMNS = [
    "dependent", "family", "date", "pressure", "score", "band_low", "band_high", "mass",
]  # fmt: skip
# The decay factor 2^(span / h) must stay far from float overflow (about 2^1023).
_MAX_HALF_LIVES_SPANNED = 900


def grid_bounds(con: duckdb.DuckDBPyConnection, method: Methodology) -> tuple[date, date]:
    """The daily grid: from the configured start (or the oldest evidence) to the end day."""
    oldest = con.execute("SELECT min(date) FROM evidence WHERE vendor = ?", [method.vendor])
    first = oldest.fetchone()[0]
    start = min(method.grid_start, first) if first else method.grid_start
    end = method.grid_end or date.today()
    return start, max(start, end)


def _check_span(method: Methodology, start: date, end: date) -> None:
    shortest = min(f.half_life_days for f in method.families.values())
    if (end - start).days / shortest > _MAX_HALF_LIVES_SPANNED:
        raise ValueError(
            f"a half-life of {shortest:g} days over {(end - start).days} days is too short to "
            "compute stably; raise half_life_days or move grid_start later"
        )


def _values(rows: list[tuple], types: tuple[str, ...]) -> tuple[str, list]:
    """A parameterised, typed VALUES list: ('(?::VARCHAR, ?::DOUBLE), ...', flat params)."""
    placeholder = "(" + ", ".join(f"?::{t}" for t in types) + ")"
    return ", ".join([placeholder] * len(rows)), [v for row in rows for v in row]


def _score_sql(method: Methodology, start: date, end: date) -> tuple[str, list]:
    fams = [(f.name, f.weight, f.half_life_days, f.scale) for f in method.families.values()]
    fam_sql, fam_params = _values(fams, ("VARCHAR", "DOUBLE", "DOUBLE", "DOUBLE"))
    rel_sql, rel_params = _values(list(method.reliability.items()), ("VARCHAR", "DOUBLE"))
    cred_sql, cred_params = _values(list(method.credibility.items()), ("TINYINT", "DOUBLE"))
    sql = f"""
    WITH fam(family, weight, h, k) AS (VALUES {fam_sql}),
    rel(grade, factor) AS (VALUES {rel_sql}),
    cred(grade, factor) AS (VALUES {cred_sql}),
    ev AS (
        SELECT e.dependent, e.family, e.date, fam.h,
               e.direction * e.magnitude * rel.factor * cred.factor AS signed,
               e.magnitude * rel.factor * cred.factor AS unsigned
        FROM evidence e
        JOIN sources s ON s.id = e.source_id
        JOIN rel ON rel.grade = s.reliability
        JOIN cred ON cred.grade = e.credibility
        JOIN fam ON fam.family = e.family
        WHERE e.vendor = ? AND e.date <= ?::DATE
    ),
    daily AS (
        SELECT dependent, family, date,
               sum(signed * pow(2, (date - ?::DATE) / h)) AS signed_up,
               sum(unsigned * pow(2, (date - ?::DATE) / h)) AS unsigned_up
        FROM ev GROUP BY dependent, family, date
    ),
    grid AS (
        SELECT d.dependent, fam.family, fam.h, fam.k, CAST(g.day AS DATE) AS date
        FROM (SELECT DISTINCT dependent FROM ev) d
        CROSS JOIN fam
        CROSS JOIN generate_series(?::DATE, ?::DATE, INTERVAL 1 DAY) AS g(day)
    ),
    running AS (
        SELECT g.dependent, g.family, g.date, g.h, g.k,
               sum(coalesce(daily.signed_up, 0)) OVER w AS signed_run,
               sum(coalesce(daily.unsigned_up, 0)) OVER w AS unsigned_run
        FROM grid g
        LEFT JOIN daily USING (dependent, family, date)
        WINDOW w AS (PARTITION BY g.dependent, g.family ORDER BY g.date
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    ),
    family_scores AS (
        SELECT dependent, family, date,
               signed_run * pow(2, -(date - ?::DATE) / h) AS pressure,
               unsigned_run * pow(2, -(date - ?::DATE) / h) AS mass, k
        FROM running
    ),
    scored AS (
        SELECT dependent, family, date, pressure, mass,
               50 + 50 * tanh(pressure / k) AS score,
               ? / sqrt(1 + mass / ?) AS half_width
        FROM family_scores
    ),
    composite AS (
        SELECT s.dependent, '{COMPOSITE}' AS family, s.date, NULL::DOUBLE AS pressure,
               sum(s.mass) AS mass,
               sum(fam.weight * s.score) / sum(fam.weight) AS score,
               sum(fam.weight * s.half_width) / sum(fam.weight) AS half_width
        FROM scored s JOIN fam USING (family)
        GROUP BY s.dependent, s.date
    )
    SELECT dependent, family, date, pressure, score,
           greatest(0.0, score - half_width) AS band_low,
           least(100.0, score + half_width) AS band_high, mass
    FROM (SELECT dependent, family, date, pressure, mass, score, half_width FROM scored
          UNION ALL
          SELECT dependent, family, date, pressure, mass, score, half_width FROM composite)
    ORDER BY dependent, family, date
    """
    params = [
        *fam_params, *rel_params, *cred_params,
        method.vendor, end, start, start, start, end, start, start,
        method.band_max_half_width, method.band_mass_scale,
    ]  # fmt: skip
    return sql, params


def compute(
    con: duckdb.DuckDBPyConnection, method: Methodology, end: date | None = None
) -> pd.DataFrame:
    """Every score on the daily grid, without writing anything (what-if uses this)."""
    start, grid_end = grid_bounds(con, method)
    end = end or grid_end
    _check_span(method, start, end)
    sql, params = _score_sql(method, start, end)
    return con.execute(sql, params).df()


def rescore(
    con: duckdb.DuckDBPyConnection,
    method: Methodology,
    end: date | None = None,
    precomputed: Precomputed | None = None,
) -> int:
    """Replace the stored score set; the caller's transaction makes it all or nothing.

    ``precomputed`` (from ``precompute`` on a copy of the same evidence, done before the
    lock was taken) is written as it stands instead of computing again under the lock."""
    if precomputed is None:
        start, grid_end = grid_bounds(con, method)
        end = end or grid_end
        _check_span(method, start, end)
        sql, params = _score_sql(method, start, end)
        source, source_params = f"SELECT *, ? FROM ({sql})", [method.version, *params]
    else:
        start, end = precomputed.start, precomputed.end
        con.register("precomputed_scores", precomputed.table)
        source, source_params = "SELECT * FROM precomputed_scores", []
    record_methodology(con, method)
    con.execute("DELETE FROM scores")
    try:
        con.execute(
            f"INSERT INTO scores ({', '.join(SCORE_COLUMNS)}, methodology_version) {source}",
            source_params,
        )
    finally:
        if precomputed is not None:
            con.unregister("precomputed_scores")
    rows = con.execute("SELECT count(*) FROM scores").fetchall()[0][0]
    evidence = con.execute(
        "SELECT count(*) FROM evidence WHERE vendor = ?", [method.vendor]
    ).fetchall()[0][0]
    con.execute(
        "INSERT INTO score_runs VALUES (?, ?, ?, ?, ?, ?)",
        [db.utc_now(), method.version, start, end, evidence, rows],
    )
    return rows


@dataclass
class Precomputed:
    """A whole score set computed away from the database (see ``precompute``)."""

    start: date
    end: date
    table: pa.Table


def precompute(stage: duckdb.DuckDBPyConnection, method: Methodology) -> Precomputed:
    """Scores computed in ``stage``, a scratch database holding ``evidence`` and ``sources``
    tables with the columns the score query reads (a copy of what the write will leave)."""
    start, end = grid_bounds(stage, method)
    _check_span(method, start, end)
    sql, params = _score_sql(method, start, end)
    stage.execute(f"CREATE OR REPLACE TEMP TABLE precomputed AS SELECT *, ? FROM ({sql})",
                  [method.version, *params])
    return Precomputed(start, end, stage.sql("SELECT * FROM precomputed").to_arrow_table())


def record_methodology(con: duckdb.DuckDBPyConnection, method: Methodology) -> None:
    con.execute(
        "INSERT INTO methodology_versions VALUES (?, ?, ?, ?, current_timestamp) "
        "ON CONFLICT (version) DO NOTHING",
        [method.version, method.semver, method.config_hash, json.dumps(method.as_dict())],
    )


def is_current(con: duckdb.DuckDBPyConnection, method: Methodology) -> bool:
    """Whether the stored scores were made with this methodology and reach the grid's end."""
    row = con.execute("SELECT any_value(methodology_version), max(date) FROM scores").fetchone()
    if row is None or row[0] is None:
        return False
    return row[0] == method.version and row[1] >= grid_bounds(con, method)[1]


def latest(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The last day's scores per dependent and family, composite first."""
    return con.execute(
        "SELECT dependent, family, date, score, band_low, band_high, pressure, "
        "methodology_version FROM scores WHERE date = (SELECT max(date) FROM scores) "
        "ORDER BY dependent, family <> ?, family",
        [COMPOSITE],
    ).df()
