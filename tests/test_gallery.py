"""The example gallery: the documented pick rule, the shipped cases, and "Try an example"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from skinmm.bundle import load_bundle, read_card
from skinmm.gallery import (
    GALLERY_JSON,
    gallery_folder,
    load_gallery,
    pick_examples,
    pick_positions,
    write_gallery,
)

# Every test starts the app afresh (conftest.app_home).
pytestmark = pytest.mark.usefixtures("app_home")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "models" / "default"
TIMEOUT = 120


def bundle_dir(tiny_bundle: object) -> Path:
    return Path(getattr(tiny_bundle, "path", tiny_bundle))


def make_gallery(bundle: Path) -> list:
    """The gallery of ``bundle`` from its own report, as scripts/make_examples.py makes it."""
    codes = [c["code"] for c in read_card(bundle)["classes"]]
    predictions = pd.read_csv(bundle / "report" / "predictions.csv", dtype={"case_id": str})
    picked = pick_examples(predictions, codes)
    return write_gallery(picked, {}, Path, gallery_folder(bundle))


@pytest.fixture
def gallery_bundle(tiny_bundle: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "bundle"
    shutil.copytree(bundle_dir(tiny_bundle), copy)
    make_gallery(copy)
    monkeypatch.setenv("SKINMM_BUNDLE", str(copy))
    return copy


def failures(at: AppTest) -> list[str]:
    """Error boxes (a triage "refer" verdict is an st.error too, and is a result, not one)."""
    return [str(e.value) for e in at.error if e.icon == ":material/error:"]


def texts(elements: object) -> list[str]:
    return [str(e.value) for e in elements]  # type: ignore[attr-defined]


def test_pick_positions_are_first_middle_last_without_repeats() -> None:
    assert pick_positions(46) == [0, 23, 45]
    assert pick_positions(5) == [0, 2, 4]
    assert pick_positions(2) == [0, 1]
    assert pick_positions(1) == [0]
    assert pick_positions(0) == []


def test_pick_rule_takes_highest_median_lowest_true_class_probability() -> None:
    rows = [
        {"case_id": f"c{i}", "label": "mel", "fused_mel": p, "fused_nv": 1 - p}
        for i, p in enumerate([0.9, 0.1, 0.5, 0.7, 0.3])
    ]
    rows.append({"case_id": "n0", "label": "nv", "fused_mel": 0.2, "fused_nv": 0.8})
    picked = pick_examples(pd.DataFrame(rows), ["mel", "nv"])
    assert picked["case_id"].tolist() == ["c0", "c2", "c1", "n0"]
    assert picked["pick"].tolist() == ["highest", "median", "lowest", "highest"]
    assert picked["true_probability"].tolist() == [0.9, 0.5, 0.1, 0.8]


def test_shipped_gallery_follows_the_rule_from_the_bundles_own_report(
    shipped_bundle: Path,
) -> None:
    """The rule re-applied to the committed report gives the committed cases."""
    codes = [c["code"] for c in read_card(shipped_bundle)["classes"]]
    shipped = load_gallery(shipped_bundle, codes)
    predictions = pd.read_csv(shipped_bundle / "report" / "predictions.csv", dtype={"case_id": str})
    picked = pick_examples(predictions, codes)
    assert [e.case_id for e in shipped] == picked["case_id"].tolist()
    assert all(sum(e.label == c for e in shipped) >= 3 for c in codes)
    assert {e.pick for e in shipped} == {"highest", "median", "lowest"}
    for example in shipped:
        with Image.open(example.photo_path(gallery_folder(shipped_bundle))) as photo:
            assert photo.format == "JPEG" and max(photo.size) <= 300
        # HAM10000 lacks age, sex and site for a few cases: their note is empty in both.
        assert bool(example.note_en) == bool(example.note_zh)
    readme = (gallery_folder(shipped_bundle) / "README.md").read_text(encoding="utf-8")
    assert "CC BY-NC-SA 4.0" in readme and "Tschandl" in readme


def test_the_gallery_is_outside_the_seal_so_the_bundle_loads_without_warnings(
    recwarn: pytest.WarningsRecorder,
) -> None:
    card = read_card(DEFAULT)
    assert not any(name.startswith("examples/") for name in card["files"])
    load_bundle(DEFAULT)
    assert not [w for w in recwarn if "does not cover" in str(w.message)]


def test_a_malformed_index_is_refused_with_what_is_wrong(tmp_path: Path) -> None:
    folder = gallery_folder(tmp_path)
    folder.mkdir()
    (folder / GALLERY_JSON).write_text(json.dumps([{"case_id": "x"}]), encoding="utf-8")
    with pytest.raises(ValueError, match="needs exactly the fields"):
        load_gallery(tmp_path)


def test_try_an_example_loads_it_and_shows_the_truth_only_after_the_analysis(
    gallery_bundle: Path,
) -> None:
    examples = load_gallery(gallery_bundle)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at = at.button(key="diagnose_try_example").click().run()
    assert not at.exception
    first = next(e for e in examples if e.pick == "median")
    assert at.text_area(key="diagnose_note").value == first.note_en
    assert any(first.case_id in c for c in texts(at.caption))
    assert not any("True diagnosis" in m for m in texts(at.markdown))  # not before

    at = at.button(key="diagnose_analyse").click().run()
    assert not at.exception and not failures(at)
    assert "True diagnosis of this example" in " ".join(texts(at.markdown))
    truth = next(c for c in read_card(gallery_bundle)["classes"] if c["code"] == first.label)
    assert f"#### {truth['name_en']}" in texts(at.markdown)
    assert any("CC BY-NC-SA 4.0" in c for c in texts(at.caption))

    # The next click is the next example, and a fresh case: the old result is gone.
    at = at.button(key="diagnose_try_example").click().run()
    assert not at.get("plotly_chart")
    assert not any("True diagnosis" in m for m in texts(at.markdown))


def test_an_upload_wins_over_the_loaded_example(gallery_bundle: Path) -> None:
    import io

    import numpy as np

    pixels = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at = at.button(key="diagnose_try_example").click().run()
    at.get("file_uploader")[0].set_value(("mine.png", out.getvalue(), "image/png"))
    at = at.button(key="diagnose_analyse").click().run()
    assert not at.exception
    assert "Photo analysed: mine.png" in texts(at.text)
    assert not any("True diagnosis" in m for m in texts(at.markdown))


def test_once_its_photos_are_written_the_app_needs_no_data_folder_for_an_example(
    shipped_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped bundle and gallery, no data folder at run time: one click, then Analyse."""
    monkeypatch.setenv("SKINMM_BUNDLE", str(shipped_bundle))
    monkeypatch.setenv("SKINMM_DATA", str(tmp_path / "no-data"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at = at.button(key="diagnose_try_example").click().run()
    at = at.button(key="diagnose_analyse").click().run()
    assert not at.exception and not failures(at)
    assert at.get("plotly_chart")
    assert len(at.get("image")) >= 4  # the example, then Grad-CAM of the top three
    assert "True diagnosis of this example" in " ".join(texts(at.markdown))


def test_example_photos_are_written_from_the_data_folder_not_committed(tmp_path: Path) -> None:
    from skinmm.gallery import GALLERY_JSON, SCOPE_EXAMPLE, load_gallery, restore_photos

    bundle = tmp_path / "bundle"
    (bundle / "examples").mkdir(parents=True)
    record = {
        "case_id": "ISIC_1",
        "label": "nv",
        "image": "ISIC_1.jpg",
        "note_en": "Male, 50 years.",
        "note_zh": "男，50岁。",
        "pick": "median",
        "true_probability": 0.5,
        "report_prediction": "nv",
    }
    (bundle / "examples" / GALLERY_JSON).write_text(json.dumps([record]), encoding="utf-8")
    assert load_gallery(bundle) == []  # no photo yet: the example stays hidden
    data = tmp_path / "data"
    (data / "ham10000" / "images").mkdir(parents=True)
    Image.new("RGB", (600, 450), (180, 120, 100)).save(data / "ham10000" / "images" / "ISIC_1.jpg")
    assert restore_photos(bundle, data) == (1, [SCOPE_EXAMPLE[0]])
    with Image.open(bundle / "examples" / "ISIC_1.jpg") as small:
        assert min(small.size) == 260
    assert [e.case_id for e in load_gallery(bundle)] == ["ISIC_1"]
    assert restore_photos(bundle, data) == (0, [SCOPE_EXAMPLE[0]])  # present photos are kept
