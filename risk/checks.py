"""The data rules: what `python -m risk check` verifies over an evidence base and its ledger.

Import validation refuses a row that cannot be stored (a bad date, an unknown company). These
rules catch rows that store fine but would mislead an analyst: an item nobody can look up, a
source dated before the event it reports, a ledger block that no evidence supports, a sign
against the documented convention, a publisher graded two ways, a summary copied from another
item. Each rule is one SQL query over the stored tables, so the same check runs on the
bundled data, on a team's database, and in the tests.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import duckdb

from risk import bootstrap, db
from risk.methodology import Methodology
from risk.paths import DATA_DIR

# The source articles the evidence base started from have no public address; items citing
# them (by title) are exempt from the address rule.
SEED_SOURCES = DATA_DIR / "seed_sources.csv"

# Near-duplicate summaries are compared pairwise; above this many items only exact copies
# (after folding case, spaces and punctuation) are looked for, to keep the check fast.
NEAR_DUPLICATE_LIMIT = 3000
NEAR_DUPLICATE_RATIO = 0.9

# The first day of the period an item's date stands for: a month-precision item is dated the
# 15th and a year-precision item 1 July, but its source may come from any day of the period.
_PERIOD_START = """CASE e.date_precision
    WHEN 'year' THEN date_trunc('year', e.date)
    WHEN 'month' THEN date_trunc('month', e.date)
    ELSE e.date END"""


@dataclass(frozen=True)
class Finding:
    """One problem: which rule, which row, and what is wrong, in one line."""

    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message} [{self.rule}]"


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Iterable = ()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def _no_address(con: duckdb.DuckDBPyConnection, seeds: frozenset[str]) -> list[Finding]:
    sql = """SELECT e.id, s.title FROM evidence e JOIN sources s ON s.id = e.source_id
             WHERE coalesce(trim(s.url), '') = '' ORDER BY e.id"""
    return [
        Finding("address", f"evidence {item}", f"no source address (source '{title}')")
        for item, title in _rows(con, sql)
        if title not in seeds
    ]


def _source_before_event(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    sql = f"""SELECT e.id, s.published, e.date FROM evidence e JOIN sources s ON s.id = e.source_id
              WHERE s.published < {_PERIOD_START} ORDER BY e.id"""
    return [
        Finding("source-date", f"evidence {item}",
                f"source_date {published} is before the event it reports ({day})")
        for item, published, day in _rows(con, sql)
    ]  # fmt: skip


def _quantity_without_unit(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    sql = """SELECT id FROM evidence WHERE quantity IS NOT NULL AND coalesce(trim(unit), '') = ''
             ORDER BY id"""
    return [
        Finding("unit", f"evidence {item}", "quantity has no unit") for (item,) in _rows(con, sql)
    ]


def _ledger_support(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    sql = """SELECT l.id, l.known_from,
                    count(le.evidence_id) AS cited,
                    list(le.evidence_id ORDER BY le.evidence_id)
                        FILTER (WHERE le.evidence_id IS NOT NULL AND e.id IS NULL) AS missing,
                    list(le.evidence_id ORDER BY le.evidence_id)
                        FILTER (WHERE e.date > l.known_from) AS later
             FROM ledger l
             LEFT JOIN ledger_evidence le ON le.id = l.id AND le.known_from = l.known_from
             LEFT JOIN evidence e ON e.id = le.evidence_id
             GROUP BY l.id, l.known_from ORDER BY l.id, l.known_from"""
    found: list[Finding] = []
    for block, known, cited, missing, later in _rows(con, sql):
        where = f"ledger {block} ({known})"
        if not cited:
            found.append(Finding("ledger-evidence", where, "no supporting evidence"))
        if missing:
            found.append(Finding("ledger-evidence", where,
                                 f"cites evidence that does not exist: {', '.join(missing)}"))
        if later:
            found.append(Finding("ledger-hindsight", where,
                                 f"cites evidence dated after it became known: "
                                 f"{', '.join(later)}"))  # fmt: skip
    return found


def _families(con: duckdb.DuckDBPyConnection, method: Methodology) -> list[Finding]:
    known = sorted(method.families)
    sql = "SELECT id, family FROM evidence WHERE NOT list_contains(?, family) ORDER BY id"
    return [
        Finding("sign-rules", f"evidence {item}",
                f"family '{family}' is not in the methodology ({', '.join(known)})")
        for item, family in _rows(con, sql, [known])
    ]  # fmt: skip


def _tensions_counterparty(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    sql = """SELECT id FROM evidence
             WHERE family = 'tensions' AND coalesce(trim(counterparty), '') = '' ORDER BY id"""
    return [
        Finding("sign-rules", f"evidence {item}",
                "a tensions item must name the other party in counterparty")
        for (item,) in _rows(con, sql)
    ]  # fmt: skip


def _spend_sign(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Spend on the vendor's chips points towards it (+1); on anyone else's, away (-1).

    Checked where an item supports live ledger blocks that all agree on the supplier side.
    """
    sql = """SELECT e.id, e.direction,
                    bool_and(l.supplier = e.vendor) AS all_vendor,
                    bool_and(l.supplier <> e.vendor) AS none_vendor
             FROM evidence e
             JOIN ledger_evidence le ON le.evidence_id = e.id
             JOIN ledger l ON l.id = le.id AND l.known_from = le.known_from
             WHERE e.family = 'spend' AND l.status NOT IN ('cancelled', 'denied')
             GROUP BY e.id, e.direction ORDER BY e.id"""
    found: list[Finding] = []
    for item, direction, all_vendor, none_vendor in _rows(con, sql):
        if all_vendor and direction < 0:
            found.append(Finding("sign-rules", f"evidence {item}",
                                 "spend on the vendor's chips must have direction +1"))
        if none_vendor and direction > 0:
            found.append(Finding("sign-rules", f"evidence {item}",
                                 "spend on another supplier's chips must have direction -1"))
    sql = """SELECT e.id FROM evidence e WHERE e.family = 'spend' AND e.direction < 0
             AND coalesce(trim(e.counterparty), '') = ''
             AND NOT EXISTS (SELECT 1 FROM ledger_evidence le JOIN ledger l
                             ON l.id = le.id AND l.known_from = le.known_from
                             WHERE le.evidence_id = e.id AND l.status IN ('cancelled', 'denied'))
             ORDER BY e.id"""
    found += [
        Finding("sign-rules", f"evidence {item}",
                "spend away from the vendor must name the other supplier in counterparty"
                " (or support a cancelled or denied ledger block)")
        for (item,) in _rows(con, sql)
    ]  # fmt: skip
    return found


def _grades(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    sql = """SELECT publisher, list(DISTINCT reliability ORDER BY reliability)
             FROM sources GROUP BY publisher HAVING count(DISTINCT reliability) > 1
             ORDER BY publisher"""
    return [
        Finding("grades", f"source '{publisher}'",
                f"graded differently in different items: {', '.join(grades)}")
        for publisher, grades in _rows(con, sql)
    ]  # fmt: skip


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _copied_summaries(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    items = _rows(con, "SELECT id, summary FROM evidence ORDER BY id")
    folded = [(item, _fold(summary)) for item, summary in items]
    found: list[Finding] = []
    first_with: dict[str, str] = {}
    for item, text in folded:
        if text in first_with:
            found.append(Finding("copied-summary", f"evidence {item}",
                                 f"summary is a copy of {first_with[text]}'s"))
        else:
            first_with[text] = item
    if len(folded) > NEAR_DUPLICATE_LIMIT:
        return found
    unique = [(item, text) for text, item in first_with.items()]
    for i, (item, text) in enumerate(unique):
        for other, other_text in unique[:i]:
            matcher = SequenceMatcher(None, other_text, text, autojunk=False)
            if matcher.quick_ratio() >= NEAR_DUPLICATE_RATIO and (
                matcher.ratio() >= NEAR_DUPLICATE_RATIO
            ):
                found.append(Finding("copied-summary", f"evidence {item}",
                                     f"summary is nearly the same as {other}'s"))
    return found  # fmt: skip


def run(con: duckdb.DuckDBPyConnection, method: Methodology, seeds: Iterable[str]) -> list[Finding]:
    """Every finding over the stored evidence and ledger, rule by rule.

    ``seeds`` are the titles of the source articles that have no public address.
    """
    seed_titles = frozenset(seeds)
    rules: list[Callable[[], list[Finding]]] = [
        lambda: _no_address(con, seed_titles),
        lambda: _source_before_event(con),
        lambda: _quantity_without_unit(con),
        lambda: _ledger_support(con),
        lambda: _families(con, method),
        lambda: _tensions_counterparty(con),
        lambda: _spend_sign(con),
        lambda: _grades(con),
        lambda: _copied_summaries(con),
    ]
    return [finding for rule in rules for finding in rule()]


def seed_titles(path: Path = SEED_SOURCES) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [row["title"] for row in csv.DictReader(fh)]


def check_database(path: Path, method: Methodology) -> list[Finding]:
    """The rules over an existing database (a team's, or one a test built)."""
    with db.connect(path) as con:
        return run(con, method, seed_titles())


def check_bundled(method: Methodology) -> list[Finding]:
    """The rules over the bundled CSVs, loaded into a throwaway database: loading applies
    every import rule (a bad row raises, naming its line and field), then the data rules."""
    with tempfile.TemporaryDirectory(prefix="risk-check-") as folder:
        target = Path(folder) / "check.duckdb"
        bootstrap.init_database(target, method)
        return check_database(target, method)
