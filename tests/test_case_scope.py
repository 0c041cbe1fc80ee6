"""The scope verdict and the prediction set saved with a case: store, archive, History, PDF."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from skinmm import scope
from skinmm.bundle import Bundle, load_bundle
from skinmm.casereport.report import build_case_report
from skinmm.db.archive import TransferError
from skinmm.db.audit import Actor, list_audit
from skinmm.db.repository import (
    bundle_fingerprint,
    get_case,
    list_cases,
    mark_shown_anyway,
    save_analysis,
    to_prediction,
)
from skinmm.db.store import Store, current_revision, downgrade, open_store
from skinmm.db.transfer import export_cases, import_cases
from skinmm.prediction import Prediction
from tests.conftest import synthetic_image
from tests.test_db_helpers import HEAD, make_prediction
from tests.test_report_pdf import pdf_text
from tests.test_scope import synthetic_gate  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[1]
ADA = Actor("ada", "clinician")


@pytest.fixture(scope="module")
def gated(
    tiny_bundle: Path,
    synthetic_gate: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """The tiny bundle with the synthetic gate added (a copy)."""
    copy = tmp_path_factory.mktemp("gated") / "bundle"
    shutil.copytree(tiny_bundle, copy)
    scope.add_to_bundle(copy, synthetic_gate)
    return copy


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


RED = png(Image.new("RGB", (300, 300), (200, 30, 30)))  # the solid red square


def lesion_png(bundle: Bundle) -> bytes:
    """A synthetic lesion photo that this gate lets through."""
    rng = np.random.default_rng(9)
    for k in range(28):
        data = png(synthetic_image(rng, k % 7, size=160))
        if bundle.predict(image=data).scope.verdict == "in_scope":
            return data
    raise AssertionError("no synthetic lesion passed the gate")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'cases.db'}", tmp_path / "home")


def save(store: Store, bundle: Bundle, photo: bytes) -> tuple[str, Prediction]:
    prediction = bundle.predict(image=photo, note="Male, 60. Back.")
    case_id = save_analysis(
        store,
        prediction=prediction,
        bundle_name=bundle.name,
        bundle_sha=bundle_fingerprint(bundle.card),
        image_bytes=photo,
        actor=ADA,
    )
    return case_id, prediction


def test_verdict_scores_and_set_are_stored_and_read_back(gated: Path, store: Store) -> None:
    bundle = load_bundle(gated)
    red_id, red = save(store, bundle, RED)
    ok_id, ok = save(store, bundle, lesion_png(bundle))
    assert red.scope is not None and red.prediction_set is not None
    record = get_case(store, red_id).latest_prediction
    assert record is not None
    assert (record.scope_verdict, record.scope_reasons) == ("not_skin", ["flat_colour"])
    assert record.scope_scores == red.scope.to_dict()["scores"]
    again = to_prediction(record)
    assert again.scope is not None and again.scope.verdict == "not_skin"
    assert again.prediction_set is not None
    assert (again.prediction_set.level, again.prediction_set.codes) == (
        red.prediction_set.level,
        red.prediction_set.codes,
    )
    rows = {r.id: r for r in list_cases(store)}
    assert rows[red_id].scope_verdict == "not_skin" and rows[ok_id].scope_verdict == "in_scope"
    assert rows[red_id].scope_shown_anyway is None
    mark_shown_anyway(store, red_id, actor=ADA)
    mark_shown_anyway(store, red_id, actor=ADA)  # once is recorded
    assert {r.id: r for r in list_cases(store)}[red_id].scope_shown_anyway is True
    with pytest.raises(ValueError, match="not outside"):
        mark_shown_anyway(store, ok_id, actor=ADA)
    changes = [e for e in list_audit(store, case_id=red_id) if e.action == "change"]
    assert len(changes) == 1 and "out of scope" in (changes[0].detail or "")
    assert ok.scope is not None and to_prediction(get_case(store, ok_id).latest_prediction).scope


def test_a_case_without_gate_or_set_keeps_nulls_and_reads(store: Store) -> None:
    case_id = save_analysis(
        store, prediction=make_prediction(), bundle_name="old", bundle_sha="c" * 64
    )
    record = get_case(store, case_id).latest_prediction
    assert record is not None
    assert (record.scope_verdict, record.set_level, record.set_classes) == (None, None, None)
    again = to_prediction(record)
    assert again.scope is None and again.prediction_set is None


def test_migration_0004_goes_down_and_up_keeping_cases(store: Store) -> None:
    case_id = save_analysis(
        store, prediction=make_prediction(), bundle_name="old", bundle_sha="c" * 64
    )
    downgrade(store.engine, "0003")
    assert current_revision(store.engine) == "0003"
    from skinmm.db.store import upgrade

    upgrade(store.engine)
    assert current_revision(store.engine) == HEAD
    assert get_case(store, case_id).latest_prediction.scope_verdict is None  # type: ignore[union-attr]


def archive_lines(path: Path) -> list[dict]:
    with zipfile.ZipFile(path) as archive:
        return [json.loads(line) for line in archive.read("cases.jsonl").splitlines()]


def rewrite(path: Path, out: Path, change) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the export with each prediction row changed by ``change``."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "cases.jsonl":
                lines = [json.loads(line) for line in data.splitlines()]
                for line in lines:
                    for prediction in line["predictions"]:
                        change(prediction)
                data = "".join(json.dumps(line) + "\n" for line in lines).encode()
            dst.writestr(item, data)
    return out


def test_export_import_round_trips_and_old_archives_still_import(
    gated: Path, store: Store, tmp_path: Path
) -> None:
    bundle = load_bundle(gated)
    red_id, _ = save(store, bundle, RED)
    mark_shown_anyway(store, red_id)
    export = tmp_path / "cases.zip"
    export_cases(store, export)
    [line] = archive_lines(export)
    assert line["predictions"][0]["scope_verdict"] == "not_skin"
    other = open_store(f"sqlite:///{tmp_path / 'other.db'}", tmp_path / "other")
    import_cases(other, export)
    record = get_case(other, red_id).latest_prediction
    original = get_case(store, red_id).latest_prediction
    assert record is not None and original is not None
    for column in ("scope_verdict", "scope_scores", "scope_reasons", "scope_shown_anyway"):
        assert getattr(record, column) == getattr(original, column), column
    assert (record.set_level, record.set_classes) == (original.set_level, original.set_classes)

    def strip(prediction: dict) -> None:  # an archive written before 0004
        for key in [k for k in prediction if k.startswith(("scope_", "set_"))]:
            del prediction[key]

    old = rewrite(export, tmp_path / "old.zip", strip)
    third = open_store(f"sqlite:///{tmp_path / 'third.db'}", tmp_path / "third")
    assert import_cases(third, old).added_cases == 1
    assert get_case(third, red_id).latest_prediction.scope_verdict is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("scope_verdict", "maybe", "scope_verdict must be one of"),
        ("scope_scores", {"distance": "far"}, "must be a number"),
        ("set_classes", ["zzz"], "not a taxonomy code"),
        ("set_level", 1.5, "set_level must be a level"),
    ],
)
def test_import_refuses_a_bad_scope_or_set_and_adds_nothing(
    gated: Path, store: Store, tmp_path: Path, field: str, value: object, message: str
) -> None:
    bundle = load_bundle(gated)
    save(store, bundle, RED)
    export = tmp_path / "cases.zip"
    export_cases(store, export)
    bad = rewrite(export, tmp_path / "bad.zip", lambda p: p.__setitem__(field, value))
    other = open_store(f"sqlite:///{tmp_path / 'other.db'}", tmp_path / "other")
    with pytest.raises(TransferError, match=message):
        import_cases(other, bad)
    assert list_cases(other) == []


def test_shown_anyway_on_an_in_scope_case_is_refused_on_import(
    gated: Path, store: Store, tmp_path: Path
) -> None:
    bundle = load_bundle(gated)
    save(store, bundle, lesion_png(bundle))
    export = tmp_path / "cases.zip"
    export_cases(store, export)
    bad = rewrite(export, tmp_path / "bad.zip", lambda p: p.__setitem__("scope_shown_anyway", True))
    other = open_store(f"sqlite:///{tmp_path / 'other.db'}", tmp_path / "other")
    with pytest.raises(TransferError, match="only set for an image outside"):
        import_cases(other, bad)


def test_the_pdf_prints_verdict_mark_and_set_in_english_and_chinese(
    gated: Path, store: Store
) -> None:
    bundle = load_bundle(gated)
    red_id, red = save(store, bundle, RED)
    text = pdf_text(build_case_report(store, red_id))
    assert "Input check" in text and "Not a skin lesion" in text
    assert "was not shown to the" in text
    assert "Differential (outside the model's scope)" in text
    assert red.prediction_set is not None
    assert f"With {red.prediction_set.level:.0%} confidence the diagnosis is among" in text
    mark_shown_anyway(store, red_id)
    text = pdf_text(build_case_report(store, red_id))
    assert "asked to see the" in text
    # Chinese characters need a CJK font; without one they print as "?", the ASCII stays.
    zh = pdf_text(build_case_report(store, red_id, lang="zh"))
    assert "%" in zh and "Input check" not in zh


def test_diagnose_records_shown_anyway_and_history_shows_verdict_and_set(
    gated: Path, app_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKINMM_BUNDLE", str(gated))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.get("file_uploader")[0].set_value(("red.png", RED, "image/png"))
    at.button(key="diagnose_analyse").click().run()
    store = open_store(home=app_home)
    [row] = list_cases(store)
    assert (row.scope_verdict, row.scope_shown_anyway) == ("not_skin", None)
    at.checkbox(key="diagnose_scope_show_0").check().run()
    assert not at.exception, [e.message for e in at.exception]
    [row] = list_cases(store)
    assert row.scope_shown_anyway is True
    history = AppTest.from_file(str(ROOT / "views" / "history.py"), default_timeout=120).run()
    table = history.dataframe[0].value
    assert list(table["Input check"]) == ["Not a skin lesion (shown anyway)"]
    history.selectbox(key="history_case").select(row.id).run()
    assert not history.exception, [e.message for e in history.exception]
    assert any("asked to see the differential anyway" in e.value for e in history.error)
    assert any("confidence the diagnosis is among" in m.value for m in history.markdown)


def test_out_of_scope_explanation_shows_the_example_thumbnail(
    gated: Path,
    app_home: Path,
    shipped_bundle: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    copy = tmp_path / "with-example"
    shutil.copytree(gated, copy)
    (copy / "examples").mkdir()
    shutil.copyfile(shipped_bundle / scope.EXAMPLE, copy / scope.EXAMPLE)
    monkeypatch.setenv("SKINMM_BUNDLE", str(copy))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.get("file_uploader")[0].set_value(("red.png", RED, "image/png"))
    at.button(key="diagnose_analyse").click().run()
    assert not at.exception, [e.message for e in at.exception]
    captions = [c for image in at.get("image") for c in image.captions]
    assert any("What the model expects" in c for c in captions), captions


def test_the_shipped_example_is_small_dermoscopic_and_attributed(shipped_bundle: Path) -> None:
    path = shipped_bundle / scope.EXAMPLE
    with Image.open(path) as image:
        assert image.format == "JPEG" and max(image.size) <= 160
    note = (path.parent / "SCOPE_EXAMPLE.md").read_text()
    assert "CC BY-NC-SA 4.0" in note and "ISIC_" in note and "HAM10000" in note
    assert scope.example_image(shipped_bundle) == path
