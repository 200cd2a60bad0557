"""The README's worked example of methodology 2 holds with the bundled conversion factors:
a reader who checks it by hand and the code agree."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import BUNDLED, add_items, item_row
from ledger_support import block, load

from risk import db, reliance

DAY = date(2026, 7, 2)


@pytest.fixture
def example_db(db_file):
    add_items(db_file, BUNDLED, item_row(id="EV-A", date="2026-01-01", source_date="2026-01-01"),
              item_row(id="EV-B", date="2026-01-01", source_date="2026-01-01",
                       summary="AMD block.", counterparty="amd", direction="-1"))  # fmt: skip
    load(db_file, BUNDLED,
         block(id="LG-A", known_from="2026-01-01", supplier="nvidia", chip="H100",
               quantity=100000, unit="chips", status="deployed", start="2026-01-01",
               full_by="2026-01-01", evidence="EV-A"),
         block(id="LG-B", known_from="2026-01-01", supplier="amd", chip="", quantity=1,
               unit="GW", status="contracted", start="2026-01-01", full_by="2026-12-31",
               evidence="EV-B"))  # fmt: skip
    return db_file


def _explain(path, indicator):
    with db.connect(path) as con:
        return reliance.explain_indicator(con, BUNDLED, "microsoft", indicator, DAY)


def test_the_worked_example_shares_are_as_the_readme_says(example_db):
    deployed = _explain(example_db, "vendor_share_deployed")
    assert round(deployed["value"], 1) == 12.9
    assert (round(deployed["low"], 1), round(deployed["high"], 1)) == (5.7, 16.7)
    points = {c["id"]: round(c["points"], 1) for c in deployed["contributions"]}
    assert points == {"LG-A": 12.9, "LG-B": 0.0}
    assert _explain(example_db, "vendor_share_pipeline")["value"] == pytest.approx(0.0)


def test_the_worked_example_concentration_and_spend_are_as_the_readme_says(example_db):
    assert round(_explain(example_db, "hhi_deployed")["value"], 3) == 0.775
    assert round(_explain(example_db, "effective_suppliers_deployed")["value"], 2) == 1.29
    spend = _explain(example_db, "vendor_spend_ttm_usd")
    assert (round(spend["value"] / 1e9, 2), round(spend["low"] / 1e9, 2),
            round(spend["high"] / 1e9, 2)) == (3.2, 1.67, 4.5)  # fmt: skip
