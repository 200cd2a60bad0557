"""Figure builders: the traces, bands and markers a panel promises, checked on the Figure."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from risk.views import charts


def trend_frame() -> pd.DataFrame:
    days = pd.date_range("2024-01-01", periods=5, freq="D")
    rows = []
    for dep in ("microsoft", "openai"):
        for fam in ("composite", "spend", "tensions"):
            for i, d in enumerate(days):
                rows.append({"dependent": dep, "family": fam, "date": d, "score": 50.0 + i,
                             "band_low": 40.0 + i, "band_high": 60.0 + i})  # fmt: skip
    return pd.DataFrame(rows)


def markers() -> pd.DataFrame:
    return pd.DataFrame([{
        "id": "EV-1", "date": pd.Timestamp("2024-01-03"), "dependent": "microsoft",
        "family": "spend", "direction": -1, "magnitude": 4, "credibility": 2,
        "reliability": "B", "contribution": -2.72, "summary": "<script>x</script> chip",
        "publisher": "Wire & Co", "published": pd.Timestamp("2024-01-03"), "url": None,
        "family_score": 52.0, "composite_score": 51.0,
    }])  # fmt: skip


def roles(fig: go.Figure) -> list[str]:
    return [(t.meta or {}).get("role") for t in fig.data]


def test_composite_has_a_band_and_a_line_per_dependent():
    fig = charts.composite_figure(trend_frame())
    assert roles(fig) == ["band", "band", "score"] * 2
    lower = fig.data[1]
    assert lower.fill == "tonexty" and list(lower.y) == [40.0, 41.0, 42.0, 43.0, 44.0]
    assert list(fig.data[0].y) == [60.0, 61.0, 62.0, 63.0, 64.0]
    assert fig.layout.xaxis.rangeslider.visible is True


def test_evidence_markers_sit_on_the_composite_with_escaped_hover():
    fig = charts.composite_figure(trend_frame(), markers())
    (ev,) = [t for t in fig.data if t.meta["role"] == "evidence"]
    assert list(ev.y) == [51.0] and ev.marker.symbol == (charts.DOWN,)
    hover = ev.hovertext[0]
    assert "&lt;script&gt;" in hover and "<script>" not in hover
    assert "2024-01-03" in hover and "Wire &amp; Co" in hover and "lowers" in hover
    assert "-2.72" in hover


def test_family_grid_has_one_panel_per_dependent_and_family():
    fig = charts.family_grid(trend_frame(), ["spend", "tensions"], {"spend": "GPU spend"},
                             markers())  # fmt: skip
    panels = {(t.meta["dependent"], t.meta["family"]) for t in fig.data}
    assert panels == {(d, f) for d in ("microsoft", "openai") for f in ("spend", "tensions")}
    titles = [a.text for a in fig.layout.annotations]
    assert "microsoft · GPU spend" in titles and "openai · tensions" in titles
    (ev,) = [t for t in fig.data if t.meta["role"] == "evidence"]
    assert ev.meta["family"] == "spend" and list(ev.y) == [52.0]


def test_annotations_draw_a_star_and_a_shaded_range_with_escaped_title():
    notes = [{"id": 1, "dependent": "microsoft", "family": "spend",
              "start_date": date(2024, 1, 2), "end_date": date(2024, 1, 4),
              "title": "<img src=x onerror=alert(1)>", "author": "ana"},
             {"id": 2, "dependent": "openai", "family": None, "start_date": date(2024, 1, 3),
              "end_date": None, "title": "whole", "author": "bo"}]  # fmt: skip
    comp = charts.composite_figure(trend_frame(), annotations=notes)
    stars = [t for t in comp.data if t.meta["role"] == "annotation"]
    assert len(stars) == 2
    assert all("<img" not in t.hovertext[0] for t in stars)
    assert "&lt;img src=x onerror=alert(1)&gt;" in stars[0].hovertext[0]
    assert [s.type for s in comp.layout.shapes].count("rect") == 1
    grid = charts.family_grid(trend_frame(), ["spend", "tensions"], annotations=notes)
    stars = [t for t in grid.data if t.meta["role"] == "annotation"]
    # microsoft's spend note on its spend panel; openai's whole-dependent note on both panels
    assert len(stars) == 3


def test_contribution_bars_put_the_largest_on_top_coloured_by_sign():
    frame = pd.DataFrame([
        {"id": "A", "date": "2024-01-01", "summary": "small", "grades": "A1",
         "publisher": "P", "contribution": 0.5, "points": 1.0},
        {"id": "B", "date": "2024-01-01", "summary": "big <b>", "grades": "B2",
         "publisher": "P", "contribution": -3.0, "points": -6.0},
    ])  # fmt: skip
    fig = charts.contribution_bars(frame)
    bar = fig.data[0]
    assert bar.y[-1].startswith("B") and list(bar.x) == [1.0, -6.0]
    assert list(bar.marker.color) == ["#d62728", "#2ca02c"]
    assert "&lt;b&gt;" in bar.y[-1]


def test_what_if_figure_pairs_saved_and_trial_lines():
    frame = pd.DataFrame({"dependent": ["microsoft"] * 3, "date": pd.date_range("2024-01-01",
                          periods=3), "score": [60.0, 61.0, 62.0],
                          "saved_score": [50.0, 50.5, 51.0]})  # fmt: skip
    fig = charts.what_if_figure(frame)
    assert roles(fig) == ["saved", "what_if"]
    assert list(fig.data[0].y) == [50.0, 50.5, 51.0] and list(fig.data[1].y) == [60.0, 61.0, 62.0]
    assert fig.data[1].line.dash == "dash"


def test_single_trend_marks_the_chosen_day():
    fig = charts.single_trend_figure(trend_frame(), "openai", "spend", date(2024, 1, 2))
    assert roles(fig) == ["band", "band", "score"]
    assert any(s.type == "line" for s in fig.layout.shapes)
