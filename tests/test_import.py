"""CSV import: each kind of bad row is named with its line and column, and nothing is written."""

from __future__ import annotations

import re

import pytest
from conftest import BUNDLED, item_row, write_csv

from risk import db, importer
from risk.errors import ValidationError


def counts(path):
    with db.connect(path) as con:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("evidence", "sources", "organisations", "scores"))


def test_good_file_imports_every_row_and_rescores(db_file, tmp_path, monkeypatch):
    file = write_csv(tmp_path / "ok.csv", [item_row(id="A-1"), item_row(id="A-2")])
    report = importer.import_file(file, db_file, method=BUNDLED)
    assert (report.kind, report.rows) == ("evidence", 2)
    evidence, sources, _, scores = counts(db_file)
    assert (evidence, sources) == (2, 1)  # the shared source is stored once
    assert scores == report.score_rows > 0


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"dependent": "initech"}, "line 3, column dependent: unknown organisation 'initech'"),
        ({"dependent": "nvidia"}, "line 3, column dependent: 'nvidia' is not a dependent"),
        ({"date": "2023/06/30"}, "line 3, column date: '2023/06/30' is not a date in YYYY-MM-DD"),
        ({"date": "2023-02-30"}, "line 3, column date: '2023-02-30' is not a real calendar date"),
        ({"date": "2999-01-01"}, "line 3, column date: 2999-01-01 is in the future"),
        ({"magnitude": "9"}, "line 3, column magnitude: 9 is out of range 1-5"),
        ({"credibility": "high"}, "line 3, column credibility: 'high' is not a whole number"),
        ({"direction": "up"}, "line 3, column direction: 'up' must be +1"),
        ({"family": "vibes"}, "line 3, column family: unknown family 'vibes'"),
        ({"source_publisher": ""}, "line 3, column source_publisher: is empty"),
        ({"source_reliability": "Z"}, "line 3, column source_reliability: 'Z' is not a grade"),
        ({"source_reliability": "C"}, "line 3, column source_reliability: C conflicts with A"),
        ({"id": "A-1"}, "line 3, column id: duplicate id 'A-1' (first on line 2)"),
        ({"amount_usd": "10bn"}, "line 3, column amount_usd: '10bn' is not a number"),
        ({"quantity": "5"}, "line 3, column unit: is required when quantity is given"),
        ({"summary": ""}, "line 3, column summary: is empty"),
        ({"source_url": "javascript:alert(1)"}, "line 3, column source_url: "),
    ],
)
def test_bad_row_is_reported_with_line_and_column_and_nothing_is_written(
    db_file, tmp_path, override, expected
):
    before = counts(db_file)
    bad = item_row(id="A-2", **override) if "id" not in override else item_row(**override)
    file = write_csv(tmp_path / "bad.csv", [item_row(id="A-1"), bad])
    with pytest.raises(ValidationError) as err:
        importer.import_file(file, db_file, method=BUNDLED)
    assert any(expected in p for p in err.value.problems), err.value.problems
    assert counts(db_file) == before


def test_id_already_in_the_database_is_a_duplicate(db_file, tmp_path):
    importer.import_file(write_csv(tmp_path / "a.csv", [item_row(id="A-1")]), db_file,
                         method=BUNDLED)
    before = counts(db_file)
    with pytest.raises(ValidationError, match="duplicate id 'A-1': already stored"):
        importer.import_file(write_csv(tmp_path / "b.csv", [item_row(id="A-1")]), db_file,
                             method=BUNDLED)
    assert counts(db_file) == before


def test_every_problem_in_the_file_is_reported_not_only_the_first(db_file, tmp_path):
    file = write_csv(tmp_path / "bad.csv", [item_row(id="A-1", magnitude=0),
                                            item_row(id="A-2", date="yesterday")])
    with pytest.raises(ValidationError) as err:
        importer.import_file(file, db_file, method=BUNDLED)
    assert [p.split(",")[1].strip() for p in err.value.problems] == ["line 2", "line 3"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "file is empty"),
        (b"\x00\x01\x02binary", "binary file"),
        ("id,date\n1,caf\xe9\n".encode("latin-1"), "not UTF-8 text (byte 0xe9"),
        (b"id,date,dependent\nA,2020-01-01,microsoft\n", "line 1: missing column(s) vendor"),
    ],
)
def test_unreadable_file_gives_one_line_error(db_file, tmp_path, content, expected):
    file = tmp_path / "x.csv"
    file.write_bytes(content)
    with pytest.raises(ValidationError, match=re.escape(expected)):
        importer.import_file(file, db_file, method=BUNDLED)


def test_ragged_and_malformed_rows_are_located(db_file, tmp_path):
    rows = write_csv(tmp_path / "ok.csv", [item_row(id="A-1")]).read_text().splitlines()
    (tmp_path / "ragged.csv").write_text(rows[0] + "\n" + rows[1] + ",extra\n")
    with pytest.raises(ValidationError, match="line 2: expected 21 fields, found 22"):
        importer.import_file(tmp_path / "ragged.csv", db_file, method=BUNDLED)
    (tmp_path / "quote.csv").write_text(rows[0] + '\n"A-1,2020-01-01\n')
    with pytest.raises(ValidationError, match=r"malformed CSV|expected 21 fields"):
        importer.import_file(tmp_path / "quote.csv", db_file, method=BUNDLED)


def test_organisations_file_adds_a_new_dependent_without_code(db_file, tmp_path):
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("id,name,roles,aliases\nmeta,Meta,dependent;alternative,Facebook\n")
    assert importer.import_file(orgs, db_file, method=BUNDLED).kind == "organisations"
    importer.import_file(write_csv(tmp_path / "e.csv", [item_row(dependent="Facebook")]),
                         db_file, method=BUNDLED)
    with db.connect(db_file) as con:
        deps = con.execute("SELECT DISTINCT dependent FROM scores").fetchall()
    assert deps == [("meta",)]


def test_bad_organisation_roles_are_rejected(db_file, tmp_path):
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("id,name,roles,aliases\nMeta Inc,Meta,overlord,\n")
    with pytest.raises(ValidationError) as err:
        importer.import_file(orgs, db_file, method=BUNDLED)
    assert len(err.value.problems) == 2
    assert [p.field for p in err.value.problems] == ["id", "roles"]
    assert str(err.value.problems[0]) == (
        "orgs.csv, line 2, column id: 'Meta Inc' must be a lowercase slug")


def test_a_control_character_in_an_organisation_name_is_refused_by_line(db_file, tmp_path):
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("id,name,roles,aliases\nok,Fine,partner,\nmeta,Meta\x1b[2J,dependent,\n")
    with db.connect(db_file) as con:
        before = con.execute("SELECT count(*) FROM organisations").fetchone()
    with pytest.raises(ValidationError) as err:
        importer.import_file(orgs, db_file, method=BUNDLED)
    (problem,) = err.value.problems
    assert str(problem).startswith("orgs.csv, line 3, column name: contains a control "
                                   "character (U+001B at position 5)")  # fmt: skip
    with db.connect(db_file) as con:
        assert con.execute("SELECT count(*) FROM organisations").fetchone() == before
