"""Roles, rights and actors: the permission matrix, the roles file, and who is acting."""

from __future__ import annotations

import subprocess
import textwrap
import tomllib
from pathlib import Path

import pytest

from risk import access, identity
from risk.access import AccessDenied, RolesConfig, load_roles, parse_roles
from risk.errors import ConfigError, ValidationError
from risk.identity import Actor

# The rights of each role, as the issue states them (each role has those of the one before).
MATRIX = {
    "viewer": {"read", "export"},
    "analyst": {"read", "export", "annotate", "evidence", "ledger", "review"},
    "methodologist": {"read", "export", "annotate", "evidence", "ledger", "review",
                      "annotate_any", "methodology"},
    "admin": set(access.RIGHTS),
}  # fmt: skip


@pytest.mark.parametrize("role", access.ROLES)
@pytest.mark.parametrize("right", sorted(access.RIGHTS))
def test_permission_matrix(role, right):
    assert access.role_allows(role, right) == (right in MATRIX[role])
    assert Actor("x@example.com", role, "signed-in").can(right) == (right in MATRIX[role])


def test_rights_lists_grow_with_the_role():
    assert set(access.rights("admin")) == set(access.RIGHTS)
    for lower, higher in zip(access.ROLES, access.ROLES[1:], strict=False):
        assert set(access.rights(lower)) < set(access.rights(higher))


def test_an_unknown_role_is_a_one_line_error():
    with pytest.raises(ConfigError) as err:
        access.check_role("superuser")
    assert str(err.value) == "role: unknown role 'superuser' (known: viewer, analyst, " \
        "methodologist, admin)"
    assert "\n" not in str(err.value)


def test_require_raises_a_one_line_refusal_carrying_the_attempt():
    viewer = Actor("vic@example.com", "viewer", "signed-in")
    with pytest.raises(AccessDenied) as err:
        viewer.require(access.METHODOLOGY, "methodology.save", "methodology", "1.2.0")
    assert str(err.value) == "vic@example.com (viewer) may not save a methodology version"
    assert (err.value.action, err.value.target_kind, err.value.target_id) == (
        "methodology.save", "methodology", "1.2.0")
    Actor("m@example.com", "methodologist", "signed-in").require(
        access.METHODOLOGY, "methodology.save", "methodology")


# ---------------------------------------------------------------- the roles file

GOOD = """
default = "viewer"
claim = "risk_role"

[users]
"Ana@Example.com" = "analyst"
"max@example.com" = "methodologist"
"lead@example.com" = "admin"
"""


def test_roles_file_maps_emails_ignoring_case_and_falls_back_to_the_default(tmp_path):
    file = tmp_path / "roles.toml"
    file.write_text(GOOD, encoding="utf-8")
    roles = load_roles(file)
    assert roles.role_for("ana@example.com") == "analyst"
    assert roles.role_for("ANA@EXAMPLE.COM") == "analyst"
    assert roles.role_for("lead@example.com") == "admin"
    assert roles.role_for("stranger@example.com") == "viewer"


def test_the_claim_gives_a_role_to_people_the_file_does_not_list():
    roles = parse_roles(GOOD)
    assert roles.role_for("new@example.com", {"risk_role": "methodologist"}) == "methodologist"
    # a list claim (groups): the highest role named; unrelated groups are ignored
    groups = {"risk_role": ["staff", "analyst", "admin-tools"]}
    assert roles.role_for("new@example.com", groups) == "analyst"
    assert roles.role_for("new@example.com", {"risk_role": "nonsense"}) == "viewer"
    # the file's line wins over the claim
    assert roles.role_for("ana@example.com", {"risk_role": "admin"}) == "analyst"


def test_no_roles_file_means_every_signed_in_user_is_a_viewer(tmp_path, monkeypatch):
    monkeypatch.delenv("RISK_ROLES", raising=False)
    monkeypatch.setattr(access, "DEFAULT_ROLES_FILE", tmp_path / "absent.toml")
    assert load_roles() == RolesConfig()
    assert RolesConfig().role_for("anyone@example.com") == "viewer"


def test_a_named_roles_file_that_is_missing_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("RISK_ROLES", str(tmp_path / "absent.toml"))
    with pytest.raises(ConfigError, match="roles file not found"):
        load_roles()


@pytest.mark.parametrize(("text", "message"), [
    ('default = "viewer"\n[users\n"a@b.c" = "admin"\n', "not valid TOML"),
    ('[users]\n"a@b.c" = "superuser"\n',
     "users.a@b.c: unknown role 'superuser' (known: viewer, analyst, methodologist, admin)"),
    ('default = "root"\n', "default: unknown role 'root'"),
    ('defualt = "viewer"\n', "unknown key(s) defualt"),
    ('claim = 3\n', "claim must be the name of a claim"),
    ('users = "ana"\n', "[users] must be a table"),
    ('[users]\n"A@b.c" = "viewer"\n"a@B.c" = "admin"\n', "listed twice"),
])  # fmt: skip
def test_a_bad_roles_file_is_a_one_line_error_naming_the_file(tmp_path, text, message):
    file = tmp_path / "roles.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_roles(file)
    assert message in str(err.value)
    assert str(err.value).startswith(str(file))
    assert "\n" not in str(err.value)


# ---------------------------------------------------------------- actors


def test_local_mode_is_the_os_user_with_every_right(monkeypatch):
    monkeypatch.setattr(identity, "os_user", lambda: "carol")
    actor = identity.local_actor("127.0.0.1")
    assert (actor.who, actor.role, actor.mode, actor.read_only_reason) == (
        "carol", "admin", "local", None)
    assert all(actor.can(r) for r in access.RIGHTS)
    assert identity.local_actor("localhost").can(access.METHODOLOGY)
    assert identity.local_actor("::1").can(access.METHODOLOGY)


@pytest.mark.parametrize("address", ["0.0.0.0", "", None, "192.168.1.20", "::"])
def test_local_mode_beyond_this_machine_is_read_only_and_says_why(address):
    actor = identity.local_actor(address)
    assert actor.can(access.READ) and actor.can(access.EXPORT)
    assert not actor.can(access.ANNOTATE)
    with pytest.raises(AccessDenied) as err:
        actor.require(access.ANNOTATE, "annotation.add", "annotation")
    assert "without sign-in" in str(err.value) and "127.0.0.1" in str(err.value)


def test_the_cli_records_the_os_user_and_author_as_on_behalf_of(monkeypatch):
    monkeypatch.setattr(identity, "os_user", lambda: "ops")
    actor = identity.cli_actor("ana")
    assert (actor.who, actor.on_behalf_of, actor.mode, actor.role) == ("ops", "ana", "cli",
                                                                       "admin")  # fmt: skip
    assert actor.label == "ops for ana (admin)"
    assert identity.cli_actor(None).on_behalf_of is None
    with pytest.raises(ValidationError, match="author"):
        identity.cli_actor("ana\x1b[2J")


def test_signed_in_identity_is_the_email_else_the_subject():
    roles = parse_roles(GOOD)
    ana = identity.signed_in_actor({"email": "ana@example.com", "sub": "123"}, roles)
    assert (ana.who, ana.role, ana.mode) == ("ana@example.com", "analyst", "signed-in")
    sub = identity.signed_in_actor({"sub": "u-42", "risk_role": "admin"}, roles)
    assert (sub.who, sub.role) == ("u-42", "admin")
    with pytest.raises(ValidationError, match="neither an e-mail nor a subject"):
        identity.signed_in_actor({"name": "Nobody"}, roles)


def test_analysts_change_only_their_own_notes():
    ana = Actor("ana@example.com", "analyst", "signed-in")
    assert ana.may_change_note_of("ANA@example.com")
    assert not ana.may_change_note_of("bob@example.com")
    for role in ("methodologist", "admin"):
        assert Actor("m@example.com", role, "signed-in").may_change_note_of("bob@example.com")
    assert not Actor("v@example.com", "viewer", "signed-in").may_change_note_of("v@example.com")


# ---------------------------------------------------------------- documented set-up

ROOT = Path(__file__).resolve().parent.parent


def _toml_blocks(heading: str) -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return [textwrap.dedent(b.split("```", 1)[0]) for b in section.split("```toml\n")[1:]]


def test_the_readme_examples_are_complete_and_parse():
    secrets_text, roles_text = _toml_blocks("Team use: sign-in and roles")
    auth = tomllib.loads(secrets_text)["auth"]
    assert set(auth) == {"redirect_uri", "cookie_secret", "client_id", "client_secret",
                         "server_metadata_url"}  # fmt: skip
    assert auth["redirect_uri"].endswith("/oauth2callback")
    roles = parse_roles(roles_text, "README")
    assert roles.role_for("lead@example.com") == "admin"
    assert roles.role_for("someone@example.com") == "viewer"


def test_the_committed_config_binds_to_this_machine_and_secrets_stay_out_of_git():
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))["server"]
    assert server["address"] == "127.0.0.1"
    tracked = subprocess.run(["git", "ls-files", ".streamlit"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()  # fmt: skip
    assert ".streamlit/config.toml" in tracked
    ignored = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"],
                             cwd=ROOT, check=False)  # fmt: skip
    assert ignored.returncode == 0
