"""CSV bundles for the rest of the firm: one consistent snapshot, written whole or not at all.

Other teams load these files into spreadsheets, BI tools and a data lake without a human in
the loop, so a bundle must be self-describing (``manifest.json`` with row counts, columns
and checksums), stable in shape (documented columns, RFC 4180, ISO 8601, UTF-8) and never
seen half-written: it is built in a hidden temporary folder, fsync'd and renamed into place.
The rows go from the database to the files through DuckDB's ``COPY ... TO`` (formatting and
the neutralising of formula-like text done in SQL), in one read transaction, so memory
stays flat whatever the number of rows.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

import risk
from risk import alerts, db
from risk.errors import RiskError, ValidationError
from risk.methodology import Methodology

MANIFEST = "manifest.json"
TEMP_PREFIX = ".tmp-export-"
TRASH_PREFIX = ".trash-export-"  # a pruned bundle, hidden before it is deleted
BUNDLE_NAME = re.compile(r"^(\d{8}T\d{6}Z)(?:-(\d+))?$")
# Test hook: seconds to sleep after each file is written into the temporary folder, so a
# test can kill the process mid-export. Never set it in production.
PAUSE_ENV = "RISK_EXPORT_PAUSE_SECONDS"
STALE_TEMP_SECONDS = 24 * 3600
BOM = "\ufeff"
# What a spreadsheet would evaluate as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DECIMALS = 6


@dataclass(frozen=True)
class Column:
    """One exported column: ``kind`` decides formatting, ``doc`` is what the README says."""

    name: str
    kind: str  # text, int, number, date, timestamp, bool, list
    doc: str


@dataclass(frozen=True)
class Table:
    file: str
    columns: tuple[Column, ...]
    sql: str | None  # None: computed in Python (alerts)


def _cols(*spec: tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in spec)


SCORES = Table("scores.csv", _cols(
    ("dependent", "text", "organisation id of the dependent (e.g. microsoft)"),
    ("family", "text", "evidence family, or composite for the weighted mean"),
    ("date", "date", "day scored, YYYY-MM-DD"),
    ("score", "number", "0-100; 50 = balanced or no evidence, higher = more reliance"),
    ("band_low", "number", "lower edge of the uncertainty band"),
    ("band_high", "number", "upper edge of the uncertainty band"),
    ("pressure", "number", "decayed signed evidence sum P_f(t); empty for composite"),
    ("mass", "number", "decayed confidence-weighted magnitude behind the band"),
    ("methodology_version", "text", "methodology that produced the score (semver+hash)"),
), "SELECT dependent, family, date, score, band_low, band_high, pressure, mass, "
   "methodology_version FROM scores ORDER BY dependent, family, date")  # fmt: skip

EVIDENCE = Table("evidence.csv", _cols(
    ("id", "text", "evidence item id"),
    ("date", "date", "date of the event"),
    ("date_precision", "text", "day, month or year: how exact the date is"),
    ("dependent", "text", "organisation that relies (or not) on the vendor"),
    ("vendor", "text", "vendor the item is about"),
    ("counterparty", "text", "other organisation involved, if any"),
    ("family", "text", "evidence family"),
    ("direction", "int", "1 towards the vendor, -1 away from it"),
    ("magnitude", "int", "1-5 graded size"),
    ("credibility", "int", "1-6 credibility of the item (1 = confirmed)"),
    ("amount_usd", "number", "amount in US dollars, if stated"),
    ("quantity", "number", "quantity, if stated"),
    ("unit", "text", "unit of quantity"),
    ("summary", "text", "what happened, in one or two sentences"),
    ("grading_note", "text", "why the grades were given"),
    ("origin", "text", "how the item entered the database (bundled, import, form...)"),
    ("created_at", "timestamp", "when the item was added, UTC"),
    ("source_id", "text", "source id"),
    ("source_publisher", "text", "publisher of the source"),
    ("source_title", "text", "title of the source"),
    ("source_published", "date", "publication date of the source"),
    ("source_url", "text", "address of the source, if any"),
    ("source_language", "text", "language of the source"),
    ("source_reliability", "text", "A-F reliability of the source"),
), "SELECT e.id, e.date, e.date_precision, e.dependent, e.vendor, e.counterparty, e.family, "
   "e.direction, e.magnitude, e.credibility, e.amount_usd, e.quantity, e.unit, e.summary, "
   "e.grading_note, e.origin, e.created_at, e.source_id, s.publisher, s.title, s.published, "
   "s.url, s.language, s.reliability FROM evidence e JOIN sources s ON s.id = e.source_id "
   "ORDER BY e.date, e.id")  # fmt: skip

_ANNOTATION_BODY = (
    ("dependent", "text", "dependent the note is about"),
    ("family", "text", "family or composite; empty = the dependent as a whole"),
    ("evidence_id", "text", "evidence item the note speaks to, if any"),
    ("start_date", "date", "first day the note covers"),
    ("end_date", "date", "last day; empty = a single day"),
    ("title", "text", "title"),
    ("body", "text", "text of the note"),
    ("tags", "list", "tags separated by ;"),
)
ANNOTATIONS = Table("annotations.csv", _cols(
    ("id", "int", "annotation id"),
    *_ANNOTATION_BODY,
    ("author", "text", "who created it"),
    ("created_at", "timestamp", "when it was created, UTC"),
    ("updated_by", "text", "who changed it last"),
    ("updated_at", "timestamp", "when it was changed last, UTC"),
    ("revision", "int", "current revision number"),
    ("deleted", "bool", "true when soft-deleted (restorable)"),
    ("deleted_at", "timestamp", "when it was deleted, UTC"),
    ("deleted_by", "text", "who deleted it"),
), "SELECT id, dependent, family, evidence_id, start_date, end_date, title, body, tags, "
   "author, created_at, updated_by, updated_at, revision, deleted_at IS NOT NULL, "
   "deleted_at, deleted_by FROM annotations ORDER BY id")  # fmt: skip

REVISIONS = Table("annotation_revisions.csv", _cols(
    ("annotation_id", "int", "annotation id"),
    ("revision", "int", "revision number, 1 = creation"),
    ("action", "text", "create, edit, delete or restore"),
    ("author", "text", "who made the change"),
    ("changed_at", "timestamp", "when, UTC"),
    *_ANNOTATION_BODY,
    ("deleted", "bool", "whether the note was deleted after this change"),
), "SELECT annotation_id, revision, action, author, changed_at, dependent, family, "
   "evidence_id, start_date, end_date, title, body, tags, deleted FROM annotation_revisions "
   "ORDER BY annotation_id, revision")  # fmt: skip

ALERTS = Table("alerts.csv", _cols(
    ("dependent", "text", "dependent whose composite moved"),
    ("date", "date", "day of the crossing or jump"),
    ("kind", "text", "above_high, below_low or jump"),
    ("score", "number", "composite on that day"),
    ("previous", "number", "composite the day before (crossings) or jump_days before (jumps)"),
    ("change", "number", "score - previous"),
    ("message", "text", "the alert in words"),
), None)  # fmt: skip

AUDIT = Table("audit.csv", _cols(
    ("id", "int", "audit entry id, in the order the entries were written"),
    ("at_utc", "timestamp", "when, UTC"),
    ("actor", "text", "who: the signed-in e-mail or subject, or the OS user (local, CLI)"),
    ("on_behalf_of", "text", "for whom, when the CLI was given --author"),
    ("role", "text", "the actor's role: viewer, analyst, methodologist or admin"),
    ("mode", "text", "local, signed-in or cli"),
    ("action", "text", "what was done, e.g. annotation.edit, evidence.import"),
    ("target_kind", "text", "what it touched: annotation, evidence, candidate..."),
    ("target_id", "text", "which one (an id, a version, a file name)"),
    ("before", "text", "the state before, as JSON; empty when there was none"),
    ("after", "text", "the state after, as JSON; empty when refused"),
    ("outcome", "text", "ok, or refused when the role lacked the right"),
    ("reason", "text", "why it was refused"),
), "SELECT id, at_utc, actor, on_behalf_of, role, mode, action, target_kind, target_id, "
   "CAST(before AS VARCHAR), CAST(after AS VARCHAR), outcome, reason FROM audit_log "
   "ORDER BY id")  # fmt: skip

CAPACITY = Table("capacity.csv", _cols(
    ("id", "text", "ledger block id; several lines with one id are its versions"),
    ("known_from", "date", "day this version became public"),
    ("dependent", "text", "organisation that has or committed to the compute"),
    ("supplier", "text", "organisation whose silicon runs it (nvidia, amd, google...)"),
    ("chip", "text", "chip or family, if known"),
    ("channel", "text", "owned, or the cloud it is rented through"),
    ("quantity", "number", "quantity in unit"),
    ("unit", "text", "GW, MW, chips, H100e or USD"),
    ("status", "text", "rumoured, planned, contracted, delivering, deployed, cancelled, denied"),
    ("start", "date", "delivery starts"),
    ("full_by", "date", "fully delivered by"),
    ("end", "date", "end of contract or retirement, if any"),
    ("evidence", "text", "supporting evidence ids separated by ;"),
    ("note", "text", "note"),
), "SELECT l.id, l.known_from, l.dependent, l.supplier, l.chip, l.channel, l.quantity, "
   "l.unit, l.status, l.start, l.full_by, l.\"end\", (SELECT string_agg(le.evidence_id, ';' "
   "ORDER BY le.evidence_id) FROM ledger_evidence le WHERE le.id = l.id AND "
   "le.known_from = l.known_from), l.note FROM ledger l ORDER BY l.id, l.known_from")  # fmt: skip

RELIANCE = Table("reliance.csv", _cols(
    ("dependent", "text", "organisation id of the dependent"),
    ("date", "date", "day, YYYY-MM-DD (as known that day: no hindsight)"),
    ("indicator", "text", "vendor_share_deployed, vendor_share_pipeline (percent 0-100), "
     "hhi_deployed, hhi_pipeline (0-1), effective_suppliers_deployed, "
     "effective_suppliers_pipeline, vendor_spend_ttm_usd"),
    ("value", "number", "central value; empty when there is nothing to measure"),
    ("low", "number", "low end of the range"),
    ("high", "number", "high end of the range"),
    ("methodology_version", "text", "methodology that produced it (semver+hash)"),
), "SELECT dependent, date, indicator, value, low, high, methodology_version FROM reliance "
   "WHERE view = 'as_known' ORDER BY dependent, indicator, date")  # fmt: skip

TABLES: tuple[Table, ...] = (RELIANCE, CAPACITY, SCORES, EVIDENCE, ANNOTATIONS, REVISIONS,
                             ALERTS, AUDIT)


def _alert_rows(con: duckdb.DuckDBPyConnection, method: Methodology) -> list[tuple]:
    frame = alerts.detect(con, method)
    names = [c.name for c in ALERTS.columns]
    return list(frame[names].itertuples(index=False, name=None))


def neutralise(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would otherwise run as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cell(value: object, kind: str) -> str:
    if value is None or (isinstance(value, float) and value != value):  # NULL or NaN
        return ""
    if kind == "int":
        return str(int(value))
    if kind == "number":
        return repr(round(float(value), _DECIMALS))
    if kind == "bool":
        return "true" if value else "false"
    if kind == "date":
        return value.strftime("%Y-%m-%d")  # date, datetime and pandas Timestamp alike
    if kind == "timestamp":
        return _iso_utc(value)
    if kind == "list":
        return neutralise(";".join(str(v) for v in value))
    return neutralise(str(value))


def _iso_utc(value: datetime) -> str:
    """DuckDB TIMESTAMP columns hold naive UTC; write them with an explicit Z."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"


def render_csv(table: Table, rows: Iterable[tuple], excel: bool = False) -> bytes:
    """RFC 4180 bytes: header row, minimal quoting, CRLF; the BOM only for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([c.name for c in table.columns])
    kinds = [c.kind for c in table.columns]
    for row in rows:
        writer.writerow([_cell(v, k) for v, k in zip(row, kinds, strict=True)])
    return ((BOM if excel else "") + buffer.getvalue()).encode("utf-8")


def bundle_name(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def write_bundle(
    out_dir: Path,
    db_file: str | Path,
    keep: int | None = None,
    excel: bool = False,
    *,
    method: Methodology,
    wait_seconds: float = db.DEFAULT_WAIT_SECONDS,
) -> Path:
    """Write one bundle atomically and return its folder; prune to ``keep`` newest after."""
    if keep is not None and keep < 1:
        raise ValidationError(f"keep must be at least 1 (got {keep})")
    out_dir = prepare_out_dir(out_dir)
    clean_stale_temps(out_dir)
    temp = out_dir / f"{TEMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    temp.mkdir()
    try:
        generated = _stream_files(temp, db_file, method, excel, wait_seconds)
        final = _rename_into_place(temp, out_dir, bundle_name(generated))
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    if keep is not None:
        prune(out_dir, keep)
    return final


def _sql_cell(column: str, kind: str) -> str:
    """The SQL that formats one column as ``_cell`` does in Python: empty for NULL, NaN and
    empty text, six decimals, ISO dates, UTC timestamps with a Z, and text a spreadsheet
    would run as a formula prefixed with an apostrophe."""
    if kind == "int":
        return f"CAST({column} AS BIGINT)"
    if kind == "number":
        return f"CASE WHEN isnan({column}) THEN NULL ELSE round({column}, {_DECIMALS}) END"
    if kind == "bool":
        return f"CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' END"
    if kind == "date":
        return f"strftime({column}, '%Y-%m-%d')"
    if kind == "timestamp":
        return f"strftime({column}, '%Y-%m-%dT%H:%M:%SZ')"
    text = f"array_to_string({column}, ';')" if kind == "list" else f"CAST({column} AS VARCHAR)"
    starts = ", ".join(f"chr({ord(c)})" for c in _FORMULA_START)
    return (f"CASE WHEN {text} = '' THEN NULL WHEN left({text}, 1) IN ({starts}) "
            f"THEN chr(39) || {text} ELSE {text} END")


def _copy_sql(table: Table, target: Path) -> str:
    """``COPY`` of the table's query, formatted in SQL and streamed to ``target``."""
    names = [f"c{i}" for i in range(len(table.columns))]
    cells = ", ".join(f'{_sql_cell(n, c.kind)} AS "{c.name}"'
                      for n, c in zip(names, table.columns, strict=True))  # fmt: skip
    path = str(target).replace("'", "''")
    return (f"COPY (SELECT {cells} FROM ({table.sql}) AS t({', '.join(names)})) TO '{path}' "
            "(FORMAT csv, HEADER, DELIMITER ',', QUOTE '\"', ESCAPE '\"', "
            "NEW_LINE '\r\n')")


def _stream_files(folder: Path, db_file: str | Path, method: Methodology, excel: bool,
                  wait_seconds: float) -> datetime:  # fmt: skip
    """Every CSV of the bundle written by DuckDB's ``COPY`` in one read transaction (rows go
    straight from the database to the file, never through Python), then the manifest."""
    pause = float(os.environ.get(PAUSE_ENV) or 0)
    counts: dict[str, int] = {}
    with db.connect(db_file, wait_seconds) as con:
        generated = datetime.now(UTC).replace(microsecond=0)
        con.execute("BEGIN TRANSACTION")
        try:
            for table in TABLES:
                target = folder / table.file
                if table.sql:
                    counts[table.file] = con.execute(_copy_sql(table, target)).fetchall()[0][0]
                else:
                    rows = _alert_rows(con, method)
                    target.write_bytes(render_csv(table, rows))
                    counts[table.file] = len(rows)
                _finish_file(target, excel, pause)
            stored = con.execute("SELECT any_value(methodology_version) FROM scores").fetchall()
        finally:
            con.execute("ROLLBACK")
    version = stored[0][0] if stored and stored[0][0] else method.version
    manifest = {
        "generated_at": _iso_utc(generated),
        "methodology_version": version,
        "project_version": risk.__version__,
        "excel_bom": excel,
        "files": {t.file: {"rows": counts[t.file], "sha256": _sha256(folder / t.file),
                           "columns": [c.name for c in t.columns]} for t in TABLES},
    }  # fmt: skip
    text = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    _write_files(folder, {MANIFEST: text})
    return generated


def _finish_file(target: Path, excel: bool, pause: float) -> None:
    """The Excel byte-order mark put in front (streamed, never the whole file in memory),
    then the file made durable."""
    if excel:
        marked = target.with_name(target.name + ".bom")
        with open(target, "rb") as src, open(marked, "wb") as dst:
            dst.write(BOM.encode("utf-8"))
            shutil.copyfileobj(src, dst, 1 << 20)
        os.replace(marked, target)
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())
    if pause:
        time.sleep(pause)


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def prepare_out_dir(out_dir: Path) -> Path:
    """The output folder, created if needed and writable, or a one-line reason it is not."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise RiskError(f"--out {out_dir}: is a file, not a folder") from exc
    except NotADirectoryError as exc:
        raise RiskError(f"--out {out_dir}: a parent of it is a file, not a folder") from exc
    except OSError as exc:
        raise RiskError(f"--out {out_dir}: cannot create the folder: "
                        f"{exc.strerror or exc}") from exc  # fmt: skip
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise RiskError(f"--out {out_dir}: folder is not writable")
    return out_dir


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    pause = float(os.environ.get(PAUSE_ENV) or 0)
    for name, data in files.items():
        with open(folder / name, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if pause:
            time.sleep(pause)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _rename_into_place(temp: Path, out_dir: Path, base: str) -> Path:
    """rename(2) is atomic and refuses a non-empty target, so two writers cannot collide."""
    for n in range(1, 1000):
        final = out_dir / (base if n == 1 else f"{base}-{n}")
        if final.exists():
            continue
        try:
            os.rename(temp, final)
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR):
                continue
            raise
        _fsync_dir(out_dir)
        return final
    raise OSError(f"{out_dir}: no free bundle name for {base}")


def clean_stale_temps(out_dir: Path) -> list[Path]:
    """Remove temporary folders left by killed runs (their process is gone, or very old) and
    bundles a killed prune had already moved out of sight."""
    removed = []
    for entry in Path(out_dir).glob(f"{TRASH_PREFIX}*"):
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    for entry in Path(out_dir).glob(f"{TEMP_PREFIX}*"):
        if entry.is_dir() and _is_stale(entry):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _is_stale(entry: Path) -> bool:
    try:
        pid = int(entry.name[len(TEMP_PREFIX):].split("-")[0])
        age = time.time() - entry.stat().st_mtime
    except (ValueError, OSError):
        return True
    return not _process_alive(pid) or age > STALE_TEMP_SECONDS


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _bundle_key(path: Path) -> tuple[str, int] | None:
    match = BUNDLE_NAME.match(path.name)
    if not match or not path.is_dir():
        return None
    return match.group(1), int(match.group(2) or 1)


def _bundle_dirs(out_dir: Path) -> list[Path]:
    """Folders named like bundles, newest first (a suffix -N is newer than the bare name)."""
    if not Path(out_dir).is_dir():
        return []
    found = [p for p in Path(out_dir).iterdir() if _bundle_key(p)]
    return sorted(found, key=_bundle_key, reverse=True)


def prune(out_dir: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest complete bundles; anything else is left alone."""
    complete = [p for p in _bundle_dirs(out_dir) if (p / MANIFEST).is_file()]
    removed = complete[keep:]
    pause = float(os.environ.get(PAUSE_ENV) or 0)
    for path in removed:
        # Out of sight first (one atomic rename to a hidden name), then deleted: a kill in
        # between leaves only a hidden folder, which the next run removes.
        hidden = path.with_name(f"{TRASH_PREFIX}{path.name}-{uuid.uuid4().hex[:8]}")
        os.rename(path, hidden)
        _fsync_dir(path.parent)
        if pause:
            time.sleep(pause)
        shutil.rmtree(hidden, ignore_errors=True)
    return removed


def list_bundles(out_dir: Path) -> list[dict]:
    """Bundles newest first, each checked against its manifest (what the dashboard shows)."""
    return [_describe(path) for path in _bundle_dirs(out_dir)]


def _describe(path: Path) -> dict:
    info: dict = {"name": path.name, "path": path, "generated_at": None,
                  "methodology_version": None, "rows": 0, "files": 0,
                  "checksum_ok": False, "problem": None}  # fmt: skip
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
    except FileNotFoundError:
        info["problem"] = "no manifest.json"
        return info
    except (OSError, ValueError, KeyError, TypeError) as exc:
        info["problem"] = f"manifest.json unreadable: {exc}"
        return info
    info.update(generated_at=manifest.get("generated_at"),
                methodology_version=manifest.get("methodology_version"),
                rows=sum(int(f.get("rows", 0)) for f in files.values()),
                files=len(files))  # fmt: skip
    problems = [p for name, meta in files.items() if (p := _check_file(path, name, meta))]
    info["checksum_ok"] = not problems
    info["problem"] = "; ".join(problems) or None
    return info


def _check_file(bundle: Path, name: str, meta: dict) -> str | None:
    """A file named by the manifest, checked against its checksum. Only a plain name of a
    file in the bundle's own folder is read: a name reaching elsewhere (``../``, an absolute
    path, a sub-folder) is a problem, never followed."""
    plain = isinstance(name, str) and name not in ("", ".", "..") and "\\" not in name \
        and Path(name).name == name  # fmt: skip
    file = bundle / name if plain else bundle
    if not plain or file.resolve().parent != bundle.resolve():
        return f"manifest names a file outside the bundle: {name!r}"
    try:
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
    except OSError:
        return f"{file.name} missing"
    return None if digest == meta.get("sha256") else f"{file.name} checksum differs"


def build_zip(
    db_file: str | Path,
    excel: bool = False,
    *,
    method: Methodology,
) -> bytes:
    """The current bundle as a zip (the dashboard's download): the files are streamed by the
    same ``COPY`` as ``write_bundle`` into a scratch folder, then zipped."""
    with tempfile.TemporaryDirectory(prefix="risk-zip-") as scratch:
        folder = Path(scratch)
        generated = _stream_files(folder, db_file, method, excel, db.DEFAULT_WAIT_SECONDS)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in (*TABLES, None):
                name = table.file if table else MANIFEST
                archive.write(folder / name, f"{bundle_name(generated)}/{name}")
    return buffer.getvalue()


def columns_markdown() -> str:
    """The documented columns of every file, as Markdown (kept in step with the code)."""
    lines = []
    for table in TABLES:
        lines += [f"`{table.file}`", "", "| column | meaning |", "|---|---|"]
        lines += [f"| {c.name} | {c.doc} |" for c in table.columns]
        lines.append("")
    return "\n".join(lines)
