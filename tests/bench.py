"""Speed of the heavy paths against a DuckDB floor measured in the same run. Not a test.

    python tests/bench.py              # 1e4 and 1e5 items, a few minutes at most
    python tests/bench.py --large      # adds the 1e6 sizes (export, explain)
    python tests/bench.py --only import,export
    python tests/bench.py --only export,explain --sizes 1000000
    python tests/bench.py --only ingest     # one article of 0.5, 1 and 2 million characters

Each line prints the project's time, the floor (what DuckDB alone needs for the same data:
``read_csv`` of the same file for an import, ``COPY ... TO`` of the same rows for an export)
and their ratio. Synthetic evidence: 20 dependents, three families, 2016 to today. Ingest
reads one long article made of the evaluation articles (tests/ingest_eval/) repeated, with
``ingest --dry-run`` (the goal: 2 million characters in under 2 s); its floor is one pass
of a word regex over the same text.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from risk import db, evidence, explain, exports, importer  # noqa: E402
from risk.methodology import load as load_methodology  # noqa: E402
from risk.paths import METHODOLOGY_FILE  # noqa: E402
from risk.reader import queue  # noqa: E402

DEPENDENTS = [f"dep{i:02d}" for i in range(20)]
FAMILIES = ("spend", "chip_programs", "tensions")


def organisations_csv(path: Path) -> Path:
    """The test organisations plus 20 synthetic dependents."""
    lines = ["id,name,roles,aliases", "nvidia,Nvidia,vendor,NVIDIA",
             "amd,AMD,vendor;alternative,"]  # fmt: skip
    lines += [f"{d},Dependent {d},dependent," for d in DEPENDENTS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def evidence_csv(path: Path, rows: int, seed: int = 1, prefix: str = "S") -> Path:
    """``rows`` valid evidence items; one source per 10 items (same grade within a source)."""
    rng = random.Random(seed)
    first, span = date(2016, 1, 1), (date.today() - date(2016, 1, 1)).days
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(evidence.EVIDENCE_COLUMNS)
        for i in range(rows):
            day = (first + timedelta(days=rng.randrange(span))).isoformat()
            src = i // 10
            published = (first + timedelta(days=src % span)).isoformat()
            writer.writerow([
                f"{prefix}-{i:07d}", day, "day", DEPENDENTS[i % 20], "nvidia", "",
                FAMILIES[i % 3], rng.choice(("+1", "-1")), rng.randint(1, 5), rng.randint(1, 6),
                "", "", "", f"Synthetic item {i}: a report about compute, chips and contracts.",
                "", f"Wire {src % 50}", f"Report {src}", published,
                f"https://example.org/{src}", "en", "ABCDEF"[src % 6],
            ])  # fmt: skip
    return path


def fresh_db(folder: Path, method) -> Path:
    path = folder / f"bench-{time.monotonic_ns()}.duckdb"
    with db.connect(path) as con:
        db.migrate(con)
    importer.import_file(organisations_csv(folder / "orgs.csv"), path, method)
    return path


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def best_of(n: int, work) -> float:
    return min(timed(work) for _ in range(n))


def row(what: str, size: str, took: float, floor: float | None, note: str = "") -> None:
    ratio = f"{took / floor:7.1f}x" if floor else "       -"
    base = f"{floor:8.3f}" if floor is not None else "       -"
    print(f"{what:<28} {size:>6} {took:8.3f} {base} {ratio}  {note}", flush=True)


def bench_import(folder: Path, method, sizes: list[int]) -> None:
    for n in sizes:
        file = evidence_csv(folder / f"import-{n}.csv", n)
        con = db.new_connection()
        query = f"SELECT count(*) FROM read_csv('{file}', all_varchar = true)"
        floor = best_of(3, lambda c=con, q=query: c.execute(q).fetchall())
        con.close()
        path = fresh_db(folder, method)
        lock: list[float] = []
        original = db.transaction

        def spy(*args, original=original, lock=lock, **kwargs):
            return _measured(original(*args, **kwargs), lock)

        db.transaction = spy
        try:
            took = timed(lambda: importer.import_file(file, path, method))  # noqa: B023
        finally:
            db.transaction = original
        row("import (end to end)", f"{n:.0e}", took, floor,
            f"lock held {max(lock):.3f}s; floor = read_csv")  # fmt: skip


class _measured:
    """Wraps a transaction context manager and records how long it was held."""

    def __init__(self, inner, out: list[float]) -> None:
        self.inner, self.out = inner, out

    def __enter__(self):
        self.started = time.perf_counter()
        return self.inner.__enter__()

    def __exit__(self, *exc):
        try:
            return self.inner.__exit__(*exc)
        finally:
            self.out.append(time.perf_counter() - self.started)


_LOADED: dict[int, Path] = {}


def loaded_db(folder: Path, method, n: int) -> Path:
    """A database holding ``n`` synthetic items (built once per size and run)."""
    if n not in _LOADED:
        path = fresh_db(folder, method)
        importer.import_file(evidence_csv(folder / f"load-{n}.csv", n, seed=n), path, method)
        _LOADED[n] = path
    return _LOADED[n]


def bench_export(folder: Path, method, sizes: list[int]) -> None:
    for n in sizes:
        path = loaded_db(folder, method, n)
        out = folder / f"out-{n}"

        def copy_floor(path: Path = path) -> None:
            with db.connect(path) as con:
                for sql in (exports.EVIDENCE.sql, exports.SCORES.sql):
                    con.execute(f"COPY ({sql}) TO '{folder / 'floor.csv'}' (HEADER)")

        floor = best_of(3, copy_floor)
        code = ("import sys, resource, time; from pathlib import Path; "
                "from risk import exports; from risk.methodology import load; "
                "from risk.paths import METHODOLOGY_FILE; t = time.perf_counter(); "
                "exports.write_bundle(Path(sys.argv[1]), sys.argv[2], "
                "method=load(METHODOLOGY_FILE)); "
                "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')]; "
                "print(time.perf_counter() - t, hwm[0].split()[1] if hwm else "
                "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")  # fmt: skip
        runs = []
        for _ in range(3):
            done = subprocess.run([sys.executable, "-c", code, str(out), str(path)], cwd=ROOT,
                                  capture_output=True, text=True, check=True)  # fmt: skip
            took, rss = done.stdout.split()[-2:]  # the last line holds the figures
            runs.append((float(took), int(rss)))
        took = min(t for t, _ in runs)
        peak = max(r for _, r in runs) / 1024
        row("export bundle", f"{n:.0e}", took, floor,
            f"peak {peak:.0f} MB; floor = COPY of evidence + scores")  # fmt: skip


def bench_explain(folder: Path, method, sizes: list[int]) -> None:
    for n in sizes:
        path = loaded_db(folder, method, n)
        with db.connect(path) as con:
            day = con.execute("SELECT max(date) FROM scores").fetchone()[0]
            floor = best_of(3, lambda: con.execute(
                "SELECT count(*), sum(magnitude) FROM evidence WHERE dependent = 'dep00'"
            ).fetchall())
            took = best_of(3, lambda: explain.explain(con, method, "dep00", "composite",
                                                      day))  # noqa: B023
        row("explain dep00 composite", f"{n:.0e}", took, floor,
            "floor = one scan of the dependent's items")


def bench_pages(folder: Path, method, sizes: list[int]) -> None:
    app = str(ROOT / "dashboard.py")
    for n in sizes:
        path = loaded_db(folder, method, n)
        os.environ["RISK_DB"] = str(path)
        from streamlit.testing.v1 import AppTest

        with db.connect(path) as con:
            floor = best_of(3, lambda: con.execute(
                "SELECT dependent, family, count(*) FROM evidence GROUP BY ALL").fetchall())
        for page in ("Overview", "Why this number", "Evidence"):
            at = AppTest.from_file(app, default_timeout=300)
            at.query_params["page"] = page
            at.run()
            warm = statistics.median(timed(at.run) for _ in range(3))
            problem = "; ".join(e.value for e in at.exception)[:60]
            row(f"page {page} (warm)", f"{n:.0e}", warm, floor,
                problem or "floor = evidence GROUP BY")


def bench_ingest(folder: Path, method, sizes: list[int]) -> None:
    texts = sorted((ROOT / "tests" / "ingest_eval").glob("*.txt"))
    sample = "\n\n".join(t.read_text(encoding="utf-8") for t in texts) + "\n\n"
    for n in sizes:
        article = folder / f"article-{n}.txt"
        body = (sample * (n // len(sample) + 1))[:n]
        article.write_text(body, encoding="utf-8")
        floor = best_of(3, lambda b=body: sum(1 for _ in re.finditer(r"\w+", b)))
        took = statistics.median(timed(lambda a=article: queue.ingest_files(
            [a], published="2025-10-06", db_file=folder / "none.duckdb", method=method,
            dry_run=True)) for _ in range(3))  # fmt: skip
        row("ingest --dry-run (median)", f"{n:.0e}", took, floor,
            "chars; goal < 2 s at 2e6; floor = one \\w+ scan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also the 1e6 sizes")
    parser.add_argument("--only", default="import,export,explain,pages,ingest")
    parser.add_argument("--sizes", default="", help="comma-separated item counts instead of "
                        "the defaults, e.g. 1000000")
    args = parser.parse_args()
    method = load_methodology(METHODOLOGY_FILE)
    chosen = set(args.only.split(","))
    big = [1_000_000] if args.large else []
    chosen_sizes = [int(float(x)) for x in args.sizes.split(",") if x]
    print(f"{'work':<28} {'items':>6} {'seconds':>8} {'floor':>8} {'ratio':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "import" in chosen:
            bench_import(folder, method, chosen_sizes or [10_000, 100_000])
        if "export" in chosen:
            bench_export(folder, method, chosen_sizes or [10_000, 100_000, *big])
        if "explain" in chosen:
            bench_explain(folder, method, chosen_sizes or [100_000, *big])
        if "pages" in chosen:
            bench_pages(folder, method, chosen_sizes or [100_000])
        if "ingest" in chosen:
            bench_ingest(folder, method, chosen_sizes or [500_000, 1_000_000, 2_000_000])
    print(f"peak memory of this process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
