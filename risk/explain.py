"""Why a score is what it is: every contributing item, its share, and its source.

This is the product's promise to an analyst in a meeting: for any dependent, family and
day, the item contributions add up to the pressure behind the score, and each item can be
traced to a publisher, a title, a date and an address.

Beside each raw contribution (in pressure units) we give ``points``: the item's share of
the score's distance from 50. For a family, points = (S - 50) * contribution / P, so they
sum to S - 50; for the composite each family's points are further scaled by its weight
share, so all item points sum to composite - 50.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import duckdb

from risk import organisations
from risk.errors import NotFoundError
from risk.methodology import COMPOSITE, Methodology


@dataclass
class Explanation:
    dependent: str
    family: str
    date: date
    score: float
    pressure: float | None
    band: tuple[float, float]
    methodology_version: str
    contributions: list[dict]
    families: list[dict] = field(default_factory=list)
    stored_score: float | None = None

    def as_dict(self) -> dict:
        return {
            "dependent": self.dependent,
            "family": self.family,
            "date": self.date.isoformat(),
            "score": self.score,
            "pressure": self.pressure,
            "band": list(self.band),
            "methodology_version": self.methodology_version,
            "stored_score": self.stored_score,
            "families": self.families,
            "contributions": self.contributions,
        }


_ITEMS_SQL = """
SELECT e.id, e.date, e.family, e.direction, e.magnitude, e.credibility, e.summary,
       e.amount_usd, e.counterparty, s.reliability, s.publisher, s.title, s.published, s.url
FROM evidence e JOIN sources s ON s.id = e.source_id
WHERE e.dependent = ? AND e.vendor = ? AND e.date <= ? AND list_contains(?, e.family)
"""


def _items(
    con: duckdb.DuckDBPyConnection, method: Methodology, dependent: str, families: list[str],
    day: date,
) -> list[dict]:
    rows = con.execute(_ITEMS_SQL, [dependent, method.vendor, day, families]).fetchall()
    items = []
    for r in rows:
        fam = method.families[r[2]]
        confidence = method.confidence(r[9], r[5])
        decay = math.pow(2.0, -((day - r[1]).days) / fam.half_life_days)
        items.append({
            "evidence_id": r[0], "date": r[1].isoformat(), "family": r[2],
            "direction": r[3], "magnitude": r[4], "credibility": r[5], "reliability": r[9],
            "confidence": confidence, "decay": decay,
            "contribution": r[3] * r[4] * confidence * decay,
            "mass": r[4] * confidence * decay,
            "summary": r[6], "amount_usd": r[7], "counterparty": r[8],
            "source": {"publisher": r[10], "title": r[11], "date": r[12].isoformat(),
                       "url": r[13]},
        })  # fmt: skip
    items.sort(key=lambda i: (-abs(i["contribution"]), i["evidence_id"]))
    return items


def _family_summary(method: Methodology, family: str, items: list[dict]) -> dict:
    fam = method.families[family]
    mine = [i for i in items if i["family"] == family]
    pressure = math.fsum(i["contribution"] for i in mine)
    mass = math.fsum(i["mass"] for i in mine)
    score = 50 + 50 * math.tanh(pressure / fam.scale)
    half = method.band_max_half_width / math.sqrt(1 + mass / method.band_mass_scale)
    for item in mine:
        item["points"] = (score - 50) * item["contribution"] / pressure if pressure else 0.0
    return {"family": family, "label": fam.label, "weight": fam.weight, "pressure": pressure,
            "mass": mass, "score": score, "half_width": half, "items": len(mine)}  # fmt: skip


def _band(score: float, half: float) -> tuple[float, float]:
    return max(0.0, score - half), min(100.0, score + half)


def explain(
    con: duckdb.DuckDBPyConnection, method: Methodology, dependent: str, family: str, day: date
) -> Explanation:
    """Recompute one score from its items; the stored score is reported beside it."""
    org = organisations.directory(con).resolve(dependent)
    if org is None or "dependent" not in org.roles:
        raise NotFoundError(f"unknown dependent {dependent!r}")
    if family != COMPOSITE and family not in method.families:
        known = ", ".join([*method.families, COMPOSITE])
        raise NotFoundError(f"unknown family {family!r} (known: {known}; or a reliance "
                            "indicator such as vendor_share_deployed)")
    names = list(method.families) if family == COMPOSITE else [family]
    items = _items(con, method, org.id, names, day)
    fams = [_family_summary(method, name, items) for name in names]
    stored = con.execute(
        "SELECT score FROM scores WHERE dependent = ? AND family = ? AND date = ?",
        [org.id, family, day],
    ).fetchone()
    if family != COMPOSITE:
        only = fams[0]
        return Explanation(org.id, family, day, only["score"], only["pressure"],
                           _band(only["score"], only["half_width"]), method.version, items,
                           fams, stored[0] if stored else None)  # fmt: skip
    total = sum(f["weight"] for f in fams)
    for f in fams:
        f["share"] = f["weight"] / total
        f["points"] = f["share"] * (f["score"] - 50)
    for item in items:
        item["points"] *= next(f["share"] for f in fams if f["family"] == item["family"])
    score = 50 + math.fsum(f["points"] for f in fams)
    half = math.fsum(f["share"] * f["half_width"] for f in fams)
    return Explanation(org.id, COMPOSITE, day, score, None, _band(score, half), method.version,
                       items, fams, stored[0] if stored else None)  # fmt: skip
