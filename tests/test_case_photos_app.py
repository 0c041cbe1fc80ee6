"""Issue 20 through Streamlit's AppTest: a two-photo case saved from Diagnose and shown whole
in History; a follow-up visit linked on Diagnose and in History, the visits side by side."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from skinmm.db import list_cases, shared_store
from skinmm.db.followup import visit_chain
from skinmm.db.repository import get_case, save_analysis
from skinmm.db.store import forget_shared_stores
from tests.conftest import synthetic_image
from tests.test_db_helpers import make_prediction

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120
EARLIER = datetime.now(UTC) - timedelta(days=60)


@pytest.fixture
def app(tiny_bundle: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.setenv("SKINMM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SKINMM_BUNDLE", str(Path(getattr(tiny_bundle, "path", tiny_bundle))))
    forget_shared_stores()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def history(case_id: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "views" / "history.py"), default_timeout=TIMEOUT)
    at.query_params["case"] = case_id
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def png(seed: int) -> bytes:
    out = io.BytesIO()
    synthetic_image(np.random.default_rng(seed), label=seed % 3, size=64).save(out, format="PNG")
    return out.getvalue()


def image_captions(at: AppTest) -> list[str]:
    return [str(i.caption) for element in at.get("image") for i in element.proto.imgs]


def texts(elements: object) -> list[str]:
    return [str(e.value) for e in elements]  # type: ignore[attr-defined]


def analyse(at: AppTest, patient: str, photos: list[bytes]) -> AppTest:
    at.text_input(key="diagnose_patient").input(patient).run()
    at.get("file_uploader")[0].set_value(("first.png", photos[0], "image/png"))
    if len(photos) > 1:
        more = [(f"view{k}.png", p, "image/png") for k, p in enumerate(photos[1:], start=2)]
        at.get("file_uploader")[1].set_value(more)
    return at


def test_a_two_photo_case_is_saved_and_history_shows_both_photos(app: AppTest) -> None:
    at = analyse(app.run(), "P-7", [png(0), png(1)])
    at = at.button(key="diagnose_analyse").click().run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    assert "Based on 2 photos" in texts(at.info)
    assert any("Saved as case" in s for s in texts(at.success))
    [row] = list_cases(shared_store())
    case = get_case(shared_store(), row.id)
    assert [shared_store().images.get(p.image_sha256, p.image_ext) for p in case.photos] == [
        png(0),
        png(1),
    ]
    assert all(p.image_proba is not None for p in case.photos)

    page = history(row.id)
    assert any("All 2 photos of this lesion" in m for m in texts(page.markdown))
    captions = [c for c in image_captions(page) if "this photo alone gives" in c]
    assert [c.split(":")[0] for c in captions] == ["Photo 1", "Photo 2"]
    assert len(page.get("download_button")) == 1  # the PDF report is still offered


def test_a_follow_up_is_linked_on_diagnose_and_history_shows_the_visits(app: AppTest) -> None:
    store = shared_store()
    earlier = save_analysis(
        store,
        prediction=make_prediction(image=5, text=5),
        bundle_name="tiny",
        bundle_sha="b" * 64,
        image_bytes=png(7),
        patient_ref="P-7",
        created_at=EARLIER,
    )
    save_analysis(  # another patient's case is never offered
        store,
        prediction=make_prediction(),
        bundle_name="tiny",
        bundle_sha="b" * 64,
        patient_ref="P-8",
        created_at=EARLIER,
    )
    at = analyse(app.run(), "P-7", [png(0)])
    picker = at.selectbox(key="diagnose_follows_0")
    assert picker.label == "Follow-up of an earlier case"
    assert (
        picker.options[1:] == [f"{EARLIER.strftime('%Y-%m-%d')} · case {earlier[:8]} · nv"]
        and len(picker.options) == 2
    )
    at.radio(key="lang_switch").set_value("zh").run()
    assert at.selectbox(key="diagnose_follows_0").label == "既往病例的随访"
    at.radio(key="lang_switch").set_value("en").run()
    at.selectbox(key="diagnose_follows_0").set_value(earlier).run()
    at = at.button(key="diagnose_analyse").click().run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    later = next(r.id for r in list_cases(store) if r.id not in (earlier,) and r.has_image)
    assert get_case(store, later).follows_case_id == earlier
    assert [v.case_id for v in visit_chain(store, later)] == [earlier, later]

    page = history(later)
    assert any("Visits of this lesion" in m for m in texts(page.markdown))
    scores = [m for m in page.metric if m.label == "Malignancy score"]
    assert len(scores) == 2
    assert scores[0].proto.delta == "" and scores[1].proto.delta.endswith("%")


def test_history_links_a_saved_case_to_an_earlier_visit(app: AppTest) -> None:
    store = shared_store()
    common = {"bundle_name": "tiny", "bundle_sha": "b" * 64, "patient_ref": "P-7"}
    first = save_analysis(
        store, prediction=make_prediction(), image_bytes=png(1), created_at=EARLIER, **common
    )
    second = save_analysis(store, prediction=make_prediction(), image_bytes=png(2), **common)
    page = history(second)
    assert not any("Visits of this lesion" in m for m in texts(page.markdown))
    page.selectbox(key=f"history_follows_{second}").set_value(first)
    page.button(key=f"history_link_{second}").click().run()
    assert not page.exception, [e.message for e in page.exception]
    assert get_case(store, second).follows_case_id == first
    assert any("Visits of this lesion" in m for m in texts(page.markdown))
    page = history(first)  # the earlier visit shows the chain too, and no link form
    assert any("Visits of this lesion" in m for m in texts(page.markdown))
    assert not [b for b in page.button if b.key == f"history_link_{first}"]
