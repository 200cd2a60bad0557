"""Benchmark: the reliance indicators against a bare DuckDB floor, and explain's latency.

Run: python tests/bench_reliance.py [versions] [dependents] [years]

It builds a synthetic ledger (default 20 dependents, 100,000 versions, 10 years of days)
in a temporary database, then in the same process times:

- ``reliance.compute``: every indicator, both views, every day, plus capacity by supplier;
- a floor: one bare query per output table that reads the same ledger and writes the same
  number of rows into a table of the same shape (no modelling at all);
- ``reliance.explain_indicator`` for one dependent and day, straight from the ledger.

It prints figures (targets: compute at most 5x the floor, explain under 0.2 s) and asserts
nothing: speed belongs in figures, not in pass/fail tests.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from risk import db, reliance
from risk.methodology import load
from risk.paths import METHODOLOGY_FILE

SUPPLIERS = ("nvidia", "amd", "google", "amazon", "microsoft", "openai", "cerebras")
UNITS = ("H100e", "chips", "GW", "MW", "USD")
STATUSES = ("rumoured", "planned", "contracted", "delivering", "deployed", "cancelled", "denied")


def build(con, versions: int, dependents: int, start: date, days: int) -> None:
    """About ``versions`` rows: blocks of 1 to 3 versions, set in SQL with a fixed seed."""
    blocks = versions // 2
    con.execute("SELECT setseed(0.42)")
    chips = {"nvidia": "H100", "amd": "MI300X", "google": "TPU", "amazon": "Trainium2",
             "microsoft": "Maia 100", "openai": "OpenAI XPU", "cerebras": "WSE-3"}  # fmt: skip
    chip_case = " ".join(f"WHEN '{s}' THEN '{c}'" for s, c in chips.items())
    con.execute(
        f"""
        CREATE TEMP TABLE blocks AS
        SELECT b, 'dep' || (b % {dependents}) AS dependent,
               (list_value{SUPPLIERS})[1 + CAST(floor(random() * random() * 7) AS INT)]
                   AS supplier,
               (list_value{UNITS})[1 + CAST(floor(random() * 5) AS INT)] AS unit,
               CAST(floor(random() * {days}) AS INTEGER) AS s0,
               CAST(floor(random() * 720) AS INTEGER) AS ramp
        FROM range({blocks}) t(b)
        """
    )
    con.execute(
        f"""
        INSERT INTO ledger (id, known_from, dependent, supplier, chip, channel, quantity, unit,
                            status, start, full_by, "end", note, origin)
        SELECT 'LG-' || b, DATE '{start}' + CAST(s0 - 200 + v * 90 AS INTEGER), dependent, supplier,
               CASE WHEN unit = 'chips' THEN CASE supplier {chip_case} END END, 'owned',
               CASE unit WHEN 'H100e' THEN 1000 + random() * 50000
                         WHEN 'chips' THEN 1000 + random() * 50000
                         WHEN 'GW' THEN 0.05 + random()
                         WHEN 'MW' THEN 10 + random() * 500
                         ELSE 1e8 + random() * 5e9 END,
               unit, (list_value{STATUSES})[1 + least(CAST(floor(random() * 8) AS INT), 6)],
               DATE '{start}' + s0, DATE '{start}' + s0 + ramp,
               CASE WHEN random() < 0.1 THEN DATE '{start}' + s0 + ramp + 1500 END,
               NULL, 'bench'
        FROM blocks, range(1 + CAST(floor(random() * 3) AS INT)) t(v)
        """
    )
    con.execute(
        "INSERT INTO ledger_evidence SELECT id, known_from, 'EV-' || id FROM ledger"
    )


def floor_query(con, reliance_rows: int, capacity_rows: int, start: date) -> None:
    """Read the same ledger, write as many rows of the same shapes, model nothing."""
    con.execute("CREATE OR REPLACE TABLE floor_capacity AS SELECT * FROM capacity_daily LIMIT 0")
    con.execute("CREATE OR REPLACE TABLE floor_reliance AS SELECT * FROM reliance LIMIT 0")
    con.execute(
        f"""
        INSERT INTO floor_capacity
        SELECT dependent, view, DATE '{start}' + CAST(day AS INTEGER), supplier, q, q, q, q, q,
               q, false, 'floor'
        FROM (SELECT dependent, supplier, sum(quantity) AS q FROM ledger GROUP BY ALL),
             (VALUES ('as_known'), ('hindsight')) v(view), range(100000) d(day)
        LIMIT {capacity_rows}
        """
    )
    con.execute(
        f"""
        INSERT INTO floor_reliance
        SELECT dependent, view, DATE '{start}' + CAST(day AS INTEGER), indicator, q, q, q,
               'floor'
        FROM (SELECT dependent, sum(quantity) AS q FROM ledger GROUP BY ALL),
             (VALUES ('as_known'), ('hindsight')) v(view),
             (SELECT unnest({list(reliance.INDICATORS)}) AS indicator), range(100000) d(day)
        LIMIT {reliance_rows}
        """
    )


def best_of(runs: int, work) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    versions = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    dependents = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    years = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    method = load(METHODOLOGY_FILE)
    end = date(2026, 1, 1)
    start = end - timedelta(days=365 * years)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        with db.connect(path) as con:
            db.migrate(con)
            build(con, versions, dependents, start, 365 * years)
            count = con.execute("SELECT count(*) FROM ledger").fetchone()[0]
            print(f"ledger: {count} versions, {dependents} dependents, "
                  f"{(end - start).days + 1} days ({start} to {end})")

            def run_compute() -> None:
                con.execute("BEGIN TRANSACTION")
                reliance.compute(con, method, start=start, end=end, project_days=0)
                con.execute("COMMIT")

            run_compute()  # a first run sizes the output the floor must match
            rel = con.execute("SELECT count(*) FROM reliance").fetchone()[0]
            cap = con.execute("SELECT count(*) FROM capacity_daily").fetchone()[0]

            def run_floor() -> None:
                con.execute("BEGIN TRANSACTION")
                floor_query(con, rel, cap, start)
                con.execute("COMMIT")

            # interleaved, best of 5 each: a busy machine slows both alike
            compute_s = floor_s = float("inf")
            for _ in range(5):
                compute_s = min(compute_s, best_of(1, run_compute))
                floor_s = min(floor_s, best_of(1, run_floor))
            assert con.execute("SELECT count(*) FROM floor_reliance").fetchone()[0] == rel
            assert con.execute("SELECT count(*) FROM floor_capacity").fetchone()[0] == cap
            print(f"output rows: reliance {rel:,}, capacity_daily {cap:,}")
            print(f"reliance.compute  best of 5: {compute_s:7.3f} s")
            print(f"bare DuckDB floor best of 5: {floor_s:7.3f} s")
            print(f"ratio compute / floor: {compute_s / floor_s:.2f}x (target <= 5x)")
            day = end - timedelta(days=200)
            timings = []
            for indicator in reliance.INDICATORS:
                for view in reliance.VIEWS:
                    t0 = time.perf_counter()
                    out = reliance.explain_indicator(con, method, "dep3", indicator, day, view)
                    timings.append(time.perf_counter() - t0)
            print(f"explain_indicator, {len(timings)} calls (7 indicators x 2 views, dep3, "
                  f"{day}): worst {max(timings):.3f} s, median "
                  f"{sorted(timings)[len(timings) // 2]:.3f} s (target < 0.2 s); last had "
                  f"{len(out['contributions'])} contributions")


if __name__ == "__main__":
    main()
