"""Dashboard rerun time through AppTest: cold (empty cache) and warm (the cached path a user
hits on every click). Not a test; run: python tests/bench_dashboard.py [DB]."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def main() -> None:
    if len(sys.argv) > 1:
        os.environ["RISK_DB"] = sys.argv[1]
    from streamlit.testing.v1 import AppTest

    for page in ("Overview", "Why this number", "What-if", "Evidence", "Annotations"):
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["page"] = page
        started = time.perf_counter()
        at.run()
        cold = time.perf_counter() - started
        warm = []
        for _ in range(5):
            started = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - started)
        print(f"{page:16} cold {cold * 1000:6.0f} ms   warm median "
              f"{statistics.median(warm) * 1000:5.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
