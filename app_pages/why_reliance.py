"""Why this number, for the reliance indicators: the ledger rows behind one value, largest
first, each with its sources; the same figures as ``python -m risk explain DEP INDICATOR DAY``.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from app_pages.common import methodology, read, read_method
from risk import reliance
from risk.views import queries
from risk.views import reliance_views as views

LABELS = {
    "vendor_share_deployed": "Vendor share of deployed compute (%)",
    "vendor_share_pipeline": "Vendor share of the pipeline (%)",
    "effective_suppliers_deployed": "Effective number of suppliers, deployed",
    "effective_suppliers_pipeline": "Effective number of suppliers, pipeline",
    "hhi_deployed": "Concentration (HHI), deployed",
    "hhi_pipeline": "Concentration (HHI), pipeline",
    "vendor_spend_ttm_usd": "Vendor spend, trailing 12 months (USD)",
}
TOP = 50  # rows listed; the rest are summed in one line


def _value(value: float | None, indicator: str) -> str:
    if value is None:
        return "n/a"
    if indicator == "vendor_spend_ttm_usd":
        return f"${value / 1e9:,.2f}B"
    return f"{value:.1f}%" if indicator.startswith("vendor_share") else f"{value:.2f}"


def _rows(result: dict) -> list[dict]:
    return [{
        "ledger": c["id"], "known from": c["known_from"], "supplier": c["supplier"],
        "chip": c["chip"] or "", "channel": c["channel"], "status": c["status"],
        "window": f"{c['start']} to {c['full_by']}", "quantity": f"{c['quantity']:,g} {c['unit']}",
        "H100e": round(c["h100e"]), "points": c["points"], "evidence": ", ".join(c["evidence"]),
        "sources": "; ".join(s["publisher"] for s in c["sources"]),
        "link": next((s["url"] for s in c["sources"] if s["url"]), None),
    } for c in result["contributions"]]  # fmt: skip


def show() -> None:
    method = methodology()
    label = read(views.names)
    deps = read(views.dependents_with_ledger)
    if not deps:
        st.info("No capacity ledger yet.")
        return
    c1, c2, c3 = st.columns([1, 2, 1])
    dep = c1.selectbox("Dependent", deps, key="whyr_dep", format_func=lambda d: label.get(d, d))
    indicator = c2.selectbox("Indicator", list(reliance.INDICATORS), key="whyr_ind",
                             format_func=LABELS.get)  # fmt: skip
    last = reliance.grid_end(method)
    day = c3.date_input("Day", value=min(date.today(), last), min_value=method.grid_start,
                        max_value=last, key="whyr_day")  # fmt: skip
    hindsight = st.toggle("Hindsight view (today's knowledge applied to that day)",
                          key="whyr_hindsight")  # fmt: skip
    view = "hindsight" if hindsight else "as_known"
    result = read_method(reliance.explain_indicator, dep, indicator, day, view, TOP)
    st.subheader(f"{queries.md_escape(label.get(dep, dep))} · {LABELS[indicator]} on {day}: "
                 f"{_value(result['value'], indicator)}")  # fmt: skip
    if result["value"] is not None:
        st.text(f"Range {_value(result['low'], indicator)} to "
                f"{_value(result['high'], indicator)}. {result['meaning']}")
    st.caption(f"methodology {result['methodology_version']} · {view.replace('_', ' ')} view · "
               f"same figures as `python -m risk explain {dep} {indicator} {day}`")
    rows = _rows(result)
    if not rows:
        st.info("No ledger row counts on that day.")
        return
    st.dataframe(rows, hide_index=True, column_config={
        "link": st.column_config.LinkColumn("link"),
        "H100e": st.column_config.NumberColumn(format="%,d"),
        "points": st.column_config.NumberColumn(format="%.3f")})  # fmt: skip
    total = sum(c["points"] for c in result["contributions"])
    omitted = result.get("omitted")
    if omitted:
        total += omitted["points"]
        st.caption(f"{omitted['rows']} smaller rows not listed, together "
                   f"{omitted['points']:.3f} points")  # fmt: skip
    st.caption(f"sum of points: {total:.6f} (the value above); rows of other suppliers "
               "carry 0 points in a share but count in its denominator")
