"""Several photos of one lesion: combinations by hand, the choice, and a real tiny bundle."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from skinmm.bundle import load_bundle
from skinmm.db import list_cases, shared_store
from skinmm.db.repository import get_case
from skinmm.multiphoto import (
    MAX_PHOTOS,
    card_combination,
    choose_combination,
    combine,
    combine_groups,
    predict_photos,
)
from tests.conftest import synthetic_image

ROOT = Path(__file__).resolve().parents[1]
TWO = np.array([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]])


def test_combinations_by_hand() -> None:
    np.testing.assert_allclose(combine(TWO, "mean"), [0.4, 0.25, 0.35])
    geometric = np.sqrt([0.12, 0.06, 0.06])
    np.testing.assert_allclose(combine(TWO, "log_mean"), geometric / geometric.sum())
    np.testing.assert_allclose(combine(TWO, "max"), np.array([0.6, 0.3, 0.6]) / 1.5)
    np.testing.assert_allclose(combine(TWO[:1], "log_mean"), TWO[0])  # one photo: itself
    with pytest.raises(ValueError, match="Unknown combination"):
        combine(TWO, "median")
    with pytest.raises(ValueError):
        combine(np.empty((0, 3)), "mean")


def test_groups_are_combined_in_order_of_first_appearance() -> None:
    proba = np.vstack([TWO, [[0.1, 0.8, 0.1]]])
    names, combined = combine_groups(proba, ["b", "b", "a"], "mean")
    assert names == ["b", "a"]
    np.testing.assert_allclose(combined, [[0.4, 0.25, 0.35], [0.1, 0.8, 0.1]])


def test_the_choice_is_scored_on_lesions_with_several_photos_only() -> None:
    # Lesion L1 (class 0): mean says 0 (right), max says 2 (wrong); L2 (class 2) has one
    # photo and is left out; the product agrees with the mean here.
    proba = np.array([[0.6, 0.3, 0.1], [0.35, 0.0, 0.65], [0.1, 0.1, 0.8]])
    block = choose_combination(proba, [0, 0, 2], ["L1", "L1", "L2"], 3)
    assert block["n_lesions"] == 1 and block["n_photos"] == 2
    assert block["validation"]["max"]["balanced_accuracy"] == 0.0
    assert block["validation"]["mean"]["balanced_accuracy"] == 1.0
    assert block["combination"] == "mean"  # ties with log_mean: the first in the order
    with pytest.raises(ValueError, match="two or more"):
        choose_combination(proba, [0, 1, 2], ["a", "b", "c"], 3)


def test_the_card_names_the_combination_else_the_mean() -> None:
    assert card_combination({"multi_photo": {"combination": "max"}}) == "max"
    assert card_combination({}) == "mean"
    assert card_combination({"multi_photo": {"combination": "vote"}}) == "mean"


def test_a_real_bundle_combines_several_photos(tiny_bundle: object) -> None:
    bundle = load_bundle(Path(getattr(tiny_bundle, "path", tiny_bundle)))
    rng = np.random.default_rng(1)
    photos = [synthetic_image(rng, label=k % 3) for k in range(3)]
    lesion, each = predict_photos(bundle, photos, "Male, 50 years. Lesion on the back.")
    assert len(each) == 3
    expected = combine(np.stack([p.image for p in each]), card_combination(bundle.card))
    np.testing.assert_allclose(lesion.image, expected)
    assert lesion.fused.sum() == pytest.approx(1.0)
    alone, single = predict_photos(bundle, photos[:1], None)
    assert single == [alone] and alone.image is not None
    with pytest.raises(ValueError, match="between 1 and"):
        predict_photos(bundle, photos * MAX_PHOTOS, None)


# --- Diagnose with several photos ----------------------------------------------------------


@pytest.fixture
def app(tiny_bundle: object, app_home: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SKINMM_BUNDLE", str(Path(getattr(tiny_bundle, "path", tiny_bundle))))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def png(seed: int) -> bytes:
    out = io.BytesIO()
    synthetic_image(np.random.default_rng(seed), label=seed % 3, size=64).save(out, format="PNG")
    return out.getvalue()


def test_diagnose_combines_several_photos_and_shows_a_cam_for_each(app: AppTest) -> None:
    at = app.run()
    at.get("file_uploader")[0].set_value(("first.png", png(0), "image/png"))
    more = [(f"view{k}.png", png(k), "image/png") for k in (1, 2)]
    at.get("file_uploader")[1].set_value(more)
    at = at.button(key="diagnose_analyse").click().run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    assert "Based on 3 photos" in texts(at.info)
    captions = [c for c in image_captions(at) if "this photo alone gives" in c]
    assert [c.split(":")[0] for c in captions] == ["first.png", "view1.png", "view2.png"]

    [row] = list_cases(shared_store())  # the case keeps every photo (issue 20)
    assert len(get_case(shared_store(), row.id).photos) == 3

    at.radio(key="lang_switch").set_value("zh").run()
    assert "基于 3 张照片" in texts(at.info)


def test_more_than_five_photos_are_refused_with_what_to_do(app: AppTest) -> None:
    at = app.run()
    at.get("file_uploader")[0].set_value(("first.png", png(0), "image/png"))
    at.get("file_uploader")[1].set_value([(f"v{k}.png", png(k), "image/png") for k in range(5)])
    at = at.button(key="diagnose_analyse").click().run()
    assert not at.exception
    assert any("at most 5 photos" in e for e in texts(at.error))
    assert not at.get("plotly_chart")


def test_one_photo_says_nothing_about_photos(app: AppTest) -> None:
    at = app.run()
    at.get("file_uploader")[0].set_value(("first.png", png(0), "image/png"))
    at = at.button(key="diagnose_analyse").click().run()
    assert not any("Based on" in i for i in texts(at.info))
    assert len(list_cases(shared_store())) == 1


def texts(elements: object) -> list[str]:
    return [str(e.value) for e in elements]  # type: ignore[attr-defined]


def image_captions(at: AppTest) -> list[str]:
    return [str(i.caption) for element in at.get("image") for i in element.proto.imgs]
