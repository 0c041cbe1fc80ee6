"""The case-store commands: ``skinmm report``, ``skinmm db upgrade | status | export | import |
audit`` and ``skinmm users add | list | remove``.

``skinmm.cli.build_parser`` calls :func:`add_db_commands` and :func:`add_users_commands`.
What a command does to cases is written to the audit trail as ``cli:<OS user>``. Every handler turns the errors a
user can cause (unreachable database, unknown case, damaged export) into one line on stderr
and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

Handler = Callable[[argparse.Namespace], int]
DEFAULT_BUNDLE = "models/default"


def _store(args: argparse.Namespace, migrate: bool = True) -> Any:
    from skinmm.db.store import open_store

    return open_store(args.database_url, migrate=migrate)


def _guarded(name: str, handler: Handler) -> Handler:
    def run(args: argparse.Namespace) -> int:
        from skinmm.db.repository import CaseNotFoundError
        from skinmm.db.store import StorageError

        try:
            return handler(args)
        except (StorageError, CaseNotFoundError, ValueError, FileNotFoundError) as exc:
            message = exc.args[0] if isinstance(exc, LookupError) and exc.args else exc
            print(f"skinmm {name}: error: {message}", file=sys.stderr)
            return 2

    return run


def _audit(store: Any, action: str, case_id: str | None, detail: str) -> None:
    from skinmm.db.audit import cli_actor, record

    record(store, cli_actor(), action, case_id, detail)


def _load_bundle(path: str | None) -> tuple[Any | None, str | None]:
    from skinmm.bundle import CARD, BundleError, load_bundle, read_card

    location = Path(path or os.environ.get("SKINMM_BUNDLE") or DEFAULT_BUNDLE)
    try:
        if not (location / CARD).is_file():
            read_card(location)  # the bundle module's explanation, without importing torch
        return load_bundle(location), None
    except BundleError as exc:
        return None, str(exc)


def _report(args: argparse.Namespace) -> int:
    from skinmm.casereport.report import build_case_report
    from skinmm.db.repository import get_case

    store = _store(args)
    get_case(store, args.case_id)  # an unknown id fails before the slow bundle load
    bundle, problem = (None, None) if args.no_cam else _load_bundle(args.bundle)
    if problem:
        print(f"skinmm report: Grad-CAM left out: {problem}", file=sys.stderr)
    pdf = build_case_report(store, args.case_id, bundle=bundle, lang=args.lang)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(pdf)
    _audit(store, "export", get_case(store, args.case_id).id, f"PDF report to {args.out}")
    print(f"Wrote {args.out} ({len(pdf) // 1024} KiB)")
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    from skinmm.db.store import current_revision, upgrade

    store = _store(args, migrate=False)
    upgrade(store.engine, args.revision)
    print(f"{store.url} is at revision {current_revision(store.engine)}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from skinmm.db.repository import table_counts
    from skinmm.db.store import current_revision

    store = _store(args)
    status = {
        "database": store.url,
        "images": str(store.images.root),
        "revision": current_revision(store.engine),
        "rows": table_counts(store),
    }
    print(json.dumps(status, indent=2))
    return 0


def _export(args: argparse.Namespace) -> int:
    from skinmm.db.transfer import export_cases

    store = _store(args)
    summary = export_cases(store, args.out, allow_missing_images=args.allow_missing_images)
    _audit(store, "export", None, f"{summary.cases} cases to {args.out}")
    print(
        f"Exported {summary.cases} cases, {summary.predictions} predictions, "
        f"{summary.feedback} feedback entries and {summary.images} photos to {args.out} "
        "(counts checked against the database)"
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    from skinmm.db.transfer import import_cases

    store = _store(args)
    s = import_cases(store, args.file)
    _audit(store, "import", None, f"{s.added_cases} new of {s.cases} cases from {args.file}")
    print(
        f"{args.file}: {s.cases} cases, {s.predictions} predictions, {s.feedback} feedback "
        f"entries, {s.images} photos; added {s.added_cases}, {s.added_predictions}, "
        f"{s.added_feedback} and {s.added_images} (the rest were already here). All "
        f"{s.cases} cases are now in {store.url}."
    )
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD") from None


def _audit_list(args: argparse.Namespace) -> int:
    from skinmm.db.audit import format_audit, list_audit

    store = _store(args)
    rows = list_audit(store, case_id=args.case, since=args.since, limit=args.limit)
    print(format_audit(rows))
    return 0


def _read_password() -> str:
    """The new password from standard input: typed twice at a terminal, else its first line."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise ValueError("The two passwords differ; nothing was changed.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _users_add(args: argparse.Namespace) -> int:
    from skinmm.auth import add_user
    from skinmm.db.audit import cli_actor

    store = _store(args)
    password = None if args.sso else _read_password()
    add_user(store, args.name, args.role, password, cli_actor())
    kind = "single sign-on" if args.sso else "local"
    print(f"Added {args.name} ({args.role}, {kind}) to {store.url}")
    return 0


def _users_list(args: argparse.Namespace) -> int:
    from skinmm.auth import list_users

    store = _store(args)
    print("name\trole\tsign-in")
    for account in list_users(store):
        print(f"{account.name}\t{account.role}\t{'oidc' if account.sso else 'local'}")
    return 0


def _users_remove(args: argparse.Namespace) -> int:
    from skinmm.auth import remove_user
    from skinmm.db.audit import cli_actor

    store = _store(args)
    remove_user(store, args.name, cli_actor())
    print(f"Removed {args.name} from {store.url}")
    return 0


def add_users_commands(sub: Any) -> None:
    """Add ``users add | list | remove`` to the ``skinmm`` sub-command parsers ``sub``."""
    users = sub.add_parser("users", help="sign-in accounts: add, list, remove")
    usub = users.add_subparsers(dest="users_command", required=True)

    help_text = "add an account; the password is read from standard input, never argv"
    p = _store_command(usub, "users add", _users_add, help_text)
    p.add_argument("name", help="user name (letters, digits, . _ @ -), or the e-mail for --sso")
    p.add_argument("--role", required=True, choices=("clinician", "researcher", "admin"))
    p.add_argument(
        "--sso", action="store_true", help="no password: signs in through single sign-on (oidc)"
    )
    _store_command(usub, "users list", _users_list, "every account and its role")
    p = _store_command(usub, "users remove", _users_remove, "remove an account")
    p.add_argument("name")


def _store_command(parent: Any, label: str, handler: Handler, help_text: str) -> Any:
    """The sub-command named by ``label``'s last word, under ``parent``: with the
    ``--database-url`` option, and its handler guarded so that a case-store failure is one
    line starting ``skinmm LABEL: error:``."""
    parser = parent.add_parser(label.split()[-1], help=help_text)
    parser.add_argument(
        "--database-url",
        default=None,
        help="database to use (default: $DATABASE_URL, else the SQLite file in $SKINMM_HOME)",
    )
    parser.set_defaults(handler=_guarded(label, handler))
    return parser


def add_db_commands(sub: Any) -> None:
    """Add ``report`` and ``db`` to the ``skinmm`` sub-command parsers ``sub``."""
    p = _store_command(sub, "report", _report, "write a saved case's PDF report")
    p.add_argument("case_id", help="the case id (or at least its first 6 characters)")
    p.add_argument("--out", type=Path, required=True, help="PDF file to write")
    p.add_argument(
        "--bundle",
        default=None,
        help="bundle for Grad-CAM (default $SKINMM_BUNDLE or models/default); it must be the "
        "bundle that analysed the case, else the report leaves Grad-CAM out and says why",
    )
    p.add_argument("--no-cam", action="store_true", help="do not load a bundle for Grad-CAM")
    p.add_argument("--lang", choices=("en", "zh"), default="en")

    db = sub.add_parser("db", help="the case database: upgrade, status, export, import, audit")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    help_text = "bring the schema to the newest (or given) revision"
    p = _store_command(dbsub, "db upgrade", _upgrade, help_text)
    p.add_argument("--revision", default="head")
    help_text = "where the cases live, schema revision, row counts"
    _store_command(dbsub, "db status", _status, help_text)
    p = _store_command(dbsub, "db export", _export, "write every case, with photos, to a zip file")
    p.add_argument("--out", type=Path, required=True, help="zip file to write")
    p.add_argument(
        "--allow-missing-images",
        action="store_true",
        help="export even when some photos are missing from SKINMM_HOME/images",
    )
    help_text = "add the cases of an export file (all or nothing)"
    p = _store_command(dbsub, "db import", _import, help_text)
    p.add_argument("file", type=Path, help="zip file made by `skinmm db export`")
    help_text = "print the audit trail: who did what to which case"
    p = _store_command(dbsub, "db audit", _audit_list, help_text)
    p.add_argument("--case", help="only this case (its id or the start of it)")
    p.add_argument("--since", type=_date, help="only from this day on (YYYY-MM-DD, UTC)")
    p.add_argument("--limit", type=int, help="only the newest N entries")
