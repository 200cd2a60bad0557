"""What every page shares: the database and methodology of this rerun, cached reads, the
sidebar filters. Who is acting is ``app_pages.team``.

Reads are cached by (database path, data version): the version is read on every rerun with a
short connection, so a write by another process (CLI, scheduled export) shows on the next
rerun, and no connection is held between reruns. Each read names its read model as a
function, so a typo is an import error, not a cache miss at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import duckdb
import streamlit as st

from risk import bootstrap, boundary, db
from risk.errors import Problem, RiskError, ValidationError
from risk.methodology import COMPOSITE, Methodology
from risk.settings import Settings
from risk.views import charts, queries

P = ParamSpec("P")
T = TypeVar("T")

_FLASH = "_saved_message"
CREDIBILITY_LABELS = {1: "1 confirmed", 2: "2 probably true", 3: "3 possibly true",
                      4: "4 doubtful", 5: "5 improbable", 6: "6 cannot be judged"}  # fmt: skip


# ---------------------------------------------------------------- cache and read helpers
@st.cache_resource(show_spinner="Preparing the database…", max_entries=16)
def _ready(path: str, method_version: str, day: date, _method: Methodology) -> str:
    """Once per database, methodology version and day: a changed methodology file or a new
    day re-scores on the very next rerun (not when some cache expires)."""
    return str(bootstrap.ensure_ready(path, _method))


def start_rerun() -> Settings:
    """The frame calls this first on every rerun: the settings are resolved once (RISK_DB and
    RISK_METHODOLOGY are read now, so tests can point the app at temporary files), the
    database made ready, and its data version read for the cache keys."""
    resolved = Settings.resolve()
    _ready(str(resolved.db_path), resolved.methodology.version, date.today(),
           resolved.methodology)  # fmt: skip
    st.session_state["_settings"] = resolved
    st.session_state["_version"] = queries.data_version(resolved.db_path)
    return resolved


def after_save(message: str, form_keys: list[str]) -> None:
    """A write succeeded: the form forgets what it held (it starts again from its safe
    defaults, so one more click cannot save a duplicate), the message waits for the next
    render, and the page reruns so every section reads the new data version."""
    for key in form_keys:
        st.session_state.pop(key, None)
    st.session_state[_FLASH] = message
    st.rerun()


def attempt(write: Callable[[], T], slots: dict, spinner: str = "Saving…") -> T | None:
    """Run one write for a form: its result, or None after showing why it failed (each
    validation problem under its field, any other project error in one box)."""
    try:
        with st.spinner(spinner):
            return write()
    except ValidationError as exc:
        show_problems(exc.problems, slots)
    except RiskError as exc:
        st.error(queries.md_escape(exc))
    return None


def show_saved() -> None:
    """The message of the write the previous run made, once."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)


def show_failure(exc: Exception) -> None:
    """The error boundary of a rerun: the one line the command line would print, in an error
    box, never a traceback (``RISK_DEBUG=1`` lets it through)."""
    if boundary.debugging():
        raise exc
    st.error(queries.md_escape(boundary.describe(exc)))


def settings() -> Settings:
    return st.session_state["_settings"]


def database() -> Path:
    return settings().db_path


def methodology() -> Methodology:
    return settings().methodology


@st.cache_data(show_spinner=False, max_entries=256)
def _read(_query: Callable[..., T], name: str, path: Path, version: int,
          method_version: str | None, _method: Methodology, *args: object,
          **kwargs: object) -> T:  # fmt: skip
    """Any read model, cached by what it depends on (``name`` is the function's qualified
    name, the cache key of the function object itself)."""
    with db.connect(path) as con:
        if method_version is None:
            return _query(con, *args, **kwargs)
        return _query(con, _method, *args, **kwargs)


def _name(query: Callable[..., object]) -> str:
    return f"{query.__module__}.{query.__qualname__}"


def read(query: Callable[Concatenate[duckdb.DuckDBPyConnection, P], T], *args: P.args,
         **kwargs: P.kwargs) -> T:  # fmt: skip
    """``query(con, *args)`` on this rerun's database, cached by data version."""
    return _read(query, _name(query), database(), st.session_state["_version"], None,
                 methodology(), *args, **kwargs)  # fmt: skip


def read_method(query: Callable[Concatenate[duckdb.DuckDBPyConnection, Methodology, P], T],
                *args: P.args, **kwargs: P.kwargs) -> T:  # fmt: skip
    """``query(con, methodology, *args)``, cached by data version and methodology version."""
    method = methodology()
    return _read(query, _name(query), database(), st.session_state["_version"], method.version,
                 method, *args, **kwargs)  # fmt: skip


# Points per figure stay bounded: each line gets a share of this budget (700 at most).
POINT_BUDGET = 24_000


@st.cache_resource(show_spinner=False, max_entries=8)
def panels(path: Path, version: int, mver: str, _method: Methodology, deps: tuple,
           fams: tuple, start: date, end: date, show_evidence: bool) -> tuple:  # fmt: skip
    """Both trend figures, built once per (data, filters) and kept as objects (a resource,
    not pickled), so a warm rerun does not rebuild or unpickle them."""
    method = _method
    lines = max(1, len(deps) * (1 + len(fams)))
    per_line = max(120, min(700, POINT_BUDGET // lines))
    with db.connect(path) as con:
        trend = queries.trend(con, list(deps), [COMPOSITE, *fams], start, end, per_line)
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
    fams = sb.multiselect(
        "Families",
        list(method.families),
        default=list(method.families),
        format_func=lambda f: method.families[f].label,
        key="f_fams",
    )
    first, last = bounds
    default_start = max(first, last - timedelta(days=365 * 5))
    span = sb.date_input("Date range", value=(default_start, last), min_value=first,
                         max_value=last, key="f_range")  # fmt: skip
    start, end = (span[0], span[1]) if isinstance(span, tuple) and len(span) == 2 else (first, last)
    evid = sb.checkbox("Show evidence markers", value=True, key="f_evidence")
    return {"deps": chosen, "fams": fams, "start": start, "end": end, "evidence": evid}


def fmt_change(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}"


def show_problems(problems: list[Problem], slots: dict) -> None:
    """Each problem under its own field when there is one, else in a list below."""
    st.error(f"Not saved: {len(problems)} problem(s); nothing was written.")
    for column, messages in queries.problems_by_field(problems).items():
        text = (f"{column}: " if column else "") + "; ".join(messages)
        (slots.get(column) or st).error(queries.md_escape(text))
