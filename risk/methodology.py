"""The methodology parameters, read from ``data/methodology.toml`` and checked once.

Scores are only defensible if everyone can see which parameters produced them, so the
config is validated strictly and identified by a version (semver plus a content hash)
that travels with every score set and export.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import tomli_w

from risk import units as units_mod
from risk.errors import ConfigError
from risk.units import Units

RELIABILITY_GRADES = ("A", "B", "C", "D", "E", "F")
CREDIBILITY_GRADES = (1, 2, 3, 4, 5, 6)
COMPOSITE = "composite"


@dataclass(frozen=True)
class Family:
    name: str
    label: str
    weight: float
    half_life_days: float
    scale: float


@dataclass(frozen=True)
class Methodology:
    semver: str
    vendor: str
    grid_start: date
    grid_end: date | None  # None: today
    families: dict[str, Family]
    reliability: dict[str, float]
    credibility: dict[int, float]
    band_max_half_width: float
    band_mass_scale: float
    alerts: dict[str, float] = field(default_factory=dict)
    units: Units | None = None  # methodology 2: [ledger] status weights and [conversion]
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def config_hash(self) -> str:
        canonical = json.dumps(self.as_dict(), sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def version(self) -> str:
        """What every score set and export records: ``1.0.0+3f9a2c1b``."""
        return f"{self.semver}+{self.config_hash[:8]}"

    def as_dict(self) -> dict:
        """The parameters as plain data: hashed for the version, stored with each score set."""
        return {
            "version": self.semver,
            "vendor": self.vendor,
            "grid_start": self.grid_start.isoformat(),
            "grid_end": self.grid_end.isoformat() if self.grid_end else "today",
            "families": {
                f.name: {
                    "label": f.label,
                    "weight": f.weight,
                    "half_life_days": f.half_life_days,
                    "scale": f.scale,
                }
                for f in self.families.values()
            },
            "confidence": {
                "reliability": dict(self.reliability),
                "credibility": {str(k): v for k, v in self.credibility.items()},
            },
            "band": {
                "max_half_width": self.band_max_half_width,
                "mass_scale": self.band_mass_scale,
            },
            "alerts": dict(self.alerts),
            **(self.units.as_dict() if self.units else {}),
        }

    def confidence(self, reliability: str, credibility: int) -> float:
        return self.reliability[reliability] * self.credibility[int(credibility)]

    def with_overrides(
        self,
        weights: dict[str, float] | None = None,
        half_lives: dict[str, float] | None = None,
    ) -> Methodology:
        """A what-if copy: same parameters but these weights or half-lives."""
        families = {}
        for name, fam in self.families.items():
            families[name] = replace(
                fam,
                weight=float((weights or {}).get(name, fam.weight)),
                half_life_days=float((half_lives or {}).get(name, fam.half_life_days)),
            )
        updated = replace(self, families=families)
        _check_families(updated.families)
        return updated


def load(path: str | Path) -> Methodology:
    """Read and validate the methodology file; every problem is named with its key."""
    file = Path(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"methodology file not found: {file}") from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"methodology file {file} is a folder, not a TOML file") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"methodology file {file} is not UTF-8 text "
                          f"(byte 0x{exc.object[exc.start]:02x} at offset {exc.start})") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read methodology file {file}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
    return from_dict(raw, source=str(file))


def _table(parent: dict, key: str, where: str, source: str) -> dict:
    """``parent[key]`` when it is a TOML table, else a message naming the key."""
    if key not in parent:
        raise ConfigError(f"{source}: missing key '{where}'")
    value = parent[key]
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: {where} must be a table, not {_kind(value)}")
    return value


def _number(parent: dict, key: str, where: str, source: str) -> float:
    """``parent[key]`` as a finite number, else a message naming the key."""
    if key not in parent:
        raise ConfigError(f"{source}: missing key '{where}'")
    value = parent[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{source}: {where} must be a number, not {_kind(value)}")
    if not math.isfinite(value):
        raise ConfigError(f"{source}: {where} must be a finite number, not {value}")
    return float(value)


def _kind(value: object) -> str:
    names = {dict: "a table", list: "an array", str: "text", bool: "true/false"}
    return names.get(type(value), repr(value)[:40])


def from_dict(raw: dict, source: str = "methodology") -> Methodology:
    families_table = _table(raw, "families", "families", source)
    families = {}
    for name in families_table:
        spec = _table(families_table, name, f"families.{name}", source)
        families[name] = Family(
            name=name,
            label=str(spec.get("label", name)),
            **{k: _number(spec, k, f"families.{name}.{k}", source)
               for k in ("weight", "half_life_days", "scale")},
        )  # fmt: skip
    conf = _table(raw, "confidence", "confidence", source)
    rel_table = _table(conf, "reliability", "confidence.reliability", source)
    cred_table = _table(conf, "credibility", "confidence.credibility", source)
    reliability = {g: _number(rel_table, g, f"confidence.reliability.{g}", source)
                   for g in RELIABILITY_GRADES}  # fmt: skip
    credibility = {g: _number(cred_table, str(g), f"confidence.credibility.{g}", source)
                   for g in CREDIBILITY_GRADES}  # fmt: skip
    band = _table(raw, "band", "band", source)
    alerts = _table(raw, "alerts", "alerts", source) if "alerts" in raw else {}
    try:
        end = str(raw.get("grid_end", "today"))
        method = Methodology(
            semver=str(raw["version"]),
            vendor=str(raw["vendor"]),
            grid_start=date.fromisoformat(str(raw["grid_start"])),
            grid_end=None if end == "today" else date.fromisoformat(end),
            families=families,
            reliability=reliability,
            credibility=credibility,
            band_max_half_width=_number(band, "max_half_width", "band.max_half_width", source),
            band_mass_scale=_number(band, "mass_scale", "band.mass_scale", source),
            alerts={k: _number(alerts, k, f"alerts.{k}", source) for k in alerts},
            units=units_mod.parse(raw, source),
            raw=raw,
        )
    except KeyError as exc:
        raise ConfigError(f"{source}: missing key {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: bad value: {exc}") from exc
    _check(method, source)
    return method


def _check_families(families: dict[str, Family]) -> None:
    if not families:
        raise ConfigError("methodology: at least one family is needed")
    for fam in families.values():
        if fam.name == COMPOSITE:
            raise ConfigError("methodology: 'composite' is reserved and cannot name a family")
        for key in ("weight", "half_life_days", "scale"):
            if not math.isfinite(getattr(fam, key)):
                raise ConfigError(f"methodology: families.{fam.name}.{key} must be finite")
        if not fam.weight >= 0:
            raise ConfigError(f"methodology: families.{fam.name}.weight must be >= 0")
        if not fam.half_life_days >= 7:
            raise ConfigError(f"methodology: families.{fam.name}.half_life_days must be >= 7")
        if not fam.scale > 0:
            raise ConfigError(f"methodology: families.{fam.name}.scale must be > 0")
    if sum(f.weight for f in families.values()) <= 0:
        raise ConfigError("methodology: family weights must not all be zero")


def _check(method: Methodology, source: str) -> None:
    _check_families(method.families)
    for table in (method.reliability, method.credibility):
        for grade, factor in table.items():
            if not 0 < factor <= 1:
                raise ConfigError(f"{source}: confidence factor for {grade} must be in (0, 1]")
    if method.band_max_half_width <= 0 or method.band_mass_scale <= 0:
        raise ConfigError(f"{source}: band parameters must be > 0")


_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def to_toml(method: Methodology) -> str:
    """The parameters as a methodology file, written by tomli-w (any label or family name
    TOML can hold comes back as it was: emoji, spaces, quotes)."""
    header = ("# Scoring methodology (see README, 'The methodology'). Saved from the dashboard's\n"
              "# what-if page; every earlier version stays recorded in the database.\n\n")
    return header + tomli_w.dumps(method.as_dict())


def save_as(method: Methodology, semver: str, path: str | Path) -> Methodology:
    """Write ``method`` as the methodology in force under a new semantic version.

    The file is replaced atomically (written beside, then renamed), so a reader never sees
    half a config."""
    file = Path(path)
    current = load(file)
    if not _SEMVER.match(semver or ""):
        raise ConfigError(f"version {semver!r} must look like 1.2.0")
    if semver == current.semver:
        raise ConfigError(f"version {semver} is already in use: choose a new one")
    updated = replace(method, semver=semver)
    text = to_toml(updated)
    from_dict(tomllib.loads(text), source="saved methodology")  # refuse to write a bad file
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".methodology-", suffix=".toml")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, file)
    return load(file)
