"""Read models for the dashboard: every number a panel shows is computed here, not in the UI.

The pages (``app_pages/``) only lay out widgets; they call these functions (through their
cache, keyed by database path and ``data_version``) and hand the frames to
``risk.views.charts``.
Keeping them here means they are testable without Streamlit and the CLI could reuse them.
Nothing in this module writes, except ``add_evidence`` which goes through the one validator.
"""

from __future__ import annotations

import html
import itertools
import re
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from risk import alerts as alerts_mod
from risk import annotations, db, evidence, explain, exports, organisations, scoring
from risk.errors import Problem
from risk.identity import Actor
from risk.methodology import COMPOSITE, Methodology
from risk.reader import queue

TREND_COLUMNS = ["dependent", "family", "date", "score", "band_low", "band_high"]
EVIDENCE_TABLE_COLUMNS = [
    "id", "date", "dependent", "vendor", "family", "direction", "magnitude", "credibility",
    "reliability", "confidence", "contribution", "summary", "amount_usd", "counterparty",
    "grading_note", "publisher", "title", "published", "url", "language", "origin",
]  # fmt: skip


def data_version(db_file: str | Path) -> int:
    """The cache key: read with a short connection on every rerun, so writes show at once."""
    with db.connect(db_file) as con:
        return db.data_version(con)


def dependents(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Dependents that have scores (what the panels can draw), alphabetical."""
    rows = con.execute("SELECT DISTINCT dependent FROM scores ORDER BY dependent").fetchall()
    return [r[0] for r in rows]


def organisation_choices(con: duckdb.DuckDBPyConnection, role: str) -> list[str]:
    """Organisation ids holding a role, for the form's pick lists."""
    return [o.id for o in organisations.directory(con).with_role(role)]


def organisations_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every organisation with its roles and aliases, as the Organisations page lists them."""
    orgs = organisations.directory(con).by_id.values()
    return pd.DataFrame(
        [{"id": o.id, "name": o.name, "roles": "; ".join(o.roles),
          "aliases": "; ".join(o.aliases)} for o in orgs],
        columns=["id", "name", "roles", "aliases"])  # fmt: skip


def score_range(con: duckdb.DuckDBPyConnection) -> tuple[date, date] | None:
    row = con.execute("SELECT min(date), max(date) FROM scores").fetchone()
    return None if row is None or row[0] is None else (row[0], row[1])


def headline(con: duckdb.DuckDBPyConnection, method: Methodology) -> list[dict]:
    """Per dependent: latest composite and band, 90-day and 1-year change, and the family
    whose weighted move contributed most to the composite's 90-day change."""
    bounds = score_range(con)
    if bounds is None:
        return []
    last = bounds[1]
    days = {"now": last, "d90": last - timedelta(days=90), "d365": last - timedelta(days=365)}
    frame = con.execute(
        "SELECT dependent, family, date, score, band_low, band_high FROM scores "
        "WHERE date IN (?, ?, ?) ORDER BY dependent, family, date",
        [days["now"], days["d90"], days["d365"]],
    ).df()
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    total = sum(f.weight for f in method.families.values())
    names = organisations.directory(con).by_id
    result = []
    for dependent, rows in frame.groupby("dependent", sort=True):
        score = {(r.family, r.date): r for r in rows.itertuples()}
        now = score.get((COMPOSITE, days["now"]))
        if now is None:
            continue

        def change(family: str, key: str, _score: dict = score) -> float | None:
            before = _score.get((family, days[key]))
            after = _score.get((family, days["now"]))
            return None if before is None or after is None else after.score - before.score

        moves = {
            name: fam.weight / total * (change(name, "d90") or 0.0)
            for name, fam in method.families.items()
        }
        mover = max(moves, key=lambda n: abs(moves[n])) if moves else None
        result.append({
            "dependent": dependent, "name": names[dependent].name if dependent in names
            else dependent, "date": last, "score": float(now.score),
            "band_low": float(now.band_low), "band_high": float(now.band_high),
            "change_90d": change(COMPOSITE, "d90"), "change_1y": change(COMPOSITE, "d365"),
            "mover": mover, "mover_label": method.families[mover].label if mover else None,
            "mover_points": moves.get(mover, 0.0) if mover else 0.0,
        })  # fmt: skip
    return result


def active_alerts(con: duckdb.DuckDBPyConnection, method: Methodology) -> list[dict]:
    """The alert banner: threshold crossings and jumps in the recent history."""
    frame = alerts_mod.active(con, method)
    records = frame.to_dict("records")
    for rec in records:
        rec["date"] = pd.Timestamp(rec["date"]).date()
    return records


def trend(
    con: duckdb.DuckDBPyConnection,
    dependents_: list[str],
    families: list[str],
    start: date,
    end: date,
    max_points: int | None = 700,
) -> pd.DataFrame:
    """Saved scores for the chosen dependents and families (``composite`` allowed).

    A ten-year daily grid is ~4,000 points per line, more than a screen can show; lines
    are thinned to every n-th day counted back from ``end`` (so the last day is always
    there). ``max_points=None`` keeps every day."""
    span = (end - start).days + 1
    step = 1 if not max_points or span <= max_points else -(-span // max_points)
    return con.execute(
        "SELECT dependent, family, date, score, band_low, band_high FROM scores "
        "WHERE list_contains(?, dependent) AND list_contains(?, family) "
        "AND date BETWEEN ? AND ? AND (?::DATE - date) % ? = 0 "
        "ORDER BY dependent, family, date",
        [list(dependents_), list(families), start, end, end, step],
    ).df()


_EVIDENCE_SQL = """
SELECT e.id, e.date, e.dependent, e.vendor, e.family, e.direction, e.magnitude,
       e.credibility, s.reliability, e.summary, e.amount_usd, e.counterparty, e.grading_note,
       s.publisher, s.title, s.published, s.url, s.language, e.origin
FROM evidence e JOIN sources s ON s.id = e.source_id
WHERE (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], e.dependent))
  AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], e.family))
  AND (?::TINYINT IS NULL OR e.direction = ?::TINYINT)
  AND (?::DATE IS NULL OR e.date >= ?::DATE)
  AND (?::DATE IS NULL OR e.date <= ?::DATE)
  AND (?::VARCHAR IS NULL OR concat_ws(' ', e.id, e.summary, e.grading_note, e.counterparty,
       s.publisher, s.title, e.dependent, e.family) ILIKE ?::VARCHAR)
ORDER BY e.date DESC, e.id
"""


# Markers drawn per panel (dependent x family) at most: the largest items of the range.
MAX_MARKERS = 120


def _evidence_sql(extra: str = "") -> str:
    return _EVIDENCE_SQL.replace("ILIKE ?::VARCHAR", "ILIKE ?::VARCHAR ESCAPE '\\'").replace(
        "ORDER BY e.date DESC, e.id", extra or "ORDER BY e.date DESC, e.id")


def _evidence_params(search: str, dependents_: list[str] | None, families: list[str] | None,
                     direction: int | None, start: date | None,
                     end: date | None) -> list:  # fmt: skip
    needle = search.strip()
    pattern = None
    if needle:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
    return [
        dependents_ or None, dependents_ or None, families or None, families or None,
        direction, direction, start, start, end, end, pattern, pattern,
    ]  # fmt: skip


def _with_confidence(method: Methodology, frame: pd.DataFrame) -> pd.DataFrame:
    frame["confidence"] = [
        _confidence(method, r, c) for r, c in zip(frame["reliability"], frame["credibility"],
                                                  strict=True)
    ]
    frame["contribution"] = frame["direction"] * frame["magnitude"] * frame["confidence"]
    return frame


def evidence_table(
    con: duckdb.DuckDBPyConnection,
    method: Methodology,
    search: str = "",
    dependents_: list[str] | None = None,
    families: list[str] | None = None,
    direction: int | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> pd.DataFrame:
    """Evidence with its source and graded confidence; every filter optional. ``contribution``
    is the item's signed pressure on the day it landed (s x m x c), before any decay.
    ``limit`` and ``offset`` read one page of a long list."""
    page = "" if limit is None else f"ORDER BY e.date DESC, e.id LIMIT {int(limit)} " \
        f"OFFSET {int(offset)}"  # fmt: skip
    params = _evidence_params(search, dependents_, families, direction, start, end)
    frame = con.execute(_evidence_sql(page), params).df()
    return _with_confidence(method, frame)[EVIDENCE_TABLE_COLUMNS]


def evidence_count(
    con: duckdb.DuckDBPyConnection,
    search: str = "",
    dependents_: list[str] | None = None,
    families: list[str] | None = None,
    direction: int | None = None,
) -> int:
    """How many items ``evidence_table`` would list with these filters (for paging)."""
    params = _evidence_params(search, dependents_, families, direction, None, None)
    return con.execute(f"SELECT count(*) FROM ({_evidence_sql()})", params).fetchall()[0][0]


def _confidence(method: Methodology, reliability: str, credibility: int) -> float:
    try:
        return method.confidence(reliability, int(credibility))
    except KeyError:
        return float("nan")


def evidence_markers(
    con: duckdb.DuckDBPyConnection,
    method: Methodology,
    dependents_: list[str],
    families: list[str],
    start: date,
    end: date,
    per_panel: int = MAX_MARKERS,
) -> pd.DataFrame:
    """Evidence of the scored vendor placed on the panels: each item with the saved family
    and composite scores of its day, so a marker sits on the line it moved. At most
    ``per_panel`` items per dependent and family (the largest of the range), chosen and
    joined to their scores in SQL, so a figure stays small whatever the evidence count."""
    fams = [f for f in families if f != COMPOSITE] or list(method.families)
    params = _evidence_params("", dependents_, fams, None, start, end)
    frame = con.execute(
        f"SELECT m.*, fs.score AS family_score, cs.score AS composite_score FROM ("
        f"{_evidence_sql('-- no order')}) m "
        "LEFT JOIN scores fs ON fs.dependent = m.dependent AND fs.family = m.family "
        "AND fs.date = m.date LEFT JOIN scores cs ON cs.dependent = m.dependent "
        "AND cs.family = 'composite' AND cs.date = m.date WHERE m.vendor = ? "
        "QUALIFY row_number() OVER (PARTITION BY m.dependent, m.family "
        "ORDER BY m.magnitude DESC, m.date DESC, m.id) <= ? ORDER BY m.date DESC, m.id",
        [*params, method.vendor, per_panel]).df()  # fmt: skip
    columns = [*EVIDENCE_TABLE_COLUMNS, "family_score", "composite_score"]
    frame = _with_confidence(method, frame)[columns]
    return frame.astype({"family_score": "float64", "composite_score": "float64"})


def explanation(
    con: duckdb.DuckDBPyConnection, method: Methodology, dependent: str, family: str, day: date
) -> explain.Explanation:
    """Exactly what ``python -m risk explain`` prints, as data."""
    return explain.explain(con, method, dependent, family, day)


def contributions_frame(result: explain.Explanation) -> pd.DataFrame:
    """The explanation as a table: one row per item, largest contribution first."""
    rows = [
        {
            "id": c["evidence_id"], "date": c["date"], "family": c["family"],
            "contribution": c["contribution"], "points": c["points"],
            "direction": c["direction"], "magnitude": c["magnitude"],
            "grades": f"{c['reliability']}{c['credibility']}", "confidence": c["confidence"],
            "decay": c["decay"], "summary": c["summary"], "publisher": c["source"]["publisher"],
            "source_title": c["source"]["title"], "source_date": c["source"]["date"],
            "url": c["source"]["url"],
        }
        for c in result.contributions
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=[
        "id", "date", "family", "contribution", "points", "direction", "magnitude", "grades",
        "confidence", "decay", "summary", "publisher", "source_title", "source_date", "url",
    ])  # fmt: skip


def what_if(
    con: duckdb.DuckDBPyConnection,
    method: Methodology,
    weights: dict[str, float],
    half_lives: dict[str, float],
) -> pd.DataFrame:
    """Composite scores re-computed with other weights or half-lives; nothing is written.
    Returns the what-if composite beside the saved one per dependent and day."""
    trial = method.with_overrides(weights=weights, half_lives=half_lives)
    computed = scoring.compute(con, trial)
    trial_comp = computed[computed["family"] == COMPOSITE][
        ["dependent", "date", "score", "band_low", "band_high"]
    ]
    saved = con.execute(
        "SELECT dependent, date, score AS saved_score FROM scores WHERE family = ?", [COMPOSITE]
    ).df()
    merged = trial_comp.merge(saved, on=["dependent", "date"], how="left")
    return merged.sort_values(["dependent", "date"]).reset_index(drop=True)


def what_if_latest(frame: pd.DataFrame) -> list[dict]:
    """The last day of a what-if run: saved and what-if composite per dependent."""
    if frame.empty:
        return []
    last = frame["date"].max()
    rows = frame[frame["date"] == last]
    return [
        {"dependent": r.dependent, "saved": float(r.saved_score), "what_if": float(r.score),
         "difference": float(r.score - r.saved_score)}
        for r in rows.itertuples()
    ]  # fmt: skip


def saved_version(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("SELECT any_value(methodology_version) FROM scores").fetchone()
    return row[0] if row else None


def methodology_versions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT version, semver, config_hash, created_at FROM methodology_versions "
        "ORDER BY created_at DESC"
    ).df()


def families_frame(method: Methodology) -> pd.DataFrame:
    """The family parameters as a table for the methodology page."""
    return pd.DataFrame([
        {"family": f.name, "label": f.label, "weight": f.weight,
         "half_life_days": f.half_life_days, "scale_k": f.scale}
        for f in method.families.values()
    ])  # fmt: skip


def confidence_frame(method: Methodology) -> pd.DataFrame:
    """The grade-to-confidence table, reliability across, credibility down."""
    return pd.DataFrame(
        {g: [round(method.confidence(g, c), 4) for c in method.credibility]
         for g in method.reliability},
        index=[str(c) for c in method.credibility],
    )  # fmt: skip


def next_evidence_id(db_file: str | Path) -> str:
    with db.connect(db_file) as con:
        return evidence.next_id(con)


def add_evidence(row: dict[str, str], db_file: str | Path, method: Methodology,
                 actor: Actor | None = None) -> dict:  # fmt: skip
    """The form's item through the same validator as the CSV import; rescored and audited
    on success; refused unless ``actor`` may add evidence."""
    return evidence.add_item(row, db_file, method, origin="form", actor=actor)


def problems_by_field(problems: list[Problem]) -> dict[str, list[str]]:
    """Messages grouped by the field they concern, so a form shows each beside its field
    ("" holds the problems about the input as a whole)."""
    found: dict[str, list[str]] = {}
    for problem in problems:
        found.setdefault(problem.field, []).append(problem.message)
    return found


def annotation_marks(
    con: duckdb.DuckDBPyConnection, dependents_: list[str], start: date, end: date
) -> list[dict]:
    """Live annotations touching the window, for markers and shaded ranges on the panels."""
    return [n for dep in dependents_
            for n in annotations.list_annotations(con, dependent=dep, date_from=start, date_to=end)]


def covering_notes(
    con: duckdb.DuckDBPyConnection, dependent: str, family: str, day: date
) -> list[dict]:
    """Annotations shown beside "why this number": those covering that day."""
    return annotations.covering(con, dependent, family, day)


def annotation_list(
    con: duckdb.DuckDBPyConnection,
    dependent: str | None = None,
    tag: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    author: str | None = None,
    include_deleted: bool = False,
) -> list[dict]:
    """The annotations page's list, every filter optional."""
    return annotations.list_annotations(
        con, dependent=dependent or None, tag=tag or None, date_from=date_from,
        date_to=date_to, author=author or None, include_deleted=include_deleted,
    )  # fmt: skip


def annotation_history(con: duckdb.DuckDBPyConnection, annotation_id: int) -> list[dict]:
    return annotations.history(con, annotation_id)


def split_tags(text: str) -> list[str]:
    """Tags as typed in one box: commas or spaces between them."""
    return [t for t in re.split(r"[,\s]+", text or "") if t]


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")


def md_escape(text: object) -> str:
    """User text inside a Markdown element (captions, error boxes) shown literally: every
    character Markdown would act on is backslash-escaped, so links and tags stay inert."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


# ---------------------------------------------------------------- ingestion review queue
def review_queue(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Pending candidates, oldest first, each with its article (title, url, text)."""
    pending = queue.pending_candidates(con)
    articles: dict[int, dict] = {}
    for cand in pending:
        if cand["article_id"] not in articles:
            articles[cand["article_id"]] = queue.article(con, cand["article_id"])
        cand["article"] = articles[cand["article_id"]]
    return pending


def _span_list(value: object) -> list[tuple[int, int]]:
    """A field's spans: one ``[start, end, text]`` or a list of them."""
    if not isinstance(value, list | tuple) or not value:
        return []
    items = [value] if isinstance(value[0], int) else value
    return [(int(v[0]), int(v[1])) for v in items if isinstance(v, list | tuple) and len(v) >= 2]


def highlight_html(text: str, spans: dict) -> str:
    """The article as HTML with the spans that triggered each field marked. Every piece of
    article text is escaped first; only our own <mark>/<span> tags are added, so nothing in
    the article can run. Overlapping spans are handled by cutting at every boundary; each
    field is labelled once, where its span ends. A field whose span is the whole sentence
    had no specific trigger (a default): it is listed under the text, not marked."""
    sentences = set(_span_list(spans.get("sentence")))
    ranges, defaults = [], []
    for field, value in spans.items():
        for a, b in _span_list(value):
            if not 0 <= a < b <= len(text):
                continue
            if field != "sentence" and (a, b) in sentences:
                defaults.append(field)
            else:
                ranges.append((a, b, field))
    cuts = sorted({0, len(text), *(a for a, _, _ in ranges), *(b for _, b, _ in ranges)})
    parts = [_highlight_piece(text, start, end, ranges) for start, end in itertools.pairwise(cuts)]
    note = ""
    if defaults:
        listed = html.escape(", ".join(sorted(set(defaults))))
        note = (f'<p style="color:#666;font-size:0.8rem">No specific trigger (whole sentence, '
                f"a default): {listed}</p>")  # fmt: skip
    return '<div style="font-size:0.9rem;line-height:1.5">' + "".join(parts) + "</div>" + note


def _highlight_piece(text: str, start: int, end: int, ranges: list) -> str:
    piece = html.escape(text[start:end]).replace("\n", "<br>")
    fields = sorted({f for a, b, f in ranges if a <= start and end <= b})
    marked = [f for f in fields if f != "sentence"]
    if not marked:
        return f'<span style="background:#eef4ff">{piece}</span>' if fields else piece
    label = html.escape(", ".join(marked), quote=True)
    ending = sorted({f for a, b, f in ranges if b == end and f != "sentence"})
    sup = f"<sup style='color:#7a5b00'>{html.escape(', '.join(ending))}</sup>" if ending else ""
    return f'<mark title="{label}" style="background:#ffe08a;padding:0 1px">{piece}{sup}</mark>'


# ---------------------------------------------------------------- exports
def bundle_list(out_dir: str | Path) -> list[dict]:
    """Scheduled bundles in a folder, newest first, checked against their manifests."""
    folder = Path(out_dir)
    if not folder.is_dir():
        return []
    return [{k: v for k, v in b.items() if k != "path"} for b in exports.list_bundles(folder)]


def next_semver(semver: str) -> str:
    """The version a saved what-if is offered by default: the next minor release."""
    parts = semver.split(".")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[0]}.{int(parts[1]) + 1}.0"
    return "1.0.0"
