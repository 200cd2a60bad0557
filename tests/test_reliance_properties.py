"""Properties of the reliance indicators, checked on generated ledgers (hypothesis):

- adding deployed vendor capacity never lowers the vendor share; adding another supplier's
  capacity never raises it;
- a cancelled or denied version counts for nothing from the day it is public (as known),
  and the block counts for nothing at all in hindsight;
- without new evidence (every window full, no later version) the shares do not drift.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_support import block

from risk import db, ledger, reliance
from risk.units import STATUSES

START, END = date(2020, 1, 1), date(2020, 6, 30)
DEPLOYED = ("vendor_share_deployed", "hhi_deployed", "effective_suppliers_deployed")
SHARES = ("vendor_share_deployed", "vendor_share_pipeline")
TOL = 1e-9
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


def iso(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


@st.composite
def versions(draw, supplier=None, status=None, latest_start=120, longest_ramp=60):
    """One block's fields (a first version), as ledger CSV values."""
    start = draw(st.integers(0, latest_start))
    unit = draw(st.sampled_from(["H100e", "chips"]))
    return {
        "supplier": supplier or draw(st.sampled_from(["nvidia", "amd"])),
        "status": status or draw(st.sampled_from(STATUSES)),
        "unit": unit, "quantity": str(draw(st.integers(1, 1000))),
        "start": iso(start), "full_by": iso(start + draw(st.integers(0, longest_ramp))),
        "known_from": iso(draw(st.integers(0, 150))),
    }  # fmt: skip


@st.composite
def ledgers(draw, min_size=1):
    """Blocks of one or two versions each (a later version may change status or size)."""
    rows = []
    for n in range(draw(st.integers(min_size, 4))):
        first = draw(versions())
        rows.append(block(id=f"LG-{n}", **first))
        if draw(st.booleans()):
            later = dict(first, status=draw(st.sampled_from(STATUSES)),
                         quantity=str(draw(st.integers(1, 1000))),
                         known_from=iso(150 + draw(st.integers(1, 20))))  # fmt: skip
            rows.append(block(id=f"LG-{n}", **later))
    return rows


def measure(path, method, rows) -> dict:
    """Load ``rows`` into an empty ledger, compute, and read every stored figure back."""
    with db.transaction(path) as con:
        con.execute("DELETE FROM ledger_evidence")
        con.execute("DELETE FROM ledger")
        if rows:
            ledger.load_rows(con, rows, method)
        reliance.compute(con, method, start=START, end=END, project_days=0)
        got = con.execute(
            "SELECT view, indicator, date, value, low, high FROM reliance"
        ).fetchall()
    return {(v, i, d): (val, lo, hi) for v, i, d, val, lo, hi in got}


def compared(before: dict, after: dict, indicators: tuple[str, ...]):
    for key, old in before.items():
        if key[1] in indicators and key in after:
            yield key, old, after[key]


@SETTINGS
@given(base=ledgers(min_size=0), extra=versions(supplier="nvidia", status="deployed"))
def test_adding_deployed_vendor_capacity_never_lowers_the_vendor_share(ldb, lmethod, base,
                                                                       extra):  # fmt: skip
    before = measure(ldb, lmethod, base)
    after = measure(ldb, lmethod, [*base, block(id="LG-X", **extra)])
    for key, old, new in compared(before, after, ("vendor_share_deployed",)):
        for o, n in zip(old, new, strict=True):
            if o is not None:
                assert n is not None and n >= o - TOL, (key, old, new)


@SETTINGS
@given(base=ledgers(min_size=0), extra=versions(supplier="amd"))
def test_adding_another_suppliers_capacity_never_raises_the_vendor_share(ldb, lmethod, base,
                                                                         extra):  # fmt: skip
    before = measure(ldb, lmethod, base)
    after = measure(ldb, lmethod, [*base, block(id="LG-X", **extra)])
    for key, old, new in compared(before, after, SHARES):
        for o, n in zip(old, new, strict=True):
            if o is not None and n is not None:
                assert n <= o + TOL, (key, old, new)


@SETTINGS
@given(base=ledgers(), first=versions(), void=st.sampled_from(["cancelled", "denied"]),
       delay=st.integers(1, 60))  # fmt: skip
def test_a_cancelled_or_denied_version_counts_for_nothing_from_its_day(
    ldb, lmethod, base, first, void, delay
):
    first = dict(first, known_from=min(first["known_from"], iso(100)))
    public = date.fromisoformat(first["known_from"]) + timedelta(days=delay)
    cancelled = dict(first, status=void, known_from=public.isoformat())
    without = measure(ldb, lmethod, base)
    with_it = measure(ldb, lmethod, [*base, block(id="LG-X", **first),
                                     block(id="LG-X", **cancelled)])  # fmt: skip
    checked = 0
    for (view, indicator, on), old, new in compared(without, with_it, reliance.INDICATORS):
        if view == "hindsight" or on >= public:
            checked += 1
            for o, n in zip(old, new, strict=True):
                assert (o is None) == (n is None), (view, indicator, on, old, new)
                if o is not None:
                    assert n == pytest.approx(o, rel=TOL, abs=TOL), (view, indicator, on)
    assert checked > 0


@SETTINGS
@given(rows=st.lists(versions(latest_start=60, longest_ramp=30), min_size=1, max_size=5))
def test_without_new_evidence_the_shares_do_not_drift(ldb, lmethod, rows):
    settled = date(2020, 4, 1)  # every window is full and every version known by then
    rows = [block(id=f"LG-{n}", **dict(r, known_from=min(r["known_from"], iso(90))))
            for n, r in enumerate(rows)]  # fmt: skip
    stored = measure(ldb, lmethod, rows)
    for view in reliance.VIEWS:
        for indicator in DEPLOYED:
            first = stored[(view, indicator, settled)]
            for on in range(1, (END - settled).days + 1):
                later = stored[(view, indicator, settled + timedelta(days=on))]
                for a, b in zip(first, later, strict=True):
                    assert (a is None) == (b is None)
                    if a is not None:
                        assert b == pytest.approx(a, rel=TOL, abs=TOL), (view, indicator, on)
