"""Ingestion into DuckDB and the review queue: duplicates, bad files, accept and reject."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BUNDLED

from risk import db
from risk.errors import NotFoundError, ValidationError
from risk.reader import queue

ROOT = Path(__file__).resolve().parent.parent

ARTICLE_FR = """Microsoft commande des GPU Nvidia pour OpenAI

Microsoft a annoncé lundi avoir commandé des dizaines de milliers de puces H100 de Nvidia pour \
les centres de données d'Azure, un investissement de 10 milliards de dollars destiné à OpenAI.

Selon des sources proches du dossier, OpenAI conçoit aussi ses propres puces pour réduire sa \
dépendance à Nvidia.
"""

ARTICLE_NO_NVIDIA = """Microsoft raises Office prices

Microsoft said on Monday that it would raise the price of Office subscriptions by $3 a month \
and invest $1 billion in new data centres. OpenAI's models power the Copilot assistant.
"""


def _count(db_file: Path, table: str, where: str = "TRUE") -> int:
    with db.connect(db_file) as con:
        return con.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "risk", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_ingest_returns_exactly_the_documented_keys(db_file: Path) -> None:
    result = queue.ingest_text(ARTICLE_FR, published="2025-10-08", title="T",
                                url="https://www.example.fr/a", db_file=db_file,
                                    method=BUNDLED)  # fmt: skip
    assert set(result) == {"organisations", "chips", "money", "dates", "candidates", "source"}
    assert result["source"] == {"path": None, "title": "T", "url": "https://www.example.fr/a",
                                "published": "2025-10-08", "language": "fr"}  # fmt: skip
    assert result["organisations"] == ["microsoft", "nvidia", "openai"]
    assert result["chips"] == ["H100"]
    assert result["money"][0]["value_usd"] == 10e9
    assert {"text": "lundi", "date": "2025-10-06"}.items() <= result["dates"][0].items()
    triples = {(c["dependent"], c["family"], c["direction"]) for c in result["candidates"]}
    assert ("microsoft", "spend", 1) in triples and ("openai", "chip_programs", -1) in triples
    assert all(c["status"] == "pending" and c["id"] for c in result["candidates"])


def test_candidates_are_stored_pending(db_file: Path) -> None:
    result = queue.ingest_text(ARTICLE_FR, published="2025-10-08", db_file=db_file, method=BUNDLED)
    with db.connect(db_file) as con:
        pending = queue.pending_candidates(con)
        art = queue.article(con, pending[0]["article_id"])
    assert [c["id"] for c in pending] == [c["id"] for c in result["candidates"]]
    assert set(queue.CANDIDATE_FIELDS) <= set(pending[0])
    start, end, text = pending[0]["spans"]["dependent"]
    assert art["text"][start:end] == text
    assert (art["language"], art["published"]) == ("fr", "2025-10-08")


def test_the_same_article_twice_creates_no_duplicates(db_file: Path) -> None:
    queue.ingest_text(ARTICLE_FR, published="2025-10-08", db_file=db_file, method=BUNDLED)
    before = (_count(db_file, "articles"), _count(db_file, "candidates"))
    again = queue.ingest_text("\n  " + ARTICLE_FR + "\n\n",
                               published="2025-10-08", db_file=db_file, method=BUNDLED)  # fmt: skip
    assert (_count(db_file, "articles"), _count(db_file, "candidates")) == before == (1, before[1])
    assert before[1] == len(again["candidates"]) > 0


def test_dry_run_stores_nothing(db_file: Path) -> None:
    result = queue.ingest_text(ARTICLE_FR, published="2025-10-08", db_file=db_file,
                                dry_run=True, method=BUNDLED)  # fmt: skip
    assert result["candidates"] and all(c["id"] is None for c in result["candidates"])
    assert _count(db_file, "articles") == _count(db_file, "candidates") == 0


def test_an_article_without_nvidia_gives_no_candidate(db_file: Path) -> None:
    result = queue.ingest_text(ARTICLE_NO_NVIDIA, published="2025-10-08", db_file=db_file,
                               method=BUNDLED)
    assert result["candidates"] == []
    assert result["organisations"] == ["microsoft", "openai"]
    assert _count(db_file, "candidates") == 0


def test_a_future_publication_date_is_refused(db_file: Path) -> None:
    with pytest.raises(ValidationError, match="in the future"):
        queue.ingest_text(ARTICLE_FR, published="2999-01-01", db_file=db_file, method=BUNDLED)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "file is empty"), (b"  \n\n ", "file is empty"),
     (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary file"),
     ("Microsoft achète des GPU Nvidia à 40 000 dollars".encode("latin-1"), "not UTF-8")],
)  # fmt: skip
def test_bad_files_give_a_one_line_error_and_store_nothing(
    db_file: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE_FR, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = _cli("ingest", str(good), str(bad), "--published", "2025-10-08", "--db", str(db_file))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and message in lines[0]
    assert _count(db_file, "articles") == _count(db_file, "candidates") == 0


def test_cli_json_prints_one_object_per_file(db_file: Path, tmp_path: Path) -> None:
    files = []
    for name, text in (("a.txt", ARTICLE_FR), ("b.txt", ARTICLE_NO_NVIDIA)):
        files.append(tmp_path / name)
        files[-1].write_text(text, encoding="utf-8")
    result = _cli("ingest", *map(str, files), "--json", "--published", "2025-10-08",
                  "--title", "Revue", "--url", "https://example.org/x", "--db", str(db_file))
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["source"]["path"] for o in objects] == [str(f) for f in files]
    assert objects[0]["candidates"] and not objects[1]["candidates"]


def _first_candidate(db_file: Path, family: str = "spend") -> dict:
    queue.ingest_text(ARTICLE_FR, published="2025-10-08", url="https://www.lesechos.fr/x",
                       title="Microsoft commande", db_file=db_file, method=BUNDLED)  # fmt: skip
    with db.connect(db_file) as con:
        return next(c for c in queue.pending_candidates(con) if c["family"] == family)


def _spend_score(db_file: Path, dependent: str) -> float | None:
    with db.connect(db_file) as con:
        row = con.execute(
            "SELECT score FROM scores WHERE dependent = ? AND family = 'spend' "
            "ORDER BY date DESC LIMIT 1", [dependent]).fetchone()  # fmt: skip
    return row[0] if row else None


def test_accept_creates_evidence_and_changes_scores(db_file: Path) -> None:
    cand = _first_candidate(db_file)
    before = _spend_score(db_file, cand["dependent"])
    evidence_id = queue.accept_candidate(
        cand["id"], {"magnitude": 4, "source_reliability": "B"}, "ana", db_file, method=BUNDLED)
    with db.connect(db_file) as con:
        ev = con.execute(
            "SELECT e.dependent, e.family, e.direction, e.magnitude, e.origin, s.publisher, "
            "s.reliability, s.url FROM evidence e JOIN sources s ON s.id = e.source_id "
            "WHERE e.id = ?", [evidence_id]).fetchone()  # fmt: skip
        status = con.execute("SELECT status, evidence_id, reviewer FROM candidates WHERE id = ?",
                             [cand["id"]]).fetchone()  # fmt: skip
        queue_ids = [c["id"] for c in queue.pending_candidates(con)]
    assert ev == (cand["dependent"], "spend", 1, 4, "ingest", "lesechos.fr", "B",
                  "https://www.lesechos.fr/x")  # fmt: skip
    assert status == ("accepted", evidence_id, "ana")
    assert cand["id"] not in queue_ids
    after = _spend_score(db_file, cand["dependent"])
    assert after is not None and after > 50 and after != before


def test_accept_with_a_bad_edit_writes_nothing(db_file: Path) -> None:
    cand = _first_candidate(db_file)
    with pytest.raises(ValidationError, match="magnitude"):
        queue.accept_candidate(cand["id"], {"magnitude": 9}, "ana", db_file, method=BUNDLED)
    with pytest.raises(ValidationError, match="not an evidence column"):
        queue.accept_candidate(cand["id"], {"colour": "red"}, "ana", db_file, method=BUNDLED)
    assert _count(db_file, "evidence") == 0
    assert _count(db_file, "candidates", "status = 'pending'") == _count(db_file, "candidates")


def test_reject_keeps_the_reason_and_is_not_proposed_again(db_file: Path) -> None:
    cand = _first_candidate(db_file)
    queue.reject_candidate(cand["id"], "already in the base as EV-0012", "ana", db_file,
                           method=BUNDLED)
    with db.connect(db_file) as con:
        row = con.execute("SELECT status, reason, reviewer FROM candidates WHERE id = ?",
                          [cand["id"]]).fetchone()  # fmt: skip
    assert row == ("rejected", "already in the base as EV-0012", "ana")
    again = queue.ingest_text(ARTICLE_FR, published="2025-10-08", db_file=db_file, method=BUNDLED)
    with db.connect(db_file) as con:
        pending = {(c["dependent"], c["family"]) for c in queue.pending_candidates(con)}
    assert (cand["dependent"], cand["family"]) not in pending
    assert any(c["id"] == cand["id"] and c["status"] == "rejected" for c in again["candidates"])


def test_reject_needs_a_reason_and_a_pending_candidate(db_file: Path) -> None:
    cand = _first_candidate(db_file)
    with pytest.raises(ValidationError, match="reason"):
        queue.reject_candidate(cand["id"], "  ", "ana", db_file, method=BUNDLED)
    queue.reject_candidate(cand["id"], "off topic", "ana", db_file, method=BUNDLED)
    with pytest.raises(ValidationError, match="already rejected"):
        queue.accept_candidate(cand["id"], {}, "ana", db_file, method=BUNDLED)
    with pytest.raises(NotFoundError):
        queue.reject_candidate(99999, "nope", "ana", db_file, method=BUNDLED)
