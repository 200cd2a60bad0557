"""Sign-in in a real browser against a real OpenID Connect provider on 127.0.0.1.

One provider (``oidc-provider-mock``) and one dashboard configured to sign in through it
serve every test of this module; each test opens fresh browser contexts (fresh cookies).
The database holds the bundled data plus hostile text in every place data shows up.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import ARTIFACTS, browser, wait_for_run  # noqa: F401
from oidc_support import oidc_provider, sign_in, sign_out, team_server

from risk import annotations, audit, bootstrap, db, evidence, importer
from risk.identity import Actor
from risk.paths import METHODOLOGY_FILE
from risk.reader import queue as ingest

pytestmark = pytest.mark.browser

IMAGE = "![x](http://127.0.0.1:9/x.png)"
TAG = "<img src=x onerror=alert(1)>"
LINK = "[click](javascript:alert(1))"
BOB = Actor("bob@example.com", "analyst", "signed-in")
ANA = Actor("ana@example.com", "analyst", "signed-in")
LEAD = Actor("lead@example.com", "admin", "signed-in")
NAV = {
    "viewer": {"Overview", "Why this number", "What-if", "Evidence", "Annotations", "Exports",
               "Methodology"},
    "analyst": {"Overview", "Why this number", "What-if", "Evidence", "Annotations",
                "Review queue", "Exports", "Methodology"},
}  # fmt: skip
NAV["methodologist"] = NAV["analyst"]
NAV["admin"] = NAV["analyst"] | {"Audit"}


def _hostile_data(tmp: Path, db_file: Path) -> dict:
    """Hostile text as an organisation's name and alias, an item's summary and source, a
    note's title and body, and an article's title; plus one note each by Bob and Ana."""
    orgs = tmp / "orgs.csv"
    orgs.write_text("id,name,roles,aliases\n"
                    f'evil,"{IMAGE}",dependent,"{TAG};javascript:alert(1)"\n',
                    encoding="utf-8")  # fmt: skip
    importer.import_file(orgs, db_file, actor=LEAD)
    evidence.add_item({
        "id": "EV-9001", "date": "2024-05-02", "dependent": "evil", "vendor": "nvidia",
        "family": "spend", "direction": "+1", "magnitude": "3", "credibility": "2",
        "summary": f"{IMAGE} {TAG} {LINK}", "source_publisher": f"{TAG} Wire",
        "source_title": IMAGE, "source_date": "2024-05-02",
        "source_url": "https://example.org/x", "source_language": "en",
        "source_reliability": "B",
    }, db_file, actor=LEAD)  # fmt: skip
    bobs = annotations.add({"dependent": "microsoft", "date": "2024-02-01",
                            "title": f"Bob's note {IMAGE}", "body": f"{TAG} {LINK}"},
                           BOB, db_file)  # fmt: skip
    anas = annotations.add({"dependent": "openai", "date": "2024-02-01",
                            "title": "Ana's note", "body": "mine"}, ANA, db_file)  # fmt: skip
    ingest.ingest_text("Microsoft a commandé pour 10 milliards de dollars de GPU H100 à Nvidia.",
                       published="2024-03-01", title=f"{TAG} {IMAGE}", db_file=db_file)
    return {"bob": bobs["id"], "ana": anas["id"]}


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    tmp = tmp_path_factory.mktemp("team")
    method = tmp / "methodology.toml"
    shutil.copy(METHODOLOGY_FILE, method)
    db_file = tmp / "team.duckdb"
    env = {"RISK_METHODOLOGY": str(method), "RISK_EXPORTS": str(tmp / "exports")}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():  # the library calls below use the same files
            patch.setenv(key, value)
        bootstrap.init_database(db_file)
        notes = _hostile_data(tmp, db_file)
        with oidc_provider() as issuer, team_server(tmp, issuer, db_file,
                                                    extra_env=env) as server:  # fmt: skip
            yield {**server, "notes": notes}


@pytest.fixture
def page(browser, team):  # noqa: F811
    """A fresh context (no cookies) with a record of dialogs and of requests leaving the
    dashboard's own address."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.dialogs = []
    tab.strays = []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    allowed = (team["url"], "http://127.0.0.1:")  # the dashboard and the provider only
    tab.on("request", lambda r: None if r.url.startswith(allowed) and ":9/" not in r.url
           else tab.strays.append(r.url))  # fmt: skip
    yield tab
    context.close()


def _nav(page) -> set[str]:
    links = page.locator("[data-testid='stSidebarNav'] a")
    return {t.strip() for t in links.all_inner_texts()}


def _go(page, team: dict, address: str) -> None:
    page.goto(f"{team['url']}/{address}")
    wait_for_run(page)


def _clean(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.dialogs == [] and page.strays == []


def test_a_signed_out_visitor_sees_only_the_sign_in_page(page, team):
    for address in ("", "evidence", "audit", "annotations"):
        _go(page, team, address)
        assert page.get_by_role("button", name="Sign in").count() == 1
        assert _nav(page) == set()
        assert page.get_by_text("Where each company stands").count() == 0
        assert page.locator("[data-testid='stDataFrame']").count() == 0
    _clean(page)


def test_each_role_sees_its_pages_and_is_refused_the_rest(browser, team):  # noqa: F811
    for email, role in (("vic@example.com", "viewer"), ("ana@example.com", "analyst"),
                        ("max@example.com", "methodologist"), ("lead@example.com", "admin")):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        sign_in(tab, team["url"], email, wait_for_run)
        assert tab.get_by_text(f"Signed in as {email} ({role})").count() == 1
        assert _nav(tab) == NAV[role], role
        _go(tab, team, "annotations")
        adds = tab.get_by_role("button", name="Add annotation").count()
        assert adds == (0 if role == "viewer" else 1), role
        _go(tab, team, "what-if")
        saves = tab.get_by_text("Save these parameters as a new methodology version").count()
        assert saves == (1 if role in ("methodologist", "admin") else 0), role
        _go(tab, team, "audit")  # not a page of theirs: the address leads nowhere
        assert (tab.get_by_role("heading", name="Audit trail").count() == 1) == (role == "admin")
        if role == "viewer":
            sign_out(tab, team["url"], wait_for_run)
            assert tab.get_by_role("button", name="Sign in").count() == 1
            assert _nav(tab) == set()
        context.close()


def test_an_analyst_cannot_delete_another_analysts_note(page, team):
    sign_in(page, team["url"], "ana@example.com", wait_for_run)
    _go(page, team, "annotations")
    page.get_by_role("tab", name="List, edit, history").click()
    wait_for_run(page)
    chooser = page.get_by_label("open annotation")
    chooser.click()
    page.get_by_role("option", name=f"#{team['notes']['bob']} ").click()
    wait_for_run(page)
    assert page.get_by_role("button", name="Delete").count() == 0
    assert page.get_by_text("Only its author (bob@example.com)").count() == 1
    chooser.click()
    page.get_by_role("option", name=f"#{team['notes']['ana']} ").click()
    wait_for_run(page)
    page.get_by_role("button", name="Delete").click()
    wait_for_run(page)
    with db.connect(team["db"]) as con:
        rows = audit.entries(con, actor="ana@example.com", action="annotation.delete")
        bob = annotations.get(con, team["notes"]["bob"])
    assert [(r["target_id"], r["outcome"]) for r in rows] == [(str(team["notes"]["ana"]), "ok")]
    assert not bob["deleted"]
    _clean(page)


def test_a_methodology_save_writes_its_audit_row(browser, team):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    sign_in(tab, team["url"], "max@example.com", wait_for_run)
    _go(tab, team, "what-if")
    tab.get_by_text("Save these parameters as a new methodology version").click()
    tab.get_by_label("new version").fill("9.1.0")
    tab.get_by_label("new version").press("Enter")
    wait_for_run(tab)
    tab.get_by_role("button", name="Save and re-score").click()
    wait_for_run(tab, 60000)
    with db.connect(team["db"]) as con:
        row = audit.entries(con, action="methodology.save")[0]
    assert (row["actor"], row["role"], row["outcome"]) == ("max@example.com", "methodologist",
                                                           "ok")  # fmt: skip
    assert row["after"]["version"] == "9.1.0"
    context.close()
    # ... and the admin finds it on the audit page
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    sign_in(tab, team["url"], "lead@example.com", wait_for_run)
    _go(tab, team, "audit")
    entry = tab.get_by_text(f"#{row['id']} ", exact=False)
    assert entry.count() >= 1
    assert "max@example.com" in entry.first.inner_text()
    assert "methodology.save" in entry.first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "audit-1280x900.png"), full_page=True)
    context.close()


def test_hostile_text_on_every_page_fetches_and_runs_nothing(page, team):
    sign_in(page, team["url"], "lead@example.com", wait_for_run)
    addresses = ["", "why-this-number", "what-if", "evidence", "annotations", "review-queue",
                 "exports", "methodology", "audit"]  # fmt: skip
    for address in addresses:
        _go(page, team, address)
        page.wait_for_timeout(300)
        _clean(page)
    _go(page, team, "evidence")
    assert page.get_by_text(TAG, exact=False).count() + page.locator(
        "[data-testid='stDataFrame']").count() >= 1
    _go(page, team, "annotations")
    page.get_by_role("tab", name="List, edit, history").click()
    wait_for_run(page)
    page.wait_for_timeout(300)
    assert page.get_by_text(IMAGE, exact=False).count() >= 1
    _clean(page)
