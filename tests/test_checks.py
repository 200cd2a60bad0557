"""The data rules (`python -m risk check`): each rule fires on the row that breaks it, only
there, and a clean base passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from risk import checks, db
from risk.methodology import Methodology
from tests.conftest import add_items, item_row

SEED = "Un article sans adresse"


def _ledger(path: Path, block: str, known: str, supplier: str, evidence: list[str],
            status: str = "deployed") -> None:
    with db.transaction(path) as con:
        con.execute(
            "INSERT INTO ledger (id, known_from, dependent, supplier, chip, channel, quantity,"
            " unit, status, start, full_by) VALUES (?, ?, 'microsoft', ?, NULL, 'owned', 1000,"
            " 'H100e', ?, '2020-01-01', '2020-02-01')",
            [block, known, supplier, status],
        )
        for item in evidence:
            con.execute("INSERT INTO ledger_evidence VALUES (?, ?, ?)", [block, known, item])


def _findings(path: Path, method: Methodology) -> list[checks.Finding]:
    with db.connect(path) as con:
        return checks.run(con, method, [SEED])


def _rules(found: list[checks.Finding], where: str) -> set[str]:
    return {f.rule for f in found if f.where == where}


def test_a_clean_base_has_no_finding(db_file, method):
    add_items(db_file, method, item_row(id="A"), item_row(id="B", summary="Another story."))
    _ledger(db_file, "LG-1", "2020-03-01", "nvidia", ["A"])
    assert _findings(db_file, method) == []


def test_an_item_without_address_is_reported_unless_it_cites_a_seed(db_file, method):
    add_items(db_file, method,
              item_row(id="NOURL", source_url="", source_title="Some blog post"),
              item_row(id="SEED", source_url="", source_title=SEED, summary="Seed."))  # fmt: skip
    found = _findings(db_file, method)
    assert _rules(found, "evidence NOURL") == {"address"}
    assert _rules(found, "evidence SEED") == set()


def test_a_source_dated_before_the_event_is_reported(db_file, method):
    add_items(db_file, method, item_row(id="EARLY", date="2020-03-10", source_date="2020-03-01"),
              item_row(id="MONTH", date="2020-03-15", date_precision="month",
                       source_date="2020-03-02", summary="Month story."))  # fmt: skip
    found = _findings(db_file, method)
    assert _rules(found, "evidence EARLY") == {"source-date"}
    assert _rules(found, "evidence MONTH") == set()


def test_a_ledger_block_without_evidence_or_citing_later_evidence_is_reported(db_file, method):
    add_items(db_file, method, item_row(id="A", date="2020-03-01"))
    _ledger(db_file, "LG-NONE", "2020-03-01", "nvidia", [])
    _ledger(db_file, "LG-LATER", "2020-02-01", "nvidia", ["A"])
    found = _findings(db_file, method)
    assert _rules(found, "ledger LG-NONE (2020-03-01)") == {"ledger-evidence"}
    assert _rules(found, "ledger LG-LATER (2020-02-01)") == {"ledger-hindsight"}


def test_signs_against_the_rules_are_reported(db_file, method):
    add_items(db_file, method,
              item_row(id="TENS", family="tensions", summary="Tension story."),
              item_row(id="AWAY", direction="-1", counterparty="amd", summary="AMD story."),
              item_row(id="WRONG", direction="+1", counterparty="amd", summary="Wrong sign."),
              item_row(id="BARE", direction="-1", summary="No counterparty."))  # fmt: skip
    _ledger(db_file, "LG-AMD", "2020-03-01", "amd", ["AWAY", "WRONG"])
    found = _findings(db_file, method)
    assert _rules(found, "evidence TENS") == {"sign-rules"}
    assert _rules(found, "evidence AWAY") == set()
    assert _rules(found, "evidence WRONG") == {"sign-rules"}
    assert _rules(found, "evidence BARE") == {"sign-rules"}


def test_a_publisher_graded_two_ways_is_reported_once(db_file, method):
    add_items(db_file, method,
              item_row(id="A", source_title="One", source_reliability="A"),
              item_row(id="B", source_title="Two", source_reliability="C", summary="Other."))
    found = [f for f in _findings(db_file, method) if f.rule == "grades"]
    assert [str(f) for f in found] == [
        "source 'Test Wire': graded differently in different items: A, C [grades]"
    ]


@pytest.mark.parametrize("copy", ["Test item.", "TEST   item!", "Test items."])
def test_a_copied_summary_is_reported_on_the_later_item(db_file, method, copy):
    add_items(db_file, method, item_row(id="A", summary="Test item."),
              item_row(id="B", summary=copy))
    found = _findings(db_file, method)
    assert _rules(found, "evidence B") == {"copied-summary"}
    assert _rules(found, "evidence A") == set()


def test_a_cut_needs_no_counterparty_when_it_supports_a_cancelled_block(db_file, method):
    add_items(db_file, method, item_row(id="CUT", direction="-1", summary="Leases let go."))
    _ledger(db_file, "LG-CUT", "2020-03-01", "nvidia", ["CUT"], status="cancelled")
    assert _rules(_findings(db_file, method), "evidence CUT") == set()
