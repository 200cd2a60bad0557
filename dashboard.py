"""The dashboard: layout and widgets only. Every number comes from ``risk`` (queries,
explain, scoring), every figure from ``risk.charts``.

Run with ``streamlit run dashboard.py``; ``RISK_DB`` selects the database. Reads are cached
by (database path, data version): the version is read on every rerun with a short
connection, so a write by another process (CLI, scheduled export) shows on the next rerun,
and no connection is held between reruns.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import streamlit as st

from risk import annotations, bootstrap, charts, db, exports, ingest, queries, scoring
from risk.errors import RiskError, ValidationError
from risk.methodology import COMPOSITE, RELIABILITY_GRADES, Methodology
from risk.methodology import load as load_methodology
from risk.paths import DEFAULT_DB, methodology_path

PAGES = ["Overview", "Why this number", "What-if", "Evidence", "Annotations",
         "Review queue", "Exports", "Methodology"]  # fmt: skip
CREDIBILITY_LABELS = {1: "1 confirmed", 2: "2 probably true", 3: "3 possibly true",
                      4: "4 doubtful", 5: "5 improbable", 6: "6 cannot be judged"}  # fmt: skip


# ---------------------------------------------------------------- cache and read helpers
@st.cache_resource(ttl="1h", show_spinner="Preparing the database…")
def _ready(path: str) -> str:
    return str(bootstrap.ensure_ready(path))


def database() -> str:
    """RISK_DB is read on each call, so tests can point the app at a temporary file."""
    return _ready(os.environ.get("RISK_DB") or str(DEFAULT_DB))


@st.cache_data(show_spinner=False)
def _methodology(mtime: float) -> Methodology:
    return load_methodology()


def methodology() -> Methodology:
    return _methodology(methodology_path().stat().st_mtime)


@st.cache_data(show_spinner=False, max_entries=256)
def _read(name: str, path: str, version: int, method_version: str | None, *args: object):
    """Any ``risk.queries`` read, cached by what it depends on."""
    with db.connect(path) as con:
        if method_version is None:
            return getattr(queries, name)(con, *args)
        return getattr(queries, name)(con, methodology(), *args)


def read(name: str, *args: object, method: bool = False):  # noqa: ANN201
    path, version = st.session_state["_db"], st.session_state["_version"]
    return _read(name, path, version, methodology().version if method else None, *args)


@st.cache_data(show_spinner=False, max_entries=32)
def _panels(path: str, version: int, mver: str, deps: tuple, fams: tuple, start: date,
            end: date, show_evidence: bool):
    """Both trend figures, built once per (data, filters)."""
    method = methodology()
    with db.connect(path) as con:
        trend = queries.trend(con, list(deps), [COMPOSITE, *fams], start, end)
        marks = queries.evidence_markers(con, method, list(deps), list(fams), start, end) \
            if show_evidence else None  # fmt: skip
        notes = queries.annotation_marks(con, list(deps), start, end)
    labels = {f.name: f.label for f in method.families.values()}
    return (charts.composite_figure(trend, marks, notes),
            charts.family_grid(trend, list(fams), labels, marks, notes) if fams else None,
            len(trend))  # fmt: skip


# ---------------------------------------------------------------- shared widgets
def sidebar_filters(deps: list[str], bounds: tuple[date, date]) -> dict:
    method = methodology()
    sb = st.sidebar
    sb.subheader("Filters")
    chosen = sb.multiselect("Dependents", deps, default=deps, key="f_deps")
    fams = sb.multiselect("Families", list(method.families), default=list(method.families),
                          format_func=lambda f: method.families[f].label, key="f_fams")
    first, last = bounds
    default_start = max(first, last - timedelta(days=365 * 5))
    span = sb.date_input("Date range", value=(default_start, last), min_value=first,
                         max_value=last, key="f_range")  # fmt: skip
    start, end = (span[0], span[1]) if isinstance(span, tuple) and len(span) == 2 else (first,
                                                                                         last)
    evid = sb.checkbox("Show evidence markers", value=True, key="f_evidence")
    return {"deps": chosen, "fams": fams, "start": start, "end": end, "evidence": evid}


def author() -> str | None:
    """Logged-in user when login is configured, else a name given once per session."""
    try:
        if st.user.is_logged_in:
            return str(st.user.get("name") or st.user.get("email"))
    except (AttributeError, KeyError, RuntimeError):
        pass
    return st.session_state.get("author_name") or None


def fmt_change(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}"


# ---------------------------------------------------------------- pages
def page_overview() -> None:
    st.subheader("Where each company stands")
    deps = read("dependents")
    bounds = read("score_range")
    if not deps or bounds is None:
        st.info("No scores yet: add evidence (Evidence page) or run `python -m risk init`.")
        return
    heads = read("headline", method=True)
    alerts = read("active_alerts", method=True)
    for alert in alerts:
        st.warning(f"Alert: {alert['dependent']} on {alert['date']}: {alert['message']} "
                   f"(composite {alert['score']:.1f})", icon="⚠️")  # fmt: skip
    cols = st.columns(max(1, len(heads)))
    for col, head in zip(cols, heads, strict=False):
        with col.container(border=True):
            st.metric(head["name"], f"{head['score']:.1f}",
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
        comp, grid, points = _panels(st.session_state["_db"], st.session_state["_version"],
                                     methodology().version, tuple(f["deps"]), tuple(f["fams"]),
                                     f["start"], f["end"], f["evidence"])  # fmt: skip
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
            return


def page_why() -> None:
    st.header("Why this number")
    method = methodology()
    deps = read("dependents")
    bounds = read("score_range")
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
    trend = read("trend", [dep], [fam], bounds[0], bounds[1])
    notes = read("annotation_marks", [dep], bounds[0], bounds[1])
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
        result = read("explanation", dep, fam, day, method=True)
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
        covering = read("covering_notes", dep, fam, day)
        st.markdown("**Annotations covering this day**")
        if not covering:
            st.caption("None.")
        for note in covering:
            with st.container(border=True):
                st.text(f"{note['title']}  ({note.get('author', '')}, {note['date']})")
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
        st.caption(f"sum of contributions: {frame['contribution'].sum():.6f}")


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
        frame = read("what_if", weights, half_lives, method=True)
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
                    saved = scoring.adopt(trial, semver, database())
            except RiskError as exc:
                st.error(queries.md_escape(exc))
                return
            st.success(f"Saved: methodology {saved.version} is now in force.")


def page_evidence() -> None:
    st.header("Evidence")
    method = methodology()
    deps = read("organisation_choices", "dependent")
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    search = c1.text_input("Search summary, source, id", key="ev_search")
    dsel = c2.multiselect("Dependent", deps, key="ev_deps")
    fsel = c3.multiselect("Family", list(method.families), key="ev_fams")
    dirn = c4.selectbox("Direction", ["any", "+1 raises", "-1 lowers"], key="ev_dir")
    direction = {"any": None, "+1 raises": 1, "-1 lowers": -1}[dirn]
    table = read("evidence_table", search, dsel, fsel, direction, method=True)
    st.caption(f"{len(table)} item(s) · click a column header to sort")
    if table.empty:
        st.info("No evidence matches these filters.")
    else:
        st.dataframe(table, hide_index=True, key="ev_table",
                     column_config={"url": st.column_config.LinkColumn("link"),
                                    "contribution": st.column_config.NumberColumn(
                                        format="%+.2f")})  # fmt: skip
    with st.expander("Add one item", expanded=False):
        evidence_form(method)


_FORM_FIELDS = ["id", "date", "date_precision", "dependent", "vendor", "counterparty", "family",
                "direction", "magnitude", "credibility", "amount_usd", "quantity", "unit",
                "summary", "grading_note", "source_publisher", "source_title", "source_date",
                "source_url", "source_language", "source_reliability"]  # fmt: skip


def evidence_form(method: Methodology) -> None:
    deps = read("organisation_choices", "dependent")
    vendors = read("organisation_choices", "vendor")
    slots = {}
    values: dict[str, object] = {}
    with st.form("add_evidence", clear_on_submit=False):
        st.caption("Same validation as `python -m risk import`; the item is scored at once.")
        a, b, c = st.columns(3)
        values["id"] = a.text_input("id", value=queries.next_evidence_id(
            st.session_state["_db"]), key="ev_id")  # fmt: skip
        slots["id"] = a.empty()
        values["date"] = b.date_input("date", value=date.today(), key="ev_date")
        slots["date"] = b.empty()
        values["date_precision"] = c.selectbox("date precision", ["day", "month", "year"],
                                               key="ev_precision")  # fmt: skip
        slots["date_precision"] = c.empty()
        values["dependent"] = a.selectbox("dependent", deps, key="ev_dependent")
        slots["dependent"] = a.empty()
        values["vendor"] = b.selectbox("vendor", vendors, key="ev_vendor")
        slots["vendor"] = b.empty()
        values["counterparty"] = c.text_input("counterparty (optional)", key="ev_counterparty")
        slots["counterparty"] = c.empty()
        values["family"] = a.selectbox("family", list(method.families), key="ev_family")
        slots["family"] = a.empty()
        values["direction"] = b.selectbox("direction", ["+1", "-1"], key="ev_direction",
                                          help="+1 raises reliance on the vendor, -1 lowers it")
        slots["direction"] = b.empty()
        values["magnitude"] = c.selectbox("magnitude", [1, 2, 3, 4, 5], index=2,
                                          key="ev_magnitude")  # fmt: skip
        slots["magnitude"] = c.empty()
        values["credibility"] = a.selectbox("credibility", list(CREDIBILITY_LABELS), index=1,
                                            format_func=CREDIBILITY_LABELS.get,
                                            key="ev_credibility")  # fmt: skip
        slots["credibility"] = a.empty()
        values["amount_usd"] = b.text_input("amount USD (optional)", key="ev_amount")
        slots["amount_usd"] = b.empty()
        q1, q2 = c.columns(2)
        values["quantity"] = q1.text_input("quantity", key="ev_quantity")
        values["unit"] = q2.text_input("unit", key="ev_unit")
        slots["quantity"] = c.empty()
        slots["unit"] = c.empty()
        values["summary"] = st.text_area("summary", key="ev_summary")
        slots["summary"] = st.empty()
        values["grading_note"] = st.text_input("grading note (optional)", key="ev_note")
        slots["grading_note"] = st.empty()
        a, b, c = st.columns(3)
        values["source_publisher"] = a.text_input("source publisher", key="ev_publisher")
        slots["source_publisher"] = a.empty()
        values["source_title"] = b.text_input("source title", key="ev_title")
        slots["source_title"] = b.empty()
        values["source_date"] = c.date_input("source date", value=date.today(),
                                             key="ev_source_date")  # fmt: skip
        slots["source_date"] = c.empty()
        values["source_url"] = a.text_input("source URL (optional)", key="ev_url")
        slots["source_url"] = a.empty()
        values["source_language"] = b.text_input("language (fr, en)", value="en",
                                                  key="ev_language")  # fmt: skip
        slots["source_language"] = b.empty()
        values["source_reliability"] = c.selectbox("source reliability", RELIABILITY_GRADES,
                                                   key="ev_reliability")  # fmt: skip
        slots["source_reliability"] = c.empty()
        submitted = st.form_submit_button("Add evidence", key="ev_submit")
    if not submitted:
        return
    row = {k: "" if v is None else (v.isoformat() if isinstance(v, date) else str(v))
           for k, v in values.items()}  # fmt: skip
    try:
        with st.spinner("Validating and re-scoring…"):
            item = queries.add_evidence(row, st.session_state["_db"])
    except ValidationError as exc:
        show_problems(exc.problems, slots)
        return
    except RiskError as exc:
        st.error(queries.md_escape(exc))
        return
    st.success(f"Added {item['id']}; scores updated.")


def page_annotations() -> None:
    st.header("Annotations")
    who = author_box()
    deps = read("organisation_choices", "dependent")
    add_tab, list_tab = st.tabs(["Add", "List, edit, history"])
    with add_tab:
        annotation_form(deps, who, None)
    with list_tab:
        annotation_browser(deps, who)


def author_box() -> str | None:
    """Logged-in name when login is configured; otherwise asked once per session."""
    who = author()
    try:
        logged_in = bool(st.user.is_logged_in)
    except (AttributeError, KeyError, RuntimeError):
        logged_in = False
    if logged_in:
        st.text(f"Signed in as {who}")
        return who
    st.text_input("Your name (recorded on every change)", key="author_name")
    return st.session_state.get("author_name") or None


def _family_choice(value: str | None) -> str:
    return "— the dependent as a whole —" if value is None else value


def annotation_form(deps: list[str], who: str | None, current: dict | None) -> None:
    """Add (current is None) or edit one annotation; problems shown beside their field."""
    method = methodology()
    key = "ann_new" if current is None else f"ann_{current['id']}"
    fams = [None, COMPOSITE, *method.families]
    cur = current or {}
    slots = {}
    with st.form(key):
        a, b, c = st.columns(3)
        dep = a.selectbox("dependent", deps, key=f"{key}_dep",
                          index=deps.index(cur["dependent"]) if cur.get("dependent") in deps
                          else 0)  # fmt: skip
        slots["dependent"] = a.empty()
        fam = b.selectbox("family", fams, format_func=_family_choice, key=f"{key}_fam",
                          index=fams.index(cur.get("family")) if cur.get("family") in fams
                          else 0)  # fmt: skip
        slots["family"] = b.empty()
        ev = c.text_input("evidence id (optional)", value=cur.get("evidence_id") or "",
                          key=f"{key}_ev")  # fmt: skip
        slots["evidence_id"] = c.empty()
        start = a.date_input("date", value=cur.get("start_date") or date.today(),
                             key=f"{key}_date")  # fmt: skip
        slots["date"] = a.empty()
        end = b.date_input("end date (optional, for a range)", value=cur.get("end_date"),
                           key=f"{key}_end")  # fmt: skip
        slots["end_date"] = b.empty()
        tags = c.text_input("tags (comma separated)", value=", ".join(cur.get("tags") or []),
                            key=f"{key}_tags")  # fmt: skip
        slots["tags"] = c.empty()
        title = st.text_input("title", value=cur.get("title") or "", key=f"{key}_title")
        slots["title"] = st.empty()
        body = st.text_area("body", value=cur.get("body") or "", key=f"{key}_body")
        slots["body"] = st.empty()
        label = "Add annotation" if current is None else f"Save changes to #{current['id']}"
        submitted = st.form_submit_button(label, key=f"{key}_submit")
    if not submitted:
        return
    if not who:
        st.error("Enter your name above first: every change records who made it.")
        return
    fields = {"dependent": dep, "family": fam, "evidence_id": ev.strip() or None,
              "date": start, "end_date": end, "title": title, "body": body,
              "tags": queries.split_tags(tags)}  # fmt: skip
    try:
        if current is None:
            saved = annotations.add(fields, who, st.session_state["_db"])
            st.success(f"Added annotation #{saved['id']}.")
        else:
            saved = annotations.edit(current["id"], fields, who, st.session_state["_db"])
            st.success(f"Saved #{saved['id']}, now at revision {saved['revision']}.")
    except ValidationError as exc:
        show_problems(exc.problems, slots)
    except RiskError as exc:
        st.error(queries.md_escape(exc))


def show_problems(problems: list[str], slots: dict) -> None:
    """Each problem under its own field when there is one, else in a list below."""
    st.error(f"Not saved: {len(problems)} problem(s); nothing was written.")
    for column, messages in queries.problems_by_column(problems).items():
        text = (f"{column}: " if column else "") + "; ".join(messages)
        (slots.get(column) or st).error(queries.md_escape(text))


def annotation_browser(deps: list[str], who: str | None) -> None:
    a, b, c, d = st.columns(4)
    dep = a.selectbox("Dependent", [None, *deps], format_func=lambda v: v or "all",
                      key="ann_f_dep")  # fmt: skip
    tag = b.text_input("Tag", key="ann_f_tag")
    by = c.text_input("Author", key="ann_f_author")
    deleted = d.checkbox("Include deleted", key="ann_f_deleted")
    try:
        notes = read("annotation_list", dep, tag.strip(), None, None, by.strip(), deleted)
    except ValidationError as exc:
        st.error(queries.md_escape("; ".join(exc.problems)))
        return
    if not notes:
        st.info("No annotation matches these filters.")
        return
    st.dataframe(
        [{"id": n["id"], "dependent": n["dependent"], "family": n["family"] or "",
          "date": n["start_date"], "end": n["end_date"], "title": n["title"],
          "tags": ", ".join(n["tags"]), "author": n["author"], "revision": n["revision"],
          "deleted": n["deleted"]} for n in notes],
        hide_index=True, key="ann_table",
    )  # fmt: skip
    by_id = {n["id"]: n for n in notes}
    chosen = st.selectbox("Open annotation", list(by_id), key="ann_open",
                          format_func=lambda i: f"#{i} {by_id[i]['title'][:60]}")  # fmt: skip
    note = by_id[chosen]
    with st.container(border=True):
        st.text(note["title"])
        st.text(note["body"])
        until = f" → {note['end_date']}" if note["end_date"] else ""
        st.text(f"{note['dependent']} · {note['family'] or 'whole dependent'} · "
                f"{note['start_date']}{until} · by {note['author']}, "
                f"revision {note['revision']}")  # fmt: skip
    left = st.columns(2)[0]
    if note["deleted"]:
        if left.button("Restore", key=f"ann_restore_{chosen}", disabled=not who):
            _annotation_write(annotations.restore, chosen, who)
    elif left.button("Delete (restorable)", key=f"ann_delete_{chosen}", disabled=not who):
        _annotation_write(annotations.delete, chosen, who)
    if not note["deleted"]:
        with st.expander("Edit"):
            annotation_form(deps, who, note)
    with st.expander("History"):
        history = read("annotation_history", chosen)
        st.dataframe(
            [{"revision": h["revision"], "action": h["action"], "by": h["author"],
              "when": h["changed_at"], "title": h["title"], "body": h["body"],
              "date": h["start_date"], "end": h["end_date"], "deleted": h["deleted"]}
             for h in history], hide_index=True,
        )  # fmt: skip


def _annotation_write(action, annotation_id: int, who: str | None) -> None:  # noqa: ANN001
    try:
        action(annotation_id, who, st.session_state["_db"])
    except RiskError as exc:
        st.error(queries.md_escape(exc))
        return
    st.rerun()


def page_review() -> None:
    st.header("Review queue")
    who = author_box()
    queue = read("review_queue")
    if not queue:
        st.info("No candidate is waiting for review. Feed articles with "
                "`python -m risk ingest article.txt --published YYYY-MM-DD`.")  # fmt: skip
        return
    by_id = {c["id"]: c for c in queue}
    chosen = st.selectbox(
        f"{len(queue)} pending candidate(s)", list(by_id), key="rq_pick",
        format_func=lambda i: f"#{i} {by_id[i]['dependent']} · {by_id[i]['family']} · "
        f"{'+1' if by_id[i]['direction'] > 0 else '-1'} · {by_id[i]['date']}",
    )  # fmt: skip
    cand = by_id[chosen]
    left, right = st.columns([3, 2])
    with left:
        art = cand["article"]
        st.text(f"{art['title'] or '(untitled)'} · {art['published']} · {art['language']}")
        if art["url"]:
            st.text(art["url"])
        with st.container(height=430):
            st.html(queries.highlight_html(art["text"], cand["spans"]))
        st.caption("Highlighted: the words that triggered each field (hover for the field).")
    with right:
        review_form(cand, who)


def review_form(cand: dict, who: str | None) -> None:
    method = methodology()
    key = f"rq_{cand['id']}"
    deps = read("organisation_choices", "dependent")
    slots = {}
    with st.form(key):
        edits: dict[str, object] = {}
        edits["dependent"] = st.selectbox("dependent", deps, key=f"{key}_dep",
                                          index=deps.index(cand["dependent"])
                                          if cand["dependent"] in deps else 0)  # fmt: skip
        slots["dependent"] = st.empty()
        fams = list(method.families)
        edits["family"] = st.selectbox("family", fams, key=f"{key}_fam",
                                       index=fams.index(cand["family"])
                                       if cand["family"] in fams else 0)  # fmt: skip
        slots["family"] = st.empty()
        a, b, c = st.columns(3)
        edits["direction"] = a.selectbox("direction", ["+1", "-1"], key=f"{key}_dir",
                                         index=0 if cand["direction"] > 0 else 1)  # fmt: skip
        edits["magnitude"] = b.selectbox("magnitude", [1, 2, 3, 4, 5], key=f"{key}_mag",
                                         index=int(cand["magnitude"]) - 1)  # fmt: skip
        edits["credibility"] = c.selectbox("credibility", list(CREDIBILITY_LABELS),
                                           index=int(cand["credibility"]) - 1,
                                           key=f"{key}_cred")  # fmt: skip
        for slot in ("direction", "magnitude", "credibility"):
            slots[slot] = st.empty()
        edits["date"] = st.date_input("date", value=date.fromisoformat(cand["date"]),
                                      key=f"{key}_date")  # fmt: skip
        slots["date"] = st.empty()
        edits["summary"] = st.text_area("summary", value=cand["summary"], key=f"{key}_sum")
        slots["summary"] = st.empty()
        edits["source_reliability"] = st.selectbox("source reliability", RELIABILITY_GRADES,
                                                   index=2, key=f"{key}_rel")  # fmt: skip
        slots["source_reliability"] = st.empty()
        accept = st.form_submit_button("Accept as evidence", type="primary",
                                       key=f"{key}_accept")  # fmt: skip
    with st.form(f"{key}_rejecting"):
        reason = st.text_input("Reason for rejecting", key=f"{key}_reason")
        reject = st.form_submit_button("Reject", key=f"{key}_reject")
    if not (accept or reject):
        return
    if not who:
        st.error("Enter your name above first: every review records who made it.")
        return
    try:
        if accept:
            row = {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in edits.items()}
            new_id = ingest.accept_candidate(cand["id"], row, who, st.session_state["_db"])
            st.session_state["rq_done"] = f"Accepted #{cand['id']} as {new_id}; scores updated."
        else:
            ingest.reject_candidate(cand["id"], reason, who, st.session_state["_db"])
            st.session_state["rq_done"] = f"Rejected #{cand['id']}."
    except ValidationError as exc:
        show_problems(exc.problems, slots)
        return
    except RiskError as exc:
        st.error(queries.md_escape(exc))
        return
    st.rerun()


def page_exports() -> None:
    st.header("Exports")
    path = st.session_state["_db"]
    st.markdown("**Current bundle**: scores, evidence, annotations (with history), alerts "
                "and a manifest, as one zip. It is built when you click.")  # fmt: skip
    excel = st.checkbox("For Excel (UTF-8 with byte-order mark)", key="exp_excel")
    st.download_button(
        "Download current bundle (.zip)", data=lambda: exports.build_zip(path, excel=excel),
        file_name=f"risk-bundle-{date.today():%Y%m%d}.zip", mime="application/zip",
        key="exp_download", on_click="ignore", icon="⬇️",
    )  # fmt: skip
    st.divider()
    st.markdown("**Scheduled bundles** (written by `python -m risk schedule`)")
    folder = st.text_input("Exports folder", value="exports/", key="exp_dir")
    bundles = queries.bundle_list(folder)
    if not bundles:
        st.info("No bundle in that folder yet. Write one with "
                "`python -m risk export --out exports/`.")  # fmt: skip
        return
    st.dataframe(
        [{"bundle": b["name"], "generated at": b["generated_at"], "rows": b["rows"],
          "files": b["files"], "checksums": "ok" if b["checksum_ok"] else "FAILED",
          "methodology": b["methodology_version"], "problem": b["problem"] or ""}
         for b in bundles[:20]], hide_index=True, key="exp_table",
    )  # fmt: skip
    bad = [b for b in bundles if not b["checksum_ok"]]
    if bad:
        st.warning(f"{len(bad)} bundle(s) fail their checksum or manifest check.")


def page_methodology() -> None:
    method = methodology()
    st.header("Methodology")
    st.markdown(f"Version **{method.version}** (semantic version {method.semver}, config "
                f"hash `{method.config_hash[:12]}`) · scored vendor **{method.vendor}**")
    saved = read("saved_version")
    if saved and saved != method.version:
        st.warning(f"Stored scores were made with {saved}; they are re-scored on next start.")
    st.markdown(METHOD_IN_WORDS)
    st.subheader("Families")
    st.dataframe(queries.families_frame(method), hide_index=True)
    st.subheader("Confidence: source reliability (columns) × item credibility (rows)")
    st.dataframe(queries.confidence_frame(method))
    st.subheader("Band and alerts")
    st.json({"band": {"max_half_width": method.band_max_half_width,
                      "mass_scale": method.band_mass_scale}, "alerts": method.alerts})
    st.subheader("Versions used so far")
    st.dataframe(read("methodology_versions"), hide_index=True)


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


# ---------------------------------------------------------------- entry point
def main() -> None:
    st.set_page_config(page_title="Vendor-dependency risk", page_icon="📈", layout="wide")
    st.session_state["_db"] = database()
    st.session_state["_version"] = queries.data_version(st.session_state["_db"])
    st.sidebar.title("Vendor-dependency risk")
    asked = st.query_params.get("page")
    if "page" not in st.session_state and asked in PAGES:
        st.session_state["page"] = asked
    page = st.sidebar.radio("Section", PAGES, key="page")
    if st.session_state.get("rq_done"):
        st.toast(st.session_state.pop("rq_done"))
    st.query_params["page"] = page
    st.sidebar.caption(f"database: {Path(st.session_state['_db']).name} · "
                       f"data version {st.session_state['_version']} · "
                       f"methodology {methodology().version}")  # fmt: skip
    {
        "Overview": page_overview, "Why this number": page_why, "What-if": page_what_if,
        "Evidence": page_evidence, "Annotations": page_annotations,
        "Review queue": page_review, "Exports": page_exports,
        "Methodology": page_methodology,
    }[page]()  # fmt: skip


main()
