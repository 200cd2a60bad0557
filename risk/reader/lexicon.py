"""The extractor's vocabulary, read from ``data/lexicon/*.toml`` and compiled once.

Keeping chip names, aliases and cue words in data files lets an analyst see why a
candidate was proposed and extend the vocabulary without touching code.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from risk.errors import ConfigError
from risk.paths import DATA_DIR

LEXICON_DIR = DATA_DIR / "lexicon"
# A word starts here / ends here: letters of French included, apostrophes are boundaries.
WORD_START = r"(?<![\w\-])"
WORD_END = r"(?![\w])"


def load(name: str, folder: Path | None = None) -> dict[str, Any]:
    """One lexicon file as a dict; a broken file is a configuration error naming it."""
    path = (folder or LEXICON_DIR) / f"{name}.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: lexicon file missing") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc


@cache
def data(name: str) -> dict[str, Any]:
    """Cached lexicon (the files are read once per process)."""
    return load(name)


def alternation(patterns: list[str], ignorecase: bool = True) -> str:
    """Longest pattern first, so 'Maia 100' wins over 'Maia'.

    The patterns are grouped by their first letter (``m(?:aia\\ 100|aia)``): the regex
    engine then rejects a position after one test per letter instead of entering every
    pattern, which is most of the reading time on a long article. The order of the patterns
    that can match at a position is kept, so the result matches exactly what the flat
    ``a|b|c`` alternation would. ``ignorecase`` must say whether the caller compiles with
    ``re.IGNORECASE`` (letters differing only in case then share a group).
    """
    ordered = sorted(patterns, key=len, reverse=True)
    split = split_leads(ordered, ignorecase) if len(ordered) >= 8 else None
    if split is None:  # few patterns, or one without a plain first letter: kept flat
        return "|".join(ordered)
    branches = []
    for key in dict.fromkeys(lead for lead, _ in split):
        rests = [rest for lead, rest in split if lead == key]
        branches.append(f"{key}(?:{'|'.join(rests)})")
    return "|".join(branches)


def split_leads(patterns: list[str], ignorecase: bool = True) -> list[tuple[str, str]] | None:
    """``(first letter, rest)`` of each pattern, in order, or None if one has no plain first
    letter. A leading optional group is spelled out first: ``(?:Azure )?Maia`` is
    ``Azure Maia|Maia``, the order in which the regex engine tries them."""
    out = []
    for pattern in patterns:
        for form in _without_optional_prefix(pattern):
            lead = _lead(form, ignorecase)
            if lead is None:
                return None
            out.append((lead, form[1:]))
    return out


def _without_optional_prefix(pattern: str, budget: int = 64) -> list[str]:
    """``(?:a|b)?rest`` as ``[a rest, b rest, rest]`` and ``(?:a|b)rest`` as
    ``[a rest, b rest]`` (again while a form starts with a group), the order in which the
    regex engine tries them; any other pattern, or one that spells out into more than
    ``budget`` forms, as itself."""
    if not pattern.startswith("(?:"):
        return [pattern]
    close = _closing_paren(pattern)
    after = pattern[close + 1:close + 3] if close is not None else "*"
    optional = after[:1] == "?" and after[1:2] not in ("?", "+")
    if close is None or (after[:1] in ("?", "*", "+", "{") and not optional):
        return [pattern]
    rest = pattern[close + 1 + optional:]
    forms = [alt + rest for alt in _top_level_split(pattern[3:close])] + ([rest] * optional)
    out = [x for form in forms for x in _without_optional_prefix(form, budget)]
    return out if len(out) <= budget else [pattern]


def _scan(pattern: str):
    """(index, character, group depth) of each character outside escapes and classes."""
    depth, in_class, i = 0, False, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 1
        elif in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += pattern[i + 1:i + 2] == "^"
            i += pattern[i + 1:i + 2] == "]"  # "[]...]", "[^]...]": a leading ] is a member
        else:
            depth += c == "("
            yield i, c, depth
            depth -= c == ")"
        i += 1


def _closing_paren(pattern: str) -> int | None:
    """Index of the parenthesis closing the group that opens ``pattern``."""
    return next((i for i, c, depth in _scan(pattern) if c == ")" and depth == 1), None)


def _top_level_split(pattern: str) -> list[str]:
    cuts = [i for i, c, depth in _scan(pattern) if c == "|" and depth == 0]
    bounds = [-1, *cuts, len(pattern)]
    return [pattern[a + 1:b] for a, b in pairwise(bounds)]


def _lead(pattern: str, ignorecase: bool) -> str | None:
    """The pattern's first character when it is a plain letter or digit matched on its own
    (not quantified, not part of a top-level ``|``), in the form its group is keyed by."""
    if not pattern or not pattern[0].isalnum() or pattern[1:2] in ("?", "*", "+", "{"):
        return None
    if _has_top_level_bar(pattern):
        return None
    lead = pattern[0].lower() if ignorecase else pattern[0]
    return lead if len(lead) == 1 and lead.isalnum() else None


def _has_top_level_bar(pattern: str) -> bool:
    """Whether ``pattern`` is itself an alternation (a ``|`` outside groups and classes)."""
    return len(_top_level_split(pattern)) > 1


def literal_alternation(words: list[str], ignorecase: bool = True) -> str:
    return alternation([re.escape(w) for w in words], ignorecase)


def words_regex(patterns: list[str], flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """Patterns compiled as whole words: a cue must not match inside another word."""
    return re.compile(f"{WORD_START}(?:{alternation(patterns, bool(flags & re.IGNORECASE))})"
                      f"{WORD_END}", flags)


def _cue_list(path: tuple[str, ...]) -> list[str]:
    node: Any = data("cues")
    for key in path:
        node = node[key]
    return list(node)


@cache
def cue_regex(*path: str) -> re.Pattern[str]:
    """The compiled cue list at ``cues.toml`` key path, e.g. ('family', 'spend', 'up')."""
    return words_regex(_cue_list(path))


@cache
def any_cue_regex(*paths: tuple[str, ...]) -> re.Pattern[str]:
    """Several cue lists as one: it finds nothing exactly when none of them finds anything,
    so one search can tell that a sentence holds none of them (the usual case)."""
    return words_regex([cue for path in paths for cue in _cue_list(path)])
