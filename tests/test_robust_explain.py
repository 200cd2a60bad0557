"""``explain`` lists the largest contributions and sums the rest in one line; the total
stays exact, in the library, the command line and the dashboard alike."""

from __future__ import annotations

import math

import pytest
from bench import evidence_csv, organisations_csv
from conftest import BUNDLED

from risk import cli, db, explain, importer


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> tuple:
    folder = tmp_path_factory.mktemp("many")
    path = folder / "many.duckdb"
    with db.connect(path) as con:
        db.migrate(con)
    importer.import_file(organisations_csv(folder / "orgs.csv"), path, BUNDLED)
    importer.import_file(evidence_csv(folder / "ev.csv", 3_000), path, BUNDLED)
    with db.connect(path) as con:
        day = con.execute("SELECT max(date) FROM scores").fetchall()[0][0]
    return path, day


@pytest.mark.parametrize("family", ["spend", "composite"])
def test_listed_plus_rest_equals_every_item(many, family):
    path, day = many
    with db.connect(path) as con:
        full = explain.explain(con, BUNDLED, "dep03", family, day, top=None)
        short = explain.explain(con, BUNDLED, "dep03", family, day, top=5)
    assert full.rest is None and len(short.contributions) == 5
    def without_points(items):
        return [{k: v for k, v in c.items() if k != "points"} for c in items]

    assert without_points(short.contributions) == without_points(full.contributions[:5])
    assert [c["points"] for c in short.contributions] == pytest.approx(
        [c["points"] for c in full.contributions[:5]], abs=1e-9)
    assert short.score == pytest.approx(full.score, abs=1e-9)
    listed = math.fsum(c["contribution"] for c in short.contributions)
    everything = math.fsum(c["contribution"] for c in full.contributions)
    assert listed + short.rest["contribution"] == pytest.approx(everything, abs=1e-9)
    assert short.rest["items"] == len(full.contributions) - 5
    points = math.fsum(c["points"] for c in short.contributions) + short.rest["points"]
    assert points == pytest.approx(short.score - 50, abs=1e-9)
    assert short.stored_score == pytest.approx(short.score, abs=1e-6)


def test_the_cli_prints_the_rest_in_one_line(many, capsys):
    path, day = many
    assert cli.main(["explain", "dep03", "composite", str(day), "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n(rest)") == 1 and "smaller items, summed" in out
    assert cli.main(["explain", "dep03", "composite", str(day), "--all", "--db",
                     str(path)]) == 0  # fmt: skip
    assert "(rest)" not in capsys.readouterr().out
