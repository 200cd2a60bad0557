"""The bundled evidence tells the story an informed analyst recognises, and the README's table
of it is what the code computes. Pinned in ranges, on the as-known view of past days (which
later evidence cannot change), so it holds on any day the suite runs."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import BUNDLED

from risk import bootstrap, checks, db

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def bundled_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("story") / "bundled.duckdb"
    bootstrap.init_database(path, BUNDLED)
    return path


def _series(path: Path, dependent: str, indicator: str, start: str, end: str) -> list[tuple]:
    with db.connect(path) as con:
        return con.execute(
            "SELECT date, value, low, high FROM reliance WHERE view = 'as_known' AND "
            "dependent = ? AND indicator = ? AND date BETWEEN ? AND ? ORDER BY date",
            [dependent, indicator, start, end],
        ).fetchall()


def _on(path: Path, dependent: str, indicator: str, day: str) -> float:
    return _series(path, dependent, indicator, day, day)[0][1]


def test_the_bundled_data_follows_every_data_rule():
    assert [str(f) for f in checks.check_bundled(BUNDLED)] == []


def test_microsoft_is_heavily_and_increasingly_on_nvidia(bundled_db):
    shares = _series(bundled_db, "microsoft", "vendor_share_deployed", "2023-01-01", "2025-12-31")
    assert min(value for _, value, _, _ in shares) >= 60
    end_2024 = _on(bundled_db, "microsoft", "vendor_share_deployed", "2024-12-31")
    end_2025 = _on(bundled_db, "microsoft", "vendor_share_deployed", "2025-12-31")
    assert end_2025 >= 80 and end_2025 > end_2024 + 5
    pipeline = _series(bundled_db, "microsoft", "vendor_share_pipeline", "2025-01-01",
                       "2026-10-31")  # fmt: skip
    assert min(v for _, v, _, _ in pipeline if v is not None) >= 95


def test_maia_stays_marginal_in_microsofts_compute(bundled_db):
    with db.connect(bundled_db) as con:
        maia, total = con.execute(
            "SELECT sum(deployed_h100e) FILTER (WHERE supplier = 'microsoft'), "
            "sum(deployed_h100e) FROM capacity_daily WHERE view = 'as_known' "
            "AND dependent = 'microsoft' AND date = DATE '2025-12-31'"
        ).fetchone()
    assert 0 < maia / total < 0.15


def test_openai_runs_on_nvidia_through_2025_with_a_diversifying_pipeline(bundled_db):
    deployed = _series(bundled_db, "openai", "vendor_share_deployed", "2020-06-01", "2025-12-31")
    assert min(value for _, value, _, _ in deployed) >= 95  # from its first Azure cluster on
    pipeline = dict((d, v) for d, v, _, _ in _series(
        bundled_db, "openai", "vendor_share_pipeline", "2025-11-01", "2026-10-31"))
    for day, value, _, _ in _series(bundled_db, "openai", "vendor_share_deployed",
                                    "2025-11-01", "2026-10-31"):  # fmt: skip
        assert pipeline[day] < min(value - 15, 75), day
    suppliers = _on(bundled_db, "openai", "effective_suppliers_pipeline", "2026-10-31")
    assert suppliers > 1.8
    assert _on(bundled_db, "openai", "vendor_share_deployed", "2026-10-31") < 95


def _cell(row: tuple | None) -> str:
    if row is None or row[1] is None:
        return "n/a"
    return f"{row[1]:.0f}% ({row[2]:.0f}-{row[3]:.0f}%)"


def test_the_readme_story_table_is_what_the_code_computes(bundled_db):
    text = README.read_text(encoding="utf-8")
    table = text[text.index("<!-- story-table"):text.index("<!-- end story-table")]
    rows = [line for line in table.splitlines() if re.match(r"\| \d{4}-\d\d-\d\d ", line)]
    assert len(rows) >= 6
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        day = cells[0]
        computed = [day]
        for dependent in ("microsoft", "openai"):
            for indicator in ("vendor_share_deployed", "vendor_share_pipeline"):
                found = _series(bundled_db, dependent, indicator, day, day)
                computed.append(_cell(found[0] if found else None))
        assert cells == computed
        assert date.fromisoformat(day) < date(2026, 11, 1)
