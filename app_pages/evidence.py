"""Evidence: search the items and add one through the same validation as ``risk import``.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from app_pages import team
from app_pages.common import (
    CREDIBILITY_LABELS,
    after_save,
    attempt,
    database,
    methodology,
    read,
    read_method,
)
from risk import access
from risk.methodology import RELIABILITY_GRADES, Methodology
from risk.views import queries

# A long list is read and sent one page at a time.
PAGE_ROWS = 500


def page_evidence() -> None:
    st.header("Evidence")
    method = methodology()
    deps = read(queries.organisation_choices, "dependent")
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    search = c1.text_input("Search summary, source, id", key="ev_search")
    dsel = c2.multiselect("Dependent", deps, key="ev_deps")
    fsel = c3.multiselect("Family", list(method.families), key="ev_fams")
    dirn = c4.selectbox("Direction", ["any", "+1 raises", "-1 lowers"], key="ev_dir")
    direction = {"any": None, "+1 raises": 1, "-1 lowers": -1}[dirn]
    total = read(queries.evidence_count, search, dsel, fsel, direction)
    pages = max(1, -(-total // PAGE_ROWS))
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Page (of {pages:,}, {PAGE_ROWS:,} items each)",
                                   min_value=1, max_value=pages, value=1, key="ev_page"))
    table = read_method(queries.evidence_table, search, dsel, fsel, direction, None, None,
                        PAGE_ROWS, (page - 1) * PAGE_ROWS)  # fmt: skip
    if pages > 1:
        first = (page - 1) * PAGE_ROWS + 1
        st.caption(f"items {first:,}-{first + len(table) - 1:,} of {total:,}, newest first · "
                   "click a column header to sort this page")  # fmt: skip
    else:
        st.caption(f"{total} item(s) · click a column header to sort")
    if table.empty:
        st.info("No evidence matches these filters.")
    else:
        st.dataframe(table, hide_index=True, key="ev_table",
                     column_config={"url": st.column_config.LinkColumn("link"),
                                    "contribution": st.column_config.NumberColumn(
                                        format="%+.2f")})  # fmt: skip
    if team.can(access.EVIDENCE):
        with st.expander("Add one item", expanded=False):
            evidence_form(method)


_FORM_FIELDS = ["id", "date", "date_precision", "dependent", "vendor", "counterparty", "family",
                "direction", "magnitude", "credibility", "amount_usd", "quantity", "unit",
                "summary", "grading_note", "source_publisher", "source_title", "source_date",
                "source_url", "source_language", "source_reliability"]  # fmt: skip


_FORM_KEYS = ["ev_id", "ev_date", "ev_precision", "ev_dependent", "ev_vendor",
              "ev_counterparty", "ev_family", "ev_direction", "ev_magnitude", "ev_credibility",
              "ev_amount", "ev_quantity", "ev_unit", "ev_summary", "ev_note", "ev_publisher",
              "ev_title", "ev_source_date", "ev_url", "ev_language", "ev_reliability"]


def evidence_form(method: Methodology) -> None:
    deps = read(queries.organisation_choices, "dependent")
    vendors = read(queries.organisation_choices, "vendor")
    slots = {}
    values: dict[str, object] = {}
    with st.form("add_evidence", clear_on_submit=False):
        st.caption("Same validation as `python -m risk import`; the item is scored at once.")
        a, b, c = st.columns(3)
        values["id"] = a.text_input("id", value=queries.next_evidence_id(
            database()), key="ev_id")  # fmt: skip
        slots["id"] = a.empty()
        values["date"] = b.date_input("date", value=date.today(), key="ev_date")
        slots["date"] = b.empty()
        values["date_precision"] = c.selectbox("date precision", ["day", "month", "year"],
                                               key="ev_precision")  # fmt: skip
        slots["date_precision"] = c.empty()
        values["dependent"] = a.selectbox("dependent", deps, index=None, key="ev_dependent",
                                          placeholder="choose one")  # fmt: skip
        slots["dependent"] = a.empty()
        values["vendor"] = b.selectbox("vendor", vendors, key="ev_vendor")
        slots["vendor"] = b.empty()
        values["counterparty"] = c.text_input("counterparty (optional)", key="ev_counterparty")
        slots["counterparty"] = c.empty()
        values["family"] = a.selectbox("family", list(method.families), key="ev_family")
        slots["family"] = a.empty()
        values["direction"] = b.selectbox("direction", ["+1", "-1"], key="ev_direction",
                                          help="+1 raises reliance on the vendor, -1 lowers it")
        slots["direction"] = b.empty()
        values["magnitude"] = c.selectbox("magnitude", [1, 2, 3, 4, 5], index=2,
                                          key="ev_magnitude")  # fmt: skip
        slots["magnitude"] = c.empty()
        values["credibility"] = a.selectbox("credibility", list(CREDIBILITY_LABELS), index=1,
                                            format_func=CREDIBILITY_LABELS.get,
                                            key="ev_credibility")  # fmt: skip
        slots["credibility"] = a.empty()
        values["amount_usd"] = b.text_input("amount USD (optional)", key="ev_amount")
        slots["amount_usd"] = b.empty()
        q1, q2 = c.columns(2)
        values["quantity"] = q1.text_input("quantity", key="ev_quantity")
        values["unit"] = q2.text_input("unit", key="ev_unit")
        slots["quantity"] = c.empty()
        slots["unit"] = c.empty()
        values["summary"] = st.text_area("summary", key="ev_summary")
        slots["summary"] = st.empty()
        values["grading_note"] = st.text_input("grading note (optional)", key="ev_note")
        slots["grading_note"] = st.empty()
        a, b, c = st.columns(3)
        values["source_publisher"] = a.text_input("source publisher", key="ev_publisher")
        slots["source_publisher"] = a.empty()
        values["source_title"] = b.text_input("source title", key="ev_title")
        slots["source_title"] = b.empty()
        values["source_date"] = c.date_input("source date", value=date.today(),
                                             key="ev_source_date")  # fmt: skip
        slots["source_date"] = c.empty()
        values["source_url"] = a.text_input("source URL (optional)", key="ev_url")
        slots["source_url"] = a.empty()
        values["source_language"] = b.text_input("language (fr, en)", value="en",
                                                  key="ev_language")  # fmt: skip
        slots["source_language"] = b.empty()
        values["source_reliability"] = c.selectbox("source reliability", RELIABILITY_GRADES,
                                                   index=None, placeholder="grade the source",
                                                   key="ev_reliability")  # fmt: skip
        slots["source_reliability"] = c.empty()
        submitted = st.form_submit_button("Add evidence", key="ev_submit")
    if not submitted:
        return
    row = {k: "" if v is None else (v.isoformat() if isinstance(v, date) else str(v))
           for k, v in values.items()}  # fmt: skip
    item = attempt(lambda: queries.add_evidence(row, database(), methodology(), team.actor()),
                   slots, "Validating and re-scoring…")  # fmt: skip
    if item is None:
        return
    after_save(f"Added {item['id']}; scores updated.", _FORM_KEYS)


page_evidence()
