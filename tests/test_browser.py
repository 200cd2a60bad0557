"""The dashboard in a real browser: Debian's Chromium against ``streamlit run``.

AppTest checks the script; only a browser shows that Plotly actually drew, that no error
box is on screen, and that text typed by an analyst stays text.
"""

from __future__ import annotations

import time

import pytest
from browser_support import ARTIFACTS, READY, browser, server, wait_for_run  # noqa: F401
from conftest import BUNDLED

pytestmark = pytest.mark.browser


def _open(browser, server, address: str = ""):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    started = time.monotonic()
    page.goto(f"{server['url']}/{address}")
    page.wait_for_selector("[data-testid='stSidebar']", timeout=60000)
    wait_for_run(page, 60000)
    return page, dialogs, time.monotonic() - started


def test_overview_draws_plotly_panels_without_errors(browser, server):  # noqa: F811
    page, dialogs, _ = _open(browser, server)
    page.wait_for_selector(".js-plotly-plot", timeout=30000)
    assert page.locator(".js-plotly-plot").count() >= 2
    assert page.locator("[data-testid='stMetric']").count() >= 2
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview-1280x800.png"))
    page.locator(".js-plotly-plot").nth(1).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "overview-families-1280x800.png"))
    assert dialogs == []
    page.close()


def test_family_filter_changes_the_small_multiples(browser, server):  # noqa: F811
    page, _, _ = _open(browser, server)
    page.wait_for_selector(".js-plotly-plot", timeout=30000)
    titles = page.locator(".js-plotly-plot .annotation-text").all_text_contents()
    assert any("Partnership tensions" in t for t in titles)
    sidebar = page.locator("[data-testid='stSidebar']")
    families = sidebar.locator("[data-testid='stMultiSelect']").nth(1)
    families.get_by_role("button", name="Remove Partnership tensions").click()
    page.wait_for_timeout(300)
    wait_for_run(page)
    page.wait_for_selector(".js-plotly-plot", timeout=30000)
    titles = page.locator(".js-plotly-plot .annotation-text").all_text_contents()
    assert titles, "the family panels disappeared"
    assert not any("Partnership tensions" in t for t in titles)
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()


def test_a_rerun_in_the_browser_is_quick(browser, server):  # noqa: F811
    page, _, _ = _open(browser, server, "evidence")
    box = page.get_by_label("Search summary, source, id")
    started = time.monotonic()
    box.fill("Maia")
    box.press("Enter")
    page.wait_for_timeout(100)
    page.wait_for_selector(READY, timeout=30000)
    elapsed = time.monotonic() - started
    caption = page.get_by_text("item(s) · click a column header").inner_text()
    assert not caption.startswith("44 ")
    print(f"browser rerun after a search: {elapsed:.2f}s (includes a 0.1s settle wait)")
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()


HOSTILE_BODY = "<img src=x onerror=alert(1)>"
HOSTILE_TITLE = "Click [link](javascript:alert(1)) now"


def test_hostile_annotation_text_is_shown_as_text_and_never_runs(browser, server):  # noqa: F811
    from risk import annotations

    annotations.add({"dependent": "microsoft", "date": "2024-02-01", "title": HOSTILE_TITLE,
                     "body": f"{HOSTILE_BODY} and [link](javascript:alert(1))"}, "mallory",
                    server["db"], method=BUNDLED)  # fmt: skip
    page, dialogs, _ = _open(browser, server, "annotations")
    page.get_by_role("tab", name="List, edit, history").click()
    wait_for_run(page)
    body = page.get_by_text(HOSTILE_BODY, exact=False)
    body.first.wait_for(timeout=15000)
    assert body.first.is_visible()
    assert page.get_by_text(HOSTILE_TITLE, exact=False).count() >= 1
    assert page.locator("[data-testid='stMain'] img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    visible_title = page.get_by_text(HOSTILE_TITLE, exact=False).filter(visible=True)
    assert visible_title.count() >= 1
    body.first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "annotations-hostile-1280x800.png"))
    page.wait_for_timeout(500)
    assert dialogs == []
    # The overview draws the annotation's title in a Plotly hover label: still inert.
    page.goto(f"{server['url']}/?page=Overview")
    wait_for_run(page, 60000)
    page.wait_for_selector(".js-plotly-plot", timeout=30000)
    page.wait_for_timeout(500)
    assert dialogs == []
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()


def test_review_queue_shows_the_article_with_spans_marked(browser, server):  # noqa: F811
    from risk.reader import queue

    text = ("Microsoft a commandé pour 10 milliards de dollars de GPU H100 à Nvidia. "
            "<script>alert(1)</script>")  # fmt: skip
    queue.ingest_text(text, published="2024-03-01", title="<b>Essai</b>",
                       db_file=server["db"], method=BUNDLED)  # fmt: skip
    page, dialogs, _ = _open(browser, server, "review-queue")
    page.wait_for_selector("mark", timeout=15000)
    assert page.locator("mark").count() >= 1
    assert page.get_by_text("<script>alert(1)</script>", exact=False).count() >= 1
    assert page.get_by_text("<b>Essai</b>", exact=False).count() >= 1
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "review-queue-1280x800.png"))
    assert dialogs == []
    page.close()
