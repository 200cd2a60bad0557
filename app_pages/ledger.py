"""Capacity ledger: every block of compute with its versions, and a form to add one version
through the same validation as ``python -m risk import capacity.csv``.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from app_pages import team
from app_pages.common import after_save, attempt, database, methodology, read
from risk import access, importer
from risk.units import STATUSES, UNITS
from risk.views import queries
from risk.views import reliance_views as views


def page_ledger() -> None:
    st.header("Capacity ledger")
    st.caption("One line per version of a block of compute: when a letter of intent becomes a "
               "contract or a plan is cut, a new line with the day it became public is added "
               "and the old one stays, so past days can be shown as they were known.")
    label = read(views.names)
    deps = read(views.dependents_with_ledger)
    pick = st.selectbox("Dependent", deps, index=None, placeholder="all dependents",
                        format_func=lambda d: label.get(d, d), key="lg_filter")  # fmt: skip
    table = read(views.ledger_table, pick)
    st.caption(f"{table['id'].nunique() if not table.empty else 0} block(s), "
               f"{len(table)} version(s)")
    st.dataframe(table, hide_index=True, key="lg_table")
    if team.can(access.LEDGER):
        with st.expander("Add a block or a new version of one", expanded=False):
            ledger_form()


KEYS = ["lg_id", "lg_known", "lg_dependent", "lg_supplier", "lg_chip", "lg_channel",
        "lg_quantity", "lg_unit", "lg_status", "lg_start", "lg_full_by", "lg_end",
        "lg_evidence", "lg_note"]  # fmt: skip


def ledger_form() -> None:
    method = methodology()
    deps = read(queries.organisation_choices, "dependent")
    orgs = sorted(read(views.names))
    chips = list(method.units.chips) if method.units else []
    evidence_ids = read(views.evidence_ids)
    slots, values = {}, {}
    with st.form("add_ledger"):
        st.caption("Same validation as `python -m risk import`; the indicators are "
                   "recomputed at once. Nothing is preselected: choose every field.")
        a, b, c = st.columns(3)
        fields = [
            (a, "id", lambda col: col.text_input(
                "block id (an existing id adds a version)", value=read(views.next_block_id),
                key="lg_id")),
            (b, "known_from", lambda col: col.date_input(
                "known from (the day it became public)", value=None, key="lg_known")),
            (c, "dependent", lambda col: col.selectbox("dependent", deps, index=None,
                                                       key="lg_dependent")),
            (a, "supplier", lambda col: col.selectbox("chip supplier", orgs, index=None,
                                                      key="lg_supplier")),
            (b, "chip", lambda col: col.selectbox("chip (optional)", chips, index=None,
                                                  key="lg_chip")),
            (c, "channel", lambda col: col.selectbox("channel", ["owned", *orgs], index=None,
                                                     key="lg_channel")),
            (a, "quantity", lambda col: col.text_input("quantity", key="lg_quantity")),
            (b, "unit", lambda col: col.selectbox("unit", UNITS, index=None, key="lg_unit")),
            (c, "status", lambda col: col.selectbox("status", STATUSES, index=None,
                                                    key="lg_status")),
            (a, "start", lambda col: col.date_input("delivery starts", value=None,
                                                    key="lg_start")),
            (b, "full_by", lambda col: col.date_input("fully delivered by", value=None,
                                                      key="lg_full_by")),
            (c, "end", lambda col: col.date_input("end (optional)", value=None, key="lg_end")),
            (st, "evidence", lambda col: col.multiselect("supporting evidence", evidence_ids,
                                                         key="lg_evidence")),
            (st, "note", lambda col: col.text_input("note (optional)", key="lg_note")),
        ]  # fmt: skip
        for column, field, widget in fields:
            values[field] = widget(column)
            slots[field] = column.empty()  # a problem with this field shows right under it
        submitted = st.form_submit_button("Add to the ledger", key="lg_submit")
    if not submitted:
        return
    row = {k: _text(v) for k, v in values.items()}
    done = attempt(lambda: importer.add_ledger_row(row, database(), method, team.actor()),
                   slots, "Validating and recomputing the indicators…")  # fmt: skip
    if done is None:
        return
    # the form starts empty again (one more click adds nothing) and every section rereads
    after_save(f"Added {row['id']} (known from {row['known_from']}).", KEYS)  # both validated


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(map(str, value))
    return str(value)


page_ledger()
