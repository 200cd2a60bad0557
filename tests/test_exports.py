"""CSV bundles: golden files, read-back by DuckDB and pandas, checksums, atomicity, pruning.

The golden database is tiny and fully deterministic (fixed dates, fixed timestamps, a
methodology whose grid ends on 2020-01-08), so its CSVs can be compared byte for byte with
tests/golden/. Set RISK_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import BUNDLED, add_items, item_row
from ledger_support import block, ledger_methodology_dict

from risk import db, exports, ledger, refresh
from risk.errors import ValidationError
from risk.methodology import from_dict

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
GOLDEN_METHOD = from_dict({**ledger_methodology_dict(), "grid_end": "2020-01-08"})
# Two ledger blocks (one Nvidia, one AMD ramping, one version later cancelled) for
# capacity.csv and reliance.csv; the note starts like a formula.
GOLDEN_LEDGER = [
    block(id="LG-1", known_from="2020-01-02", chip="H100", quantity="1000", unit="chips",
          start="2020-01-01", full_by="2020-01-01", evidence="T-1"),
    block(id="LG-2", known_from="2020-01-03", dependent="openai", supplier="amd",
          quantity="0.001", unit="GW", status="contracted", start="2020-01-03",
          full_by="2020-01-07", evidence="T-2", note="=cmd() looks like a formula"),
    block(id="LG-2", known_from="2020-01-06", dependent="openai", supplier="amd",
          quantity="0.001", unit="GW", status="cancelled", start="2020-01-03",
          full_by="2020-01-07", evidence="T-2;T-3"),
]  # fmt: skip
CSV_FILES = [t.file for t in exports.TABLES]
FORMULA_TITLE = '=HYPERLINK("http://x")'

GOLDEN_ITEMS = [
    item_row(id="T-1", date="2020-01-02", summary='Bought GPUs, "lots" of them;\nsecond line',
             magnitude="5", amount_usd="10000000000", quantity="10000", unit="GPU",
             source_date="2020-01-02"),
    item_row(id="T-2", date="2020-01-03", dependent="openai", family="chip_programs",
             direction="-1", magnitude="3", credibility="2",
             summary="=SUM(A1:A2) looks like a formula", source_publisher="Le Monde",
             source_title="L’indépendance de l’IA", source_date="2020-01-03", source_url="",
             source_language="fr", source_reliability="B"),
    item_row(id="T-3", date="2020-01-05", family="tensions", magnitude="2",
             summary="-5% capex, said @ceo", grading_note="+ a note that starts with plus",
             source_title="Tensions", source_date="2020-01-05"),
]  # fmt: skip

ANNOTATIONS = [
    (1, "microsoft", "composite", None, "2020-01-02", "2020-01-05", FORMULA_TITLE,
     'Line one\nline "two", with comma', ["capex", "q1"], "alice", "2020-01-10 09:00:00",
     "bob", "2020-01-11 10:30:00", 2, None, None),
    (2, "openai", None, "T-2", "2020-01-03", None, "@mention me", "", [], "carol",
     "2020-01-10 11:00:00", "carol", "2020-01-12 08:00:00", 2, "2020-01-12 08:00:00", "carol"),
]  # fmt: skip
REVISIONS = [
    (1, 1, "create", "alice", "2020-01-10 09:00:00", "microsoft", "composite", None,
     "2020-01-02", "2020-01-05", FORMULA_TITLE, "Line one", ["capex"], False),
    (1, 2, "edit", "bob", "2020-01-11 10:30:00", "microsoft", "composite", None,
     "2020-01-02", "2020-01-05", FORMULA_TITLE, 'Line one\nline "two", with comma',
     ["capex", "q1"], False),
    (2, 1, "create", "carol", "2020-01-10 11:00:00", "openai", None, "T-2", "2020-01-03",
     None, "@mention me", "", [], False),
    (2, 2, "delete", "carol", "2020-01-12 08:00:00", "openai", None, "T-2", "2020-01-03",
     None, "@mention me", "", [], True),
]  # fmt: skip

AUDIT = [
    (1, "2020-01-10 09:00:00", "alice", None, "analyst", "signed-in", "annotation.add",
     "annotation", "1", None, '{"title": "=HYPERLINK(\\"http://x\\")"}', "ok", None),
    (2, "2020-01-12 08:05:00", "ops", "dave", "admin", "cli", "evidence.import", "evidence",
     "items.csv", None, '{"file": "items.csv", "ids": ["T-1"], "rows": 1}', "ok", None),
    (3, "2020-01-12 09:00:00", "vic", None, "viewer", "signed-in", "annotation.delete",
     "annotation", "1", '{"title": "@mention"}', None, "refused",
     "vic (viewer) may not write annotations"),
]  # fmt: skip


@pytest.fixture
def golden_db(db_file: Path) -> Path:
    """Evidence, scores, annotations with history and one alert; every value fixed."""
    add_items(db_file, GOLDEN_METHOD, *GOLDEN_ITEMS)
    with db.transaction(db_file) as con:
        ledger.load_rows(con, [(i + 2, r) for i, r in enumerate(GOLDEN_LEDGER)], GOLDEN_METHOD)
        refresh.recompute(con, GOLDEN_METHOD)
        con.execute("UPDATE evidence SET created_at = TIMESTAMP '2020-01-09 12:00:00'")
        con.executemany(
            "INSERT INTO annotations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ANNOTATIONS,
        )
        con.executemany(
            "INSERT INTO annotation_revisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            REVISIONS,
        )
        con.executemany(
            "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            AUDIT,
        )
    return db_file


def _bundle(out: Path, db_file: Path, **kwargs: object) -> Path:
    return exports.write_bundle(out, db_file, method=GOLDEN_METHOD, **kwargs)


def _manifest(bundle: Path) -> dict:
    return json.loads((bundle / exports.MANIFEST).read_text(encoding="utf-8"))


def _entries(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir())


@pytest.mark.parametrize("name", CSV_FILES)
def test_csv_matches_golden_file_byte_for_byte(golden_db, tmp_path, name):
    produced = (_bundle(tmp_path / "out", golden_db) / name).read_bytes()
    golden = GOLDEN / name
    if os.environ.get("RISK_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(produced)
    assert produced == golden.read_bytes()


@pytest.mark.parametrize("name", CSV_FILES)
def test_excel_option_only_prepends_the_utf8_bom(golden_db, tmp_path, name):
    bundle = _bundle(tmp_path / "out", golden_db, excel=True)
    assert (bundle / name).read_bytes() == b"\xef\xbb\xbf" + (GOLDEN / name).read_bytes()
    assert _manifest(bundle)["excel_bom"] is True


def test_plain_csv_has_no_bom_and_uses_crlf_and_iso_dates(golden_db, tmp_path):
    raw = (_bundle(tmp_path / "out", golden_db) / "annotations.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    assert text.startswith("id,dependent,family,evidence_id,start_date,end_date,title,")
    assert text.count("\r\n") == 3  # header and two rows; the body's own newline is "\n"
    assert "2020-01-02,2020-01-05" in text and "2020-01-11T10:30:00Z" in text


def test_formula_like_annotation_is_exported_inert(golden_db, tmp_path):
    bundle = _bundle(tmp_path / "out", golden_db)
    with (bundle / "annotations.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["title"] == "'" + FORMULA_TITLE
    assert rows[1]["title"] == "'@mention me"
    with (bundle / "evidence.csv").open(encoding="utf-8", newline="") as fh:
        evidence = {r["id"]: r for r in csv.DictReader(fh)}
    assert evidence["T-2"]["summary"] == "'=SUM(A1:A2) looks like a formula"
    assert evidence["T-3"]["summary"] == "'-5% capex, said @ceo"
    assert evidence["T-2"]["direction"] == "-1"  # numbers are never prefixed


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_every_formula_trigger(text):
    assert exports.neutralise(text) == "'" + text


def test_neutralise_leaves_ordinary_text_alone():
    assert exports.neutralise("Azure 1=1") == "Azure 1=1"


@pytest.mark.parametrize("excel", [False, True])
def test_every_csv_reads_back_in_duckdb_and_pandas_with_manifest_row_counts(
    golden_db, tmp_path, excel
):
    bundle = _bundle(tmp_path / "out", golden_db, excel=excel)
    files = _manifest(bundle)["files"]
    assert sorted(files) == sorted(CSV_FILES)
    con = duckdb.connect()
    for name, meta in files.items():
        path = str(bundle / name)
        described = con.execute("DESCRIBE SELECT * FROM read_csv(?, header = true)", [path])
        assert [row[0] for row in described.fetchall()] == meta["columns"]
        count = con.execute("SELECT count(*) FROM read_csv(?, header = true)", [path])
        assert count.fetchone()[0] == meta["rows"], name
        frame = pd.read_csv(path, encoding="utf-8-sig")
        assert list(frame.columns) == meta["columns"]
        assert len(frame) == meta["rows"], name
    assert files["scores.csv"]["rows"] == 8 * 4 * 2
    assert files["alerts.csv"]["rows"] == 1


def test_numeric_columns_stay_numeric_for_duckdb(golden_db, tmp_path):
    bundle = _bundle(tmp_path / "out", golden_db)
    con = duckdb.connect()
    types = dict(con.execute(
        "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_csv(?))",
        [str(bundle / "evidence.csv")],
    ).fetchall())  # fmt: skip
    assert types["direction"] == "BIGINT"
    assert types["date"] == "DATE"
    low = con.execute("SELECT min(direction) FROM read_csv(?)", [str(bundle / "evidence.csv")])
    assert low.fetchone()[0] == -1


def test_manifest_records_versions_and_checksums(golden_db, tmp_path):
    bundle = _bundle(tmp_path / "out", golden_db)
    manifest = _manifest(bundle)
    assert manifest["methodology_version"] == GOLDEN_METHOD.version
    assert manifest["project_version"] == "0.1.0"
    assert manifest["generated_at"].endswith("Z")
    assert bundle.name == manifest["generated_at"].replace("-", "").replace(":", "")
    for name, meta in manifest["files"].items():
        assert hashlib.sha256((bundle / name).read_bytes()).hexdigest() == meta["sha256"]


def test_list_bundles_verifies_checksums_and_reports_problems(golden_db, tmp_path):
    out = tmp_path / "out"
    first = _bundle(out, golden_db)
    (out / "20000101T000000Z").mkdir()  # bundle-like name, no manifest
    listed = exports.list_bundles(out)
    assert [b["name"] for b in listed] == [first.name, "20000101T000000Z"]
    assert listed[0]["checksum_ok"] and listed[0]["problem"] is None
    assert listed[0]["rows"] == sum(m["rows"] for m in _manifest(first)["files"].values())
    assert listed[0]["files"] == len(exports.TABLES)
    assert listed[1]["problem"] == "no manifest.json" and not listed[1]["checksum_ok"]
    with (first / "alerts.csv").open("ab") as fh:
        fh.write(b"tampered\r\n")
    again = exports.list_bundles(out)[0]
    assert not again["checksum_ok"]
    assert again["problem"] == "alerts.csv checksum differs"


def test_keep_prunes_only_complete_bundles_beyond_the_newest_n(golden_db, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("20200101T000000Z", "20200102T000000Z", "20200102T000000Z-2"):
        (out / name).mkdir()
        (out / name / exports.MANIFEST).write_text("{}")
    (out / "19990101T000000Z").mkdir()  # no manifest: not ours to delete
    (out / "notes").mkdir()
    newest = _bundle(out, golden_db, keep=2)
    assert _entries(out) == ["19990101T000000Z", "20200102T000000Z-2", newest.name, "notes"]


def test_keep_below_one_is_rejected_before_writing(golden_db, tmp_path):
    with pytest.raises(ValidationError, match="keep must be at least 1"):
        _bundle(tmp_path / "out", golden_db, keep=0)
    assert not (tmp_path / "out").exists()


def test_same_second_bundles_get_a_suffix_instead_of_overwriting(tmp_path):
    out = tmp_path / "out"
    (out / "20260101T000000Z").mkdir(parents=True)
    (out / "20260101T000000Z" / "x").write_text("taken")
    temp = out / ".tmp-export-1-a"
    temp.mkdir()
    (temp / "f").write_text("new")
    final = exports._rename_into_place(temp, out, "20260101T000000Z")
    assert final.name == "20260101T000000Z-2"
    assert (final / "f").read_text() == "new"
    assert (out / "20260101T000000Z" / "x").read_text() == "taken"


def test_stale_temp_folders_are_cleaned_but_live_ones_kept(golden_db, tmp_path):
    out = tmp_path / "out"
    dead = out / f"{exports.TEMP_PREFIX}999999999-dead"
    live = out / f"{exports.TEMP_PREFIX}{os.getpid()}-live"
    for folder in (dead, live):
        folder.mkdir(parents=True)
        (folder / "scores.csv").write_text("partial")
    _bundle(out, golden_db)
    assert not dead.exists()
    assert live.exists()


def test_build_zip_holds_a_bundle_folder_whose_manifest_matches(golden_db):
    data = exports.build_zip(golden_db, excel=True, method=GOLDEN_METHOD)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        folder = names[0].split("/")[0]
        assert sorted(names) == sorted(f"{folder}/{n}" for n in [*CSV_FILES, "manifest.json"])
        manifest = json.loads(archive.read(f"{folder}/manifest.json"))
        for name, meta in manifest["files"].items():
            content = archive.read(f"{folder}/{name}")
            assert content.startswith(b"\xef\xbb\xbf")
            assert hashlib.sha256(content).hexdigest() == meta["sha256"]
    assert exports.BUNDLE_NAME.match(folder)


def _slow_export(out: Path, db_file: Path, pause: float) -> subprocess.Popen:
    env = {**os.environ, exports.PAUSE_ENV: str(pause)}
    return subprocess.Popen(
        [sys.executable, "-m", "risk", "export", "--out", str(out), "--db", str(db_file)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait_for_partial_temp(out: Path, proc: subprocess.Popen, timeout: float = 60) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        temps = list(out.glob(f"{exports.TEMP_PREFIX}*")) if out.exists() else []
        if temps and any(temps[0].iterdir()):
            return temps[0]
        time.sleep(0.05)
    raise AssertionError(f"no partial export appeared; exit {proc.poll()}")


def test_sigkill_mid_export_leaves_no_bundle_and_no_bundle_like_litter(golden_db, tmp_path):
    out = tmp_path / "out"
    proc = _slow_export(out, golden_db, pause=1.0)
    temp = _wait_for_partial_temp(out, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert not (temp / exports.MANIFEST).exists()  # it really was killed mid-write
    assert exports.list_bundles(out) == []
    assert all(name.startswith(".") and not exports.BUNDLE_NAME.match(name)
               for name in _entries(out))  # fmt: skip
    bundle = exports.write_bundle(out, golden_db, method=BUNDLED)  # the next run clears the litter
    assert _entries(out) == [bundle.name]


def test_a_polling_reader_only_ever_sees_whole_bundles(golden_db, tmp_path):
    out = tmp_path / "out"
    proc = _slow_export(out, golden_db, pause=0.3)
    seen = []
    while proc.poll() is None:
        seen += exports.list_bundles(out)
        time.sleep(0.02)
    assert proc.returncode == 0, proc.stderr.read().decode()
    seen += exports.list_bundles(out)
    assert seen
    assert all(b["checksum_ok"] and b["files"] == len(exports.TABLES) for b in seen)


def test_cli_export_prints_the_bundle_and_row_counts(golden_db, tmp_path):
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "risk", "export", "--out", str(out), "--db", str(golden_db),
         "--keep", "3", "--excel"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (bundle,) = out.iterdir()
    assert f"bundle: {bundle}" in result.stdout
    assert "evidence.csv" in result.stdout and " 3 rows" in result.stdout
    assert (bundle / "scores.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_cli_export_rejects_keep_zero_in_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "risk", "export", "--out", str(tmp_path), "--keep", "0"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--keep" in result.stderr
