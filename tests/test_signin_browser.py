"""Sign-in in a real browser against a real OpenID Connect provider on 127.0.0.1.

One provider (``oidc-provider-mock``) and one dashboard configured to sign in through it
serve every test of this module; each test opens fresh browser contexts (fresh cookies).
The database holds the bundled data plus hostile text in every place data shows up.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import ARTIFACTS, browser, wait_for_run  # noqa: F401
from oidc_support import oidc_provider, sign_in, sign_out, team_server

from risk import annotations, audit, bootstrap, db, evidence, importer
from risk.identity import Actor
from risk.methodology import Methodology, load
from risk.paths import METHODOLOGY_FILE
from risk.reader import queue as ingest
from risk.settings import Settings

pytestmark = pytest.mark.browser

IMAGE = "![x](http://127.0.0.1:9/x.png)"
TAG = "<img src=x onerror=alert(1)>"
LINK = "[click](javascript:alert(1))"
BOB = Actor("bob@example.com", "analyst", "signed-in")
ANA = Actor("ana@example.com", "analyst", "signed-in")
LEAD = Actor("lead@example.com", "admin", "signed-in")
NAV = {
    "viewer": {"Overview", "Why this number", "What-if", "Evidence", "Capacity ledger",
               "Annotations", "Exports", "Methodology", "Organisations"},
    "analyst": {"Overview", "Why this number", "What-if", "Evidence", "Capacity ledger",
                "Annotations", "Review queue", "Exports", "Methodology", "Organisations"},
}  # fmt: skip
NAV["methodologist"] = NAV["analyst"]
NAV["admin"] = NAV["analyst"] | {"Audit"}


def _hostile_data(tmp: Path, db_file: Path, method: Methodology) -> dict:
    """Hostile text as an organisation's name and alias, an item's summary and source, a
    note's title and body, and an article's title; plus one note each by Bob and Ana."""
    orgs = tmp / "orgs.csv"
    orgs.write_text("id,name,roles,aliases\n"
                    f'evil,"{IMAGE}",dependent,"{TAG};javascript:alert(1)"\n',
                    encoding="utf-8")  # fmt: skip
    importer.import_file(orgs, db_file, method, actor=LEAD)
    evidence.add_item({
        "id": "EV-9001", "date": "2024-05-02", "dependent": "evil", "vendor": "nvidia",
        "family": "spend", "direction": "+1", "magnitude": "3", "credibility": "2",
        "summary": f"{IMAGE} {TAG} {LINK}", "source_publisher": f"{TAG} Wire",
        "source_title": IMAGE, "source_date": "2024-05-02",
        "source_url": "https://example.org/x", "source_language": "en",
        "source_reliability": "B",
    }, db_file, method, actor=LEAD)  # fmt: skip
    importer.add_ledger_row({  # the hostile organisation gets a reliance card too
        "id": "LG-9001", "known_from": "2024-05-02", "dependent": "evil", "supplier": "nvidia",
        "channel": "owned", "quantity": "1000", "unit": "H100e", "status": "deployed",
        "start": "2024-05-02", "full_by": "2024-05-02", "evidence": "EV-9001",
        "note": f"{IMAGE} {TAG}"}, db_file, method, actor=LEAD)  # fmt: skip
    bobs = annotations.add({"dependent": "microsoft", "date": "2024-02-01",
                            "title": f"Bob's note {IMAGE}", "body": f"{TAG} {LINK}"},
                           BOB, db_file, method)  # fmt: skip
    anas = annotations.add({"dependent": "openai", "date": "2024-02-01",
                            "title": "Ana's note", "body": "mine"}, ANA, db_file,
                           method)  # fmt: skip
    ingest.ingest_text("Microsoft a commandé pour 10 milliards de dollars de GPU H100 à Nvidia.",
                       published="2024-03-01", title=f"{TAG} {IMAGE}", db_file=db_file,
                       method=method)
    return {"bob": bobs["id"], "ana": anas["id"]}


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    tmp = tmp_path_factory.mktemp("team")
    shutil.copy(METHODOLOGY_FILE, tmp / "methodology.toml")
    db_file = tmp / "team.duckdb"
    env = {"RISK_METHODOLOGY": str(tmp / "methodology.toml"),
           "RISK_EXPORTS": str(tmp / "exports")}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():  # the library calls below use the same files
            patch.setenv(key, value)
        method = Settings.resolve(db_file).methodology
        bootstrap.init_database(db_file, method)
        notes = _hostile_data(tmp, db_file, method)
        with oidc_provider() as issuer, team_server(tmp, issuer, db_file,
                                                    extra_env=env) as server:  # fmt: skip
            yield {**server, "notes": notes, "issuer": issuer}


def _context(browser, team: dict):  # noqa: F811
    """A fresh browser context (no cookies) that can reach only the dashboard and the
    provider on 127.0.0.1: anything else is aborted and recorded, as are dialogs."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.dialogs, tab.strays = [], []
    allowed = (f"{team['url']}/", f"{team['issuer']}/", "data:", "blob:")

    def elsewhere(url: str) -> bool:
        return not (url.startswith(allowed) or url in (team["url"], team["issuer"]))

    def refuse(request_route) -> None:
        request = request_route.request
        if not request.frame.url.startswith(team["issuer"]):  # the provider's page is not
            tab.strays.append(request.url)  # ours: its CDN stylesheet is refused, not counted
        request_route.abort()

    context.route(elsewhere, refuse)
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    return context, tab


@pytest.fixture
def page(browser, team):  # noqa: F811
    context, tab = _context(browser, team)
    yield tab
    context.close()


def _signed_in(page, team: dict, email: str) -> None:
    sign_in(page, team["url"], email, wait_for_run)
    page.get_by_text(f"Signed in as {email}").wait_for()
    page.locator("[data-testid='stSidebarNav'] a").first.wait_for()


def _eventually(team: dict, timeout: float = 30, **filters: str) -> list[dict]:
    """Audit rows matching ``filters``, waiting for the app's write to land."""
    deadline = time.monotonic() + timeout
    while True:
        with db.connect(team["db"]) as con:
            rows = audit.entries(con, **filters)
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def _nav(page) -> set[str]:
    links = page.locator("[data-testid='stSidebarNav'] a")
    return {t.strip().splitlines()[-1] for t in links.all_inner_texts()}  # after the icon


def _go(page, team: dict, address: str) -> None:
    page.goto(f"{team['url']}/{address}")
    wait_for_run(page)


def _clean(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.dialogs == [] and page.strays == []


def test_a_signed_out_visitor_sees_only_the_sign_in_page(page, team):
    for address in ("", "audit", "annotations"):
        _go(page, team, address)
        page.get_by_role("button", name="Sign in").wait_for()
        assert _nav(page) == set()
        assert page.get_by_text("Signals: the balance of recent news").count() == 0
        assert page.locator("[data-testid='stDataFrame']").count() == 0
    _clean(page)


def test_a_viewer_reads_but_has_no_write_control_then_signs_out(page, team):
    _signed_in(page, team, "vic@example.com")
    assert page.get_by_text("Signed in as vic@example.com (viewer)").count() == 1
    assert _nav(page) == NAV["viewer"]
    _go(page, team, "review-queue")  # not a page of theirs: the overview opens instead
    page.get_by_text("Signals: the balance of recent news").wait_for()
    assert page.get_by_role("heading", name="Review queue").count() == 0
    _go(page, team, "annotations")
    page.get_by_role("heading", name="Annotations").wait_for()
    page.get_by_label("open annotation").wait_for()
    assert page.get_by_role("button", name="Add annotation").count() == 0
    assert page.get_by_role("tab").count() == 0
    sign_out(page, team["url"], wait_for_run)
    page.get_by_role("button", name="Sign in").wait_for()
    assert _nav(page) == set()
    _clean(page)


def test_an_analyst_cannot_delete_another_analysts_note(page, team):
    _signed_in(page, team, "ana@example.com")
    assert _nav(page) == NAV["analyst"]
    _go(page, team, "annotations")
    page.get_by_role("tab", name="List, edit, history").click()
    wait_for_run(page)
    chooser = page.get_by_label("open annotation")
    chooser.click()
    page.get_by_role("option", name=f"#{team['notes']['bob']} ").click()
    page.get_by_text("Only its author (bob@example.com)").wait_for()
    assert page.get_by_role("button", name="Delete").count() == 0
    chooser.click()
    page.get_by_role("option", name=f"#{team['notes']['ana']} ").click()
    wait_for_run(page)
    page.get_by_role("button", name="Delete").click()
    rows = _eventually(team, actor="ana@example.com", action="annotation.delete")
    with db.connect(team["db"]) as con:
        bob = annotations.get(con, team["notes"]["bob"])
    assert [(r["target_id"], r["outcome"]) for r in rows] == [(str(team["notes"]["ana"]), "ok")]
    assert not bob["deleted"]
    _clean(page)


def test_a_methodology_save_writes_its_audit_row(page, team):
    _signed_in(page, team, "max@example.com")
    assert _nav(page) == NAV["methodologist"]
    _go(page, team, "what-if")
    page.get_by_text("Save these parameters as a new methodology version").click()
    page.get_by_label("new version").fill("9.1.0")
    page.get_by_label("new version").press("Enter")
    wait_for_run(page)
    page.get_by_role("button", name="Save and re-score").click()
    page.get_by_text("Saved: methodology 9.1.0").wait_for(timeout=60000)
    row = _eventually(team, action="methodology.save")[0]
    assert (row["actor"], row["role"], row["mode"], row["outcome"]) == (
        "max@example.com", "methodologist", "signed-in", "ok")  # fmt: skip
    bundled = load(METHODOLOGY_FILE).semver
    assert (row["before"]["version"], row["after"]["version"]) == (bundled, "9.1.0")
    _clean(page)


def test_hostile_text_on_every_page_fetches_and_runs_nothing(page, team):
    """An admin sees every page; each is opened with hostile text in the data, and the
    audit page shows the newest entry (the methodology save when the tests run in order)."""
    _signed_in(page, team, "lead@example.com")
    assert _nav(page) == NAV["admin"]
    addresses = ["", "why-this-number", "what-if", "evidence", "capacity-ledger",
                 "annotations", "review-queue", "exports", "methodology", "organisations",
                 "audit"]  # fmt: skip
    for address in addresses:
        if address:  # signing in landed on the overview already
            _go(page, team, address)
        if address in ("evidence", "organisations"):
            page.wait_for_selector("[data-testid='stDataFrame']")
        if address == "annotations":
            page.get_by_role("tab", name="List, edit, history").click()
            wait_for_run(page)
            page.get_by_text(IMAGE, exact=False).first.wait_for()
        if address == "review-queue":
            page.get_by_text(f"{TAG} {IMAGE}", exact=False).first.wait_for()
        page.wait_for_timeout(200)
        _clean(page)
    with db.connect(team["db"]) as con:
        newest = audit.entries(con, limit=1)[0]
    entry = page.get_by_text(f"#{newest['id']} ", exact=False).first
    entry.wait_for()
    assert newest["actor"] in entry.inner_text() and newest["action"] in entry.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "audit-1280x900.png"), full_page=True)
