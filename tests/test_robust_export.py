"""The bundle is streamed by DuckDB's COPY: formula-like text neutralised in SQL, numbers
and empty values as before, the download zip built the same way."""

from __future__ import annotations

import csv
import io
import math
import zipfile

from conftest import BUNDLED, add_items, item_row

from risk import db, exports, scoring

TRICKY = [
    item_row(id="T-1", summary='=HYPERLINK("http://x")', grading_note="-5 points"),
    item_row(id="T-2", summary='line one\nline "two", with comma', counterparty="amd",
             amount_usd="0.125", quantity="1e-7", unit="chips"),
    item_row(id="T-3", summary="+ plus", grading_note="@mention", amount_usd="12345678901234",
             source_title="Tab\tinside"),
    item_row(id="T-4", summary="Ünïcödé — “quotes” 中文", date="2020-02-29"),
]  # fmt: skip


def test_streamed_bundle_neutralises_formulas_and_keeps_values(db_file, tmp_path):
    add_items(db_file, BUNDLED, *TRICKY)
    with db.transaction(db_file) as con:
        scoring.rescore(con, BUNDLED)
        con.execute("UPDATE scores SET pressure = 'nan'::DOUBLE WHERE date = DATE '2020-03-02'")
    bundle = exports.write_bundle(tmp_path / "out", db_file, method=BUNDLED)
    raw = (bundle / "evidence.csv").read_bytes()
    assert raw.count(b"\r\n") == 5  # header and four rows; the newline inside a field stays
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(raw.decode(), newline=""))}
    assert rows["T-1"]["summary"] == "'=HYPERLINK(\"http://x\")"
    assert rows["T-1"]["grading_note"] == "'-5 points"
    assert rows["T-3"]["summary"] == "'+ plus" and rows["T-3"]["grading_note"] == "'@mention"
    assert rows["T-2"]["summary"] == 'line one\nline "two", with comma'
    assert (rows["T-2"]["amount_usd"], rows["T-2"]["quantity"]) == ("0.125", "0.0")
    assert rows["T-3"]["amount_usd"] == "12345678901234.0"
    assert rows["T-4"]["summary"] == "Ünïcödé — “quotes” 中文"
    assert rows["T-1"]["counterparty"] == "" and rows["T-1"]["created_at"].endswith("Z")
    with open(bundle / "scores.csv", encoding="utf-8", newline="") as fh:
        scores = list(csv.DictReader(fh))
    assert any(r["date"] == "2020-03-02" and r["pressure"] == "" for r in scores)
    assert all(math.isfinite(float(r["score"])) for r in scores)
    listed = exports.list_bundles(tmp_path / "out")
    assert listed[0]["checksum_ok"] and listed[0]["problem"] is None


def test_the_download_zip_holds_the_same_files(db_file, tmp_path):
    add_items(db_file, BUNDLED, *TRICKY)
    bundle = exports.write_bundle(tmp_path / "out", db_file, method=BUNDLED, excel=True)
    with zipfile.ZipFile(io.BytesIO(exports.build_zip(db_file, excel=True,
                                                      method=BUNDLED))) as archive:  # fmt: skip
        for table in exports.TABLES:
            (name,) = [n for n in archive.namelist() if n.endswith("/" + table.file)]
            assert archive.read(name) == (bundle / table.file).read_bytes(), table.file
