"""The dashboard: one-line error boxes, fresh reads after a write or a new day, forms that
start empty and clear after a save, and the two crashes of issue 12."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import streamlit as st
from bench import evidence_csv, organisations_csv
from conftest import BUNDLED
from streamlit.testing.v1 import AppTest

from app_pages import common
from risk import annotations, bootstrap, db, importer
from risk.errors import DatabaseBusyError
from risk.paths import METHODOLOGY_FILE
from risk.views import charts, queries

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = page
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_why_this_number_lists_an_annotation_covering_the_chosen_day(app_db):
    with db.connect(app_db) as con:
        last = con.execute("SELECT max(date) FROM scores").fetchall()[0][0]
    annotations.add({"dependent": "microsoft", "date": (last - timedelta(days=3)).isoformat(),
                     "end_date": last.isoformat(), "title": "Covers the day"}, "ana", app_db,
                    method=BUNDLED)  # fmt: skip
    at = open_page("Why this number")
    at.radio(key="why_kind").set_value("A signal score (news index)").run()
    no_exception(at)
    shown = [t.value for t in at.text]
    assert any(t.startswith("Covers the day") and str(last) in t for t in shown), shown


def test_the_family_grid_scales_its_spacing_with_twenty_dependents():
    days = pd.date_range("2024-01-01", periods=3)
    trend = pd.DataFrame([
        {"dependent": f"dep{i:02d}", "family": fam, "date": day, "score": 50.0,
         "band_low": 40.0, "band_high": 60.0}
        for i in range(20) for fam in ("spend", "tensions") for day in days])  # fmt: skip
    fig = charts.family_grid(trend, ["spend", "tensions"])
    assert len({t.yaxis for t in fig.data}) == 40


def test_overview_with_twenty_dependents(tmp_path, monkeypatch):
    path = tmp_path / "twenty.duckdb"
    with db.connect(path) as con:
        db.migrate(con)
    importer.import_file(organisations_csv(tmp_path / "orgs.csv"), path, BUNDLED)
    importer.import_file(evidence_csv(tmp_path / "ev.csv", 2_000), path, BUNDLED)
    monkeypatch.setenv("RISK_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = open_page("Overview")
    no_exception(at)
    assert not at.error
    assert len(at.get("plotly_chart")) == 2
    evidence_markers = [t for fig in at.get("plotly_chart")
                        for t in json.loads(fig.proto.spec)["data"]
                        if t.get("meta", {}).get("role") == "evidence"]  # fmt: skip
    assert max(len(t["x"]) for t in evidence_markers) <= queries.MAX_MARKERS
    at = open_page("Evidence")  # 2,000 items: read and shown 500 at a time
    no_exception(at)
    assert len(at.dataframe[0].value) == 500
    at.number_input(key="ev_page").set_value(4).run()
    assert len(at.dataframe[0].value) == 500
    assert any("items 1,501-2,000 of 2,000" in c.value for c in at.caption)


def test_a_bad_methodology_shows_one_line_in_an_error_box(app_db, tmp_path, monkeypatch):
    bad = tmp_path / "m.toml"
    bad.write_text(METHODOLOGY_FILE.read_text().replace("weight = 0.40", "weight = nan"))
    monkeypatch.setenv("RISK_METHODOLOGY", str(bad))
    at = open_page("Overview")
    no_exception(at)
    assert [e.value for e in at.error] == [
        queries.md_escape(f"{bad}: families.spend.weight must be a finite number, not nan")]


def test_a_busy_database_shows_one_line_in_an_error_box(app_db, monkeypatch):
    def busy(path):
        raise DatabaseBusyError(f"database {path} is locked by another process (waited 30s)")

    monkeypatch.setattr(queries, "data_version", busy)
    at = open_page("Evidence")
    no_exception(at)
    assert len(at.error) == 1 and "is locked by another process" in at.error[0].value


def test_a_failure_inside_a_page_is_an_error_box_too(app_db, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device", "/tmp/x")

    monkeypatch.setattr(queries, "evidence_table", broken)
    at = open_page("Evidence")
    no_exception(at)
    assert [e.value for e in at.error] == [queries.md_escape("/tmp/x: No space left on device")]


def test_forms_start_at_the_safest_value(app_db):
    at = open_page("Evidence")
    assert at.selectbox(key="ev_dependent").value is None
    assert at.selectbox(key="ev_reliability").value is None
    at = open_page("Annotations")
    assert at.selectbox(key="ann_new_dep").value is None


def test_a_saved_annotation_shows_at_once_and_the_form_clears(app_db):
    at = open_page("Annotations")
    at.selectbox(key="ann_new_dep").set_value("microsoft")
    at.text_input(key="ann_new_title").input("Fresh note")
    at.button(key="ann_new_submit").click().run()
    no_exception(at)
    assert any("Added annotation #1" in s.value for s in at.success)
    assert not any("No annotation" in i.value for i in at.info)
    assert list(at.dataframe[0].value["title"]) == ["Fresh note"]
    assert at.text_input(key="ann_new_title").value == ""
    assert at.selectbox(key="ann_new_dep").value is None
    at.button(key="ann_new_submit").click().run()  # one more click saves nothing
    with db.connect(app_db) as con:
        assert con.execute("SELECT count(*) FROM annotations").fetchall() == [(1,)]


def test_an_edit_shows_its_new_revision_at_once(app_db):
    annotations.add({"dependent": "openai", "date": "2024-01-10", "title": "T"}, "x", app_db,
                    method=BUNDLED)  # fmt: skip
    at = open_page("Annotations")
    at.text_input(key="ann_1_title").input("T, edited")
    at.button(key="ann_1_submit").click().run()
    no_exception(at)
    assert list(at.dataframe[0].value["title"]) == ["T, edited"]
    history = at.dataframe[1].value
    assert list(history["revision"]) == [1, 2]


def test_a_new_day_rescores_on_the_next_rerun(app_db, monkeypatch):
    calls = []
    real = bootstrap.ensure_ready

    def spy(path, method):
        calls.append(path)
        return real(path, method)

    monkeypatch.setattr(common.bootstrap, "ensure_ready", spy)
    at = open_page("Methodology")
    at.run()
    assert len(calls) == 1  # cached within a day

    class Tomorrow(date):
        @classmethod
        def today(cls) -> date:
            return date.today() + timedelta(days=1)

    monkeypatch.setattr(common, "date", Tomorrow)
    at.run()
    assert len(calls) == 2
