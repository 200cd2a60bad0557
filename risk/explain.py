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

# The largest contributions listed one by one; the others are summed in one line (``rest``),
# so a dependent with tens of thousands of items explains in a fraction of a second.
TOP_ITEMS = 50


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
    rest: dict | None = None  # items beyond the listed ones: count, contribution, points

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
            "rest": self.rest,
        }


_ITEMS_SQL = """
WITH fam AS (SELECT unnest($fam_names) AS family, unnest($fam_h) AS h),
rel AS (SELECT unnest($rel_grades) AS grade, unnest($rel_factors) AS factor),
cred AS (SELECT unnest($cred_grades) AS grade, unnest($cred_factors) AS factor),
items AS (
    SELECT e.id, e.date, e.family, e.direction, e.magnitude, e.credibility, e.source_id,
           s.reliability, rel.factor * cred.factor AS confidence,
           pow(2.0, -datediff('day', e.date, $day) / fam.h) AS decay
    FROM evidence e
    JOIN sources s ON s.id = e.source_id
    JOIN fam ON fam.family = e.family
    JOIN rel ON rel.grade = s.reliability
    JOIN cred ON cred.grade = e.credibility
    WHERE e.dependent = $dependent AND e.vendor = $vendor AND e.date <= $day
),
scored AS (
    SELECT *, direction * magnitude * confidence * decay AS contribution,
           magnitude * confidence * decay AS mass,
           row_number() OVER (ORDER BY abs(direction * magnitude * confidence * decay) DESC,
                              id) AS rank
    FROM items
)
"""


def _params(method: Methodology, families: list[str], dependent: str, day: date) -> dict:
    return {
        "day": day, "dependent": dependent, "vendor": method.vendor,
        "fam_names": families,
        "fam_h": [float(method.families[n].half_life_days) for n in families],
        "rel_grades": list(method.reliability),
        "rel_factors": [float(v) for v in method.reliability.values()],
        "cred_grades": [int(g) for g in method.credibility],
        "cred_factors": [float(v) for v in method.credibility.values()],
    }  # fmt: skip


def _items(
    con: duckdb.DuckDBPyConnection, method: Methodology, dependent: str, families: list[str],
    day: date, top: int | None,
) -> tuple[list[dict], dict[str, dict]]:
    """The ``top`` largest contributions with their sources, and per family the exact sums
    over every item (pressure, mass, count) and over the items not listed."""
    head = _ITEMS_SQL
    params = _params(method, families, dependent, day)
    limit = "" if top is None else f"WHERE rank <= {int(top)}"
    rows = con.execute(
        head + "SELECT i.id, i.date, i.family, i.direction, i.magnitude, i.credibility, "
        "e.summary, e.amount_usd, e.counterparty, i.reliability, s.publisher, s.title, "
        "s.published, s.url, i.confidence, i.decay, i.contribution, i.mass "
        f"FROM (SELECT * FROM scored {limit}) i JOIN evidence e ON e.id = i.id "
        "JOIN sources s ON s.id = i.source_id ORDER BY i.rank", params).fetchall()
    cut = "FALSE" if top is None else f"rank > {int(top)}"
    sums = con.execute(
        head + "SELECT family, fsum(contribution), fsum(mass), count(*), "
        f"coalesce(fsum(contribution) FILTER ({cut}), 0), count(*) FILTER ({cut}) "
        "FROM scored GROUP BY family", params).fetchall()
    items = [{
        "evidence_id": r[0], "date": r[1].isoformat(), "family": r[2], "direction": r[3],
        "magnitude": r[4], "credibility": r[5], "reliability": r[9], "confidence": r[14],
        "decay": r[15], "contribution": r[16], "mass": r[17], "summary": r[6],
        "amount_usd": r[7], "counterparty": r[8],
        "source": {"publisher": r[10], "title": r[11], "date": r[12].isoformat(),
                   "url": r[13]},
    } for r in rows]  # fmt: skip
    totals = {f: {"pressure": p, "mass": m, "items": n, "rest_contribution": rc, "rest_items": rn}
              for f, p, m, n, rc, rn in sums}  # fmt: skip
    return items, totals


def _family_summary(method: Methodology, family: str, items: list[dict],
                    totals: dict[str, dict]) -> dict:  # fmt: skip
    fam = method.families[family]
    total = totals.get(family, {"pressure": 0.0, "mass": 0.0, "items": 0,
                                "rest_contribution": 0.0, "rest_items": 0})  # fmt: skip
    pressure, mass = total["pressure"], total["mass"]
    score = 50 + 50 * math.tanh(pressure / fam.scale)
    half = method.band_max_half_width / math.sqrt(1 + mass / method.band_mass_scale)
    for item in items:
        if item["family"] == family:
            item["points"] = (score - 50) * item["contribution"] / pressure if pressure else 0.0
    rest_points = (score - 50) * total["rest_contribution"] / pressure if pressure else 0.0
    return {"family": family, "label": fam.label, "weight": fam.weight, "pressure": pressure,
            "mass": mass, "score": score, "half_width": half, "items": total["items"],
            "rest_items": total["rest_items"], "rest_contribution": total["rest_contribution"],
            "rest_points": rest_points}  # fmt: skip


def _rest(fams: list[dict], shares: dict[str, float] | None = None) -> dict | None:
    """The items not listed, summed: how many, their contribution and their points."""
    count = sum(f["rest_items"] for f in fams)
    if not count:
        return None
    share = shares or {f["family"]: 1.0 for f in fams}
    return {"items": count,
            "contribution": math.fsum(f["rest_contribution"] for f in fams),
            "points": math.fsum(f["rest_points"] * share[f["family"]] for f in fams)}


def _band(score: float, half: float) -> tuple[float, float]:
    return max(0.0, score - half), min(100.0, score + half)


def explain(
    con: duckdb.DuckDBPyConnection, method: Methodology, dependent: str, family: str, day: date,
    top: int | None = TOP_ITEMS,
) -> Explanation:
    """Recompute one score from its items; the stored score is reported beside it. The
    ``top`` largest contributions are listed (every one with ``top=None``); the others are
    summed in ``rest``, and listed plus rest add up exactly to the pressure."""
    org = organisations.directory(con).resolve(dependent)
    if org is None or "dependent" not in org.roles:
        raise NotFoundError(f"unknown dependent {dependent!r}")
    if family != COMPOSITE and family not in method.families:
        known = ", ".join([*method.families, COMPOSITE])
        raise NotFoundError(f"unknown family {family!r} (known: {known}; or a reliance "
                            "indicator such as vendor_share_deployed)")
    names = list(method.families) if family == COMPOSITE else [family]
    items, totals = _items(con, method, org.id, names, day, top)
    fams = [_family_summary(method, name, items, totals) for name in names]
    stored = con.execute(
        "SELECT score FROM scores WHERE dependent = ? AND family = ? AND date = ?",
        [org.id, family, day],
    ).fetchall()
    stored = stored[0] if stored else None
    if family != COMPOSITE:
        only = fams[0]
        return Explanation(org.id, family, day, only["score"], only["pressure"],
                           _band(only["score"], only["half_width"]), method.version, items,
                           fams, stored[0] if stored else None, _rest(fams))  # fmt: skip
    total = sum(f["weight"] for f in fams)
    for f in fams:
        f["share"] = f["weight"] / total
        f["points"] = f["share"] * (f["score"] - 50)
    for item in items:
        item["points"] *= next(f["share"] for f in fams if f["family"] == item["family"])
    score = 50 + math.fsum(f["points"] for f in fams)
    half = math.fsum(f["share"] * f["half_width"] for f in fams)
    shares = {f["family"]: f["share"] for f in fams}
    return Explanation(org.id, COMPOSITE, day, score, None, _band(score, half), method.version,
                       items, fams, stored[0] if stored else None,
                       _rest(fams, shares))  # fmt: skip
