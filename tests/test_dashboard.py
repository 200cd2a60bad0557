"""The dashboard script through Streamlit's AppTest, on a temporary database (RISK_DB).

Each test gets its own copy of a database built once from the bundled data, and empty
Streamlit caches, so no test sees another's writes.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import BUNDLED
from streamlit.testing.v1 import AppTest

from risk import annotations, db, identity, reliance
from risk.methodology import load
from risk.views import queries

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PAGES = {"Overview": "overview.py", "Why this number": "why.py", "What-if": "what_if.py",
         "Evidence": "evidence.py", "Annotations": "annotations.py", "Review queue": "review.py",
         "Exports": "exports.py", "Methodology": "methodology.py",
         "Capacity ledger": "ledger.py"}  # fmt: skip


def run_page(page: str) -> AppTest:
    """Open a page through its old ``?page=`` address (the frame switches to it)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = page
    return at.run()


def figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def count(path: Path, sql: str) -> int:
    with db.connect(path) as con:
        return con.execute(sql).fetchone()[0]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(app_db, page):
    at = AppTest.from_file(APP, default_timeout=60).run()
    no_exception(at)
    at.switch_page(f"app_pages/{PAGES[page]}").run()
    no_exception(at)
    headings = [h.value for h in (*at.header, *at.subheader)]
    assert headings and headings[0] == ("How much of each company's AI compute runs on Nvidia"
                                        if page == "Overview"
                                        else page if page != "What-if" else "What-if weights")


@pytest.mark.parametrize("page", ["Evidence", "Why this number"])
def test_old_page_links_open_their_page(app_db, page):
    at = run_page(page)
    no_exception(at)
    assert at.header[0].value == page


def test_signal_cards_equal_the_risk_api(app_db):
    at = run_page("Overview")
    no_exception(at)
    with db.connect(app_db) as con:
        heads = queries.headline(con, BUNDLED)
        names = {h["name"]: h for h in heads}
    shown = {m.label: m.value for m in at.metric if not m.label.startswith("Deployed")}
    assert set(shown) == set(names) == {"Microsoft", "OpenAI"}
    for label, value in shown.items():
        assert value == f"{names[label]['score']:.1f}"
    captions = " ".join(c.value for c in at.caption)
    for head in heads:
        assert f"band {head['band_low']:.1f} – {head['band_high']:.1f}" in captions
        assert head["mover_label"] in captions
    with db.connect(app_db) as con:
        latest = con.execute(
            "SELECT dependent, score FROM scores WHERE family = 'composite' "
            "AND date = (SELECT max(date) FROM scores)"
        ).fetchall()
    for dependent, score in latest:
        assert next(h for h in heads if h["dependent"] == dependent)["score"] == score


def test_overview_draws_composite_bands_and_evidence_markers(app_db):
    at = run_page("Overview")
    comp, grid = figures(at)[-2:]  # after the three reliance charts
    roles = [t.get("meta", {}).get("role") for t in comp["data"]]
    assert roles.count("band") == 4 and roles.count("score") == 2 and "evidence" in roles
    assert len({t["meta"]["family"] for t in grid["data"] if "meta" in t}) == 4  # with market


def test_family_and_dependent_filters_change_what_is_charted(app_db):
    at = run_page("Overview")
    _, grid = figures(at)[-2:]
    assert {t["meta"]["family"] for t in grid["data"]} == {"spend", "chip_programs", "tensions",
                                                          "market"}
    at.sidebar.multiselect(key="f_fams").unselect("tensions").run()
    no_exception(at)
    _, grid = figures(at)[-2:]
    assert {t["meta"]["family"] for t in grid["data"]} == {"spend", "chip_programs", "market"}
    at.sidebar.multiselect(key="f_deps").unselect("openai").run()
    comp, _ = figures(at)[-2:]
    assert {t["meta"]["dependent"] for t in comp["data"] if "dependent" in t.get("meta", {})} \
        == {"microsoft"}  # fmt: skip


def test_date_range_filter_narrows_the_charted_days(app_db):
    at = run_page("Overview")
    comp, _ = figures(at)[-2:]
    first_before = min(t["x"][0] for t in comp["data"] if t["meta"].get("role") == "score")
    at.sidebar.date_input(key="f_range").set_value((date(2024, 1, 1), date(2025, 1, 1))).run()
    no_exception(at)
    comp, _ = figures(at)[-2:]
    xs = [x for t in comp["data"] if t["meta"].get("role") == "score" for x in t["x"]]
    assert min(xs) >= "2024-01-01" > first_before and max(xs) <= "2025-01-01T23"


def test_what_if_sliders_change_the_composite_and_leave_saved_scores_alone(app_db):
    sql = "SELECT sum(hash(dependent, family, date, score)) FROM scores"
    before = count(app_db, sql)
    at = run_page("What-if")
    no_exception(at)
    first = {m.label: m.value for m in at.metric}
    at.slider(key="w_spend").set_value(1.0).run()
    at.slider(key="w_tensions").set_value(0.0).run()
    no_exception(at)
    second = {m.label: m.value for m in at.metric}
    assert first.keys() == second.keys() and first != second
    assert count(app_db, sql) == before
    with db.connect(app_db) as con:
        trial = queries.what_if(con, BUNDLED, {"spend": 1.0, "tensions": 0.0,
                                              "chip_programs": 0.35}, {})  # fmt: skip
    expected = {f"{r['dependent']} (what-if)": f"{r['what_if']:.1f}"
                for r in queries.what_if_latest(trial)}  # fmt: skip
    assert {k: v for k, v in second.items() if ":" not in k} == expected  # the signal metrics


def test_half_life_slider_changes_the_what_if(app_db):
    at = run_page("What-if")
    first = [m.value for m in at.metric]
    at.slider(key="h_spend").set_value(60).run()
    assert [m.value for m in at.metric] != first


def test_why_this_number_matches_explain(app_db):
    at = run_page("Why this number")
    at.radio(key="why_kind").set_value("A signal score (news index)").run()
    at.selectbox(key="why_dep").set_value("microsoft")
    at.selectbox(key="why_fam").set_value("spend")
    at.date_input(key="why_day").set_value(date(2024, 6, 30)).run()
    no_exception(at)
    with db.connect(app_db) as con:
        result = queries.explanation(con, BUNDLED, "microsoft", "spend", date(2024, 6, 30))
    assert f"{result.score:.2f}" in at.subheader[0].value
    table = at.dataframe[-1].value
    assert list(table["id"]) == [c["evidence_id"] for c in result.contributions]
    bars = [f for f in figures(at) if f["data"][0].get("meta", {}).get("role") == "contributions"]
    labels = bars[0]["data"][0]["y"]
    assert len(labels) == len(result.contributions)
    assert labels[-1].startswith(result.contributions[0]["evidence_id"])  # largest on top


def test_evidence_search_filters_the_table(app_db):
    at = run_page("Evidence")
    everything = len(at.dataframe[0].value)
    at.text_input(key="ev_search").input("Maia").run()
    found = at.dataframe[0].value
    assert 0 < len(found) < everything
    assert all("maia" in " ".join(map(str, row)).lower() for row in found.itertuples())
    at.text_input(key="ev_search").input("no such words anywhere").run()
    assert any("No evidence matches" in i.value for i in at.info)


def _fill_evidence(at: AppTest, summary: str, url: str = "https://example.org/x") -> None:
    at.text_input(key="ev_id").input("EV-9001")
    at.date_input(key="ev_date").set_value(date(2024, 5, 1))
    at.selectbox(key="ev_dependent").set_value("microsoft")
    at.selectbox(key="ev_family").set_value("spend")
    at.text_area(key="ev_summary").input(summary)
    at.text_input(key="ev_publisher").input("Test Wire")
    at.text_input(key="ev_title").input("A test report")
    at.date_input(key="ev_source_date").set_value(date(2024, 5, 1))
    at.text_input(key="ev_url").input(url)
    at.selectbox(key="ev_reliability").set_value("A")  # no grade is preselected


def test_add_evidence_form_rejects_a_bad_item_and_accepts_a_good_one(app_db):
    items = count(app_db, "SELECT count(*) FROM evidence")
    at = run_page("Evidence")
    _fill_evidence(at, summary="", url="ftp://nope")
    at.button(key="ev_submit").click().run()
    no_exception(at)
    errors = [e.value for e in at.error]
    assert any(e.startswith("summary") and "is empty" in e for e in errors), errors
    assert any(e.startswith("source\\_url") for e in errors), errors
    assert count(app_db, "SELECT count(*) FROM evidence") == items
    _fill_evidence(at, summary="Microsoft orders more GPUs for a test.")
    at.button(key="ev_submit").click().run()
    no_exception(at)
    assert any("Added EV-9001" in s.value for s in at.success)
    assert count(app_db, "SELECT count(*) FROM evidence") == items + 1
    assert count(app_db, "SELECT count(*) FROM evidence e JOIN scores s ON s.date = e.date "
                         "WHERE e.id = 'EV-9001'") > 0  # fmt: skip


def test_a_write_by_another_process_shows_on_the_next_rerun(app_db):
    at = run_page("Annotations")
    assert any("No annotation" in i.value for i in at.info)
    annotations.add({"dependent": "openai", "date": "2024-01-10", "title": "From the CLI"},
                    "cli", app_db, method=BUNDLED)  # fmt: skip
    at.run()
    assert list(at.dataframe[0].value["title"]) == ["From the CLI"]


def test_annotation_form_adds_then_edits_one(app_db):
    at = run_page("Annotations")
    at.selectbox(key="ann_new_dep").set_value("microsoft")
    at.date_input(key="ann_new_date").set_value(date(2024, 3, 1))
    at.text_input(key="ann_new_title").input("")
    at.button(key="ann_new_submit").click().run()
    assert any(e.value.startswith("title") for e in at.error), [e.value for e in at.error]
    assert count(app_db, "SELECT count(*) FROM annotations") == 0
    at.text_input(key="ann_new_title").input("Stargate report: discount it")
    at.text_area(key="ann_new_body").input("<img src=x onerror=alert(1)>")
    at.text_input(key="ann_new_tags").input("stargate, discount")
    at.button(key="ann_new_submit").click().run()
    no_exception(at)
    assert any("Added annotation #1" in s.value for s in at.success)
    with db.connect(app_db) as con:
        (note,) = annotations.list_annotations(con)
    assert note["title"] == "Stargate report: discount it"
    assert note["author"] == identity.os_user()  # local mode: the OS user, never typed
    assert note["tags"] == ["stargate", "discount"]
    at.run()
    assert "<img src=x onerror=alert(1)>" in [t.value for t in at.text]
    at.text_input(key="ann_1_title").input("Stargate report, edited")
    at.button(key="ann_1_submit").click().run()
    no_exception(at)
    with db.connect(app_db) as con:
        (note,) = annotations.list_annotations(con)
        history = annotations.history(con, 1)
    assert note["title"] == "Stargate report, edited" and note["revision"] == 2
    assert [h["action"] for h in history] == ["create", "edit"]


def test_no_page_asks_for_a_name(app_db):
    for page in PAGES:
        at = run_page(page)
        no_exception(at)
        labels = [w.label for w in at.text_input]
        assert not any("name" in label.lower() for label in labels), (page, labels)


def test_annotation_delete_and_restore_buttons(app_db):
    annotations.add({"dependent": "openai", "date": "2024-01-10", "title": "T"}, "x", app_db,
                    method=BUNDLED)
    at = run_page("Annotations")
    at.button(key="ann_delete_1").click().run()
    no_exception(at)
    assert count(app_db, "SELECT count(*) FROM annotations WHERE deleted_at IS NULL") == 0
    at.checkbox(key="ann_f_deleted").check().run()
    at.button(key="ann_restore_1").click().run()
    assert count(app_db, "SELECT count(*) FROM annotations WHERE deleted_at IS NULL") == 1


def test_annotations_are_drawn_on_their_panels(app_db):
    annotations.add({"dependent": "microsoft", "family": "spend", "date": "2024-01-10",
                     "end_date": "2024-03-01", "title": "<b>bold?</b>"}, "x", app_db,
                         method=BUNDLED)
    at = run_page("Overview")
    comp, grid = figures(at)[-2:]  # after the three reliance charts
    marks = [t for t in comp["data"] + grid["data"] if t["meta"].get("role") == "annotation"]
    assert len(marks) == 2  # composite panel and the spend panel
    assert all("&lt;b&gt;bold?&lt;/b&gt;" in t["hovertext"][0] for t in marks)
    assert any(s.get("type") == "rect" for s in grid["layout"].get("shapes", []))


ARTICLE = "Microsoft a commandé pour 10 milliards de dollars de GPU H100 à Nvidia."


def test_review_queue_rejects_without_reason_then_accepts_with_an_edit(app_db):
    from risk.reader import queue

    queue.ingest_text(ARTICLE, published="2024-03-01", title="Essai", db_file=app_db,
                      method=BUNDLED)
    with db.connect(app_db) as con:
        (cand, *_) = queue.pending_candidates(con)
    items = count(app_db, "SELECT count(*) FROM evidence")
    at = run_page("Review queue")
    no_exception(at)
    key = f"rq_{cand['id']}"
    at.button(key=f"{key}_reject").click().run()
    assert any("reason" in e.value for e in at.error), [e.value for e in at.error]
    at.text_area(key=f"{key}_sum").input("Microsoft orders H100 GPUs (edited).")
    at.button(key=f"{key}_accept").click().run()
    no_exception(at)
    assert count(app_db, "SELECT count(*) FROM evidence") == items + 1
    assert count(app_db, "SELECT count(*) FROM evidence WHERE summary = "
                         "'Microsoft orders H100 GPUs (edited).'") == 1  # fmt: skip
    with db.connect(app_db) as con:
        status = con.execute("SELECT status FROM candidates WHERE id = ?",
                             [cand["id"]]).fetchone()[0]  # fmt: skip
    assert status == "accepted"


def test_exports_page_lists_scheduled_bundles_with_their_checksums(app_db, tmp_path,
                                                                   monkeypatch):
    from risk import exports

    out = tmp_path / "exports"
    exports.write_bundle(out, app_db, method=BUNDLED)
    monkeypatch.setenv("RISK_EXPORTS", str(out))
    at = run_page("Exports")
    no_exception(at)
    assert not at.text_input  # no folder box: only the configured folder is listed
    table = at.dataframe[0].value
    assert len(table) == 1 and table["checksums"].iloc[0] == "ok"
    assert table["rows"].iloc[0] > 0


def test_saving_a_what_if_makes_it_the_methodology_and_rescores(app_db, tmp_path, monkeypatch):
    from risk.paths import METHODOLOGY_FILE

    config = tmp_path / "methodology.toml"
    shutil.copy(METHODOLOGY_FILE, config)
    monkeypatch.setenv("RISK_METHODOLOGY", str(config))
    old = load(config)
    at = run_page("What-if")
    at.slider(key="w_tensions").set_value(0.0).run()
    at.text_input(key="new_semver").set_value(old.semver).run()
    at.button(key="save_method").click().run()
    assert any("already in use" in e.value for e in at.error)
    assert load(config).version == old.version
    at.text_input(key="new_semver").set_value("1.1.0").run()
    at.button(key="save_method").click().run()
    no_exception(at)
    new = load(config)
    assert (new.semver, new.families["tensions"].weight) == ("1.1.0", 0.0)
    with db.connect(app_db) as con:
        versions = con.execute("SELECT DISTINCT methodology_version FROM scores").fetchall()
        rows = con.execute("SELECT version FROM methodology_versions").fetchall()
        recorded = {r[0] for r in rows}
    assert versions == [(new.version,)]
    assert {old.version, new.version} <= recorded


def test_overview_cards_show_the_stored_reliance_indicators(app_db):
    at = run_page("Overview")
    no_exception(at)
    with db.connect(app_db) as con:
        latest = reliance.latest(con).set_index(["dependent", "indicator"])
    shown = [m.value for m in at.metric]
    for dependent in ("microsoft", "openai"):
        share = latest.loc[(dependent, "vendor_share_deployed"), "value"]
        assert f"{share:.0f}%" in shown
    roles = {t.get("meta", {}).get("role") for f in figures(at) for t in f["data"]}
    assert {"deployed", "pipeline", "share", "peer", "evidence"} <= roles


def test_overview_hindsight_toggle_switches_the_view(app_db):
    at = run_page("Overview")
    at.toggle(key="rel_hindsight").set_value(True).run()
    no_exception(at)
    with db.connect(app_db) as con:
        hindsight = reliance.latest(con, "hindsight").set_index(["dependent", "indicator"])
    share = hindsight.loc[("openai", "vendor_share_deployed"), "value"]
    assert f"{share:.0f}%" in [m.value for m in at.metric]


def test_why_this_number_explains_a_reliance_indicator_like_the_cli(app_db):
    at = run_page("Why this number")
    at.selectbox(key="whyr_dep").set_value("openai")
    at.selectbox(key="whyr_ind").set_value("vendor_share_deployed")
    at.date_input(key="whyr_day").set_value(date(2026, 6, 30)).run()
    no_exception(at)
    with db.connect(app_db) as con:
        result = reliance.explain_indicator(con, BUNDLED, "openai", "vendor_share_deployed",
                                            date(2026, 6, 30))  # fmt: skip
    assert f"{result['value']:.1f}%" in at.subheader[0].value
    table = at.dataframe[-1].value
    assert list(table["ledger"]) == [c["id"] for c in result["contributions"]]
    assert abs(table["points"].sum() - result["value"]) < 1e-9


def _fill_ledger(at: AppTest, full_by: date) -> None:
    at.text_input(key="lg_id").input("LG-9001")
    at.date_input(key="lg_known").set_value(date(2025, 3, 1))
    at.selectbox(key="lg_dependent").set_value("microsoft")
    at.selectbox(key="lg_supplier").set_value("amd")
    at.selectbox(key="lg_chip").set_value("MI300X")
    at.selectbox(key="lg_channel").set_value("owned")
    at.text_input(key="lg_quantity").input("50000")
    at.selectbox(key="lg_unit").set_value("chips")
    at.selectbox(key="lg_status").set_value("deployed")
    at.date_input(key="lg_start").set_value(date(2025, 1, 1))
    at.date_input(key="lg_full_by").set_value(full_by)
    at.multiselect(key="lg_evidence").set_value(["EV-0029"])


def test_ledger_form_refuses_a_bad_window_then_adds_a_block_and_clears(app_db):
    blocks = count(app_db, "SELECT count(*) FROM ledger")
    at = run_page("Capacity ledger")
    no_exception(at)
    assert at.selectbox(key="lg_dependent").value is None  # nothing preselected
    _fill_ledger(at, full_by=date(2024, 1, 1))
    at.button(key="lg_submit").click().run()
    no_exception(at)
    assert any(e.value.startswith("full\\_by") for e in at.error), [e.value for e in at.error]
    assert count(app_db, "SELECT count(*) FROM ledger") == blocks
    _fill_ledger(at, full_by=date(2025, 6, 30))
    at.button(key="lg_submit").click().run()
    no_exception(at)
    assert any("Added LG-9001" in s.value for s in at.success)
    assert count(app_db, "SELECT count(*) FROM ledger") == blocks + 1
    assert at.text_input(key="lg_quantity").value == ""  # the saved form starts empty again
    share = count(app_db, "SELECT round(value, 6) FROM reliance WHERE view = 'as_known' AND "
                  "dependent = 'microsoft' AND indicator = 'vendor_share_deployed' "
                  "AND date = DATE '2025-12-31'")  # fmt: skip
    with db.connect(app_db) as con:
        expected = reliance.explain_indicator(con, BUNDLED, "microsoft",
                                              "vendor_share_deployed", date(2025, 12, 31))
    assert share == round(expected["value"], 6)


def test_what_if_status_weight_changes_todays_share_and_saves_nothing(app_db):
    at = run_page("What-if")
    before = {m.label: m.value for m in at.metric if "what-if" in m.label and ":" in m.label}
    at.slider(key="sw_planned").set_value(0.0).run()
    no_exception(at)
    after = {m.label: m.value for m in at.metric if "what-if" in m.label and ":" in m.label}
    assert before and before != after
    assert count(app_db, "SELECT count(DISTINCT methodology_version) FROM reliance") == 1


def test_methodology_page_shows_the_conversion_tables(app_db):
    at = run_page("Methodology")
    no_exception(at)
    chips = [d.value for d in at.dataframe if "H100e per chip" in d.value.columns]
    assert chips and "GB200" in set(chips[0]["chip"])
