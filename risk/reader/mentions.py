"""What an article names: organisations, chips and chip counts, each with its offsets.

The matchers come from the organisation directory and the lexicon in ``data/lexicon/``, so a
new alias or chip is a data change, not a code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from risk.organisations import Directory
from risk.reader import lexicon
from risk.reader.money import parse_number
from risk.reader.text import Span, longest_first


@dataclass(frozen=True)
class Mention:
    key: str  # organisation id or chip name
    start: int
    end: int
    text: str
    owner: str = ""
    kind: str = ""


class Vocabulary:
    """Compiled matchers for organisations and chips, from the directory and the lexicon."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.dependents = {o.id for o in directory.with_role("dependent")}
        names: dict[str, str] = {}
        exact: dict[str, str] = {}
        lex = lexicon.data("organisations")["orgs"]
        exact_folded = {a.casefold() for o in lex.values() for a in o.get("exact", [])}
        for org in directory.by_id.values():
            for alias in (org.id, org.name, *org.aliases):
                names.setdefault(alias, org.id)
        for org_id, entry in lex.items():
            for alias in entry.get("aliases", []):
                names.setdefault(alias, org_id)
            for alias in entry.get("exact", []):
                exact[alias] = org_id
        folded: dict[str, str] = {}
        for alias, org_id in names.items():
            if alias.casefold() in exact_folded:
                continue
            if alias.isupper() and len(alias) <= 4:
                exact.setdefault(alias, org_id)
            else:
                folded.setdefault(alias.casefold(), org_id)
        self._folded = folded
        self._exact = exact
        self._org_ci = lexicon.words_regex([re.escape(a) for a in folded])
        self._org_cs = lexicon.words_regex([re.escape(a) for a in exact], flags=0)
        self.chips = lexicon.data("chips")["chips"]
        self._chip_re = re.compile(f"{lexicon.WORD_START}(?:{_chip_pattern(self.chips)})"
                                   f"{lexicon.WORD_END}", re.IGNORECASE)  # fmt: skip
        self._chip_names = list(self.chips)

    def organisations(self, text: str) -> list[Mention]:
        found = [Mention(self._folded[m.group(0).casefold()], m.start(), m.end(), m.group(0))
                 for m in self._org_ci.finditer(text)]  # fmt: skip
        found += [Mention(self._exact[m.group(0)], m.start(), m.end(), m.group(0))
                  for m in self._org_cs.finditer(text)]  # fmt: skip
        return longest_first(found)

    def chip_mentions(self, text: str) -> list[Mention]:
        found = []
        for m in self._chip_re.finditer(text):
            index = int(m.lastgroup[1:].split("_")[0])  # type: ignore[index]
            name = self._chip_names[index]
            info = self.chips[name]
            found.append(Mention(name, m.start(), m.end(), m.group(0), info["owner"], info["kind"]))
        return found


def _chip_pattern(chips: dict) -> str:
    """One named group per chip (``c3`` is the fourth chip), the first chip whose aliases
    match winning. Where every alias has a plain first letter the groups are sorted under
    that letter (``m(?:(?P<c3_0>aia 100)|(?P<c4_1>aia))``, same order, same matches), so a
    word that starts no chip name is passed over in one test instead of one per chip."""
    per_chip = [lexicon.alternation(c["aliases"]) for c in chips.values()]
    split = [lexicon.split_leads(sorted(c["aliases"], key=len, reverse=True))
             for c in chips.values()]  # fmt: skip
    if any(s is None for s in split):
        return "|".join(f"(?P<c{i}>{p})" for i, p in enumerate(per_chip))
    by_lead: dict[str, list[tuple[int, str]]] = {}
    for i, forms in enumerate(split):
        for lead, rest in forms:  # type: ignore[union-attr]
            by_lead.setdefault(lead, []).append((i, rest))
    branches, n = [], 0
    for lead, items in by_lead.items():
        runs: list[tuple[int, list[str]]] = []
        for i, rest in items:
            if runs and runs[-1][0] == i:
                runs[-1][1].append(rest)
            else:
                runs.append((i, [rest]))
        groups = []
        for i, rests in runs:
            groups.append(f"(?P<c{i}_{n}>{'|'.join(rests)})")
            n += 1
        branches.append(f"{lead}(?:{'|'.join(groups)})")
    return "|".join(branches)


@cache
def _compiled(name: str) -> re.Pattern[str]:
    cues = lexicon.data("cues")
    if name == "quantity":
        units = lexicon.alternation(cues["quantity"]["units"])
        vague = lexicon.literal_alternation(list(cues["quantity"]["vague"]))
        num = r"\d{1,3}(?:[ ,.]\d{3})+|\d+(?:[.,]\d+)?"
        return re.compile(
            rf"(?<![\w.,])(?:(?P<num>{num})(?:\s?(?P<scale>k|mille|million|millions))?|"
            rf"(?:des |several |plusieurs )?(?P<vague>{vague}))\s(?:de |d'|of )?"
            rf"(?:(?:\w+ ){{0,2}})?(?:{units})(?![\w])", re.IGNORECASE)  # fmt: skip
    return lexicon.words_regex(cues[name]["words"])


def chip_count(text: str, language: str) -> tuple[float, Span] | None:
    """The largest number of chips a sentence speaks of ("100 000 GPU", "thousands of")."""
    best: tuple[float, Span] | None = None
    for m in _compiled("quantity").finditer(text):
        if m.group("vague"):
            value = float(lexicon.data("cues")["quantity"]["vague"][m.group("vague").casefold()])
        else:
            value = parse_number(m.group("num"), language)
            scale = (m.group("scale") or "").casefold()
            value *= 1e6 if scale.startswith("million") else 1e3 if scale in ("k", "mille") else 1
        if best is None or value > best[0]:
            best = (value, (m.start(), m.end(), m.group(0)))
    return best


def compute_word(text: str) -> re.Match[str] | None:
    return _compiled("compute").search(text)


def anaphor(text: str) -> re.Match[str] | None:
    return _compiled("anaphora").search(text)
