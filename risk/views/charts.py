"""Plotly figure builders: frames in, ``go.Figure`` out, so every chart is unit-testable.

The dashboard only places these figures. Any text from the database (summaries, titles,
annotation bodies) is HTML-escaped before it reaches a hover label, because Plotly renders
a subset of HTML there and analysts paste text from the web.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from risk.methodology import COMPOSITE

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
UP, DOWN = "triangle-up", "triangle-down"
HEIGHT_COMPOSITE = 380


def esc(value: object, limit: int = 160) -> str:
    """Hover-safe text: shortened, then HTML-escaped (Plotly would render tags)."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=True)


def rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def colour_for(dependent: str, dependents: list[str]) -> str:
    index = dependents.index(dependent) if dependent in dependents else 0
    return PALETTE[index % len(PALETTE)]


def _band_traces(frame: pd.DataFrame, colour: str, name: str, family: str) -> list[go.Scatter]:
    """The uncertainty band as an upper edge and a lower edge filled up to it."""
    upper = go.Scatter(
        x=frame["date"], y=frame["band_high"], mode="lines", line={"width": 0},
        hoverinfo="skip", showlegend=False, legendgroup=name, name=f"{name} band",
        meta={"role": "band", "dependent": name, "family": family},
    )  # fmt: skip
    lower = go.Scatter(
        x=frame["date"], y=frame["band_low"], mode="lines", line={"width": 0},
        fill="tonexty", fillcolor=rgba(colour, 0.15), hoverinfo="skip", showlegend=False,
        legendgroup=name, name=f"{name} band",
        meta={"role": "band", "dependent": name, "family": family},
    )  # fmt: skip
    return [upper, lower]


def _score_trace(
    frame: pd.DataFrame, colour: str, name: str, family: str, showlegend: bool = True,
    dash: str | None = None, role: str = "score",
) -> go.Scatter:
    """The score line; ``meta`` names (dependent, family) so a clicked curve can be traced."""
    return go.Scatter(
        x=frame["date"], y=frame["score"], mode="lines", name=name, legendgroup=name,
        showlegend=showlegend, line={"color": colour, "width": 2, "dash": dash},
        hovertemplate="%{x|%Y-%m-%d}: %{y:.1f}<extra>" + esc(f"{name} {family}") + "</extra>",
        meta={"role": role, "dependent": name, "family": family},
    )  # fmt: skip


def _evidence_hover(row: pd.Series) -> str:
    arrow = "raises" if row["direction"] > 0 else "lowers"
    source = f"{row['publisher']}, {pd.Timestamp(row['published']):%Y-%m-%d}"
    return (
        f"<b>{esc(row['id'])}</b> {pd.Timestamp(row['date']):%Y-%m-%d}<br>"
        f"{esc(row['summary'], 120)}<br>"
        f"source: {esc(source, 100)} ({esc(row['reliability'])}{esc(row['credibility'])})<br>"
        f"direction: {arrow} reliance · contribution {row['contribution']:+.2f}"
    )


def _evidence_trace(
    items: pd.DataFrame, y_column: str, colour: str, name: str, family: str,
    showlegend: bool = False,
) -> go.Scatter:
    """Evidence as markers on the line they moved: up or down triangles, size by magnitude."""
    return go.Scatter(
        x=items["date"], y=items[y_column], mode="markers", name=f"{name} evidence",
        legendgroup=f"{name} evidence", showlegend=showlegend,
        marker={"symbol": [UP if d > 0 else DOWN for d in items["direction"]],
                "size": [7 + 2 * int(m) for m in items["magnitude"]], "color": colour,
                "line": {"width": 1, "color": "white"}},
        hovertext=[_evidence_hover(r) for _, r in items.iterrows()], hoverinfo="text",
        customdata=[[name, family, i] for i in items["id"]],
        meta={"role": "evidence", "dependent": name, "family": family},
    )  # fmt: skip


def _start(note: dict) -> object:
    return note.get("start_date") or note.get("date")


def _annotation_hover(note: dict) -> str:
    span = str(_start(note)) + (f" → {note['end_date']}" if note.get("end_date") else "")
    return f"<b>{esc(note['title'], 100)}</b><br>{esc(span)} · {esc(note.get('author'))}"


def _y_on(frame: pd.DataFrame, day: object) -> float:
    """The line's value on a day (or the nearest day before), to pin a marker to it."""
    if frame.empty:
        return 50.0
    stamp = pd.Timestamp(day)
    before = frame[frame["date"] <= stamp]
    row = before.iloc[-1] if not before.empty else frame.iloc[0]
    return float(row["score"])


def _add_annotations(
    fig: go.Figure, notes: Iterable[dict], line: pd.DataFrame, colour: str,
    row: int | None = None, col: int | None = None,
) -> None:
    """A star on the line (title on hover); a range is also shaded from start to end."""
    notes = list(notes)
    if not notes:
        return
    where = {"row": row, "col": col} if row is not None else {}
    for note in notes:
        if note.get("end_date"):
            fig.add_vrect(
                x0=pd.Timestamp(_start(note)), x1=pd.Timestamp(note["end_date"]),
                fillcolor=rgba(colour, 0.10), line_width=0, layer="below", **where,
            )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=[pd.Timestamp(_start(n)) for n in notes],
            y=[_y_on(line, _start(n)) for n in notes], mode="markers", name="annotations",
            showlegend=False, hovertext=[_annotation_hover(n) for n in notes], hoverinfo="text",
            marker={"symbol": "star", "size": 13, "color": "#f2b600",
                    "line": {"width": 1, "color": "#5a4500"}},
            customdata=[["annotation", n.get("id")] for n in notes],
            meta={"role": "annotation"},
        ),
        **where,
    )  # fmt: skip


def _time_axis(fig: go.Figure, slider: bool) -> None:
    fig.update_xaxes(
        rangeselector={"buttons": [
            {"count": 1, "label": "1y", "step": "year", "stepmode": "backward"},
            {"count": 3, "label": "3y", "step": "year", "stepmode": "backward"},
            {"step": "all", "label": "all"},
        ]} if slider else None,
        rangeslider={"visible": slider, "thickness": 0.08},
        type="date",
    )  # fmt: skip


def composite_figure(
    trend: pd.DataFrame,
    evidence: pd.DataFrame | None = None,
    annotations: list[dict] | None = None,
    slider: bool = True,
) -> go.Figure:
    """The composite per dependent with its band, evidence markers and annotations."""
    fig = go.Figure()
    comp = trend[trend["family"] == COMPOSITE]
    dependents = sorted(comp["dependent"].unique())
    for dep in dependents:
        colour = colour_for(dep, dependents)
        line = comp[comp["dependent"] == dep]
        fig.add_traces(_band_traces(line, colour, dep, COMPOSITE))
        fig.add_trace(_score_trace(line, colour, dep, COMPOSITE))
        if evidence is not None and not evidence.empty:
            mine = evidence[(evidence["dependent"] == dep) & evidence["composite_score"].notna()]
            if not mine.empty:
                fig.add_trace(_evidence_trace(mine, "composite_score", colour, dep, COMPOSITE))
        # The composite panel shows every note of the dependent, whatever its family.
        notes = [n for n in annotations or [] if n["dependent"] == dep]
        _add_annotations(fig, notes, line, colour)
    fig.add_hline(y=50, line={"color": "grey", "width": 1, "dash": "dot"})
    fig.update_layout(
        height=HEIGHT_COMPOSITE, margin={"l": 40, "r": 10, "t": 30, "b": 10},
        yaxis={"title": "composite (0-100)", "range": [0, 100]},
        legend={"orientation": "h", "x": 0.3, "xanchor": "left", "y": 1.02,
                "yanchor": "bottom"},
        hovermode="closest",
    )  # fmt: skip
    _time_axis(fig, slider)
    return fig


def family_grid(
    trend: pd.DataFrame,
    families: list[str],
    labels: dict[str, str] | None = None,
    evidence: pd.DataFrame | None = None,
    annotations: list[dict] | None = None,
) -> go.Figure:
    """Small multiples: one row per dependent, one column per family, shared axes."""
    dependents = sorted(trend["dependent"].unique())
    fams = [f for f in families if f != COMPOSITE]
    labels = labels or {}
    rows, cols = max(1, len(dependents)), max(1, len(fams))
    titles = [f"{dep} · {labels.get(f, f)}" for dep in dependents for f in fams]
    height = max(260, 230 * rows)
    # About 45 px between rows whatever their number (Plotly refuses a spacing above
    # 1 / (rows - 1), which a fixed fraction reaches at a dozen dependents).
    spacing = min(0.12, 45 / height, 0.9 / max(1, rows - 1))
    fig = make_subplots(rows=rows, cols=cols, shared_xaxes=True, shared_yaxes=True,
                        subplot_titles=titles or None, vertical_spacing=spacing,
                        horizontal_spacing=0.03)  # fmt: skip
    for r, dep in enumerate(dependents, start=1):
        colour = colour_for(dep, dependents)
        for c, fam in enumerate(fams, start=1):
            line = trend[(trend["dependent"] == dep) & (trend["family"] == fam)]
            for trace in _band_traces(line, colour, dep, fam):
                fig.add_trace(trace, row=r, col=c)
            fig.add_trace(_score_trace(line, colour, dep, fam, showlegend=False), row=r, col=c)
            if evidence is not None and not evidence.empty:
                mine = evidence[(evidence["dependent"] == dep) & (evidence["family"] == fam)
                                & evidence["family_score"].notna()]  # fmt: skip
                if not mine.empty:
                    fig.add_trace(_evidence_trace(mine, "family_score", colour, dep, fam),
                                  row=r, col=c)  # fmt: skip
            notes = [n for n in annotations or [] if n["dependent"] == dep
                     and n.get("family") in (None, "", fam)]  # fmt: skip
            _add_annotations(fig, notes, line, colour, row=r, col=c)
    fig.update_yaxes(range=[0, 100])
    fig.update_annotations(font_size=12)
    fig.update_layout(height=height, margin={"l": 40, "r": 10, "t": 40, "b": 10},
                      hovermode="closest", showlegend=False)  # fmt: skip
    return fig


def single_trend_figure(
    trend: pd.DataFrame, dependent: str, family: str, marked_day: object | None = None,
    annotations: list[dict] | None = None,
) -> go.Figure:
    """One score line for "why this number": click a point to pick the day."""
    line = trend[(trend["dependent"] == dependent) & (trend["family"] == family)]
    fig = go.Figure()
    fig.add_traces(_band_traces(line, PALETTE[0], dependent, family))
    fig.add_trace(_score_trace(line, PALETTE[0], dependent, family))
    if marked_day is not None:
        fig.add_vline(x=pd.Timestamp(marked_day), line={"color": "#444", "dash": "dash"})
    _add_annotations(fig, annotations or [], line, PALETTE[0])
    fig.update_layout(height=260, margin={"l": 40, "r": 10, "t": 10, "b": 10},
                      yaxis={"range": [0, 100]}, showlegend=False, hovermode="x",
                      clickmode="event+select")  # fmt: skip
    return fig


def contribution_bars(contributions: pd.DataFrame, value: str = "points") -> go.Figure:
    """Items behind one score, largest magnitude at the top; red raises, green lowers."""
    frame = contributions.reindex(
        contributions[value].abs().sort_values(ascending=True).index
    ) if not contributions.empty else contributions  # fmt: skip
    labels = [f"{esc(r['id'])} · {esc(r['summary'], 48)}" for _, r in frame.iterrows()]
    hover = [
        f"<b>{esc(r['id'])}</b> {esc(r['date'])} ({esc(r['grades'])})<br>"
        f"{esc(r['summary'], 140)}<br>{esc(r['publisher'])}<br>"
        f"contribution {r['contribution']:+.3f} · points {r['points']:+.2f}"
        for _, r in frame.iterrows()
    ]  # fmt: skip
    fig = go.Figure(go.Bar(
        x=frame[value], y=labels, orientation="h", hovertext=hover, hoverinfo="text",
        marker={"color": ["#d62728" if v > 0 else "#2ca02c" for v in frame[value]]},
        meta={"role": "contributions"},
    ))  # fmt: skip
    fig.update_layout(
        height=max(220, 28 * len(frame) + 80), margin={"l": 10, "r": 10, "t": 30, "b": 30},
        xaxis={"title": "points of score above/below 50" if value == "points"
               else "pressure contribution", "zeroline": True},
        yaxis={"automargin": True},
    )  # fmt: skip
    return fig


def what_if_figure(frame: pd.DataFrame) -> go.Figure:
    """Saved composite (solid) beside the what-if composite (dashed) per dependent."""
    fig = go.Figure()
    dependents = sorted(frame["dependent"].unique())
    for dep in dependents:
        colour = colour_for(dep, dependents)
        rows = frame[frame["dependent"] == dep]
        fig.add_trace(_score_trace(rows.rename(columns={"saved_score": "saved"})
                                   .assign(score=rows["saved_score"]), colour,
                                   f"{dep}", COMPOSITE, role="saved"))  # fmt: skip
        trial = _score_trace(rows, colour, f"{dep} (what-if)", COMPOSITE, dash="dash",
                             role="what_if")  # fmt: skip
        trial.meta = {"role": "what_if", "dependent": dep, "family": COMPOSITE}
        fig.add_trace(trial)
    fig.update_layout(height=340, margin={"l": 40, "r": 10, "t": 30, "b": 10},
                      yaxis={"range": [0, 100], "title": "composite"},
                      legend={"orientation": "h", "y": 1.1})  # fmt: skip
    _time_axis(fig, slider=False)
    return fig
