"""The methodology, pinned by values computed by hand from the formulas in the README."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import add_items, day, item_row, methodology_dict

from risk import db, scoring
from risk import explain as explain_mod
from risk.methodology import COMPOSITE


def stored(path, dependent, family, when):
    with db.connect(path) as con:
        return con.execute(
            "SELECT score, pressure, band_low, band_high FROM scores "
            "WHERE dependent = ? AND family = ? AND date = ?",
            [dependent, family, day(when)],
        ).fetchone()


def rescore(path, method):
    with db.transaction(path) as con:
        return scoring.rescore(con, method)


def test_one_item_on_its_own_day_gives_tanh_of_its_weight(db_file, method):
    add_items(db_file, method, item_row(magnitude=4, credibility=1, source_reliability="A"))
    rescore(db_file, method)
    score, pressure, low, high = stored(db_file, "microsoft", "spend", "2020-03-01")
    assert pressure == pytest.approx(4.0)
    assert score == pytest.approx(50 + 50 * math.tanh(4 / 5))  # 83.2018...
    half = 20 / math.sqrt(1 + 4 / 4)
    assert (low, high) == pytest.approx((score - half, min(100, score + half)))


def test_pressure_halves_after_exactly_one_half_life(db_file, method):
    add_items(db_file, method, item_row(date="2020-03-01"))
    rescore(db_file, method)
    _, before, *_ = stored(db_file, "microsoft", "spend", "2020-02-29")
    score, pressure, *_ = stored(db_file, "microsoft", "spend", "2020-06-09")  # +100 days
    assert before == 0.0
    assert pressure == pytest.approx(2.0)
    assert score == pytest.approx(50 + 50 * math.tanh(2 / 5))


def test_negative_item_uses_both_grades_and_pushes_below_50(db_file, method):
    add_items(db_file, method, item_row(direction="-1", magnitude=2, credibility=3,
                                        source_reliability="B"))
    rescore(db_file, method)
    score, pressure, *_ = stored(db_file, "microsoft", "spend", "2020-03-01")
    assert pressure == pytest.approx(-2 * 0.8 * 0.6)
    assert score == pytest.approx(50 + 50 * math.tanh(-0.96 / 5))
    assert score < 50


def test_composite_is_the_weighted_mean_of_two_families(db_file, method):
    add_items(
        db_file, method,
        item_row(id="T-1", family="spend", magnitude=4),
        item_row(id="T-2", family="chip_programs", direction="-1", magnitude=3),
    )
    rescore(db_file, method)
    spend = 50 + 50 * math.tanh(4 / 5)
    chips = 50 + 50 * math.tanh(-3 / 5)
    composite, pressure, *_ = stored(db_file, "microsoft", COMPOSITE, "2020-03-01")
    assert pressure is None
    assert composite == pytest.approx((0.5 * spend + 0.3 * chips + 0.2 * 50) / 1.0)


def test_family_with_no_evidence_sits_at_50_with_the_widest_band(db_file, method):
    add_items(db_file, method, item_row())
    rescore(db_file, method)
    score, pressure, low, high = stored(db_file, "microsoft", "tensions", "2020-06-01")
    assert (score, pressure) == (50.0, 0.0)
    assert (low, high) == pytest.approx((30.0, 70.0))


def test_band_narrows_as_confident_evidence_accumulates(db_file, method):
    add_items(db_file, method, item_row(id="T-1", date="2020-03-01"),
              item_row(id="T-2", date="2020-04-01"))
    rescore(db_file, method)
    one = stored(db_file, "microsoft", "spend", "2020-03-31")
    two = stored(db_file, "microsoft", "spend", "2020-04-01")
    assert (two[3] - two[2]) < (one[3] - one[2])


def test_evidence_for_another_vendor_is_stored_but_not_scored(db_file, method):
    add_items(db_file, method, item_row(id="T-1"), item_row(id="T-2", vendor="amd"))
    rescore(db_file, method)
    _, pressure, *_ = stored(db_file, "microsoft", "spend", "2020-03-01")
    assert pressure == pytest.approx(4.0)


def test_rescore_records_the_methodology_version_with_every_row(db_file, method):
    add_items(db_file, method, item_row())
    rows = rescore(db_file, method)
    with db.connect(db_file) as con:
        versions = con.execute("SELECT DISTINCT methodology_version FROM scores").fetchall()
        recorded = con.execute("SELECT config FROM methodology_versions").fetchall()
    assert versions == [(method.version,)]
    assert rows == 366 * 4  # 2020 is a leap year; three families and the composite
    assert len(recorded) == 1


def test_explain_contributions_sum_to_the_stored_pressure(db_file, method):
    add_items(
        db_file, method,
        item_row(id="T-1", date="2020-01-10", magnitude=5),
        item_row(id="T-2", date="2020-02-10", direction="-1", magnitude=2, credibility=2),
        item_row(id="T-3", date="2020-05-10", magnitude=3, source_reliability="C",
                 source_title="Another"),
    )
    rescore(db_file, method)
    with db.connect(db_file) as con:
        result = explain_mod.explain(con, method, "microsoft", "spend", day("2020-07-01"))
    contributions = [c["contribution"] for c in result.contributions]
    assert math.fsum(contributions) == result.pressure
    assert result.pressure == pytest.approx(stored(db_file, "microsoft", "spend", "2020-07-01")[1],
                                            rel=1e-12)
    assert result.score == pytest.approx(result.stored_score, rel=1e-12)
    assert [abs(c) for c in contributions] == sorted(map(abs, contributions), reverse=True)
    assert sum(c["points"] for c in result.contributions) == pytest.approx(result.score - 50)


def test_explain_composite_points_add_up_to_the_composite(db_file, method):
    add_items(db_file, method, item_row(id="T-1", family="spend"),
              item_row(id="T-2", family="tensions", direction="-1", magnitude=2))
    rescore(db_file, method)
    with db.connect(db_file) as con:
        result = explain_mod.explain(con, method, "MSFT", COMPOSITE, day("2020-08-01"))
    assert result.dependent == "microsoft"
    assert result.pressure is None
    assert result.score == pytest.approx(result.stored_score, rel=1e-12)
    points = sum(c["points"] for c in result.contributions)
    assert 50 + points == pytest.approx(result.score)
    assert {c["family"] for c in result.contributions} == {"spend", "tensions"}


def test_compute_does_not_write_and_what_if_weights_change_the_composite(db_file, method):
    add_items(db_file, method, item_row(id="T-1", family="spend"))
    rescore(db_file, method)
    heavier = method.with_overrides(weights={"spend": 1.0, "chip_programs": 0.0,
                                             "tensions": 0.0})
    with db.connect(db_file) as con:
        frame = scoring.compute(con, heavier)
    what_if = frame[(frame.family == COMPOSITE) & (frame.date == pd.Timestamp("2020-03-01"))]
    assert what_if.score.iloc[0] == pytest.approx(50 + 50 * math.tanh(4 / 5))
    assert stored(db_file, "microsoft", COMPOSITE, "2020-03-01")[0] == pytest.approx(
        0.5 * (50 + 50 * math.tanh(4 / 5)) + 0.5 * 50)


def test_saved_methodology_round_trips_through_its_toml_file(tmp_path, method):
    from risk.errors import ConfigError
    from risk.methodology import load, save_as, to_toml

    file = tmp_path / "m.toml"
    file.write_text(to_toml(method))
    assert load(file).version == method.version
    changed = method.with_overrides(weights={"spend": 0.9}, half_lives={"tensions": 50})
    saved = save_as(changed, "0.1.0", file)
    assert (saved.semver, saved.families["spend"].weight) == ("0.1.0", 0.9)
    assert saved.families["tensions"].half_life_days == 50
    with pytest.raises(ConfigError, match="already in use"):
        save_as(changed, "0.1.0", file)
    with pytest.raises(ConfigError, match="must look like"):
        save_as(changed, "v2", file)
    assert load(file).version == saved.version


def test_toml_writer_round_trips_an_emoji_label_and_a_family_name_with_a_space(tmp_path):
    from risk.methodology import from_dict, load, to_toml

    raw = methodology_dict()
    raw["families"]["cloud spend"] = {**raw["families"].pop("spend"), "label": "GPU 🚀 \"spend\""}
    method = from_dict(raw)
    file = tmp_path / "m.toml"
    file.write_text(to_toml(method), encoding="utf-8")
    again = load(file)
    assert again.families["cloud spend"].label == "GPU 🚀 \"spend\""
    assert again.as_dict() == method.as_dict() and again.version == method.version
