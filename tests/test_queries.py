"""Read models behind the dashboard, on a real database built from small test rows."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import BUNDLED, add_items, item_row

from risk import db, explain, scoring
from risk.errors import Problem, ValidationError
from risk.evidence import row_problem
from risk.views import queries


@pytest.fixture
def scored(db_file, method):
    add_items(db_file, method,
              item_row(id="S-1", date="2020-03-01", family="spend", magnitude="4"),
              item_row(id="C-1", date="2020-06-01", family="chip_programs", direction="-1",
                       credibility="2",
                       summary="Own chip <b>Athena</b> 100%_done"),
              item_row(id="O-1", date="2020-04-01", dependent="openai", family="tensions",
                       source_publisher="Other Wire", source_title="Other"))  # fmt: skip
    with db.transaction(db_file) as con:
        scoring.rescore(con, method)
    return db_file


def test_headline_gives_latest_composite_changes_and_the_biggest_mover(scored, method):
    with db.connect(scored) as con:
        heads = {h["dependent"]: h for h in queries.headline(con, method)}
        rows = dict(con.execute(
            "SELECT date, score FROM scores WHERE dependent = 'microsoft' "
            "AND family = 'composite'").fetchall())  # fmt: skip
    ms = heads["microsoft"]
    assert ms["date"] == date(2020, 12, 31)
    assert ms["score"] == rows[date(2020, 12, 31)]
    assert ms["change_90d"] == pytest.approx(rows[date(2020, 12, 31)] - rows[date(2020, 10, 2)])
    assert ms["change_1y"] == pytest.approx(rows[date(2020, 12, 31)] - rows[date(2020, 1, 1)])
    with db.connect(scored) as con:
        fam = dict(con.execute(
            "SELECT family, score FROM scores WHERE dependent = 'microsoft' AND date = ?",
            [date(2020, 12, 31)]).fetchall())  # fmt: skip
        old = dict(con.execute(
            "SELECT family, score FROM scores WHERE dependent = 'microsoft' AND date = ?",
            [date(2020, 10, 2)]).fetchall())  # fmt: skip
    moves = {f: method.families[f].weight * (fam[f] - old[f]) for f in method.families}
    assert ms["mover"] == max(moves, key=lambda f: abs(moves[f]))
    assert ms["mover_points"] == pytest.approx(moves[ms["mover"]])


def test_trend_filters_by_dependent_family_and_dates_and_keeps_the_last_day(scored):
    with db.connect(scored) as con:
        full = queries.trend(con, ["openai"], ["tensions"], date(2020, 1, 1),
                             date(2020, 12, 31), max_points=None)  # fmt: skip
        thin = queries.trend(con, ["openai"], ["tensions"], date(2020, 1, 1),
                             date(2020, 12, 31), max_points=100)  # fmt: skip
    assert len(full) == 366 and set(full["family"]) == {"tensions"}
    assert set(full["dependent"]) == {"openai"}
    assert len(thin) <= 100 and thin["date"].max() == full["date"].max()
    assert set(thin["score"]).issubset(set(full["score"]))


def test_evidence_table_search_is_literal_and_filters_combine(scored, method):
    with db.connect(scored) as con:
        assert len(queries.evidence_table(con, method)) == 3
        assert list(queries.evidence_table(con, method, search="athena")["id"]) == ["C-1"]
        assert list(queries.evidence_table(con, method, search="100%_")["id"]) == ["C-1"]
        assert queries.evidence_table(con, method, search="0%x").empty
        assert list(queries.evidence_table(con, method, direction=-1)["id"]) == ["C-1"]
        assert list(queries.evidence_table(con, method, dependents_=["openai"])["id"]) \
            == ["O-1"]  # fmt: skip
        late = queries.evidence_table(con, method, start=date(2020, 4, 1),
                                      families=["spend", "tensions"])  # fmt: skip
    assert list(late["id"]) == ["O-1"]


def test_evidence_contribution_is_signed_magnitude_times_confidence(scored, method):
    with db.connect(scored) as con:
        table = queries.evidence_table(con, method).set_index("id")
    assert table.loc["C-1", "contribution"] == pytest.approx(-4 * 1.0 * 0.8)


def test_evidence_markers_carry_the_scores_of_their_day(scored, method):
    with db.connect(scored) as con:
        marks = queries.evidence_markers(con, method, ["microsoft"], ["spend"],
                                         date(2020, 1, 1), date(2020, 12, 31))  # fmt: skip
        stored = con.execute("SELECT score FROM scores WHERE dependent = 'microsoft' "
                             "AND family = 'spend' AND date = '2020-03-01'").fetchone()[0]
    assert list(marks["id"]) == ["S-1"] and marks["family_score"].iloc[0] == stored


def test_contributions_frame_matches_explain(scored, method):
    with db.connect(scored) as con:
        result = explain.explain(con, method, "microsoft", "composite", date(2020, 7, 1))
    frame = queries.contributions_frame(result)
    assert list(frame["id"]) == [c["evidence_id"] for c in result.contributions]
    assert frame["points"].sum() == pytest.approx(result.score - 50)


def test_what_if_recomputes_without_touching_saved_scores(scored, method):
    with db.connect(scored) as con:
        before = con.execute("SELECT sum(score), count(*) FROM scores").fetchone()
        frame = queries.what_if(con, method, {"spend": 1.0, "chip_programs": 0.0,
                                              "tensions": 0.0}, {})  # fmt: skip
        after = con.execute("SELECT sum(score), count(*) FROM scores").fetchone()
        spend = dict(con.execute("SELECT dependent, score FROM scores WHERE family = 'spend' "
                                 "AND date = '2020-12-31'").fetchall())  # fmt: skip
    assert before == after
    last = {r["dependent"]: r for r in queries.what_if_latest(frame)}
    assert last["microsoft"]["what_if"] == pytest.approx(spend["microsoft"])
    assert last["microsoft"]["difference"] != 0


def test_problems_are_grouped_by_field_for_the_form():
    split = queries.problems_by_field([
        row_problem(None, "summary", "is empty"), row_problem(3, "id", "bad"),
        Problem("title", "is empty"),
        row_problem(None, "magnitude", "9 is out of range 1-5").within("candidate 4: "),
        Problem("", "something else"),
    ])  # fmt: skip
    assert split == {"summary": ["is empty"], "id": ["bad"], "title": ["is empty"],
                     "magnitude": ["9 is out of range 1-5"], "": ["something else"]}


def test_a_problem_prints_as_before_and_keeps_its_place():
    problem = row_problem(3, "date", "is empty").within("file.csv, ")
    assert problem == "file.csv, line 3, column date: is empty"
    assert (problem.field, problem.message, problem.line) == ("date", "is empty", 3)
    error = ValidationError([problem, "whole input"])
    assert [p.field for p in error.problems] == ["date", ""]
    assert str(error) == "file.csv, line 3, column date: is empty; whole input"


def test_add_evidence_rejects_then_accepts(scored):
    with pytest.raises(ValidationError) as caught:
        queries.add_evidence(item_row(id="N-1", summary=""), scored, method=BUNDLED)
    assert "column summary: is empty" in caught.value.problems
    queries.add_evidence(item_row(id="N-1", date="2020-05-01"), scored, method=BUNDLED)
    assert queries.next_evidence_id(scored) == "EV-0001"
    with db.connect(scored) as con:
        assert con.execute("SELECT count(*) FROM evidence WHERE id = 'N-1'").fetchone()[0] == 1


def test_highlight_escapes_the_article_and_marks_overlapping_spans():
    text = "Microsoft <script>alert(1)</script> buys H100 from Nvidia."
    spans = {"dependent": [0, 9, "Microsoft"], "vendor": [[51, 57, "Nvidia"]],
             "sentence": [0, len(text), text], "bogus": [500, 900, "x"]}  # fmt: skip
    out = queries.highlight_html(text, spans)
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert out.count("<mark") == 2 and 'title="dependent"' in out and 'title="vendor"' in out


def test_md_escape_leaves_no_live_markdown():
    assert queries.md_escape("[x](javascript:alert(1))") == r"\[x\]\(javascript\:alert\(1\)\)"
    assert queries.md_escape("<img src=x>") == r"\<img src=x\>"


def test_bundle_list_of_a_missing_folder_is_empty(tmp_path):
    assert queries.bundle_list(tmp_path / "nope") == []


def test_data_version_rises_with_every_write(scored, method):
    first = queries.data_version(scored)
    queries.add_evidence(item_row(id="N-2", date="2020-05-01"), scored, method=BUNDLED)
    assert queries.data_version(scored) > first


def test_highlight_lists_whole_sentence_defaults_instead_of_marking_them():
    text = "Microsoft buys H100 from Nvidia."
    whole = [0, len(text), text]
    spans = {"dependent": [0, 9, "Microsoft"], "credibility": whole, "date": whole,
             "sentence": whole}  # fmt: skip
    out = queries.highlight_html(text, spans)
    assert out.count("<mark") == 1
    assert out.count("<sup") == 1
    assert "No specific trigger (whole sentence, a default): credibility, date" in out
