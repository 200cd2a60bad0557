"""Shared fixtures: a real DuckDB file in tmp_path, built from small checked-in CSVs."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from risk import bootstrap, db, evidence, organisations
from risk.methodology import Methodology, from_dict, load
from risk.paths import METHODOLOGY_FILE

# The bundled methodology, as entry points resolve it when RISK_METHODOLOGY is not set.
BUNDLED = load(METHODOLOGY_FILE)

TEST_DATA = Path(__file__).parent / "data"


def methodology_dict(**families: dict) -> dict:
    """A methodology with round numbers, so expected scores can be computed by hand."""
    fams = families or {
        "spend": {"weight": 0.5, "half_life_days": 100, "scale": 5.0},
        "chip_programs": {"weight": 0.3, "half_life_days": 200, "scale": 5.0},
        "tensions": {"weight": 0.2, "half_life_days": 100, "scale": 5.0},
    }
    return {
        "version": "0.0.1", "vendor": "nvidia", "grid_start": "2020-01-01",
        "grid_end": "2020-12-31", "families": fams,
        "confidence": {
            "reliability": {"A": 1.0, "B": 0.8, "C": 0.6, "D": 0.4, "E": 0.2, "F": 0.5},
            "credibility": {"1": 1.0, "2": 0.8, "3": 0.6, "4": 0.4, "5": 0.2, "6": 0.5},
        },
        "band": {"max_half_width": 20.0, "mass_scale": 4.0},
        "alerts": {"high": 65.0, "low": 35.0, "jump_points": 8.0, "jump_days": 30},
    }  # fmt: skip


@pytest.fixture
def method() -> Methodology:
    return from_dict(methodology_dict())


@pytest.fixture
def bundled_method() -> Methodology:
    return BUNDLED


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """A migrated database with the test organisations and no evidence."""
    path = tmp_path / "test.duckdb"
    with db.connect(path) as con:
        db.migrate(con)
        rows = evidence.parse_csv(
            (TEST_DATA / "organisations.csv").read_text(), organisations.ORG_COLUMNS, "orgs"
        )
        organisations.upsert(con, organisations.validate_rows(rows, "orgs"))
    return path


def item_row(**overrides: object) -> dict[str, str]:
    """A valid evidence row as the CSV importer sees it; override any column."""
    row = {
        "id": "T-1", "date": "2020-03-01", "date_precision": "day", "dependent": "microsoft",
        "vendor": "nvidia", "counterparty": "", "family": "spend", "direction": "+1",
        "magnitude": "4", "credibility": "1", "amount_usd": "", "quantity": "", "unit": "",
        "summary": "Test item.", "grading_note": "", "source_publisher": "Test Wire",
        "source_title": "A test report", "source_date": "2020-03-01",
        "source_url": "https://example.org/a", "source_language": "en",
        "source_reliability": "A",
    }  # fmt: skip
    row.update({k: str(v) for k, v in overrides.items()})
    return row


def add_items(path: Path, method: Methodology, *rows: dict[str, str]) -> None:
    with db.transaction(path) as con:
        evidence.import_evidence_rows(
            con, [(i + 2, r) for i, r in enumerate(rows)], "test", "test", method
        )


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def day(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture
def lmethod() -> Methodology:
    """A methodology with round conversion factors for the ledger (tests/ledger_support.py)."""
    from ledger_support import ledger_method

    return ledger_method()


@pytest.fixture
def ldb(db_file: Path, lmethod: Methodology) -> Path:
    """The test database with evidence items EV-1 and EV-2 for ledger rows to cite."""
    from ledger_support import with_evidence

    with_evidence(db_file, lmethod, "EV-1", "EV-2")
    return db_file


@pytest.fixture(scope="module")
def bundled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled data, scored once per test module (copied by ``app_db``)."""
    path = tmp_path_factory.mktemp("bundled") / "bundled.duckdb"
    bootstrap.init_database(path, method=BUNDLED)
    return path


@pytest.fixture
def app_db(bundled_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled database for the dashboard (RISK_DB), with empty Streamlit
    caches, so no test sees another's writes."""
    import streamlit as st

    path = tmp_path / "app.duckdb"
    shutil.copy(bundled_db, path)
    monkeypatch.setenv("RISK_DB", str(path))
    monkeypatch.delenv("RISK_METHODOLOGY", raising=False)
    monkeypatch.delenv("RISK_DEBUG", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()
