"""Why this number: the evidence behind one score, the same figures as ``risk explain``.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from app_pages import why_reliance
from app_pages.common import (
    methodology,
    read,
    read_method,
)
from risk.methodology import COMPOSITE
from risk.views import charts, queries


def page_why() -> None:
    st.header("Why this number")
    kind = st.radio("Explain", ["A reliance indicator (capacity ledger)",
                                "A signal score (news index)"], horizontal=True,
                    key="why_kind")  # fmt: skip
    if kind.startswith("A reliance"):
        why_reliance.show()
        return
    method = methodology()
    deps = read(queries.dependents)
    bounds = read(queries.score_range)
    if not deps or bounds is None:
        st.info("No scores yet.")
        return
    fams = [COMPOSITE, *method.families]
    c1, c2, c3 = st.columns([1, 1, 1])
    dep = c1.selectbox("Dependent", deps, key="why_dep")
    fam = c2.selectbox("Family", fams, key="why_fam",
                       format_func=lambda f: "Composite" if f == COMPOSITE
                       else method.families[f].label)  # fmt: skip
    if "why_day" not in st.session_state or not bounds[0] <= st.session_state["why_day"] \
            <= bounds[1]:  # fmt: skip
        st.session_state["why_day"] = bounds[1]
    trend = read(queries.trend, [dep], [fam], bounds[0], bounds[1])
    notes = read(queries.annotation_marks, [dep], bounds[0], bounds[1])
    notes = [n for n in notes if n.get("family") in ((None, "", COMPOSITE) if fam == COMPOSITE
                                                      else (fam,))]  # fmt: skip
    fig = charts.single_trend_figure(trend, dep, fam, st.session_state["why_day"], notes)
    event = st.plotly_chart(fig, key="why_chart", on_select="rerun", selection_mode="points")
    points = getattr(getattr(event, "selection", None), "points", None) or []
    clicked = str(points[0]["x"])[:10] if points else None
    if clicked and clicked != st.session_state.get("why_clicked"):
        st.session_state["why_clicked"] = clicked
        st.session_state["why_day"] = date.fromisoformat(clicked)
        st.rerun()
    day = c3.date_input("Day", min_value=bounds[0], max_value=bounds[1], key="why_day")
    with st.spinner("Tracing the evidence…"):
        result = read_method(queries.explanation, dep, fam, day)
    frame = queries.contributions_frame(result)
    st.subheader(f"{dep} · {fam} on {day}: {result.score:.2f}")
    st.caption(f"band {result.band[0]:.2f} – {result.band[1]:.2f} · methodology "
               f"{result.methodology_version} · same figures as "
               f"`python -m risk explain {dep} {fam} {day}`")  # fmt: skip
    if fam == COMPOSITE:
        st.dataframe(
            [{"family": f["label"], "score": round(f["score"], 2),
              "weight share": round(f["share"], 3), "points": round(f["points"], 2)}
             for f in result.families], hide_index=True)  # fmt: skip
    left, right = st.columns([3, 2])
    with left:
        if frame.empty:
            st.info("No evidence up to that day: the score sits at 50.")
        else:
            st.plotly_chart(charts.contribution_bars(frame), key="why_bars")
    with right:
        covering = read(queries.covering_notes, dep, fam, day)
        st.markdown("**Annotations covering this day**")
        if not covering:
            st.caption("None.")
        for note in covering:
            with st.container(border=True):
                until = f" → {note['end_date']}" if note.get("end_date") else ""
                st.text(f"{note['title']}  ({note.get('author', '')}, "
                        f"{note['start_date']}{until})")  # fmt: skip
                st.text(note.get("body") or "")
    if not frame.empty:
        st.dataframe(
            frame[["id", "date", "family", "contribution", "points", "grades", "summary",
                   "publisher", "source_title", "source_date", "url"]],
            hide_index=True,
            column_config={"url": st.column_config.LinkColumn("link"),
                           "contribution": st.column_config.NumberColumn(format="%+.3f"),
                           "points": st.column_config.NumberColumn(format="%+.2f")},
        )  # fmt: skip
        rest = result.rest
        if rest:
            st.caption(f"…and {rest['items']:,} smaller items, summed: contribution "
                       f"{rest['contribution']:+.4f}, {rest['points']:+.2f} points "
                       f"(`python -m risk explain {dep} {fam} {day} --all` lists them)")
        total = frame["contribution"].sum() + (rest["contribution"] if rest else 0.0)
        st.caption(f"sum of contributions: {total:.6f}")


page_why()
