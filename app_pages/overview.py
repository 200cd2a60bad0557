"""Overview: where each company stands, with the trend panels; a clicked point becomes
the selection of the *Why this number* page.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from app_pages import reliance_panel
from app_pages.common import (
    database,
    fmt_change,
    methodology,
    panels,
    read,
    read_method,
    sidebar_filters,
)
from risk.views import queries


def page_overview() -> None:
    reliance_panel.show()
    st.divider()
    st.subheader("Signals: the balance of recent news (methodology 1)")
    st.caption("A secondary reading: per family, whether recent graded news leans towards the "
               "vendor (above 50) or away from it (below 50). It measures headlines, not "
               "compute: it fades back to 50 without news.")
    deps = read(queries.dependents)
    bounds = read(queries.score_range)
    if not deps or bounds is None:
        st.info("No scores yet: add evidence (Evidence page) or run `python -m risk init`.")
        return
    heads = read_method(queries.headline)
    alerts = read_method(queries.active_alerts)
    for alert in alerts:
        st.warning(f"Alert: {alert['dependent']} on {alert['date']}: {alert['message']} "
                   f"(composite {alert['score']:.1f})", icon="⚠️")  # fmt: skip
    cols = st.columns(max(1, len(heads)))
    for col, head in zip(cols, heads, strict=False):
        with col.container(border=True):
            st.metric(queries.md_escape(head["name"]), f"{head['score']:.1f}",
                      delta=f"{fmt_change(head['change_90d'])} over 90 days",
                      delta_color="off")  # fmt: skip
            st.caption(f"band {head['band_low']:.1f} – {head['band_high']:.1f} · 1 year "
                       f"{fmt_change(head['change_1y'])} · moved most by "
                       f"{head['mover_label']} ({head['mover_points']:+.1f} pts, 90 d) · "
                       f"as of {head['date']}")  # fmt: skip
    f = sidebar_filters(deps, bounds)
    if not f["deps"]:
        st.info("Pick at least one dependent in the sidebar.")
        return
    with st.spinner("Drawing the panels…"):
        method = methodology()
        comp, grid, points = panels(database(), st.session_state["_version"], method.version,
                                    method, tuple(f["deps"]), tuple(f["fams"]), f["start"],
                                    f["end"], f["evidence"])  # fmt: skip
    st.caption(f"{points} points charted · 50 = balanced; above 50 the dependent leans on "
               "the vendor more. Click a point to explain it.")  # fmt: skip
    st.markdown("**Composite dependence on the vendor** (band = uncertainty)")
    event = st.plotly_chart(comp, key="chart_composite", on_select="rerun",
                            selection_mode="points")  # fmt: skip
    _remember_click(event, comp)
    if grid is not None:
        st.markdown("**Per family**")
        event = st.plotly_chart(grid, key="chart_families", on_select="rerun",
                                selection_mode="points")  # fmt: skip
        _remember_click(event, grid)
    else:
        st.info("No family selected: only the composite is drawn.")
    if st.session_state.get("why_pick"):
        dep, fam, day = st.session_state["why_pick"]
        st.success(f"Selected {dep} · {fam} on {day}: open **Why this number** in the "
                   "sidebar to see the evidence behind it.")  # fmt: skip


def _remember_click(event: object, fig: object) -> None:
    """A clicked point becomes the 'why this number' selection (dependent, family, day)."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    for point in points:
        meta = fig.data[point.get("curve_number", 0)].meta or {}  # type: ignore[attr-defined]
        if meta.get("dependent") and meta.get("family") and point.get("x"):
            day = date.fromisoformat(str(point["x"])[:10])
            st.session_state["why_pick"] = (meta["dependent"], meta["family"], day)
            st.session_state["why_dep"] = meta["dependent"]
            st.session_state["why_fam"] = meta["family"]
            st.session_state["why_day"] = day
            st.session_state["why_kind"] = "A signal score (news index)"
            return


page_overview()
