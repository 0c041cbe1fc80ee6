"""Sign-in: password hashes, roles, the `skinmm users` commands, and the app behind sign-in."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from skinmm.auth import (
    PERMISSIONS,
    AuthError,
    Identity,
    add_user,
    auth_mode,
    hash_password,
    list_users,
    oidc_problem,
    parse_role_table,
    sign_in,
    sso_identity,
    verify_password,
)
from skinmm.cli import main
from skinmm.db.audit import cli_actor, list_audit
from skinmm.db.models import ROLES
from skinmm.db.store import Store, forget_shared_stores, open_store
from tests.test_db_helpers import save_case

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 90
PASSWORD = "correct horse battery staple"
PATIENT = "PSECRET-4711"
NOTE = "Female, 52 years. NOTESECRET lesion on the left cheek."


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A fresh case store in SKINMM_HOME with one account of each role."""
    monkeypatch.setenv("SKINMM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SKINMM_OIDC_ROLES", raising=False)
    forget_shared_stores()
    store = open_store()
    for name, role in (("carl", "clinician"), ("rita", "researcher"), ("ada", "admin")):
        add_user(store, name, role, PASSWORD, cli_actor())
    yield store
    store.dispose()
    forget_shared_stores()


# --- Hashes, roles, accounts ----------------------------------------------------------------


def test_passwords_are_salted_argon2id_hashes_that_verify_only_the_password() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second  # a fresh salt each time
    assert PASSWORD not in first
    assert verify_password(first, PASSWORD) and verify_password(second, PASSWORD)
    assert not verify_password(first, PASSWORD + " ")
    assert not verify_password("not a hash", PASSWORD)


def test_roles_grant_what_the_issue_says_and_nothing_else() -> None:
    assert set(PERMISSIONS) == set(ROLES)
    clinician, researcher, admin = (Identity("x", role) for role in ROLES)
    for permission in ("diagnose", "history", "identify", "feedback", "report"):
        assert clinician.can(permission)
    for permission in ("all_cases", "dashboard", "audit", "users", "transfer"):
        assert not clinician.can(permission)
    for permission in ("identify", "report", "feedback", "diagnose", "audit", "users"):
        assert not researcher.can(permission)
    assert researcher.can("history") and researcher.can("all_cases")
    assert researcher.can("dashboard")
    assert all(admin.can(p) for permissions in PERMISSIONS.values() for p in permissions)
    assert not Identity("x", "intruder").can("history")


def test_auth_mode_from_argument_environment_or_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SKINMM_AUTH", raising=False)
    assert auth_mode() == "none"
    monkeypatch.setenv("SKINMM_AUTH", "LOCAL")
    assert auth_mode() == "local" and auth_mode("oidc") == "oidc"
    with pytest.raises(AuthError, match="none, local, oidc"):
        auth_mode("ldap")


def test_sign_in_checks_the_password_and_audits_both_outcomes(home: Store) -> None:
    assert sign_in(home, "carl", PASSWORD) == Identity("carl", "clinician")
    assert sign_in(home, "carl", "wrong password here") is None
    assert sign_in(home, "nobody", PASSWORD) is None
    assert sign_in(home, "'; DROP TABLE users; --", PASSWORD) is None
    events = [(r.actor, r.action) for r in list_audit(home) if r.action.startswith("sign_in")]
    assert events == [
        ("carl", "sign_in"),
        ("carl", "sign_in_failed"),
        ("nobody", "sign_in_failed"),
        ("'; DROP TABLE users; --", "sign_in_failed"),
    ]
    assert len(list_users(home)) == 3


def test_account_rules(home: Store) -> None:
    with pytest.raises(AuthError, match="at least 12"):
        add_user(home, "dora", "clinician", "short", cli_actor())
    with pytest.raises(AuthError, match="not allowed"):
        add_user(home, "cli:dora", "clinician", PASSWORD, cli_actor())
    with pytest.raises(AuthError, match="exists already"):
        add_user(home, "carl", "admin", PASSWORD, cli_actor())
    with pytest.raises(AuthError, match="Unknown role"):
        add_user(home, "dora", "superuser", PASSWORD, cli_actor())


def test_single_sign_on_roles_come_from_a_password_less_row_or_the_table(home: Store) -> None:
    add_user(home, "Eve@Hospital.org", "clinician", None, cli_actor())
    assert sso_identity(home, "eve@hospital.org", {}) == Identity("eve@hospital.org", "clinician")
    table = parse_role_table("ann@h.org = researcher; ben@h.org=admin")
    assert table == {"ann@h.org": "researcher", "ben@h.org": "admin"}
    assert sso_identity(home, "ANN@h.org", table) == Identity("ann@h.org", "researcher")
    assert sso_identity(home, "stranger@h.org", table) is None
    # A local account's name is not vouched for by the identity provider.
    assert sso_identity(home, "ada", {}) is None
    with pytest.raises(AuthError, match="EMAIL=ROLE"):
        parse_role_table("ann@h.org")
    failed = [r.actor for r in list_audit(home) if r.action == "sign_in_failed"]
    assert failed == ["stranger@h.org", "ada"]


def test_oidc_needs_the_auth_secrets(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    assert "redirect_uri" in (oidc_problem([secrets]) or "")
    secrets.write_text(
        '[auth]\nredirect_uri = "https://skinmm.h.org/oauth2callback"\n'
        'cookie_secret = "s3cret"\nclient_id = "skinmm"\nclient_secret = "x"\n'
        'server_metadata_url = "https://idp.h.org/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    assert oidc_problem([secrets]) is None
    secrets.write_text("[auth\n", encoding="utf-8")
    assert "not valid TOML" in (oidc_problem([secrets]) or "")


# --- skinmm users ---------------------------------------------------------------------------


def users_cli(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["users", *argv])


def test_users_cli_reads_the_password_from_stdin_and_audits(
    home: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert users_cli(monkeypatch, "add", "dora", "--role", "clinician", stdin=PASSWORD + "\n") == 0
    assert sign_in(home, "dora", PASSWORD) == Identity("dora", "clinician")
    assert users_cli(monkeypatch, "add", "sso@h.org", "--role", "researcher", "--sso") == 0
    capsys.readouterr()
    assert users_cli(monkeypatch, "list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert "dora\tclinician\tlocal" in listed and "sso@h.org\tresearcher\toidc" in listed
    assert PASSWORD not in "\n".join(listed)
    assert users_cli(monkeypatch, "add", "fred", "--role", "admin", stdin="tooshort\n") == 2
    assert "at least 12" in capsys.readouterr().err
    assert users_cli(monkeypatch, "remove", "dora") == 0
    assert sign_in(home, "dora", PASSWORD) is None
    assert users_cli(monkeypatch, "remove", "dora") == 2
    assert "No user 'dora'" in capsys.readouterr().err
    actions = [(r.actor, r.action) for r in list_audit(home) if r.action.startswith("user_")]
    assert actions[-3:] == [
        (cli_actor().name, "user_add"),
        (cli_actor().name, "user_add"),
        (cli_actor().name, "user_remove"),
    ]
    with pytest.raises(SystemExit):  # there is no way to put a password on the command line
        users_cli(monkeypatch, "add", "gus", "--role", "admin", "--password", PASSWORD)


# --- The app behind sign-in -----------------------------------------------------------------


def tree_text(node: Any) -> str:
    """Everything the page sent: every element's protobuf, dataframes' bytes included."""
    parts = [str(getattr(node, "proto", ""))]
    parts += [tree_text(child) for child in getattr(node, "children", {}).values()]
    return "\n".join(parts)


@pytest.fixture
def signed_app(
    home: Store, tiny_bundle: object, monkeypatch: pytest.MonkeyPatch
) -> tuple[AppTest, str]:
    """The app with local sign-in and one case saved by the clinician carl."""
    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.setenv("SKINMM_AUTH", "local")
    monkeypatch.setenv("SKINMM_BUNDLE", str(Path(getattr(tiny_bundle, "path", tiny_bundle))))
    carl = Identity("carl", "clinician").actor
    case_id = save_case(home, photo=3, note=NOTE, patient_ref=PATIENT, actor=carl)
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT), case_id


def sign_in_as(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    return at.button(key="signin_submit").click().run()


def signed_in(signed_app: tuple[AppTest, str], name: str) -> tuple[AppTest, str]:
    """The app of ``signed_app`` with ``name`` signed in, and its saved case's id."""
    at, case_id = signed_app
    at.run()
    sign_in_as(at, name)
    assert not at.exception
    return at, case_id


def history_case_text(at: AppTest, case_id: str) -> str:
    """Everything the History page shows with ``case_id`` open."""
    at.switch_page("views/history.py").run()
    assert not at.exception
    at.selectbox(key="history_case").set_value(case_id).run()
    assert not at.exception
    return tree_text(at._tree)


def test_before_sign_in_only_the_sign_in_form_is_reachable(signed_app: tuple[AppTest, str]) -> None:
    at, case_id = signed_app
    for language in ("en", "zh"):
        at.query_params["lang"] = language
        at.session_state["lang"] = language
        at.run()
        assert not at.exception
        assert [w.key for w in at.text_input] == ["signin_name", "signin_password"]
        assert at.title[0].value == {"en": "Sign in to SkinMM", "zh": "登录 SkinMM"}[language]
        assert not at.dataframe and not at.metric and not at.get("imgs")
        assert not at.get("plotly_chart") and not at.download_button
        everything = tree_text(at._tree)
        for secret in (case_id[:8], PATIENT, "NOTESECRET", "Case history", "Weighted F1"):
            assert secret not in everything
    # The sign-in page is the only page with a script; the others' url paths are aliases that
    # lead back to it (the browser test follows one), so no deep link reaches a page.
    only_sign_in = (
        r"Known pages: \['[^']*views/signin.py', 'diagnose', 'dashboard', 'history', "
        r"'model-card', 'audit', 'teach'\]"
    )
    for page in ("views/history.py", "views/dashboard.py", "views/audit.py"):
        with pytest.raises(ValueError, match=only_sign_in):
            at.switch_page(page)
    at.session_state["lang"] = "en"
    sign_in_as(at, "carl", "not the password!")
    assert at.error and "Wrong user name or password" in at.error[0].value
    assert [w.key for w in at.text_input] == ["signin_name", "signin_password"]


def test_a_researchers_history_is_de_identified_and_each_opened_case_audited(
    signed_app: tuple[AppTest, str], home: Store
) -> None:
    at, case_id = signed_in(signed_app, "rita")
    assert any("rita" in c.value for c in at.sidebar.caption)
    everything = history_case_text(at, case_id)
    assert case_id[:8] in everything
    assert PATIENT not in everything and "NOTESECRET" not in everything
    assert not at.download_button  # no PDF of the photo
    assert not at.get("form")  # no feedback form either
    views = [(r.actor, r.role, r.case_id) for r in list_audit(home) if r.action == "view"]
    assert views == [("rita", "researcher", case_id)]
    at.run()  # a rerun of the open case is not a second opening
    assert len([r for r in list_audit(home) if r.action == "view"]) == 1


def test_a_clinician_sees_their_own_case_in_full_and_no_audit_page(
    signed_app: tuple[AppTest, str], home: Store
) -> None:
    at, case_id = signed_in(signed_app, "carl")
    # Diagnose, History, Model card and Teach only: no Dashboard, no Audit trail.
    with pytest.raises(
        ValueError,
        match=r"Known pages: \[[^]]*diagnose.py', '[^']*history.py', "
        r"'[^']*model_card.py', '[^']*teach.py', 'diagnose'\]",
    ):
        at.switch_page("views/audit.py")
    everything = history_case_text(at, case_id)
    assert PATIENT in everything and "NOTESECRET" in everything
    assert [r.actor for r in list_audit(home) if r.action == "view"] == ["carl"]


def test_an_admin_reads_the_audit_trail_in_the_app(signed_app: tuple[AppTest, str]) -> None:
    at, case_id = signed_in(signed_app, "ada")
    at.switch_page("views/audit.py").run()
    assert not at.exception
    [frame] = at.dataframe
    table = frame.value
    assert case_id in set(table["Case"]) and "signed in" in set(table["Action"])
    assert table["Who"].iloc[0] == "ada"  # newest first


def test_signing_out_forgets_the_user_and_what_the_session_held(
    signed_app: tuple[AppTest, str],
) -> None:
    at, _ = signed_in(signed_app, "ada")
    at.session_state["diagnose_result"] = "the previous patient's differential"
    at.sidebar.button(key="auth_sign_out").click().run()
    assert not at.exception
    assert [w.key for w in at.text_input] == ["signin_name", "signin_password"]
    assert "diagnose_result" not in at.session_state and "auth_user" not in at.session_state
