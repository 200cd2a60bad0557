"""Organisations: who is a dependent, a vendor, an alternative or a partner, and the names
the press uses for each. Everyone reads the list; an admin adds or changes one here, with
the same validation as importing an organisations file.
"""

from __future__ import annotations

import streamlit as st

from app_pages import team
from app_pages.common import after_save, attempt, database, methodology, read
from risk import access, importer, organisations
from risk.views import queries

KEYS = ["org_id", "org_name", "org_roles", "org_aliases"]


def page_organisations() -> None:
    st.header("Organisations")
    st.caption("Roles decide where a company can appear: a dependent relies on the vendor, "
               "the vendor is the company whose reliance is measured, an alternative sells "
               "competing chips, a partner is any other party (a cloud, a neocloud). Aliases "
               "are the other names the press uses, matched ignoring case.")  # fmt: skip
    table = read(queries.organisations_table)
    st.caption(f"{len(table)} organisation(s)")
    st.dataframe(table, hide_index=True, key="org_table")
    if team.can(access.ORGANISATIONS):
        with st.expander("Add an organisation or change one", expanded=False):
            organisation_form()


def organisation_form() -> None:
    slots, values = {}, {}
    with st.form("save_organisation"):
        st.caption("A new id adds an organisation; an existing id replaces its name, roles "
                   "and aliases. The scores are recomputed at once and the change is in the "
                   "audit trail.")  # fmt: skip
        fields = [
            ("id", lambda: st.text_input("id (lowercase, e.g. meta)", key="org_id")),
            ("name", lambda: st.text_input("name as shown", key="org_name")),
            ("roles", lambda: st.multiselect("roles", organisations.ROLES, key="org_roles")),
            ("aliases", lambda: st.text_input("aliases, separated by ;", key="org_aliases")),
        ]
        for field, widget in fields:
            values[field] = widget()
            slots[field] = st.empty()  # a problem with this field shows right under it
        submitted = st.form_submit_button("Save the organisation", key="org_submit")
    if not submitted:
        return
    row = {k: ";".join(v) if isinstance(v, list) else (v or "") for k, v in values.items()}
    org = attempt(lambda: importer.save_organisation(row, database(), methodology(),
                                                     team.actor()),
                  slots, "Saving and recomputing the scores…")  # fmt: skip
    if org is not None:
        after_save(f"Saved organisation {org.id} ({org.name}).", KEYS)


page_organisations()
