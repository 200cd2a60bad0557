"""Review queue: candidates read from articles wait here until an analyst accepts or
rejects them.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from app_pages import team
from app_pages.common import (
    CREDIBILITY_LABELS,
    database,
    methodology,
    read,
    show_problems,
)
from risk import access
from risk.errors import RiskError, ValidationError
from risk.identity import Actor
from risk.methodology import RELIABILITY_GRADES
from risk.reader import queue
from risk.views import queries


def page_review() -> None:
    st.header("Review queue")
    who = team.actor()
    if not who.can(access.REVIEW):
        st.text(f"{who.who} ({who.role}) may not accept or reject candidates.")
        return
    queue = read(queries.review_queue)
    if not queue:
        st.info("No candidate is waiting for review. Feed articles with "
                "`python -m risk ingest article.txt --published YYYY-MM-DD`.")  # fmt: skip
        return
    by_id = {c["id"]: c for c in queue}
    chosen = st.selectbox(
        f"{len(queue)} pending candidate(s)", list(by_id), key="rq_pick",
        format_func=lambda i: f"#{i} {by_id[i]['dependent']} · {by_id[i]['family']} · "
        f"{'+1' if by_id[i]['direction'] > 0 else '-1'} · {by_id[i]['date']}",
    )  # fmt: skip
    cand = by_id[chosen]
    left, right = st.columns([3, 2])
    with left:
        art = cand["article"]
        st.text(f"{art['title'] or '(untitled)'} · {art['published']} · {art['language']}")
        if art["url"]:
            st.text(art["url"])
        with st.container(height=430):
            st.html(queries.highlight_html(art["text"], cand["spans"]))
        st.caption("Highlighted: the words that triggered each field (hover for the field).")
    with right:
        review_form(cand, who)


def review_form(cand: dict, who: Actor) -> None:
    method = methodology()
    key = f"rq_{cand['id']}"
    deps = read(queries.organisation_choices, "dependent")
    slots = {}
    with st.form(key):
        edits: dict[str, object] = {}
        edits["dependent"] = st.selectbox("dependent", deps, key=f"{key}_dep",
                                          index=deps.index(cand["dependent"])
                                          if cand["dependent"] in deps else 0)  # fmt: skip
        slots["dependent"] = st.empty()
        fams = list(method.families)
        edits["family"] = st.selectbox("family", fams, key=f"{key}_fam",
                                       index=fams.index(cand["family"])
                                       if cand["family"] in fams else 0)  # fmt: skip
        slots["family"] = st.empty()
        a, b, c = st.columns(3)
        edits["direction"] = a.selectbox("direction", ["+1", "-1"], key=f"{key}_dir",
                                         index=0 if cand["direction"] > 0 else 1)  # fmt: skip
        edits["magnitude"] = b.selectbox("magnitude", [1, 2, 3, 4, 5], key=f"{key}_mag",
                                         index=int(cand["magnitude"]) - 1)  # fmt: skip
        edits["credibility"] = c.selectbox("credibility", list(CREDIBILITY_LABELS),
                                           index=int(cand["credibility"]) - 1,
                                           key=f"{key}_cred")  # fmt: skip
        for slot in ("direction", "magnitude", "credibility"):
            slots[slot] = st.empty()
        edits["date"] = st.date_input("date", value=date.fromisoformat(cand["date"]),
                                      key=f"{key}_date")  # fmt: skip
        slots["date"] = st.empty()
        edits["summary"] = st.text_area("summary", value=cand["summary"], key=f"{key}_sum")
        slots["summary"] = st.empty()
        edits["source_reliability"] = st.selectbox("source reliability", RELIABILITY_GRADES,
                                                   index=2, key=f"{key}_rel")  # fmt: skip
        slots["source_reliability"] = st.empty()
        accept = st.form_submit_button("Accept as evidence", type="primary",
                                       key=f"{key}_accept")  # fmt: skip
    with st.form(f"{key}_rejecting"):
        reason = st.text_input("Reason for rejecting", key=f"{key}_reason")
        reject = st.form_submit_button("Reject", key=f"{key}_reject")
    if not (accept or reject):
        return
    try:
        if accept:
            row = {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in edits.items()}
            new_id = queue.accept_candidate(cand["id"], row, who, database(),
                                            methodology())  # fmt: skip
            st.session_state["rq_done"] = f"Accepted #{cand['id']} as {new_id}; scores updated."
        else:
            queue.reject_candidate(cand["id"], reason, who, database(), methodology())
            st.session_state["rq_done"] = f"Rejected #{cand['id']}."
    except ValidationError as exc:
        show_problems(exc.problems, slots)
        return
    except RiskError as exc:
        st.error(queries.md_escape(exc))
        return
    st.rerun()


page_review()
