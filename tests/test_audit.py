"""The audit trail: a row per write with before and after, refusals recorded, the
ownership rule on notes, and no UPDATE or DELETE on the table anywhere in the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import item_row, methodology_dict, write_csv

from risk import annotations, audit, db, evidence, importer, refresh
from risk.access import AccessDenied
from risk.errors import ValidationError
from risk.identity import Actor
from risk.methodology import from_dict, load, to_toml
from risk.reader import queue as ingest

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = """Microsoft commande des GPU Nvidia pour OpenAI

Microsoft a annoncé lundi avoir commandé des dizaines de milliers de puces H100 de Nvidia pour \
les centres de données d'Azure, un investissement de 10 milliards de dollars destiné à OpenAI.
"""

VIEWER = Actor("vic@example.com", "viewer", "signed-in")
ANA = Actor("ana@example.com", "analyst", "signed-in")
BOB = Actor("bob@example.com", "analyst", "signed-in")
MAX = Actor("max@example.com", "methodologist", "signed-in")
ADMIN = Actor("lead@example.com", "admin", "signed-in")


def note(**overrides: object) -> dict:
    fields = {"dependent": "microsoft", "date": "2020-03-01", "title": "A note", "body": "b"}
    return {**fields, **overrides}


def rows(db_file: Path, **filters: object) -> list[dict]:
    with db.connect(db_file) as con:
        return audit.entries(con, **filters)


def count(db_file: Path, table: str) -> int:
    with db.connect(db_file) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.fixture
def method_file(tmp_path) -> Path:
    """A small methodology in a file of its own, so a save never touches data/."""
    file = tmp_path / "methodology.toml"
    file.write_text(to_toml(from_dict(methodology_dict())), encoding="utf-8")
    return file


M = from_dict(methodology_dict())


# ---------------------------------------------------------------- one row per write


def test_annotation_add_edit_delete_restore_each_leave_a_row_with_before_and_after(db_file):
    added = annotations.add(note(), ANA, db_file, M)
    annotations.edit(added["id"], {"title": "Better title"}, ANA, db_file, M)
    annotations.delete(added["id"], ANA, db_file)
    annotations.restore(added["id"], ANA, db_file)
    log = list(reversed(rows(db_file, target_kind="annotation")))
    assert [r["action"] for r in log] == ["annotation.add", "annotation.edit",
                                         "annotation.delete", "annotation.restore"]  # fmt: skip
    assert all(r["actor"] == "ana@example.com" and r["role"] == "analyst" for r in log)
    assert all(r["outcome"] == "ok" and r["target_id"] == str(added["id"]) for r in log)
    assert log[0]["before"] is None and log[0]["after"]["title"] == "A note"
    assert (log[1]["before"]["title"], log[1]["after"]["title"]) == ("A note", "Better title")
    assert (log[2]["before"]["deleted"], log[2]["after"]["deleted"]) == (False, True)
    assert (log[3]["before"]["deleted"], log[3]["after"]["deleted"]) == (True, False)
    assert log[0]["after"]["start_date"] == "2020-03-01"
    assert all(r["at_utc"] is not None and r["mode"] == "signed-in" for r in log)


def test_an_edit_that_changes_nothing_and_a_failed_write_leave_no_row(db_file):
    added = annotations.add(note(), ANA, db_file, M)
    annotations.edit(added["id"], {"title": "A note"}, ANA, db_file, M)
    with pytest.raises(Exception, match="title"):
        annotations.add(note(title=""), ANA, db_file, M)
    assert [r["action"] for r in rows(db_file)] == ["annotation.add"]


def test_evidence_add_and_import_are_recorded(db_file, tmp_path):
    evidence.add_item(item_row(id="F-1"), db_file, M, actor=ANA)
    file = write_csv(tmp_path / "items.csv", [item_row(id="I-1"), item_row(id="I-2")])
    importer.import_file(file, db_file, M, actor=ANA)
    added, imported = rows(db_file, action="evidence.add"), rows(db_file, action="evidence.import")
    assert added[0]["target_id"] == "F-1" and added[0]["after"]["summary"] == "Test item."
    assert added[0]["after"]["origin"] == "form"
    assert imported[0]["target_id"] == "items.csv"
    assert imported[0]["after"] == {"file": "items.csv", "rows": 2, "ids": ["I-1", "I-2"]}


def test_organisation_changes_are_recorded_with_the_previous_state(db_file, tmp_path):
    header = ["id", "name", "roles", "aliases"]
    file = tmp_path / "orgs.csv"
    file.write_text(",".join(header) + "\nmeta,Meta,dependent,Facebook\n"
                    "amd,AMD Inc,vendor;alternative,Advanced Micro Devices\n"
                    "nvidia,Nvidia,vendor,NVIDIA;Nvidia Corp\n", encoding="utf-8")  # fmt: skip
    importer.import_file(file, db_file, M, actor=ADMIN)
    log = {r["target_id"]: r for r in rows(db_file, action="organisation.upsert")}
    assert set(log) == {"meta", "amd"}  # nvidia did not change: nothing to record
    assert log["meta"]["before"] is None and log["meta"]["after"]["aliases"] == ["Facebook"]
    assert (log["amd"]["before"]["name"], log["amd"]["after"]["name"]) == ("AMD", "AMD Inc")


def test_candidate_accept_and_reject_are_recorded(db_file):
    ingest.ingest_text(ARTICLE, published="2025-10-08", db_file=db_file, method=M)
    with db.connect(db_file) as con:
        pending = ingest.pending_candidates(con)
    assert len(pending) >= 2, "the article should propose candidates for both dependents"
    evidence_id = ingest.accept_candidate(pending[0]["id"], {}, ANA, db_file, M)
    ingest.reject_candidate(pending[1]["id"], "duplicate", BOB, db_file, M)
    accepted = rows(db_file, action="candidate.accept")[0]
    rejected = rows(db_file, action="candidate.reject")[0]
    assert accepted["before"]["status"] == "pending"
    assert accepted["after"]["evidence"]["id"] == evidence_id
    assert (rejected["actor"], rejected["after"]) == ("bob@example.com",
                                                      {"status": "rejected", "reason": "duplicate"})


def test_a_methodology_save_is_recorded_with_both_versions(db_file, method_file):
    old = load(method_file)
    trial = old.with_overrides(weights={"tensions": 0.0})
    saved = refresh.adopt(trial, "0.1.0", db_file, method_file, actor=MAX)
    row = rows(db_file, action="methodology.save")[0]
    assert (row["actor"], row["role"], row["target_id"]) == ("max@example.com",
                                                             "methodologist", saved.version)
    assert row["before"]["full_version"] == old.version
    assert row["after"]["full_version"] == saved.version
    assert row["after"]["families"]["tensions"]["weight"] == 0.0
    with db.connect(db_file) as con:  # the re-score and the audit row landed together
        runs = con.execute("SELECT methodology_version FROM score_runs").fetchall()
    assert runs[-1] == (saved.version,)


# ---------------------------------------------------------------- refusals


def test_refused_writes_raise_one_line_and_are_logged_as_refused(db_file, tmp_path):
    with pytest.raises(AccessDenied, match=r"^vic@example.com \(viewer\) may not write "):
        annotations.add(note(), VIEWER, db_file, M)
    with pytest.raises(AccessDenied, match="may not add or import evidence"):
        evidence.add_item(item_row(id="V-1"), db_file, M, actor=VIEWER)
    with pytest.raises(AccessDenied, match="may not change organisations"):
        importer.import_file(write_csv(tmp_path / "o.csv", [
            {"id": "meta", "name": "Meta", "roles": "dependent", "aliases": ""}]),
            db_file, M, actor=ANA)  # fmt: skip
    assert count(db_file, "annotations") == 0 and count(db_file, "evidence") == 0
    assert count(db_file, "organisations") == 4
    refused = list(reversed(rows(db_file, outcome="refused")))
    assert [(r["actor"], r["action"]) for r in refused] == [
        ("vic@example.com", "annotation.add"), ("vic@example.com", "evidence.add"),
        ("ana@example.com", "organisation.upsert")]  # fmt: skip
    assert all(r["after"] is None and "may not" in r["reason"] for r in refused)


def test_a_refused_methodology_save_touches_neither_the_file_nor_the_scores(db_file,
                                                                           method_file):
    old = load(method_file)
    with pytest.raises(AccessDenied, match="may not save a methodology version"):
        refresh.adopt(old.with_overrides(weights={"tensions": 0.0}), "0.2.0", db_file,
                      method_file, actor=ANA)  # fmt: skip
    assert load(method_file).version == old.version
    row = rows(db_file)[0]
    assert (row["action"], row["outcome"], row["actor"]) == ("methodology.save", "refused",
                                                             "ana@example.com")  # fmt: skip


def test_refused_review_is_logged(db_file):
    ingest.ingest_text(ARTICLE, published="2025-10-08", db_file=db_file, method=M)
    with db.connect(db_file) as con:
        cand = ingest.pending_candidates(con)[0]
    with pytest.raises(AccessDenied, match="may not accept or reject candidates"):
        ingest.accept_candidate(cand["id"], {}, VIEWER, db_file, M)
    with pytest.raises(AccessDenied):
        ingest.reject_candidate(cand["id"], "no", VIEWER, db_file, M)
    assert count(db_file, "evidence") == 0
    assert [r["action"] for r in rows(db_file, outcome="refused")] == [
        "candidate.reject", "candidate.accept"]


# ---------------------------------------------------------------- ownership of notes


def test_an_analyst_cannot_edit_or_delete_another_analysts_note(db_file):
    mine = annotations.add(note(title="Ana's"), ANA, db_file, M)
    with pytest.raises(AccessDenied, match="may not change another person's annotation"):
        annotations.delete(mine["id"], BOB, db_file)
    with pytest.raises(AccessDenied):
        annotations.edit(mine["id"], {"title": "Bob was here"}, BOB, db_file, M)
    with db.connect(db_file) as con:
        current = annotations.get(con, mine["id"])
    assert (current["title"], current["deleted"], current["revision"]) == ("Ana's", False, 1)
    refused = rows(db_file, outcome="refused")
    assert [(r["actor"], r["action"]) for r in refused] == [
        ("bob@example.com", "annotation.edit"), ("bob@example.com", "annotation.delete")]
    assert refused[0]["before"]["title"] == "Ana's"  # what they tried to change


def test_a_methodologist_or_admin_may_act_on_anyones_note_and_the_audit_shows_it(db_file):
    mine = annotations.add(note(title="Ana's"), ANA, db_file, M)
    annotations.edit(mine["id"], {"title": "Checked"}, MAX, db_file, M)
    annotations.delete(mine["id"], ADMIN, db_file)
    log = rows(db_file, target_id=str(mine["id"]))
    assert [(r["actor"], r["action"], r["before"]["author"]) for r in log[:2]] == [
        ("lead@example.com", "annotation.delete", "ana@example.com"),
        ("max@example.com", "annotation.edit", "ana@example.com")]  # fmt: skip


def test_legacy_plain_names_are_local_users_with_every_right(db_file):
    added = annotations.add(note(), "ana", db_file, M)
    annotations.delete(added["id"], "bob", db_file)
    log = rows(db_file)
    assert [(r["actor"], r["role"], r["mode"]) for r in log] == [
        ("bob", "admin", "local"), ("ana", "admin", "local")]


# ---------------------------------------------------------------- reading and append-only


def test_filters_on_actor_action_prefix_outcome_and_text(db_file):
    a = annotations.add(note(title="Stargate report"), ANA, db_file, M)
    annotations.add(note(title="Other"), BOB, db_file, M)
    with pytest.raises(AccessDenied):
        annotations.delete(a["id"], BOB, db_file)
    assert len(rows(db_file, actor="ANA@example.com")) == 1
    assert len(rows(db_file, action="annotation.")) == 3
    assert len(rows(db_file, outcome="refused")) == 1
    assert [r["actor"] for r in rows(db_file, text="stargate")] == ["bob@example.com",
                                                                    "ana@example.com"]
    assert rows(db_file, limit=1)[0]["outcome"] == "refused"
    with db.connect(db_file) as con:
        assert audit.actors(con) == ["ana@example.com", "bob@example.com"]
        assert audit.actions(con) == ["annotation.add", "annotation.delete"]


def test_cli_on_behalf_of_is_recorded_next_to_the_real_user(db_file):
    ops = Actor("ops", "admin", "cli", on_behalf_of="ana")
    annotations.add(note(), ops, db_file, M)
    row = rows(db_file)[0]
    assert (row["actor"], row["on_behalf_of"], row["mode"]) == ("ops", "ana", "cli")
    assert len(rows(db_file, actor="ana")) == 1  # found under either name


_FORBIDDEN = re.compile(
    r"(UPDATE\s+audit_log|DELETE\s+FROM\s+audit_log|TRUNCATE\s+(TABLE\s+)?audit_log|"
    r"DROP\s+TABLE\s+(IF\s+EXISTS\s+)?audit_log|ALTER\s+TABLE\s+audit_log)",
    re.IGNORECASE,
)


def test_no_code_updates_or_deletes_audit_rows():
    offenders = []
    for path in ROOT.rglob("*"):
        if path.suffix not in (".py", ".sql") or any(
            part in (".git", "__pycache__", "artifacts") for part in path.parts
        ):
            continue
        if path == Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_scan_would_catch_an_update(tmp_path):
    assert _FORBIDDEN.search('con.execute("update audit_log set actor = ?")')
    assert _FORBIDDEN.search("DELETE  FROM audit_log WHERE id = 1")
    assert not _FORBIDDEN.search("INSERT INTO audit_log (at_utc) VALUES (?)")



# ---------------------------------------------------------------- exports


def test_the_export_bundle_carries_the_audit_trail(db_file, tmp_path):
    import csv
    import io
    import json

    from risk import exports

    annotations.add(note(title="=HYPERLINK(x)"), ANA, db_file, M)
    with pytest.raises(AccessDenied):
        annotations.add(note(), VIEWER, db_file, M)
    folder = exports.write_bundle(tmp_path / "out", db_file, method=M)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"]["audit.csv"]["rows"] == 2
    table = list(csv.DictReader(io.StringIO((folder / "audit.csv").read_text("utf-8"))))
    assert [(r["actor"], r["action"], r["outcome"]) for r in table] == [
        ("ana@example.com", "annotation.add", "ok"),
        ("vic@example.com", "annotation.add", "refused")]  # fmt: skip
    assert table[0]["at_utc"].endswith("Z")
    assert json.loads(table[0]["after"])["title"] == "=HYPERLINK(x)"
    assert table[1]["after"] == "" and "may not" in table[1]["reason"]


@pytest.mark.parametrize("name", ["../secret.csv", "/etc/passwd", "sub/x.csv", "..", "a\\b"])
def test_a_manifest_naming_a_file_outside_its_bundle_is_rejected(db_file, tmp_path, name):
    import json

    from risk import exports

    out = tmp_path / "out"
    folder = exports.write_bundle(out, db_file, method=M)
    (out / "secret.csv").write_text("not yours\n", encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][name] = {"rows": 1, "sha256": "0" * 64}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    listed = exports.list_bundles(out)[0]
    assert not listed["checksum_ok"]
    assert f"manifest names a file outside the bundle: {name!r}" in listed["problem"]


# ---------------------------------------------------------------- organisations from the form


def test_an_admin_saves_an_organisation_and_the_audit_keeps_before_and_after(db_file):
    added = importer.save_organisation(
        {"id": "meta", "name": "Meta", "roles": "dependent", "aliases": "Facebook; Meta AI"},
        db_file, M, actor=ADMIN)  # fmt: skip
    assert (added.id, added.roles, added.aliases) == ("meta", ("dependent",),
                                                       ("Facebook", "Meta AI"))  # fmt: skip
    importer.save_organisation({"id": "meta", "name": "Meta Platforms",
                                "roles": "dependent;partner", "aliases": ""},
                               db_file, M, actor=ADMIN)  # fmt: skip
    changed, created = rows(db_file, action="organisation.upsert")
    assert (created["before"], created["after"]["name"]) == (None, "Meta")
    assert changed["before"]["name"] == "Meta" and changed["after"]["roles"] == [
        "dependent", "partner"]
    assert changed["actor"] == "lead@example.com" and changed["after"]["source"] == "form"
    with db.connect(db_file) as con:
        (name,) = con.execute("SELECT name FROM organisations WHERE id = 'meta'").fetchone()
    assert name == "Meta Platforms"


def test_an_analyst_may_not_save_an_organisation_and_the_refusal_is_logged(db_file):
    with pytest.raises(AccessDenied, match="may not change organisations"):
        importer.save_organisation({"id": "meta", "name": "Meta", "roles": "dependent"},
                                   db_file, M, actor=ANA)  # fmt: skip
    assert count(db_file, "organisations") == 4
    (refused,) = rows(db_file, outcome="refused")
    assert (refused["actor"], refused["action"], refused["target_id"]) == (
        "ana@example.com", "organisation.upsert", "meta")


def test_a_bad_organisation_is_refused_field_by_field_and_nothing_is_written(db_file):
    bad = {"id": "Not A Slug", "name": "Evil\x1b[31m", "roles": "overlord", "aliases": "a\x07"}
    with pytest.raises(ValidationError) as caught:
        importer.save_organisation(bad, db_file, M, actor=ADMIN)
    assert [p.field for p in caught.value.problems] == ["id", "roles", "name", "aliases"]
    assert str(caught.value.problems[0]) == (
        "form, column id: 'Not A Slug' must be a lowercase slug")
    assert "control character (U+001B" in caught.value.problems[2].message
    assert count(db_file, "organisations") == 4 and rows(db_file) == []
