"""Every page through Streamlit's AppTest: the happy paths and every bad input of issue 6."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from skinmm.bundle import read_card, write_card
from skinmm.db.store import forget_shared_stores

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 90
NOTE = "Male, 63 years. Pigmented lesion on the back that grew over six months and bled."


def bundle_dir(tiny_bundle: object) -> Path:
    return Path(getattr(tiny_bundle, "path", tiny_bundle))


def png_bytes(size: int = 96, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = np.clip(rng.normal(120, 40, (size, size, 3)), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _fresh_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    st.cache_resource.clear()
    st.cache_data.clear()
    # Diagnose saves each analysis: keep the tests' cases out of the user's ~/.skinmm.
    monkeypatch.setenv("SKINMM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    forget_shared_stores()


@pytest.fixture
def app(tiny_bundle: object, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SKINMM_BUNDLE", str(bundle_dir(tiny_bundle)))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


@pytest.fixture
def bundle_copy(tiny_bundle: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the tiny bundle that a test may damage."""
    copy = tmp_path / "bundle"
    shutil.copytree(bundle_dir(tiny_bundle), copy)
    monkeypatch.setenv("SKINMM_BUNDLE", str(copy))
    return copy


def texts(elements: object) -> list[str]:
    return [str(e.value) for e in elements]  # type: ignore[attr-defined]


def submit(at: AppTest, image: bytes | None = None, note: str = "", name: str = "x.png") -> AppTest:
    at.run()
    if image is not None:
        at.get("file_uploader")[0].set_value((name, image, "image/png"))
    at.text_area(key="diagnose_note").input(note)
    return at.button(key="diagnose_analyse").click().run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


# --- Diagnose -------------------------------------------------------------------------------


def test_diagnose_happy_path_shows_differential_agreement_cams_and_download(app: AppTest) -> None:
    at = submit(app, png_bytes(), NOTE)
    assert_clean(at)
    assert not at.error
    assert any("not a medical device" in w for w in texts(at.warning))
    labels = [m.label for m in at.metric]
    assert labels[:2] == ["Most likely", "Calibrated confidence"]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    branches = {trace["name"] for trace in spec["data"] if trace["x"][0] is not None}
    assert branches == {"Fused", "Image", "Note"}
    top = spec["data"][2]["y"][-1]
    assert top.split(" (")[0] == at.metric[0].value.split(" (")[0]
    assert len(at.get("image")) == 3  # Grad-CAM of the top three classes
    assert len(at.get("download_button")) == 1
    assert at.slider(key="diagnose_opacity").value == pytest.approx(0.45)


def test_diagnose_opacity_slider_redraws_without_reanalysing(app: AppTest) -> None:
    at = submit(app, png_bytes(), NOTE)
    first = at.metric[0].value
    at.slider(key="diagnose_opacity").set_value(0.9).run()
    assert_clean(at)
    assert at.metric[0].value == first
    assert at.slider(key="diagnose_opacity").value == pytest.approx(0.9)
    assert len(at.get("image")) == 3


def test_diagnose_image_only_and_note_only_are_stated(app: AppTest) -> None:
    at = submit(app, png_bytes(), "")
    assert_clean(at)
    assert any("Image-only mode" in i for i in texts(at.info))
    at = submit(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT), None, NOTE)
    assert_clean(at)
    assert any("Note-only mode" in i for i in texts(at.info))
    assert any("no Grad-CAM" in c for c in texts(at.caption))


def test_diagnose_in_chinese_names_classes_in_chinese(app: AppTest, tiny_bundle: object) -> None:
    app.run()
    app.radio(key="lang_switch").set_value("zh").run()
    at = submit(app, png_bytes(), "女，45岁。面部皮损，近期增大。")
    assert_clean(at)
    card = read_card(bundle_dir(tiny_bundle))
    chinese = {c["name_zh"] for c in card["classes"]}
    assert at.metric[0].label == "最可能的诊断"
    assert at.metric[0].value in chinese
    assert any("不是医疗器械" in w for w in texts(at.warning))
    assert at.button(key="diagnose_analyse").label == "分析"


@pytest.mark.parametrize(
    ("image", "note", "expected"),
    [
        (b"%PDF-1.4 this is not an image at all", "", "could not be used as a lesion photo"),
        (png_bytes()[:300], NOTE, "could not be used as a lesion photo"),
        (None, "   ", "Nothing to analyse"),
        (None, "x" * 100_000, "100,000 characters"),
    ],
    ids=["non-image", "truncated", "empty", "long-note"],
)
def test_diagnose_bad_input_gives_an_error_that_says_what_to_do(
    app: AppTest, image: bytes | None, note: str, expected: str
) -> None:
    at = submit(app, image, note)
    assert_clean(at)
    errors = texts(at.error)
    assert len(errors) == 1 and expected in errors[0]
    assert any(word in errors[0] for word in ("Upload", "upload", "Paste", "paste"))
    assert not at.get("plotly_chart")


def test_diagnose_bad_input_in_chinese(app: AppTest) -> None:
    app.run()
    app.radio(key="lang_switch").set_value("zh").run()
    at = submit(app, None, "")
    assert texts(at.error) == ["没有可分析的内容：请上传皮损照片、粘贴临床病历，或两者都提供。"]


# --- Missing or damaged bundle --------------------------------------------------------------


@pytest.mark.parametrize("page", ["views/diagnose.py", "views/dashboard.py", "views/model_card.py"])
def test_missing_bundle_says_what_to_do_on_every_page(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKINMM_BUNDLE", str(tmp_path / "no-such-bundle"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page(page).run()
    assert_clean(at)
    assert "does not exist" in texts(at.error)[0]
    assert "SKINMM_BUNDLE" in texts(at.info)[0]


def test_corrupt_card_is_reported(bundle_copy: Path) -> None:
    card = bundle_copy / "model_card.json"
    card.write_text(card.read_text(encoding="utf-8")[:50], encoding="utf-8")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert_clean(at)
    assert "not valid JSON" in texts(at.error)[0]


def test_tampered_bundle_file_is_reported(bundle_copy: Path) -> None:
    victim = next(p for p in sorted((bundle_copy / "text").rglob("*")) if p.is_file())
    victim.write_bytes(victim.read_bytes() + b"tampered")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert_clean(at)
    assert "damaged" in texts(at.error)[0]


# --- Dashboard ------------------------------------------------------------------------------


def test_dashboard_shows_metrics_charts_and_error_explorer(
    app: AppTest, tiny_bundle: object
) -> None:
    report = json.loads((bundle_dir(tiny_bundle) / "report" / "metrics.json").read_text())
    at = app.run().switch_page("views/dashboard.py").run()
    assert_clean(at)
    assert not at.error
    assert at.metric[0].value == f"{report['fused']['weighted_f1']:.3f}"
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    heatmaps = [c for c in charts if c["data"][0]["type"] == "heatmap"]
    assert len(heatmaps) == 3
    assert heatmaps[0]["data"][0]["z"] == report["fused"]["confusion"]
    assert len(charts) == 8  # F1, compensation, 3 confusion, ROC, reliability, triage curve
    assert len(at.dataframe) >= 4  # summary, pairs, paper, rules (+ errors)
    at.segmented_control(key="dashboard_confusion_scale").set_value("normalised").run()
    assert_clean(at)
    z = np.array(json.loads(at.get("plotly_chart")[2].proto.spec)["data"][0]["z"], dtype=float)
    rows = z.sum(axis=1)
    assert np.allclose(rows[rows > 0], 1.0)


def test_dashboard_error_explorer_filters(app: AppTest, tiny_bundle: object) -> None:
    import pandas as pd

    frame = pd.read_csv(bundle_dir(tiny_bundle) / "report" / "predictions.csv", dtype=str)
    at = app.run().switch_page("views/dashboard.py").run()
    at.selectbox(key="dashboard_errors_branch_en").set_value("image").run()
    assert_clean(at)
    wrong = frame[frame["image_pred"] != frame["label"]]
    assert f"{len(wrong):,} matching cases" in texts(at.caption)
    if len(wrong):
        code = wrong["label"].iloc[0]
        at.multiselect(key="dashboard_errors_true_en").set_value([code]).run()
        assert_clean(at)
        n = int((wrong["label"] == code).sum())
        assert f"{n:,} matching cases" in texts(at.caption)


def test_dashboard_in_chinese(app: AppTest) -> None:
    at = app.run()
    at.radio(key="lang_switch").set_value("zh").run()
    at.switch_page("views/dashboard.py").run()
    assert_clean(at)
    assert at.title[0].value == "测试集评估"
    spec = json.loads(at.get("plotly_chart")[2].proto.spec)
    assert "混淆矩阵" in spec["layout"]["title"]["text"]


def _rewrite_report(bundle: Path, metrics_text: str | None) -> None:
    report = bundle / "report"
    if metrics_text is None:
        shutil.rmtree(report)
    else:
        (report / "metrics.json").write_text(metrics_text, encoding="utf-8")
    card = json.loads((bundle / "model_card.json").read_text(encoding="utf-8"))
    write_card(bundle, card)  # fresh checksums: the bundle itself stays valid


def test_dashboard_without_report_says_how_to_make_one(bundle_copy: Path) -> None:
    _rewrite_report(bundle_copy, None)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("views/dashboard.py").run()
    assert_clean(at)
    assert "skinmm evaluate" in texts(at.info)[0]


def test_dashboard_with_corrupt_report_says_how_to_fix_it(bundle_copy: Path) -> None:
    _rewrite_report(bundle_copy, '{"image": {')
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("views/dashboard.py").run()
    assert_clean(at)
    assert "Re-run `skinmm evaluate`" in texts(at.error)[0]


# --- Model card -----------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "heading"), [("en", "Intended use"), ("zh", "预期用途")])
def test_model_card_in_both_languages(
    app: AppTest, tiny_bundle: object, lang: str, heading: str
) -> None:
    card = read_card(bundle_dir(tiny_bundle))
    at = app.run()
    at.radio(key="lang_switch").set_value(lang).run()
    at.switch_page("views/model_card.py").run()
    assert_clean(at)
    assert not at.error
    assert heading in texts(at.subheader)
    classes = at.dataframe[0].value
    names = [c["name_zh" if lang == "zh" else "name_en"] for c in card["classes"]]
    assert classes.iloc[:, 1].tolist() == names


def test_diagnose_saves_each_analysis_as_a_case(app: AppTest) -> None:
    from skinmm.db import list_cases, shared_store

    app.run()
    app.get("file_uploader")[0].set_value(("x.png", png_bytes(), "image/png"))
    app.text_area(key="diagnose_note").input(NOTE)
    app.text_input(key="diagnose_patient").input("PT-0042")
    at = app.button(key="diagnose_analyse").click().run()
    assert_clean(at)
    assert any("Saved as case" in s for s in texts(at.success))
    cases = list_cases(shared_store())
    assert len(cases) == 1 and cases[0].patient_ref == "PT-0042"


def test_diagnose_without_saving_stores_nothing(app: AppTest) -> None:
    from skinmm.db import list_cases, shared_store

    app.run()
    app.get("file_uploader")[0].set_value(("x.png", png_bytes(), "image/png"))
    app.text_area(key="diagnose_note").input(NOTE)
    app.toggle(key="diagnose_save").set_value(False)
    at = app.button(key="diagnose_analyse").click().run()
    assert_clean(at)
    assert not any("Saved as case" in s for s in texts(at.success))
    assert list_cases(shared_store()) == []


def test_unreachable_database_still_shows_the_result(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    at = submit(app, png_bytes(), NOTE)
    assert_clean(at)
    assert len(at.metric) >= 2  # the differential is shown
    assert any("not saved" in w.lower() for w in texts(at.warning))
