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


def alternation(patterns: list[str]) -> str:
    """Longest pattern first, so 'Maia 100' wins over 'Maia'."""
    return "|".join(sorted(patterns, key=len, reverse=True))


def literal_alternation(words: list[str]) -> str:
    return alternation([re.escape(w) for w in words])


def words_regex(patterns: list[str], flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """Patterns compiled as whole words: a cue must not match inside another word."""
    return re.compile(f"{WORD_START}(?:{alternation(patterns)}){WORD_END}", flags)


@cache
def cue_regex(*path: str) -> re.Pattern[str]:
    """The compiled cue list at ``cues.toml`` key path, e.g. ('family', 'spend', 'up')."""
    node: Any = data("cues")
    for key in path:
        node = node[key]
    return words_regex(list(node))
