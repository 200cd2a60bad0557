"""Annotations through the library: revisions, soft delete, validation, hostile text, and
concurrent writers (threads in one process, and two processes) losing nothing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import BUNDLED, add_items, item_row, methodology_dict

from risk import annotations, db
from risk.errors import NotFoundError, ValidationError
from risk.methodology import from_dict

ROOT = Path(__file__).resolve().parent.parent
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
HOSTILE_BODY = (
    "[link](javascript:alert(1))\n<script>alert('x')</script>\t"
    '<a href="javascript:alert(1)">click</a> & "quotes" \'single\' é 中文 🙂'
)


def note(**overrides: object) -> dict:
    fields = {"dependent": "microsoft", "date": "2020-03-01", "title": "Stargate report",
              "body": "Single source; discount it.", "tags": ["stargate"]}  # fmt: skip
    fields.update(overrides)
    return fields


def count(path: Path, table: str = "annotations") -> int:
    with db.connect(path) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def listed(path: Path, **filters: object) -> list[dict]:
    with db.connect(path) as con:
        return annotations.list_annotations(con, **filters)


def revisions(path: Path, annotation_id: int) -> list[dict]:
    with db.connect(path) as con:
        return annotations.history(con, annotation_id)


# ---------------------------------------------------------------- add, edit, history


def test_add_stores_every_field_and_resolves_the_dependent_alias(db_file):
    stored = annotations.add(
        note(dependent="Azure", family="spend", date=date(2020, 3, 1), end_date="2020-03-31",
             tags=["stargate", "capex"]), "ana", db_file, method=BUNDLED
    )  # fmt: skip
    assert stored["id"] >= 1
    assert stored["dependent"] == "microsoft"
    assert (stored["family"], stored["evidence_id"]) == ("spend", None)
    assert (stored["start_date"], stored["end_date"]) == (date(2020, 3, 1), date(2020, 3, 31))
    assert stored["tags"] == ["stargate", "capex"]
    assert (stored["author"], stored["updated_by"], stored["revision"]) == ("ana", "ana", 1)
    assert stored["deleted"] is False
    assert stored["created_at"] == stored["updated_at"]
    assert listed(db_file) == [stored]
    [created] = revisions(db_file, stored["id"])
    assert (created["id"], created["revision"], created["action"]) == (stored["id"], 1, "create")
    assert created["title"] == "Stargate report"


def test_ids_come_from_the_sequence_and_are_distinct(db_file):
    ids = [annotations.add(note(title=f"n{i}"), "ana", db_file,
                           method=BUNDLED)["id"] for i in range(3)]
    assert ids == sorted(set(ids))
    assert len(ids) == 3


def test_add_links_an_evidence_item_of_the_same_dependent(db_file, method):
    add_items(db_file, method, item_row(id="EV-1"))
    stored = annotations.add(note(evidence_id="EV-1"), "ana", db_file, method=BUNDLED)
    assert stored["evidence_id"] == "EV-1"


def test_edit_changes_only_the_given_fields_and_keeps_every_revision(db_file):
    first = annotations.add(note(), "ana", db_file, method=BUNDLED)
    edited = annotations.edit(first["id"], {"title": "Stargate: confirmed"}, "bob", db_file,
                              method=BUNDLED)
    assert edited["title"] == "Stargate: confirmed"
    assert edited["body"] == first["body"]
    assert edited["tags"] == first["tags"]
    assert (edited["author"], edited["updated_by"], edited["revision"]) == ("ana", "bob", 2)
    again = annotations.edit(first["id"], {"tags": ["confirmed"], "end_date": "2020-04-01"},
                             "carol", db_file, method=BUNDLED)  # fmt: skip
    assert again["tags"] == ["confirmed"]
    assert again["title"] == "Stargate: confirmed"
    history = revisions(db_file, first["id"])
    assert [(r["revision"], r["action"], r["author"]) for r in history] == [
        (1, "create", "ana"), (2, "edit", "bob"), (3, "edit", "carol"),
    ]  # fmt: skip
    assert history[0]["title"] == "Stargate report"  # the old state is still there
    assert history[1]["body"] == first["body"]  # each revision holds the full state
    assert history[2]["end_date"] == date(2020, 4, 1)


def test_edit_accepts_a_record_read_back_as_its_changes(db_file):
    first = annotations.add(note(), "ana", db_file, method=BUNDLED)
    changes = {k: first[k] for k in ("start_date", "end_date", "family", "title", "tags")}
    changes["title"] = "Renamed"
    assert annotations.edit(first["id"], changes, "bob", db_file,
                            method=BUNDLED)["title"] == "Renamed"


def test_edit_that_changes_nothing_records_no_revision(db_file):
    first = annotations.add(note(), "ana", db_file, method=BUNDLED)
    same = annotations.edit(first["id"], {"title": first["title"]}, "bob", db_file, method=BUNDLED)
    assert same["revision"] == 1
    assert same["updated_by"] == "ana"
    assert len(revisions(db_file, first["id"])) == 1


def test_edit_can_clear_optional_fields(db_file):
    first = annotations.add(note(family="spend", end_date="2020-03-05"), "ana", db_file,
                            method=BUNDLED)
    cleared = annotations.edit(first["id"], {"family": None, "end_date": "", "tags": []},
                               "bob", db_file, method=BUNDLED)  # fmt: skip
    assert (cleared["family"], cleared["end_date"], cleared["tags"]) == (None, None, [])


def test_every_write_bumps_the_data_version(db_file):
    def version() -> int:
        with db.connect(db_file) as con:
            return db.data_version(con)

    start = version()
    first = annotations.add(note(), "ana", db_file, method=BUNDLED)
    annotations.edit(first["id"], {"title": "x"}, "ana", db_file, method=BUNDLED)
    annotations.delete(first["id"], "ana", db_file)
    annotations.restore(first["id"], "ana", db_file)
    assert version() == start + 4


# ---------------------------------------------------------------- soft delete


def test_delete_is_soft_and_restore_brings_the_annotation_back(db_file):
    first = annotations.add(note(), "ana", db_file, method=BUNDLED)
    gone = annotations.delete(first["id"], "bob", db_file)
    assert gone["deleted"] is True
    assert gone["deleted_by"] == "bob"
    assert gone["revision"] == 2
    assert listed(db_file) == []
    assert [r["id"] for r in listed(db_file, include_deleted=True)] == [first["id"]]
    assert count(db_file) == 1
    back = annotations.restore(first["id"], "carol", db_file)
    assert back["deleted"] is False
    assert (back["deleted_at"], back["deleted_by"], back["revision"]) == (None, None, 3)
    assert back["title"] == first["title"]
    history = revisions(db_file, first["id"])
    assert [(r["action"], r["deleted"]) for r in history] == [
        ("create", False), ("delete", True), ("restore", False),
    ]  # fmt: skip


def test_deleting_a_deleted_one_or_restoring_a_live_one_is_refused(db_file):
    first = annotations.add(note(), "ana", db_file, method=BUNDLED)
    with pytest.raises(ValidationError, match=f"annotation {first['id']} is not deleted"):
        annotations.restore(first["id"], "ana", db_file)
    annotations.delete(first["id"], "ana", db_file)
    with pytest.raises(ValidationError, match=f"annotation {first['id']} is already deleted"):
        annotations.delete(first["id"], "ana", db_file)
    with pytest.raises(ValidationError, match="is deleted; restore it first"):
        annotations.edit(first["id"], {"title": "x"}, "ana", db_file, method=BUNDLED)
    assert len(revisions(db_file, first["id"])) == 2


@pytest.mark.parametrize("action", ["edit", "delete", "restore", "history"])
def test_an_unknown_id_is_not_found(db_file, action):
    with pytest.raises(NotFoundError, match="no annotation with id 404"):
        if action == "edit":
            annotations.edit(404, {"title": "x"}, "ana", db_file, method=BUNDLED)
        elif action == "history":
            revisions(db_file, 404)
        else:
            getattr(annotations, action)(404, "ana", db_file)


def test_the_module_holds_no_statement_that_removes_rows():
    source = (ROOT / "risk" / "annotations.py").read_text(encoding="utf-8")
    assert not re.search(r"\b(DELETE\s+FROM|TRUNCATE|DROP\s+TABLE)\b", source, re.IGNORECASE)


# ---------------------------------------------------------------- validation


def _tomorrow() -> str:
    return (date.today() + timedelta(days=1)).isoformat()


INVALID = [
    ({"title": ""}, "title: is empty"),
    ({"title": "   "}, "title: is empty"),
    ({"title": "t" * 201}, "title: is 201 characters; 200 at most"),
    ({"body": "b" * 20_001}, "body: is 20,001 characters; 20,000 at most"),
    ({"dependent": "microsfot"}, "dependent: unknown dependent 'microsfot' (known: "),
    ({"dependent": "nvidia"}, "dependent: not a dependent 'nvidia'"),
    ({"dependent": ""}, "dependent: is empty"),
    ({"family": "capex"}, "family: unknown family 'capex' (known: spend, chip_programs, "
     "tensions, market, composite)"),
    ({"evidence_id": "EV-404"}, "evidence_id: no evidence item 'EV-404'"),
    ({"date": "2020/03/01"}, "date: '2020/03/01' is not a date in YYYY-MM-DD form"),
    ({"date": "2020-02-30"}, "date: '2020-02-30' is not a real calendar date"),
    ({"date": None}, "date: is empty (expected YYYY-MM-DD)"),
    ({"date": "2015-12-31"}, "date: 2015-12-31 is before the first day of the data (2016-01-01)"),
    ({"date": _tomorrow()}, f"date: {_tomorrow()} is after today"),
    ({"end_date": _tomorrow()}, f"end_date: {_tomorrow()} is after today"),
    ({"end_date": "2020-02-29"}, "end_date: 2020-02-29 is before the start date 2020-03-01"),
    ({"end_date": "03/04/2020"}, "end_date: '03/04/2020' is not a date in YYYY-MM-DD form"),
    ({"tags": [f"t{i}" for i in range(21)]}, "tags: 21 tags; 20 at most"),
    ({"tags": ["x" * 41]}, "tags: 'xxxxxxxxxxxxxxxxxxxx'... is 41 characters; 40 at most"),
    ({"tags": ["two words"]}, "tags: 'two words' may hold only letters, digits, - and _"),
    ({"tags": ["<b>"]}, "tags: '<b>' may hold only letters, digits, - and _"),
    ({"tags": [""]}, "tags: an empty tag"),
    ({"tags": "stargate"}, "tags: must be a list of tags"),
    ({"body": "a\x00b"}, "body: contains a control character (U+0000 at position 2); "
     "only newline or tab allowed"),
    ({"body": "bell\x07"}, "body: contains a control character (U+0007 at position 5)"),
    ({"title": "a\x1b[31mred"}, "title: contains a control character (U+001B at position 2); "
     "none allowed"),
    ({"title": "two\nlines"}, "title: contains a control character (U+000A at position 4)"),
    ({"title": 42}, "title: must be text, not int"),
    ({"colour": "red"}, "colour: unknown field (known: dependent, family, evidence_id, "),
]  # fmt: skip


@pytest.mark.parametrize(("override", "message"), INVALID, ids=[m for _, m in INVALID])
def test_bad_input_is_refused_with_a_message_naming_the_field(db_file, override, message):
    with pytest.raises(ValidationError) as err:
        annotations.add(note(**override), "ana", db_file, method=BUNDLED)
    assert len(err.value.problems) == 1
    assert err.value.problems[0].startswith(message)
    assert count(db_file) == 0
    assert count(db_file, "annotation_revisions") == 0


@pytest.mark.parametrize(("author", "message"), [
    ("  ", "author: is empty"),
    ("a" * 101, "author: is 101 characters; 100 at most"),
    ("ana\x1b[2J", "author: contains a control character (U+001B at position 4); none allowed"),
])  # fmt: skip
def test_a_bad_author_is_refused(db_file, author, message):
    with pytest.raises(ValidationError) as err:
        annotations.add(note(), author, db_file, method=BUNDLED)
    assert err.value.problems == [message]
    assert count(db_file) == 0


def test_every_problem_is_reported_at_once(db_file):
    bad = note(title="", dependent="nobody", date="2020-13-01", tags=["a b"], family="x")
    with pytest.raises(ValidationError) as err:
        annotations.add(bad, "ana", db_file, method=BUNDLED)
    fields = [p.split(":")[0] for p in err.value.problems]
    assert sorted(fields) == ["date", "dependent", "family", "tags", "title"]


def test_evidence_about_another_dependent_is_refused(db_file, method):
    add_items(db_file, method, item_row(id="EV-OAI", dependent="openai"))
    with pytest.raises(ValidationError, match="evidence_id: EV-OAI is about openai, not micro"):
        annotations.add(note(evidence_id="EV-OAI"), "ana", db_file, method=BUNDLED)


def test_limits_are_inclusive(db_file):
    today = date.today().isoformat()
    stored = annotations.add(
        note(title="t" * 200, body="b" * 20_000, tags=[f"t{i}" for i in range(20)] + ["T0"],
             date="2016-01-01", end_date=today), "ana", db_file, method=BUNDLED
    )  # fmt: skip
    assert len(stored["title"]) == 200
    assert len(stored["body"]) == 20_000
    assert len(stored["tags"]) == 20  # "T0" repeats "t0" in another case: kept once
    assert stored["end_date"] == date.today()


def test_the_data_range_starts_at_older_evidence_when_there_is_some(db_file, method):
    add_items(db_file, method, item_row(id="EV-OLD", date="2015-06-01", source_date="2015-06-01"))
    stored = annotations.add(note(date="2015-06-01"), "ana", db_file, method=BUNDLED)
    assert stored["start_date"] == date(2015, 6, 1)
    with pytest.raises(ValidationError, match=r"before the first day of the data \(2015-06-01\)"):
        annotations.add(note(date="2015-05-31"), "ana", db_file, method=BUNDLED)


def test_an_edit_is_validated_and_a_bad_one_writes_nothing(db_file):
    first = annotations.add(note(end_date="2020-03-10"), "ana", db_file, method=BUNDLED)
    with pytest.raises(ValidationError) as err:
        annotations.edit(first["id"], {"date": "2020-03-11", "title": ""}, "bob", db_file,
                         method=BUNDLED)
    assert sorted(err.value.problems) == [
        "end_date: 2020-03-10 is before the start date 2020-03-11", "title: is empty",
    ]  # fmt: skip
    assert listed(db_file) == [first]
    with pytest.raises(ValidationError, match="nothing to change"):
        annotations.edit(first["id"], {}, "bob", db_file, method=BUNDLED)


def test_newlines_and_tabs_in_a_body_are_kept(db_file):
    body = "line one\n\tindented\nline three\n"
    assert annotations.add(note(body=body), "ana", db_file, method=BUNDLED)["body"] == body


# ---------------------------------------------------------------- hostile text


def test_hostile_text_is_stored_and_returned_byte_for_byte(db_file):
    stored = annotations.add(note(title=HOSTILE_TITLE, body=HOSTILE_BODY), "ana", db_file,
                             method=BUNDLED)
    with db.connect(db_file) as con:
        raw = con.execute("SELECT title, body FROM annotations WHERE id = ?",
                          [stored["id"]]).fetchone()  # fmt: skip
        from_list = annotations.list_annotations(con)[0]
        from_history = annotations.history(con, stored["id"])[0]
    for title, body in [raw, (stored["title"], stored["body"]),
                        (from_list["title"], from_list["body"]),
                        (from_history["title"], from_history["body"])]:  # fmt: skip
        assert title.encode("utf-8") == HOSTILE_TITLE.encode("utf-8")
        assert body.encode("utf-8") == HOSTILE_BODY.encode("utf-8")


# ---------------------------------------------------------------- reading


@pytest.fixture
def three(db_file) -> dict[str, dict]:
    """A single-day note, a range and an OpenAI note, plus a deleted one."""
    made = {
        "day": annotations.add(note(date="2020-03-01", family="spend", tags=["Stargate"]),
                               "ana", db_file, method=BUNDLED),
        "range": annotations.add(note(date="2020-04-01", end_date="2020-06-30", tags=["capex"],
                                      title="Build-out"), "bob", db_file, method=BUNDLED),
        "openai": annotations.add(note(dependent="openai", date="2020-05-01",
                                       family="tensions", tags=["dispute"]), "ana", db_file,
                                           method=BUNDLED),
        "gone": annotations.add(note(date="2020-05-15"), "ana", db_file, method=BUNDLED),
    }  # fmt: skip
    annotations.delete(made["gone"]["id"], "ana", db_file)
    return made


def _ids(records: list[dict]) -> list[int]:
    return [r["id"] for r in records]


def test_list_filters_combine(db_file, three):
    ids = {k: v["id"] for k, v in three.items()}
    assert _ids(listed(db_file)) == [ids["day"], ids["range"], ids["openai"]]
    assert _ids(listed(db_file, dependent="MSFT")) == [ids["day"], ids["range"]]
    assert _ids(listed(db_file, tag="stargate")) == [ids["day"]]
    assert _ids(listed(db_file, author="BOB")) == [ids["range"]]
    assert _ids(listed(db_file, family="tensions")) == [ids["openai"]]
    assert _ids(listed(db_file, date_from="2020-06-30")) == [ids["range"]]
    assert _ids(listed(db_file, date_to="2020-03-31")) == [ids["day"]]
    assert _ids(listed(db_file, date_from=date(2020, 4, 15), date_to="2020-04-20")) == [
        ids["range"]]  # fmt: skip
    assert _ids(listed(db_file, date_from="2020-05-10", dependent="microsoft",
                       include_deleted=True)) == [ids["range"], ids["gone"]]  # fmt: skip


def test_list_with_an_unknown_dependent_says_so(db_file, three):
    with pytest.raises(ValidationError, match="unknown dependent 'nobody'"):
        listed(db_file, dependent="nobody")


def test_covering_picks_the_notes_shown_beside_a_score(db_file, three):
    ids = {k: v["id"] for k, v in three.items()}
    with db.connect(db_file) as con:
        def cover(dep: str, fam: str, day: str) -> list[int]:
            return _ids(annotations.covering(con, dep, fam, day))

        assert cover("microsoft", "spend", "2020-03-01") == [ids["day"]]
        assert cover("microsoft", "tensions", "2020-03-01") == []  # a spend note
        assert cover("microsoft", "composite", "2020-03-01") == [ids["day"]]
        assert cover("microsoft", "tensions", "2020-04-01") == [ids["range"]]  # whole dependent
        assert cover("microsoft", "spend", "2020-06-30") == [ids["range"]]  # last day of range
        assert cover("microsoft", "spend", "2020-07-01") == []
        assert cover("microsoft", "spend", "2020-05-15") == [ids["range"]]  # deleted one hidden
        assert cover("openai", "composite", "2020-05-01") == [ids["openai"]]
        assert cover("openai", "spend", "2020-05-01") == []
        assert _ids(annotations.for_panel(con, "microsoft", "tensions")) == [ids["range"]]
        assert _ids(annotations.for_panel(con, "microsoft", "composite")) == [
            ids["day"], ids["range"]]  # fmt: skip


def test_as_json_gives_text_dates_that_json_accepts(db_file, three):
    record = annotations.as_json(listed(db_file)[0])
    assert json.loads(json.dumps(record))["start_date"] == "2020-03-01"
    assert isinstance(record["created_at"], str)


# ---------------------------------------------------------------- author


def test_resolve_author_prefers_the_given_name_then_the_os_user(monkeypatch):
    assert annotations.resolve_author("  Ana Lyst ") == "Ana Lyst"
    monkeypatch.setenv("LOGNAME", "carol")  # getpass.getuser reads LOGNAME first
    assert annotations.resolve_author(None) == "carol"
    assert annotations.resolve_author("   ") == "carol"


def test_resolve_author_is_never_empty_without_a_login_name(monkeypatch):
    def no_user() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(annotations.getpass, "getuser", no_user)
    assert annotations.resolve_author(None) == "unknown"


# ---------------------------------------------------------------- concurrency

_WRITER = """
import sys, time
from pathlib import Path
from risk import annotations
from risk.settings import Settings
path, name, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
method = Settings.resolve(path).methodology
while not go.exists():
    time.sleep(0.005)
start = time.time()
for i in range(20):
    annotations.add({"dependent": "microsoft", "date": "2020-03-01",
                     "title": f"{name}-{i}", "body": "", "tags": [name]}, name, path, method)
print(start, time.time())
"""


def test_two_processes_adding_at_once_lose_nothing(db_file, tmp_path):
    go = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(db_file), name, str(go)], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("alpha", "beta")
    ]  # fmt: skip
    time.sleep(1.0)  # both have imported the package and are waiting
    go.touch()
    spans = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        spans.append([float(x) for x in out.split()])
    (a_start, a_end), (b_start, b_end) = spans
    assert a_start < b_end and b_start < a_end  # the two really wrote at the same time
    rows = listed(db_file)
    assert len(rows) == 40
    assert len({r["id"] for r in rows}) == 40
    titles = {r["title"] for r in rows}
    assert titles == {f"{n}-{i}" for n in ("alpha", "beta") for i in range(20)}
    assert count(db_file, "annotation_revisions") == 40


def test_two_threads_adding_at_once_lose_nothing(db_file):
    """Two dashboard sessions share one process: DuckDB's write conflicts are retried."""
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(15):
                annotations.add(note(title=f"{name}-{i}"), name, db_file, method=BUNDLED)
        except BaseException as exc:  # reported below, with the failing thread's error
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("s1", "s2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    rows = listed(db_file)
    assert len(rows) == 30
    assert len({r["id"] for r in rows}) == 30


def test_edit_resending_an_old_value_is_not_rejected_by_a_newer_rule(db_file, method):
    ann = annotations
    add_items(db_file, method, item_row())
    created = ann.add({"dependent": "microsoft", "date": "2020-03-01", "family": "spend",
                       "title": "old note"}, "ana", db_file, method)
    # The firm later drops the 'spend' family: a title-only edit from the form, which
    # re-sends every field as stored, must still go through.
    narrowed = dict(methodology_dict())
    narrowed["families"] = {k: v for k, v in narrowed["families"].items() if k != "spend"}
    newer = from_dict(narrowed)
    edited = ann.edit(created["id"], {"title": "renamed", "family": "spend",
                                      "date": created["start_date"].isoformat()}, "ana", db_file,
                      newer)  # fmt: skip
    assert (edited["title"], edited["family"]) == ("renamed", "spend")
    with pytest.raises(ValidationError, match="family"):
        ann.edit(created["id"], {"family": "spend_v2"}, "ana", db_file, newer)
