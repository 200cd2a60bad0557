"""The headline panels of the Overview: how much of each company's compute runs on the vendor.

Layout and widgets only: the figures come from ``risk.views.reliance_views`` (read models)
and ``risk.views.reliance_figures`` (figure builders and number formats).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from app_pages.common import methodology, read, read_method
from risk import reliance
from risk.views import queries
from risk.views import reliance_figures as figs
from risk.views import reliance_views as views

VIEW_HELP = ("As known (default): each past day shows only what had been reported by then. "
             "Hindsight: today's knowledge of every block applied to past days.")  # fmt: skip


def _card(card: dict) -> None:
    vendor = card["vendor"]
    with st.container(border=True):
        st.markdown(f"**{queries.md_escape(card['name'])}**")
        value, low, high = card["vendor_share_deployed"]
        st.metric(f"Deployed compute on {queries.md_escape(vendor)}", figs.format_percent(value),
                  help=reliance.RANGE_MEANING["vendor_share_deployed"])  # fmt: skip
        if value is not None:
            st.caption(f"range {figs.format_percent(low)} to {figs.format_percent(high)}")
        st.text(f"Of the pipeline (contracted or planned, not yet delivered): "
                f"{figs.format_share(*card['vendor_share_pipeline'])}")
        st.text(f"Effective number of chip suppliers: "
                f"{figs.format_suppliers(*card['effective_suppliers_deployed'])} today, "
                f"{figs.format_suppliers(*card['effective_suppliers_pipeline'])} in the pipeline")
        st.text(f"{vendor}-based compute delivered in the last 12 months: "
                f"{figs.format_usd(card['vendor_spend_ttm_usd'][0])}")
        last = card["last_evidence"]
        st.caption(f"as of {card['as_of'] or 'n/a'} · newest evidence "
                   f"{last or 'none'}")  # fmt: skip
        if card["warning"]:
            st.warning(card["warning"], icon=":material/schedule:")


def show() -> None:
    """Cards, then capacity by supplier and the share over time for one company, then peers."""
    method = methodology()
    today = date.today()
    st.subheader(f"How much of each company's AI compute runs on {method.vendor.title()}")
    hindsight = st.toggle("Hindsight view", key="rel_hindsight", help=VIEW_HELP)
    view = "hindsight" if hindsight else "as_known"
    cards = read_method(views.cards, view, today)
    if not cards:
        st.info("No capacity ledger yet: import a ledger file (`python -m risk import "
                "capacity.csv`) or add a block on the Capacity ledger page.")
        return
    columns = st.columns(min(3, len(cards)))
    for i, card in enumerate(cards):
        with columns[i % len(columns)]:
            _card(card)
    st.caption("Shares are of compute measured in H100-equivalents (a chip's dense FP16 "
               "throughput relative to an H100). " + reliance.RANGE_MEANING[
                   "vendor_share_deployed"])  # fmt: skip
    label = read(views.names)
    pick = st.selectbox("Company", [c["dependent"] for c in cards],
                        format_func=lambda d: label.get(d, d), key="rel_dependent")  # fmt: skip
    vendor_name = label.get(method.vendor, method.vendor)
    st.markdown(f"**Capacity by chip supplier, {queries.md_escape(label.get(pick, pick))}** "
                "(thousand "
                "H100-equivalents; dotted beyond today: contracted or planned deliveries)")
    st.plotly_chart(figs.capacity_figure(
        read(views.capacity, pick, view, today), today, method.vendor, label,
        read(views.ledger_markers, pick)), key="rel_capacity")  # fmt: skip
    st.markdown(f"**{queries.md_escape(vendor_name)} share over time, "
                f"{queries.md_escape(label.get(pick, pick))}** (shaded: range)")
    st.plotly_chart(figs.share_figure(read(views.shares, pick, view, today), vendor_name,
                                      today), key="rel_share")  # fmt: skip
    st.markdown(f"**Peers: {queries.md_escape(vendor_name)} share of deployed compute** "
                "(shaded: range)")
    st.plotly_chart(figs.peer_figure(read(views.peers, view, today), label, vendor_name),
                    key="rel_peers")  # fmt: skip
    st.caption("Open any of these numbers on **Why this number** (choose a reliance "
               "indicator) to see the ledger rows and sources behind it.")
