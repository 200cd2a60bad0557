"""Rule-based reading of a press article: organisations, chips, money, dates, candidates.

Transparent on purpose: every vocabulary item is in ``data/lexicon/``, and every proposed
candidate carries the spans of text that set each of its fields, so a reviewer sees why.
Sentences are the unit: a candidate needs a dependent in the sentence and a link to the
vendor (its name or one of its chips) in the sentence or its paragraph, or an in-house or
alternative chip program of that dependent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from risk import lexicon
from risk.money import Amount, find_amounts, parse_number
from risk.organisations import Directory
from risk.textdates import FoundDate, find_dates

# One-for-one replacements, so offsets in the normalised text are offsets in the original.
_SAME_WIDTH = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00a0": " ", "\u202f": " ",
                             "\u2009": " ", "\u2013": "-", "\u2011": "-"})  # fmt: skip
_ABBREVIATIONS = {"m", "mr", "mrs", "ms", "dr", "inc", "corp", "co", "ltd", "st", "vs", "etc",
                  "u.s", "p", "no", "jan", "feb", "aug", "sept", "oct", "nov", "dec", "mme"}
_BOUNDARY = re.compile(r"[.!?…]+[\"»”')\]]*\s+(?=[«\"“'(\[]?[A-ZÀ-Ý0-9])")

Span = tuple[int, int, str]


def normalise(text: str) -> str:
    """Typographic quotes and non-breaking spaces made plain, keeping every offset."""
    return text.translate(_SAME_WIDTH)


def detect_language(text: str) -> str:
    """'fr' or 'en', whichever language's stop words are more frequent."""
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœ]+", text.lower())
    stop = lexicon.data("cues")["stopwords"]
    fr, en = set(stop["fr"]), set(stop["en"])
    fr_count = sum(w in fr for w in words)
    en_count = sum(w in en for w in words)
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
            before = re.search(r"([\w.]+)[.!?…]*$", line[cut:m.start() + 1])
            if before and before.group(1).rstrip(".").casefold() in _ABBREVIATIONS:
                continue
            _add_sentence(found, line, offset, cut, m.end(), index)
            cut = m.end()
        _add_sentence(found, line, offset, cut, len(line), index)
        offset += len(line) + 1
    return found


def _add_sentence(found: list[Sentence], line: str, offset: int, a: int, b: int, par: int) -> None:
    piece = line[a:b]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        found.append(Sentence(offset + a + lead, offset + a + len(piece.rstrip()), par))


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
        pattern = "|".join(f"(?P<c{i}>{lexicon.alternation(c['aliases'])})"
                           for i, c in enumerate(self.chips.values()))  # fmt: skip
        self._chip_re = re.compile(f"{lexicon.WORD_START}(?:{pattern}){lexicon.WORD_END}",
                                   re.IGNORECASE)  # fmt: skip
        self._chip_names = list(self.chips)

    def organisations(self, text: str) -> list[Mention]:
        found = [Mention(self._folded[m.group(0).casefold()], m.start(), m.end(), m.group(0))
                 for m in self._org_ci.finditer(text)]  # fmt: skip
        found += [Mention(self._exact[m.group(0)], m.start(), m.end(), m.group(0))
                  for m in self._org_cs.finditer(text)]  # fmt: skip
        return _non_overlapping(found)

    def chip_mentions(self, text: str) -> list[Mention]:
        found = []
        for m in self._chip_re.finditer(text):
            index = int(m.lastgroup[1:])  # type: ignore[index]
            name = self._chip_names[index]
            info = self.chips[name]
            found.append(Mention(name, m.start(), m.end(), m.group(0), info["owner"], info["kind"]))
        return found


def _non_overlapping(found: list[Mention]) -> list[Mention]:
    chosen: list[Mention] = []
    for item in sorted(found, key=lambda x: (-(x.end - x.start), x.start)):
        if not any(item.start < c.end and c.start < item.end for c in chosen):
            chosen.append(item)
    return sorted(chosen, key=lambda x: x.start)


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


def read(raw: str, vocab: Vocabulary, published: date, vendor: str = "nvidia") -> Article:
    """Extract every field from the article text (offsets refer to ``raw``)."""
    from risk.candidates import propose

    text = normalise(raw)
    language = detect_language(text)
    art = Article(text, language, published, sentences(text), vocab.organisations(text),
                  vocab.chip_mentions(text), find_amounts(text, language),
                  find_dates(text, published, language))  # fmt: skip
    art.candidates = propose(art, vocab, vendor)
    return art


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
