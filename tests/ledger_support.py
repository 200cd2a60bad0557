"""Helpers for the ledger tests: a methodology with round conversion factors and rows."""

from __future__ import annotations

from pathlib import Path

from conftest import add_items, item_row, methodology_dict

from risk import db, ledger
from risk.methodology import Methodology, from_dict


def ledger_methodology_dict() -> dict:
    """conftest's methodology plus round factors, so figures can be checked by hand."""
    raw = methodology_dict()
    raw["ledger"] = {
        "status_weights": {"rumoured": 0.25, "planned": 0.5, "contracted": 0.9,
                           "delivering": 1.0, "deployed": 1.0, "cancelled": 0.0,
                           "denied": 0.0},
        "low_statuses": ["contracted", "delivering", "deployed"],
        "high_statuses": ["rumoured", "planned", "contracted", "delivering", "deployed"],
    }  # fmt: skip
    raw["conversion"] = {
        "chips": {
            "H100": {"supplier": "nvidia", "h100e": [1.0, 1.0, 1.0], "kw": [1.0, 1.5, 2.0],
                     "source": "the unit"},
            "GB200": {"supplier": "nvidia", "h100e": [2.0, 2.5, 3.0], "kw": [2.0, 2.0, 3.0],
                      "source": "test"},
            "MI300X": {"supplier": "amd", "h100e": [1.0, 1.25, 1.5], "kw": [1.0, 1.5, 2.0],
                       "source": "test"},
        },
        "suppliers": {
            "nvidia": {"default_chip": "H100", "source": "test",
                       "usd_per_h100e": {"2019": [10000.0, 20000.0, 40000.0],
                                         "2021": [5000.0, 10000.0, 20000.0]},
                       "h100e_per_gw": {"2019": [500000.0, 1000000.0, 2000000.0]}},
            "amd": {"default_chip": "MI300X", "source": "test",
                    "usd_per_h100e": {"2019": [10000.0, 20000.0, 40000.0]},
                    "h100e_per_gw": {"2019": [250000.0, 500000.0, 1000000.0]}},
        },
    }  # fmt: skip
    return raw


def ledger_method() -> Methodology:
    return from_dict(ledger_methodology_dict())


def block(**overrides: object) -> dict[str, str]:
    """A valid ledger row as the CSV importer sees it; override any column."""
    row = {
        "id": "LG-1", "known_from": "2020-01-01", "dependent": "microsoft",
        "supplier": "nvidia", "chip": "", "channel": "owned", "quantity": "100",
        "unit": "H100e", "status": "deployed", "start": "2020-02-01",
        "full_by": "2020-02-01", "end": "", "evidence": "EV-1", "note": "",
    }  # fmt: skip
    row.update({k: str(v) for k, v in overrides.items()})
    return row


def with_evidence(path: Path, method: Methodology, *ids: str) -> None:
    add_items(path, method, *(item_row(id=i, summary=f"Item {i}.") for i in ids))


def load(path: Path, method: Methodology, *rows: dict[str, str]) -> int:
    with db.transaction(path) as con:
        return ledger.load_rows(con, [(i + 2, r) for i, r in enumerate(rows)], method, "t.csv")
