"""Articles in, candidate evidence out, and the review queue that turns them into evidence.

An analyst feeds press articles (French or English); the extractor proposes candidates
that wait as 'pending' until someone accepts them (they become evidence, validated by the
same rules as any other item, and scores are recomputed) or rejects them with a reason
(kept, so the same proposal is never made again). An article is stored once, however often
it is ingested: it is known by the hash of its normalised text.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import duckdb

from risk import access, audit, bootstrap, db, evidence, organisations, scoring
from risk.errors import NotFoundError, ValidationError
from risk.identity import Actor, local_actor
from risk.methodology import Methodology
from risk.paths import DATA_DIR
from risk.reader.candidates import Article, read
from risk.reader.mentions import Vocabulary
from risk.textfiles import read_utf8

CANDIDATE_FIELDS = ("id", "article_id", "dependent", "vendor", "family", "direction",
                    "magnitude", "credibility", "date", "summary", "spans", "status")  # fmt: skip
_EDITABLE = set(evidence.EVIDENCE_COLUMNS)
# Reading is linear in the text (about a second per megabyte); a press article is a few
# kilobytes, so anything far longer is a mistake (a whole dump, a binary) refused up front.
MAX_ARTICLE_CHARS = 2_000_000


def text_hash(text: str) -> str:
    """Identity of an article: the same words, whatever the spacing or Unicode form."""
    flat = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(flat.encode("utf-8")).hexdigest()


def read_article_file(path: str | Path) -> str:
    """The file's text, or a one-line reason naming the file why it cannot be an article."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        size = 0  # read_utf8 says why the file cannot be read
    if size > 4 * MAX_ARTICLE_CHARS:  # more than the limit even in 4-byte characters
        raise ValidationError(_too_long(str(path), size, "bytes"))
    return read_utf8(path, "article")


def _too_long(where: str, size: int, unit: str) -> str:
    return (f"{where}: article is {size:,} {unit}; {MAX_ARTICLE_CHARS:,} characters at most "
            "(split it into articles)")


def _published(value: str | date | None) -> date:
    if value is None:
        return date.today()
    day = value if isinstance(value, date) else _parse_day(value)
    if day > date.today():
        raise ValidationError(f"published date {day} is in the future")
    return day


def _parse_day(text: str) -> date:
    try:
        return evidence.parse_iso_date(text)
    except ValueError as exc:
        raise ValidationError(f"published: {exc}") from exc


def _ready(db_file: str | Path, method: Methodology) -> Path:
    """A database with the ingestion tables: a new one is built and filled as on first use;
    an existing one is only upgraded (never refilled behind the user's back)."""
    target = Path(db_file)
    if not target.exists():
        return bootstrap.init_database(target, method).path
    with db.connect(target) as con:
        if db.needs_migration(con):
            db.migrate(con)
    return target


def _directory(db_file: str | Path) -> organisations.Directory:
    """Organisations from the database, or from the bundled CSV when there is none yet."""
    target = Path(db_file)
    if target.exists():
        with db.connect(target) as con:
            try:
                return organisations.directory(con)
            except duckdb.CatalogException:
                pass
    csv_file = DATA_DIR / "organisations.csv"
    rows = evidence.parse_csv(evidence.read_csv_text(csv_file), organisations.ORG_COLUMNS,
                              csv_file.name)  # fmt: skip
    return organisations.Directory(organisations.validate_rows(rows, csv_file.name))


@dataclass
class _Reader:
    """What extraction needs, prepared once per batch rather than once per article."""

    target: Path | None
    vocabulary: Vocabulary
    vendor: str


def _reader(db_file: str | Path, method: Methodology, dry_run: bool) -> _Reader:
    target = Path(db_file) if dry_run else _ready(db_file, method)
    return _Reader(None if dry_run else target, Vocabulary(_directory(target)),
                   method.vendor)  # fmt: skip


def _extract(
    reader: _Reader, text: str, published: str | date | None, title: str | None,
    url: str | None, path: str | None,
) -> dict:  # fmt: skip
    where = path or "text"
    if not text or not text.strip():
        raise ValidationError(f"{where}: article text is empty")
    if len(text) > MAX_ARTICLE_CHARS:
        raise ValidationError(_too_long(where, len(text), "characters"))
    if url and not re.match(r"^https?://\S+$", url):
        raise ValidationError(f"{where}: url {url!r} is not an http(s) address")
    day = _published(published)
    art = read(text, reader.vocabulary, day, reader.vendor)
    source = {"path": path, "title": title, "url": url, "published": day.isoformat(),
              "language": art.language}  # fmt: skip
    result = _as_json(art, source)
    for cand in result["candidates"]:
        cand.update(id=None, status="pending")
    return result


def _store(reader: _Reader, batch: list[tuple[str, dict]]) -> None:
    """All articles of a batch and their candidates in one transaction."""

    def work(con: duckdb.DuckDBPyConnection) -> None:
        for text, result in batch:
            article_id = _store_article(con, text, result["source"])
            for cand in result["candidates"]:
                cand.update(_store_candidate(con, article_id, text_hash(text), cand))

    db.write_with_retry(work, reader.target)


def ingest_text(
    text: str, published: str | date | None = None, title: str | None = None,
    url: str | None = None, path: str | None = None, *, db_file: str | Path,
    method: Methodology, dry_run: bool = False,
) -> dict:  # fmt: skip
    """Read one article; unless ``dry_run``, store it and its candidates as pending."""
    reader = _reader(db_file, method, dry_run)
    result = _extract(reader, text, published, title, url, path)
    if not dry_run:
        _store(reader, [(text, result)])
    return result


def ingest_file(path: str | Path, **options: object) -> dict:
    """``ingest_text`` on a file's contents (UTF-8 text, not empty, not binary)."""
    return ingest_text(read_article_file(path), path=str(path), **options)  # type: ignore[arg-type]


def ingest_files(
    paths: list[str | Path], published: str | date | None = None, title: str | None = None,
    url: str | None = None, *, db_file: str | Path, method: Methodology,
    dry_run: bool = False,
) -> list[dict]:  # fmt: skip
    """Every file is read and checked before any is stored: one bad file and nothing is
    written; the good batch is then stored in one transaction."""
    texts = []
    problems = []
    for p in paths:
        try:
            text = read_article_file(p)
            if len(text) > MAX_ARTICLE_CHARS:
                raise ValidationError(_too_long(str(p), len(text), "characters"))
            texts.append((str(p), text))
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    reader = _reader(db_file, method, dry_run)
    batch = [(text, _extract(reader, text, published, title, url, p)) for p, text in texts]
    if not dry_run:
        _store(reader, batch)
    return [result for _, result in batch]


def _as_json(art: Article, source: dict) -> dict:
    seen_orgs = list(dict.fromkeys(m.key for m in art.orgs))
    chips = list(dict.fromkeys(c.key for c in art.chips))
    dates, seen = [], set()
    for d in art.dates:
        if (d.text.casefold(), d.value) not in seen:
            seen.add((d.text.casefold(), d.value))
            dates.append(d.as_dict())
    return {
        "organisations": seen_orgs, "chips": chips,
        "money": [a.as_dict() for a in art.amounts], "dates": dates,
        "candidates": [dict(c) for c in art.candidates], "source": source,
    }  # fmt: skip


def _store_article(con: duckdb.DuckDBPyConnection, text: str, source: dict) -> int:
    digest = text_hash(text)
    row = con.execute("SELECT id FROM articles WHERE text_hash = ?", [digest]).fetchone()
    if row:
        return row[0]
    return con.execute(
        "INSERT INTO articles (text_hash, title, url, published, language, path, text, "
        "ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [digest, source["title"], source["url"], source["published"], source["language"],
         source["path"], text, db.utc_now()],
    ).fetchone()[0]  # fmt: skip


def fingerprint(article_hash: str, cand: dict) -> str:
    """Same article and same fields: the same proposal, never stored or proposed twice."""
    key = "|".join([article_hash, cand["dependent"], cand["vendor"], cand["family"],
                    str(cand["direction"])])  # fmt: skip
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _store_candidate(con: duckdb.DuckDBPyConnection, article_id: int, digest: str,
                     cand: dict) -> dict:  # fmt: skip
    mark = fingerprint(digest, cand)
    con.execute(
        "INSERT INTO candidates (article_id, fingerprint, dependent, vendor, family, direction, "
        "magnitude, credibility, date, date_precision, amount_usd, summary, spans, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO NOTHING",
        [article_id, mark, cand["dependent"], cand["vendor"], cand["family"], cand["direction"],
         cand["magnitude"], cand["credibility"], cand["date"], cand["date_precision"],
         cand["amount_usd"], cand["summary"], json.dumps(cand["spans"], ensure_ascii=False),
         db.utc_now()],
    )  # fmt: skip
    row = con.execute(
        "SELECT id, status FROM candidates WHERE fingerprint = ?", [mark]
    ).fetchone()
    return {"id": row[0], "status": row[1]}


def _candidate_dict(row: tuple, columns: list[str]) -> dict:
    item = dict(zip(columns, row, strict=True))
    item["spans"] = json.loads(item["spans"])
    item["date"] = item["date"].isoformat()
    return item


def pending_candidates(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The review queue, oldest first."""
    cur = con.execute(
        f"SELECT {', '.join(CANDIDATE_FIELDS)}, date_precision, amount_usd FROM candidates "
        "WHERE status = 'pending' ORDER BY id"
    )
    columns = [d[0] for d in cur.description]
    return [_candidate_dict(row, columns) for row in cur.fetchall()]


def candidate(con: duckdb.DuckDBPyConnection, candidate_id: int) -> dict:
    cur = con.execute("SELECT * FROM candidates WHERE id = ?", [candidate_id])
    row = cur.fetchone()
    if row is None:
        raise NotFoundError(f"no candidate with id {candidate_id}")
    return _candidate_dict(row, [d[0] for d in cur.description])


def article(con: duckdb.DuckDBPyConnection, article_id: int) -> dict:
    """An article as stored, for the reviewer to read beside its candidates."""
    row = con.execute(
        "SELECT id, title, url, published, language, path, text FROM articles WHERE id = ?",
        [article_id],
    ).fetchone()
    if row is None:
        raise NotFoundError(f"no article with id {article_id}")
    keys = ("id", "title", "url", "published", "language", "path", "text")
    item = dict(zip(keys, row, strict=True))
    item["published"] = item["published"].isoformat()
    return item


def _publisher(art: dict) -> str:
    host = urlparse(art["url"] or "").hostname or ""
    return host.removeprefix("www.") or "unknown"


def _source_title(art: dict) -> str:
    if art["title"]:
        return art["title"]
    first = next((line.strip() for line in art["text"].splitlines() if line.strip()), "")
    return first[:200] or (Path(art["path"]).name if art["path"] else "untitled article")


def evidence_row(con: duckdb.DuckDBPyConnection, cand: dict, edits: dict) -> dict[str, str]:
    """The evidence row a candidate becomes, with the reviewer's edits applied on top."""
    unknown = sorted(set(edits) - _EDITABLE)
    if unknown:
        raise ValidationError(f"cannot edit {', '.join(unknown)}: not an evidence column")
    art = article(con, cand["article_id"])
    direction = "+1" if int(cand["direction"]) > 0 else "-1"
    row = {
        "id": evidence.next_id(con), "date": cand["date"],
        "date_precision": cand.get("date_precision") or "day", "dependent": cand["dependent"],
        "vendor": cand["vendor"], "counterparty": "", "family": cand["family"],
        "direction": direction, "magnitude": str(cand["magnitude"]),
        "credibility": str(cand["credibility"]),
        "amount_usd": "" if cand.get("amount_usd") is None else repr(float(cand["amount_usd"])),
        "quantity": "", "unit": "", "summary": cand["summary"],
        "grading_note": f"Proposed by ingestion from article {art['id']} (candidate "
                        f"{cand['id']}); reviewed.",
        "source_publisher": _publisher(art), "source_title": _source_title(art),
        "source_date": art["published"], "source_url": art["url"] or "",
        "source_language": art["language"], "source_reliability": "C",
    }  # fmt: skip
    row.update({k: "" if v is None else str(v) for k, v in edits.items()})
    return row


def accept_candidate(
    candidate_id: int, edits: dict, reviewer: Actor | str, db_file: str | Path,
    method: Methodology,
) -> str:  # fmt: skip
    """Make the candidate evidence (validated like any item), mark it accepted, rescore,
    record it in the audit trail: all in one transaction. Returns the new evidence id.
    ``reviewer`` is the actor (needs the ``review`` right) or, from scripts, a name."""
    actor = _reviewer(reviewer)
    reviewer = actor.who
    target = _ready(db_file, method)

    def work(con: duckdb.DuckDBPyConnection) -> str:
        actor.require(access.REVIEW, "candidate.accept", "candidate", candidate_id)
        cand = _pending(con, candidate_id)
        row = evidence_row(con, cand, edits or {})
        items, problems = evidence.validate_rows(con, [(None, row)], method)
        if problems:
            raise ValidationError([p.within(f"candidate {candidate_id}: ") for p in problems])
        evidence.insert_items(con, items, "ingest")
        con.execute(
            "UPDATE candidates SET status = 'accepted', evidence_id = ?, reviewer = ?, "
            "reviewed_at = ? WHERE id = ?",
            [items[0]["id"], reviewer, db.utc_now(), candidate_id],
        )
        scoring.rescore(con, method)
        audit.record(con, actor, "candidate.accept", "candidate", candidate_id,
                     before=_audit_candidate(cand),
                     after={"status": "accepted", "evidence": items[0]})  # fmt: skip
        return items[0]["id"]

    return audit.write(work, target)


def reject_candidate(
    candidate_id: int, reason: str, reviewer: Actor | str, db_file: str | Path,
    method: Methodology,
) -> None:
    """Keep the candidate as rejected with its reason, so it is never proposed again."""
    if not (reason or "").strip():
        raise ValidationError(f"candidate {candidate_id}: a rejection needs a reason")
    actor = _reviewer(reviewer)
    reviewer = actor.who
    target = _ready(db_file, method)

    def work(con: duckdb.DuckDBPyConnection) -> None:
        actor.require(access.REVIEW, "candidate.reject", "candidate", candidate_id)
        cand = _pending(con, candidate_id)
        con.execute(
            "UPDATE candidates SET status = 'rejected', reason = ?, reviewer = ?, "
            "reviewed_at = ? WHERE id = ?",
            [reason.strip(), reviewer, db.utc_now(), candidate_id],
        )
        audit.record(con, actor, "candidate.reject", "candidate", candidate_id,
                     before=_audit_candidate(cand),
                     after={"status": "rejected", "reason": reason.strip()})  # fmt: skip

    audit.write(work, target)


def _reviewer(name: Actor | str) -> Actor:
    if isinstance(name, Actor):
        return name
    if not (name or "").strip():
        raise ValidationError("reviewer is empty: say who reviewed the candidate")
    return local_actor("127.0.0.1", name.strip())


def _audit_candidate(cand: dict) -> dict:
    keys = ("dependent", "vendor", "family", "direction", "magnitude", "credibility", "date",
            "summary", "status", "article_id")  # fmt: skip
    return {k: cand.get(k) for k in keys}


def _pending(con: duckdb.DuckDBPyConnection, candidate_id: int) -> dict:
    cand = candidate(con, candidate_id)
    if cand["status"] != "pending":
        raise ValidationError(f"candidate {candidate_id} is already {cand['status']}")
    return cand
