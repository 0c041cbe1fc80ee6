"""Crafted export files: every one refused before anything is written, memory bounded.

Each test starts from a real export of a real store, changes one thing the way an attacker
(or a damaged disk) would, and checks that ``import_cases`` raises a ``TransferError`` that
names the problem, with the target's tables and photo folder untouched.
"""

from __future__ import annotations

import hashlib
import json
import struct
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text

from skinmm.db.repository import add_feedback, save_analysis, table_counts
from skinmm.db.store import Store, open_store
from skinmm.db.transfer import TransferError, export_cases, import_cases
from tests.test_db_helpers import make_prediction, png_bytes, save_case

SHA = "b" * 64
EMPTY = {"cases": 0, "predictions": 0, "feedback": 0}
TRAVERSAL_SHA = "../" * 12 + "etc/ssl/."
TRAVERSAL_EXT = "/passwd"


@dataclass
class Export:
    """An export's members, decoded, to change and write back."""

    manifest: dict
    lines: list[dict]
    photos: dict[str, bytes]
    extra: list[tuple[str, bytes]] = field(default_factory=list)

    def write(self, path: Path, *, recount: bool = True) -> Path:
        manifest = dict(self.manifest)
        if recount:
            manifest["counts"] = {
                "cases": len(self.lines),
                "predictions": sum(len(line.get("predictions", [])) for line in self.lines),
                "feedback": sum(len(line.get("feedback", [])) for line in self.lines),
                "images": len(self.photos),
            }
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest))
            body = "".join(json.dumps(line) + "\n" for line in self.lines)
            archive.writestr("cases.jsonl", body)
            for name, data in self.photos.items():
                archive.writestr(f"images/{name}", data)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # duplicate names are one of the attacks
                for name, data in self.extra:
                    archive.writestr(name, data)
        return path


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path / 'source.db'}", tmp_path / "source")
    mel = save_case(store, photo=1, note="Pigmented lesion", patient_ref="P-1")
    save_case(store, image=None, text=5, note="note only")
    add_feedback(store, mel, pathology="mel", comment="excised")
    yield store
    store.dispose()


@pytest.fixture
def exported(source: Store, tmp_path: Path) -> Export:
    path = tmp_path / "good.zip"
    export_cases(source, path)
    with zipfile.ZipFile(path) as archive:
        photos = {
            n.removeprefix("images/"): archive.read(n)
            for n in archive.namelist()
            if n.startswith("images/")
        }
        return Export(
            json.loads(archive.read("manifest.json")),
            [json.loads(line) for line in archive.read("cases.jsonl").splitlines()],
            photos,
        )


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path / 'target.db'}", tmp_path / "target")
    yield store
    store.dispose()


def files_under(store: Store) -> list[Path]:
    root = store.images.root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def refused(target: Store, path: Path, match: str) -> str:
    """Import ``path``, expect a TransferError matching ``match``, and that nothing changed."""
    before = table_counts(target)
    with pytest.raises(TransferError, match=match) as caught:
        import_cases(target, path)
    assert table_counts(target) == before
    assert files_under(target) == []
    return str(caught.value)


def photo_case(export: Export) -> dict:
    return next(line for line in export.lines if line["image_sha256"])


# --- The good file, as a baseline -----------------------------------------------------------


def test_the_untouched_export_imports(exported: Export, target: Store, tmp_path: Path) -> None:
    summary = import_cases(target, exported.write(tmp_path / "again.zip"))
    assert (summary.added_cases, summary.added_predictions, summary.added_feedback) == (2, 2, 1)
    assert len(files_under(target)) == 1


# --- Rows that break the schema -------------------------------------------------------------


def test_a_photo_name_that_climbs_out_of_the_store_is_refused(
    exported: Export, target: Store, tmp_path: Path
) -> None:
    case = photo_case(exported)
    case["image_sha256"], case["image_ext"] = TRAVERSAL_SHA, TRAVERSAL_EXT
    exported.manifest["missing_images"] = [f"{TRAVERSAL_SHA}.{TRAVERSAL_EXT}"]
    exported.photos.clear()
    message = refused(target, exported.write(tmp_path / "x.zip"), "image_sha256 must be a sha256")
    assert "line 1" in message or "line 2" in message


def test_export_never_follows_a_photo_name_written_into_the_database(
    source: Store, tmp_path: Path
) -> None:
    with source.engine.begin() as connection:
        connection.execute(
            text("UPDATE cases SET image_sha256 = :sha, image_ext = :ext WHERE note = 'note only'"),
            {"sha": TRAVERSAL_SHA, "ext": TRAVERSAL_EXT},
        )
    with pytest.raises(TransferError, match="not a photo hash"):
        export_cases(source, tmp_path / "leak.zip")
    assert not (tmp_path / "leak.zip").exists()


# Each break: (a change to the row, what the refusal says).
PREDICTION_BREAKS = [
    (lambda p: p.update(classes=42), "classes must be a list"),
    (lambda p: p.update(classes=[{"code": "mel"}]), "name_en"),
    (lambda p: p["classes"][0].update(covers=["zzz"]), "not a taxonomy code"),
    (lambda p: p.update(fused=p["fused"][:-1]), "fused must be a list of 7"),
    (lambda p: p["fused"].__setitem__(0, "0.5"), r"fused\[0\] must be a number"),
    (lambda p: p["fused"].__setitem__(0, 7.0), "between 0 and 1"),
    (lambda p: p.update(mode="both"), "mode must be one of"),
    (lambda p: p.update(rule="'; DROP TABLE cases; --"), "rule must be one of"),
    (lambda p: p.update(top_class="zzz"), "top_class must be one of"),
    (lambda p: p.update(cam_classes=[99]), "cam_classes"),
    (lambda p: p.update(id="not-hex"), "id must be 32 lowercase hex"),
    (lambda p: p.update(bundle_sha="x"), "bundle_sha must be a sha256"),
    (lambda p: p.update(created_at="yesterday"), "created_at must be an ISO 8601"),
    (lambda p: p.update(bundle_name="b" * 201), "bundle_name is 201 characters"),
    (lambda p: p.update(surprise=1), "fields this SkinMM does not know"),
]
CASE_BREAKS = [
    (lambda c: c.update(id="A" * 32), "id must be 32 lowercase hex"),
    (lambda c: c.update(patient_ref="p" * 65), "patient_ref is 65 characters"),
    (lambda c: c.update(note=["a", "list"]), "note must be a string"),
    (lambda c: c.update(note="nul \x00 byte"), "NUL"),
    (lambda c: c.update(image_ext="exe"), "image_ext must be one of"),
    (lambda c: c.update(image_ext=None), "both be set or both be null"),
    (lambda c: c["feedback"][0].update(pathology="lichen"), "neither a class"),
    (lambda c: c["feedback"][0].update(pathology="other"), "pathology_other must be given"),
    (lambda c: c.update(predictions={}), "predictions and feedback must be lists"),
]


@pytest.mark.parametrize(
    ("row", "change", "match"),
    [("prediction", *b) for b in PREDICTION_BREAKS] + [("case", *b) for b in CASE_BREAKS],
)
def test_a_case_prediction_or_feedback_row_that_breaks_the_schema_is_refused(
    exported: Export,
    target: Store,
    tmp_path: Path,
    row: str,
    change: Callable[[dict], None],
    match: str,
) -> None:
    case = photo_case(exported)
    change(case["predictions"][0] if row == "prediction" else case)
    refused(target, exported.write(tmp_path / "x.zip"), match)


def test_duplicate_ids_are_refused(exported: Export, target: Store, tmp_path: Path) -> None:
    exported.lines.append(json.loads(json.dumps(exported.lines[-1])))
    refused(target, exported.write(tmp_path / "x.zip"), "more than once")


def test_a_row_refused_late_in_the_file_leaves_the_earlier_ones_out_too(
    exported: Export, target: Store, tmp_path: Path
) -> None:
    exported.lines[-1]["predictions"][0]["classes"] = 42
    refused(target, exported.write(tmp_path / "x.zip"), "line 2")


# --- Photos ---------------------------------------------------------------------------------


def test_a_photo_that_does_not_match_its_hash_is_refused(
    exported: Export, target: Store, tmp_path: Path
) -> None:
    name = next(iter(exported.photos))
    exported.photos[name] = b"not the photo"
    refused(target, exported.write(tmp_path / "x.zip"), "does not match its hash or type")


def test_a_photo_whose_content_is_not_its_named_type_is_refused(
    exported: Export, target: Store, tmp_path: Path
) -> None:
    case = photo_case(exported)
    data = exported.photos.pop(f"{case['image_sha256']}.png")
    exported.photos[f"{case['image_sha256']}.jpg"] = data
    case["image_ext"] = "jpg"
    refused(target, exported.write(tmp_path / "x.zip"), "does not match its hash or type")


def test_a_photo_no_case_uses_and_a_used_photo_that_is_absent_are_refused(
    exported: Export, target: Store, tmp_path: Path
) -> None:
    stray = png_bytes(9)
    exported.photos[f"{hashlib.sha256(stray).hexdigest()}.png"] = stray
    refused(target, exported.write(tmp_path / "x.zip"), "which no case uses")
    exported.photos.clear()
    refused(target, exported.write(tmp_path / "y.zip"), "lacks the photo")


# --- Damaged or crafted zip files -----------------------------------------------------------


def test_files_that_are_not_intact_exports_are_refused_with_what_to_do(
    exported: Export, target: Store, tmp_path: Path
) -> None:
    good = exported.write(tmp_path / "good.zip").read_bytes()
    (tmp_path / "junk.zip").write_bytes(b"PK nothing at all")
    (tmp_path / "truncated.zip").write_bytes(good[: len(good) // 2])
    for name in ("junk.zip", "truncated.zip"):
        message = refused(target, tmp_path / name, "not a readable SkinMM case export")
        assert "skinmm db export" in message
    with zipfile.ZipFile(tmp_path / "no-manifest.zip", "w") as archive:
        archive.writestr("cases.jsonl", "")
    refused(target, tmp_path / "no-manifest.zip", "it has no manifest.json")


@pytest.mark.parametrize(
    ("manifest", "match"),
    [
        (b"{not json", "manifest.json is not valid JSON"),
        (b"[]", "not a SkinMM case export"),
        (json.dumps({"format": "skinmm-cases", "version": 99}).encode(), "newer SkinMM"),
        (json.dumps({"format": "skinmm-cases", "version": "1"}).encode(), "unknown format"),
        (json.dumps({"format": "skinmm-cases", "version": 1}).encode(), "no valid counts"),
    ],
)
def test_a_broken_manifest_is_refused(
    exported: Export, target: Store, tmp_path: Path, manifest: bytes, match: str
) -> None:
    path = exported.write(tmp_path / "x.zip")
    rewritten = tmp_path / "y.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(rewritten, "w") as dst:
        for item in src.namelist():
            dst.writestr(item, manifest if item == "manifest.json" else src.read(item))
    refused(target, rewritten, match)


def test_a_line_that_is_not_json_is_refused(
    exported: Export, target: Store, tmp_path: Path
) -> None:
    path = exported.write(tmp_path / "x.zip")
    rewritten = tmp_path / "y.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(rewritten, "w") as dst:
        for item in src.namelist():
            body = src.read(item)
            dst.writestr(item, b"[" * 100_000 + b"\n" if item == "cases.jsonl" else body)
    refused(target, rewritten, "line 1 of cases.jsonl is not valid JSON")


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("../../evil.txt", "points outside the archive"),
        ("/etc/cron.d/evil", "points outside the archive"),
        ("images/../../evil.png", "points outside the archive"),
        ("C:\\evil.png", "points outside the archive"),
        ("notes.txt", "which an export never writes"),
        ("cases.jsonl", "appears twice"),
    ],
)
def test_member_names_an_export_never_writes_are_refused(
    exported: Export, target: Store, tmp_path: Path, name: str, match: str
) -> None:
    exported.extra.append((name, b"x"))
    refused(target, exported.write(tmp_path / "x.zip"), match)


def _central_entries(data: bytes) -> Iterator[tuple[int, str]]:
    """(offset, name) of each central-directory entry of a zip held in ``data``."""
    at = data.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", data, at + 28)[0]
        yield at, data[at + 46 : at + 46 + length].decode()
        at = data.find(b"PK\x01\x02", at + 46 + length)


def patch_entry(path: Path, name: str, offset: int, fmt: str, value: int) -> Path:
    """Overwrite one field of ``name``'s central-directory entry, as a crafted file would."""
    data = bytearray(path.read_bytes())
    for at, found in _central_entries(bytes(data)):
        if found == name:
            struct.pack_into(fmt, data, at + offset, value)
            path.write_bytes(bytes(data))
            return path
    raise AssertionError(f"{name} not in {path}")


FLAGS, COMPRESSION, UNCOMPRESSED_SIZE = 8, 10, 24


def test_an_encrypted_member_is_refused(exported: Export, target: Store, tmp_path: Path) -> None:
    path = patch_entry(exported.write(tmp_path / "x.zip"), "cases.jsonl", FLAGS, "<H", 0x1)
    refused(target, path, "cases.jsonl is encrypted")


def test_an_unsupported_compression_is_refused(
    exported: Export, target: Store, tmp_path: Path
) -> None:
    path = exported.write(tmp_path / "x.zip")
    patch_entry(path, "cases.jsonl", COMPRESSION, "<H", zipfile.ZIP_BZIP2)
    refused(target, path, "unsupported compression")


def _bomb(exported: Export, path: Path, size: int) -> tuple[Path, str]:
    """The export with its photo replaced by ``size`` zero bytes (they compress to little)."""
    name = next(iter(exported.photos))
    exported.photos[name] = bytes(size)
    return exported.write(path), f"images/{name}"


def test_a_member_too_large_for_an_import_is_refused_from_the_directory(
    exported: Export, target: Store, tmp_path: Path
) -> None:
    path, member = _bomb(exported, tmp_path / "x.zip", 1 << 20)
    # The file is small; its directory says the photo unpacks to 1 GiB.
    patch_entry(path, member, UNCOMPRESSED_SIZE, "<I", 1 << 30)
    assert path.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        refused(target, path, "would unpack to 1,073,741,824 bytes")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20


def test_a_member_that_unpacks_to_more_than_its_directory_says_is_refused_in_bounded_memory(
    exported: Export, target: Store, tmp_path: Path
) -> None:
    path, member = _bomb(exported, tmp_path / "x.zip", 64 << 20)
    # The directory lies: 1 KiB. Reading stops there and the CRC check fails.
    patch_entry(path, member, UNCOMPRESSED_SIZE, "<I", 1024)
    tracemalloc.start()
    try:
        message = refused(target, path, "not a readable SkinMM case export")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "CRC" in message
    assert peak < 4 << 20


def test_too_many_members_are_refused_from_the_directory(
    exported: Export, target: Store, tmp_path: Path
) -> None:
    from skinmm.db.archive import ImportLimits

    path = exported.write(tmp_path / "x.zip")
    with pytest.raises(TransferError, match="it has 3 members, more than 2"):
        import_cases(target, path, ImportLimits(members=2))
    assert table_counts(target) == EMPTY and files_under(target) == []


# --- Memory ---------------------------------------------------------------------------------


def test_import_memory_is_bounded_by_one_photo_not_by_all_of_them(
    tmp_path: Path, target: Store
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'big.db'}", tmp_path / "big")
    photos = [png_bytes(seed, size=700) for seed in range(4)]
    for photo in photos:
        save_analysis(
            store,
            prediction=make_prediction(image=1),
            bundle_name="tiny",
            bundle_sha=SHA,
            image_bytes=photo,
        )
    export_cases(store, tmp_path / "big.zip")
    store.dispose()
    largest = max(len(p) for p in photos)
    assert largest > 1 << 20
    tracemalloc.start()
    try:
        summary = import_cases(target, tmp_path / "big.zip")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"import peak {peak:,} B; largest photo {largest:,} B; all {sum(map(len, photos)):,} B")
    assert summary.added_images == 4
    assert peak < largest
    for photo in photos:
        assert target.images.get(hashlib.sha256(photo).hexdigest(), "png") == photo
