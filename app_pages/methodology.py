"""Methodology: the parameters in force, in words and tables.
"""

from __future__ import annotations

import streamlit as st

from app_pages.common import (
    methodology,
    read,
)
from risk.views import queries, reliance_views


def page_methodology() -> None:
    method = methodology()
    st.header("Methodology")
    st.markdown(f"Version **{method.version}** (semantic version {method.semver}, config "
                f"hash `{method.config_hash[:12]}`) · scored vendor **{method.vendor}**")
    saved = read(queries.saved_version)
    if saved and saved != method.version:
        st.warning(f"Stored scores were made with {saved}; they are re-scored on next start.")
    tables = reliance_views.conversion_tables(method)
    if tables:
        st.subheader("Reliance (methodology 2): the capacity ledger in one unit")
        st.markdown(RELIANCE_IN_WORDS)
        st.markdown("**Status probabilities** (central weight; which statuses the low and "
                    "high scenarios count at full weight)")
        st.dataframe(tables["statuses"], hide_index=True)
        st.markdown("**Chips**: H100-equivalents per chip by dense FP16 throughput, and "
                    "all-in power; central (low-high)")
        st.dataframe(tables["chips"], hide_index=True)
        st.markdown("**Suppliers by year** (a block uses the latest year not after its start)")
        st.dataframe(tables["suppliers"], hide_index=True)
    st.subheader("Signals (methodology 1): the news index")
    st.markdown(METHOD_IN_WORDS)
    st.subheader("Families")
    st.dataframe(queries.families_frame(method), hide_index=True)
    st.subheader("Confidence: source reliability (columns) × item credibility (rows)")
    st.dataframe(queries.confidence_frame(method))
    st.subheader("Band and alerts")
    st.json({"band": {"max_half_width": method.band_max_half_width,
                      "mass_scale": method.band_mass_scale}, "alerts": method.alerts})
    st.subheader("Versions used so far")
    st.dataframe(read(queries.methodology_versions), hide_index=True)


RELIANCE_IN_WORDS = """
Each block of compute in the capacity ledger (a purchase, a cloud contract, a chip
programme) is turned into **H100-equivalents** with the factors below, weighted by how likely
its status is to become running compute, and ramped from its start to its full-by date. The
headline is the vendor's **share of deployed compute**; the **pipeline** is what is
committed but not yet delivered. Ranges: low counts the vendor's firm capacity at low factors
against everyone else's announced capacity at high factors; high the reverse. Every figure
opens into its ledger rows on *Why this number* or with
`python -m risk explain DEPENDENT INDICATOR DATE`.
"""

METHOD_IN_WORDS = """
Each piece of evidence says that a dependent (Microsoft, OpenAI…) moved **towards** the
vendor (direction +1: a GPU purchase, a cloud build-out) or **away** from it (−1: an in-house
chip, a rival supplier, a tension). It carries a **magnitude** from 1 to 5 and a
**confidence**: the source's reliability (A–F) times the item's credibility (1–6).

* **Pressure** of a family on a day = the sum of direction × magnitude × confidence of its
  items up to that day, each halved every *half-life* days, so old news fades.
* **Family score** = 50 + 50 × tanh(pressure / k): 50 is balanced (or no evidence), towards
  100 is heavy reliance, towards 0 reliance engineered away.
* **Composite** = the weighted mean of the family scores.
* **Band**: ± max half-width / √(1 + mass / mass scale), where mass is the decayed,
  confidence-weighted magnitude of all evidence: more, fresher, surer evidence = narrower.

Every score can be traced to its items on *Why this number* or with
`python -m risk explain DEPENDENT FAMILY DATE`.
"""


page_methodology()
