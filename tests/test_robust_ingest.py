"""Reading an article is linear in its length, and an over-long article is refused."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from conftest import BUNDLED

from risk import cli
from risk.errors import ValidationError
from risk.organisations import Directory, Organisation
from risk.reader import queue
from risk.reader.candidates import read
from risk.reader.mentions import Vocabulary
from risk.reader.text import longest_first

EVAL = Path(__file__).parent / "ingest_eval"


def vocabulary() -> Vocabulary:
    return Vocabulary(Directory([
        Organisation("microsoft", "Microsoft", ("dependent",), ("Azure",)),
        Organisation("openai", "OpenAI", ("dependent",), ()),
        Organisation("nvidia", "Nvidia", ("vendor",), ("NVIDIA",)),
        Organisation("amd", "AMD", ("vendor", "alternative"), ()),
    ]))  # fmt: skip


def article_of(size: int) -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted(EVAL.glob("*.txt"))]
    whole = "\n\n".join(texts * (size // sum(map(len, texts)) + 1))
    return whole[:size]


def reading_time(vocab: Vocabulary, size: int) -> float:
    text = article_of(size)
    started = time.process_time()
    read(text, vocab, date(2025, 1, 1))
    return time.process_time() - started


def test_reading_time_grows_linearly_with_the_article():
    """Eight times the text takes about eight times as long, not sixty-four (CPU time, so a
    busy machine does not decide the outcome); the old proposer was quadratic."""
    vocab = vocabulary()
    reading_time(vocab, 20_000)  # warm the compiled patterns
    small = min(reading_time(vocab, 40_000) for _ in range(2))
    large = min(reading_time(vocab, 320_000) for _ in range(2))
    assert large / small < 16, (small, large)


def test_a_repeated_article_reads_the_same_in_every_copy():
    """Indexing by position must not change what a sentence sees."""
    vocab = vocabulary()
    one = read(article_of(3_000), vocab, date(2025, 1, 1))
    assert one.candidates == read(article_of(3_000), vocab, date(2025, 1, 1)).candidates


def test_longest_reading_wins_among_overlaps():
    class Span:
        def __init__(self, start: int, end: int) -> None:
            self.start, self.end = start, end

    spans = [Span(0, 3), Span(2, 8), Span(8, 9), Span(1, 2), Span(9, 12), Span(10, 11)]
    kept = [(s.start, s.end) for s in longest_first(spans)]
    assert kept == [(1, 2), (2, 8), (8, 9), (9, 12)]


def test_an_article_over_the_limit_is_refused_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(queue, "MAX_ARTICLE_CHARS", 1_000)
    big = tmp_path / "big.txt"
    big.write_text(article_of(1_500), encoding="utf-8")
    with pytest.raises(ValidationError, match="article is 1,500 characters; 1,000 characters"):
        queue.ingest_files([big], db_file=tmp_path / "x.duckdb", method=BUNDLED, dry_run=True)
    with pytest.raises(ValidationError, match="1,000 characters at most"):
        queue.ingest_text(article_of(1_500), db_file=tmp_path / "x.duckdb", method=BUNDLED,
                          dry_run=True)  # fmt: skip
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"a" * 4_001)
    with pytest.raises(ValidationError, match="article is 4,001 bytes"):
        queue.read_article_file(huge)


def test_the_cli_refuses_an_over_long_article_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(queue, "MAX_ARTICLE_CHARS", 1_000)
    monkeypatch.setenv("RISK_DB", str(tmp_path / "x.duckdb"))
    big = tmp_path / "big.txt"
    big.write_text(article_of(1_500), encoding="utf-8")
    assert cli.main(["ingest", str(big), "--dry-run"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "characters at most" in err[0]
