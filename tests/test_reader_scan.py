"""Searching only near anchors finds exactly what a full scan finds.

The reader's speed shortcuts (dates searched around digits and date words, the word before
a full stop looked for near it, overlaps skipped when there are none) must not change a
single reading. Each is compared here with the plain computation on the evaluation
articles and on generated text crowded with the edge cases: dates at region borders,
digit runs of every length, month names inside other words, runs of punctuation.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from risk.reader import candidates, dates, lexicon, scan, text

EVAL = sorted((Path(__file__).parent / "ingest_eval").glob("*.txt"))
PIECES = [
    "6 octobre 2025", "le 1er mars", "October 6, 2025", "Oct. 6", "mars 2024", "en 2019",
    "depuis l'année 2021", "mid-May", "fin décembre", "lundi", "next Tuesday", "hier",
    "la semaine dernière", "2025-10-06", "06/10/2025", "10.06.2025", "12345678901234567890",
    "2025", "19", "mai", "maison", "Mays", "mardi prochain", "H100", "GB200", "$10bn", "...",
    "!?!", "Inc.", "U.S.", "etc.", "St.", "é", "«", "»", "-", "'", "\n", "\n\n", " ", "  ",
    "Microsoft", "the year 2024", "last week", "31 février 2025", "Sept. 2023", "mi-juin",
]


def soup(seed: int, n: int = 400) -> str:
    """Text made of date fragments, numbers and punctuation, joined by random separators."""
    rng = random.Random(seed)
    return "".join(rng.choice(PIECES) + rng.choice(["", " ", ", ", ". ", "-", "x", "\n"])
                   for _ in range(n))  # fmt: skip


TEXTS = [p.read_text(encoding="utf-8") for p in EVAL] + [soup(seed) for seed in range(40)]


def reference_dates(body: str, published: date, language: str) -> list:
    """``find_dates`` as it was before the anchors: every form scanned over the whole text."""
    hits = []
    for kind, pattern in dates._patterns():
        for m in pattern.finditer(body):
            if not dates._plausible(kind, m):
                continue
            try:
                value, precision = dates._resolve(kind, m, published, language)
            except (ValueError, KeyError):
                continue
            hits.append(dates.FoundDate(m.group(0), m.start(), m.end(), value, precision))
    return text.longest_first(hits)


@pytest.mark.parametrize("index", range(len(TEXTS)))
def test_dates_found_near_anchors_are_exactly_those_of_a_full_scan(index: int) -> None:
    body = TEXTS[index]
    for language in ("fr", "en"):
        expected = reference_dates(body, date(2025, 10, 8), language)
        assert dates.find_dates(body, date(2025, 10, 8), language) == expected


def test_every_date_form_is_found_near_anchors_with_the_same_groups() -> None:
    body = "".join(TEXTS)
    digits = scan.digit_runs(body)
    words = [m.span() for m in dates._words().finditer(body)]
    for kind, pattern in dates._patterns():
        anchors = digits if kind in dates._WITH_DIGITS else words
        full = [(m.span(), m.groupdict()) for m in pattern.finditer(body)]
        near = [(m.span(), m.groupdict()) for m in scan.find_all(pattern, body, anchors)]
        assert near == full, kind
        assert full, f"the test text holds no {kind} date"


RANDOM_PATTERNS = [
    r"[ab]{0,3}\d[ab]{0,3}(?![ab])",
    r"(?<![a])a{1,4}\d{1,2}(?=b{1,3})",
    r"(?<!\w)b?\d{1,3}(?:a|bb|aba)?(?!\d)",
    r"(?:ab|ba){0,4}\d(?=a{2})",
    r"\d(?:[ab ]{1,6}\d)?",
    r"[ab]{3}\d",  # the anchor at the far end of the longest match
    r"\d[ab]{3}(?!b)",  # the look-ahead at the far end of the longest match
]


@pytest.mark.parametrize("source", RANDOM_PATTERNS)
def test_find_all_equals_finditer_on_random_text(source: str) -> None:
    """Every pattern holds a digit, the anchor; the text is short runs of a, b, digits."""
    pattern = re.compile(source)
    rng = random.Random(source)
    for _ in range(300):
        body = "".join(rng.choice("aab b1") for _ in range(rng.randint(0, 120)))
        full = [(m.span(), m.groups()) for m in pattern.finditer(body)]
        near = [(m.span(), m.groups()) for m in scan.find_all(pattern, body, scan.digit_runs(body))]
        assert near == full, body


def test_a_match_needing_a_missing_anchor_is_not_found() -> None:
    # The anchors are a promise made by the caller: a match without one is not looked for.
    pattern = re.compile(r"\d{4}")
    assert [m.group() for m in scan.find_all(pattern, "in 2025 and 2026", [(3, 7)])] == ["2025"]


@pytest.mark.parametrize(("source", "expected"), [
    (r"\d{4}", 4),
    (r"\d{4}(?!\d)", 5),
    (r"ab(?=cde)", 5),
    (r"(?<!\w)x(?:y|zz)", 3),
    (r"\d+", None),  # unbounded: scanned whole
    (r"x?", None),  # can be empty: scanned whole
])
def test_reach_counts_the_longest_match_and_its_look_aheads(source: str, expected) -> None:
    assert scan.reach(re.compile(source)) == expected


def test_an_unbounded_pattern_is_scanned_whole() -> None:
    body = "a 123456 b 7"
    found = [m.group() for m in scan.find_all(re.compile(r"\d+"), body, [])]
    assert found == ["123456", "7"]


def slow_word_before(line: str, start: int, end: int) -> str | None:
    found = re.search(r"([\w.]+)[.!?…]*$", line[start:end])
    return found.group(1) if found else None


@pytest.mark.parametrize("seed", range(30))
def test_the_word_before_a_full_stop_is_the_one_a_whole_search_finds(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = ["a", "b", ".", "!", "?", "…", " ", "-", "é", "7"]
    for _ in range(200):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200)))
        line = rng.choice(["", "x" * 70, "." * 70, "!" * 70]) + line + rng.choice(
            ["", "!" * 70, "?…" * 40, "." * 70])  # fmt: skip
        start = rng.randint(0, len(line) - 1)
        end = rng.randint(start + 1, len(line))
        assert text._word_before(line, start, end) == slow_word_before(line, start, end)


@dataclass(frozen=True)
class Reading:
    start: int
    end: int


def slow_longest_first(items: list[Reading]) -> list[Reading]:
    claimed = text.Claimed()
    kept = [x for x in sorted(items, key=lambda x: (-(x.end - x.start), x.start))
            if claimed.claim(x.start, x.end)]  # fmt: skip
    return sorted(kept, key=lambda x: x.start)


@pytest.mark.parametrize("seed", range(20))
def test_longest_first_without_overlaps_keeps_everything_in_text_order(seed: int) -> None:
    rng = random.Random(seed)
    for spread in (5, 50, 5000):
        items = []
        for _ in range(rng.randint(0, 40)):
            a = rng.randint(0, spread)
            items.append(Reading(a, a + rng.randint(1, 8)))
        assert text.longest_first(items) == slow_longest_first(items)


CUE_GROUPS = [candidates._PROGRAM, candidates._TENSION, candidates._SPEND, candidates._SIZE,
              candidates._CREDIBILITY]  # fmt: skip


def cue_sentences() -> list[str]:
    """Sentences of the evaluation articles, and generated ones built from the cue lists'
    own words (every list is present in some, most hold several)."""
    found = [body[s.start:s.end] for body in TEXTS[:len(EVAL)] for s in text.sentences(body)]
    words = [w for group in CUE_GROUPS for path in group
             for cue in lexicon._cue_list(path) for w in re.findall(r"[^\W\d_]{3,}", cue)]
    pool = [*words, "Nvidia", "the", "-", "x"]
    rng = random.Random(7)
    found += [" ".join(rng.choice(pool) for _ in range(12))
              for _ in range(300)]  # fmt: skip
    return found


@pytest.mark.parametrize("group", CUE_GROUPS, ids=lambda g: "+".join(p[-1] for p in g))
def test_one_search_over_several_cue_lists_finds_one_exactly_when_a_list_does(group) -> None:
    sentences = cue_sentences()
    hits = 0
    for sentence in sentences:
        each = any(lexicon.cue_regex(*path).search(sentence) for path in group)
        assert candidates._any_cue(sentence, *group) == each, sentence
        hits += each
    assert 0 < hits < len(sentences)
