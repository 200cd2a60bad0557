"""Stored and exported timestamps are UTC whatever the machine's time zone."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from risk import db

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ("Microsoft a annoncé lundi l'achat de 100 000 GPU Nvidia H100 pour 10 milliards de "
           "dollars afin d'étendre Azure.\n")  # fmt: skip


def run(*args: str, env: dict) -> str:
    done = subprocess.run([sys.executable, "-m", "risk", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_timestamps_are_utc_under_tokyo_time(tmp_path):
    env = {**os.environ, "TZ": "Asia/Tokyo", "RISK_DB": str(tmp_path / "r.duckdb")}
    env.pop("RISK_METHODOLOGY", None)
    before = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=5)
    run("init", env=env)
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    run("ingest", str(article), "--published", "2024-03-04", env=env)
    run("score", env=env)
    run("export", "--out", str(tmp_path / "out"), env=env)
    after = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=5)
    with db.connect(tmp_path / "r.duckdb") as con:
        stamps = con.execute(
            "SELECT max(created_at) FROM evidence UNION ALL SELECT max(computed_at) FROM "
            "score_runs UNION ALL SELECT max(ingested_at) FROM articles UNION ALL "
            "SELECT max(created_at) FROM candidates UNION ALL SELECT max(created_at) FROM "
            "methodology_versions UNION ALL SELECT max(applied_at) FROM schema_migrations"
        ).fetchall()
    for (stamp,) in stamps:
        assert before <= stamp <= after, (stamp, before, after)
    bundle = next((tmp_path / "out").iterdir())
    with open(bundle / "evidence.csv", encoding="utf-8") as fh:
        created = [row["created_at"] for row in csv.DictReader(fh)]
    exported = datetime.fromisoformat(max(created).rstrip("Z"))
    assert before <= exported <= after
