"""The article reader: money, dates, organisations and candidate cues, in French and English."""

from __future__ import annotations

from datetime import date

import pytest

from risk import organisations
from risk.reader.candidates import read
from risk.reader.dates import find_dates
from risk.reader.mentions import Vocabulary
from risk.reader.money import find_amounts
from risk.reader.text import detect_language

PUBLISHED = date(2025, 10, 8)  # a Wednesday


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    orgs = [
        organisations.Organisation("microsoft", "Microsoft", ("dependent",), ("MSFT", "Azure")),
        organisations.Organisation("openai", "OpenAI", ("dependent",), ("Open AI",)),
        organisations.Organisation("nvidia", "Nvidia", ("vendor",), ("NVIDIA", "Nvidia Corp")),
        organisations.Organisation("amd", "AMD", ("alternative",), ()),
        organisations.Organisation("google", "Google", ("dependent", "alternative"), ()),
    ]
    return Vocabulary(organisations.Directory(orgs))


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Microsoft a investi 10 milliards de dollars", "fr", {"value_usd": 10e9}),
        ("un budget de 10 Md$ au total", "fr", {"value_usd": 10e9}),
        ("a $10bn deal", "en", {"value_usd": 10e9}),
        ("a $10 billion deal", "en", {"value_usd": 10e9}),
        ("costs $40,000 per chip", "en", {"value_usd": 40_000}),
        ("coûte 40 000 dollars", "fr", {"value_usd": 40_000}),
        ("coûte 40\u202f000 dollars", "fr", {"value_usd": 40_000}),
        ("1,5 milliard d'euros", "fr", {"value_eur": 1.5e9, "currency": "EUR"}),
        ("€1.5bn in Germany", "en", {"value_eur": 1.5e9, "currency": "EUR"}),
        ("17,4 milliards de dollars", "fr", {"value_usd": 17.4e9}),
        ("un milliard de dollars", "fr", {"value_usd": 1e9}),
        ("1 billion de dollars", "fr", {"value_usd": 1e12}),  # French billion = 10^12
        ("plusieurs centaines de millions de dollars", "fr", {"low": 2e8, "high": 9e8}),
        ("des dizaines de milliards de dollars", "fr", {"low": 1e10, "high": 9e10}),
        ("tens of billions", "en", {"low": 1e10, "high": 9.9e10}),
        ("several billion dollars", "en", {"low": 2e9, "high": 9e9}),
        ("hundreds of millions of dollars", "en", {"low": 1e8, "high": 9.99e8}),
        ("between $5-10bn", "en", {"low": 5e9, "high": 10e9}),
        ("entre 50 et 60 milliards de dollars", "fr", {"low": 5e10, "high": 6e10}),
        ("$3 million to $4 million", "en", {"low": 3e6, "high": 4e6}),
    ],
)
def test_money_forms_in_both_languages(text: str, language: str, expected: dict) -> None:
    found = [a.as_dict() for a in find_amounts(text, language)]
    assert len(found) == 1, found
    for key, value in expected.items():
        assert found[0][key] == pytest.approx(value) if isinstance(value, float) else (
            found[0][key] == value)  # fmt: skip
    assert found[0]["currency"] == expected.get("currency", "USD")


@pytest.mark.parametrize(
    "text", ["des milliards de paramètres", "tens of billions of tokens", "Maia 100 chips"]
)
def test_numbers_that_are_not_money_are_ignored(text: str) -> None:
    assert find_amounts(text, "fr") == []


@pytest.mark.parametrize(
    ("text", "language", "iso", "precision"),
    [
        ("le 6 octobre 2025", "fr", "2025-10-06", "day"),
        ("le 1er mars 2024", "fr", "2024-03-01", "day"),
        ("On October 6, 2025, it said", "en", "2025-10-06", "day"),
        ("on 12 May 2024", "en", "2024-05-12", "day"),
        ("Nov. 15, 2023", "en", "2023-11-15", "day"),
        ("06/10/2025", "fr", "2025-10-06", "day"),
        ("10/06/2025", "en", "2025-10-06", "day"),
        ("en mars 2024", "fr", "2024-03-01", "month"),
        ("depuis 2019", "fr", "2019-01-01", "year"),
        ("in 2021", "en", "2021-01-01", "year"),
        ("Microsoft a annoncé lundi", "fr", "2025-10-06", "day"),
        ("Microsoft said on Monday", "en", "2025-10-06", "day"),
        ("mercredi", "fr", "2025-10-08", "day"),
        ("hier", "fr", "2025-10-07", "day"),
        ("yesterday", "en", "2025-10-07", "day"),
        ("last week", "en", "2025-09-29", "week"),
        ("la semaine dernière", "fr", "2025-09-29", "week"),
        ("le mois dernier", "fr", "2025-09-01", "month"),
        ("last month", "en", "2025-09-01", "month"),
        ("l'an dernier", "fr", "2024-01-01", "year"),
        ("mardi prochain", "fr", "2025-10-14", "day"),
        ("next Monday", "en", "2025-10-13", "day"),
        ("le 21 mars", "fr", "2025-03-21", "day"),
    ],
)
def test_dates_absolute_and_relative(text: str, language: str, iso: str, precision: str) -> None:
    found = find_dates(text, PUBLISHED, language)
    assert [(d.value.isoformat(), d.precision) for d in found] == [(iso, precision)]


@pytest.mark.parametrize("text", ["It may be late", "Maia 100", "GPT-4 and o3"])
def test_words_that_are_not_dates_are_ignored(text: str) -> None:
    assert find_dates(text, PUBLISHED, "en") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NVIDIA and Nvidia Corp and nvidia", ["nvidia"]),
        ("Le géant de Redmond s'allie au créateur de ChatGPT.", ["microsoft", "openai"]),
        ("Microsoft Azure hosts Open AI models", ["microsoft", "openai"]),
        ("the cloud arm of the group", []),  # 'arm' the word is not Arm the company
        ("Arm designs CPUs", ["arm"]),
        ("l'accord d'OpenAI avec AMD", ["openai", "amd"]),
    ],
)
def test_aliases_fold_to_canonical_ids(vocab: Vocabulary, text: str, expected: list) -> None:
    assert list(dict.fromkeys(m.key for m in vocab.organisations(text))) == expected


def test_chip_names_fold_to_canonical_names(vocab: Vocabulary) -> None:
    text = "H100s, GB200 NVL72, Azure Maia 100, Blackwell Ultra, Instinct MI300X and TPUs"
    assert [c.key for c in vocab.chip_mentions(text)] == [
        "H100", "GB200", "Maia 100", "B300", "MI300X", "TPU"]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "language"),
    [("Microsoft a annoncé lundi un accord avec Nvidia pour ses centres de données.", "fr"),
     ("Microsoft said on Monday it had signed a deal with Nvidia for its data centres.", "en")],
)  # fmt: skip
def test_language_is_detected_from_stop_words(text: str, language: str) -> None:
    assert detect_language(text) == language


def _triples(vocab: Vocabulary, text: str) -> set[tuple]:
    art = read(text, vocab, PUBLISHED)
    return {(c["dependent"], c["family"], c["direction"]) for c in art.candidates}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Microsoft has ordered tens of thousands of Nvidia H200 GPUs for its data centres.",
         ("microsoft", "spend", 1)),
        ("Microsoft a commandé des dizaines de milliers de puces H200 de Nvidia.",
         ("microsoft", "spend", 1)),
        ("Microsoft is cutting back its orders of Nvidia GPUs this year.",
         ("microsoft", "spend", -1)),
        ("Microsoft a annulé une partie de ses commandes de GPU Nvidia.",
         ("microsoft", "spend", -1)),
        ("OpenAI is developing its own AI chips with Broadcom to reduce its reliance on Nvidia.",
         ("openai", "chip_programs", -1)),
        ("OpenAI conçoit ses propres puces avec Broadcom pour réduire sa dépendance à Nvidia.",
         ("openai", "chip_programs", -1)),
        ("Microsoft's Maia 200 chip has been delayed to 2026, a setback against Nvidia.",
         ("microsoft", "chip_programs", 1)),
        ("La puce Maia 200 de Microsoft a pris du retard face à Nvidia.",
         ("microsoft", "chip_programs", 1)),
        ("A shortage of Nvidia GPUs is limiting Microsoft's cloud growth.",
         ("microsoft", "tensions", 1)),
        ("La pénurie de GPU Nvidia freine la croissance d'OpenAI.",
         ("openai", "tensions", 1)),
        ("Microsoft says the shortage of Nvidia chips has eased.",
         ("microsoft", "tensions", -1)),
        ("Pour OpenAI, la fin de la pénurie de puces Nvidia est une détente bienvenue.",
         ("openai", "tensions", -1)),
    ],
)
def test_family_and_direction_cues_in_both_languages(
    vocab: Vocabulary, text: str, expected: tuple
) -> None:
    assert expected in _triples(vocab, text)


def test_candidate_spans_point_at_the_text_that_set_each_field(vocab: Vocabulary) -> None:
    text = ("Microsoft a investi 10 milliards de dollars dans des GPU Nvidia H100, selon des "
            "sources.")
    art = read(text, vocab, PUBLISHED)
    (cand,) = art.candidates
    assert (cand["family"], cand["magnitude"], cand["credibility"]) == ("spend", 5, 3)
    for start, end, fragment in cand["spans"].values():
        assert text[start:end] == fragment
    assert cand["spans"]["magnitude"][2] == "10 milliards de dollars"
    assert cand["spans"]["dependent"][2] == "Microsoft"
    assert "selon des sources" in cand["spans"]["credibility"][2]
    assert cand["summary"].startswith("Microsoft ") and "milliards" not in cand["summary"]


@pytest.mark.parametrize(
    ("text", "credibility"),
    [("Microsoft reportedly bought 10,000 Nvidia GPUs.", 3),
     ("Microsoft aurait acheté 10 000 GPU Nvidia.", 3),
     ("Microsoft announced it bought 10,000 Nvidia GPUs.", 1),
     ("Microsoft a annoncé l'achat de 10 000 GPU Nvidia.", 1)],
)  # fmt: skip
def test_hedging_lowers_credibility(vocab: Vocabulary, text: str, credibility: int) -> None:
    (cand,) = read(text, vocab, PUBLISHED).candidates
    assert cand["credibility"] == credibility


def test_an_article_without_an_nvidia_link_gives_no_candidate(vocab: Vocabulary) -> None:
    text = ("Microsoft raises Office prices\n\nMicrosoft will spend $10 billion on new data "
            "centres and buy more servers, it announced on Monday. OpenAI models run on Azure.")
    art = read(text, vocab, PUBLISHED)
    assert art.candidates == []
    assert [a.as_dict()["value_usd"] for a in art.amounts] == [10e9]


def test_offsets_survive_typographic_characters(vocab: Vocabulary) -> None:
    text = "L’accord\u00a0: Microsoft achète 40\u202f000 GPU Nvidia."
    art = read(text, vocab, PUBLISHED)
    (cand,) = art.candidates
    start, end, fragment = cand["spans"]["vendor"]
    assert fragment == "Nvidia" and text[start:end] == "Nvidia"


def _cue_lists(node: object, path: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [x for k, v in node.items() for x in _cue_lists(v, (*path, k))]
    return [path] if isinstance(node, list) and all(isinstance(x, str) for x in node) else []


def test_grouped_alternations_match_exactly_as_the_flat_ones() -> None:
    """Word lists are compiled grouped by first letter for speed; on the evaluation articles
    (and mixed case) every cue list and the chip names match the same spans as the plain
    longest-first ``a|b|c`` alternation did."""
    import re
    from pathlib import Path

    from risk.reader import lexicon, mentions

    words = ["Maia", "(?:Azure )?Maia 100", "ab", "abc", "b1", "b2", "c", "d", "e", "f"]
    grouped_words = lexicon.alternation(words)
    assert grouped_words != "|".join(sorted(words, key=len, reverse=True))  # it is grouped
    for probe in ("abc", "Azure Maia 100", "maia 100", "MAIA", "b2"):
        assert re.match(grouped_words, probe, re.IGNORECASE).group() == probe  # longest wins
    folder = Path(__file__).parent / "ingest_eval"
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt")))
    text += "\n" + text.upper() + "\n" + text.lower()
    cues = lexicon.data("cues")
    lists = [p for p in _cue_lists(cues) if p[0] not in ("stopwords", "quantity")]
    assert len(lists) > 10
    for path in lists:
        flat = "|".join(sorted(_at(cues, path), key=len, reverse=True))
        plain = re.compile(f"{lexicon.WORD_START}(?:{flat}){lexicon.WORD_END}", re.IGNORECASE)
        spans = [m.span() for m in lexicon.cue_regex(*path).finditer(text)]
        assert spans == [m.span() for m in plain.finditer(text)], path
    chips = lexicon.data("chips")["chips"]
    flat = "|".join(f"(?P<c{i}>{'|'.join(sorted(c['aliases'], key=len, reverse=True))})"
                    for i, c in enumerate(chips.values()))  # fmt: skip
    plain = re.compile(f"{lexicon.WORD_START}(?:{flat}){lexicon.WORD_END}", re.IGNORECASE)
    grouped = re.compile(f"{lexicon.WORD_START}(?:{mentions._chip_pattern(chips)})"
                         f"{lexicon.WORD_END}", re.IGNORECASE)  # fmt: skip
    assert [(m.span(), m.lastgroup.split("_")[0]) for m in grouped.finditer(text)] == [
        (m.span(), m.lastgroup) for m in plain.finditer(text)]  # fmt: skip


def _at(node: dict, path: tuple) -> list[str]:
    for key in path:
        node = node[key]
    return node  # type: ignore[return-value]
