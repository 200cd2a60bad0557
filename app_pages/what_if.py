"""What-if: re-score with other weights and half-lives, try other status probabilities and
chip conversion factors on today's reliance figures, and optionally save all of them as a new
methodology version.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from app_pages import team
from app_pages.common import (
    database,
    methodology,
    read,
    read_method,
    settings,
)
from risk import access, refresh
from risk.errors import RiskError
from risk.methodology import Methodology
from risk.views import charts, queries, reliance_views


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
    trial = reliance_what_if(method)
    if team.can(access.METHODOLOGY) and trial is not None:
        save_what_if(method, trial, weights, half_lives)


def reliance_what_if(method: Methodology) -> Methodology | None:
    """Status probabilities and chip conversion factors tried on today's vendor shares."""
    st.subheader("What-if: status probabilities and conversion factors (reliance)")
    units = method.units
    if units is None:
        st.info("This methodology has no capacity-ledger section.")
        return method
    st.caption("How much each status counts in the central figure, and how many "
               "H100-equivalents one chip is worth (low and high factors move in proportion). "
               "Today's shares are recomputed from the ledger; nothing is saved.")
    cols = st.columns(4)
    weights = {status: cols[i % 4].slider(status, 0.0, 1.0, float(weight), 0.05,
                                          key=f"sw_{status}")
               for i, (status, weight) in enumerate(units.weights.items())}  # fmt: skip
    table = st.data_editor(
        [{"chip": c.name, "supplier": c.supplier, "H100e per chip": c.h100e[1]}
         for c in units.chips.values()],
        disabled=["chip", "supplier"], hide_index=True, key="chip_factors",
        column_config={"H100e per chip": st.column_config.NumberColumn(min_value=0.01,
                                                                       format="%.2f")},
    )  # fmt: skip
    factors = {row["chip"]: row["H100e per chip"] for row in table}
    try:
        trial = reliance_views.with_trial_units(method, weights, factors)
    except RiskError as exc:
        st.error(queries.md_escape(exc))
        return None
    rows = read_method(reliance_views.what_if_shares, trial, date.today())
    label = read(reliance_views.names)
    for col, row in zip(st.columns(max(1, len(rows))), rows, strict=False):
        saved, tried = row["vendor_share_deployed"]
        pipe_saved, pipe_tried = row["vendor_share_pipeline"]
        name = queries.md_escape(label.get(row["dependent"], row["dependent"]))
        vendor = queries.md_escape(label.get(method.vendor, method.vendor))
        col.metric(f"{name}: deployed on {vendor} (what-if)",
                   _pct(tried), delta=f"{_pct(saved)} saved", delta_color="off")
        col.caption(f"pipeline: {_pct(pipe_tried)} (saved {_pct(pipe_saved)})")
    return trial


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def save_what_if(method: Methodology, trial: Methodology, weights: dict,
                 half_lives: dict) -> None:  # fmt: skip
    with st.expander("Save these parameters as a new methodology version"):
        st.caption("Replaces the methodology in force and re-scores all history. The current "
                   f"version ({method.version}) stays recorded and can be restored by hand.")
        semver = st.text_input("New version", queries.next_semver(method.semver),
                               key="new_semver")
        if st.button("Save and re-score", key="save_method"):
            try:
                trial = trial.with_overrides(weights, half_lives)
                with st.spinner("Re-scoring history…"):
                    saved = refresh.adopt(trial, semver, database(),
                                          settings().methodology_file,
                                          actor=team.actor())  # fmt: skip
            except RiskError as exc:
                st.error(queries.md_escape(exc))
                return
            st.success(f"Saved: methodology {saved.version} is now in force.")


page_what_if()
