"""Every failure a user can cause ends in one short line on stderr and a non-zero exit."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from risk import boundary, cli, db
from risk.errors import ConfigError, RiskError
from risk.methodology import load
from risk.paths import METHODOLOGY_FILE

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_TEXT = METHODOLOGY_FILE.read_text(encoding="utf-8")


@pytest.fixture
def risk_db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "risk.duckdb"
    monkeypatch.setenv("RISK_DB", str(path))
    monkeypatch.delenv("RISK_METHODOLOGY", raising=False)
    assert cli.main(["init"]) == 0
    return path


def one_line_error(capsys, argv: list[str]) -> str:
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: (tmp / "file").write_text("x") and tmp / "file", "is a file, not a folder"),
        (lambda tmp: (tmp / "f").write_text("x") and tmp / "f" / "sub", "a parent of it is a file"),
        (lambda tmp: Path("/proc/no/such/folder"), "cannot create the folder"),
    ],
    ids=["file", "under-a-file", "impossible"],
)
def test_export_out_problems(capsys, risk_db, tmp_path, make, expected):
    line = one_line_error(capsys, ["export", "--out", str(make(tmp_path))])
    assert expected in line


def test_export_out_unwritable(capsys, risk_db, tmp_path):
    """A folder nobody may write to. Root may write anywhere mode bits allow, so as root
    (CI) the folder is made immutable, which refuses root too."""
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    immutable = os.geteuid() == 0
    if immutable:
        subprocess.run(["chattr", "+i", str(locked)], check=True)
    try:
        assert "not writable" in one_line_error(capsys, ["export", "--out", str(locked)])
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(locked)], check=True)


def _methodology(tmp_path: Path, text: str | bytes) -> Path:
    file = tmp_path / "m.toml"
    file.write_bytes(text if isinstance(text, bytes) else text.encode())
    return file


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xfeversion", "is not UTF-8 text"),
        ('version = "1.0.0"\nfamilies = 5\n', "families must be a table, not 5"),
        (BUNDLED_TEXT.replace("[families.spend]", "[families]\nspend = 3\n[families.x]"),
         "families.spend must be a table"),
        (BUNDLED_TEXT.replace("weight = 0.40", "weight = nan"),
         "families.spend.weight must be a finite number, not nan"),
        (BUNDLED_TEXT.replace("scale = 4.0", "scale = inf"),
         "families.tensions.scale must be a finite number, not inf"),
        (BUNDLED_TEXT.replace("weight = 0.40", 'weight = "heavy"'),
         "families.spend.weight must be a number, not text"),
        (BUNDLED_TEXT.replace("A = 1.0", "A = nan"), "confidence.reliability.A must be a finite"),
        (BUNDLED_TEXT.replace("[confidence.reliability]", "[confidence.reliability.x]"),
         "missing key 'confidence.reliability.A'"),
    ],
)
def test_bad_methodology_is_named_in_one_line(capsys, risk_db, tmp_path, monkeypatch, content,
                                              expected):  # fmt: skip
    monkeypatch.setenv("RISK_METHODOLOGY", str(_methodology(tmp_path, content)))
    assert expected in one_line_error(capsys, ["score"])


def test_methodology_that_is_a_folder(capsys, risk_db, tmp_path, monkeypatch):
    monkeypatch.setenv("RISK_METHODOLOGY", str(tmp_path))
    assert "is a folder" in one_line_error(capsys, ["score"])


def test_nan_weight_is_refused_by_the_library_too():
    with pytest.raises(ConfigError, match="weight"):
        load(METHODOLOGY_FILE).with_overrides(weights={"spend": float("nan")})


def test_truncated_database(capsys, risk_db, tmp_path, monkeypatch):
    cut = tmp_path / "cut.duckdb"
    cut.write_bytes(risk_db.read_bytes()[:5000])
    monkeypatch.setenv("RISK_DB", str(cut))
    assert "truncated or damaged" in one_line_error(capsys, ["score"])


def test_not_a_duckdb_file(capsys, risk_db, tmp_path, monkeypatch):
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"hello" * 1000)
    monkeypatch.setenv("RISK_DB", str(junk))
    assert "not a DuckDB database file" in one_line_error(capsys, ["score"])


def test_database_folder_that_cannot_be_created(capsys, risk_db, tmp_path, monkeypatch):
    (tmp_path / "plain").write_text("x")
    monkeypatch.setenv("RISK_DB", str(tmp_path / "plain" / "sub" / "r.duckdb"))
    assert "cannot create the database folder" in one_line_error(capsys, ["score"])


def test_sqlite_database_is_refused_without_any_download(tmp_path, monkeypatch):
    """Extension auto-install and auto-load are off: DuckDB must not fetch a SQLite reader."""
    lite = tmp_path / "lite.db"
    with sqlite3.connect(lite) as con:
        con.execute("CREATE TABLE t (a)")
    home = tmp_path / "home"
    env = {**os.environ, "RISK_DB": str(lite), "HOME": str(home),
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "risk", "score"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: cannot open database {lite}: not a DuckDB database file"]
    assert not (home / ".duckdb").exists()  # nothing was installed


def test_every_connection_has_extension_downloads_off_and_utc():
    con = db.new_connection()
    settings = dict(con.execute(
        "SELECT name, value FROM duckdb_settings() WHERE name IN ('autoinstall_known_extensions',"
        " 'autoload_known_extensions', 'allow_community_extensions', 'TimeZone')").fetchall())
    con.close()
    assert settings == {"autoinstall_known_extensions": "false",
                        "autoload_known_extensions": "false",
                        "allow_community_extensions": "false", "TimeZone": "UTC"}  # fmt: skip


@pytest.mark.parametrize("command", ["score", "explain microsoft composite 2024-01-01"])
def test_broken_pipe_is_one_line(risk_db, command):
    done = subprocess.run(
        f"{sys.executable} -m risk {command} | head -c 1 >/dev/null; exit ${{PIPESTATUS[0]}}",
        shell=True, executable="/bin/bash", cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "RISK_DB": str(risk_db)}, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 1
    if done.stderr.strip():
        assert done.stderr.startswith("error: ") and done.returncode == 1


def test_unexpected_failures_are_one_line_too():
    line = boundary.describe(KeyError("date"))
    assert line.startswith("unexpected KeyError") and "\n" not in line
    assert boundary.describe(RiskError("a\nb")) == "a b"
    assert boundary.describe(IsADirectoryError(21, "Is a directory", "/x")) == (
        "/x: Is a directory")
