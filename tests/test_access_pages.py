"""The dashboard in team mode through AppTest: the sign-in gate, pages and controls by role,
the author taken from the session, the audit page, and local mode's safe default."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit import config
from streamlit.testing.v1 import AppTest

from risk import annotations, audit, bootstrap, db
from risk.identity import Actor
from risk.settings import Settings

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "risk", "client_secret": "s",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}  # fmt: skip
ROLES = """default = "viewer"
[users]
"ana@example.com" = "analyst"
"bob@example.com" = "analyst"
"max@example.com" = "methodologist"
"lead@example.com" = "admin"
"""


@pytest.fixture(scope="module")
def bundled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundled") / "bundled.duckdb"
    bootstrap.init_database(path, Settings.resolve(path).methodology)
    return path


@pytest.fixture
def app_db(bundled_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "app.duckdb"
    shutil.copy(bundled_db, path)
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("RISK_DB", str(path))
    monkeypatch.setenv("RISK_ROLES", str(roles))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()


def app(email: str | None, page: str | None = None) -> AppTest:
    """The app with sign-in configured, signed in as ``email`` (None: signed out)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email} if email else {"is_logged_in": False}
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plain(markdown: str) -> str:
    """Escaped Markdown as the reader sees it."""
    return markdown.replace("\\", "")


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def test_a_signed_out_visitor_gets_only_the_sign_in_page(app_db):
    at = app(None)
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.dataframe and not at.metric and not at.sidebar.text
    assert not at.get("plotly_chart")


def test_the_sidebar_names_the_signed_in_person_and_role(app_db):
    at = app("ana@example.com")
    assert "Signed in as ana@example.com (analyst)" in [t.value for t in at.sidebar.text]
    assert "Sign out" in [b.label for b in at.sidebar.button]


def test_a_viewer_sees_no_write_control(app_db):
    annotations.add({"dependent": "openai", "date": "2024-01-10", "title": "T"},
                    Actor("ana@example.com", "analyst", "signed-in"), app_db,
                    Settings.resolve(app_db).methodology)  # fmt: skip
    at = app("vic@example.com", "annotations")
    assert not at.tabs  # no "Add" tab, only the list
    assert not [b for b in at.button if b.label.startswith(("Delete", "Restore"))]
    at = app("vic@example.com", "evidence")
    assert not [e for e in at.expander if e.label == "Add one item"]
    at = app("vic@example.com", "what_if")
    assert not [e for e in at.expander if e.label.startswith("Save these parameters")]
    at = app("vic@example.com")
    for page in ("review", "audit"):  # not registered for a viewer: no way to open them
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"app_pages/{page}.py")


def test_an_analyst_changes_their_own_note_but_not_anothers(app_db):
    method = Settings.resolve(app_db).methodology
    bob = annotations.add({"dependent": "openai", "date": "2024-01-10", "title": "Bob's"},
                          Actor("bob@example.com", "analyst", "signed-in"), app_db, method)
    at = app("ana@example.com", "annotations")
    at.selectbox(key="ann_open").set_value(bob["id"]).run()
    assert f"ann_delete_{bob['id']}" not in [b.key for b in at.button]
    assert any(t.startswith("Only its author (bob@example.com)") for t in texts(at))
    at = app("max@example.com", "annotations")  # a methodologist may
    at.selectbox(key="ann_open").set_value(bob["id"]).run()
    at.button(key=f"ann_delete_{bob['id']}").click().run()
    with db.connect(app_db) as con:
        row = audit.entries(con, action="annotation.delete")[0]
    assert (row["actor"], row["before"]["author"]) == ("max@example.com", "bob@example.com")


def test_a_new_note_carries_the_signed_in_identity(app_db):
    at = app("ana@example.com", "annotations")
    at.selectbox(key="ann_new_dep").set_value("microsoft")
    at.text_input(key="ann_new_title").input("Signed note")
    at.button(key="ann_new_submit").click().run()
    assert not at.exception
    with db.connect(app_db) as con:
        (note,) = annotations.list_annotations(con)
        (row,) = audit.entries(con)
    assert note["author"] == "ana@example.com"
    assert (row["actor"], row["mode"], row["action"]) == ("ana@example.com", "signed-in",
                                                          "annotation.add")  # fmt: skip


def test_only_an_admin_reads_the_audit_page(app_db):
    at = app("lead@example.com", "audit")
    assert [h.value for h in at.header] == ["Audit trail"]
    at = app("max@example.com")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/audit.py")


def test_the_audit_page_lists_and_filters_entries(app_db):
    method = Settings.resolve(app_db).methodology
    ana = Actor("ana@example.com", "analyst", "signed-in")
    note = annotations.add({"dependent": "openai", "date": "2024-01-10", "title": "<b>T</b>"},
                           ana, app_db, method)  # fmt: skip
    with pytest.raises(Exception, match="may not"):
        annotations.delete(note["id"], Actor("bob@example.com", "analyst", "signed-in"), app_db)
    at = app("lead@example.com", "audit")
    table = at.dataframe[0].value
    assert list(table["action"]) == ["annotation.delete", "annotation.add"]
    assert list(table["outcome"]) == ["refused", "ok"]
    at.selectbox(key="au_outcome").set_value("refused").run()
    assert list(at.dataframe[0].value["actor"]) == ["bob@example.com"]
    reason = "reason: bob@example.com (analyst) may not change another person's annotation"
    assert reason in texts(at)
    assert '"title": "<b>T</b>"' in at.code[0].value  # before, shown as code text


def test_a_broken_roles_file_stops_the_app_with_one_line(app_db, monkeypatch, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[users]\n"ana@example.com" = "superuser"\n', encoding="utf-8")
    monkeypatch.setenv("RISK_ROLES", str(bad))
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "ana@example.com"}
    at.run()
    (error,) = at.error
    shown = plain(error.value)
    assert "Sign-in is misconfigured" in shown and "unknown role 'superuser'" in shown
    assert not at.metric and not at.dataframe


def test_local_mode_on_loopback_has_every_right_and_no_sign_in(app_db):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any(t.value.startswith("Local mode: ") for t in at.sidebar.text)
    at.switch_page("app_pages/audit.py").run()
    assert [h.value for h in at.header] == ["Audit trail"]


def test_local_mode_beyond_loopback_refuses_writes_and_says_why(app_db):
    previous = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
        warning = plain(" ".join(w.value for w in at.sidebar.warning))
        assert "Read-only" in warning and "without sign-in" in warning
        at.switch_page("app_pages/annotations.py").run()
        assert not at.tabs and not [b for b in at.button if b.label.startswith("Delete")]
    finally:
        config.set_option("server.address", previous)


def test_everyone_reads_the_organisations_but_only_an_admin_gets_the_form(app_db):
    for email in ("vic@example.com", "ana@example.com", "max@example.com"):
        at = app(email, "organisations")
        assert "nvidia" in list(at.dataframe[0].value["id"])
        assert not [e for e in at.expander if e.label.startswith("Add an organisation")]
    at = app("lead@example.com", "organisations")
    assert [e.label for e in at.expander] == ["Add an organisation or change one"]


def test_an_admin_adds_an_organisation_signed_as_themselves_and_the_form_clears(app_db):
    at = app("lead@example.com", "organisations")
    at.text_input(key="org_id").input("meta")
    at.text_input(key="org_name").input("Meta")
    at.multiselect(key="org_roles").set_value(["dependent"])
    at.text_input(key="org_aliases").input("Facebook; Meta Platforms")
    at.button(key="org_submit").click().run()
    assert not at.exception and not at.error
    assert "Saved organisation meta (Meta)." in [s.value for s in at.success]
    assert "meta" in list(at.dataframe[0].value["id"])
    assert at.text_input(key="org_id").value == "" and at.multiselect(key="org_roles").value == []
    with db.connect(app_db) as con:
        (row,) = audit.entries(con, action="organisation.upsert")
        aliases = con.execute("SELECT aliases FROM organisations WHERE id = 'meta'").fetchone()
    assert (row["actor"], row["mode"], row["after"]["name"]) == ("lead@example.com",
                                                                "signed-in", "Meta")  # fmt: skip
    assert aliases == (["Facebook", "Meta Platforms"],)


def test_a_bad_organisation_shows_each_problem_under_its_field_and_writes_nothing(app_db):
    with db.connect(app_db) as con:
        before = con.execute("SELECT * FROM organisations ORDER BY id").fetchall()
    at = app("lead@example.com", "organisations")
    at.text_input(key="org_id").input("Not A Slug")
    at.button(key="org_submit").click().run()
    shown = [plain(e.value) for e in at.error]
    assert any(s.startswith("Not saved: 3 problem(s)") for s in shown)
    assert "id: 'Not A Slug' must be a lowercase slug" in shown
    assert "name: is empty" in shown
    assert any(s.startswith("roles: '' must list some of dependent") for s in shown)
    assert at.text_input(key="org_id").value == "Not A Slug"  # kept, to be corrected
    with db.connect(app_db) as con:
        assert con.execute("SELECT * FROM organisations ORDER BY id").fetchall() == before
        assert audit.entries(con) == []
