"""Regular expressions run only near their anchors, with exactly the matches of a full scan.

Python's regex engine tries a pattern at every position of the text. A date needs a digit
and an amount needs a digit or a scale word ("milliards"), and those are rare in press text:
searching only the stretches around them reads a long article at the cost of its numbers
instead of its length. The stretches are wide enough (the pattern's longest match plus its
longest look-ahead) that every match the full scan would find is found, in the same order,
with the same groups: ``find_all`` is ``pattern.finditer`` made faster, not different.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from re import _constants as sre  # the parser's own vocabulary, stable since Python 3.11
from re import _parser as sre_parse

DIGITS = re.compile(r"\d+")


@cache
def reach(pattern: re.Pattern[str]) -> int | None:
    """How far past its start a match of ``pattern`` can read (its longest match plus its
    look-aheads), or None when that is unbounded (``\\w+``) or a match can be empty: such
    a pattern is scanned whole."""
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    shortest, longest = parsed.getwidth()
    width = longest + _lookahead(parsed)
    return None if shortest == 0 or width >= sre.MAXREPEAT else width


def _lookahead(node: sre_parse.SubPattern) -> int:
    """An upper bound on how far look-aheads inside ``node`` read past where they stand."""
    total = 0
    for op, av in node:
        if op in (sre.ASSERT, sre.ASSERT_NOT) and av[0] == 1:
            total += av[1].getwidth()[1]
        total += sum(_lookahead(sub) for sub in _subpatterns(av))
    return total


def _subpatterns(av: object) -> Iterator[sre_parse.SubPattern]:
    if isinstance(av, sre_parse.SubPattern):
        yield av
    elif isinstance(av, (tuple, list)):
        for item in av:
            yield from _subpatterns(item)


def _regions(anchors: Iterable[tuple[int, int]], width: int) -> list[list[int]]:
    """Merged ``[first, last]`` ranges of positions where a match may start: a match holding
    an anchor starts at most ``width`` before it."""
    out: list[list[int]] = []
    for start, end in sorted(anchors):
        first = max(0, start - width)
        if out and first <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([first, end])
    return out


def find_all(pattern: re.Pattern[str], text: str,
             anchors: Iterable[tuple[int, int]]) -> Iterator[re.Match[str]]:  # fmt: skip
    """``pattern.finditer(text)``, for a pattern every match of which contains (or, through
    a look-ahead, reads) the start of one of the ``anchors`` spans.

    Each region is searched with an end wide enough that no match starting in it is cut
    short; a match found past the region belongs to a later one and is searched again there.
    """
    width = reach(pattern)
    if width is None:
        yield from pattern.finditer(text)
        return
    pos = 0
    for first, last in _regions(anchors, width):
        pos = max(pos, first)
        stop = min(len(text), last + width + 1)
        while pos <= last:
            m = pattern.search(text, pos, stop)
            if m is None or m.start() > last:
                break
            yield m
            pos = m.end()


def digit_runs(text: str) -> list[tuple[int, int]]:
    """Spans of the runs of digits in ``text``: the anchors of dates and amounts."""
    return [m.span() for m in DIGITS.finditer(text)]
