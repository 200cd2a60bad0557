"""The command line contract: names, --help everywhere, JSON shapes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BUNDLED, add_items, item_row

from risk import cli, db, scoring

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, db_path: Path | None = None) -> subprocess.CompletedProcess:
    extra = ["--db", str(db_path)] if db_path else []
    return subprocess.run([sys.executable, "-m", "risk", *args, *extra], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def subcommand_paths(group=None, prefix=()):
    """Every command and sub-command the CLI knows, e.g. ('annotate', 'add')."""
    group = group or cli.build_cli()
    for name, child in getattr(group, "commands", {}).items():
        yield (*prefix, name)
        yield from subcommand_paths(child, (*prefix, name))


def test_contract_commands_exist():
    names = {path[0] for path in subcommand_paths()}
    assert {"init", "score", "explain", "import"} <= names


@pytest.mark.parametrize("path", sorted(set(subcommand_paths())))
def test_every_command_has_help_with_an_example(path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main([*path, "--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    assert "usage: python -m risk" in out
    assert "example" in out.lower()


def test_init_on_a_fresh_path_creates_and_fills_the_database(tmp_path):
    target = tmp_path / "fresh" / "risk.duckdb"
    result = run("init", db_path=target)
    assert result.returncode == 0, result.stderr
    assert "loaded bundled data" in result.stdout
    with db.connect(target) as con:
        items = con.execute("SELECT count(*) FROM evidence").fetchone()[0]
        deps = con.execute("SELECT DISTINCT dependent FROM scores ORDER BY 1").fetchall()
    assert items >= 40
    assert deps == [("microsoft",), ("openai",)]
    again = run("init", db_path=target)
    assert "bundled data not reloaded" in again.stdout


def test_explain_json_has_the_documented_keys_and_sums(db_file, method, tmp_path, monkeypatch):
    path = tmp_path / "bundled.duckdb"
    assert run("init", db_path=path).returncode == 0
    result = run("explain", "openai", "composite", "2025-12-31", "--json", db_path=path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"dependent", "family", "date", "score", "pressure", "band", "contributions"} <= set(
        data)
    assert data["pressure"] is None
    assert {"evidence_id", "contribution", "summary", "source"} <= set(data["contributions"][0])
    family = run("explain", "microsoft", "spend", "2023-06-30", "--json", db_path=path)
    fam = json.loads(family.stdout)
    assert sum(c["contribution"] for c in fam["contributions"]) == pytest.approx(fam["pressure"],
                                                                                 abs=1e-12)
    assert fam["score"] == pytest.approx(fam["stored_score"], rel=1e-12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("explain", "initech", "spend", "2023-06-30"), "unknown dependent 'initech'"),
        (("explain", "microsoft", "vibes", "2023-06-30"), "unknown family 'vibes'"),
        (("explain", "microsoft", "spend", "30/06/2023"), "is not a date in YYYY-MM-DD form"),
        (("explain", "microsoft", "spend", "1990-01-01"), "outside the scored range"),
        (("import", "/no/such/file.csv"), "no such file"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_on_stderr(db_file, method, args, message):
    add_items(db_file, method, item_row())
    with db.transaction(db_file) as con:
        scoring.rescore(con, method)
    result = run(*args, db_path=db_file)
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_changed_methodology_rescores_on_next_use(tmp_path, monkeypatch):
    from risk import bootstrap, methodology
    from risk.paths import METHODOLOGY_FILE
    from risk.settings import Settings

    path = tmp_path / "v.duckdb"
    bootstrap.init_database(path, method=BUNDLED)
    edited = tmp_path / "methodology.toml"
    edited.write_text(METHODOLOGY_FILE.read_text().replace("weight = 0.40", "weight = 0.50"))
    monkeypatch.setenv("RISK_METHODOLOGY", str(edited))
    new_version = methodology.load(edited).version
    bootstrap.ensure_ready(path, Settings.resolve(path).methodology)
    with db.connect(path) as con:
        versions = con.execute("SELECT DISTINCT methodology_version FROM scores").fetchall()
    assert versions == [(new_version,)]


def test_commands_run_through_clicks_runner(tmp_path):
    from click.testing import CliRunner

    target = tmp_path / "runner.duckdb"
    result = CliRunner().invoke(cli.build_cli(), ["init", "--db", str(target)])
    assert result.exit_code == 0, result.output
    assert "loaded bundled data" in result.output
    again = CliRunner().invoke(cli.build_cli(), ["--db", str(target), "score"])
    assert again.exit_code == 0 and "score rows" in again.output
