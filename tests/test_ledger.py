"""The capacity ledger: validation by row and field, all or nothing, the CSV round trip, and
the methodology's [ledger] and [conversion] sections."""

from __future__ import annotations

import copy
import csv
import tomllib

import pytest
from conftest import write_csv
from ledger_support import block, ledger_method, ledger_methodology_dict, load, with_evidence

from risk import db, ledger
from risk.errors import ConfigError, ValidationError
from risk.evidence import EVIDENCE_COLUMNS
from risk.methodology import from_dict, to_toml
from risk.methodology import load as load_methodology
from risk.organisations import ORG_COLUMNS
from risk.paths import METHODOLOGY_FILE


def stored(path):
    with db.connect(path) as con:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("ledger", "ledger_evidence"))  # fmt: skip


def test_a_file_loads_every_row_and_reads_back_as_the_same_csv(ldb, lmethod, tmp_path):
    rows = [
        block(id="LG-1", evidence="EV-1;EV-2", note="Azure cluster"),
        block(id="LG-1", known_from="2020-03-01", status="cancelled"),
        block(id="LG-2", supplier="amd", chip="MI300X", unit="chips", quantity="5000",
              channel="Azure", end="2024-01-01"),
    ]  # fmt: skip
    file = write_csv(tmp_path / "capacity.csv", rows)
    with db.transaction(ldb) as con:
        assert ledger.load_csv(con, file, lmethod) == 3
    assert stored(ldb) == (3, 4)
    with db.connect(ldb) as con:
        frame = ledger.rows(con)
        assert list(frame.columns) == list(ledger.LEDGER_COLUMNS)
        assert ledger.rows(con, "openai").empty
    first = frame.iloc[0].to_dict()
    assert first["evidence"] == "EV-1;EV-2" and first["known_from"] == "2020-01-01"
    assert frame.iloc[2]["channel"] == "microsoft"  # the alias is stored as the id
    # round trip: the export is a file load_csv takes back as it is
    out = tmp_path / "export.csv"
    frame.to_csv(out, index=False)
    with db.transaction(ldb) as con:
        con.execute("DELETE FROM ledger_evidence")
        con.execute("DELETE FROM ledger")
        assert ledger.load_csv(con, out, lmethod) == 3
        again = ledger.rows(con)
    assert again.astype(str).equals(frame.astype(str))


def test_is_ledger_header_tells_a_ledger_from_other_files():
    assert ledger.is_ledger_header(list(ledger.LEDGER_COLUMNS))
    assert ledger.is_ledger_header([c for c in ledger.LEDGER_COLUMNS if c != "note"])
    assert not ledger.is_ledger_header(list(EVIDENCE_COLUMNS))
    assert not ledger.is_ledger_header(list(ORG_COLUMNS))
    with open(__file__, encoding="utf-8"):  # the header of a real CSV line, spaces trimmed
        header = next(csv.reader([", ".join(ledger.LEDGER_COLUMNS)]))
    assert ledger.is_ledger_header(header)


BAD = [
    ({"unit": "TW"}, "unit", "unknown unit 'TW'"),
    ({"status": "maybe"}, "status", "unknown status 'maybe'"),
    ({"chip": "H300"}, "chip", "unknown chip 'H300'"),
    ({"chip": "MI300X"}, "chip", "MI300X is a amd chip, not a nvidia one"),
    ({"dependent": "initech"}, "dependent", "unknown organisation 'initech'"),
    ({"dependent": "nvidia"}, "dependent", "'nvidia' is not a dependent"),
    ({"supplier": "initech"}, "supplier", "unknown organisation 'initech'"),
    ({"channel": "initech"}, "channel", "unknown organisation 'initech'"),
    ({"quantity": "-5"}, "quantity", "'-5' must be a finite number greater than 0"),
    ({"quantity": "0"}, "quantity", "'0' must be a finite number greater than 0"),
    ({"quantity": "inf"}, "quantity", "'inf' must be a finite number greater than 0"),
    ({"quantity": "nan"}, "quantity", "'nan' must be a finite number greater than 0"),
    ({"quantity": "10k"}, "quantity", "'10k' is not a number"),
    ({"quantity": ""}, "quantity", "is empty"),
    ({"full_by": "2020-01-15"}, "full_by", "2020-01-15 is before start 2020-02-01"),
    ({"end": "2020-01-15"}, "end", "2020-01-15 is before start 2020-02-01"),
    ({"known_from": "2999-01-01"}, "known_from", "2999-01-01 is in the future"),
    ({"start": "2020-02-30"}, "start", "'2020-02-30' is not a real calendar date"),
    ({"start": "2020/02/01"}, "start", "'2020/02/01' is not a date in YYYY-MM-DD form"),
    ({"known_from": ""}, "known_from", "is empty (expected YYYY-MM-DD)"),
    ({"evidence": "EV-404"}, "evidence", "evidence id 'EV-404' does not exist"),
    ({"evidence": ""}, "evidence", "is empty: every row needs at least one evidence id"),
    ({"evidence": "EV-1;EV-1"}, "evidence", "lists the same evidence id twice"),
    ({"id": "LG 1"}, "id", "'LG 1' may hold only"),
    ({"unit": "USD", "supplier": "amd", "chip": "", "dependent": "openai",
      "channel": "owned", "id": "LG-9"}, None, None),  # a valid row: the control
]  # fmt: skip


@pytest.mark.parametrize(("override", "field", "message"), BAD,
                         ids=[b[2] or "valid" for b in BAD])  # fmt: skip
def test_each_bad_value_is_named_by_row_and_field_and_nothing_is_written(
    ldb, lmethod, tmp_path, override, field, message
):
    file = write_csv(tmp_path / "c.csv", [block(id="LG-0"), block(**override)])
    with db.transaction(ldb) as con:
        if field is None:
            assert ledger.load_csv(con, file, lmethod) == 2
            return
        with pytest.raises(ValidationError) as err:
            ledger.load_csv(con, file, lmethod)
    assert len(err.value.problems) == 1, err.value.problems
    assert err.value.problems[0].startswith(f"c.csv, line 3, column {field}: {message}")
    assert stored(ldb) == (0, 0)


def test_duplicate_versions_are_refused_in_the_batch_and_against_the_stored_ledger(
    ldb, lmethod
):
    with pytest.raises(ValidationError) as err:
        load(ldb, lmethod, block(), block(quantity="5"))
    assert err.value.problems == [
        "t.csv, line 3, column known_from: duplicate version LG-1 known from 2020-01-01 "
        "(first on line 2)"
    ]
    load(ldb, lmethod, block())
    with pytest.raises(ValidationError) as err:
        load(ldb, lmethod, block(known_from="2020-02-01"), block())
    assert err.value.problems == [
        "t.csv, line 3, column known_from: LG-1 already has a version known from 2020-01-01"
    ]
    assert stored(ldb) == (1, 1)


def test_every_problem_of_every_row_is_reported_at_once(ldb, lmethod):
    with pytest.raises(ValidationError) as err:
        load(ldb, lmethod, block(unit="TW", status="maybe"), block(id="LG-2", quantity="-1"))
    fields = [p.split(": ")[0] for p in err.value.problems]
    assert fields == ["t.csv, line 2, column unit", "t.csv, line 2, column status",
                      "t.csv, line 3, column quantity"]  # fmt: skip


def test_rows_can_be_given_as_plain_dicts(ldb, lmethod):
    with db.transaction(ldb) as con:
        assert ledger.load_rows(con, [block(), block(id="LG-2")], lmethod) == 2
        with pytest.raises(ValidationError) as err:
            ledger.load_rows(con, [block(id="LG-3", unit="TW")], lmethod, name="form")
    assert err.value.problems[0].startswith("form, column unit: unknown unit")


def test_a_unit_needing_a_factor_the_methodology_lacks_is_refused(db_file):
    raw = ledger_methodology_dict()
    del raw["conversion"]["suppliers"]["amd"]
    method = from_dict(raw)
    with_evidence(db_file, method, "EV-1")
    with pytest.raises(ValidationError) as err:
        load(db_file, method, block(supplier="amd", unit="GW", quantity="1"))
    assert "column unit: no conversion factors for supplier 'amd' (unit GW)" in str(err.value)
    load(db_file, method, block(supplier="amd", unit="H100e"))  # H100e needs no factor


# --- the methodology's [ledger] and [conversion] sections -----------------------------


def test_the_bundled_methodology_has_the_conversion_table_and_a_context_family():
    method = load_methodology(METHODOLOGY_FILE)
    assert method.semver == "2.0.0"
    units = method.units
    assert units is not None
    for chip in ("A100", "H100", "H200", "B200", "GB200", "GB300", "Vera Rubin", "MI300X",
                 "MI355X", "MI450", "TPU", "Trainium2", "Trainium3", "Maia 100", "Maia 200",
                 "WSE-3", "OpenAI XPU"):  # fmt: skip
        assert units.chips[chip].source
    assert units.chips["H100"].h100e[1] == 1.0
    assert units.weights["planned"] == 0.5 and units.weights["denied"] == 0.0
    assert method.families["market"].weight == 0.0
    assert sum(f.weight for f in method.families.values()) > 0
    again = from_dict(tomllib.loads(to_toml(method)))  # what the what-if page saves
    assert again.version == method.version and again.units == method.units


def test_conversion_factors_are_covered_by_the_version_hash():
    raw = ledger_methodology_dict()
    before = from_dict(raw).version
    changed = copy.deepcopy(raw)
    changed["conversion"]["chips"]["GB200"]["h100e"] = [2.0, 2.6, 3.0]
    assert from_dict(changed).version != before
    weights = copy.deepcopy(raw)
    weights["ledger"]["status_weights"]["planned"] = 0.6
    assert from_dict(weights).version != before


def test_units_convert_each_unit_with_the_latest_year_not_after_the_start():
    units = ledger_method().units
    assert units.h100e(1000, "chips", "nvidia", "GB200", 2020) == (2000.0, 2500.0, 3000.0)
    assert units.h100e(1000, "chips", "amd", None, 2020) == (1000.0, 1250.0, 1500.0)
    assert units.h100e(2, "GW", "nvidia", None, 2020) == (1e6, 2e6, 4e6)
    assert units.h100e(500, "MW", "amd", None, 2020) == (125000.0, 250000.0, 500000.0)
    # USD: the dearest price gives the fewest H100e; 2021 prices from 2021 on
    assert units.h100e(4e8, "USD", "nvidia", None, 2020) == (10000.0, 20000.0, 40000.0)
    assert units.h100e(4e8, "USD", "nvidia", None, 2030) == (20000.0, 40000.0, 80000.0)
    assert units.h100e(4e8, "USD", "nvidia", None, 2010) == (10000.0, 20000.0, 40000.0)
    assert units.usd(10, "H100e", "nvidia", (10, 10, 10), 2020) == (1e5, 2e5, 4e5)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("conversion", "chips", "H100", "h100e"), [1.0, 0.5, 2.0],
         "conversion.chips.H100.h100e must satisfy 0 < low <= central <= high"),
        (("conversion", "chips", "H100", "kw"), [1.0, 2.0],
         "conversion.chips.H100.kw must be [low, central, high]"),
        (("conversion", "chips", "H100", "source"), "",
         "conversion.chips.H100.source must be a non-empty text"),
        (("conversion", "suppliers", "amd", "default_chip"), "H300",
         "conversion.suppliers.amd.default_chip: unknown chip 'H300'"),
        (("conversion", "suppliers", "amd", "usd_per_h100e"), {"20x": [1.0, 2.0, 3.0]},
         "conversion.suppliers.amd.usd_per_h100e: '20x' is not a year"),
        (("conversion", "suppliers", "amd", "h100e_per_gw"), {"2020": [1.0, "a", 3.0]},
         "conversion.suppliers.amd.h100e_per_gw.\"2020\" must be a number"),
        (("ledger", "status_weights", "planned"), 1.5,
         "ledger.status_weights.planned must be from 0 to 1"),
        (("ledger", "status_weights", "cancelled"), 0.1,
         "ledger.status_weights.cancelled must be 0"),
        (("ledger", "status_weights", "maybe"), 0.1,
         "ledger.status_weights.maybe: unknown status"),
        (("ledger", "low_statuses"), ["deployed", "denied"],
         "ledger.low_statuses: 'denied' is not a status that can count"),
        (("ledger", "high_statuses"), ["deployed"],
         "ledger.low_statuses must all be in ledger.high_statuses"),
    ],
)  # fmt: skip
def test_a_bad_factor_is_refused_with_its_key_named(path, value, message):
    raw = ledger_methodology_dict()
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ConfigError) as err:
        from_dict(raw, source="m.toml")
    assert str(err.value).startswith(f"m.toml: {message}")


def test_a_methodology_without_conversion_still_scores_but_has_no_ledger(method):
    assert method.units is None and "conversion" not in method.as_dict()
    with pytest.raises(ConfigError, match=r"no \[conversion\] table"):
        ledger.units_of(method)


def test_a_zero_weight_family_is_accepted_but_not_all_zero(method):
    raw = ledger_methodology_dict()
    raw["families"]["market"] = {"weight": 0.0, "half_life_days": 365, "scale": 4.0}
    assert from_dict(raw).families["market"].weight == 0.0
    for fam in raw["families"].values():
        fam["weight"] = 0.0
    with pytest.raises(ConfigError, match="must not all be zero"):
        from_dict(raw)


def test_problems_carry_their_field_and_line_for_the_form(ldb, lmethod):
    with pytest.raises(ValidationError) as err:
        load(ldb, lmethod, block(unit="TW"))
    problem = err.value.problems[0]
    assert (problem.field, problem.line) == ("unit", 2)
    assert problem.message.startswith("unknown unit 'TW'")
