"""The dashboard frame: page config, the database made ready, and the navigation. Each page
is its own file in ``app_pages/``; every number comes from ``risk``.

Run with ``streamlit run dashboard.py``; ``RISK_DB`` selects the database. Every page has an
address (``/`` for the overview, ``/evidence``, ``/why-this-number``...); the old
``?page=Evidence`` links still open their page.
"""

from __future__ import annotations

import streamlit as st

from app_pages import team
from app_pages.common import show_failure, show_saved, start_rerun
from risk import access

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/monitoring:",
            default=True),
    st.Page("app_pages/why.py", title="Why this number", icon=":material/search:",
            url_path="why-this-number"),
    st.Page("app_pages/what_if.py", title="What-if", icon=":material/science:",
            url_path="what-if"),
    st.Page("app_pages/evidence.py", title="Evidence", icon=":material/article:",
            url_path="evidence"),
    st.Page("app_pages/ledger.py", title="Capacity ledger", icon=":material/dns:",
            url_path="capacity-ledger"),
    st.Page("app_pages/annotations.py", title="Annotations", icon=":material/edit_note:",
            url_path="annotations"),
    st.Page("app_pages/review.py", title="Review queue", icon=":material/inbox:",
            url_path="review-queue"),
    st.Page("app_pages/exports.py", title="Exports", icon=":material/download:",
            url_path="exports"),
    st.Page("app_pages/methodology.py", title="Methodology", icon=":material/functions:",
            url_path="methodology"),
    st.Page("app_pages/organisations.py", title="Organisations",
            icon=":material/corporate_fare:", url_path="organisations"),
    st.Page("app_pages/audit.py", title="Audit", icon=":material/policy:", url_path="audit"),
]  # fmt: skip
# The right a page needs beyond reading; a page the actor may not use is not listed, and
# its address leads to the overview.
PAGE_RIGHTS = {"review-queue": access.REVIEW, "audit": access.AUDIT}
SIGN_IN = st.Page(team.sign_in_page, title="Sign in", icon=":material/login:",
                  url_path="sign-in", default=True)  # fmt: skip


def main() -> None:
    st.set_page_config(page_title="Vendor-dependency risk", page_icon="📈", layout="wide")
    who = team.gate()
    if who is None:  # signed out: the sign-in page is all there is, whatever the address
        st.navigation([SIGN_IN], position="hidden").run()
        return
    try:
        settings = start_rerun()
    except Exception as exc:  # a bad methodology file, a damaged or busy database...
        show_failure(exc)
        return
    st.sidebar.title("Vendor-dependency risk")
    pages = [p for p in PAGES if who.can(PAGE_RIGHTS.get(p.url_path, access.READ))]
    current = st.navigation(pages)
    team.sidebar(who)
    asked = st.query_params.get("page")
    if asked is not None:  # an address from before the pages had their own
        del st.query_params["page"]
        wanted = next((p for p in pages if p.title == asked), None)
        if wanted is not None and wanted.url_path != current.url_path:
            st.switch_page(wanted)
    if st.session_state.get("rq_done"):
        st.toast(st.session_state.pop("rq_done"))
    st.sidebar.caption(f"database: {settings.db_path.name} · "
                       f"data version {st.session_state['_version']} · "
                       f"methodology {settings.methodology.version}")  # fmt: skip
    show_saved()
    try:
        current.run()
    except Exception as exc:  # the same one line as the command line, never a traceback
        show_failure(exc)


main()
