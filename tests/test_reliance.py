"""Reliance indicators from a tiny hand-checkable ledger: shares, ramps, point-in-time
views, cancellations, spend, and explain's rows summing to the stored numbers.

The test methodology (tests/ledger_support.py) has round factors: H100 = 1 H100e; AMD's
MI300X 1.25 (1 to 1.5); per GW nvidia 1M H100e (0.5M to 2M), AMD 0.5M (0.25M to 1M);
20,000 USD per H100e (10,000 to 40,000) before 2021. Its grid is 2020-01-01 to 2020-12-31.
"""

from __future__ import annotations

import math
from datetime import date

import pytest
from conftest import day
from ledger_support import block, load

from risk import db, reliance
from risk.errors import NotFoundError


def compute(path, method):
    with db.transaction(path) as con:
        return reliance.compute(con, method)


def value(path, indicator, on, view="as_known", dependent="microsoft"):
    """(value, low, high) stored for one day."""
    with db.connect(path) as con:
        row = con.execute(
            "SELECT value, low, high FROM reliance WHERE dependent = ? AND indicator = ? "
            "AND view = ? AND date = ?",
            [dependent, indicator, view, day(on)],
        ).fetchone()
    assert row is not None, (indicator, on, view)
    return row


def test_one_deployed_row_is_all_of_the_deployed_compute(ldb, lmethod):
    load(ldb, lmethod, block())  # 100 H100e of nvidia, deployed on 2020-02-01, known 01-01
    rows = compute(ldb, lmethod)
    assert rows == 7 * 2 * 366  # seven indicators, two views, every day of 2020
    assert value(ldb, "vendor_share_deployed", "2020-01-31") == (None, None, None)
    assert value(ldb, "vendor_share_pipeline", "2020-01-31") == (100.0, 100.0, 100.0)
    assert value(ldb, "vendor_share_deployed", "2020-02-01") == (100.0, 100.0, 100.0)
    assert value(ldb, "vendor_share_pipeline", "2020-02-01") == (None, None, None)
    assert value(ldb, "hhi_deployed", "2020-06-01") == (1.0, 1.0, 1.0)
    assert value(ldb, "effective_suppliers_deployed", "2020-06-01") == (1.0, 1.0, 1.0)
    # 100 H100e x 20,000 USD (10,000 to 40,000), bought within the last twelve months
    assert value(ldb, "vendor_spend_ttm_usd", "2020-12-31") == (2e6, 1e6, 4e6)
    assert value(ldb, "vendor_spend_ttm_usd", "2020-01-31") == (0.0, 0.0, 0.0)


def test_a_ramp_is_half_delivered_halfway_through_its_window(ldb, lmethod):
    load(ldb, lmethod,
         block(quantity="300", start="2020-03-01", full_by="2020-03-31"),
         block(id="LG-2", supplier="amd", quantity="150", start="2020-03-01",
               full_by="2020-03-01"))  # fmt: skip
    compute(ldb, lmethod)
    assert value(ldb, "vendor_share_deployed", "2020-03-16")[0] == pytest.approx(50.0)
    assert value(ldb, "vendor_share_pipeline", "2020-03-16")[0] == pytest.approx(100.0)
    assert value(ldb, "vendor_spend_ttm_usd", "2020-03-16")[0] == pytest.approx(150 * 20000)
    with db.connect(ldb) as con:
        cap = reliance.capacity_by_supplier(con, "microsoft")
    on = cap[(cap["date"] == "2020-03-16") & (cap["supplier"] == "nvidia")].iloc[0]
    assert on["deployed_h100e"] == pytest.approx(150.0)
    assert on["pipeline_h100e"] == pytest.approx(150.0)
    assert not on["projected"]


def test_a_status_change_known_later_is_not_seen_before_it_is_public(ldb, lmethod):
    load(ldb, lmethod,
         block(status="planned"),  # 100 H100e planned: weight 0.5 until June
         block(known_from="2020-06-01", status="deployed"),
         block(id="LG-2", supplier="amd", unit="H100e"))  # fmt: skip
    compute(ldb, lmethod)
    central, low, high = value(ldb, "vendor_share_deployed", "2020-03-01")
    assert central == pytest.approx(100 * 50 / 150)  # what was known in March
    assert low == 0.0  # a plan does not count in the low scenario
    assert high == pytest.approx(50.0)
    assert value(ldb, "vendor_share_deployed", "2020-03-01", "hindsight")[0] == 50.0
    assert value(ldb, "vendor_share_deployed", "2020-07-01")[0] == 50.0


def test_shares_of_two_suppliers_by_hand(ldb, lmethod):
    """100,000 H100 deployed; 1 GW of AMD contracted ramping from 07-01 to 09-09 (70 days)."""
    load(ldb, lmethod,
         block(unit="chips", chip="H100", quantity="100000", start="2020-01-01",
               full_by="2020-01-01"),
         block(id="LG-2", supplier="amd", unit="GW", quantity="1", status="contracted",
               start="2020-07-01", full_by="2020-09-09"))  # fmt: skip
    compute(ldb, lmethod)
    # On 08-05, half way: AMD 0.5 GW x 500,000 H100e/GW x 0.9 (contracted) = 225,000 H100e
    central, low, high = value(ldb, "vendor_share_deployed", "2020-08-05")
    assert central == pytest.approx(100 * 100_000 / 325_000)
    assert low == pytest.approx(100 * 100_000 / (100_000 + 500_000))  # AMD at its high factor
    assert high == pytest.approx(100 * 100_000 / (100_000 + 125_000))  # AMD at its low
    hhi = (100 / 325) ** 2 + (225 / 325) ** 2
    assert value(ldb, "hhi_deployed", "2020-08-05")[0] == pytest.approx(hhi)
    assert value(ldb, "effective_suppliers_deployed", "2020-08-05")[0] == pytest.approx(1 / hhi)
    # the pipeline is AMD's undelivered half only
    assert value(ldb, "vendor_share_pipeline", "2020-08-05")[0] == pytest.approx(0.0)
    assert value(ldb, "effective_suppliers_pipeline", "2020-08-05")[0] == pytest.approx(1.0)


def test_a_cancelled_row_counts_for_nothing_from_the_day_it_is_public(ldb, lmethod):
    load(ldb, lmethod,
         block(),
         block(known_from="2020-06-01", status="cancelled"),
         block(id="LG-2", supplier="amd"))  # fmt: skip
    compute(ldb, lmethod)
    assert value(ldb, "vendor_share_deployed", "2020-05-31")[0] == 50.0
    assert value(ldb, "vendor_share_deployed", "2020-06-01") == (0.0, 0.0, 0.0)
    assert value(ldb, "vendor_share_deployed", "2020-03-01", "hindsight") == (0.0, 0.0, 0.0)
    assert value(ldb, "vendor_spend_ttm_usd", "2020-06-01") == (0.0, 0.0, 0.0)


def test_a_block_counts_until_its_end(ldb, lmethod):
    load(ldb, lmethod, block(end="2020-06-01"), block(id="LG-2", supplier="amd"))
    compute(ldb, lmethod)
    assert value(ldb, "vendor_share_deployed", "2020-05-31")[0] == 50.0
    assert value(ldb, "vendor_share_deployed", "2020-06-01")[0] == 0.0
    assert value(ldb, "vendor_share_deployed", "2020-06-01", "hindsight")[0] == 0.0


def test_capacity_is_projected_past_the_end_while_blocks_still_ramp(ldb, lmethod):
    load(ldb, lmethod, block(start="2020-07-01", full_by="2021-06-30"))
    compute(ldb, lmethod)
    with db.connect(ldb) as con:
        cap = reliance.capacity_by_supplier(con, "microsoft", "hindsight")
        last = con.execute("SELECT max(date) FROM reliance").fetchone()[0]
    assert last == date(2020, 12, 31)
    assert str(cap["date"].max())[:10] == "2021-06-30"
    tail = cap[cap["projected"]]
    assert str(tail["date"].min())[:10] == "2021-01-01"
    assert tail["deployed_h100e"].iloc[-1] == pytest.approx(100.0)


def test_latest_and_series_read_the_stored_indicators(ldb, lmethod):
    load(ldb, lmethod, block(), block(id="LG-2", supplier="amd", dependent="openai"))
    compute(ldb, lmethod)
    with db.connect(ldb) as con:
        cards = reliance.latest(con)
        one = reliance.series(con, "microsoft", "vendor_share_deployed", "hindsight")
        with pytest.raises(NotFoundError, match="unknown indicator"):
            reliance.series(con, "microsoft", "nvidia_share")
        with pytest.raises(NotFoundError, match="unknown view"):
            reliance.latest(con, "today")
    assert len(cards) == 2 * 7
    assert set(cards["indicator"]) == set(reliance.INDICATORS)
    assert (cards["date"].astype(str).str[:10] == "2020-12-31").all()
    by = cards.set_index(["dependent", "indicator"])["value"]
    assert by[("microsoft", "vendor_share_deployed")] == 100.0
    assert by[("openai", "vendor_share_deployed")] == 0.0
    assert len(one) == 366 and one["value"].iloc[-1] == 100.0
    assert set(reliance.RANGE_MEANING) == set(reliance.INDICATORS)


MIXED = [
    block(quantity="300", start="2020-03-01", full_by="2020-05-30", status="planned"),
    block(known_from="2020-04-15", quantity="250", start="2020-03-01", full_by="2020-06-30",
          status="contracted", evidence="EV-1;EV-2"),
    block(id="LG-2", supplier="amd", unit="chips", quantity="120", start="2020-02-01",
          full_by="2020-08-01", status="delivering"),
    block(id="LG-3", unit="USD", quantity="2000000", status="rumoured", start="2020-05-01",
          full_by="2020-09-01", known_from="2020-02-01"),
    block(id="LG-3", unit="USD", quantity="2000000", status="denied", start="2020-05-01",
          full_by="2020-09-01", known_from="2020-07-01"),
    block(id="LG-4", supplier="amd", unit="MW", quantity="0.1", status="deployed",
          start="2020-01-15", full_by="2020-01-15", end="2020-10-01"),
    block(id="LG-5", unit="chips", chip="GB200", quantity="40", status="contracted",
          start="2020-09-01", full_by="2021-03-01", known_from="2020-06-01"),
]  # fmt: skip


@pytest.mark.parametrize("view", reliance.VIEWS)
@pytest.mark.parametrize("indicator", reliance.INDICATORS)
def test_explain_rows_sum_to_the_value_and_match_the_stored_series(
    ldb, lmethod, view, indicator
):
    load(ldb, lmethod, *MIXED)
    compute(ldb, lmethod)
    for on in ("2020-01-20", "2020-03-20", "2020-04-15", "2020-06-10", "2020-07-01",
               "2020-09-15", "2020-10-01", "2020-12-31"):  # fmt: skip
        with db.connect(ldb) as con:
            out = reliance.explain_indicator(con, lmethod, "microsoft", indicator, day(on),
                                             view)  # fmt: skip
        stored = value(ldb, indicator, on, view)
        for got, want in zip((out["value"], out["low"], out["high"]), stored, strict=True):
            assert (got is None) == (want is None), (on, got, want)
            if want is not None:
                assert got == pytest.approx(want, rel=1e-9, abs=1e-9), on
        points = sum(c["points"] for c in out["contributions"])
        if out["value"] is None:
            assert points == 0.0
        else:
            assert math.isclose(points, out["value"], rel_tol=1e-12, abs_tol=1e-9), on
            assert out["low"] <= out["value"] <= out["high"]
        assert out["meaning"] == reliance.RANGE_MEANING[indicator]
        assert out["methodology_version"] == lmethod.version


def test_explain_lists_the_rows_largest_first_with_their_sources(ldb, lmethod):
    load(ldb, lmethod, *MIXED)
    with db.connect(ldb) as con:
        out = reliance.explain_indicator(con, lmethod, "microsoft", "vendor_share_deployed",
                                         day("2020-06-10"))  # fmt: skip
        top = reliance.explain_indicator(con, lmethod, "microsoft", "vendor_share_deployed",
                                         day("2020-06-10"), top=1)  # fmt: skip
        with pytest.raises(NotFoundError):
            reliance.explain_indicator(con, lmethod, "google", "hhi_deployed", day("2020-06-10"))
    ids = [c["id"] for c in out["contributions"]]
    assert ids[0] == "LG-1" and set(ids) == {"LG-1", "LG-2", "LG-3", "LG-4"}
    first = out["contributions"][0]
    assert first["known_from"] == "2020-04-15" and first["status"] == "contracted"
    assert first["evidence"] == ["EV-1", "EV-2"]
    assert first["sources"] == [{"publisher": "Test Wire", "url": "https://example.org/a"}]
    amd = next(c for c in out["contributions"] if c["id"] == "LG-2")
    assert amd["points"] == 0.0 and amd["h100e"] > 0  # it dilutes, it scores nothing
    assert len(top["contributions"]) == 1
    assert top["omitted"]["rows"] == 3
    assert top["contributions"][0]["points"] + top["omitted"]["points"] == pytest.approx(
        out["value"])


def test_every_stored_range_holds_its_value(ldb, lmethod):
    load(ldb, lmethod, *MIXED)
    compute(ldb, lmethod)
    with db.connect(ldb) as con:
        bad = con.execute(
            "SELECT count(*) FROM reliance WHERE value IS NOT NULL "
            "AND NOT (low <= value + 1e-9 AND value <= high + 1e-9)"
        ).fetchone()[0]
        shares = con.execute(
            "SELECT min(low), max(high) FROM reliance WHERE indicator LIKE 'vendor_share%'"
        ).fetchone()
    assert bad == 0
    assert shares[0] >= 0.0 and shares[1] <= 100.0
