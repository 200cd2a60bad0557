"""Alerts: a composite that crossed a threshold, or jumped, in the stored score history.

Thresholds live in the methodology file so the firm agrees on them once; the dashboard
banner and the exported ``alerts.csv`` both come from here.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from risk.methodology import COMPOSITE, Methodology

ALERT_COLUMNS = ["dependent", "date", "kind", "score", "previous", "change", "message"]


def _history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT dependent, date, score FROM scores WHERE family = ? ORDER BY dependent, date",
        [COMPOSITE],
    ).df()


def detect(con: duckdb.DuckDBPyConnection, method: Methodology) -> pd.DataFrame:
    """Every crossing of the high/low thresholds and every jump, oldest first."""
    high = method.alerts.get("high", 65.0)
    low = method.alerts.get("low", 35.0)
    jump = method.alerts.get("jump_points", 8.0)
    days = int(method.alerts.get("jump_days", 30))
    rows: list[dict] = []
    for dependent, hist in _history(con).groupby("dependent", sort=True):
        scores = hist["score"].to_numpy()
        dates = hist["date"].to_list()
        for i in range(1, len(scores)):
            prev, now = scores[i - 1], scores[i]
            for level, name in ((high, "above_high"), (low, "below_low")):
                crossed_up = prev < level <= now
                crossed_down = prev > level >= now
                if (name == "above_high" and crossed_up) or (name == "below_low" and crossed_down):
                    rows.append(_row(dependent, dates[i], name, now, prev,
                                     f"composite crossed {level:g}"))  # fmt: skip
            if i >= days:
                before = scores[i - days]
                if abs(now - before) >= jump and abs(scores[i - 1] - before) < jump:
                    rows.append(_row(dependent, dates[i], "jump", now, before,
                                     f"moved {now - before:+.1f} points in {days} days"))
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
