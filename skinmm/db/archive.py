"""Reading an export zip that may have been crafted: sizes first, then bounded reads.

Nothing here trusts the archive. :func:`open_members` checks the zip's central directory
(member names, count, sizes, encryption, compression) before a byte of content is read,
and :func:`read_member` / :func:`iter_member_lines` never read more than the directory
promised, so a member whose header lies about its size cannot exhaust memory. Every problem
is a :class:`TransferError` whose message names the file, what is wrong and what to do.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from skinmm.db.rows import IMAGE_EXTENSIONS
from skinmm.db.store import StorageError

MANIFEST = "manifest.json"
CASES = "cases.jsonl"
IMAGES = "images/"
CHUNK = 64 * 1024
MiB = 1 << 20
_PHOTO_NAME = re.compile(rf"images/([0-9a-f]{{64}})\.({'|'.join(IMAGE_EXTENSIONS)})")
_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_ENCRYPTED = 0x1  # bit 0 of a zip entry's general-purpose flags


class TransferError(ValueError):
    """An export or import that cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class ImportLimits:
    """The most an import reads; checked against the zip directory before reading."""

    # The app accepts uploads of up to 25 MB; a stored photo is never larger.
    photo_bytes: int = 32 * MiB
    manifest_bytes: int = MiB
    cases_bytes: int = 1024 * MiB
    line_bytes: int = 16 * MiB
    total_bytes: int = 64 * 1024 * MiB
    members: int = 200_000


@dataclass
class Members:
    """The archive's entries by role, each checked against the limits."""

    manifest: zipfile.ZipInfo
    cases: zipfile.ZipInfo
    photos: dict[tuple[str, str], zipfile.ZipInfo] = field(default_factory=dict)


def _damaged(path: Path, detail: str) -> TransferError:
    return TransferError(
        f"{path} is not a readable SkinMM case export ({detail}). Make a new one with "
        "`skinmm db export` on the installation the cases come from."
    )


@contextmanager
def zip_errors(path: Path) -> Iterator[None]:
    """Turn what :mod:`zipfile` raises for a damaged archive into a :class:`TransferError`."""
    try:
        yield
    except TransferError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise _damaged(path, f"damaged or truncated: {exc}") from exc
    except StorageError:
        raise  # the database or photo folder failed, not the archive
    except RuntimeError as exc:  # zipfile's "password required" for encrypted members
        raise _damaged(path, f"a member cannot be read: {exc}") from exc


def open_zip(path: Path) -> zipfile.ZipFile:
    with zip_errors(path):
        return zipfile.ZipFile(path)


def _role(path: Path, info: zipfile.ZipInfo) -> tuple[str, str] | str:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or ".." in parts or ":" in name:
        raise _damaged(path, f"the member name {name!r} points outside the archive; refused")
    if name in (MANIFEST, CASES):
        return name
    match = _PHOTO_NAME.fullmatch(name)
    if match is None:
        raise _damaged(
            path,
            f"it holds {name!r}, which an export never writes (photos are named images/"
            f"<sha256>.<{'|'.join(IMAGE_EXTENSIONS)}>)",
        )
    return match.group(1), match.group(2)


def _check_entry(path: Path, info: zipfile.ZipInfo, limit: int) -> None:
    if info.flag_bits & _ENCRYPTED:
        raise _damaged(path, f"{info.filename} is encrypted; exports are never encrypted")
    if info.compress_type not in _COMPRESSIONS:
        raise _damaged(path, f"{info.filename} uses an unsupported compression method")
    if info.file_size > limit:
        raise _damaged(
            path,
            f"{info.filename} would unpack to {info.file_size:,} bytes, more than the "
            f"{limit:,} an import accepts",
        )


def open_members(path: Path, archive: zipfile.ZipFile, limits: ImportLimits) -> Members:
    """Every entry's name, size and flags checked, from the central directory only."""
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise _damaged(path, f"it has {len(infos):,} members, more than {limits.members:,}")
    total = sum(info.file_size for info in infos)
    if total > limits.total_bytes:
        raise _damaged(
            path, f"it would unpack to {total:,} bytes, more than {limits.total_bytes:,}"
        )
    seen: set[str] = set()
    named: dict[str, zipfile.ZipInfo] = {}
    photos: dict[tuple[str, str], zipfile.ZipInfo] = {}
    for info in infos:
        if info.filename in seen:
            raise _damaged(path, f"the member {info.filename!r} appears twice")
        seen.add(info.filename)
        role = _role(path, info)
        if isinstance(role, tuple):
            _check_entry(path, info, limits.photo_bytes)
            photos[role] = info
        else:
            limit = limits.manifest_bytes if role == MANIFEST else limits.cases_bytes
            _check_entry(path, info, limit)
            named[role] = info
    for required in (MANIFEST, CASES):
        if required not in named:
            raise _damaged(path, f"it has no {required}")
    return Members(named[MANIFEST], named[CASES], photos)


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A (small) member's bytes; never more than its checked directory size."""
    with archive.open(info) as stream:
        data = stream.read(info.file_size)
        if len(data) != info.file_size or stream.read(1):
            raise zipfile.BadZipFile(f"{info.filename} is not the size its directory entry says")
    return data


def iter_member_lines(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, line_limit: int
) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of a member, each line at most ``line_limit`` bytes."""
    with archive.open(info) as stream:
        number = 0
        while line := stream.readline(line_limit + 1):
            number += 1
            if len(line) > line_limit and not line.endswith(b"\n"):
                raise TransferError(
                    f"line {number} of {info.filename} is longer than {line_limit:,} bytes"
                )
            if line.strip():
                yield number, line


def open_photo(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> IO[bytes]:
    """A stream of the photo (zipfile stops at the directory size and checks the CRC)."""
    return archive.open(info)
