"""Who may do what: sign-in modes, roles, local accounts with argon2 password hashes.

Three sign-in modes (``SKINMM_AUTH`` or ``skinmm serve --auth``):

- ``none``: no sign-in; allowed on a loopback address only (one person's laptop, a class
  demo). The person at the screen acts as an admin.
- ``local``: accounts in the case database's ``users`` table, made with ``skinmm users add``.
- ``oidc``: the hospital's single sign-on through Streamlit's ``st.login`` (configured in
  ``.streamlit/secrets.toml`` ``[auth]``); the role of each e-mail comes from a ``users`` row
  without a password (``skinmm users add EMAIL --role R --sso``) or ``SKINMM_OIDC_ROLES``.

Every sign-in, failed sign-in and account change is written to the audit trail.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skinmm.db.audit import Actor, audit_entry, in_transaction
from skinmm.db.models import ROLES, USER_NAME_LENGTH, User
from skinmm.db.store import Store

AUTH_MODES = ("none", "local", "oidc")
AUTH_ENV = "SKINMM_AUTH"
OIDC_ROLES_ENV = "SKINMM_OIDC_ROLES"
MIN_PASSWORD_LENGTH = 12
# Letters, digits and . _ @ -: an e-mail fits, and ':' stays free for "cli:<OS user>" actors.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")

# What each role may do. Pages and commands ask for a permission, never for a role.
PERMISSIONS: Mapping[str, frozenset[str]] = {
    # Their own patients: analyse and save, reopen what they saved, add feedback, print it.
    "clinician": frozenset(
        {"diagnose", "history", "identify", "feedback", "report", "model_card", "teach"}
    ),
    # Every case, de-identified: no patient reference, note, comment or photo export.
    # Everyone may teach: quiz cases are public dataset photos, never a saved patient's.
    "researcher": frozenset({"dashboard", "history", "all_cases", "model_card", "teach"}),
    "admin": frozenset(
        {
            "diagnose",
            "history",
            "all_cases",
            "identify",
            "feedback",
            "report",
            "dashboard",
            "model_card",
            "audit",
            "users",
            "transfer",
            "teach",
        }
    ),
}

_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password: evens out the time of a failed sign-in")


class AuthError(ValueError):
    """A sign-in setting or account request that cannot work; the message says what to do."""


@dataclass(frozen=True)
class Identity:
    """A signed-in person (or the single user of a sign-in-free laptop) and their role."""

    name: str
    role: str

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, frozenset())

    @property
    def actor(self) -> Actor:
        return Actor(self.name, self.role)


def auth_mode(value: str | None = None) -> str:
    """``value``, else ``$SKINMM_AUTH``, else ``none``; AuthError for anything else."""
    mode = (value or os.environ.get(AUTH_ENV) or "none").strip().lower()
    if mode not in AUTH_MODES:
        raise AuthError(f"Unknown sign-in mode {mode!r}: use one of {', '.join(AUTH_MODES)}.")
    return mode


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_name(name: str) -> str:
    name = name.strip()
    if not NAME_PATTERN.match(name) or len(name) > USER_NAME_LENGTH:
        raise AuthError(
            f"User name {name!r} is not allowed: use letters, digits and . _ @ - only "
            f"(at most {USER_NAME_LENGTH} characters), starting with a letter or digit."
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(
            f"The password has {len(password)} characters; use at least {MIN_PASSWORD_LENGTH}."
        )
    if password != password.strip():
        raise AuthError("The password starts or ends with a space; leave those out.")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AuthError(f"Unknown role {role!r}: use one of {', '.join(ROLES)}.")
    return role


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    sso: bool


def add_user(store: Store, name: str, role: str, password: str | None, actor: Actor) -> None:
    """Create an account; ``password=None`` makes a single-sign-on (OIDC) user."""
    name, role = check_name(name), check_role(role)
    password_hash = None if password is None else hash_password(check_password(password))

    def work(session: Session) -> None:
        if session.get(User, name) is not None:
            raise AuthError(f"User {name!r} exists already; remove it first to change it.")
        session.add(User(name=name, role=role, password_hash=password_hash))
        kind = "single sign-on" if password is None else "password"
        session.add(audit_entry(actor, "user_add", detail=f"{name} ({role}, {kind})"))

    in_transaction(store, "add the user", work)


def remove_user(store: Store, name: str, actor: Actor) -> None:
    def work(session: Session) -> None:
        user = session.get(User, name.strip())
        if user is None:
            raise AuthError(f"No user {name!r}; `skinmm users list` shows who there is.")
        session.add(audit_entry(actor, "user_remove", detail=f"{user.name} ({user.role})"))
        session.delete(user)

    in_transaction(store, "remove the user", work)


def list_users(store: Store) -> list[Account]:
    def work(session: Session) -> list[Account]:
        users = session.scalars(select(User).order_by(User.name))
        return [Account(u.name, u.role, u.password_hash is None) for u in users]

    return in_transaction(store, "list the users", work)


def count_admins(store: Store, *, with_password: bool = True) -> int:
    query = select(func.count()).select_from(User).where(User.role == "admin")
    if with_password:
        query = query.where(User.password_hash.is_not(None))
    return in_transaction(store, "count the users", lambda s: int(s.scalar(query) or 0))


def sign_in(store: Store, name: str, password: str) -> Identity | None:
    """The account's identity when the password is right, else None; both are audited."""

    def work(session: Session) -> Identity | None:
        user = session.get(User, name.strip()) if NAME_PATTERN.match(name.strip()) else None
        stored = user.password_hash if user is not None else None
        ok = verify_password(stored or _DUMMY_HASH, password) and stored is not None
        if not ok or user is None:
            # The name as typed, cut short: it may be a password typed into the wrong field.
            session.add(
                audit_entry(Actor(name.strip()[:32] or "-", None), "sign_in_failed", detail="local")
            )
            return None
        session.add(audit_entry(Actor(user.name, user.role), "sign_in", detail="local"))
        return Identity(user.name, user.role)

    return in_transaction(store, "check the sign-in", work)


def parse_role_table(text: str | None) -> dict[str, str]:
    """``SKINMM_OIDC_ROLES``: ``alice@x.org=clinician, bob@x.org=admin`` (e-mails lower-cased)."""
    table: dict[str, str] = {}
    for item in (text or "").replace(";", ",").split(","):
        if not item.strip():
            continue
        email, sep, role = item.partition("=")
        if not sep:
            raise AuthError(f"{OIDC_ROLES_ENV}: {item.strip()!r} is not EMAIL=ROLE.")
        table[email.strip().lower()] = check_role(role.strip())
    return table


def sso_identity(
    store: Store, email: str, roles: Mapping[str, str] | None = None
) -> Identity | None:
    """The role of a single-sign-on user: their ``users`` row, else the role table, else None.

    The row must have no password: a local account's name is not vouched for by the hospital's
    identity provider. Signing in is audited either way.
    """
    email = email.strip().lower()
    table = parse_role_table(os.environ.get(OIDC_ROLES_ENV)) if roles is None else roles

    def work(session: Session) -> Identity | None:
        user = session.scalars(select(User).where(func.lower(User.name) == email)).first()
        role = user.role if user is not None and user.password_hash is None else table.get(email)
        if role is None:
            session.add(audit_entry(Actor(email or "-", None), "sign_in_failed", detail="oidc"))
            return None
        session.add(audit_entry(Actor(email, role), "sign_in", detail="oidc"))
        return Identity(email, role)

    return in_transaction(store, "check the sign-in", work)


def secrets_files(app_folder: Path) -> list[Path]:
    """Where Streamlit reads secrets from: the user's folder, then the app's."""
    return [Path.home() / ".streamlit" / "secrets.toml", app_folder / ".streamlit" / "secrets.toml"]


def oidc_problem(files: Iterable[Path]) -> str | None:
    """Why Streamlit's ``[auth]`` secrets cannot sign anyone in, or None when they can."""
    auth: dict[str, object] = {}
    for path in files:
        if path.is_file():
            try:
                auth |= tomllib.loads(path.read_text(encoding="utf-8")).get("auth", {})
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                return f"{path} is not valid TOML ({exc})."
    missing = [key for key in ("redirect_uri", "cookie_secret") if not auth.get(key)]
    providers = [v for v in auth.values() if isinstance(v, dict)]
    if "client_id" not in auth and not any("client_id" in p for p in providers):
        missing.append("client_id (with client_secret and server_metadata_url)")
    if missing:
        return "the [auth] section of .streamlit/secrets.toml lacks " + ", ".join(missing)
    return None
