"""Where cases live: the database (``DATABASE_URL``) and the photo folder (``SKINMM_HOME``).

``open_store()`` is the only way in. It creates the default SQLite file on first use, brings
the schema to the newest Alembic revision and turns every failure to reach the database into
a :class:`StorageError` that says what to check, so a caller can keep showing a result it
could not save.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from skinmm.db.rows import IMAGE_EXTENSIONS, check_extension, check_sha256

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_DB_NAME = "skinmm.db"
# Long enough for a queue of writers on a busy clinic PC, short enough to report a stuck lock.
SQLITE_BUSY_SECONDS = 30
CONNECT_TIMEOUT_SECONDS = 5
# Any fixed 64-bit number: PostgreSQL's advisory lock that serialises concurrent migrations.
MIGRATION_LOCK_KEY = 0x5C1DB
# Patient photos and notes: nobody but the account running SkinMM may read them.
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
CHUNK = 64 * 1024


class StorageError(RuntimeError):
    """The case store cannot be reached or written; the message says what to check."""


def skinmm_home() -> Path:
    """``$SKINMM_HOME``, else ``~/.skinmm``: the SQLite file and the photos live here."""
    configured = os.environ.get("SKINMM_HOME")
    return Path(configured).expanduser() if configured else Path.home() / ".skinmm"


def database_url(home: Path | None = None) -> str:
    """``$DATABASE_URL``, else a SQLite file in :func:`skinmm_home`."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    return f"sqlite:///{(home or skinmm_home()) / DEFAULT_DB_NAME}"


def safe_url(url: str | URL) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable DATABASE_URL>"


def _normalise(url: str) -> URL:
    parsed = make_url(url)
    # A bare postgresql:// would pick psycopg2, which we do not install; psycopg 3 it is.
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets the History page read while Diagnose writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: a deferred transaction that reads, then writes, can
        # fail at once with "database is locked" when another writer got in between, whereas
        # BEGIN IMMEDIATE waits its turn (busy timeout). It also makes migrations atomic.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_engine(url: str) -> Engine:
    """An engine for ``url``; raises :class:`StorageError` for a URL that cannot work."""
    try:
        parsed = _normalise(url)
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed)
        connect_args = (
            {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
            if parsed.get_backend_name() == "postgresql"
            else {}
        )
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise StorageError(
            f"DATABASE_URL {safe_url(url)} cannot be used ({exc}). Use sqlite:///PATH or "
            "postgresql://USER:PASSWORD@HOST:PORT/DB, or unset it for the default SQLite file."
        ) from exc


@dataclass(frozen=True)
class ImageStore:
    """Photos stored once per content: ``root/<sha[:2]>/<sha>.<ext>``, owner-only."""

    root: Path

    def path(self, sha256: str, ext: str) -> Path:
        """Where a photo lives; ValueError unless ``sha256`` is a sha256 and ``ext`` allowed.

        The name is made from these two checked values only, so no stored or imported text
        can point it outside the folder.
        """
        name = f"{check_sha256(sha256, 'photo hash')}.{check_extension(ext, 'photo type')}"
        return self.root / sha256[:2] / name

    def put(self, data: bytes) -> tuple[str, str]:
        """Write ``data`` (if not already there) and return its sha256 and extension."""
        return self.put_stream(io.BytesIO(data))

    def put_stream(self, source: IO[bytes]) -> tuple[str, str]:
        """Copy ``source`` in (if not already there); its sha256 and extension.

        The bytes go to a temporary file while they are hashed, a chunk at a time, and are
        renamed into place, so a reader never sees half a photo, two writers of the same
        photo both succeed, and memory does not grow with the photo.
        """
        make_private_dir(self.root)
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            digest = hashlib.sha256()
            with os.fdopen(handle, "wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            with open(temporary, "rb") as written:
                ext = image_extension(written)
            sha = digest.hexdigest()
            target = self.path(sha, ext)
            if target.is_file():
                Path(temporary).unlink()
                return sha, ext
            make_private_dir(target.parent)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha, ext

    def get(self, sha256: str, ext: str) -> bytes:
        """The photo's bytes; :class:`FileNotFoundError` if missing, ValueError if altered."""
        data = self.path(sha256, ext).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError(f"The stored photo {sha256[:12]}… has been altered on disk.")
        return data


def image_extension(data: bytes | IO[bytes]) -> str:
    """``jpg``, ``png``, ``webp``… from the content (PIL reads the header only); else ``bin``."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data) if isinstance(data, bytes) else data) as image:
            kind = (image.format or "").lower()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        return "bin"
    kind = {"jpeg": "jpg", "mpo": "jpg"}.get(kind, kind)
    return kind if kind in IMAGE_EXTENSIONS else "bin"


def make_private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents readable by the owner only (0700).

    Folders that already exist keep their mode: only what SkinMM creates is tightened.
    """
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # another writer made it first
            continue
        folder.chmod(PRIVATE_DIR)  # mkdir's mode is filtered by the umask


def create_private_file(path: Path) -> None:
    """Create an empty ``path`` with mode 0600 unless it exists.

    SQLite gives its -wal, -shm and -journal files the database file's mode, so making the
    file first, owner-only, keeps every file of the database private.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    os.fchmod(descriptor, PRIVATE_FILE)
    os.close(descriptor)


@dataclass(frozen=True)
class Store:
    """An open case store: sessions on the database plus the photo folder."""

    engine: Engine
    sessions: sessionmaker[Session]
    images: ImageStore

    @property
    def url(self) -> str:
        return safe_url(self.engine.url)

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str | None = None) -> Any:
    """An Alembic ``Config`` built in code, so migrations run from an installed package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _migrate(engine: Engine, step: str, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        # On SQLite the BEGIN IMMEDIATE above already makes a second migrator wait.
        config.attributes["connection"] = connection
        getattr(command, step)(config, revision)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` in one transaction; safe from many processes."""
    _migrate(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (``base``: no tables), in one transaction."""
    _migrate(engine, "downgrade", revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def open_store(url: str | None = None, home: Path | None = None, *, migrate: bool = True) -> Store:
    """Open (and on first use create) the case store.

    ``url`` defaults to :func:`database_url`, ``home`` to :func:`skinmm_home`; photos go to
    ``home/images`` whatever the database. Raises :class:`StorageError` when the database
    cannot be reached or its schema cannot be brought up to date.
    """
    from alembic.util import CommandError

    home = home or skinmm_home()
    # Only the default location is created; a configured URL must point somewhere real.
    create_home = url is None and not os.environ.get("DATABASE_URL")
    url = url or database_url(home)
    engine = make_engine(url)
    try:
        if create_home:
            make_private_dir(home)
        _create_sqlite_file(engine)
        if migrate:
            upgrade(engine)
        else:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
    except (DBAPIError, PoolTimeoutError, OSError) as exc:
        engine.dispose()
        raise StorageError(unreachable_message(url, exc)) from exc
    except CommandError as exc:  # a schema revision this SkinMM does not know
        engine.dispose()
        raise StorageError(
            f"The case database at {safe_url(url)} was written by a newer SkinMM ({exc}). "
            "Upgrade SkinMM, or point DATABASE_URL / SKINMM_HOME at another database."
        ) from exc
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Store(engine, sessions, ImageStore(home / "images"))


def _create_sqlite_file(engine: Engine) -> None:
    """Make a new SQLite database file owner-only before SQLite creates it world-readable."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        create_private_file(Path(database))


_opened: list[Store] = []


@functools.lru_cache(maxsize=4)
def _shared(url: str | None, home: str) -> Store:
    store = open_store(url, Path(home))
    _opened.append(store)
    return store


def shared_store() -> Store:
    """The process's store for the current ``DATABASE_URL`` and ``SKINMM_HOME``.

    Opened (and migrated) once per configuration, so a page can call it on every run; a
    failure is not remembered, so the next call tries again.
    """
    return _shared(os.environ.get("DATABASE_URL") or None, str(skinmm_home()))


def forget_shared_stores() -> None:
    """Close and forget the stores :func:`shared_store` opened (tests switch SKINMM_HOME)."""
    for store in _opened:
        store.dispose()
    _opened.clear()
    _shared.cache_clear()


def unreachable_message(url: str | URL, exc: BaseException) -> str:
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0].rstrip(".")
    return (
        f"The case database {safe_url(url)} cannot be used: {detail}. Check that the server "
        "is running and DATABASE_URL is right (or unset DATABASE_URL to use the local SQLite "
        "file in SKINMM_HOME)."
    )
