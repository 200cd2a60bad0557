"""Ledger rows enter through the same doors as evidence: a CSV import recognised by its
header (all or nothing, audited, needing the ledger right) and the dashboard's form; an
exported ledger imports back as it is."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import write_csv
from ledger_support import block, ledger_method, with_evidence

from risk import audit, db, importer, ledger
from risk.access import AccessDenied
from risk.errors import ValidationError
from risk.identity import Actor

ANA = Actor("ana@example.com", "analyst", "signed-in")
VIC = Actor("vic@example.com", "viewer", "signed-in")
M = ledger_method()


@pytest.fixture
def ldb2(db_file: Path) -> Path:
    with_evidence(db_file, M, "EV-1", "EV-2")
    return db_file


def _count(path: Path, sql: str) -> int:
    with db.connect(path) as con:
        return con.execute(sql).fetchone()[0]


def test_a_ledger_file_is_recognised_by_its_header_imported_and_audited(ldb2, tmp_path):
    file = write_csv(tmp_path / "capacity.csv", [block(id="LG-1"), block(id="LG-2",
                                                                        supplier="amd")])
    report = importer.import_file(file, ldb2, M, actor=ANA)
    assert (report.kind, report.rows) == ("ledger", 2)
    assert _count(ldb2, "SELECT count(*) FROM reliance") > 0
    with db.connect(ldb2) as con:
        entry = audit.entries(con, action="ledger.import")[0]
    assert (entry["actor"], entry["after"]["ids"]) == ("ana@example.com", ["LG-1", "LG-2"])


def test_a_bad_ledger_file_writes_nothing_and_names_line_and_field(ldb2, tmp_path):
    file = write_csv(tmp_path / "capacity.csv", [block(id="LG-1"),
                                                 block(id="LG-2", unit="barrels")])
    with pytest.raises(ValidationError) as info:
        importer.import_file(file, ldb2, M, actor=ANA)
    assert any("line 3" in str(p) and p.field == "unit" for p in info.value.problems)
    assert _count(ldb2, "SELECT count(*) FROM ledger") == 0


def test_a_viewer_may_not_import_ledger_rows_and_the_refusal_is_logged(ldb2, tmp_path):
    file = write_csv(tmp_path / "capacity.csv", [block(id="LG-1")])
    with pytest.raises(AccessDenied):
        importer.import_file(file, ldb2, M, actor=VIC)
    assert _count(ldb2, "SELECT count(*) FROM ledger") == 0
    with db.connect(ldb2) as con:
        assert audit.entries(con, outcome="refused")[0]["actor"] == "vic@example.com"


def test_an_exported_ledger_imports_back_as_it_is(ldb2, tmp_path):
    fresh = tmp_path / "fresh.duckdb"
    shutil.copy(ldb2, fresh)  # the same organisations and evidence, no ledger yet
    rows = [block(id="LG-1", known_from="2020-01-01", status="planned"),
            block(id="LG-1", known_from="2020-03-01", status="contracted", evidence="EV-1;EV-2"),
            block(id="LG-2", supplier="amd", chip="MI300X", unit="chips", end="2021-01-01",
                  note='a "quoted", note')]  # fmt: skip
    importer.import_file(write_csv(tmp_path / "in.csv", rows), ldb2, M, actor=ANA)
    with db.connect(ldb2) as con:
        exported = ledger.rows(con)
    out = tmp_path / "capacity.csv"
    exported.to_csv(out, index=False)
    with out.open(encoding="utf-8") as fh:
        assert ledger.is_ledger_header(next(csv.reader(fh)))
    assert importer.import_file(out, fresh, M, actor=ANA).rows == 3
    with db.connect(fresh) as con:
        again = ledger.rows(con)
    assert again.astype(str).to_dict("records") == exported.astype(str).to_dict("records")


def test_the_form_adds_one_version_and_recomputes(ldb2):
    importer.add_ledger_row(block(id="LG-9"), ldb2, M, actor=ANA)
    assert _count(ldb2, "SELECT count(*) FROM ledger WHERE id = 'LG-9'") == 1
    assert _count(ldb2, "SELECT count(*) FROM reliance WHERE dependent = 'microsoft'") > 0
    with pytest.raises(ValidationError) as info:
        importer.add_ledger_row(block(id="LG-10", full_by="2019-01-01"), ldb2, M, actor=ANA)
    assert [p.field for p in info.value.problems] == ["full_by"]
    assert _count(ldb2, "SELECT count(*) FROM ledger WHERE id = 'LG-10'") == 0
