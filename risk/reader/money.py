"""Amounts of money in French and English press text, exact or vague, with their currency.

"10 milliards de dollars", "10 Md$", "$10bn", "1,5 milliard d'euros", "$40,000",
"40 000 dollars", "plusieurs centaines de millions de dollars", "tens of billions": the
scale words, currencies and vague quantities come from ``data/lexicon/money.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from risk.reader import lexicon
from risk.reader.text import Claimed

NUM = r"\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?"
_OF = r"(?:\s?(?:de\s|d['’]\s?|of\s))"
_RANGE = r"\s?(?:-|–|to|à|et|and)\s?"


@dataclass(frozen=True)
class Amount:
    text: str
    start: int
    end: int
    currency: str
    value: float | None = None
    low: float | None = None
    high: float | None = None

    def as_dict(self) -> dict:
        """The JSON form: value named for its currency (value_usd, value_eur), or a range."""
        out: dict = {"text": self.text, "currency": self.currency}
        if self.value is not None:
            out[f"value_{self.currency.lower()}"] = self.value
        else:
            out["low"], out["high"] = self.low, self.high
        out["span"] = [self.start, self.end]
        return out

    def usd_for_grading(self) -> float:
        """A rough dollar size (the middle of a range), only to grade magnitude."""
        rate = lexicon.data("money")["to_usd_for_grading"].get(self.currency, 1.0)
        if self.value is not None:
            return self.value * rate
        return ((self.low or 0) * (self.high or 0)) ** 0.5 * rate


def parse_number(text: str, language: str) -> float:
    """'1,5' (fr) and '1.5' are 1.5; '40,000' (en), '40 000' and '40.000' (fr) are 40000."""
    raw = re.sub(r"[ \u00a0\u202f]", "", text)
    if "," in raw and "." in raw:
        decimal = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return float(raw.replace(thousands, "").replace(decimal, "."))
    for sep in (",", "."):
        if sep in raw:
            parts = raw.split(sep)
            grouped = all(len(p) == 3 for p in parts[1:])
            thousands_sep = "," if language == "en" else "."
            if grouped and (sep == thousands_sep or len(parts) > 2):
                return float("".join(parts))
            return float(raw.replace(sep, "."))
    return float(raw)


@cache
def _scales(language: str) -> dict[str, float]:
    scale = lexicon.data("money")["scale"]
    other = "en" if language == "fr" else "fr"
    merged = {k.casefold(): float(v) for k, v in scale[other].items()}
    merged.update({k.casefold(): float(v) for k, v in scale[language].items()})
    return merged


def _currencies() -> dict[str, dict[str, list[str]]]:
    return lexicon.data("money")["currency"]


def _currency_of(token: str) -> str:
    for code, forms in _currencies().items():
        for pattern in forms["before"] + forms["after"]:
            if re.fullmatch(pattern, token, re.IGNORECASE):
                return code
    return "USD"


@cache
def _patterns(language: str) -> list[tuple[str, re.Pattern[str]]]:
    cur = _currencies()
    before = lexicon.alternation([p for c in cur.values() for p in c["before"]])
    after = lexicon.alternation([p for c in cur.values() for p in c["after"]])
    scales = lexicon.literal_alternation(list(_scales(language)))
    vague = lexicon.data("money")["vague"]
    quant = lexicon.literal_alternation(list(vague["quantifier"]))
    count = lexicon.literal_alternation(list(vague["count"]))
    big = lexicon.literal_alternation(
        [k for k, v in _scales(language).items() if v >= 1e6 and len(k) > 3]
    )
    end = r"(?![\w])"
    words = lexicon.literal_alternation(list(lexicon.data("money")["number_words"]))
    num = rf"(?:{NUM}|(?:{words})(?=\s(?:{big}){end}))"
    vague_re = (
        rf"(?<![\w])(?:(?P<q>{quant})\s)?(?:(?P<count>{count}){_OF})?(?P<scale>{big}){end}"
        rf"(?:{_OF}?\s?(?P<cur>{after}){end})?"
    )
    range_pre = rf"(?:\s?(?:-|–|to|à)\s?(?:{before})?\s?|\s(?:and|et)\s(?:{before})\s?)"
    pre_re = (
        rf"(?<![\w$€£])(?P<cur>{before})\s?(?P<num>{num})(?:\s?(?P<scale1>{scales}){end})?"
        rf"(?:{range_pre}(?P<num2>{NUM}))?(?:\s?(?P<scale>{scales}){end})?"
    )
    post_re = (
        rf"(?<![\w.,])(?P<num>{num})(?:\s?(?P<scale1>{scales}){end})?(?:{_RANGE}(?P<num2>{NUM}))?"
        rf"(?:\s?(?P<scale>{scales}){end})?{_OF}?\s?(?P<cur>{after})(?![\w])"
    )
    flags = re.IGNORECASE
    return [("pre", re.compile(pre_re, flags)), ("post", re.compile(post_re, flags)),
            ("vague", re.compile(vague_re, flags))]  # fmt: skip


def _number(token: str, language: str) -> float:
    words = lexicon.data("money")["number_words"]
    folded = token.casefold()
    return float(words[folded]) if folded in words else parse_number(token, language)


def _exact(match: re.Match[str], language: str) -> Amount | None:
    scales = _scales(language)
    scale = scales.get((match.group("scale") or "").casefold(), 1.0)
    first = scales.get((match.group("scale1") or "").casefold(), scale)
    cur = _currency_of(match.group("cur"))
    low = _number(match.group("num"), language) * first
    text = match.group(0).rstrip()
    if match.group("num2"):
        high = parse_number(match.group("num2"), language) * scale  # "$5-10bn": scale once
        if high > low:
            return Amount(text, match.start(), match.start() + len(text), cur, low=low,
                          high=high)  # fmt: skip
    return Amount(text, match.start(), match.start() + len(text), cur, value=low)


def _vague(match: re.Match[str], language: str) -> Amount | None:
    q, count, cur = match.group("q"), match.group("count"), match.group("cur")
    plural = match.group("scale").casefold().endswith("s")
    if not (q or count or (cur and plural)):
        return None  # "billions of dollars" is vague; a bare "millions" is not money
    if not cur and re.match(rf"{_OF}\w", match.string[match.end():match.end() + 6]):
        return None  # "des milliards de paramètres": not money
    vague = lexicon.data("money")["vague"]
    unit = float(vague["count"][count.casefold()]) if count else 1.0
    if q:
        lo, hi = vague["quantifier"][q.casefold()]
        low, high = lo * unit, hi * unit
    else:
        low, high = unit, unit * 10 - 1
    scale = _scales(language)[match.group("scale").casefold()]
    text = match.group(0).rstrip()
    code = _currency_of(cur) if cur else "USD"
    return Amount(text, match.start(), match.start() + len(text), code,
                  low=low * scale, high=high * scale)  # fmt: skip


def find_amounts(text: str, language: str = "en") -> list[Amount]:
    """Every amount in ``text``, in order; a span claimed by one form is not read twice."""
    found: list[Amount] = []
    taken = Claimed()
    for kind, pattern in _patterns(language):
        for match in pattern.finditer(text):
            amount = _vague(match, language) if kind == "vague" else _exact(match, language)
            if amount is not None and taken.claim(amount.start, amount.end):
                found.append(amount)
    return sorted(found, key=lambda a: a.start)
