"""What-if: re-score with other weights and half-lives, and optionally save them as a new
methodology version.
"""

from __future__ import annotations

import streamlit as st

from app_pages import team
from app_pages.common import (
    database,
    methodology,
    read_method,
    settings,
)
from risk import access, refresh
from risk.errors import RiskError
from risk.methodology import Methodology
from risk.views import charts, queries


def page_what_if() -> None:
    st.header("What-if weights")
    method = methodology()
    st.info("A what-if: these sliders re-score on the fly and are never saved. The saved "
            f"methodology ({method.version}) stays in force.", icon="🧪")  # fmt: skip
    weights, half_lives = {}, {}
    cols = st.columns(len(method.families))
    for col, fam in zip(cols, method.families.values(), strict=True):
        weights[fam.name] = col.slider(f"{fam.label} weight", 0.0, 1.0, float(fam.weight),
                                       0.05, key=f"w_{fam.name}")  # fmt: skip
    with st.expander("Half-lives (days)"):
        cols = st.columns(len(method.families))
        for col, fam in zip(cols, method.families.values(), strict=True):
            half_lives[fam.name] = col.slider(f"{fam.label}", 30, 1500,
                                              int(fam.half_life_days), 15, key=f"h_{fam.name}")
    if sum(weights.values()) <= 0:
        st.error("At least one weight must be above zero.")
        return
    with st.spinner("Re-scoring…"):
        frame = read_method(queries.what_if, weights, half_lives)
    latest = queries.what_if_latest(frame)
    cols = st.columns(max(1, len(latest)))
    for col, row in zip(cols, latest, strict=False):
        col.metric(f"{row['dependent']} (what-if)", f"{row['what_if']:.1f}",
                   delta=f"{row['difference']:+.1f} vs saved {row['saved']:.1f}",
                   delta_color="off")  # fmt: skip
    st.plotly_chart(charts.what_if_figure(frame), key="what_if_chart")
    st.caption("Saved parameters beside the what-if:")
    saved = queries.families_frame(method)
    saved["what-if weight"] = [weights[f] for f in saved["family"]]
    saved["what-if half-life"] = [half_lives[f] for f in saved["family"]]
    st.dataframe(saved, hide_index=True)
    if team.can(access.METHODOLOGY):
        save_what_if(method, weights, half_lives)


def save_what_if(method: Methodology, weights: dict, half_lives: dict) -> None:
    with st.expander("Save these parameters as a new methodology version"):
        st.caption("Replaces the methodology in force and re-scores all history. The current "
                   f"version ({method.version}) stays recorded and can be restored by hand.")
        semver = st.text_input("New version", queries.next_semver(method.semver),
                               key="new_semver")
        if st.button("Save and re-score", key="save_method"):
            try:
                trial = method.with_overrides(weights, half_lives)
                with st.spinner("Re-scoring history…"):
                    saved = refresh.adopt(trial, semver, database(),
                                          settings().methodology_file,
                                          actor=team.actor())  # fmt: skip
            except RiskError as exc:
                st.error(queries.md_escape(exc))
                return
            st.success(f"Saved: methodology {saved.version} is now in force.")


page_what_if()
