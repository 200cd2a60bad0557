"""Figure builders and number formats for the reliance panels (methodology 2).

The headline panels must be readable in a meeting: company names instead of ids, units on
every axis, ranges shown as ranges, the contracted pipeline drawn distinctly from what is
already deployed. Frames in, ``go.Figure`` or strings out, so each is testable without a UI.
Text from the database reaches hover labels HTML-escaped.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from risk.views.charts import esc, rgba

# Chip suppliers get stable colours: the vendor always in Nvidia green, the rest by name.
VENDOR_COLOUR = "#76b900"
SUPPLIER_PALETTE = ["#d62728", "#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                    "#17becf", "#7f7f7f", "#bcbd22"]  # fmt: skip
PEER_PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
                "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]  # fmt: skip
STALE_DAYS = 90


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def format_percent(value: object) -> str:
    """``93%``; ``n/a`` when there is nothing to measure."""
    return "n/a" if _missing(value) else f"{float(value):.0f}%"


def format_share(value: object, low: object, high: object) -> str:
    """A share with its range as a range: ``93% (range 88–96%)``."""
    if _missing(value):
        return "n/a (no capacity recorded)"
    if _missing(low) or _missing(high):
        return format_percent(value)
    return f"{float(value):.0f}% (range {float(low):.0f}–{float(high):.0f}%)"


def format_suppliers(value: object, low: object = None, high: object = None) -> str:
    """Effective number of suppliers to one decimal, with its range when it has one."""
    if _missing(value):
        return "n/a"
    text = f"{float(value):.1f}"
    if not (_missing(low) or _missing(high)) and abs(float(high) - float(low)) >= 0.05:
        text += f" (range {float(low):.1f}–{float(high):.1f})"
    return text


def format_quantity(value: object, unit: str = "") -> str:
    """Large quantities with a suffix and two or three significant figures: ``1.2M H100e``."""
    if _missing(value):
        return "n/a"
    number = float(value)
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= size:
            scaled = number / size
            text = f"{scaled:.1f}{suffix}" if abs(scaled) < 100 else f"{scaled:.0f}{suffix}"
            break
    else:
        text = f"{number:.0f}"
    return f"{text} {unit}".strip()


def format_usd(value: object) -> str:
    return "n/a" if _missing(value) else "$" + format_quantity(value)


def staleness(last_evidence: date | None, today: date) -> str | None:
    """A warning when the newest evidence is older than ``STALE_DAYS``; None when fresh."""
    if last_evidence is None:
        return "No evidence recorded yet."
    age = (today - last_evidence).days
    if age > STALE_DAYS:
        return (f"Newest evidence is {age} days old ({last_evidence:%Y-%m-%d}): "
                "figures may be stale.")
    return None


def supplier_colours(suppliers: list[str], vendor: str) -> dict[str, str]:
    others = sorted(s for s in suppliers if s != vendor)
    colours = {s: SUPPLIER_PALETTE[i % len(SUPPLIER_PALETTE)] for i, s in enumerate(others)}
    colours[vendor] = VENDOR_COLOUR
    return colours


def _ordered_suppliers(frame: pd.DataFrame, vendor: str) -> list[str]:
    """The vendor first (bottom of the stack), then the others by size."""
    sizes = frame.groupby("supplier")["deployed_h100e"].max().sort_values(ascending=False)
    return [vendor] * (vendor in sizes.index) + [s for s in sizes.index if s != vendor]


def capacity_figure(
    frame: pd.DataFrame,
    today: date,
    vendor: str,
    names: dict[str, str],
    markers: pd.DataFrame | None = None,
) -> go.Figure:
    """Deployed capacity by chip supplier, stacked; beyond ``today`` the contracted pipeline.

    ``frame`` has one row per (date, supplier) with ``deployed_h100e``; days after today hold
    the capacity the ledger expects to be delivered by then (drawn dotted and lighter).
    ``markers`` (optional) has ``date``, ``id``, ``summary`` and ``publisher`` of evidence.
    """
    fig = go.Figure()
    if frame.empty:
        fig.add_annotation(text="No capacity in the ledger for this company yet.",
                           showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")  # fmt: skip
        return fig
    data = frame.assign(date=pd.to_datetime(frame["date"]))
    cut = pd.Timestamp(today)
    colours = supplier_colours(list(data["supplier"].unique()), vendor)
    for supplier in _ordered_suppliers(data, vendor):
        part = data[data["supplier"] == supplier].sort_values("date")
        name = names.get(supplier, supplier)
        colour = colours[supplier]
        past, future = part[part["date"] <= cut], part[part["date"] >= cut]
        fig.add_trace(go.Scatter(
            x=past["date"], y=past["deployed_h100e"] / 1e3, name=f"{name}: deployed",
            mode="lines", stackgroup="deployed", line={"color": colour, "width": 1},
            fillcolor=rgba(colour, 0.75), legendgroup=supplier,
            hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f}k H100e<extra>"
            + esc(f"{name} deployed") + "</extra>",
            meta={"role": "deployed", "supplier": supplier},
        ))  # fmt: skip
        if not future.empty:
            fig.add_trace(go.Scatter(
                x=future["date"], y=future["deployed_h100e"] / 1e3,
                name=f"{name}: contracted pipeline", mode="lines", stackgroup="pipeline",
                line={"color": colour, "width": 1, "dash": "dot"},
                fillcolor=rgba(colour, 0.25), fillpattern={"shape": "/"}, legendgroup=supplier,
                hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f}k H100e expected<extra>"
                + esc(f"{name} pipeline") + "</extra>",
                meta={"role": "pipeline", "supplier": supplier},
            ))  # fmt: skip
    fig.add_vline(x=cut, line={"color": "#444", "dash": "dash", "width": 1})
    fig.add_annotation(x=cut, y=1.0, yref="paper", text="today", showarrow=False,
                       xanchor="left", yanchor="bottom", font={"size": 11})  # fmt: skip
    if markers is not None and not markers.empty:
        fig.add_trace(_marker_trace(markers))
    fig.update_layout(
        height=380, margin={"l": 50, "r": 10, "t": 30, "b": 10}, hovermode="closest",
        legend={"orientation": "h", "y": -0.18, "x": 0, "font": {"size": 11}},
        yaxis={"title": {"text": "thousand H100-equivalents"}, "rangemode": "tozero"},
        xaxis={"title": {"text": "date"}},
    )  # fmt: skip
    return fig


def _marker_trace(markers: pd.DataFrame) -> go.Scatter:
    hover = [
        f"<b>{esc(r.id)}</b> {pd.Timestamp(r.date):%Y-%m-%d}<br>{esc(r.summary, 120)}"
        f"<br>source: {esc(r.publisher, 80)}"
        for r in markers.itertuples()
    ]
    return go.Scatter(
        x=pd.to_datetime(markers["date"]), y=[0] * len(markers), mode="markers",
        name="evidence (hover for the item)", marker={"symbol": "line-ns-open", "size": 12,
                                                      "color": "#333"},
        hovertext=hover, hoverinfo="text", meta={"role": "evidence"},
    )  # fmt: skip


def _range_band(frame: pd.DataFrame, colour: str, group: str) -> list[go.Scatter]:
    upper = go.Scatter(x=frame["date"], y=frame["high"], mode="lines", line={"width": 0},
                       hoverinfo="skip", showlegend=False, legendgroup=group)  # fmt: skip
    lower = go.Scatter(x=frame["date"], y=frame["low"], mode="lines", line={"width": 0},
                       fill="tonexty", fillcolor=rgba(colour, 0.15), hoverinfo="skip",
                       showlegend=False, legendgroup=group, meta={"role": "range"})  # fmt: skip
    return [upper, lower]


def share_figure(frame: pd.DataFrame, vendor_name: str, today: date) -> go.Figure:
    """The vendor's share of deployed compute (solid, with its range) and of the pipeline.

    ``frame`` is long: ``date``, ``indicator`` (vendor_share_deployed / _pipeline), ``value``,
    ``low``, ``high``.
    """
    fig = go.Figure()
    styles = {
        "vendor_share_deployed": ("deployed compute", "#2ca02c", None),
        "vendor_share_pipeline": ("pipeline (contracted or planned, not yet delivered)",
                                  "#7f7f7f", "dash"),
    }  # fmt: skip
    data = frame.assign(date=pd.to_datetime(frame["date"]))
    for indicator, (label, colour, dash) in styles.items():
        line = data[data["indicator"] == indicator].sort_values("date")
        if line.empty:
            continue
        fig.add_traces(_range_band(line, colour, indicator))
        fig.add_trace(go.Scatter(
            x=line["date"], y=line["value"], mode="lines", legendgroup=indicator,
            name=f"{vendor_name} share of {label}", line={"color": colour, "dash": dash},
            customdata=line[["low", "high"]].to_numpy(),
            hovertemplate="%{x|%Y-%m-%d}: %{y:.0f}% (range %{customdata[0]:.0f}–"
            "%{customdata[1]:.0f}%)<extra></extra>",
            meta={"role": "share", "indicator": indicator},
        ))  # fmt: skip
    fig.add_vline(x=pd.Timestamp(today), line={"color": "#444", "dash": "dash", "width": 1})
    fig.update_layout(
        height=320, margin={"l": 50, "r": 10, "t": 20, "b": 10}, hovermode="x unified",
        legend={"orientation": "h", "y": -0.2, "x": 0},
        yaxis={"title": {"text": f"{vendor_name} share, %"}, "range": [0, 100]},
        xaxis={"title": {"text": "date"}},
    )  # fmt: skip
    return fig


def peer_figure(frame: pd.DataFrame, names: dict[str, str], vendor_name: str) -> go.Figure:
    """Every dependent's share of deployed compute on one chart, each with its range.

    ``frame``: ``dependent``, ``date``, ``value``, ``low``, ``high`` for one indicator.
    """
    fig = go.Figure()
    data = frame.assign(date=pd.to_datetime(frame["date"]))
    for i, dependent in enumerate(sorted(data["dependent"].unique())):
        line = data[data["dependent"] == dependent].sort_values("date")
        colour = PEER_PALETTE[i % len(PEER_PALETTE)]
        name = names.get(dependent, dependent)
        fig.add_traces(_range_band(line, colour, dependent))
        fig.add_trace(go.Scatter(
            x=line["date"], y=line["value"], mode="lines", name=name, legendgroup=dependent,
            line={"color": colour, "width": 2},
            hovertemplate="%{x|%Y-%m-%d}: %{y:.0f}%<extra>" + esc(name) + "</extra>",
            meta={"role": "peer", "dependent": dependent},
        ))  # fmt: skip
    fig.update_layout(
        height=320, margin={"l": 50, "r": 10, "t": 20, "b": 10}, hovermode="closest",
        legend={"orientation": "h", "y": -0.2, "x": 0},
        yaxis={"title": {"text": f"{vendor_name} share of deployed compute, %"},
               "range": [0, 100]},
        xaxis={"title": {"text": "date"}},
    )  # fmt: skip
    return fig
