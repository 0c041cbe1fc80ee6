"""The audit trail: written with the change it records, filtered, printed, never rewritten."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import redirect_stdout
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from skinmm.cli import main
from skinmm.db.audit import Actor, cli_actor, list_audit, record
from skinmm.db.repository import CaseFilter, add_feedback, list_cases, save_analysis
from skinmm.db.store import Store, open_store
from tests import test_db
from tests.test_db_helpers import make_prediction, png_bytes

# The case-store tests' fixtures: every test below runs on SQLite and on a real PostgreSQL.
postgres = test_db.postgres
db_url = test_db.db_url

SHA = "c" * 64
ALICE = Actor("alice", "clinician")
BOB = Actor("bob", "clinician")


@pytest.fixture
def audited(db_url: str, tmp_path: Path) -> Iterator[Store]:
    opened = open_store(db_url, tmp_path / "home")
    yield opened
    opened.dispose()


def save(store: Store, actor: Actor | None, seed: int = 0) -> str:
    return save_analysis(
        store,
        prediction=make_prediction(image=seed % 7, text=seed % 7),
        bundle_name="tiny",
        bundle_sha=SHA,
        image_bytes=png_bytes(seed),
        note="Female, 40 years. Lesion on the back.",
        patient_ref=f"P-{seed}",
        actor=actor,
    )


def test_saving_and_feedback_are_audited_with_their_actor(audited: Store) -> None:
    store = audited
    case_id = save(store, ALICE)
    add_feedback(store, case_id, pathology="mel", actor=BOB)
    rows = list_audit(store, case_id=case_id)
    assert [(r.actor, r.role, r.action) for r in rows] == [
        ("alice", "clinician", "create"),
        ("bob", "clinician", "feedback"),
    ]
    assert rows[0].at <= rows[1].at
    # A save without an actor (library use, tests) writes no entry.
    save(store, None, seed=1)
    assert len(list_audit(store)) == 2


def test_the_database_refuses_to_update_or_delete_audit_rows(audited: Store) -> None:
    store = audited
    record(store, ALICE, "view", "a" * 32, "opened")
    statements = ["UPDATE audit SET actor = 'mallory'", "DELETE FROM audit"]
    if store.engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
            connection.execute(text(statement))
    [row] = list_audit(store)
    assert (row.actor, row.action, row.detail) == ("alice", "view", "opened")


def test_filters_by_case_prefix_day_actor_and_newest(audited: Store) -> None:
    store = audited
    first, second = save(store, ALICE, 0), save(store, BOB, 1)
    record(store, BOB, "view", first)
    assert {r.action for r in list_audit(store, case_id=first[:8])} == {"create", "view"}
    assert [r.case_id for r in list_audit(store, actor="bob")] == [second, first]
    assert len(list_audit(store, since=date.today() + timedelta(days=2))) == 0
    assert len(list_audit(store, since=date.today() - timedelta(days=1))) == 3
    newest = list_audit(store, limit=2)
    assert [r.action for r in newest] == ["create", "view"] and newest[0].case_id == second


def test_unknown_actions_are_refused(audited: Store) -> None:
    store = audited
    with pytest.raises(ValueError, match="Unknown audit action"):
        record(store, ALICE, "delete", None)


def test_a_clinicians_list_holds_only_the_cases_they_saved(audited: Store) -> None:
    store = audited
    mine = {save(store, ALICE, seed) for seed in range(3)}
    theirs = save(store, BOB, 9)
    listed = {row.id for row in list_cases(store, CaseFilter(created_by="alice"))}
    assert listed == mine
    assert theirs in {row.id for row in list_cases(store)}


def run_cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = main(list(argv))
    return status, out.getvalue()


def test_cli_export_import_and_report_are_audited_and_db_audit_prints_them(
    case_home: Path, tmp_path: Path
) -> None:
    store = open_store()
    case_id = save(store, ALICE)
    zip_path = tmp_path / "cases.zip"
    assert run_cli("db", "export", "--out", str(zip_path))[0] == 0
    pdf = tmp_path / "case.pdf"
    assert run_cli("report", case_id[:8], "--out", str(pdf), "--no-cam")[0] == 0
    target = f"sqlite:///{tmp_path / 'other.db'}"
    assert run_cli("db", "import", str(zip_path), "--database-url", target)[0] == 0
    status, printed = run_cli("db", "audit")
    assert status == 0
    lines = printed.strip().splitlines()
    assert lines[0].startswith("time (UTC)\tactor")
    actor = cli_actor().name
    assert [line.split("\t")[1:4] for line in lines[1:]] == [
        ["alice", "clinician", "create"],
        [actor, "admin", "export"],
        [actor, "admin", "export"],
    ]
    assert lines[3].split("\t")[4] == case_id and "PDF report" in lines[3]
    imported = open_store(target, tmp_path / "other-home")
    [entry] = list_audit(imported)
    assert (entry.actor, entry.action) == (actor, "import")
    assert "1 new of 1 cases" in (entry.detail or "")
    status, printed = run_cli("db", "audit", "--case", case_id[:8], "--since", "2000-01-01")
    assert status == 0 and len(printed.strip().splitlines()) == 3  # header, create, report
    store.dispose()
    imported.dispose()


def test_db_audit_explains_a_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["db", "audit", "--since", "yesterday"])
    assert exit_info.value.code == 2
    assert "use YYYY-MM-DD" in capsys.readouterr().err
