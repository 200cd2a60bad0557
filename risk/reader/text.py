"""Plain text of an article: normalised characters, its language and its sentences.

Offsets are kept: every later step (mentions, amounts, dates, candidates) points back into
the text an analyst pasted, so the review queue can highlight the words behind each field.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from risk.reader import lexicon

# One-for-one replacements, so offsets in the normalised text are offsets in the original.
_SAME_WIDTH = {"\u2019": "'", "\u2018": "'", "\u00a0": " ", "\u202f": " ",
              "\u2009": " ", "\u2013": "-", "\u2011": "-"}  # fmt: skip
_ABBREVIATIONS = {"m", "mr", "mrs", "ms", "dr", "inc", "corp", "co", "ltd", "st", "vs", "etc",
                  "u.s", "p", "no", "jan", "feb", "aug", "sept", "oct", "nov", "dec", "mme"}
_BOUNDARY = re.compile(r"[.!?…]+[\"»”')\]]*\s+(?=[«\"“'(\[]?[A-ZÀ-Ý0-9])")
_LAST_WORD = re.compile(r"([\w.]+)[.!?…]*$")
_IN_LAST_WORD = re.compile(r"[\w.!?…]")
_ONLY_STOPS = re.compile(r"[.!?…]*")
_TAIL = 64  # the last word before a full stop is looked for in this many characters first

Span = tuple[int, int, str]


class Claimed:
    """Spans of the text already taken by a reading, none overlapping another: whether a
    new span overlaps one, and adding it, cost O(log n), so a long article stays linear."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        at = bisect_left(self.starts, start)
        return (at > 0 and self.ends[at - 1] > start) or (
            at < len(self.starts) and self.starts[at] < end)  # fmt: skip

    def claim(self, start: int, end: int) -> bool:
        """Take ``[start, end)`` unless it overlaps a span already taken; True if taken."""
        if self.overlaps(start, end):
            return False
        at = bisect_left(self.starts, start)
        self.starts.insert(at, start)
        self.ends.insert(at, end)
        return True


def longest_first(items: list) -> list:
    """Of overlapping readings (anything with ``start`` and ``end``), keep the longest
    (the earliest among equals), in text order."""
    in_order = sorted(items, key=lambda x: x.start)
    if all(a.end <= b.start for a, b in pairwise(in_order)):
        return in_order  # nothing overlaps (the usual case): nothing to choose
    claimed = Claimed()
    kept = [x for x in sorted(items, key=lambda x: (-(x.end - x.start), x.start))
            if claimed.claim(x.start, x.end)]  # fmt: skip
    return sorted(kept, key=lambda x: x.start)


def normalise(text: str) -> str:
    """Typographic quotes and non-breaking spaces made plain, keeping every offset.

    One ``str.replace`` per character: each is a C loop, ten times faster than
    ``str.translate`` with a table on a long article."""
    for old, new in _SAME_WIDTH.items():
        text = text.replace(old, new)
    return text


def detect_language(text: str) -> str:
    """'fr' or 'en', whichever language's stop words are more frequent."""
    counts = Counter(re.findall(r"[a-zàâçéèêëîïôûùüÿœ]+", text.lower()))  # counted in C
    stop = lexicon.data("cues")["stopwords"]
    fr_count = sum(counts[w] for w in set(stop["fr"]))
    en_count = sum(counts[w] for w in set(stop["en"]))
    return "fr" if fr_count > en_count else "en"


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int


def sentences(text: str) -> list[Sentence]:
    """Sentences with their paragraph (a non-empty line); abbreviations do not end one."""
    found: list[Sentence] = []
    offset = 0
    for index, line in enumerate(text.split("\n")):
        cut = 0
        for m in _BOUNDARY.finditer(line):
            before = _word_before(line, cut, m.start() + 1)
            if before and before.rstrip(".").casefold() in _ABBREVIATIONS:
                continue
            _add_sentence(found, line, offset, cut, m.end(), index)
            cut = m.end()
        _add_sentence(found, line, offset, cut, len(line), index)
        offset += len(line) + 1
    return found


def _word_before(line: str, start: int, end: int) -> str | None:
    """The run of word characters and dots ending ``line[start:end]`` (before its final
    punctuation), looked for in the last ``_TAIL`` characters, and in the whole piece only
    when the run may reach further back (it starts at the window's edge, or the window is
    all punctuation, and the character before could belong to it): the same answer as a
    search of the whole piece, in constant time per full stop."""
    near = max(start, end - _TAIL)
    found = _LAST_WORD.search(line, near, end)
    edge = (found is not None and found.start() == near) or bool(
        _ONLY_STOPS.fullmatch(line, near, end))  # fmt: skip
    if near > start and edge and _IN_LAST_WORD.match(line, near - 1):
        found = _LAST_WORD.search(line, start, end)
    return found.group(1) if found else None


def _add_sentence(found: list[Sentence], line: str, offset: int, a: int, b: int, par: int) -> None:
    piece = line[a:b]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        found.append(Sentence(offset + a + lead, offset + a + len(piece.rstrip()), par))
