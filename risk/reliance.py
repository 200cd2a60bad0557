"""Reliance measured in compute: supplier shares, concentration and spend from the ledger.

Every ledger version becomes H100-equivalents (``risk.units``) in three scenarios and ramps
linearly from ``start`` (0) to ``full_by`` (all of it). On a day t it counts:

- deployed: ``a * ramp(t)``; pipeline: ``a * (1 - ramp(t))``, committed but not delivered;
- vendor spend over the trailing twelve months: ``usd * (ramp(t) - ramp(t - 365))``;

while the version is valid on t. **as_known**: from its ``known_from`` to the next version's
``known_from`` (or its ``end``), so a past day uses only what was public then. **hindsight**:
each block's latest version on every day (its pipeline from when the block was first known
or started, whichever is earlier), up to its ``end``.

Each measure is a piecewise-linear function of t, so a version is a handful of events
(day, jump, slope) and a measure on day t is ``J(t) + t*S(t) - D(t)`` with J, S and D
running sums of jump, slope and slope*day: the work grows with rows + days, never
rows x days, and all of it runs in DuckDB in one statement per table.

Scenarios: central = central factors x the status weight; low = contracted, delivering and
deployed rows at weight 1 with low factors; high = every row but cancelled and denied at
weight 1 with high factors. A cancelled or denied version ends what came before it and adds
nothing itself.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import duckdb
import pandas as pd

from risk import db
from risk.errors import ConfigError, NotFoundError
from risk.ledger import units_of
from risk.methodology import Methodology
from risk.scoring import record_methodology
from risk.units import SCENARIOS

VIEWS = ("as_known", "hindsight")
INDICATORS = (
    "vendor_share_deployed", "vendor_share_pipeline", "hhi_deployed", "hhi_pipeline",
    "effective_suppliers_deployed", "effective_suppliers_pipeline", "vendor_spend_ttm_usd",
)  # fmt: skip
UNIT = {
    "vendor_share_deployed": "percent", "vendor_share_pipeline": "percent",
    "hhi_deployed": "index 0-1", "hhi_pipeline": "index 0-1",
    "effective_suppliers_deployed": "suppliers", "effective_suppliers_pipeline": "suppliers",
    "vendor_spend_ttm_usd": "USD",
}  # fmt: skip
RANGE_MEANING = {
    "vendor_share_deployed": (
        "Low assumes the vendor's deployed capacity at its smallest plausible size "
        "(contracted, delivering or deployed rows only, low conversion factors) and every "
        "other supplier's at its largest (everything announced, high factors); high the reverse."
    ),
    "vendor_share_pipeline": (
        "Low takes the vendor's capacity still to be delivered at its smallest (firm rows only, "
        "low factors) and every other supplier's at its largest (everything announced, high "
        "factors); high the reverse."
    ),
    "hhi_deployed": (
        "The lowest and highest concentration of deployed capacity among three scenarios: "
        "status-weighted central factors, firm rows at low factors, everything announced at "
        "high factors."
    ),
    "hhi_pipeline": (
        "The lowest and highest concentration of the capacity still to be delivered among "
        "the central, firm-only-low and everything-high scenarios."
    ),
    "effective_suppliers_deployed": (
        "One over the concentration range: the fewest and the most equally sized suppliers "
        "the deployed capacity amounts to across the three scenarios."
    ),
    "effective_suppliers_pipeline": (
        "One over the concentration range of the pipeline: the fewest and the most equally "
        "sized suppliers across the three scenarios."
    ),
    "vendor_spend_ttm_usd": (
        "Low counts only firm rows (contracted, delivering, deployed) at low conversion "
        "factors and low prices; high counts everything announced at high factors and prices."
    ),
}
PROJECT_DAYS = 3 * 365  # capacity_daily goes this far past the end when blocks ramp later
_EPS = 1e-6  # H100e (or USD) below this are rounding noise of the running sums: 0


def _lit(value: object) -> str:
    """A SQL literal for a methodology value (numbers and short trusted texts)."""
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ConfigError(f"methodology value {value!r} is not finite")
    return repr(number)


def _values(rows: list[tuple], alias: str, names: str) -> str:
    body = ", ".join("(" + ", ".join(_lit(v) for v in row) + ")" for row in rows)
    return f"(VALUES {body}) AS {alias}({names})"


def _versions_sql(method: Methodology, base: date, where: str = "") -> str:
    """Every ledger version (or those ``where`` selects, a whole block at a time) with its
    days (relative to ``base``), validity, and amounts in H100e (a_*) and USD (u_*) per
    scenario, already weighted by status."""
    u = units_of(method)
    weights = [(s, *u.scenario_weights(s)) for s in u.weights]
    chips = [(c.name, *c.h100e) for c in u.chips.values()]
    # supplier-year factors, one row per year between the first and last year in the table;
    # a block's start year is clamped into that span (before it: the earliest year applies)
    years = [y for s in u.suppliers.values() for y in (*s.usd_per_h100e, *s.h100e_per_gw)]
    year_lo, year_hi = min(years), max(years)
    sups = [
        (s.name, year, s.default_chip, *s.usd(year), *s.per_gw(year))
        for s in u.suppliers.values() for year in range(year_lo, year_hi + 1)
    ]  # fmt: skip
    b = f"DATE '{base.isoformat()}'"
    h = {
        x: f"""CASE l.unit WHEN 'H100e' THEN l.quantity
                  WHEN 'chips' THEN l.quantity * c.h_{x}
                  WHEN 'USD' THEN l.quantity / sp.usd_{y}
                  WHEN 'GW' THEN l.quantity * sp.gw_{x}
                  WHEN 'MW' THEN l.quantity / 1000.0 * sp.gw_{x} END"""
        for x, y in (("l", "h"), ("c", "c"), ("h", "l"))
    }
    return f"""
    SELECT l.id, l.known_from, l.dependent, l.supplier, l.chip, l.channel, l.quantity,
           l.unit, l.status, l.start, l.full_by, l."end",
           CAST(l.start - {b} AS BIGINT) AS s, CAST(l.full_by - {b} AS BIGINT) AS f,
           CAST(l.known_from - {b} AS BIGINT) AS kf,
           CAST(l."end" - {b} AS BIGINT) AS e_end,
           CAST(lead(l.known_from) OVER (PARTITION BY l.id ORDER BY l.known_from)
                - {b} AS BIGINT) AS k_next,
           CAST(min(l.known_from) OVER (PARTITION BY l.id) - {b} AS BIGINT) AS k_first,
           l.known_from = max(l.known_from) OVER (PARTITION BY l.id) AS is_latest,
           ({h['l']}) * w.w_l AS a_l, ({h['c']}) * w.w_c AS a_c, ({h['h']}) * w.w_h AS a_h,
           (CASE WHEN l.unit = 'USD' THEN l.quantity ELSE ({h['l']}) * sp.usd_l END) * w.w_l
               AS u_l,
           (CASE WHEN l.unit = 'USD' THEN l.quantity ELSE ({h['c']}) * sp.usd_c END) * w.w_c
               AS u_c,
           (CASE WHEN l.unit = 'USD' THEN l.quantity ELSE ({h['h']}) * sp.usd_h END) * w.w_h
               AS u_h
    FROM ledger l
    JOIN {_values(weights, "w", "status, w_l, w_c, w_h")} ON w.status = l.status
    LEFT JOIN {_values(sups, "sp", "supplier, year, default_chip, usd_l, usd_c, usd_h, "
                       "gw_l, gw_c, gw_h")}
           ON sp.supplier = l.supplier
          AND sp.year = least(greatest(year(l.start), {year_lo}), {year_hi})
    LEFT JOIN {_values(chips, "c", "chip, h_l, h_c, h_h")}
           ON c.chip = coalesce(l.chip, sp.default_chip)
    {where}
    """


def _pieces_sql(versions: str) -> str:
    """Each version once per view, with its window: deployed and spend count on [v0, v1),
    the pipeline on [w0, v1); NULL is minus or plus infinity."""
    return f"""
    WITH v AS ({versions})
    SELECT *, 'as_known' AS view, kf AS v0, least(k_next, e_end) AS v1, kf AS w0 FROM v
    WHERE least(k_next, e_end) IS NULL OR least(k_next, e_end) > kf
    UNION ALL
    SELECT *, 'hindsight' AS view, NULL AS v0, e_end AS v1, least(k_first, s) AS w0 FROM v
    WHERE is_latest
    """


def _tail(s: str, f: str, x: str, sign: str, kind: int, cond: str) -> list[str]:
    """Events of ``sign * ramp(t)`` for t >= x (x NULL: from the start), as structs."""
    xp = f"greatest(coalesce({x}, {s}), {s})"
    rho = f"(CASE WHEN {xp} >= {f} THEN 1.0 ELSE ({xp} - {s}) / ({f} - {s}) END)::DOUBLE"
    k = f"(CASE WHEN {xp} < {f} THEN 1.0 / ({f} - {s}) ELSE 0.0 END)::DOUBLE"
    when = f"CASE WHEN {cond} THEN" if cond else "CASE WHEN TRUE THEN"
    return [
        f"{when} {{'k': {kind}, 'e': {xp}, 'j': {sign}{rho}, 's': {sign}{k}}} END",
        f"{when} {{'k': {kind}, 'e': {f}, 'j': 0.0::DOUBLE, 's': -({sign}{k})}} END",
    ]


def _events(spend: bool) -> str:
    """The events of one piece. Capacity (kind 0 the deployed ramp, kind 1 the pipeline
    window as 0/1 steps) or spend (kind 0 the ramp, kind 2 minus the ramp a year later)."""
    structs = [*_tail("s", "f", "v0", "+", 0, ""), *_tail("s", "f", "v1", "-", 0, "v1 IS NOT NULL")]
    if spend:
        structs += [
            *_tail("s + 365", "f + 365", "v0", "-", 2, ""),
            *_tail("s + 365", "f + 365", "v1", "+", 2, "v1 IS NOT NULL"),
        ]
    else:
        structs += [
            "{'k': 1, 'e': w0, 'j': 1.0::DOUBLE, 's': 0.0::DOUBLE}",
            "CASE WHEN v1 IS NOT NULL THEN {'k': 1, 'e': v1, 'j': -1.0::DOUBLE, "
            "'s': 0.0::DOUBLE} END",
        ]
    return ",\n                ".join(structs)


def _running_sql(pieces: str, keys: str, sums: list[str], values: list[str], spend: bool,
                 last: int) -> str:
    """Events -> sums per key and event day -> running sums on event days -> each event day's
    sums repeated on every day until the next event day (and zeros from the dependent's first
    day to its first event): rows + days, no join between them."""
    cols = [c.split(" AS ")[-1] for c in sums]
    running = ", ".join(f"sum({c}) OVER w AS {c}" for c in cols)
    zeros = ", ".join(f"0.0 AS {c}" for c in cols)
    return f"""
    WITH deps AS (  -- a dependent's series starts when its first block is known or starts
        SELECT dependent, greatest(min(least(kf, s)), 0) AS d0 FROM {pieces}
        GROUP BY dependent HAVING greatest(min(least(kf, s)), 0) <= {last}
    ),
    ev AS (
        SELECT {keys}, a_l, a_c, a_h, u_l, u_c, u_h, unnest([
                {_events(spend)}
               ]) AS x
        FROM {pieces} {"WHERE is_vendor" if spend else ""}
    ),
    agg AS (
        SELECT {keys}, greatest(x.e, d0) AS day, {", ".join(sums)}
        FROM ev JOIN deps USING (dependent)
        WHERE x IS NOT NULL AND x.e <= {last} AND (x.j <> 0 OR x.s <> 0)
        GROUP BY ALL
    ),
    running AS (
        SELECT {keys}, day, lead(day, 1, {last} + 1) OVER w AS until, {running} FROM agg
        WINDOW w AS (PARTITION BY {keys} ORDER BY day
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    ),
    segments AS (
        SELECT * FROM running
        UNION ALL
        SELECT {keys}, any_value(d0) AS day, min(day) AS until, {zeros}
        FROM running JOIN deps USING (dependent)
        GROUP BY {keys} HAVING min(day) > any_value(d0)
    ),
    cum AS (
        SELECT * EXCLUDE (day, until), unnest(range(day, until)) AS day FROM segments
    )
    SELECT {keys}, day, {", ".join(values)} FROM cum
    """


def _positive(expr: str, name: str) -> str:
    return f"CASE WHEN {expr} > {_EPS} THEN {expr} ELSE 0.0 END AS {name}"


def _capacity_sql(pieces: str, last: int) -> str:
    """Per dependent, view, supplier and day (offsets up to ``last``): deployed and
    pipeline H100e per scenario (dep_x, pipe_x)."""
    sums, values = [], []
    for x in ("l", "c", "h"):
        sums += [
            f"sum(CASE WHEN x.k = 0 THEN x.j * a_{x} ELSE 0.0 END) AS jd_{x}",
            f"sum(CASE WHEN x.k = 0 THEN x.s * a_{x} ELSE 0.0 END) AS sd_{x}",
            f"sum(CASE WHEN x.k = 0 THEN x.s * x.e * a_{x} ELSE 0.0 END) AS dd_{x}",
            f"sum(CASE WHEN x.k = 1 THEN x.j * a_{x} ELSE 0.0 END) AS jw_{x}",
        ]
        dep = f"(jd_{x} + day * sd_{x} - dd_{x})"
        values += [_positive(dep, f"dep_{x}"), _positive(f"jw_{x} - {dep}", f"pipe_{x}")]
    return _running_sql(pieces, "dependent, view, supplier", sums, values, False, last)


def _spend_sql(pieces: str, last: int) -> str:
    """Per dependent, view and day: the vendor's trailing-twelve-month USD per scenario."""
    sums, values = [], []
    for x in ("l", "c", "h"):
        sums += [
            f"sum(x.j * u_{x}) AS ju_{x}",
            f"sum(x.s * u_{x}) AS su_{x}",
            f"sum(x.s * x.e * u_{x}) AS du_{x}",
        ]
        values.append(_positive(f"(ju_{x} + day * su_{x} - du_{x})", f"spend_{x}"))
    return _running_sql(pieces, "dependent, view", sums, values, True, last)


def _indicators_sql(method: Methodology, capacity: str, spend: str, base: date,
                    end: int) -> str:
    """The seven indicators per dependent, view and day, long format."""
    vendor = _lit(method.vendor)
    parts = []
    for m in ("dep", "pipe"):
        for x in ("l", "c", "h"):
            parts += [
                f"sum(CASE WHEN supplier = {vendor} THEN {m}_{x} ELSE 0 END) AS {m}_v_{x}",
                f"sum({m}_{x}) AS {m}_t_{x}",
                f"sum({m}_{x} * {m}_{x}) AS {m}_q_{x}",
            ]

    def hhi(m: str, x: str) -> str:
        return f"CASE WHEN {m}_t_{x} > 0 THEN {m}_q_{x} / ({m}_t_{x} * {m}_t_{x}) END"

    def row(name: str, triple: tuple[str, str, str]) -> str:
        """The range always holds the central value (status weights below 1 can put the
        central value outside the low and high scenarios)."""
        value, low, high = (f"({x})" for x in triple)
        return (f"{{'i': '{name}', 'v': {value}, 'lo': least({low}, {value}), "
                f"'hi': greatest({high}, {value})}}")

    structs = []
    for m, suffix in (("dep", "deployed"), ("pipe", "pipeline")):
        v, t = f"{m}_v", f"{m}_t"
        o_l, o_c, o_h = (f"greatest({t}_{x} - {v}_{x}, 0.0)" for x in ("l", "c", "h"))
        structs.append(row(f"vendor_share_{suffix}", (
            f"CASE WHEN {v}_c + {o_c} > 0 THEN 100 * ({v}_c / ({v}_c + {o_c})) END",
            f"CASE WHEN {v}_l + {o_h} > 0 THEN 100 * ({v}_l / ({v}_l + {o_h})) END",
            f"CASE WHEN {v}_h + {o_l} > 0 THEN 100 * ({v}_h / ({v}_h + {o_l})) END",
        )))
        hs = [hhi(m, x) for x in ("l", "c", "h")]
        structs.append(row(f"hhi_{suffix}", (hs[1], f"least({', '.join(hs)})",
                                             f"greatest({', '.join(hs)})")))
        structs.append(row(f"effective_suppliers_{suffix}", (
            f"1.0 / ({hs[1]})", f"1.0 / greatest({', '.join(hs)})",
            f"1.0 / least({', '.join(hs)})",
        )))
    structs.append(row("vendor_spend_ttm_usd", (
        "coalesce(spend_c, 0.0)", "coalesce(spend_l, 0.0)", "coalesce(spend_h, 0.0)")))
    return f"""
    WITH per_day AS (
        SELECT dependent, view, day, {", ".join(parts)}
        FROM {capacity} WHERE day <= {end} GROUP BY ALL
    ),
    long AS (
        SELECT dependent, view, day, unnest([{", ".join(structs)}]) AS r
        FROM per_day LEFT JOIN {spend} USING (dependent, view, day)
    )
    SELECT dependent, view, DATE '{base.isoformat()}' + CAST(day AS INTEGER) AS date,
           r.i AS indicator, r.v AS value, r.lo AS low, r.hi AS high
    FROM long
    """


def grid_end(method: Methodology) -> date:
    return method.grid_end or date.today()


def compute(
    con: duckdb.DuckDBPyConnection,
    method: Methodology,
    start: date | None = None,
    end: date | None = None,
    project_days: int = PROJECT_DAYS,
) -> int:
    """Recompute every indicator for every dependent, both views, days ``start`` (default
    the methodology's grid start) to ``end`` (default its grid end, today), and the capacity
    by supplier up to ``project_days`` further where blocks still ramp. Replaces the stored
    tables; the caller's transaction makes it all or nothing. Returns the indicator rows."""
    units_of(method)
    start = start or method.grid_start
    end = end or grid_end(method)
    if end < start:
        raise ConfigError(f"reliance grid ends ({end}) before it starts ({start})")
    last_full_by = con.execute("SELECT max(full_by) FROM ledger").fetchone()[0]
    stop = end
    if last_full_by is not None and last_full_by > end:
        stop = min(last_full_by, end + timedelta(days=project_days))
    end_day, last_day = (end - start).days, (stop - start).days
    _check_conversions(con, method)
    record_methodology(con, method)
    con.execute("DELETE FROM reliance")
    con.execute("DELETE FROM capacity_daily")
    temps = ("_pieces_tmp", "_spend_tmp")
    for name in temps:
        con.execute(f"DROP TABLE IF EXISTS {name}")
    base = f"DATE '{start.isoformat()}'"
    try:
        con.execute(
            f"CREATE TEMP TABLE _pieces_tmp AS SELECT *, supplier = {_lit(method.vendor)} "
            f"AS is_vendor FROM ({_pieces_sql(_versions_sql(method, start))})"
        )
        con.execute(f"CREATE TEMP TABLE _spend_tmp AS {_spend_sql('_pieces_tmp', end_day)}")
        con.execute(
            f"INSERT INTO capacity_daily SELECT dependent, view, {base} + CAST(day AS INTEGER), "
            f"supplier, dep_c, dep_l, dep_h, pipe_c, pipe_l, pipe_h, day > {end_day}, ? "
            f"FROM ({_capacity_sql('_pieces_tmp', last_day)})",
            [method.version],
        )
        capacity = (
            f"(SELECT dependent, view, supplier, CAST(date - {base} AS BIGINT) AS day, "
            "deployed_low AS dep_l, deployed_h100e AS dep_c, deployed_high AS dep_h, "
            "pipeline_low AS pipe_l, pipeline_h100e AS pipe_c, pipeline_high AS pipe_h "
            "FROM capacity_daily WHERE NOT projected)"
        )
        indicators = _indicators_sql(method, capacity, "_spend_tmp", start, end_day)
        con.execute(
            "INSERT INTO reliance SELECT dependent, view, date, indicator, value, low, high, ? "
            f"FROM ({indicators})",
            [method.version],
        )
    finally:
        for name in temps:
            con.execute(f"DROP TABLE IF EXISTS {name}")
    rows = con.execute("SELECT count(*) FROM reliance").fetchone()[0]
    versions = con.execute("SELECT count(*) FROM ledger").fetchone()[0]
    con.execute(
        "INSERT INTO reliance_runs VALUES (?, ?, ?, ?, ?, ?)",
        [db.utc_now(), method.version, start, end, versions, rows],
    )
    return rows


def _check_conversions(con: duckdb.DuckDBPyConnection, method: Methodology) -> None:
    """Stored rows the methodology in force cannot convert (a factor removed since)."""
    u = units_of(method)
    bad = []
    for block, unit, supplier, chip in con.execute(
        "SELECT DISTINCT ON (unit, supplier, chip) id, unit, supplier, chip FROM ledger"
    ).fetchall():
        reason = u.missing_factor(unit, supplier, chip)
        if reason:
            bad.append(f"ledger {block}: {reason}")
    if bad:
        raise ConfigError("; ".join(bad))


def _check_view(view: str) -> None:
    if view not in VIEWS:
        raise NotFoundError(f"unknown view {view!r} (known: {', '.join(VIEWS)})")


def _check_indicator(indicator: str) -> None:
    if indicator not in INDICATORS:
        raise NotFoundError(f"unknown indicator {indicator!r} (known: {', '.join(INDICATORS)})")


def latest(con: duckdb.DuckDBPyConnection, view: str = "as_known") -> pd.DataFrame:
    """The last stored day's value of each indicator per dependent (headline cards)."""
    _check_view(view)
    return con.execute(
        """
        SELECT dependent, indicator, date, value, low, high, methodology_version
        FROM reliance WHERE view = ?
        QUALIFY date = max(date) OVER (PARTITION BY dependent, indicator)
        ORDER BY dependent, indicator
        """,
        [view],
    ).df()


def series(
    con: duckdb.DuckDBPyConnection, dependent: str, indicator: str, view: str = "as_known"
) -> pd.DataFrame:
    """One indicator's daily values with their range."""
    _check_view(view)
    _check_indicator(indicator)
    return con.execute(
        "SELECT date, value, low, high, methodology_version FROM reliance "
        "WHERE dependent = ? AND indicator = ? AND view = ? ORDER BY date",
        [dependent, indicator, view],
    ).df()


def capacity_by_supplier(
    con: duckdb.DuckDBPyConnection, dependent: str, view: str = "as_known"
) -> pd.DataFrame:
    """Daily H100e by supplier, deployed and pipeline with their ranges; ``projected``
    marks days after the computed end."""
    _check_view(view)
    return con.execute(
        "SELECT date, supplier, deployed_h100e, deployed_low, deployed_high, pipeline_h100e, "
        "pipeline_low, pipeline_high, projected FROM capacity_daily "
        "WHERE dependent = ? AND view = ? ORDER BY date, supplier",
        [dependent, view],
    ).df()


def explain_indicator(
    con: duckdb.DuckDBPyConnection,
    method: Methodology,
    dependent: str,
    indicator: str,
    day: date,
    view: str = "as_known",
    top: int | None = None,
) -> dict:
    """An indicator on one day, computed directly from the ledger, with the ledger rows
    behind it, largest first. For the shares, vendor rows carry ``100 * h / (V + O)``
    points and other suppliers' rows 0 (they count in the denominator); for HHI, a row of
    supplier k carries ``s_k * h / T``; effective suppliers scale those to sum to 1/HHI;
    spend: each vendor row's TTM USD. The points sum to ``value``."""
    _check_view(view)
    _check_indicator(indicator)
    base = method.grid_start
    t = (day - base).days
    if view == "as_known":
        valid = f"kf <= {t} AND (least(k_next, e_end) IS NULL OR {t} < least(k_next, e_end))"
        pipe_on = "TRUE"
    else:
        valid = f"is_latest AND (e_end IS NULL OR {t} < e_end)"
        pipe_on = f"{t} >= least(k_first, s)"
    ramp = ("CAST(CASE WHEN {t} >= f THEN 1 WHEN {t} < s THEN 0 ELSE ({t} - s) / (f - s) END "
            "AS DOUBLE)")
    rho, rho_year = ramp.format(t=t), ramp.format(t=t - 365)
    vendor, measure = method.vendor, _measure(indicator)
    part = "(1.0 - rho) * pipe_on" if measure == "pipeline" else "rho"
    counts = {  # only the rows that can count in this measure on this day
        "deployed": "rho > 0 AND a_l + a_c + a_h > 0",
        "pipeline": "pipe_on > 0 AND rho < 1 AND a_l + a_c + a_h > 0",
        "spend": f"supplier = {_lit(vendor)} AND rho > rho_year AND u_l + u_c + u_h > 0",
    }[measure]
    found = con.execute(
        f"""
        WITH v AS ({_versions_sql(
            method, base, "WHERE l.id IN (SELECT id FROM ledger WHERE dependent = $dep)")}),
        r AS (
            SELECT *, {rho} AS rho, {rho_year} AS rho_year,
                   CAST(CASE WHEN {pipe_on} THEN 1 ELSE 0 END AS DOUBLE) AS pipe_on
            FROM v WHERE dependent = $dep AND {valid}
        )
        SELECT id, known_from, supplier, chip, channel, status, start, full_by, quantity,
               unit, a_l * {part} AS low, a_c * {part} AS central, a_h * {part} AS high,
               {" , ".join(
                   f"CASE WHEN supplier = {_lit(vendor)} THEN u_{x} * (rho - rho_year) "
                   f"ELSE 0.0 END AS usd_{n}"
                   for x, n in (("l", "low"), ("c", "central"), ("h", "high")))}
        FROM r WHERE {counts}
        """,
        {"dep": dependent},
    )
    cols = [d[0] for d in found.description]
    items = [dict(zip(cols, r, strict=True)) for r in found.fetchall()]
    if not items and not con.execute(
        "SELECT count(*) FROM ledger WHERE dependent = ?", [dependent]
    ).fetchone()[0]:
        raise NotFoundError(f"no ledger rows for dependent {dependent!r}")
    if indicator == "vendor_spend_ttm_usd":
        value, low, high, points = _spend(items)
    else:
        value, low, high, points = _shares(items, indicator, vendor)
    if value is not None:  # as stored: the range holds the central value
        low = value if low is None else min(low, value)
        high = value if high is None else max(high, value)
    amount = "usd_{}" if measure == "spend" else "{}"
    kept = [it for it in items if any(it[amount.format(x)] > 0 for x in SCENARIOS)]
    kept.sort(key=lambda it: (-abs(points.get(id(it), 0.0)), -it["central"], it["id"]))
    evidence = _evidence_of(con, [(it["id"], it["known_from"]) for it in kept])
    contributions = [
        {
            "id": it["id"], "known_from": it["known_from"].isoformat(),
            "supplier": it["supplier"], "chip": it["chip"], "channel": it["channel"],
            "status": it["status"], "start": it["start"].isoformat(),
            "full_by": it["full_by"].isoformat(), "quantity": it["quantity"],
            "unit": it["unit"],
            "h100e": it["central"], "h100e_low": it["low"], "h100e_high": it["high"],
            "usd_ttm": it["usd_central"],
            "points": points.get(id(it), 0.0),
            **evidence.get((it["id"], it["known_from"]), {"evidence": [], "sources": []}),
        }
        for it in kept
    ]  # fmt: skip
    result = {
        "dependent": dependent, "indicator": indicator, "date": day.isoformat(),
        "view": view, "value": value, "low": low, "high": high, "unit": UNIT[indicator],
        "meaning": RANGE_MEANING[indicator], "methodology_version": method.version,
        "contributions": contributions,
    }  # fmt: skip
    if top is not None and len(contributions) > top:
        rest = contributions[top:]
        result["contributions"] = contributions[:top]
        result["omitted"] = {"rows": len(rest), "points": sum(c["points"] for c in rest)}
    return result


def _measure(indicator: str) -> str:
    if indicator == "vendor_spend_ttm_usd":
        return "spend"
    return "pipeline" if indicator.endswith("_pipeline") else "deployed"


def _spend(items: list[dict]) -> tuple:
    values = [sum(it[f"usd_{x}"] for it in items) for x in SCENARIOS]
    values = [v if v > _EPS else 0.0 for v in values]
    points = {id(it): it["usd_central"] for it in items if it["usd_central"]}
    return values[1], values[0], values[2], points


def _shares(items: list[dict], indicator: str, vendor: str) -> tuple:
    """Value, low, high and points per row of a share, HHI or effective-suppliers figure."""
    def snap(v: float) -> float:
        return v if v > _EPS else 0.0

    per_supplier: dict[str, dict[str, float]] = {}
    for it in items:
        sup = per_supplier.setdefault(it["supplier"], dict.fromkeys(SCENARIOS, 0.0))
        for x in SCENARIOS:
            sup[x] += it[x]
    totals = {x: sum(snap(s[x]) for s in per_supplier.values()) for x in SCENARIOS}
    vend = {x: snap(per_supplier.get(vendor, {}).get(x, 0.0)) for x in SCENARIOS}
    points: dict[int, float] = {}
    if indicator.startswith("vendor_share"):
        def share(v: float, o: float) -> float | None:
            return 100.0 * (v / (v + o)) if v + o > 0 else None

        other = {x: max(totals[x] - vend[x], 0.0) for x in SCENARIOS}
        value = share(vend["central"], other["central"])
        low = share(vend["low"], other["high"])
        high = share(vend["high"], other["low"])
        if value is not None:
            whole = vend["central"] + other["central"]
            for it in items:
                if it["supplier"] == vendor:
                    points[id(it)] = 100.0 * (it["central"] / whole)
        return value, low, high, points
    hhis = [
        sum(snap(s[x]) ** 2 for s in per_supplier.values()) / totals[x] ** 2
        if totals[x] > 0 else None
        for x in SCENARIOS
    ]  # fmt: skip
    value = hhis[1]
    known = [h for h in hhis if h is not None]
    low, high = (min(known), max(known)) if known else (None, None)
    if value is not None:
        total = totals["central"]
        shares = {k: snap(s["central"]) / total for k, s in per_supplier.items()}
        scale = 1.0 / value**2 if indicator.startswith("effective") else 1.0
        for it in items:
            points[id(it)] = shares[it["supplier"]] * it["central"] / total * scale
    if indicator.startswith("effective"):
        value = 1.0 / value if value else None
        low, high = (1.0 / high, 1.0 / low) if known else (None, None)
    return value, low, high, points


def _evidence_of(con: duckdb.DuckDBPyConnection, keys: list[tuple]) -> dict:
    """Evidence ids and their sources (publisher, url) per ledger version."""
    if not keys:
        return {}
    frame = pd.DataFrame(keys, columns=["id", "known_from"])
    con.register("_explain_keys", frame)
    try:
        found = con.execute(
            """
            SELECT le.id, le.known_from, le.evidence_id, s.publisher, s.url
            FROM ledger_evidence le
            JOIN (SELECT DISTINCT id, CAST(known_from AS DATE) AS known_from
                  FROM _explain_keys) k USING (id, known_from)
            LEFT JOIN evidence e ON e.id = le.evidence_id
            LEFT JOIN sources s ON s.id = e.source_id
            ORDER BY le.id, le.known_from, le.evidence_id
            """
        ).fetchall()
    finally:
        con.unregister("_explain_keys")
    out: dict = {}
    for block, known, ev, publisher, url in found:
        entry = out.setdefault((block, known), {"evidence": [], "sources": []})
        entry["evidence"].append(ev)
        if publisher is not None:
            source = {"publisher": publisher, "url": url}
            if source not in entry["sources"]:
                entry["sources"].append(source)
    return out
