"""The extractor's vocabulary, read from ``data/lexicon/*.toml`` and compiled once.

Keeping chip names, aliases and cue words in data files lets an analyst see why a
candidate was proposed and extend the vocabulary without touching code.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
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
    if len(ordered) < 8:
        return "|".join(ordered)
    leads = [_lead(p, ignorecase) for p in ordered]
    if None in leads:  # a pattern without a plain first letter could match anywhere
        return "|".join(ordered)
    branches = []
    for key in dict.fromkeys(leads):
        rests = [p[1:] for p, lead in zip(ordered, leads, strict=True) if lead == key]
        branches.append(f"{key}(?:{'|'.join(rests)})")
    return "|".join(branches)


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
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


def literal_alternation(words: list[str], ignorecase: bool = True) -> str:
    return alternation([re.escape(w) for w in words], ignorecase)


def words_regex(patterns: list[str], flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """Patterns compiled as whole words: a cue must not match inside another word."""
    return re.compile(f"{WORD_START}(?:{alternation(patterns, bool(flags & re.IGNORECASE))})"
                      f"{WORD_END}", flags)


@cache
def cue_regex(*path: str) -> re.Pattern[str]:
    """The compiled cue list at ``cues.toml`` key path, e.g. ('family', 'spend', 'up')."""
    node: Any = data("cues")
    for key in path:
        node = node[key]
    return words_regex(list(node))
