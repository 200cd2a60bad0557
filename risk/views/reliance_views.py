"""Read models for the reliance panels: what the Overview cards and charts need, ready to draw.

The indicator tables hold one row per day; a chart of ten years needs far fewer points, so
series are thinned here in SQL (the first of each month, plus the last day and the day of
each card) and the pages never hold a day-by-day frame. Names replace ids, and every figure
keeps its range.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import duckdb
import pandas as pd

from risk import reliance
from risk.errors import ValidationError
from risk.methodology import Methodology
from risk.views.reliance_figures import staleness

SHARES = ("vendor_share_deployed", "vendor_share_pipeline")
CARD_INDICATORS = (*SHARES, "effective_suppliers_deployed", "effective_suppliers_pipeline",
                   "vendor_spend_ttm_usd")  # fmt: skip
# A day is drawn when it opens a month or a week: enough to show every ramp, bounded in size.
_THIN = "(day(date) = 1 OR (dayofweek(date) = 1 AND date >= ?))"


def names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT id, name FROM organisations").fetchall())


def dependents_with_ledger(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute("SELECT DISTINCT dependent FROM ledger ORDER BY dependent").fetchall()
    return [r[0] for r in rows]


def _last_evidence(con: duckdb.DuckDBPyConnection) -> dict[str, date]:
    return dict(con.execute("SELECT dependent, max(date) FROM evidence GROUP BY 1").fetchall())


def cards(
    con: duckdb.DuckDBPyConnection, method: Methodology, view: str, today: date
) -> list[dict]:
    """One card per dependent with a ledger: the latest indicators with their ranges, the
    newest evidence date and a warning when it is old."""
    latest = reliance.latest(con, view)
    label = names(con)
    last = _last_evidence(con)
    out = []
    for dependent in dependents_with_ledger(con):
        mine = latest[latest["dependent"] == dependent].set_index("indicator")
        card = {"dependent": dependent, "name": label.get(dependent, dependent),
                "vendor": label.get(method.vendor, method.vendor),
                "last_evidence": last.get(dependent), "as_of": None}  # fmt: skip
        for indicator in CARD_INDICATORS:
            row = mine.loc[indicator] if indicator in mine.index else None
            card[indicator] = _triple(row)
            if row is not None:
                card["as_of"] = pd.Timestamp(row["date"]).date()
        card["warning"] = staleness(card["last_evidence"], today)
        out.append(card)
    return out


def _triple(row: pd.Series | None) -> tuple[float | None, float | None, float | None]:
    if row is None:
        return (None, None, None)
    return tuple(None if pd.isna(row[k]) else float(row[k]) for k in ("value", "low", "high"))


def capacity(con: duckdb.DuckDBPyConnection, dependent: str, view: str,
             today: date) -> pd.DataFrame:  # fmt: skip
    """Deployed H100e by supplier on thinned days, projected past today by the ledger."""
    return con.execute(
        f"""SELECT date, supplier, deployed_h100e, deployed_low, deployed_high, pipeline_h100e
            FROM capacity_daily WHERE dependent = ? AND view = ?
            AND ({_THIN} OR date = ?) ORDER BY date, supplier""",
        [dependent, view, today.replace(year=today.year - 2), today],
    ).df()


def shares(con: duckdb.DuckDBPyConnection, dependent: str, view: str,
           today: date) -> pd.DataFrame:  # fmt: skip
    """The two vendor shares with their ranges on thinned days."""
    return con.execute(
        f"""SELECT date, indicator, value, low, high FROM reliance
            WHERE dependent = ? AND view = ? AND indicator IN (?, ?)
            AND ({_THIN} OR date = ?) AND value IS NOT NULL ORDER BY indicator, date""",
        [dependent, view, *SHARES, today.replace(year=today.year - 2), today],
    ).df()


def peers(con: duckdb.DuckDBPyConnection, view: str, today: date,
          indicator: str = "vendor_share_deployed") -> pd.DataFrame:  # fmt: skip
    """One indicator for every dependent on thinned days: the peer comparison."""
    return con.execute(
        f"""SELECT dependent, date, value, low, high FROM reliance
            WHERE view = ? AND indicator = ? AND ({_THIN} OR date = ?) AND value IS NOT NULL
            ORDER BY dependent, date""",
        [view, indicator, today.replace(year=today.year - 2), today],
    ).df()


def ledger_markers(con: duckdb.DuckDBPyConnection, dependent: str) -> pd.DataFrame:
    """The evidence behind the dependent's ledger, one marker per item, for the capacity chart."""
    return con.execute(
        """SELECT DISTINCT e.id, e.date, e.summary, s.publisher
           FROM ledger l JOIN ledger_evidence le ON le.id = l.id AND le.known_from = l.known_from
           JOIN evidence e ON e.id = le.evidence_id JOIN sources s ON s.id = e.source_id
           WHERE l.dependent = ? ORDER BY e.date, e.id""",
        [dependent],
    ).df()


def ledger_table(con: duckdb.DuckDBPyConnection, dependent: str | None = None) -> pd.DataFrame:
    """The ledger as analysts read it: one line per version, newest knowledge last; dates as
    ``YYYY-MM-DD`` and empty text where a value is absent (never ``None`` or a time)."""
    frame = con.execute(
        """SELECT l.id, CAST(l.known_from AS VARCHAR) AS known_from, l.dependent, l.supplier,
                  coalesce(l.chip, '') AS chip, l.channel, l.quantity, l.unit, l.status,
                  CAST(l.start AS VARCHAR) AS start, CAST(l.full_by AS VARCHAR) AS full_by,
                  coalesce(CAST(l."end" AS VARCHAR), '') AS "end",
                  string_agg(le.evidence_id, '; ' ORDER BY le.evidence_id) AS evidence,
                  coalesce(l.note, '') AS note
           FROM ledger l LEFT JOIN ledger_evidence le
             ON le.id = l.id AND le.known_from = l.known_from
           WHERE ? IS NULL OR l.dependent = ?
           GROUP BY ALL ORDER BY 3, 1, 2""",
        [dependent, dependent],
    ).df()
    return frame


def with_trial_units(method: Methodology, status_weights: dict[str, float],
                     chip_h100e: dict[str, float]) -> Methodology:  # fmt: skip
    """A what-if copy of ``method`` with other central status weights and chip factors (the
    low and high factors move with the central one, keeping their ratios)."""
    units = method.units
    if units is None:
        return method
    chips = {}
    for name, chip in units.chips.items():
        new = float(chip_h100e.get(name, chip.h100e[1]))
        if new <= 0 or not math.isfinite(new):
            raise ValidationError(f"chip {name}: H100e per chip must be a positive number")
        scale = new / chip.h100e[1] if chip.h100e[1] else 1.0
        chips[name] = replace(chip, h100e=(chip.h100e[0] * scale, new, chip.h100e[2] * scale))
    weights = dict(units.weights)
    for status, weight in status_weights.items():
        if not 0.0 <= float(weight) <= 1.0:
            raise ValidationError(f"status {status}: weight must be between 0 and 1")
        weights[status] = float(weight)
    return replace(method, units=replace(units, weights=weights, chips=chips))


def what_if_shares(con: duckdb.DuckDBPyConnection, method: Methodology, trial: Methodology,
                   day: date) -> list[dict]:  # fmt: skip
    """Each dependent's two vendor shares on ``day`` under the saved and the trial units,
    computed from the ledger; nothing is written."""
    out = []
    for dependent in dependents_with_ledger(con):
        row = {"dependent": dependent}
        for indicator in SHARES:
            saved = reliance.explain_indicator(con, method, dependent, indicator, day, top=0)
            tried = reliance.explain_indicator(con, trial, dependent, indicator, day, top=0)
            row[indicator] = (saved["value"], tried["value"])
        out.append(row)
    return out


def _triple_text(value: tuple[float, float, float], digits: int = 2) -> str:
    low, central, high = value
    return f"{central:,.{digits}f} ({low:,.{digits}f}-{high:,.{digits}f})"


def conversion_tables(method: Methodology) -> dict[str, pd.DataFrame]:
    """The methodology's capacity-ledger parameters as three tables for the Methodology page:
    status weights, chip factors, supplier factors by year (central with low-high)."""
    units = method.units
    if units is None:
        return {}
    statuses = pd.DataFrame([
        {"status": s, "central weight": w, "counts in low": s in units.low_statuses,
         "counts in high": s in units.high_statuses} for s, w in units.weights.items()])
    chips = pd.DataFrame([
        {"chip": c.name, "supplier": c.supplier, "H100e per chip": _triple_text(c.h100e),
         "kW per chip (all-in)": _triple_text(c.kw), "source": c.source}
        for c in units.chips.values()])
    suppliers = pd.DataFrame([
        {"supplier": s.name, "from year": year, "default chip": s.default_chip or "",
         "USD per H100e": _triple_text(s.usd_per_h100e[year], 0)
         if year in s.usd_per_h100e else "",
         "H100e per GW": _triple_text(s.h100e_per_gw[year], 0)
         if year in s.h100e_per_gw else "", "source": s.source}
        for s in units.suppliers.values()
        for year in sorted({*s.usd_per_h100e, *s.h100e_per_gw})])  # fmt: skip
    return {"statuses": statuses, "chips": chips, "suppliers": suppliers}


def evidence_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Evidence ids, newest first, for the ledger form's pick list."""
    return [r[0] for r in con.execute("SELECT id FROM evidence ORDER BY date DESC, id").fetchall()]


def next_block_id(con: duckdb.DuckDBPyConnection, prefix: str = "LG-") -> str:
    """The next free ``LG-NNNN`` block id."""
    numbers = [int(r[0][len(prefix):]) for r in con.execute(
        "SELECT DISTINCT id FROM ledger WHERE starts_with(id, ?)", [prefix]).fetchall()
        if r[0][len(prefix):].isdigit()]  # fmt: skip
    return f"{prefix}{max(numbers, default=0) + 1:04d}"
