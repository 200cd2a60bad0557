"""The evidence model: validation of items and sources, and all-or-nothing CSV import.

An analyst must be able to trust that what is in the database passed the same rules
whichever way it came in (bundled CSV, an import, the dashboard form, an accepted
ingestion candidate). So there is one validator, it reports every problem with its line
and column, and nothing is written unless the whole batch is clean.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb

from risk import access, audit, organisations, scoring
from risk.errors import Problem, ValidationError, clip
from risk.identity import Actor, local_actor
from risk.methodology import RELIABILITY_GRADES, Methodology
from risk.textfiles import control_message, read_utf8

EVIDENCE_COLUMNS = (
    "id", "date", "date_precision", "dependent", "vendor", "counterparty", "family",
    "direction", "magnitude", "credibility", "amount_usd", "quantity", "unit", "summary",
    "grading_note", "source_publisher", "source_title", "source_date", "source_url",
    "source_language", "source_reliability",
)  # fmt: skip
OPTIONAL_COLUMNS = frozenset(
    {"date_precision", "counterparty", "amount_usd", "quantity", "unit", "grading_note",
     "source_url"}
)  # fmt: skip
REQUIRED_COLUMNS = tuple(c for c in EVIDENCE_COLUMNS if c not in OPTIONAL_COLUMNS)
MAX_SUMMARY = 2000
# Free-text columns where a control character (ESC, BEL...) is refused.
CONTROL_CHECKED = ("summary", "grading_note", "source_publisher", "source_title")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_DIRECTIONS = {"+1": 1, "1": 1, "-1": -1}


def row_problem(line: int | None, column: str, message: str) -> Problem:
    """One broken rule in a row, located so the analyst can find it in the file or form."""
    where = f"line {line}, " if line is not None else ""
    return Problem(column, message, line, f"{where}column {column}: {message}")


def parse_iso_date(text: str) -> date:
    """Strict ``YYYY-MM-DD`` (Python also accepts ``20230101``, which users never mean)."""
    if not _ISO_DATE.match(text or ""):
        raise ValueError(f"{clip(text)!r} is not a date in YYYY-MM-DD form")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{clip(text)!r} is not a real calendar date") from exc


def source_id(publisher: str, title: str, published: str, url: str | None) -> str:
    """Stable id, so the same article cited by many items is stored once."""
    key = "\x1f".join([publisher.strip(), title.strip(), published.strip(), (url or "").strip()])
    return "SRC-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


class _RowChecker:
    """Validates one row against the organisations, families and rules; collects problems."""

    def __init__(self, orgs: organisations.Directory, method: Methodology) -> None:
        self.orgs = orgs
        self.method = method

    def check(self, row: dict[str, str], line: int | None) -> tuple[dict, list[Problem]]:
        problems: list[Problem] = []

        def bad(column: str, message: str) -> None:
            problems.append(row_problem(line, column, message))

        get = {k: (row.get(k) or "").strip() for k in EVIDENCE_COLUMNS}
        item: dict = {"id": get["id"]}
        if not get["id"]:
            bad("id", "is empty")
        elif not _ID.match(get["id"]):
            bad("id", f"{clip(get['id'])!r} may hold only letters, digits and . _ : - (64 at most)")
        item["date"] = self._date(get["date"], "date", bad, future_ok=False)
        item["date_precision"] = get["date_precision"] or "day"
        if item["date_precision"] not in ("day", "month", "year"):
            bad("date_precision", f"{clip(get['date_precision'])!r} is not one of day, month, year")
        item["dependent"] = self._org(get["dependent"], "dependent", "dependent", bad)
        item["vendor"] = self._org(get["vendor"], "vendor", "vendor", bad)
        item["counterparty"] = (
            self._org(get["counterparty"], "counterparty", None, bad)
            if get["counterparty"] else None
        )  # fmt: skip
        item["family"] = get["family"]
        if get["family"] not in self.method.families:
            known = ", ".join(self.method.families)
            bad("family", f"unknown family {clip(get['family'])!r} (known: {known})")
        item["direction"] = _DIRECTIONS.get(get["direction"])
        if item["direction"] is None:
            bad("direction", f"{clip(get['direction'])!r} must be +1 (raises reliance) or -1")
        item["magnitude"] = self._int(get["magnitude"], "magnitude", 1, 5, bad)
        item["credibility"] = self._int(get["credibility"], "credibility", 1, 6, bad)
        item["amount_usd"] = self._number(get["amount_usd"], "amount_usd", bad)
        item["quantity"] = self._number(get["quantity"], "quantity", bad)
        item["unit"] = get["unit"] or None
        if item["quantity"] is not None and not item["unit"]:
            bad("unit", "is required when quantity is given")
        item["summary"] = get["summary"]
        if not get["summary"]:
            bad("summary", "is empty")
        elif len(get["summary"]) > MAX_SUMMARY:
            bad("summary", f"is {len(get['summary'])} characters; {MAX_SUMMARY} at most")
        item["grading_note"] = get["grading_note"] or None
        for column in CONTROL_CHECKED:
            refused = control_message(row.get(column) or "")
            if refused:
                bad(column, refused)
        item["source"] = self._source(get, bad)
        return item, problems

    def _date(self, text: str, column: str, bad, future_ok: bool) -> date | None:  # noqa: ANN001
        if not text:
            bad(column, "is empty (expected YYYY-MM-DD)")
            return None
        try:
            value = parse_iso_date(text)
        except ValueError as exc:
            bad(column, str(exc))
            return None
        if not future_ok and value > date.today():
            bad(column, f"{text} is in the future")
        return value

    def _org(self, text: str, column: str, role: str | None, bad) -> str | None:  # noqa: ANN001
        if not text:
            bad(column, "is empty")
            return None
        org_id, problem = self.orgs.check(text, role)
        if problem:
            bad(column, problem)
            return None
        return org_id

    @staticmethod
    def _int(text: str, column: str, low: int, high: int, bad) -> int | None:  # noqa: ANN001
        try:
            value = int(text)
        except ValueError:
            bad(column, f"{clip(text)!r} is not a whole number from {low} to {high}")
            return None
        if not low <= value <= high:
            bad(column, f"{value} is out of range {low}-{high}")
            return None
        return value

    @staticmethod
    def _number(text: str, column: str, bad) -> float | None:  # noqa: ANN001
        if not text:
            return None
        try:
            value = float(text.replace("_", ""))
        except ValueError:
            bad(column, f"{clip(text)!r} is not a number (write 10000000000, not 10bn)")
            return None
        if value < 0 or value != value or value in (float("inf"),):
            bad(column, f"{clip(text)!r} must be a non-negative number")
            return None
        return value

    def _source(self, get: dict[str, str], bad) -> dict | None:  # noqa: ANN001
        missing = [c for c in ("source_publisher", "source_title", "source_date") if not get[c]]
        for column in missing:
            bad(column, "is empty: every item needs its source (publisher, title, date)")
        published = self._date(get["source_date"], "source_date", bad, future_ok=False) if (
            get["source_date"]) else None  # fmt: skip
        url = get["source_url"] or None
        if url and not re.match(r"^https?://\S+$", url):
            bad("source_url", f"{clip(url)!r} is not an http(s) address")
        language = get["source_language"].lower()
        if not re.match(r"^[a-z]{2}$", language):
            shown = clip(get["source_language"])
            bad("source_language", f"{shown!r} is not a two-letter code (fr, en)")
        reliability = get["source_reliability"].upper()
        if reliability not in RELIABILITY_GRADES:
            bad("source_reliability", f"{clip(get['source_reliability'])!r} is not a grade A-F")
        if missing or published is None:
            return None
        return {
            "id": source_id(get["source_publisher"], get["source_title"], get["source_date"], url),
            "publisher": get["source_publisher"],
            "title": get["source_title"],
            "published": published,
            "url": url,
            "language": language,
            "reliability": reliability,
        }


def validate_rows(
    con: duckdb.DuckDBPyConnection,
    rows: Iterable[tuple[int | None, dict[str, str]]],
    method: Methodology,
) -> tuple[list[dict], list[Problem]]:
    """Check every row (with its line number); also ids and source grades across the batch
    and against what the database already holds."""
    checker = _RowChecker(organisations.directory(con), method)
    items: list[dict] = []
    problems: list[Problem] = []
    existing_ids = {r[0] for r in con.execute("SELECT id FROM evidence").fetchall()}
    known_sources = {
        r[0]: r[1] for r in con.execute("SELECT id, reliability FROM sources").fetchall()
    }
    seen: dict[str, int | None] = {}
    for line, row in rows:
        item, row_problems = checker.check(row, line)
        problems.extend(row_problems)
        item_id = item["id"]
        if item_id in existing_ids:
            problems.append(
                row_problem(line, "id", f"duplicate id {clip(item_id)!r}: already stored"))
        elif item_id and item_id in seen:
            where = f" (first on line {seen[item_id]})" if seen[item_id] else ""
            problems.append(row_problem(line, "id", f"duplicate id {clip(item_id)!r}{where}"))
        seen.setdefault(item_id, line)
        source = item["source"]
        if source:
            earlier = known_sources.setdefault(source["id"], source["reliability"])
            if earlier != source["reliability"]:
                problems.append(row_problem(
                    line, "source_reliability",
                    f"{source['reliability']} conflicts with {earlier} given for the same source",
                ))  # fmt: skip
        items.append(item)
    return items, problems


def insert_items(con: duckdb.DuckDBPyConnection, items: list[dict], origin: str) -> int:
    """Write validated items and any new sources, one batch per table; the caller owns the
    transaction."""
    if not items:
        return 0
    con.executemany(
        "INSERT INTO sources (id, publisher, title, published, url, language, reliability) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        [[src["id"], src["publisher"], src["title"], src["published"], src["url"],
          src["language"], src["reliability"]] for src in (i["source"] for i in items)],
    )  # fmt: skip
    con.executemany(
        "INSERT INTO evidence (id, date, date_precision, dependent, vendor, counterparty, "
        "family, direction, magnitude, credibility, amount_usd, quantity, unit, summary, "
        "grading_note, source_id, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?)",
        [[item["id"], item["date"], item["date_precision"], item["dependent"], item["vendor"],
          item["counterparty"], item["family"], item["direction"], item["magnitude"],
          item["credibility"], item["amount_usd"], item["quantity"], item["unit"],
          item["summary"], item["grading_note"], item["source"]["id"], origin]
         for item in items],
    )  # fmt: skip
    return len(items)


def read_csv_text(path: Path) -> str:
    """The file's text, or a one-line reason it cannot be read as UTF-8 CSV."""
    return read_utf8(path, "CSV")


def parse_csv(text: str, required: Iterable[str], name: str) -> list[tuple[int, dict]]:
    """Rows with the line each starts on; a missing column or a ragged row is an error."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
        missing = [c for c in required if c not in header]
        if missing:
            raise ValidationError(f"{name}, line 1: missing column(s) {', '.join(missing)}")
        rows: list[tuple[int, dict]] = []
        problems: list[str] = []
        start = reader.line_num + 1
        for record in reader:
            if not any(cell.strip() for cell in record):
                start = reader.line_num + 1
                continue
            if len(record) != len(header):
                problems.append(
                    f"line {start}: expected {len(header)} fields, found {len(record)}"
                )
            else:
                rows.append((start, dict(zip(header, record, strict=True))))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationError(f"{name}, line {reader.line_num}: malformed CSV: {exc}") from exc
    if problems:
        raise ValidationError([f"{name}, {p}" for p in problems])
    if not rows:
        raise ValidationError(f"{name}: header only, no rows to import")
    return rows


def import_evidence_rows(
    con: duckdb.DuckDBPyConnection,
    rows: list[tuple[int, dict]],
    name: str,
    origin: str,
    method: Methodology | None = None,
) -> int:
    """Validate all rows, then insert them; raises with every problem and writes nothing."""
    items, problems = validate_rows(con, rows, method)
    if problems:
        raise ValidationError([p.within(f"{name}, ") for p in problems])
    return insert_items(con, items, origin)


def add_item(
    row: dict[str, str], db_file: str | Path, method: Methodology, origin: str = "form",
    actor: Actor | None = None,
) -> dict:  # fmt: skip
    """One item from the dashboard form; rescored and audited in the same transaction.
    ``actor`` needs the ``evidence`` right (None: the local OS user)."""
    actor = actor or local_actor()

    def work(con: duckdb.DuckDBPyConnection) -> dict:
        actor.require(access.EVIDENCE, "evidence.add", "evidence", row.get("id"))
        items, problems = validate_rows(con, [(None, row)], method)
        if problems:
            raise ValidationError(problems)
        insert_items(con, items, origin)
        scoring.rescore(con, method)
        audit.record(con, actor, "evidence.add", "evidence", items[0]["id"],
                     after={**items[0], "origin": origin})  # fmt: skip
        return items[0]

    return audit.write(work, db_file)


def next_id(con: duckdb.DuckDBPyConnection, prefix: str = "EV-") -> str:
    """The next free ``EV-NNNN`` id, for forms that do not ask the user for one."""
    rows = con.execute(
        "SELECT id FROM evidence WHERE starts_with(id, ?)", [prefix]
    ).fetchall()
    numbers = [int(r[0][len(prefix):]) for r in rows if r[0][len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"
