"""Bulk import: the SQL checks say exactly what the row-by-row validator says, every problem
is located, and the database lock is taken only for the final write."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from bench import evidence_csv, organisations_csv
from conftest import BUNDLED, item_row, write_csv

from risk import db, evidence, importer
from risk.errors import ValidationError

ROOT = Path(__file__).resolve().parent.parent

# Each override makes the second row break (or nearly break) a rule.
EDGE_CASES = [
    {"id": ""}, {"id": "bad id!"}, {"id": "x" * 100_000}, {"id": "A-1"},
    {"date": ""}, {"date": "2023/06/30"}, {"date": "2023-02-30"}, {"date": "2999-01-01"},
    {"date": "0000-01-01"}, {"date": " 2020-01-02 "},
    {"date_precision": "week"}, {"date_precision": ""},
    {"dependent": ""}, {"dependent": "initech"}, {"dependent": "nvidia"},
    {"dependent": " msft "}, {"dependent": "AZURE"}, {"vendor": "microsoft"}, {"vendor": ""},
    {"counterparty": "nobody"}, {"counterparty": "amd"},
    {"family": "vibes"}, {"family": ""}, {"family": "y" * 500},
    {"direction": "up"}, {"direction": "1"}, {"direction": "+2"},
    {"magnitude": "9"}, {"magnitude": "0"}, {"magnitude": "+3"}, {"magnitude": "03"},
    {"magnitude": "3.0"}, {"magnitude": "high"}, {"credibility": "7"}, {"credibility": ""},
    {"amount_usd": "10bn"}, {"amount_usd": "-5"}, {"amount_usd": "nan"}, {"amount_usd": "inf"},
    {"amount_usd": "1_000_000"}, {"amount_usd": "1e10"},
    {"quantity": "5"}, {"quantity": "5", "unit": "chips"}, {"quantity": "nan"},
    {"summary": ""}, {"summary": "s" * 2001}, {"summary": "bell \x07 here"},
    {"summary": "escape \x1b[31m red"}, {"summary": "two\nlines\tand a tab"},
    {"grading_note": "\x01"}, {"source_title": "a\x85b"}, {"source_publisher": "\x1bWire"},
    {"source_publisher": ""}, {"source_title": ""}, {"source_date": ""},
    {"source_date": "2020/01/01"}, {"source_date": "2999-01-01"},
    {"source_url": "javascript:alert(1)"}, {"source_url": "http://"},
    {"source_language": "english"}, {"source_language": "EN"},
    {"source_reliability": "Z"}, {"source_reliability": "c"}, {"source_reliability": "C"},
    {"source_reliability": ""},
    {"magnitude": "9", "credibility": "0", "date": "", "summary": ""},
]


def python_problems(db_file: Path, folder: Path, rows: list[dict]) -> list[str]:
    """What the row-by-row validator (forms, accepted candidates) says about ``rows``."""
    text = write_csv(folder / "x.csv", rows).read_text(encoding="utf-8")
    with db.connect(db_file) as con:
        _, problems = evidence.validate_rows(con, evidence.parse_csv(text, (), "x"), BUNDLED)
    return [f"x.csv, {p}" for p in problems]


def bulk_problems(db_file: Path, folder: Path, rows: list[dict]) -> list[str]:
    with pytest.raises(ValidationError) as err:
        importer.import_file(write_csv(folder / "x.csv", rows), db_file, method=BUNDLED)
    return list(err.value.problems)


@pytest.mark.parametrize("override", EDGE_CASES, ids=lambda o: repr(o)[:40])
def test_bulk_checks_match_the_row_validator(db_file, tmp_path, override):
    rows = [item_row(id="A-1"), item_row(**{"id": "A-2", **override}), item_row(id="A-3",
            magnitude="8")]  # fmt: skip
    assert bulk_problems(db_file, tmp_path, rows) == python_problems(db_file, tmp_path, rows)


def test_stored_ids_and_grades_are_checked_against_the_database(db_file, tmp_path):
    importer.import_file(write_csv(tmp_path / "a.csv", [item_row(id="A-1")]), db_file,
                         method=BUNDLED)  # fmt: skip
    rows = [item_row(id="A-1"), item_row(id="A-2", source_reliability="B"),
            item_row(id="A-1", magnitude="0")]  # fmt: skip
    assert bulk_problems(db_file, tmp_path, rows) == python_problems(db_file, tmp_path, rows)


def test_every_problem_is_reported_with_its_line_across_multiline_and_blank_records(
    db_file, tmp_path
):
    rows = [item_row(id="A-1", summary="first\nsecond\nthird"), item_row(id="A-2",
            magnitude="9")]  # fmt: skip
    header, first, second = write_csv(tmp_path / "ok.csv", rows).read_bytes().split(b"\r\n")[:3]
    file = tmp_path / "x.csv"
    file.write_bytes(b"\xef\xbb\xbf" + header + b"\n" + first + b"\n\n" + second + b"\n")
    with pytest.raises(ValidationError) as err:
        importer.import_file(file, db_file, method=BUNDLED)
    assert err.value.problems == ["x.csv, line 6, column magnitude: 9 is out of range 1-5"]


def test_mixed_line_endings_still_import(db_file, tmp_path):
    text = write_csv(tmp_path / "ok.csv", [item_row(id="A-1"), item_row(id="A-2")]).read_text()
    lines = text.split("\n")
    (tmp_path / "mixed.csv").write_text(lines[0] + "\n" + lines[1] + "\r\n" + lines[2] + "\n")
    report = importer.import_file(tmp_path / "mixed.csv", db_file, method=BUNDLED)
    assert report.rows == 2


def test_duplicated_header_column_is_an_error(db_file, tmp_path):
    rows = write_csv(tmp_path / "ok.csv", [item_row(id="A-1")]).read_text().splitlines()
    (tmp_path / "dup.csv").write_text(rows[0] + ",summary\n" + rows[1] + ",Other words\n")
    with pytest.raises(ValidationError, match="line 1: column\\(s\\) named twice: summary"):
        importer.import_file(tmp_path / "dup.csv", db_file, method=BUNDLED)


def test_long_values_are_cut_in_messages(db_file, tmp_path):
    problems = bulk_problems(db_file, tmp_path, [item_row(id="Z" * 100_000)])
    assert len(problems) == 1 and len(problems[0]) < 200
    assert "Z" * 60 + "…" in problems[0]


def test_control_characters_are_refused_in_evidence_text(db_file, tmp_path):
    problems = bulk_problems(db_file, tmp_path, [item_row(summary="ring \x07 ring")])
    assert problems == ["x.csv, line 2, column summary: contains a control character "
                        "(U+0007 at position 6); only tab or newline allowed"]


def test_stored_values_are_those_of_the_row_validator(db_file, tmp_path):
    row = item_row(id="A-1", dependent=" msft ", date_precision="", amount_usd="1_000",
                   quantity="5", unit="chips", source_language="EN", source_reliability="b",
                   grading_note="", counterparty="Advanced Micro Devices")  # fmt: skip
    importer.import_file(write_csv(tmp_path / "a.csv", [row]), db_file, method=BUNDLED)
    with db.connect(db_file) as con:
        stored = con.execute(
            "SELECT e.dependent, e.date_precision, e.amount_usd, e.quantity, e.unit, "
            "e.counterparty, e.grading_note, s.language, s.reliability, s.id, e.origin "
            "FROM evidence e JOIN sources s ON s.id = e.source_id").fetchall()
    expected_source = evidence.source_id("Test Wire", "A test report", "2020-03-01",
                                         "https://example.org/a")  # fmt: skip
    assert stored == [("microsoft", "day", 1000.0, 5.0, "chips", "amd", None, "en", "B",
                       expected_source, "import")]  # fmt: skip


def _bulk_db(tmp_path: Path) -> Path:
    path = tmp_path / "bulk.duckdb"
    with db.connect(path) as con:
        db.migrate(con)
    importer.import_file(organisations_csv(tmp_path / "orgs.csv"), path, BUNDLED)
    return path


def test_a_big_file_imports_in_one_go(tmp_path):
    path = _bulk_db(tmp_path)
    report = importer.import_file(evidence_csv(tmp_path / "big.csv", 5_000), path, BUNDLED)
    with db.connect(path) as con:
        counts = con.execute("SELECT (SELECT count(*) FROM evidence), "
                             "(SELECT count(*) FROM sources), "
                             "(SELECT count(DISTINCT dependent) FROM scores)").fetchall()
    assert report.rows == 5_000 and counts == [(5_000, 500, 20)]


def test_scores_written_by_a_bulk_import_equal_a_full_rescore(tmp_path):
    from risk import scoring

    path = _bulk_db(tmp_path)
    importer.import_file(evidence_csv(tmp_path / "a.csv", 600, seed=1, prefix="A"), path,
                         BUNDLED)  # fmt: skip
    importer.import_file(evidence_csv(tmp_path / "b.csv", 600, seed=2, prefix="B"), path,
                         BUNDLED)  # fmt: skip
    query = ("SELECT * EXCLUDE (methodology_version) FROM scores "
             "ORDER BY dependent, family, date")  # fmt: skip
    with db.connect(path) as con:
        imported = con.execute(query).df()
    db.write_with_retry(lambda con: scoring.rescore(con, BUNDLED), path)
    with db.connect(path) as con:
        rescored = con.execute(query).df()
    keys = ["dependent", "family", "date"]
    assert imported[keys].equals(rescored[keys])
    numbers = ["pressure", "score", "band_low", "band_high", "mass"]
    assert np.allclose(imported[numbers].to_numpy(float), rescored[numbers].to_numpy(float),
                       rtol=0, atol=1e-8, equal_nan=True)  # fmt: skip


IMPORT = """
import sys, time
from pathlib import Path
from risk import importer
from risk.methodology import load
from risk.paths import METHODOLOGY_FILE
started = time.monotonic()
importer.import_file(Path(sys.argv[1]), sys.argv[2], load(METHODOLOGY_FILE))
print(time.monotonic() - started)
"""


def test_a_cli_annotation_during_a_big_import_waits_only_for_the_final_write(tmp_path):
    path = _bulk_db(tmp_path)
    importer.import_file(evidence_csv(tmp_path / "one.csv", 1, prefix="O"), path, BUNDLED)
    big = evidence_csv(tmp_path / "big.csv", 30_000)
    importing = subprocess.Popen([sys.executable, "-c", IMPORT, str(big), str(path)],
                                 cwd=ROOT, stdout=subprocess.PIPE, text=True)  # fmt: skip
    waits = []
    try:
        time.sleep(0.3)
        while importing.poll() is None:
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "risk", "annotate", "add", "--dependent", "dep00",
                 "--date", "2024-01-02", "--title", "note", "--body", "b", "--author",
                 "tester", "--db", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            waits.append(time.monotonic() - started)
            assert done.returncode == 0, done.stderr
    finally:
        importing.wait(timeout=120)
    assert importing.returncode == 0
    print("annotation waits", [round(w, 2) for w in waits])
    assert waits and max(waits) < 15, waits  # a CLI start alone takes 2-4 s here
    with db.connect(path) as con:
        assert con.execute("SELECT count(*) FROM evidence").fetchall() == [(30_001,)]
        assert con.execute("SELECT count(*) FROM annotations").fetchall() == [(len(waits),)]
