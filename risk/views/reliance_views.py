"""Read models for the reliance panels: what the Overview cards and charts need, ready to draw.

The indicator tables hold one row per day; a chart of ten years needs far fewer points, so
series are thinned here in SQL (the first of each month, plus the last day and the day of
each card) and the pages never hold a day-by-day frame. Names replace ids, and every figure
keeps its range.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from risk import reliance
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
    """The ledger as analysts read it: one line per version, newest knowledge last."""
    frame = con.execute(
        """SELECT l.id, l.known_from, l.dependent, l.supplier, l.chip, l.channel, l.quantity,
                  l.unit, l.status, l.start, l.full_by, l."end",
                  string_agg(le.evidence_id, '; ' ORDER BY le.evidence_id) AS evidence, l.note
           FROM ledger l LEFT JOIN ledger_evidence le
             ON le.id = l.id AND le.known_from = l.known_from
           WHERE ? IS NULL OR l.dependent = ?
           GROUP BY ALL ORDER BY l.dependent, l.id, l.known_from""",
        [dependent, dependent],
    ).df()
    return frame
