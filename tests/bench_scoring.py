"""Benchmark: scoring work grows with evidence + days, not evidence x days.

Run: python tests/bench_scoring.py

It builds synthetic databases in a temporary folder, times ``scoring.compute`` (the same
SQL that ``python -m risk score`` runs) and, as the reference in the same process, a
direct evaluation of the formula that touches every (item, day) pair. It prints times and
ratios; it asserts nothing, because speed belongs in figures, not in pass/fail tests.
"""

from __future__ import annotations

import math
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import methodology_dict

from risk import db, evidence, organisations, scoring
from risk.methodology import from_dict


def build(path: Path, items: int, days: int) -> tuple:
    start = date(2000, 1, 1)
    raw = methodology_dict()
    raw["grid_start"] = start.isoformat()
    raw["grid_end"] = (start + timedelta(days=days - 1)).isoformat()
    method = from_dict(raw)
    rng = random.Random(items * 7919 + days)
    with db.transaction(path) as con:
        organisations.upsert(con, [
            organisations.Organisation("microsoft", "Microsoft", ("dependent",), ()),
            organisations.Organisation("openai", "OpenAI", ("dependent",), ()),
            organisations.Organisation("nvidia", "Nvidia", ("vendor",), ()),
        ])  # fmt: skip
        rows = []
        for i in range(items):
            when = start + timedelta(days=rng.randrange(days))
            rows.append({
                "id": f"B-{i}", "date": when, "date_precision": "day",
                "dependent": rng.choice(["microsoft", "openai"]), "vendor": "nvidia",
                "counterparty": None, "family": rng.choice(list(method.families)),
                "direction": rng.choice([1, -1]), "magnitude": rng.randint(1, 5),
                "credibility": rng.randint(1, 6), "amount_usd": None, "quantity": None,
                "unit": None, "summary": "synthetic", "grading_note": None,
                "source": {"id": f"S-{i % 50}", "publisher": "P", "title": f"T{i % 50}",
                           "published": when, "url": None, "language": "en",
                           "reliability": "ABCDEF"[i % 50 % 6]},
            })  # fmt: skip
        evidence.insert_items(con, rows, "bench")
    return method


def naive_pressures(con, method) -> int:
    """Reference: the formula evaluated for every item on every day (evidence x days)."""
    start, end = scoring.grid_bounds(con, method)
    items = con.execute(
        "SELECT e.dependent, e.family, e.date, e.direction * e.magnitude, e.credibility, "
        "s.reliability FROM evidence e JOIN sources s ON s.id = e.source_id"
    ).fetchall()
    cells = 0
    day = start
    while day <= end:
        totals: dict = {}
        for dep, fam, when, signed, cred, rel in items:
            if when <= day:
                h = method.families[fam].half_life_days
                value = signed * method.confidence(rel, cred) * math.pow(2, -(day - when).days / h)
                totals[(dep, fam)] = totals.get((dep, fam), 0.0) + value
            cells += 1
        day += timedelta(days=1)
    return cells


def timed(fn, repeat: int = 3) -> float:
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    print("scoring.compute (SQL, one pass) vs a naive per-day loop, best of 3")
    print(f"{'items':>7} {'days':>6} {'sql s':>8} {'naive s':>9} {'naive/sql':>10}")
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        for items, days in [(50, 1000), (500, 1000), (5000, 1000), (50, 4000), (50, 16000),
                            (5000, 16000)]:  # fmt: skip
            path = Path(tmp) / f"b{items}_{days}.duckdb"
            with db.connect(path) as con:
                db.migrate(con)
            method = build(path, items, days)
            with db.connect(path) as con:
                sql_s = timed(lambda: scoring.compute(con, method))  # noqa: B023
                naive = "-"
                if items * days <= 5_000_000:
                    naive_s = timed(lambda: naive_pressures(con, method), repeat=1)  # noqa: B023
                    naive = f"{naive_s:9.3f} {naive_s / sql_s:10.1f}x"
            base = base or sql_s
            print(f"{items:>7} {days:>6} {sql_s:8.3f} {naive:>20}   ({sql_s / base:.1f}x the "
                  "smallest)")
    print("Linear in evidence + days: 100x the evidence or 16x the days should cost far less "
          "than 100x or 16x; the naive loop grows with their product.")


if __name__ == "__main__":
    main()
