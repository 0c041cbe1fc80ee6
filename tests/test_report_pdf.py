"""The PDF case report: what it says, in both languages, with and without Grad-CAM."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from skinmm.casereport import report as report_module
from skinmm.casereport.report import build_case_report
from skinmm.db.repository import add_feedback, save_analysis
from skinmm.db.store import Store, open_store
from tests.test_db_helpers import apt_install, case_from_bundle, make_prediction, png_bytes

NOTE = "Male, 63 years. Pigmented lesion on the back that grew over six months."
NOTE_ZH = "女，45岁。面部皮损，近期增大。"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'cases.db'}", tmp_path / "home")


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def images_in(data: bytes) -> int:
    reader = PdfReader(io.BytesIO(data))
    return sum(len(page.images) for page in reader.pages)


def saved_case(store: Store, note: str = NOTE, photo: bool = True) -> str:
    case_id = save_analysis(
        store,
        prediction=make_prediction(image=4, text=1),
        bundle_name="ham-lite0",
        bundle_sha="a" * 64,
        image_bytes=png_bytes(7, size=120) if photo else None,
        note=note,
        patient_ref="P-0042",
    )
    add_feedback(store, case_id, diagnosis="mel", pathology="bcc", comment="excised", author="AB")
    return case_id


def test_the_report_names_case_model_differential_note_feedback_and_notice(
    store: Store,
) -> None:
    case_id = saved_case(store)
    data = build_case_report(store, case_id)
    text = pdf_text(data)
    for expected in (
        "SkinMM case report",
        case_id,
        "P-0042",
        "ham-lite0",
        "aaaaaaaaaaaaaaaa",
        "Fusion rule: max",
        "Melanoma",
        "Basal cell carcinoma",
        "six months",
        "excised",
        "AB",
        "Research tool, not a medical device",
        "Grad-CAM left out",
        "Consider a biopsy",
    ):
        assert expected in text, expected
    assert images_in(data) == 1  # the photo, no CAM without the bundle


@pytest.fixture
def cjk_font() -> None:
    """A CJK font for the PDF, installed from Debian (fonts-wqy-microhei) when missing."""
    if any(Path(p).is_file() for p in report_module.FONT_CANDIDATES):
        return
    problem = apt_install("fonts-wqy-microhei")
    if problem or not any(Path(p).is_file() for p in report_module.FONT_CANDIDATES):
        pytest.skip(f"no CJK font for the Chinese report: {problem}")


@pytest.mark.usefixtures("cjk_font")
def test_the_report_in_chinese_keeps_chinese_text(store: Store) -> None:
    case_id = saved_case(store, note=NOTE_ZH)
    text = pdf_text(build_case_report(store, case_id, lang="zh"))
    assert "SkinMM 病例报告" in text
    assert NOTE_ZH in text
    assert "黑色素瘤" in text and "基底细胞癌" in text
    assert "不是医疗器械" in text


def test_without_a_cjk_font_chinese_is_replaced_and_the_report_says_so(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_module, "FONT_CANDIDATES", ())
    monkeypatch.delenv("SKINMM_PDF_FONT", raising=False)
    case_id = saved_case(store, note=NOTE_ZH)
    text = pdf_text(build_case_report(store, case_id))
    assert "fonts-wqy-microhei" in text
    assert "?" in text and case_id in text


def test_a_note_only_case_has_no_photo_section(store: Store) -> None:
    case_id = saved_case(store, photo=False)
    data = build_case_report(store, case_id)
    assert images_in(data) == 0
    assert "Photo and Grad-CAM" not in pdf_text(data)


def test_a_missing_photo_is_reported_not_fatal(store: Store) -> None:
    case_id = saved_case(store)
    for path in store.images.root.rglob("*.png"):
        path.unlink()
    text = pdf_text(build_case_report(store, case_id))
    assert "is not in" in text and case_id in text


def test_grad_cam_is_drawn_with_the_bundle_that_made_the_case(
    tiny_bundle: Path, store: Store
) -> None:
    bundle, _, case_id = case_from_bundle(store, Path(tiny_bundle), NOTE)
    data = build_case_report(store, case_id, bundle=bundle)
    # The photo and the overlays (fpdf2 stores identical overlays once: an untrained tiny
    # model's CAMs can coincide).
    assert images_in(data) >= 2
    text = pdf_text(data)
    assert "Where the image branch looked (Grad-CAM)" in text
    assert "Grad-CAM left out" not in text
    other = saved_case(store)  # made by another bundle: no CAM from this one
    assert "this case was analysed with ham-lite0" in pdf_text(
        build_case_report(store, other, bundle=bundle)
    )
