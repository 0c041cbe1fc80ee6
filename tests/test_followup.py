"""Every photo of a case and follow-up visits (issue 20): storage, migration 0006, links, the
visit chain, export/import and the PDF."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import delete, func, select, text

from skinmm.casereport.followup import report_followup
from skinmm.casereport.report import build_case_report
from skinmm.db.followup import (
    AlreadyFollowedError,
    NoPatientError,
    OtherPatientError,
    SelfOrLaterError,
    earlier_cases,
    link_follow_up,
    malignancy_score,
    visit_chain,
)
from skinmm.db.models import Case, CasePhoto
from skinmm.db.repository import CaseNotFoundError, PhotoInput, get_case
from skinmm.db.store import Store, current_revision, downgrade, open_store, upgrade
from skinmm.db.transfer import TransferError, export_cases, import_cases
from skinmm.errors import explain
from skinmm.i18n import t
from skinmm.taxonomy import HAM10000_CLASSES
from tests.test_db_helpers import make_prediction, one_hot_ish, png_bytes, save_prediction

SHA = "b" * 64
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
N = len(HAM10000_CLASSES)
CODES = [c.code for c in HAM10000_CLASSES]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'cases.db'}", tmp_path / "home")
    yield opened
    opened.dispose()


def save(store: Store, **kwargs: object) -> str:
    return save_prediction(store, **{"patient_ref": "P-1", **kwargs})


def two_photos() -> list[PhotoInput]:
    return [
        PhotoInput(png_bytes(1), one_hot_ish(4, N), (4,)),
        PhotoInput(png_bytes(2), one_hot_ish(5, N), (4,)),
    ]


def test_a_two_photo_case_round_trips_every_photo_with_its_probabilities(store: Store) -> None:
    case_id = save(store, photos=two_photos())
    case = get_case(store, case_id)
    assert [p.position for p in case.photos] == [0, 1]
    assert (case.image_sha256, case.image_ext) == (
        case.photos[0].image_sha256,
        case.photos[0].image_ext,
    )
    for photo, seed, top in zip(case.photos, (1, 2), (4, 5), strict=True):
        assert store.images.get(photo.image_sha256, photo.image_ext) == png_bytes(seed)
        assert int(np.argmax(photo.image_proba)) == top
        assert photo.cam_classes == [4]
    one = get_case(store, save(store, image_bytes=png_bytes(3)))
    assert one.photos == []  # a one-photo case keeps its photo in the case row only
    with pytest.raises(ValueError, match="probabilities"):
        save(store, photos=[PhotoInput(png_bytes(1), [0.5, 0.5]), PhotoInput(png_bytes(2))])


def count(store: Store, table: str) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_downgrade_to_0005_keeps_cases_predictions_and_feedback_and_upgrade_returns(
    store: Store,
) -> None:
    from skinmm.db.repository import add_feedback

    first = save(store, photos=two_photos(), created_at=T0)
    later = save(store, image_bytes=png_bytes(3), created_at=T0 + timedelta(days=30))
    link_follow_up(store, later, first)
    add_feedback(store, first, pathology="mel", comment="excised")
    downgrade(store.engine, "0005")
    assert current_revision(store.engine) == "0005"
    assert (count(store, "cases"), count(store, "predictions"), count(store, "feedback")) == (
        2,
        2,
        1,
    )
    with store.engine.connect() as connection:
        columns = [row[1] for row in connection.execute(text("PRAGMA table_info(cases)"))]
        tables = connection.execute(text("SELECT name FROM sqlite_master")).scalars().all()
    assert "follows_case_id" not in columns and "case_photos" not in tables
    assert count(store, "feedback") == 1
    upgrade(store.engine)
    assert current_revision(store.engine) == "0006"
    case = get_case(store, first)
    assert case.latest_feedback is not None and case.latest_feedback.pathology == "mel"
    assert len(case.predictions) == 1 and case.photos == []  # the photo rows went down with 0006
    assert case.follows_case_id is None


def test_deleting_a_case_removes_its_photos_but_not_a_later_visit(store: Store) -> None:
    first = save(store, photos=two_photos(), created_at=T0)
    later = save(store, photos=two_photos(), created_at=T0 + timedelta(days=30))
    link_follow_up(store, later, first)
    with store.sessions.begin() as session:
        session.execute(delete(Case).where(Case.id == first))
    with store.sessions.begin() as session:
        left = session.scalars(select(CasePhoto.case_id)).all()
        assert set(left) == {later} and len(left) == 2
        assert session.scalar(select(func.count()).select_from(Case)) == 1
    assert get_case(store, later).follows_case_id is None
    assert [v.case_id for v in visit_chain(store, later)] == [later]


def test_the_visit_chain_is_oldest_first_with_scores_and_their_change(store: Store) -> None:
    mel, nv = CODES.index("mel"), CODES.index("nv")
    first = save(store, prediction=make_prediction(image=nv, text=nv), created_at=T0)
    second = save(
        store,
        prediction=make_prediction(image=mel, text=mel),
        created_at=T0 + timedelta(days=90),
        follows_case_id=first,
        photos=two_photos(),
    )
    third = save(store, created_at=T0 + timedelta(days=180))
    link_follow_up(store, third, second)
    for asked in (first, second, third):
        visits = visit_chain(store, asked)
        assert [v.case_id for v in visits] == [first, second, third]
    visits = visit_chain(store, second)
    # The malignancy score is the sum of the malignant and premalignant classes (mel, bcc,
    # akiec), by hand from the stored probabilities.
    risky = [CODES.index(c) for c in ("akiec", "bcc", "mel")]
    for visit in visits:
        assert visit.prediction is not None
        assert visit.malignancy == pytest.approx(float(visit.prediction.fused[risky].sum()))
        assert visit.malignancy == pytest.approx(malignancy_score(visit.prediction))
    assert visits[0].change is None
    assert visits[1].change == pytest.approx(visits[1].malignancy - visits[0].malignancy)
    assert visits[1].change > 0.3  # nevus, then melanoma: the score rose
    assert len(visits[1].photos) == 2 and len(visits[0].photos) == 0
    assert [c.id for c in earlier_cases(store, "P-1")] == [third]  # the others are followed


def test_the_report_shows_only_the_visits_its_reader_may_open(store: Store) -> None:
    # History keys its cached PDF by these visits: a reader who may open fewer cases gets a
    # report without the others, never one made for a reader who sees more.
    first = save(store, created_at=T0)
    second = save(store, created_at=T0 + timedelta(days=30), follows_case_id=first)
    case = get_case(store, second)
    everyone = report_followup(store, case)
    own_only = report_followup(store, case, lambda case_id: case_id == second)
    assert [v.case_id for v in everyone.visits] == [first, second]
    assert [v.case_id for v in own_only.visits] == [second]


def test_links_to_another_patient_itself_a_later_or_a_followed_case_are_refused(
    store: Store,
) -> None:
    first = save(store, created_at=T0)
    other = save(store, patient_ref="P-2", created_at=T0)
    later = save(store, created_at=T0 + timedelta(days=10))
    with pytest.raises(OtherPatientError) as refused:
        save(store, follows_case_id=other, created_at=T0 + timedelta(days=20))
    assert explain(refused.value).key == "err_followup_other_patient"
    for lang in ("en", "zh"):
        message = t(explain(refused.value).key, lang, **explain(refused.value).values)
        assert other[:8] in message
    assert "另一位患者" in t("err_followup_other_patient", "zh", case="x")
    with pytest.raises(SelfOrLaterError):
        link_follow_up(store, first, first)
    with pytest.raises(SelfOrLaterError):
        link_follow_up(store, first, later)  # the earlier case cannot follow a later one
    with pytest.raises(NoPatientError):
        save(store, patient_ref=None, follows_case_id=first)
    with pytest.raises(CaseNotFoundError):
        save(store, follows_case_id="f" * 32)
    link_follow_up(store, later, first)
    with pytest.raises(AlreadyFollowedError):
        save(store, follows_case_id=first, created_at=T0 + timedelta(days=30))
    assert count(store, "cases") == 3  # nothing refused was saved
    assert get_case(store, first).follows_case_id is None


def test_export_and_import_carry_every_photo_and_the_link(store: Store, tmp_path: Path) -> None:
    first = save(store, photos=two_photos(), created_at=T0)
    later = save(store, image_bytes=png_bytes(3), created_at=T0 + timedelta(days=30))
    link_follow_up(store, later, first)
    archive = tmp_path / "cases.zip"
    summary = export_cases(store, archive)
    assert (summary.cases, summary.case_photos, summary.images) == (2, 2, 3)
    target = open_store(f"sqlite:///{tmp_path / 'target.db'}", tmp_path / "target")
    imported = import_cases(target, archive)
    assert (imported.added_cases, imported.added_case_photos, imported.added_images) == (2, 2, 3)
    case = get_case(target, first)
    assert [target.images.get(p.image_sha256, p.image_ext) for p in case.photos] == [
        png_bytes(1),
        png_bytes(2),
    ]
    assert [v.case_id for v in visit_chain(target, first)] == [first, later]
    again = import_cases(target, archive)
    assert (again.added_cases, again.added_case_photos) == (0, 0)


def rewrite(archive: Path, out: Path, change: object) -> Path:
    with zipfile.ZipFile(archive) as source:
        members = {name: source.read(name) for name in source.namelist()}
    lines = [json.loads(line) for line in members["cases.jsonl"].decode().splitlines()]
    change(lines)  # type: ignore[operator]
    members["cases.jsonl"] = "".join(json.dumps(line) + "\n" for line in lines).encode()
    with zipfile.ZipFile(out, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    return out


def test_import_refuses_a_link_to_a_case_it_cannot_find_or_out_of_order(
    store: Store, tmp_path: Path
) -> None:
    first = save(store, created_at=T0)
    later = save(store, created_at=T0 + timedelta(days=30), follows_case_id=first)
    archive = export_cases(store, tmp_path / "cases.zip") and tmp_path / "cases.zip"
    target = open_store(f"sqlite:///{tmp_path / 'target.db'}", tmp_path / "target")

    def dangling(lines: list[dict]) -> None:
        lines[1]["follows_case_id"] = "e" * 32

    with pytest.raises(TransferError, match="neither in the file"):
        import_cases(target, rewrite(archive, tmp_path / "a.zip", dangling))

    def reversed_order(lines: list[dict]) -> None:
        lines.reverse()

    with pytest.raises(TransferError, match="not before"):
        import_cases(target, rewrite(archive, tmp_path / "b.zip", reversed_order))
    assert count(target, "cases") == 0
    assert later


def test_the_pdf_holds_every_photo_and_the_visits(store: Store) -> None:
    pypdf = pytest.importorskip("pypdf")
    first = save(store, image_bytes=png_bytes(5), created_at=T0)
    later = save(
        store, photos=two_photos(), created_at=T0 + timedelta(days=30), follows_case_id=first
    )

    sources = {seed: np.asarray(Image.open(io.BytesIO(png_bytes(seed)))) for seed in (1, 2, 5, 6)}

    def photos_and_text(case_id: str) -> tuple[set[int], str]:
        """Which source photos the PDF holds (fpdf stores an image once however often it is
        drawn), and its text."""
        reader = pypdf.PdfReader(io.BytesIO(build_case_report(store, case_id)))
        found = set()
        for page in reader.pages:
            for image in page.images:
                pixels = np.asarray(image.image.convert("RGB"))
                found |= {k for k, px in sources.items() if np.array_equal(px, pixels)}
        return found, "\n".join(page.extract_text() for page in reader.pages)

    found, words = photos_and_text(later)
    assert found == {1, 2, 5}  # both photos of the case, and the first visit's photo
    assert "Every photo of the lesion" in words and "Visits of this lesion" in words
    assert "Visit 1" in words and "Visit 2" in words and "this case" in words
    found, words = photos_and_text(first)
    assert found == {5, 1}  # its photo and the later visit's first photo
    assert "Every photo of the lesion" not in words and "Visit 2" in words
    lone = save(store, image_bytes=png_bytes(6), patient_ref="P-9")
    found, words = photos_and_text(lone)
    assert found == {6} and "Visits of this lesion" not in words


def test_import_refuses_photo_rows_that_break_the_schema_or_name_absent_photos(
    store: Store, tmp_path: Path
) -> None:
    save(store, photos=two_photos(), created_at=T0)
    archive = tmp_path / "cases.zip"
    export_cases(store, archive)
    target = open_store(f"sqlite:///{tmp_path / 'target.db'}", tmp_path / "target")

    def swapped(lines: list[dict]) -> None:
        lines[0]["photos"][0]["position"] = 1

    def absent(lines: list[dict]) -> None:
        lines[0]["photos"][1]["image_sha256"] = "c" * 64

    def bad_proba(lines: list[dict]) -> None:
        lines[0]["photos"][0]["image_proba"] = [2.0] * N

    for change, match in (
        (swapped, "position"),
        (absent, "no case uses"),
        (bad_proba, "image_proba"),
    ):
        with pytest.raises(TransferError, match=match):
            import_cases(target, rewrite(archive, tmp_path / f"{change.__name__}.zip", change))
    assert count(target, "cases") == 0 and count(target, "case_photos") == 0
