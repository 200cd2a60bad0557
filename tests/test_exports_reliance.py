"""Exports carry methodology 2: reliance.csv with the names other tools rely on, and the
ledger as capacity.csv, which imports back as it is into another database."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import BUNDLED

from risk import bootstrap, db, exports, importer, ledger

RELIANCE_COLUMNS = ["dependent", "date", "indicator", "value", "low", "high",
                    "methodology_version"]  # fmt: skip


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("export")
    path = base / "bundled.duckdb"
    bootstrap.init_database(path, BUNDLED)
    return path, exports.write_bundle(base / "out", path, method=BUNDLED)


def _rows(file: Path) -> list[dict]:
    with file.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_reliance_csv_is_long_format_with_the_agreed_columns(bundle):
    path, folder = bundle
    with (folder / "reliance.csv").open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == RELIANCE_COLUMNS
    rows = _rows(folder / "reliance.csv")
    with db.connect(path) as con:
        stored = con.execute("SELECT count(*) FROM reliance WHERE view = 'as_known'").fetchone()
    assert len(rows) == stored[0]
    assert {r["indicator"] for r in rows} == {
        "vendor_share_deployed", "vendor_share_pipeline", "hhi_deployed", "hhi_pipeline",
        "effective_suppliers_deployed", "effective_suppliers_pipeline", "vendor_spend_ttm_usd"}
    share = next(r for r in rows if r["dependent"] == "openai" and r["date"] == "2026-06-30"
                 and r["indicator"] == "vendor_share_deployed")  # fmt: skip
    assert float(share["low"]) <= float(share["value"]) <= float(share["high"])
    assert share["methodology_version"] == BUNDLED.version


def test_the_manifest_lists_reliance_and_capacity_with_checksums(bundle):
    _, folder = bundle
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for name in ("reliance.csv", "capacity.csv"):
        meta = manifest["files"][name]
        assert meta["rows"] == len(_rows(folder / name))
        assert meta["sha256"] == exports._sha256(folder / name)


def test_capacity_csv_imports_back_as_it_is(bundle, tmp_path):
    path, folder = bundle
    fresh = tmp_path / "fresh.duckdb"
    shutil.copy(path, fresh)
    with db.transaction(fresh) as con:  # the same evidence, an empty ledger
        con.execute("DELETE FROM ledger_evidence")
        con.execute("DELETE FROM ledger")
    report = importer.import_file(folder / "capacity.csv", fresh, BUNDLED)
    assert report.kind == "ledger" and report.rows == len(_rows(folder / "capacity.csv"))
    with db.connect(path) as a, db.connect(fresh) as b:
        assert ledger.rows(b).equals(ledger.rows(a))
