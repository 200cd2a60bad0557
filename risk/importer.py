"""``python -m risk import``: one CSV file in, all rows or none, then a rescore.

The header says what the file holds: evidence (the columns of ``data/evidence.csv``),
organisations (``id,name,roles,aliases``) or capacity-ledger rows (the columns of
``data/capacity.csv``, as an export's ``capacity.csv`` writes them). Everything is validated
before the first write, and the write, the audit row and the recompute share one
transaction, so a failure leaves the data as it was; a write the actor has no right to is
refused, and the refusal recorded, before the file is read any further.

Evidence files are read in bulk: DuckDB reads the whole file (every column as text) into a
staging table of an in-memory database, the rules of ``risk.evidence`` run as SQL over it and
report every problem with its line and column, and only then is the database opened for
writing, for one ``INSERT ... SELECT`` and the rescore. The lock other processes wait for is
held for that final write only, not for reading and checking the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from risk import access, audit, db, evidence, ledger, organisations, reliance, scoring, textfiles
from risk.errors import ValidationError, clip
from risk.identity import Actor, local_actor
from risk.methodology import RELIABILITY_GRADES, Methodology

_TEXT_COLUMNS = evidence.EVIDENCE_COLUMNS
# C0 and C1 control characters other than tab and newline (a CRLF counts as a newline).
_CONTROL = "[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
_TRIM = " \t\r\n\x0b\x0c"


@dataclass
class ImportReport:
    kind: str
    rows: int
    score_rows: int


def _header(text: str, name: str) -> list[str]:
    try:
        header = [h.strip() for h in next(csv.reader(io.StringIO(text, newline="")), [])]
    except csv.Error as exc:
        raise ValidationError(f"{name}, line 1: malformed CSV: {exc}") from exc
    seen: set[str] = set()
    doubled = [h for h in header if h in seen or seen.add(h)]
    if doubled:
        shown = ", ".join(dict.fromkeys(clip(h) for h in doubled))
        raise ValidationError(f"{name}, line 1: column(s) named twice: {shown}")
    return header


def _kind(header: list[str]) -> str:
    if ledger.is_ledger_header(header):
        return "ledger"
    names = set(header)
    if set(organisations.ORG_COLUMNS) <= names and "date" not in names:
        return "organisations"
    return "evidence"


# What each kind of file needs of the actor, and how its audit rows are named.
_RIGHTS = {"organisations": (access.ORGANISATIONS, "organisation.upsert", "organisation"),
           "ledger": (access.LEDGER, "ledger.import", "ledger"),
           "evidence": (access.EVIDENCE, "evidence.import", "evidence")}  # fmt: skip


def import_file(
    file: Path, db_file: str | Path, method: Methodology, actor: Actor | None = None,
    wait_seconds: float = db.DEFAULT_WAIT_SECONDS,
) -> ImportReport:  # fmt: skip
    """Validate ``file`` completely, then write it, record it in the audit trail and
    recompute in one short transaction. Evidence needs the ``evidence`` right, ledger rows
    the ``ledger`` right, organisations the ``organisations`` right (``actor`` None: the
    local OS user)."""
    actor = actor or local_actor()
    file = Path(file)
    text = evidence.read_csv_text(file)
    header = _header(text, file.name)
    kind = _kind(header)
    right, action, target = _RIGHTS[kind]
    audit.refuse_unless(actor, right, action, target, file.name, db_file)
    if kind == "organisations":
        return _import_organisations(text, file.name, db_file, method, actor)
    if kind == "ledger":
        return _import_ledger(text, file.name, db_file, method, actor)
    missing = [c for c in evidence.REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationError(f"{file.name}, line 1: missing column(s) {', '.join(missing)}")
    stage = db.new_connection()
    try:
        with db.connect(db_file, wait_seconds) as con:  # a short read: who is who, what is in
            orgs = organisations.directory(con)
            seen_version = _copy_scored_evidence(con, stage, method)
        _stage(stage, file, text, header)
        batch = _Batch(stage, file.name, text, orgs, method)
        found = batch.row_problems()
        if found:  # report the stored duplicates too, without taking the write lock
            with db.connect(db_file, wait_seconds) as con:
                found += batch.stored_problems(con)
            raise batch.failure(found)
        items = batch.items()
        # Score what the database will hold after the write, here, before the lock.
        stage.register("new_items", items)
        stage.execute(
            "INSERT INTO evidence SELECT dependent, family, date, direction, magnitude, "
            "credibility, source_id, vendor FROM new_items")
        stage.execute("INSERT INTO sources SELECT DISTINCT source_id, upper(source_reliability) "
                      "FROM checked WHERE source_id NOT IN (SELECT id FROM sources)")
        pre = scoring.precompute(stage, method)
    finally:
        stage.close()

    def write(con: duckdb.DuckDBPyConnection) -> ImportReport:
        con.register("incoming_items", items)
        try:
            stored = batch.stored_problems(con)
            if stored:
                raise batch.failure(stored)
            count = _insert(con)
            audit.record(con, actor, "evidence.import", "evidence", file.name,
                         after={"file": file.name, "rows": count,
                                "ids": [str(i) for i in items.column("id").to_pylist()]})
        finally:
            con.unregister("incoming_items")
        # Someone else wrote since the copy was read: score again, under the lock.
        unchanged = db.data_version(con) == seen_version
        return ImportReport("evidence", count,
                            scoring.rescore(con, method, precomputed=pre if unchanged else None))

    return db.write_with_retry(write, db_file, wait_seconds)


def _import_organisations(text: str, name: str, db_file: str | Path, method: Methodology,
                          actor: Actor) -> ImportReport:  # fmt: skip
    orgs = organisations.validate_rows(evidence.parse_csv(text, organisations.ORG_COLUMNS,
                                                          name), name)  # fmt: skip

    def upsert(con: duckdb.DuckDBPyConnection) -> ImportReport:
        count = organisations.upsert_audited(con, orgs, actor, source=name)
        return ImportReport("organisations", count, scoring.rescore(con, method))

    return audit.write(upsert, db_file)


def _import_ledger(text: str, name: str, db_file: str | Path, method: Methodology,
                   actor: Actor) -> ImportReport:  # fmt: skip
    rows = evidence.parse_csv(text, ledger.REQUIRED_COLUMNS, name)

    def load(con: duckdb.DuckDBPyConnection) -> ImportReport:
        before = _block_ids(con)
        count = ledger.load_rows(con, rows, method, name=name)
        audit.record(con, actor, "ledger.import", "ledger", name,
                     after={"file": name, "rows": count,
                            "ids": sorted(_block_ids(con) - before)})  # fmt: skip
        return ImportReport("ledger", count, reliance.compute(con, method))

    return audit.write(load, db_file)


def _block_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT DISTINCT id FROM ledger").fetchall()}


def add_ledger_row(row: dict[str, str], db_file: str | Path, method: Methodology,
                   actor: Actor | None = None) -> int:  # fmt: skip
    """One ledger version from the dashboard form: validated like an imported line, stored,
    audited and the indicators recomputed in one transaction (needs the ``ledger`` right).
    Returns the number of indicator rows."""
    actor = actor or local_actor()

    def work(con: duckdb.DuckDBPyConnection) -> int:
        actor.require(access.LEDGER, "ledger.add", "ledger", row.get("id", ""))
        ledger.load_rows(con, [(None, row)], method, name="form", origin="form")
        audit.record(con, actor, "ledger.add", "ledger", row.get("id", ""), after=dict(row))
        return reliance.compute(con, method)

    return audit.write(work, db_file)


def save_organisation(row: dict[str, str], db_file: str | Path, method: Methodology,
                      actor: Actor | None = None) -> organisations.Organisation:  # fmt: skip
    """One organisation from the dashboard form: a new id adds it, a known id has its name,
    roles and aliases replaced. Validated like a line of an organisations file, stored,
    audited (before and after) and the scores recomputed in one transaction; needs the
    ``organisations`` right."""
    actor = actor or local_actor()

    def work(con: duckdb.DuckDBPyConnection) -> organisations.Organisation:
        actor.require(access.ORGANISATIONS, "organisation.upsert", "organisation",
                      clip(row.get("id") or ""))  # fmt: skip
        (org,) = organisations.validate_rows([(None, row)], "form")
        organisations.upsert_audited(con, [org], actor, source="form")
        scoring.rescore(con, method)
        return org

    return audit.write(work, db_file)


def _copy_scored_evidence(
    con: duckdb.DuckDBPyConnection, stage: duckdb.DuckDBPyConnection, method: Methodology
) -> int:
    """What the score query reads of the stored evidence, copied into ``stage``; returns
    the data version it was read at."""
    version = db.data_version(con)
    for name, sql in (("stored_evidence", (
        "SELECT dependent, family, date, direction, magnitude, credibility, source_id, vendor "
        "FROM evidence WHERE vendor = $vendor")), ("stored_sources", (
            "SELECT id, reliability FROM sources WHERE $vendor IS NOT NULL"))):
        stage.register(name, con.sql(sql, params={"vendor": method.vendor}).to_arrow_table())
    stage.execute("CREATE TABLE evidence AS SELECT * FROM stored_evidence")
    stage.execute("CREATE TABLE sources AS SELECT * FROM stored_sources")
    for name in ("stored_evidence", "stored_sources"):
        stage.unregister(name)
    return version


def _stage(stage: duckdb.DuckDBPyConnection, file: Path, text: str, header: list[str]) -> None:
    """``raw(rn, <one text column per evidence column>)``: the file's records in order."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    picks = ", ".join(
        f"c{header.index(c)} AS {c}" if c in header else f"NULL::VARCHAR AS {c}"
        for c in _TEXT_COLUMNS
    )
    try:
        stage.execute(
            f"CREATE TABLE records AS SELECT {picks} FROM read_csv(?, header = true, "
            f"auto_detect = false, columns = {columns}, delim = ',', quote = '\"', "
            "escape = '\"', strict_mode = true, null_padding = false, all_varchar = true)",
            [str(file)],
        )
    except duckdb.Error:
        # DuckDB refused the layout (a ragged row, a stray quote, mixed line endings): the
        # Python reader names the line as before, or reads what DuckDB would not.
        rows = [record for _, record in _records(text)][1:]
        width = len(header)
        bad = [i for i, r in enumerate(rows) if len(r) != width]
        if bad:
            evidence.parse_csv(text, (), file.name)  # raises, with each ragged line
        table = pa.table({f"c{i}": [r[i] for r in rows] for i in range(width)})
        stage.register("python_rows", table)
        stage.execute(f"CREATE TABLE records AS SELECT {picks} FROM python_rows")
        stage.unregister("python_rows")
    trimmed = ", ".join(f"trim(coalesce({c}, ''), '{_TRIM}') AS {c}" for c in _TEXT_COLUMNS)
    raws = ", ".join(f"coalesce({c}, '') AS raw_{c}" for c in ("summary", "grading_note",
                                                                 "source_publisher",
                                                                 "source_title"))
    stage.execute(f"CREATE TABLE raw AS SELECT rowid AS rn, {trimmed}, {raws} FROM records")
    blank = " AND ".join(f"{c} = ''" for c in _TEXT_COLUMNS)
    stage.execute(f"DELETE FROM raw WHERE {blank}")
    if not stage.execute("SELECT count(*) FROM raw").fetchall()[0][0]:
        raise ValidationError(f"{file.name}: header only, no rows to import")


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on; empty lines are skipped (as DuckDB does)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for record in reader:
        if record:
            yield start, record
        start = reader.line_num + 1


# What each rule reports, from the offending (trimmed) value: the messages of risk.evidence.
def _int_message(low: int, high: int):
    def message(value: str) -> str:
        try:
            number = int(value)
        except ValueError:
            return f"{clip(value)!r} is not a whole number from {low} to {high}"
        return f"{number} is out of range {low}-{high}"

    return message


_MESSAGES = {
    "empty": lambda v: "is empty",
    "bad_id": lambda v: f"{clip(v)!r} may hold only letters, digits and . _ : - (64 at most)",
    "date_empty": lambda v: "is empty (expected YYYY-MM-DD)",
    "date_form": lambda v: f"{clip(v)!r} is not a date in YYYY-MM-DD form",
    "date_real": lambda v: f"{clip(v)!r} is not a real calendar date",
    "date_future": lambda v: f"{v} is in the future",
    "precision": lambda v: f"{clip(v)!r} is not one of day, month, year",
    "direction": lambda v: f"{clip(v)!r} must be +1 (raises reliance) or -1",
    "magnitude": _int_message(1, 5),
    "credibility": _int_message(1, 6),
    "not_number": lambda v: f"{clip(v)!r} is not a number (write 10000000000, not 10bn)",
    "negative": lambda v: f"{clip(v)!r} must be a non-negative number",
    "unit": lambda v: "is required when quantity is given",
    "too_long": lambda v: f"is {int(v)} characters; {evidence.MAX_SUMMARY} at most",
    "control": lambda v: textfiles.control_message(v),
    "source_missing": lambda v: "is empty: every item needs its source (publisher, title, date)",
    "url": lambda v: f"{clip(v)!r} is not an http(s) address",
    "language": lambda v: f"{clip(v)!r} is not a two-letter code (fr, en)",
    "reliability": lambda v: f"{clip(v)!r} is not a grade A-F",
    "org": lambda v: v,
}

# (order within a row, column, rule, condition, value shown): the order follows risk.evidence.
_DATE_RULES = [
    ("date_empty", "{c} = ''"),
    ("date_form", "{c} <> '' AND NOT regexp_full_match({c}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"),
    ("date_real", "regexp_full_match({c}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') AND "
                  "(try_cast({c} AS DATE) IS NULL OR {c} < '0001')"),
    ("date_future", "{c} >= '0001' AND try_cast({c} AS DATE) > $today"),
]
_CHECKS: list[tuple[int, str, str, str, str]] = [
    (1, "id", "empty", "id = ''", "id"),
    (1, "id", "bad_id", "id <> '' AND NOT regexp_full_match(id, '[A-Za-z0-9][A-Za-z0-9._:-]"
                        "{0,63}')", "id"),
    *[(2, "date", rule, cond.format(c="date"), "date") for rule, cond in _DATE_RULES],
    (3, "date_precision", "precision", "date_precision NOT IN ('', 'day', 'month', 'year')",
     "date_precision"),
    (7, "family", "family", "NOT list_contains($families, family)", "family"),
    (8, "direction", "direction", "direction NOT IN ('+1', '1', '-1')", "direction"),
    *[(order, c, c, f"NOT coalesce(regexp_full_match({c}, '[+-]?[0-9]+') AND "
       f"try_cast({c} AS INTEGER) BETWEEN 1 AND {high}, false)", c)
      for order, c, high in ((9, "magnitude", 5), (10, "credibility", 6))],
    *[(order, c, rule, cond.format(c=c), c) for order, c in ((11, "amount_usd"), (12, "quantity"))
      for rule, cond in (
          ("not_number", "{c} <> '' AND try_cast(replace({c}, '_', '') AS DOUBLE) IS NULL"),
          ("negative", "try_cast(replace({c}, '_', '') AS DOUBLE) < 0 OR "
                       "isnan(try_cast(replace({c}, '_', '') AS DOUBLE)) OR "
                       "isinf(try_cast(replace({c}, '_', '') AS DOUBLE))"))],
    (13, "unit", "unit", "unit = '' AND try_cast(replace(quantity, '_', '') AS DOUBLE) >= 0 "
     "AND NOT isinf(try_cast(replace(quantity, '_', '') AS DOUBLE)) "
     "AND NOT isnan(try_cast(replace(quantity, '_', '') AS DOUBLE))", "unit"),
    (14, "summary", "empty", "summary = ''", "summary"),
    (14, "summary", "too_long", f"length(summary) > {evidence.MAX_SUMMARY}",
     "CAST(length(summary) AS VARCHAR)"),
    *[(15, c, "control", f"regexp_matches(replace(raw_{c}, chr(13) || chr(10), chr(10)), "
       f"'{_CONTROL}')", f"replace(raw_{c}, chr(13) || chr(10), chr(10))")
      for c in ("summary", "grading_note", "source_publisher", "source_title")],
    *[(16, c, "source_missing", f"{c} = ''", c)
      for c in ("source_publisher", "source_title", "source_date")],
    *[(17, "source_date", rule, f"source_date <> '' AND {cond.format(c='source_date')}",
       "source_date") for rule, cond in _DATE_RULES[1:]],
    (18, "source_url", "url", "source_url <> '' AND NOT regexp_full_match(source_url, "
     "'https?://\\S+')", "source_url"),
    (19, "source_language", "language", "NOT regexp_full_match(lower(source_language), "
     "'[a-z]{2}')", "source_language"),
    (20, "source_reliability", "reliability", "upper(source_reliability) NOT IN "
     f"({', '.join(repr(g) for g in RELIABILITY_GRADES)})", "source_reliability"),
]
_ORG_COLUMNS = ((4, "dependent", "dependent"), (5, "vendor", "vendor"), (6, "counterparty", None))


class _Batch:
    """The staged rows of one file, checked with SQL in the staging database."""

    def __init__(self, stage: duckdb.DuckDBPyConnection, name: str, text: str,
                 orgs: organisations.Directory, method: Methodology) -> None:  # fmt: skip
        self.stage, self.name, self.text = stage, name, text
        self.orgs, self.method = orgs, method
        self._resolve_organisations()
        stage.execute(
            "CREATE TABLE checked AS SELECT *, CASE WHEN source_publisher <> '' AND "
            "source_title <> '' AND try_cast(source_date AS DATE) IS NOT NULL AND "
            "regexp_full_match(source_date, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN 'SRC-' || "
            "sha256(concat_ws(chr(31), source_publisher, source_title, source_date, "
            "source_url))[:12] END AS source_id FROM raw"
        )
        self.keys = stage.sql(
            "SELECT rn, id, source_id, upper(source_reliability) AS grade FROM checked"
        ).to_arrow_table()

    def _resolve_organisations(self) -> None:
        """Names resolve through the directory (id, name or alias, any case) as in Python."""
        rows = []
        for _, column, role in _ORG_COLUMNS:
            for (value,) in self.stage.execute(
                f"SELECT DISTINCT {column} FROM raw WHERE {column} <> ''"
            ).fetchall():
                org_id, problem = self.orgs.check(value, role)
                rows.append((column, value, org_id, problem))
        table = pa.table({k: [r[i] for r in rows] for i, k in
                          enumerate(("col", "v", "org_id", "problem"))}, schema=pa.schema(
            [("col", pa.string()), ("v", pa.string()), ("org_id", pa.string()),
             ("problem", pa.string())]))  # fmt: skip
        self.stage.register("org_rows", table)
        self.stage.execute("CREATE TABLE orgmap AS SELECT * FROM org_rows")
        self.stage.unregister("org_rows")
        for _, column, _ in _ORG_COLUMNS:
            self.stage.execute(f"ALTER TABLE raw ADD COLUMN {column}_id VARCHAR")
            self.stage.execute(
                f"UPDATE raw SET {column}_id = m.org_id FROM orgmap m "
                f"WHERE m.col = '{column}' AND m.v = raw.{column}"
            )

    def row_problems(self) -> list[tuple]:
        """(record, order, column, rule, value, extra) for every rule a row breaks."""
        parts = [
            f"SELECT rn, {order} AS ord, '{column}' AS col, '{rule}' AS rule, "
            f"CAST({shown} AS VARCHAR) AS shown, NULL::VARCHAR AS extra FROM raw WHERE {cond}"
            for order, column, rule, cond, shown in _CHECKS
        ]
        parts += [
            f"SELECT rn, {order}, '{column}', 'org', m.problem, NULL FROM raw JOIN orgmap m "
            f"ON m.col = '{column}' AND m.v = raw.{column} WHERE m.problem IS NOT NULL"
            for order, column, _ in _ORG_COLUMNS
        ]
        parts += [f"SELECT rn, {order}, '{column}', 'empty', '', NULL FROM raw "
                  f"WHERE {column} = ''" for order, column, role in _ORG_COLUMNS if role]
        parts.append(  # a repeated id: every later row names the first
            "SELECT rn, 21, 'id', 'repeat', id, CAST(first_rn AS VARCHAR) FROM (SELECT rn, id, "
            "min(rn) OVER (PARTITION BY id) AS first_rn FROM raw WHERE id <> '') "
            "WHERE rn > first_rn"
        )
        parts.append(  # one source, two grades within the file: the first grade wins
            "SELECT rn, 22, 'source_reliability', 'grade', grade || '|' || first_grade, "
            "source_id FROM (SELECT rn, source_id, upper(source_reliability) AS grade, "
            "first(upper(source_reliability) ORDER BY rn) OVER (PARTITION BY source_id) AS "
            "first_grade FROM checked WHERE source_id IS NOT NULL) WHERE grade <> first_grade"
        )
        sql = " UNION ALL ".join(parts) + " ORDER BY rn, ord"
        return self.stage.execute(
            sql, {"today": date.today(), "families": list(self.method.families)}
        ).fetchall()

    def items(self) -> pa.Table:
        """The validated rows as stored values, ready for one INSERT ... SELECT."""
        return self.stage.sql(
            "SELECT rn, id, CAST(date AS DATE) AS date, "
            "CASE WHEN date_precision = '' THEN 'day' ELSE date_precision END AS date_precision,"
            " dependent_id AS dependent, vendor_id AS vendor, counterparty_id AS counterparty, "
            "family, CAST(direction AS TINYINT) AS direction, "
            "CAST(magnitude AS TINYINT) AS magnitude, CAST(credibility AS TINYINT) AS "
            "credibility, try_cast(replace(amount_usd, '_', '') AS DOUBLE) AS amount_usd, "
            "try_cast(replace(quantity, '_', '') AS DOUBLE) AS quantity, "
            "nullif(unit, '') AS unit, summary, nullif(grading_note, '') AS grading_note, "
            "source_id, source_publisher, source_title, CAST(source_date AS DATE) AS "
            "published, nullif(source_url, '') AS url, lower(source_language) AS language, "
            "upper(source_reliability) AS reliability FROM checked ORDER BY rn"
        ).to_arrow_table()

    def stored_problems(self, con: duckdb.DuckDBPyConnection) -> list[tuple]:
        """Ids the database already holds; grades that contradict a stored source."""
        con.register("incoming_keys", self.keys)
        try:
            return con.execute(
                "SELECT k.rn, 21, 'id', 'stored', k.id, NULL FROM incoming_keys k "
                "JOIN evidence e ON e.id = k.id UNION ALL SELECT k.rn, 22, "
                "'source_reliability', 'stored_grade', k.grade || '|' || s.reliability, "
                "k.source_id FROM incoming_keys k JOIN sources s ON s.id = k.source_id "
                "WHERE s.reliability <> k.grade"
            ).fetchall()
        finally:
            con.unregister("incoming_keys")

    def failure(self, found: list[tuple]) -> ValidationError:
        """Every problem, in file order, located by line (worked out only when needed).

        As in ``risk.evidence``: an id already stored is not also a repeat within the file,
        and a grade is compared with the stored source's when there is one."""
        lines = [line for line, _ in _records(self.text)][1:]
        stored_ids = {rn for rn, _, _, rule, _, _ in found if rule == "stored"}
        stored_sources = {extra for _, _, _, rule, _, extra in found if rule == "stored_grade"}
        located = []
        for rn, _, column, rule, shown, extra in sorted(found, key=lambda p: (p[0], p[1])):
            if rule == "repeat":
                if rn in stored_ids:
                    continue
                message = f"duplicate id {clip(shown)!r} (first on line {lines[int(extra)]})"
            elif rule == "stored":
                message = f"duplicate id {clip(shown)!r}: already stored"
            elif rule in ("grade", "stored_grade"):
                if rule == "grade" and extra in stored_sources:
                    continue
                grade, earlier = shown.split("|")
                message = f"{grade} conflicts with {earlier} given for the same source"
            elif rule == "family":
                known = ", ".join(self.method.families)
                message = f"unknown family {clip(shown)!r} (known: {known})"
            else:
                message = _MESSAGES[rule](shown)
            problem = evidence.row_problem(lines[rn], column, message)
            located.append(problem.within(f"{self.name}, "))
        return ValidationError(located)


def _insert(con: duckdb.DuckDBPyConnection) -> int:
    con.execute(
        "INSERT INTO sources (id, publisher, title, published, url, language, reliability) "
        "SELECT DISTINCT ON (source_id) source_id, source_publisher, source_title, published, "
        "url, language, reliability FROM incoming_items ORDER BY source_id, rn "
        "ON CONFLICT (id) DO NOTHING"
    )
    con.execute(
        "INSERT INTO evidence (id, date, date_precision, dependent, vendor, counterparty, "
        "family, direction, magnitude, credibility, amount_usd, quantity, unit, summary, "
        "grading_note, source_id, origin) SELECT id, date, date_precision, dependent, vendor, "
        "counterparty, family, direction, magnitude, credibility, amount_usd, quantity, unit, "
        "summary, grading_note, source_id, 'import' FROM incoming_items ORDER BY rn"
    )
    return con.execute("SELECT count(*) FROM incoming_items").fetchall()[0][0]
