"""From the pieces of one sentence to proposed evidence: family, direction, size, grade.

Decisions follow the cue lists in ``data/lexicon/cues.toml``:
- chip_programs: the dependent's own or alternative chips (named, or "its own chips");
  direction -1 (less reliance), +1 when a setback cue says the program falters;
- spend: buying, renting or building on the vendor's hardware; -1 for cuts and cancellations;
- tensions: scarcity, prices, dominance, disputes with the vendor; -1 when they ease.
Each field keeps the span that decided it (the whole sentence when nothing specific did).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date

from risk.reader import lexicon
from risk.reader.dates import FoundDate, find_dates
from risk.reader.mentions import Mention, Vocabulary, anaphor, chip_count, compute_word
from risk.reader.money import Amount, find_amounts
from risk.reader.text import Sentence, Span, detect_language, normalise, sentences

FAMILY_VERBS = {
    ("spend", 1): "is buying or running more {vendor} hardware",
    ("spend", -1): "is cutting back purchases of {vendor} hardware",
    ("chip_programs", -1):
        "is advancing its own or alternative chips, lowering reliance on {vendor}",
    ("chip_programs", 1): "sees its alternative-chip effort falter, keeping it reliant on {vendor}",
    ("tensions", 1): "faces rising friction with {vendor} (supply, price or dominance)",
    ("tensions", -1): "sees friction with {vendor} ease",
}


MIN_MENTIONS = 3
LEAD_PARAGRAPHS = 2
_MONEY_GRADES = ((5, 1e10), (4, 1e9), (3, 1e8), (2, 1e7))


@dataclass
class Article:
    """Everything read from one text: the inputs to candidates and to the JSON output."""

    text: str
    language: str
    published: date
    sentences: list[Sentence]
    orgs: list[Mention]
    chips: list[Mention]
    amounts: list[Amount]
    dates: list[FoundDate]
    candidates: list[dict] = field(default_factory=list)


def _first(pattern: re.Pattern[str], text: str, offset: int,
           skip: list[tuple[int, int]] = ()) -> Span | None:  # type: ignore[assignment]
    for m in pattern.finditer(text):
        start, end = offset + m.start(), offset + m.end()
        if not any(start < e and s < end for s, e in skip):
            return (start, end, m.group(0))
    return None


def _cue(text: str, offset: int, *path: str, skip: list[tuple[int, int]] = ()) -> Span | None:  # type: ignore[assignment]
    return _first(lexicon.cue_regex(*path), text, offset, skip)


def _any_cue(text: str, *paths: tuple[str, ...]) -> bool:
    """Whether any of the cue lists ``paths`` occurs in ``text``: one search instead of one
    per list, which is most of the reading time, since most sentences hold none."""
    return lexicon.any_cue_regex(*paths).search(text) is not None


_PROGRAM = (("family", "chip_programs", "in_house"), ("family", "chip_programs", "alternative"))
_TENSION = (("family", "tensions", "down"), ("family", "tensions", "up"))
_SPEND = (("family", "spend", "down"), ("family", "spend", "up"))
_SIZE = (("magnitude", "large"), ("magnitude", "small"))
_CREDIBILITY = (("credibility", "hedged"), ("credibility", "announced"),
                ("credibility", "reported"))  # fmt: skip


class _Positions:
    """Items (mentions, amounts, dates) found by position in O(log n), in their original
    order, so reading an article stays linear in its length."""

    def __init__(self, items: list) -> None:
        order = sorted(range(len(items)), key=lambda i: items[i].start)
        self.items = items
        self.order = order
        self.starts = [items[i].start for i in order]
        self.in_order = order == list(range(len(items)))  # the usual case: no reordering

    def between(self, start: int, end: int, before: int | None = None) -> list:
        """Items with ``start <= item.start`` and ``item.end <= end`` (or, with ``before``,
        every item starting in ``[start, before)``), in their original order."""
        first = bisect_left(self.starts, start)
        if before is not None:
            last = bisect_left(self.starts, before)
        else:
            last = bisect_right(self.starts, end)
        if self.in_order:
            picked = self.items[first:last]
            return picked if before is not None else [x for x in picked if x.end <= end]
        chosen = self.order[first:last]
        if before is None:
            chosen = [i for i in chosen if self.items[i].end <= end]
        return [self.items[i] for i in sorted(chosen)]


def _span(m: Mention) -> Span:
    return (m.start, m.end, m.text)


class _Context:
    """What one article offers a sentence: its paragraph, earlier subjects, vendor links."""

    def __init__(self, art: Article, vocab: Vocabulary, vendor: str) -> None:
        self.art, self.vocab, self.vendor = art, vocab, vendor
        self.links = [m for m in art.orgs if m.key == vendor]
        self.links += [c for c in art.chips if c.owner == vendor]
        self._index = {name: _Positions(items) for name, items in (
            ("links", self.links), ("orgs", art.orgs), ("chips", art.chips),
            ("amounts", art.amounts), ("dates", art.dates))}  # fmt: skip
        self._inside_of, self._inside = -1, {}
        self._paragraphs: dict[int, tuple[int, int]] = {}
        for x in art.sentences:
            first, _ = self._paragraphs.get(x.paragraph, (x.start, x.end))
            self._paragraphs[x.paragraph] = (first, x.end)
        paragraphs = sorted(self._paragraphs)[:LEAD_PARAGRAPHS]
        self._lead_end = max((x.end for x in art.sentences if x.paragraph in paragraphs),
                             default=0)  # fmt: skip

    def inside(self, kind: str, s: Sentence) -> list:
        """The ``kind`` items ("orgs", "chips", "amounts", "dates") within sentence ``s``;
        kept for the sentence being read, which asks for the same lists once per field."""
        if self._inside_of != s.start:
            self._inside_of, self._inside = s.start, {}
        found = self._inside.get(kind)
        if found is None:
            found = self._inside[kind] = self._index[kind].between(s.start, s.end)
        return found

    def link_in(self, start: int, end: int) -> Mention | None:
        hits = self._index["links"].between(start, end)
        return min(hits, key=lambda m: m.start) if hits else None

    def lead_end(self) -> int:
        """End of the title and first paragraph, where a press article states its news."""
        return self._lead_end

    def topic_link(self) -> Mention | None:
        """The vendor named in the title or lead makes it the article's subject."""
        return self.link_in(0, self.lead_end())

    def paragraph_bounds(self, s: Sentence) -> tuple[int, int]:
        return self._paragraphs[s.paragraph]

    def earlier_dependent(self, s: Sentence) -> Mention | None:
        """'The company' / 'le groupe': the one dependent named earlier in the paragraph."""
        start, _ = self.paragraph_bounds(s)
        before = [m for m in self._index["orgs"].between(start, s.start, before=s.start)
                  if m.key in self.vocab.dependents and m.key != self.vendor]  # fmt: skip
        return before[-1] if len({m.key for m in before}) == 1 else None


def propose(art: Article, vocab: Vocabulary, vendor: str) -> list[dict]:
    """Candidates for the article: one per (dependent, family), for the dependents the
    article is about; where directions conflict, the one stated first (the news) wins."""
    ctx = _Context(art, vocab, vendor)
    best: dict[tuple, dict] = {}
    focus = _focus(ctx)
    for s in art.sentences:
        for cand in _sentence_candidates(ctx, s, focus):
            if cand["dependent"] not in focus:
                continue
            key = (cand["dependent"], cand["family"])
            old = best.get(key)
            if old is None or (old["direction"] == cand["direction"] and (
                    cand["magnitude"], -cand["credibility"]) > (
                    old["magnitude"], -old["credibility"])):  # fmt: skip
                best[key] = cand
    return sorted(best.values(), key=lambda c: c["spans"]["sentence"][0])


def _focus(ctx: _Context) -> set[str]:
    """Dependents the article is about: named in the title or lead, or named at least twice.
    Competitors cited once for context ("Google and Amazon have their own chips") are not."""
    lead_end = ctx.lead_end()
    counts: dict[str, int] = {}
    focus = set()
    for m in ctx.art.orgs:
        counts[m.key] = counts.get(m.key, 0) + 1
        if m.start < lead_end:
            focus.add(m.key)
    for chip in ctx.art.chips:
        if chip.kind == "in_house":
            counts[chip.owner] = counts.get(chip.owner, 0) + 1
            if chip.start < lead_end:
                focus.add(chip.owner)
    return focus | {k for k, n in counts.items() if n >= MIN_MENTIONS}


def _dependents(ctx: _Context, s: Sentence, chips: list[Mention]) -> list[Mention]:
    found = [m for m in ctx.inside("orgs", s)
             if m.key in ctx.vocab.dependents and m.key != ctx.vendor]  # fmt: skip
    for chip in chips:
        if chip.kind == "in_house" and chip.owner in ctx.vocab.dependents:
            found.append(chip.__class__(chip.owner, chip.start, chip.end, chip.text))
    seen: dict[str, Mention] = {}
    for m in found:
        seen.setdefault(m.key, m)
    return list(seen.values())


def _sentence_candidates(ctx: _Context, s: Sentence, focus: set[str]) -> list[dict]:
    """Candidates of one sentence; only a sentence naming a dependent of ``focus`` (or
    pointing back to one) has its family cues searched, since no other can yield one."""
    art = ctx.art
    text = art.text[s.start:s.end]
    chips = ctx.inside("chips", s)
    deps = _dependents(ctx, s, chips)
    if not deps:
        earlier = ctx.earlier_dependent(s) if _strong(s, text, chips, ctx) else None
        deps = [earlier] if earlier else []
    if not any(dep.key in focus for dep in deps):
        return []  # nothing to propose: skip the cue searches, most of the reading time
    families = _families(ctx, s, text, chips)
    if not families:
        return []
    out = []
    for dep in deps:
        for family, direction, fam_span, dir_span, link in families:
            if family == "chip_programs" and not _owns_or_uses(dep, chips, text):
                continue
            out.append(_candidate(ctx, s, text, dep, family, direction, fam_span, dir_span, link))
    return out


def _strong(s: Sentence, text: str, chips: list, ctx: _Context) -> bool:
    return bool(anaphor(text))


def _owns_or_uses(dep: Mention, chips: list[Mention], text: str) -> bool:
    """A named in-house chip belongs to its owner; other chips and 'its own chips' to anyone
    the sentence names."""
    own = [c for c in chips if c.kind == "in_house"]
    return not own or any(c.owner == dep.key for c in own) or len(own) < len(chips)


def _families(ctx: _Context, s: Sentence, text: str, chips: list[Mention]) -> list[tuple]:
    """(family, direction, family span, direction span, vendor-link span) found in a sentence."""
    found: list[tuple] = []
    alt_chips = [c for c in chips if c.kind in ("in_house", "alternative")]
    program = (_cue(text, s.start, *_PROGRAM[0]) or _cue(text, s.start, *_PROGRAM[1])
               ) if _any_cue(text, *_PROGRAM) else None  # fmt: skip
    fam_span = program or (_span(alt_chips[0]) if alt_chips else None)
    claimed: list[tuple[int, int]] = [(fam_span[0], fam_span[1])] if program else []
    if fam_span:
        setback = _cue(text, s.start, "family", "chip_programs", "setback")
        direction = 1 if setback else -1
        found.append(("chip_programs", direction, fam_span, setback or fam_span, fam_span))
    link = ctx.link_in(s.start, s.end)
    if link is None:
        par_start, par_end = ctx.paragraph_bounds(s)
        near = ctx.link_in(par_start, par_end)
        link = near if near and (compute_word(text) or ctx.inside("amounts", s)) else None
        topic = ctx.topic_link()
        link = link or (topic if topic and compute_word(text) else None)
    if link is None:
        return found
    vendor_chip = any(c.owner == ctx.vendor for c in chips)
    tension = _tension(text, s.start, claimed)
    if tension:
        found.append(("tensions", tension[0], tension[1], tension[1], _span(link)))
    if not found or vendor_chip:
        spend = _spend(text, s.start, claimed)
        if spend:
            found.append(("spend", spend[0], spend[1], spend[1], _span(link)))
    return found


def _tension(text: str, offset: int, claimed: list) -> tuple[int, Span] | None:
    if not _any_cue(text, *_TENSION):
        return None
    down = _cue(text, offset, "family", "tensions", "down", skip=claimed)
    if down and not lexicon.cue_regex("negation", "words").search(text):
        return -1, down
    up = _cue(text, offset, "family", "tensions", "up", skip=claimed)
    return (1, up) if up else None


def _spend(text: str, offset: int, claimed: list) -> tuple[int, Span] | None:
    if not _any_cue(text, *_SPEND):
        return None
    down = _cue(text, offset, "family", "spend", "down", skip=claimed)
    if down:
        return -1, down
    up = _cue(text, offset, "family", "spend", "up", skip=claimed)
    return (1, up) if up else None


def _magnitude(
    ctx: _Context, s: Sentence, text: str, family: str, chips: list
) -> tuple[int, Span | None]:
    amounts = ctx.inside("amounts", s) if family != "tensions" else []
    if amounts:
        top = max(amounts, key=lambda a: a.usd_for_grading())
        usd = top.usd_for_grading()
        grade = next((g for g, floor in _MONEY_GRADES if usd >= floor), 1)
        return grade, (top.start, top.end, top.text)
    count = chip_count(text, ctx.art.language) if family != "tensions" else None
    if count:
        n, (a, b, t) = count
        grade = 5 if n >= 1e5 else 4 if n >= 1e4 else 3 if n >= 1e3 else 2
        return grade, (s.start + a, s.start + b, t)
    if _any_cue(text, *_SIZE):
        large = _cue(text, s.start, "magnitude", "large")
        if large:
            return 4, large
        small = _cue(text, s.start, "magnitude", "small")
        if small:
            return 1, small
    named = family == "chip_programs" and any(c.kind == "in_house" for c in chips)
    return (3 if named else 2), None


def _credibility(text: str, offset: int) -> tuple[int, Span | None]:
    if not _any_cue(text, *_CREDIBILITY):
        return 3, None
    for grade, name in ((3, "hedged"), (1, "announced"), (2, "reported")):
        span = _cue(text, offset, "credibility", name)
        if span:
            return grade, span
    return 3, None


def _date(ctx: _Context, s: Sentence) -> tuple[str, str, Span | None]:
    for d in ctx.inside("dates", s):
        if d.value <= ctx.art.published:
            precision = "day" if d.precision in ("day", "week") else d.precision
            return d.value.isoformat(), precision, (d.start, d.end, d.text)
    return ctx.art.published.isoformat(), "day", None


def _candidate(ctx: _Context, s: Sentence, text: str, dep: Mention, family: str,
               direction: int, fam_span: Span, dir_span: Span, link: Span) -> dict:  # fmt: skip
    chips = ctx.inside("chips", s)
    magnitude, mag_span = _magnitude(ctx, s, text, family, chips)
    credibility, cred_span = _credibility(text, s.start)
    when, precision, date_span = _date(ctx, s)
    amounts = [a for a in ctx.inside("amounts", s) if a.currency == "USD" and a.value]
    whole: Span = (s.start, s.end, text)
    spans = {"dependent": _span(dep), "vendor": link, "family": fam_span,
             "direction": dir_span, "magnitude": mag_span or whole,
             "credibility": cred_span or whole, "date": date_span or whole,
             "sentence": whole}  # fmt: skip
    cand = {
        "dependent": dep.key, "vendor": ctx.vendor, "family": family, "direction": direction,
        "magnitude": magnitude, "credibility": credibility, "date": when,
        "date_precision": precision,
        "amount_usd": max((a.value for a in amounts), default=None) if family == "spend" else None,
        "spans": {k: list(v) for k, v in spans.items()},
    }  # fmt: skip
    cand["summary"] = summarise(ctx, cand, chips, credibility)
    return cand


def summarise(ctx: _Context, cand: dict, chips: list[Mention], credibility: int) -> str:
    """An English sentence built from the fields, whatever the article's language."""
    orgs = ctx.vocab.directory.by_id
    name = orgs[cand["dependent"]].name if cand["dependent"] in orgs else cand["dependent"]
    vendor = orgs[ctx.vendor].name if ctx.vendor in orgs else ctx.vendor
    verb = FAMILY_VERBS[(cand["family"], cand["direction"])].format(vendor=vendor)
    parts = [f"{name} {verb}"]
    names = sorted({c.key for c in chips})
    if names:
        parts.append(f" ({', '.join(names)})")
    if cand["amount_usd"]:
        parts.append(f", about ${cand['amount_usd'] / 1e9:,.1f} billion" if cand["amount_usd"]
                     >= 1e9 else f", about ${cand['amount_usd'] / 1e6:,.0f} million")  # fmt: skip
    hedge = {1: "announced", 2: "reported", 3: "unconfirmed report"}.get(credibility, "report")
    parts.append(f" ({hedge}, {cand['date']}).")
    return "".join(parts)


def read(raw: str, vocab: Vocabulary, published: date, vendor: str = "nvidia") -> Article:
    """Extract every field from the article text (offsets refer to ``raw``)."""
    text = normalise(raw)
    language = detect_language(text)
    art = Article(text, language, published, sentences(text), vocab.organisations(text),
                  vocab.chip_mentions(text), find_amounts(text, language),
                  find_dates(text, published, language))  # fmt: skip
    art.candidates = propose(art, vocab, vendor)
    return art
