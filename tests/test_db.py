"""The case store on SQLite (a tmp_path file) and on a real PostgreSQL server."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import stat
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from skinmm.db.models import Base
from skinmm.db.repository import (
    CaseFilter,
    CaseNotFoundError,
    add_feedback,
    bundle_fingerprint,
    count_cases,
    get_case,
    known_classes,
    list_cases,
    table_counts,
    to_prediction,
)
from skinmm.db.store import (
    StorageError,
    Store,
    current_revision,
    downgrade,
    make_engine,
    open_store,
    upgrade,
)
from skinmm.db.transfer import TransferError, export_cases, import_cases
from skinmm.live_performance import group_by_bundle, live_report
from skinmm.metrics import compensation, weighted_f1
from tests.test_db_helpers import (
    HEAD,
    PostgresServer,
    make_prediction,
    one_hot_ish,
    png_bytes,
    save_prediction,
    write_cases,
)

SHA = "b" * 64
WRITERS = 4
SAVES_EACH = 8


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.start()
        if server.admin_url is None:
            pytest.skip(f"PostgreSQL part skipped: {server.skip_reason}")
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cases.db'}"
    return request.getfixturevalue("postgres").create_database()


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    opened = open_store(db_url, tmp_path / "home")
    yield opened
    opened.dispose()


save = save_prediction


# --- Opening the store ----------------------------------------------------------------------


def test_first_use_creates_the_sqlite_file_in_skinmm_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "not-yet" / "skinmm"
    monkeypatch.setenv("SKINMM_HOME", str(home))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    store = open_store()
    assert (home / "skinmm.db").is_file()
    assert current_revision(store.engine) == HEAD
    case_id = save(store, image_bytes=png_bytes())
    sha = get_case(store, case_id).image_sha256
    assert sha is not None
    assert (home / "images" / sha[:2] / f"{sha}.png").is_file()


def test_schema_matches_the_models_and_migrations_go_down_and_up(store: Store) -> None:
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    downgrade(store.engine, "base")
    assert current_revision(store.engine) is None
    upgrade(store.engine)
    assert current_revision(store.engine) == HEAD


def test_migration_0002_keeps_existing_feedback_and_adds_the_words_columns(store: Store) -> None:
    case_id = save(store)
    downgrade(store.engine, "0001")
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO feedback (id, case_id, created_at, pathology) "
                "VALUES (:id, :case, :at, 'mel')"
            ),
            {"id": "f" * 32, "case": case_id, "at": datetime(2026, 1, 2, tzinfo=UTC)},
        )
    upgrade(store.engine)
    assert current_revision(store.engine) == HEAD
    [feedback] = get_case(store, case_id).feedback
    assert (feedback.pathology, feedback.pathology_other) == ("mel", None)
    add_feedback(store, case_id, pathology="other", pathology_other="lupus")
    assert get_case(store, case_id).latest_feedback.pathology_other == "lupus"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://nurse:secret@127.0.0.1:1/cases",
        "sqlite:////nonexistent-folder/deeper/cases.db",
        "nosuchdb://x",
    ],
)
def test_an_unreachable_database_is_a_storage_error_that_says_what_to_do(
    url: str, tmp_path: Path
) -> None:
    with pytest.raises(StorageError) as caught:
        open_store(url, tmp_path)
    message = str(caught.value)
    assert "DATABASE_URL" in message
    assert "secret" not in message


def test_a_database_that_goes_away_after_opening_raises_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    store = open_store(f"sqlite:///{path}", tmp_path)
    store.dispose()
    for leftover in tmp_path.glob("cases.db*"):
        leftover.unlink()
    # SQLite makes a new, empty file on the next connection: it has no tables to write to.
    with pytest.raises(StorageError, match="Could not save the case"):
        save(store)


def test_a_photo_that_cannot_be_written_is_a_storage_error_and_saves_nothing(
    store: Store,
) -> None:
    store.images.root.parent.mkdir(parents=True, exist_ok=True)
    store.images.root.write_text("a file where the photo folder should be")
    with pytest.raises(StorageError, match="writing to"):
        save(store, image_bytes=png_bytes())
    assert table_counts(store) == {"cases": 0, "predictions": 0, "feedback": 0}


# --- Saving ---------------------------------------------------------------------------------


def test_an_analysis_round_trips_with_its_photo_probabilities_and_cautions(store: Store) -> None:
    prediction = make_prediction(image=4, text=5)
    photo = png_bytes(1)
    case_id = save(
        store,
        prediction=prediction,
        image_bytes=photo,
        note="  Male, 63 years. Grew over six months.  ",
        patient_ref="P-0042",
    )
    case = get_case(store, case_id)
    assert case.patient_ref == "P-0042"
    assert case.note == "Male, 63 years. Grew over six months."
    assert case.created_at.tzinfo is not None
    assert store.images.get(case.image_sha256, case.image_ext) == photo
    assert case.image_sha256 == hashlib.sha256(photo).hexdigest()
    record = case.latest_prediction
    assert record is not None
    assert (record.bundle_name, record.bundle_sha, record.rule) == ("tiny", SHA, "max")
    assert record.cam_classes == prediction.order[:3]
    assert record.branches_agree is False
    again = to_prediction(record)
    np.testing.assert_allclose(again.fused, prediction.fused)
    np.testing.assert_allclose(again.image, prediction.image)
    np.testing.assert_allclose(again.text, prediction.text)
    assert again.classes == prediction.classes
    assert again.to_dict() == prediction.to_dict()


def test_a_note_only_analysis_has_no_photo_and_no_cam_classes(store: Store) -> None:
    case = get_case(store, save(store, prediction=make_prediction(text=2), note="note"))
    assert case.image_sha256 is None
    record = case.latest_prediction
    assert record is not None
    assert record.cam_classes == [] and record.image_proba is None
    assert record.mode == "text-only" and record.branches_agree is None


def test_the_same_photo_is_stored_once(store: Store) -> None:
    photo = png_bytes(2)
    first, second = save(store, image_bytes=photo), save(store, image_bytes=photo)
    assert first != second
    assert len([p for p in store.images.root.rglob("*") if p.is_file()]) == 1


def _failing_trigger(store: Store) -> None:
    with store.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER fail_predictions BEFORE INSERT ON predictions "
                    "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE FUNCTION fail_predictions() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'disk on fire'; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER fail_predictions BEFORE INSERT ON predictions "
                    "FOR EACH ROW EXECUTE FUNCTION fail_predictions()"
                )
            )


def test_a_failed_write_leaves_no_half_saved_case_and_the_photo_is_reused(store: Store) -> None:
    photo = png_bytes(3)
    _failing_trigger(store)
    with pytest.raises(StorageError, match="disk on fire"):
        save(store, image_bytes=photo, note="lost?")
    # The case row went in before the prediction failed: the rollback took it out again.
    assert table_counts(store) == {"cases": 0, "predictions": 0, "feedback": 0}
    orphans = [p for p in store.images.root.rglob("*") if p.is_file()]
    assert len(orphans) == 1
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "DROP TRIGGER fail_predictions"
                + ("" if connection.dialect.name == "sqlite" else " ON predictions")
            )
        )
    case_id = save(store, image_bytes=photo)
    assert [p for p in store.images.root.rglob("*") if p.is_file()] == orphans
    assert get_case(store, case_id).image_sha256 == orphans[0].stem


def test_concurrent_writers_lose_nothing(store: Store, db_url: str, tmp_path: Path) -> None:
    # Half the threads share the store, half open their own (as separate app processes do).
    others = [open_store(db_url, tmp_path / "home") for _ in range(WRITERS // 2)]
    stores = [store] * (WRITERS - len(others)) + others
    saved: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def writer(mine: Store, seed: int) -> None:
        try:
            barrier.wait()
            for i in range(SAVES_EACH):
                case_id = save(mine, image_bytes=png_bytes(seed * 100 + i % 3), note=f"w{seed}")
                add_feedback(mine, case_id, comment=f"seen {i}")
                saved.append(case_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(s, k)) for k, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for other in others:
        other.dispose()
    assert errors == []
    total = WRITERS * SAVES_EACH
    assert len(set(saved)) == total
    assert table_counts(store) == {"cases": total, "predictions": total, "feedback": total}
    assert count_cases(store) == total


def test_processes_creating_and_writing_one_sqlite_file_at_once_lose_nothing(
    tmp_path: Path,
) -> None:
    # Every process finds no database and migrates it: the first-use race included.
    url, home = f"sqlite:///{tmp_path / 'cases.db'}", str(tmp_path / "home")
    context = multiprocessing.get_context("spawn")
    with context.Pool(3) as pool:
        jobs = [(url, home, make_prediction(), seed, 5) for seed in range(3)]
        results = pool.starmap(write_cases, jobs)
    ids = [case_id for batch in results for case_id in batch]
    assert len(set(ids)) == 15
    assert table_counts(open_store(url, Path(home)))["cases"] == 15


# --- Finding --------------------------------------------------------------------------------


def test_cases_are_listed_newest_first_and_filtered(store: Store) -> None:
    day = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    mel = save(
        store,
        prediction=make_prediction(image=4, text=4),
        patient_ref="P-1",
        note="Pigmented lesion on the back",
        created_at=day,
    )
    nv = save(
        store,
        prediction=make_prediction(image=5, text=one_hot_ish(0, 7, 0.5)),
        patient_ref="P-2",
        note="Small brown macule",
        created_at=day + timedelta(days=2),
    )
    bcc = save(
        store,
        prediction=make_prediction(image=1),
        patient_ref="Q-3",
        created_at=day + timedelta(days=5),
    )
    add_feedback(store, mel, diagnosis="mel")
    add_feedback(store, nv, pathology="mel", comment="excised")
    add_feedback(store, nv, pathology="nv", comment="second opinion")  # the latest counts

    def ids(**where: object) -> list[str]:
        return [r.id for r in list_cases(store, CaseFilter(**where))]  # type: ignore[arg-type]

    assert ids() == [bcc, nv, mel]
    assert ids(text="p-") == [nv, mel]
    assert ids(text="BROWN") == [nv]
    assert ids(text=bcc[:10]) == [bcc]
    assert ids(since=date(2026, 3, 12)) == [bcc, nv]
    assert ids(until=date(2026, 3, 12)) == [nv, mel]
    assert ids(since=date(2026, 3, 11), until=date(2026, 3, 12)) == [nv]
    assert ids(predicted="mel") == [mel]
    assert ids(confirmed="mel") == [mel]  # nv's pathology was revised to nv
    assert ids(confirmed="nv") == [nv]
    assert ids(has_pathology=True) == [nv]
    assert ids(has_pathology=False) == [bcc, mel]
    assert ids(agreement=True) == [mel]
    assert ids(agreement=False) == [nv]
    assert count_cases(store, CaseFilter(text="p-")) == 2
    rows = list_cases(store, limit=1, offset=1)
    assert [r.id for r in rows] == [nv]
    assert (rows[0].top_class, rows[0].pathology, rows[0].diagnosis) == ("nv", "nv", None)


def test_a_case_is_found_by_a_unique_id_prefix_only(store: Store) -> None:
    case_id = save(store)
    assert get_case(store, case_id[:8].upper()).id == case_id
    with pytest.raises(CaseNotFoundError, match="at least 6"):
        get_case(store, case_id[:3])
    with pytest.raises(CaseNotFoundError, match="No case"):
        get_case(store, "ffffffffffff" if not case_id.startswith("f") else "000000000000")


def test_feedback_takes_a_class_a_taxonomy_code_or_other_in_words(store: Store) -> None:
    case_id = save(store)
    with pytest.raises(ValueError, match="Give a diagnosis"):
        add_feedback(store, case_id, comment="   ")
    with pytest.raises(ValueError, match="neither one of this case's classes nor a taxonomy"):
        add_feedback(store, case_id, pathology="lichen")
    with pytest.raises(ValueError, match="in words"):
        add_feedback(store, case_id, pathology="other")
    with pytest.raises(ValueError, match='with the choice "other" only'):
        add_feedback(store, case_id, pathology="bcc", pathology_other="lichen planus")
    add_feedback(store, case_id, pathology="bcc", comment="lichen planus-like? no: BCC")
    add_feedback(store, case_id, diagnosis="scc", pathology="bowen")  # taxonomy codes
    add_feedback(store, case_id, pathology="other", pathology_other="  Lichen planus  ")
    feedback = get_case(store, case_id).feedback
    assert [(f.diagnosis, f.pathology, f.pathology_other) for f in feedback] == [
        (None, "bcc", None),
        ("scc", "bowen", None),
        (None, "other", "Lichen planus"),
    ]


def test_search_takes_percent_and_underscore_literally(store: Store) -> None:
    refs = {
        ref: save(store, patient_ref=ref, note=f"note of {ref}") for ref in ("P-1", "P_2", "100%")
    }

    def ids(text: str) -> set[str]:
        return {r.id for r in list_cases(store, CaseFilter(text=text))}

    assert ids("%") == {refs["100%"]}
    assert ids("_") == {refs["P_2"]}
    assert ids("p_") == {refs["P_2"]}
    assert ids("0%") == {refs["100%"]}
    assert ids("note of") == set(refs.values())
    assert count_cases(store, CaseFilter(text="%")) == 1


def test_bundle_fingerprint_names_files_and_classes() -> None:
    card = {"files": {"image/w.pt": "1"}, "classes": [{"code": "mel"}], "metrics": {"x": 1}}
    same = {**card, "metrics": {"x": 2}}
    other = {**card, "files": {"image/w.pt": "2"}}
    assert bundle_fingerprint(card) == bundle_fingerprint(same) != bundle_fingerprint(other)
    assert len(bundle_fingerprint(card)) == 64


# --- Live performance -----------------------------------------------------------------------


def test_live_performance_uses_the_metrics_module_on_confirmed_cases(store: Store) -> None:
    # (image top, text top, pathology); -1: no pathology, so left out.
    cases = [(4, 4, 4), (4, 5, 5), (5, 5, 5), (1, 1, 0), (0, 0, 0), (2, 2, -1)]
    for image, note, truth in cases:
        case_id = save(store, prediction=make_prediction(image=image, text=note))
        if truth >= 0:
            add_feedback(
                store, case_id, pathology=["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"][truth]
            )
    other = save(store, prediction=make_prediction(image=4), bundle_sha="c" * 64)
    add_feedback(store, other, pathology="mel")
    groups = group_by_bundle(store)
    # Bundles are never pooled: the other bundle's case is a group of its own.
    assert [(len(g.predictions), g.bundle_sha[0]) for g in groups] == [(5, "b"), (1, "c")]
    report = live_report(groups[0])
    assert report is not None
    assert live_report(replace(groups[1], predictions=[], truth=[])) is None
    y = np.array([4, 5, 5, 0, 0])
    image_pred, text_pred = np.array([4, 4, 5, 1, 0]), np.array([4, 5, 5, 1, 0])
    fused_pred = np.array([p.fused for p in groups[0].predictions]).argmax(axis=1)
    assert report["n"] == {"fused": 5, "image": 5, "text": 5, "both": 5}
    assert report["fused"]["weighted_f1"] == pytest.approx(weighted_f1(y, fused_pred, 7))
    assert report["image"]["weighted_f1"] == pytest.approx(weighted_f1(y, image_pred, 7))
    # By hand: of the two nv cases the image got one wrong that the note got right.
    assert report["text_compensating_image"]["nv"] == pytest.approx(0.5)
    assert report["text_compensating_image"]["mel"] == 0.0
    expected = compensation(y, image_pred, text_pred, 7)
    assert list(report["text_compensating_image"].values()) == pytest.approx(list(expected))
    assert np.asarray(report["fused"]["confusion"]).sum() == 5


def _spoil_latest_prediction(store: Store, case_id: str, classes_json: str) -> None:
    """Overwrite a stored prediction's classes behind the repository's back, as SQL would."""
    with store.engine.begin() as connection:
        connection.execute(
            text("UPDATE predictions SET classes = :classes WHERE case_id = :case"),
            {"classes": classes_json, "case": case_id},
        )


def test_live_performance_maps_covered_codes_and_lists_the_rest_as_out_of_scope(
    store: Store,
) -> None:
    ham = ["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"]
    confirmed = {
        "bowen": ham.index("akiec"),  # a taxonomy code HAM's akiec covers counts as akiec
        "sk": ham.index("bkl"),
        "nev": ham.index("nv"),
        "mel": ham.index("mel"),
        "scc": -1,  # HAM10000 has no class for it: out of scope
        "other": -1,
    }
    ids = {}
    for code in confirmed:
        ids[code] = save(store, prediction=make_prediction(image=2, text=2))
        add_feedback(
            store, ids[code], pathology=code, pathology_other="lupus" if code == "other" else None
        )
    broken = save(store, prediction=make_prediction(image=4))
    add_feedback(store, broken, pathology="mel")
    _spoil_latest_prediction(store, broken, "42")
    [group] = group_by_bundle(store)
    assert group.truth == ["akiec", "bkl", "nv", "mel"]
    assert [
        (o.case_id, o.pathology, o.pathology_other, o.predicted) for o in group.out_of_scope
    ] == [
        (ids["scc"], "scc", None, "bkl"),
        (ids["other"], "other", "lupus", "bkl"),
    ]
    assert group.unreadable == [broken]
    assert group.total == 7
    report = live_report(group)
    assert report is not None and report["n"]["fused"] == 4
    assert report["truth_counts"] == {"akiec": 1, "bkl": 1, "nv": 1, "mel": 1}


def test_a_hand_edited_prediction_is_marked_unreadable_and_the_rest_still_list(
    store: Store,
) -> None:
    good = save(store, patient_ref="good")
    bad = save(store, patient_ref="bad")
    _spoil_latest_prediction(store, bad, json.dumps([{"code": "mel"}]))
    rows = {r.id: r for r in list_cases(store)}
    assert rows[good].readable and not rows[bad].readable
    with pytest.raises(ValueError, match="name_en"):
        to_prediction(get_case(store, bad).latest_prediction)  # type: ignore[arg-type]
    assert [c.code for c in known_classes(store)] == [
        "akiec",
        "bcc",
        "bkl",
        "df",
        "mel",
        "nv",
        "vasc",
    ]


# --- Files and folders are private ----------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_skinmm_home_photos_and_the_sqlite_files_are_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKINMM_HOME", str(tmp_path / "new" / "skinmm"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    old = os.umask(0o022)  # the usual default, under which SQLite makes files 0644
    try:
        store = open_store()
        case_id = save(store, image_bytes=png_bytes(7))
    finally:
        os.umask(old)
    home = tmp_path / "new" / "skinmm"
    case = get_case(store, case_id)
    photo = store.images.path(case.image_sha256, case.image_ext)  # type: ignore[arg-type]
    assert {_mode(p) for p in (home.parent, home, store.images.root, photo.parent)} == {0o700}
    database_files = sorted(home.glob("skinmm.db*"))
    assert [p.name for p in database_files][:2] == ["skinmm.db", "skinmm.db-shm"]
    assert {_mode(p) for p in database_files} | {_mode(photo)} == {0o600}
    store.dispose()


def test_a_configured_sqlite_file_is_created_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o755)
    old = os.umask(0o022)
    try:
        store = open_store(f"sqlite:///{folder / 'clinic.db'}", tmp_path / "home")
        save(store)
    finally:
        os.umask(old)
    assert {_mode(p) for p in folder.glob("clinic.db*")} == {0o600}
    assert _mode(folder) == 0o755  # a folder SkinMM did not create keeps its mode
    store.dispose()


# --- Export and import ----------------------------------------------------------------------


def _fill(store: Store) -> list[str]:
    ids = [
        save(
            store, image_bytes=png_bytes(seed % 2), note=f"note {seed} 面部", patient_ref=f"P{seed}"
        )
        for seed in range(3)
    ]
    ids.append(save(store, prediction=make_prediction(text=3), note="note only"))
    add_feedback(store, ids[0], pathology="mel", comment="confirmed", author="AB")
    add_feedback(store, ids[0], comment="second look")
    return ids


def _snapshot(store: Store) -> list[dict]:
    out = []
    for row in list_cases(store, limit=1000):
        case = get_case(store, row.id)
        out.append(
            {
                "id": case.id,
                "created_at": case.created_at,
                "note": case.note,
                "image": case.image_sha256,
                "predictions": [(p.id, p.fused, p.created_at) for p in case.predictions],
                "feedback": [(f.id, f.pathology, f.comment, f.created_at) for f in case.feedback],
            }
        )
    return out


def test_export_then_import_moves_every_case_and_a_second_import_adds_nothing(
    store: Store, tmp_path: Path
) -> None:
    ids = _fill(store)
    archive = tmp_path / "out" / "cases.zip"
    summary = export_cases(store, archive)
    assert (summary.cases, summary.predictions, summary.feedback, summary.images) == (4, 4, 2, 2)
    target = open_store(f"sqlite:///{tmp_path / 'target.db'}", tmp_path / "target-home")
    first = import_cases(target, archive)
    assert (first.added_cases, first.added_predictions, first.added_feedback) == (4, 4, 2)
    assert first.added_images == 2
    assert _snapshot(target) == _snapshot(store)
    case = get_case(target, ids[0])
    assert target.images.get(case.image_sha256, case.image_ext) == png_bytes(0)
    second = import_cases(target, archive)
    assert (second.added_cases, second.added_predictions, second.added_feedback) == (0, 0, 0)
    assert table_counts(target) == table_counts(store)


def test_sqlite_to_postgresql_round_trip(postgres: PostgresServer, tmp_path: Path) -> None:
    source = open_store(f"sqlite:///{tmp_path / 'clinic.db'}", tmp_path / "clinic")
    _fill(source)
    archive = tmp_path / "move.zip"
    export_cases(source, archive)
    target = open_store(postgres.create_database(), tmp_path / "server")
    import_cases(target, archive)
    assert _snapshot(target) == _snapshot(source)
    back = tmp_path / "back.zip"
    export_cases(target, back)
    again = open_store(f"sqlite:///{tmp_path / 'again.db'}", tmp_path / "again")
    import_cases(again, back)
    assert _snapshot(again) == _snapshot(source)
    target.dispose()


def test_import_refuses_damaged_or_foreign_files_and_adds_nothing(
    store: Store, tmp_path: Path
) -> None:
    _fill(store)
    archive = tmp_path / "cases.zip"
    export_cases(store, archive)
    target = open_store(f"sqlite:///{tmp_path / 't.db'}", tmp_path / "t")

    def rewrite(name: str, change: dict[str, bytes]) -> Path:
        out = tmp_path / name
        with zipfile.ZipFile(archive) as src, zipfile.ZipFile(out, "w") as dst:
            for item in src.namelist():
                if item in change and change[item] == b"":
                    continue
                dst.writestr(item, change.get(item, src.read(item)))
        return out

    with zipfile.ZipFile(archive) as src:
        lines = src.read("cases.jsonl").splitlines()
        manifest = json.loads(src.read("manifest.json"))
        photo = next(n for n in src.namelist() if n.startswith("images/"))
    short = rewrite("short.zip", {"cases.jsonl": b"\n".join(lines[:-1])})
    with pytest.raises(TransferError, match="incomplete"):
        import_cases(target, short)
    altered = rewrite("altered.zip", {photo: b"not the photo"})
    with pytest.raises(TransferError, match="does not match its hash"):
        import_cases(target, altered)
    newer = rewrite(
        "newer.zip", {"manifest.json": json.dumps({**manifest, "version": 99}).encode()}
    )
    with pytest.raises(TransferError, match="newer SkinMM"):
        import_cases(target, newer)
    (tmp_path / "junk.zip").write_bytes(b"PK nothing")
    with pytest.raises(TransferError, match="not a readable"):
        import_cases(target, tmp_path / "junk.zip")
    assert table_counts(target) == {"cases": 0, "predictions": 0, "feedback": 0}


def test_export_refuses_missing_photos_unless_allowed(store: Store, tmp_path: Path) -> None:
    _fill(store)
    for path in store.images.root.rglob("*.png"):
        path.unlink()
    with pytest.raises(TransferError, match="missing"):
        export_cases(store, tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()
    summary = export_cases(store, tmp_path / "x.zip", allow_missing_images=True)
    assert (summary.cases, summary.images) == (4, 0)


def test_a_database_from_a_newer_skinmm_is_refused_with_what_to_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    open_store(url, tmp_path).dispose()
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StorageError, match="newer SkinMM"):
        open_store(url, tmp_path)


def test_migration_0005_adds_the_note_reading_and_keeps_older_cases(store: Store) -> None:
    from skinmm.text.facts import read_note
    from skinmm.text.facts_display import stored_reading

    old = save(store)
    downgrade(store.engine, "0003")
    upgrade(store.engine)
    before = get_case(store, old)
    assert before.note_reading is None and before.impression is None
    reading = read_note("62 y/o F, denies itching. BCC suspected.")
    stored = stored_reading(reading.to_dict(), None, None)
    case_id = save(store, note_reading=stored, impression=reading.impression)
    case = get_case(store, case_id)
    assert case.note_reading == stored
    assert case.impression == "BCC suspected."
    with pytest.raises(ValueError, match="impossible value"):
        save(store, note_reading={**stored, "facts": {"itch": "sometimes"}})
