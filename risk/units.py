"""Methodology 2's units: status weights and the conversion of quantities to H100e.

Read from the ``[ledger]`` and ``[conversion]`` sections of the methodology file and checked
strictly, every problem named with its key. A quantity in a ledger row (GW, MW, chips,
H100e or USD) becomes H100-equivalents (FP16 dense FLOP/s relative to one H100, the
convention of Epoch AI's work on AI chip owners) in three scenarios, low, central and high.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from risk.errors import ConfigError

STATUSES = ("rumoured", "planned", "contracted", "delivering", "deployed", "cancelled", "denied")
VOID_STATUSES = ("cancelled", "denied")  # count for nothing from the day they are known
UNITS = ("GW", "MW", "chips", "H100e", "USD")
SCENARIOS = ("low", "central", "high")
DEFAULT_WEIGHTS = {
    "rumoured": 0.25, "planned": 0.5, "contracted": 0.9, "delivering": 1.0, "deployed": 1.0,
    "cancelled": 0.0, "denied": 0.0,
}  # fmt: skip
DEFAULT_LOW = ("contracted", "delivering", "deployed")
DEFAULT_HIGH = ("rumoured", "planned", "contracted", "delivering", "deployed")

Triple = tuple[float, float, float]  # low, central, high


@dataclass(frozen=True)
class Chip:
    name: str
    supplier: str
    h100e: Triple  # H100-equivalents per chip
    kw: Triple  # all-in kilowatts per chip (server, network, cooling)
    source: str


@dataclass(frozen=True)
class Supplier:
    name: str
    default_chip: str | None
    usd_per_h100e: dict[int, Triple]  # by year: the latest year <= the block's start applies
    h100e_per_gw: dict[int, Triple]
    source: str

    def usd(self, year: int) -> Triple:
        return _by_year(self.usd_per_h100e, year)

    def per_gw(self, year: int) -> Triple:
        return _by_year(self.h100e_per_gw, year)


def _by_year(table: dict[int, Triple], year: int) -> Triple:
    earlier = [y for y in table if y <= year]
    return table[max(earlier) if earlier else min(table)]


@dataclass(frozen=True)
class Units:
    weights: dict[str, float]  # central status weights
    low_statuses: tuple[str, ...]  # counted at weight 1 in the low scenario
    high_statuses: tuple[str, ...]  # counted at weight 1 in the high scenario
    chips: dict[str, Chip]
    suppliers: dict[str, Supplier]

    def scenario_weights(self, status: str) -> Triple:
        """(low, central, high) weight of a row with this status."""
        return (
            1.0 if status in self.low_statuses else 0.0,
            self.weights[status],
            1.0 if status in self.high_statuses else 0.0,
        )

    def chip_for(self, supplier: str, chip: str | None) -> str | None:
        if chip:
            return chip
        spec = self.suppliers.get(supplier)
        return spec.default_chip if spec else None

    def h100e(self, quantity: float, unit: str, supplier: str, chip: str | None,
              year: int) -> Triple:
        """Quantity in H100e, (low, central, high); raises KeyError for a missing factor."""
        if unit == "H100e":
            return (quantity, quantity, quantity)
        if unit == "chips":
            f = self.chips[self.chip_for(supplier, chip) or ""].h100e
            return (quantity * f[0], quantity * f[1], quantity * f[2])
        spec = self.suppliers[supplier]
        if unit == "USD":
            price = spec.usd(year)  # the dearest price gives the fewest H100e
            return (quantity / price[2], quantity / price[1], quantity / price[0])
        gw = quantity / 1000.0 if unit == "MW" else quantity
        f = spec.per_gw(year)
        return (gw * f[0], gw * f[1], gw * f[2])

    def usd(self, quantity: float, unit: str, supplier: str, h100e: Triple,
            year: int) -> Triple:
        """What the block costs in USD, (low, central, high)."""
        if unit == "USD":
            return (quantity, quantity, quantity)
        price = self.suppliers[supplier].usd(year)
        return (h100e[0] * price[0], h100e[1] * price[1], h100e[2] * price[2])

    def missing_factor(self, unit: str, supplier: str, chip: str | None) -> str | None:
        """Why this row cannot be converted, or None when it can."""
        if chip and chip not in self.chips:
            return f"unknown chip {chip!r} (known: {', '.join(self.chips)})"
        if unit == "H100e":
            return None
        if unit == "chips":
            if self.chip_for(supplier, chip) is None:
                return f"unit chips needs a chip: supplier {supplier!r} has no default chip"
            return None
        if supplier not in self.suppliers:
            return f"no conversion factors for supplier {supplier!r} (unit {unit})"
        return None

    def as_dict(self) -> dict:
        return {
            "ledger": {
                "status_weights": dict(self.weights),
                "low_statuses": list(self.low_statuses),
                "high_statuses": list(self.high_statuses),
            },
            "conversion": {
                "chips": {
                    c.name: {"supplier": c.supplier, "h100e": list(c.h100e), "kw": list(c.kw),
                             "source": c.source}
                    for c in self.chips.values()
                },
                "suppliers": {
                    s.name: {
                        **({"default_chip": s.default_chip} if s.default_chip else {}),
                        "source": s.source,
                        "usd_per_h100e": {str(y): list(v) for y, v in s.usd_per_h100e.items()},
                        "h100e_per_gw": {str(y): list(v) for y, v in s.h100e_per_gw.items()},
                    }
                    for s in self.suppliers.values()
                },
            },
        }  # fmt: skip


def parse(raw: dict, source: str = "methodology") -> Units | None:
    """The units from a methodology's raw TOML, or None when it has no ``[conversion]``."""
    if "conversion" not in raw:
        if "ledger" in raw:
            raise ConfigError(f"{source}: [ledger] needs a [conversion] table")
        return None
    ledger = raw.get("ledger", {})
    if not isinstance(ledger, dict):
        raise ConfigError(f"{source}: ledger must be a table")
    weights = dict(DEFAULT_WEIGHTS)
    given = ledger.get("status_weights", {})
    for status, value in _table(given, "ledger.status_weights", source).items():
        key = f"ledger.status_weights.{status}"
        if status not in STATUSES:
            raise ConfigError(f"{source}: {key}: unknown status (known: {', '.join(STATUSES)})")
        weights[status] = _number(value, key, source)
        if not 0 <= weights[status] <= 1:
            raise ConfigError(f"{source}: {key} must be from 0 to 1")
    for status in VOID_STATUSES:
        if weights[status] != 0:
            raise ConfigError(f"{source}: ledger.status_weights.{status} must be 0")
    low = _statuses(ledger.get("low_statuses", list(DEFAULT_LOW)), "ledger.low_statuses", source)
    high = _statuses(ledger.get("high_statuses", list(DEFAULT_HIGH)), "ledger.high_statuses",
                     source)  # fmt: skip
    if not set(low) <= set(high):
        raise ConfigError(f"{source}: ledger.low_statuses must all be in ledger.high_statuses")
    conversion = _table(raw["conversion"], "conversion", source)
    chips = {
        name: _chip(name, spec, source)
        for name, spec in _table(conversion.get("chips"), "conversion.chips", source).items()
    }
    suppliers = {
        name: _supplier(name, spec, chips, source)
        for name, spec in _table(conversion.get("suppliers"), "conversion.suppliers",
                                 source).items()
    }  # fmt: skip
    return Units(weights, low, high, chips, suppliers)


def _table(value: object, key: str, source: str) -> dict:
    if not isinstance(value, dict) or not value:
        raise ConfigError(f"{source}: {key} must be a non-empty table")
    return value


def _number(value: object, key: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{source}: {key} must be a number, not {value!r}")
    return float(value)


def _triple(value: object, key: str, source: str) -> Triple:
    if not isinstance(value, list) or len(value) != 3:
        raise ConfigError(f"{source}: {key} must be [low, central, high]")
    low, central, high = (_number(v, key, source) for v in value)
    if not 0 < low <= central <= high:
        raise ConfigError(f"{source}: {key} must satisfy 0 < low <= central <= high")
    return (low, central, high)


def _text(value: object, key: str, source: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{source}: {key} must be a non-empty text")
    return value.strip()


def _statuses(value: object, key: str, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{source}: {key} must be a non-empty list of statuses")
    for status in value:
        if status not in STATUSES or status in VOID_STATUSES:
            raise ConfigError(f"{source}: {key}: {status!r} is not a status that can count")
    return tuple(value)


def _chip(name: str, spec: object, source: str) -> Chip:
    key = f"conversion.chips.{json.dumps(name) if ' ' in name else name}"
    spec = _table(spec, key, source)
    for field in ("supplier", "h100e", "kw", "source"):
        if field not in spec:
            raise ConfigError(f"{source}: {key}.{field} is missing")
    return Chip(
        name=name,
        supplier=_text(spec["supplier"], f"{key}.supplier", source),
        h100e=_triple(spec["h100e"], f"{key}.h100e", source),
        kw=_triple(spec["kw"], f"{key}.kw", source),
        source=_text(spec["source"], f"{key}.source", source),
    )


def _supplier(name: str, spec: object, chips: dict[str, Chip], source: str) -> Supplier:
    key = f"conversion.suppliers.{name}"
    spec = _table(spec, key, source)
    default_chip = spec.get("default_chip")
    if default_chip is not None and default_chip not in chips:
        raise ConfigError(f"{source}: {key}.default_chip: unknown chip {default_chip!r}")
    tables = {}
    for field in ("usd_per_h100e", "h100e_per_gw"):
        table = _table(spec.get(field), f"{key}.{field}", source)
        parsed = {}
        for year, value in table.items():
            if not (isinstance(year, str) and year.isdigit() and len(year) == 4):
                raise ConfigError(f"{source}: {key}.{field}: {year!r} is not a year like \"2024\"")
            parsed[int(year)] = _triple(value, f"{key}.{field}.\"{year}\"", source)
        tables[field] = dict(sorted(parsed.items()))
    return Supplier(
        name=name,
        default_chip=default_chip,
        usd_per_h100e=tables["usd_per_h100e"],
        h100e_per_gw=tables["h100e_per_gw"],
        source=_text(spec.get("source"), f"{key}.source", source),
    )
