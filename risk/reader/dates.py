"""Dates stated in French or English press text, normalised to ISO.

Absolute forms ("6 octobre 2025", "October 6, 2025", "mars 2024", "en 2019") and relative
ones ("lundi", "hier", "last week", "le mois dernier"), the latter resolved against the
publication day. Month, weekday and relative words come from ``data/lexicon/dates.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from risk.reader import lexicon, scan
from risk.reader.text import longest_first


@dataclass(frozen=True)
class FoundDate:
    text: str
    start: int
    end: int
    value: date
    precision: str  # day, week, month, year

    def as_dict(self) -> dict:
        return {"text": self.text, "date": self.value.isoformat(), "precision": self.precision,
                "span": [self.start, self.end]}  # fmt: skip


def _lex() -> dict:
    return lexicon.data("dates")


def _month(token: str) -> int:
    return _lex()["months"][token.casefold().rstrip(".")]


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    months = lexicon.literal_alternation(list(_lex()["months"]))
    days = lexicon.literal_alternation(list(_lex()["weekdays"]))
    rel = lexicon.literal_alternation(list(_lex()["relative"]))
    prefix = lexicon.literal_alternation(_lex()["year_prefix"]["words"])
    fwd_before = lexicon.literal_alternation(_lex()["weekday_forward"]["before"])
    fwd_after = lexicon.literal_alternation(_lex()["weekday_forward"]["after"])
    mon = rf"(?P<month>{months})(?:(?<![^\W\d_]{{4}})\.)?(?![\w])"
    wk = rf"(?:(?P<weekday>{days}),?\s)?"
    year = r"(?P<year>(?:19|20)\d{2})(?!\d)"
    specs = [
        ("iso", r"(?<!\d)(?P<year>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"),
        ("numeric", r"(?<![\d/.])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{4})(?!\d)"),
        ("dmy", rf"(?<![\w]){wk}(?:le\s)?(?P<day>\d{{1,2}})(?:er|st|nd|rd|th)?\s{mon}"
                rf"(?:,?\s{year})?"),
        ("mdy", rf"(?<![\w]){wk}{mon}\s(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s{year})?"),
        ("my", rf"(?<![\w]){mon}\s(?:de\s|of\s)?{year}"),
        ("m", rf"(?<![\w])(?:en|in|début|fin|mi-|early|late|mid-|since|depuis|last|next)\s{mon}"),
        ("relative", rf"(?<![\w])(?P<rel>{rel})(?![\w])"),
        ("weekday", rf"(?<![\w])(?:(?P<fwd1>{fwd_before})\s)?(?P<weekday>{days})(?![\w])"
                    rf"(?:\s(?P<fwd2>{fwd_after}))?"),
        ("year", rf"(?<![\w])(?:{prefix})[\s-](?:l'année\s|the year\s)?{year}"),
    ]  # fmt: skip
    return [(k, re.compile(p, re.IGNORECASE)) for k, p in specs]


@cache
def _words() -> re.Pattern[str]:
    """Any month, weekday or relative word at a word start: the anchors of the forms without
    a digit (in each of them such a word follows a non-word character)."""
    words = [*_lex()["months"], *_lex()["weekdays"], *_lex()["relative"]]
    return re.compile(rf"(?<![\w])(?:{lexicon.literal_alternation(words)})", re.IGNORECASE)


FUTURE_WINDOW_DAYS = 62


def _infer_year(month: int, day: int, published: date) -> int:
    """A day and month without a year: press looks back, so the past occurrence, unless the
    day falls within two months after publication ("jusqu'en décembre")."""
    try:
        candidate = date(published.year, month, day)
    except ValueError:
        return published.year
    ahead = (candidate - published).days > FUTURE_WINDOW_DAYS
    return published.year - 1 if ahead else published.year


def _weekday(target: int, published: date, forward: bool) -> date:
    if forward:
        return published + timedelta(days=(target - published.weekday() - 1) % 7 + 1)
    return published - timedelta(days=(published.weekday() - target) % 7)


def _shift(unit: str, offset: int, published: date) -> date:
    if unit == "day":
        return published + timedelta(days=offset)
    if unit == "week":
        monday = published - timedelta(days=published.weekday())
        return monday + timedelta(weeks=offset)
    if unit == "month":
        index = published.year * 12 + published.month - 1 + offset
        return date(index // 12, index % 12 + 1, 1)
    return date(published.year + offset, 1, 1)


def _resolve(kind: str, m: re.Match[str], published: date, language: str) -> tuple[date, str]:
    g = m.groupdict()
    if kind == "iso":
        return date(int(g["year"]), int(g["m"]), int(g["d"])), "day"
    if kind == "numeric":
        a, b = int(g["a"]), int(g["b"])
        day_first = language != "en" or a > 12
        d, mo = (a, b) if day_first else (b, a)
        return date(int(g["year"]), mo, d), "day"
    if kind in ("dmy", "mdy"):
        month, day = _month(g["month"]), int(g["day"])
        yr = int(g["year"]) if g.get("year") else _infer_year(month, day, published)
        return date(yr, month, day), "day"
    if kind == "my":
        return date(int(g["year"]), _month(g["month"]), 1), "month"
    if kind == "m":
        month = _month(g["month"])
        return date(_infer_year(month, 1, published), month, 1), "month"
    if kind == "relative":
        unit, offset = _lex()["relative"][g["rel"].casefold()]
        return _shift(unit, offset, published), unit
    if kind == "weekday":
        target = _lex()["weekdays"][g["weekday"].casefold()]
        return _weekday(target, published, bool(g["fwd1"] or g["fwd2"])), "day"
    return date(int(g["year"]), 1, 1), "year"


def _plausible(kind: str, m: re.Match[str]) -> bool:
    """'may' is a month only when written 'May'; a verb otherwise."""
    month = m.groupdict().get("month")
    return not (month and month.casefold() in ("may", "mar", "sept") and not month[0].isupper())


# Every match of a form holds a digit or a month, weekday or relative word: each form is
# searched only around those, which press text has few of.
_WITH_DIGITS = frozenset({"iso", "numeric", "dmy", "mdy", "my", "year"})


def find_dates(text: str, published: date, language: str = "en") -> list[FoundDate]:
    """Every date in ``text``; where forms overlap, the longest reading wins."""
    hits: list[FoundDate] = []
    digits = scan.digit_runs(text)
    words = [m.span() for m in _words().finditer(text)]
    for kind, pattern in _patterns():
        for m in scan.find_all(pattern, text, digits if kind in _WITH_DIGITS else words):
            if not _plausible(kind, m):
                continue
            try:
                value, precision = _resolve(kind, m, published, language)
            except (ValueError, KeyError):
                continue  # 31 February and the like: not a date
            hits.append(FoundDate(m.group(0), m.start(), m.end(), value, precision))
    return longest_first(hits)
