"""Alerts: a composite that crossed a threshold, or jumped, in the stored score history.

Thresholds live in the methodology file so the firm agrees on them once; the dashboard
banner and the exported ``alerts.csv`` both come from here.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from risk.methodology import COMPOSITE, Methodology

ALERT_COLUMNS = ["dependent", "date", "kind", "score", "previous", "change", "message"]


_DETECT = """
WITH h AS (
    SELECT dependent, date, score,
           lag(score) OVER w AS prev,
           lag(score, $days) OVER w AS before
    FROM scores WHERE family = $family
    WINDOW w AS (PARTITION BY dependent ORDER BY date)
)
SELECT dependent, date, 'above_high' AS kind, score, prev AS previous, 0 AS k
FROM h WHERE prev < $high AND $high <= score
UNION ALL
SELECT dependent, date, 'below_low', score, prev, 1
FROM h WHERE prev > $low AND $low >= score
UNION ALL
SELECT dependent, date, 'jump', score, before, 2
FROM h WHERE before IS NOT NULL AND abs(score - before) >= $jump AND abs(prev - before) < $jump
ORDER BY dependent, date, k
"""


def detect(con: duckdb.DuckDBPyConnection, method: Methodology) -> pd.DataFrame:
    """Every crossing of the high/low thresholds and every jump, oldest first per dependent:
    one pass of window functions over the stored composite history."""
    high = method.alerts.get("high", 65.0)
    low = method.alerts.get("low", 35.0)
    jump = method.alerts.get("jump_points", 8.0)
    days = int(method.alerts.get("jump_days", 30))
    found = con.execute(_DETECT, {"family": COMPOSITE, "high": high, "low": low,
                                  "jump": jump, "days": days}).df()  # fmt: skip
    texts = {"above_high": lambda now, prev: f"composite crossed {high:g}",
             "below_low": lambda now, prev: f"composite crossed {low:g}",
             "jump": lambda now, prev: f"moved {now - prev:+.1f} points in {days} days"}
    rows = [_row(r.dependent, r.date, r.kind, r.score, r.previous,
                 texts[r.kind](r.score, r.previous)) for r in found.itertuples()]  # fmt: skip
    return pd.DataFrame(rows, columns=ALERT_COLUMNS)


def _row(dependent: str, day: object, kind: str, now: float, prev: float, text: str) -> dict:
    return {"dependent": dependent, "date": day, "kind": kind, "score": float(now),
            "previous": float(prev), "change": float(now - prev), "message": text}  # fmt: skip


def active(
    con: duckdb.DuckDBPyConnection, method: Methodology, within_days: int = 90
) -> pd.DataFrame:
    """Alerts from the last ``within_days`` of the grid: what the headline banner shows."""
    alerts = detect(con, method)
    if alerts.empty:
        return alerts
    last = con.execute("SELECT max(date) FROM scores").fetchone()[0]
    recent = pd.to_datetime(alerts["date"]) >= pd.Timestamp(last) - pd.Timedelta(days=within_days)
    return alerts[recent].reset_index(drop=True)
