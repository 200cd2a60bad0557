"""``python -m risk annotate``: the contract of each sub-command, its --help, its JSON, its
errors, and two CLI processes writing at once."""

from __future__ import annotations

import getpass
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BUNDLED

from risk import audit, bootstrap, cli, db

ROOT = Path(__file__).resolve().parent.parent
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
HOSTILE_BODY = "[link](javascript:alert(1))\n<script>alert(1)</script> é 🙂"
ACTIONS = ("add", "list", "edit", "delete", "restore", "history")
ME = getpass.getuser()  # the CLI's author is always the OS user


@pytest.fixture(scope="module")
def bundled_db(tmp_path_factory) -> Path:
    """The bundled evidence base, built once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("bundled") / "risk.duckdb"
    bootstrap.init_database(path, method=BUNDLED)
    return path


@pytest.fixture
def risk_db(bundled_db, tmp_path) -> Path:
    path = tmp_path / "risk.duckdb"
    shutil.copy(bundled_db, path)
    return path


def run(*args: str, db_path: Path) -> subprocess.CompletedProcess:
    """The real command in its own process: exit code, stdout and stderr as a user sees."""
    return subprocess.run([sys.executable, "-m", "risk", "annotate", *args, "--db", str(db_path)],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                          timeout=120)  # fmt: skip


def call(capsys, *args: str, db_path: Path) -> tuple[int, str, str]:
    """The same command in this process (faster): exit code, stdout, stderr."""
    code = cli.main(["annotate", *args, "--db", str(db_path)])
    out, err = capsys.readouterr()
    return code, out, err


def add(capsys, db_path: Path, *extra: str, title: str = "Stargate report") -> int:
    code, out, err = call(capsys, "add", "--dependent", "microsoft", "--date", "2024-03-29",
                          "--title", title, "--body", "Discount it.", *extra,
                          db_path=db_path)  # fmt: skip
    assert code == 0, err
    match = re.fullmatch(r"added annotation (\d+)\n", out)
    assert match, out
    return int(match.group(1))


def listed(capsys, db_path: Path, *filters: str) -> list[dict]:
    code, out, err = call(capsys, "list", "--json", *filters, db_path=db_path)
    assert code == 0, err
    return json.loads(out)


def history(capsys, db_path: Path, annotation_id: int) -> list[dict]:
    code, out, err = call(capsys, "history", str(annotation_id), "--json", db_path=db_path)
    assert code == 0, err
    return json.loads(out)


# ---------------------------------------------------------------- help


@pytest.mark.parametrize("action", [None, *ACTIONS])
def test_help_of_each_sub_command_shows_an_example(action):
    args = ["annotate", action] if action else ["annotate"]
    result = subprocess.run([sys.executable, "-m", "risk", *args, "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"usage: python -m risk {' '.join(args)}" in result.stdout
    example = re.search(r"^example:\n  (python -m risk annotate .+)$", result.stdout, re.M)
    assert example, result.stdout
    if action:
        assert example.group(1).startswith(f"python -m risk annotate {action}")


def test_the_help_examples_run(capsys, risk_db):
    """The add and list examples in --help are real commands that succeed."""
    for action in ("add", "list"):
        with pytest.raises(SystemExit):
            cli.main(["annotate", action, "--help"])
        text = capsys.readouterr().out
        line = re.search(r"^  (python -m risk annotate .+)$", text, re.M).group(1)
        code, _, err = call(capsys, *shlex.split(line)[4:], db_path=risk_db)
        assert code == 0, err


# ---------------------------------------------------------------- add, list, edit, history


def test_add_prints_the_new_id_and_list_json_returns_every_field(capsys, risk_db):
    first = add(capsys, risk_db, "--family", "spend", "--tag", "stargate", "--tag", "capex",
                "--end", "2024-04-15", "--author", "ana")  # fmt: skip
    second = add(capsys, risk_db, title="Second")
    assert second > first
    [record, _] = listed(capsys, risk_db)
    assert record["id"] == first
    assert record["dependent"] == "microsoft"
    assert (record["start_date"], record["end_date"]) == ("2024-03-29", "2024-04-15")
    assert (record["family"], record["tags"]) == ("spend", ["stargate", "capex"])
    assert (record["author"], record["revision"], record["deleted"]) == (ME, 1, False)
    with db.connect(risk_db) as con:  # --author is "on behalf of", next to the real user
        [entry, _] = audit.entries(con, action="annotation.add")[::-1]
    assert (entry["actor"], entry["on_behalf_of"], entry["mode"]) == (ME, "ana", "cli")
    assert set(record) >= {"title", "body", "evidence_id", "created_at", "updated_by",
                           "updated_at"}  # fmt: skip


def test_add_links_an_evidence_item_and_resolves_an_alias(capsys, risk_db):
    with db.connect(risk_db) as con:
        item = con.execute("SELECT id FROM evidence WHERE dependent = 'openai' LIMIT 1").fetchone()
    new = add(capsys, risk_db, "--evidence", item[0], "--dependent", "Open AI")
    [record] = listed(capsys, risk_db, "--dependent", "openai")
    assert (record["id"], record["evidence_id"]) == (new, item[0])


def test_author_defaults_to_the_os_user(capsys, risk_db):
    add(capsys, risk_db)
    assert listed(capsys, risk_db)[0]["author"] == getpass.getuser()


def test_hostile_text_comes_back_byte_for_byte_through_the_real_command(risk_db):
    added = run("add", "--dependent", "openai", "--date", "2024-01-10", "--title",
                HOSTILE_TITLE, "--body", HOSTILE_BODY, "--author", "ana", db_path=risk_db)
    assert added.returncode == 0, added.stderr
    shown = run("list", "--json", db_path=risk_db)
    [record] = json.loads(shown.stdout)
    assert record["title"].encode("utf-8") == HOSTILE_TITLE.encode("utf-8")
    assert record["body"].encode("utf-8") == HOSTILE_BODY.encode("utf-8")
    [created] = json.loads(run("history", str(record["id"]), "--json", db_path=risk_db).stdout)
    assert (created["title"], created["body"]) == (HOSTILE_TITLE, HOSTILE_BODY)
    table = run("list", db_path=risk_db).stdout
    assert HOSTILE_TITLE in table


def test_edit_changes_only_what_is_given_and_history_keeps_each_revision(capsys, risk_db):
    new = add(capsys, risk_db, "--tag", "stargate", "--family", "spend", "--end", "2024-04-01")
    code, out, _ = call(capsys, "edit", str(new), "--title", "Confirmed", "--author", "bob",
                        db_path=risk_db)  # fmt: skip
    assert (code, out) == (0, f"edited annotation {new}: now revision 2\n")
    code, _, _ = call(capsys, "edit", str(new), "--tag", "a", "--tag", "b", "--end", "",
                      "--family", "", db_path=risk_db)  # fmt: skip
    assert code == 0
    [record] = listed(capsys, risk_db)
    assert (record["title"], record["body"]) == ("Confirmed", "Discount it.")
    assert (record["tags"], record["end_date"], record["family"]) == (["a", "b"], None, None)
    assert call(capsys, "edit", str(new), "--no-tags", db_path=risk_db)[0] == 0
    assert listed(capsys, risk_db)[0]["tags"] == []
    revisions = history(capsys, risk_db, new)
    assert [(r["id"], r["revision"], r["action"]) for r in revisions] == [
        (new, 1, "create"), (new, 2, "edit"), (new, 3, "edit"), (new, 4, "edit"),
    ]  # fmt: skip
    assert revisions[0]["title"] == "Stargate report"
    assert revisions[1]["author"] == ME
    assert revisions[1]["tags"] == ["stargate"]


def test_edit_with_the_current_values_says_unchanged(capsys, risk_db):
    new = add(capsys, risk_db)
    code, out, _ = call(capsys, "edit", str(new), "--title", "Stargate report", db_path=risk_db)
    assert (code, out) == (0, f"annotation {new} unchanged: the values given are the current "
                              "ones\n")  # fmt: skip
    assert len(history(capsys, risk_db, new)) == 1


def test_history_text_names_who_changed_what(capsys, risk_db):
    new = add(capsys, risk_db, "--author", "ana")
    call(capsys, "edit", str(new), "--body", "Now confirmed.", "--author", "bob", db_path=risk_db)
    code, out, _ = call(capsys, "history", str(new), db_path=risk_db)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"annotation {new}: 2 revision(s), times in UTC"
    me = re.escape(ME[:16])
    assert re.match(rf"\s+1\s+create\s+\S+ \S+\s+{me}\s+created\s+Stargate report$", lines[2])
    assert re.match(rf"\s+2\s+edit\s+\S+ \S+\s+{me}\s+body\s+Stargate report$", lines[3])


# ---------------------------------------------------------------- soft delete


def test_delete_hides_and_restore_brings_back_through_the_real_command(risk_db):
    added = run("add", "--dependent", "microsoft", "--date", "2024-03-29", "--title", "T",
                "--body", "B", db_path=risk_db)  # fmt: skip
    new = re.fullmatch(r"added annotation (\d+)\n", added.stdout).group(1)
    deleted = run("delete", new, "--author", "bob", db_path=risk_db)
    assert deleted.returncode == 0, deleted.stderr
    assert f"restore {new}" in deleted.stdout
    assert json.loads(run("list", "--json", db_path=risk_db).stdout) == []
    [gone] = json.loads(run("list", "--json", "--deleted", db_path=risk_db).stdout)
    assert (gone["deleted"], gone["deleted_by"]) == (True, ME)
    assert "deleted" in run("list", "--deleted", db_path=risk_db).stdout
    twice = run("delete", new, db_path=risk_db)
    assert (twice.returncode, twice.stderr) == (1, f"error: annotation {new} is already deleted\n")
    restored = run("restore", new, db_path=risk_db)
    assert restored.returncode == 0, restored.stderr
    assert [r["id"] for r in json.loads(run("list", "--json", db_path=risk_db).stdout)] == [
        int(new)]  # fmt: skip
    actions = [r["action"] for r in json.loads(run("history", new, "--json",
                                                   db_path=risk_db).stdout)]  # fmt: skip
    assert actions == ["create", "delete", "restore"]
    with db.connect(risk_db) as con:
        assert con.execute("SELECT count(*) FROM annotations").fetchone()[0] == 1


# ---------------------------------------------------------------- filters


def test_list_filters(capsys, risk_db):
    a = add(capsys, risk_db, "--tag", "Stargate", "--author", "ana", "--family", "spend")
    b = add(capsys, risk_db, "--author", "bob", "--end", "2024-06-30", "--tag", "capex")
    call(capsys, "add", "--dependent", "openai", "--date", "2024-05-01", "--title", "O",
         "--body", "", "--author", "ana", db_path=risk_db)  # fmt: skip

    def ids(*filters: str) -> list[int]:
        return [r["id"] for r in listed(capsys, risk_db, *filters)]

    assert ids("--dependent", "MSFT") == [a, b]
    assert ids("--tag", "stargate") == [a]
    assert ids("--author", ME.upper())[:2] == [a, b]  # the creator, whatever --author said
    assert ids("--author", "bob") == []
    assert ids("--family", "spend") == [a]
    assert ids("--dependent", "microsoft", "--from", "2024-06-01") == [b]
    assert ids("--to", "2024-03-28") == []
    code, out, _ = call(capsys, "list", "--tag", "capex", db_path=risk_db)
    assert code == 0
    assert re.search(rf"^\s+{b}\s+2024-03-29\.\.2024-06-30\s+microsoft\s+-\s+"
                     rf"{re.escape(ME[:12])}\s+Stargate report \[capex\]$", out, re.M)
    assert out.endswith("1 annotation(s)\n")


def test_list_with_nothing_to_show(capsys, risk_db):
    assert listed(capsys, risk_db) == []
    code, out, _ = call(capsys, "list", db_path=risk_db)
    assert (code, out) == (0, "no annotations match\n")


# ---------------------------------------------------------------- errors


def test_invalid_add_prints_every_problem_and_writes_nothing(risk_db):
    result = run("add", "--dependent", "nvidia", "--date", "2024-03-29", "--title", "",
                 "--body", "x", "--end", "2024-03-01", "--tag", "a b", db_path=risk_db)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: dependent: not a dependent 'nvidia' (known: amazon, google, meta, microsoft, "
        "openai)",
        "error: title: is empty",
        "error: tags: 'a b' may hold only letters, digits, - and _",
        "error: end_date: 2024-03-01 is before the start date 2024-03-29",
        "error: 4 problems; nothing was written",
    ]
    with db.connect(risk_db) as con:
        assert con.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0


@pytest.mark.parametrize(("args", "code", "message"), [
    (("add", "--dependent", "microsoft", "--date", "2024/03/29", "--title", "T", "--body", "B"),
     2, "argument --date: '2024/03/29' is not a date in YYYY-MM-DD form"),
    (("add", "--dependent", "microsoft", "--date", "2024-03-29", "--title", "T"),
     2, "the following arguments are required: --body"),
    (("add", "--dependent", "microsoft", "--date", "2099-01-01", "--title", "T", "--body", "B"),
     1, "error: date: 2099-01-01 is after today"),
    (("add", "--dependent", "microsoft", "--date", "2024-03-29", "--title", "T", "--body", "B",
      "--family", "capex"), 1, "error: family: unknown family 'capex'"),
    (("add", "--dependent", "microsoft", "--date", "2024-03-29", "--title", "T", "--body", "B",
      "--evidence", "EV-404"), 1, "error: evidence_id: no evidence item 'EV-404'"),
    (("edit", "404", "--title", "T"), 1, "error: no annotation with id 404"),
    (("edit", "1"), 1, "error: nothing to change: give --title"),
    (("edit", "x", "--title", "T"), 2, "argument id: 'x' is not an annotation id"),
    (("delete", "404"), 1, "error: no annotation with id 404"),
    (("restore", "404"), 1, "error: no annotation with id 404"),
    (("history", "404"), 1, "error: no annotation with id 404"),
    (("list", "--from", "yesterday"), 2, "argument --from: 'yesterday' is not a date"),
    (("list", "--dependent", "nobody"), 1, "error: dependent: unknown dependent 'nobody'"),
    (("list", "--from", "2024-02-01", "--to", "2024-01-01"), 1,
     "error: to: 2024-01-01 is before from 2024-02-01"),
])  # fmt: skip
def test_bad_input_exits_non_zero_with_one_line(risk_db, args, code, message):
    result = run(*args, db_path=risk_db)
    assert result.returncode == code
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_restoring_a_live_annotation_is_refused(capsys, risk_db):
    new = add(capsys, risk_db)
    code, _, err = call(capsys, "restore", str(new), db_path=risk_db)
    assert (code, err) == (1, f"error: annotation {new} is not deleted\n")


# ---------------------------------------------------------------- concurrency

_LOOP = """
import subprocess, sys, time
from pathlib import Path
db, name, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
while not go.exists():
    time.sleep(0.005)
for i in range(5):
    subprocess.run([sys.executable, "-m", "risk", "annotate", "add", "--dependent", "openai",
                    "--date", "2024-01-10", "--title", f"{name}-{i}", "--body", "",
                    "--author", name, "--db", db], check=True)
"""


def test_two_cli_writers_at_once_lose_nothing(risk_db, tmp_path):
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", _LOOP, str(risk_db), name, str(go)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
             for name in ("alpha", "beta")]  # fmt: skip
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    records = json.loads(run("list", "--json", db_path=risk_db).stdout)
    assert sorted(r["title"] for r in records) == sorted(
        f"{n}-{i}" for n in ("alpha", "beta") for i in range(5))  # fmt: skip
    assert len({r["id"] for r in records}) == 10
