"""Audit trail (admins): who changed what, when, and from what, with filters.

Every value here came from users (names, titles, bodies), so it is shown in a dataframe
or as code text, never as Markdown.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from app_pages import team
from app_pages.common import read
from risk import access, audit

ANY = "(any)"
LIMIT = 2000


def _filters() -> dict:
    a, b, c = st.columns(3)
    actors = [ANY, *read(audit.actors)]
    actions = [ANY, *read(audit.actions)]
    who = a.selectbox("who", actors, key="au_actor")
    action = b.selectbox("action", actions, key="au_action")
    outcome = c.selectbox("outcome", [ANY, "ok", "refused"], key="au_outcome")
    d, e, f = st.columns(3)
    kind = d.selectbox("target", [ANY, "annotation", "evidence", "candidate", "methodology",
                                  "organisation", "ledger"], key="au_kind")  # fmt: skip
    target_id = e.text_input("target id", key="au_target")
    text = f.text_input("text in before/after", key="au_text")
    today = date.today()
    span = st.date_input("days (UTC)", value=(today - timedelta(days=90), today),
                         key="au_days")  # fmt: skip
    since, until = (span[0], span[1]) if isinstance(span, tuple) and len(span) == 2 else (
        None, None)  # fmt: skip
    pick = {"actor": who, "action": action, "outcome": outcome, "target_kind": kind}
    filters = {k: v for k, v in pick.items() if v != ANY}
    filters.update(target_id=target_id.strip() or None, text=text.strip() or None,
                   since=since, until=until)  # fmt: skip
    return filters


def _json(value: object) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def page_audit() -> None:
    st.header("Audit trail")
    if not team.can(access.AUDIT):
        st.error("Only an admin may read the audit trail.")
        return
    st.text("Every write and every refused write, newest first. Times are UTC.")
    rows = read(audit.entries, **_filters(), limit=LIMIT + 1)
    if len(rows) > LIMIT:
        st.text(f"Showing the newest {LIMIT} entries: narrow the filters to see older ones.")
        rows = rows[:LIMIT]
    if not rows:
        st.text("No audit entries match.")
        return
    table = pd.DataFrame(
        [{**r, "before": _json(r["before"]), "after": _json(r["after"])} for r in rows]
    )
    st.dataframe(table, hide_index=True, key="au_table", column_config={
        "at_utc": st.column_config.DatetimeColumn("at (UTC)", format="YYYY-MM-DD HH:mm:ss")})
    chosen = st.selectbox("open entry", [r["id"] for r in rows], key="au_open")
    entry = next(r for r in rows if r["id"] == chosen)
    st.text(f"#{entry['id']} {entry['at_utc']:%Y-%m-%d %H:%M:%S} UTC · {entry['actor']}"
            + (f" for {entry['on_behalf_of']}" if entry["on_behalf_of"] else "")
            + f" ({entry['role']}, {entry['mode']}) · {entry['action']} "
              f"{entry['target_kind']} {entry['target_id'] or ''} · {entry['outcome']}")
    if entry["reason"]:
        st.text(f"reason: {entry['reason']}")
    left, right = st.columns(2)
    left.text("before")
    left.code(json.dumps(entry["before"], ensure_ascii=False, indent=2), language=None)
    right.text("after")
    right.code(json.dumps(entry["after"], ensure_ascii=False, indent=2), language=None)


page_audit()
