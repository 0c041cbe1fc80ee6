from pathlib import Path

import pandas as pd
import pytest

from skinmm.data.manifest import ManifestError, read_manifest, write_manifest
from tests.conftest import CLASSES


def _write(frame: pd.DataFrame, path: Path) -> Path:
    return write_manifest(frame, path)


def test_round_trip_keeps_rows_and_resolves_relative_paths(manifest_frame, tmp_path):
    path = _write(manifest_frame, tmp_path / "m" / "manifest.csv")
    stored = pd.read_csv(path)
    assert not stored["image_path"].iloc[0].startswith("/")  # stored relative
    back = read_manifest(path, classes=CLASSES, verify_images=True)
    assert len(back) == len(manifest_frame)
    assert Path(back["image_path"].iloc[0]).is_absolute()
    assert list(back.columns[:5]) == ["case_id", "group_id", "image_path", "note", "label"]


def test_one_error_lists_every_problem_with_rows(manifest_frame, tmp_path):
    bad = manifest_frame.copy()
    bad.loc[1, "case_id"] = bad.loc[0, "case_id"]
    bad.loc[4, "label"] = "wart"
    bad.loc[5, "image_path"] = str(tmp_path / "nowhere.png")
    bad.loc[3, "label"] = "mel" if bad.loc[2, "label"] != "mel" else "nv"  # group of rows 2-3
    path = _write(bad, tmp_path / "bad.csv")
    with pytest.raises(ManifestError) as err:
        read_manifest(path, classes=CLASSES)
    text = str(err.value)
    assert "duplicate case_id at CSV line(s) 3" in text
    assert "unknown label(s) wart" in text
    assert "image file(s) not found at CSV line(s) 7" in text
    assert "carry two labels" in text


def test_missing_columns_named(tmp_path):
    path = tmp_path / "m.csv"
    pd.DataFrame({"case_id": ["a"], "label": ["nv"]}).to_csv(path, index=False)
    with pytest.raises(ManifestError, match="missing column"):
        read_manifest(path)


def test_unreadable_image_found_when_verifying(manifest_frame, tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image at all")
    frame = manifest_frame.copy()
    frame.loc[0, "image_path"] = str(broken)
    path = _write(frame, tmp_path / "m.csv")
    read_manifest(path)  # existence alone passes
    with pytest.raises(ManifestError, match="unreadable image"):
        read_manifest(path, verify_images=True)


def test_text_only_and_unlabelled_rows_are_valid(tmp_path):
    frame = pd.DataFrame(
        {
            "case_id": ["a", "b"],
            "group_id": ["p1", "p2"],
            "image_path": ["", ""],
            "note": ["Male, 50 years.", ""],
            "label": ["nv", ""],
        }
    )
    back = read_manifest(_write(frame, tmp_path / "t.csv"), classes=CLASSES)
    assert back["image_path"].tolist() == ["", ""]


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ManifestError, match="skinmm manifest"):
        read_manifest(tmp_path / "none.csv")


def test_patients_may_have_lesions_of_different_diagnoses(tmp_path):
    frame = pd.DataFrame(
        {
            "case_id": ["a", "b", "c"],
            "group_id": ["p1", "p1", "p1"],
            "lesion_id": ["l1", "l2", "l2"],
            "image_path": ["", "", ""],
            "note": ["", "", ""],
            "label": ["nv", "mel", "mel"],
        }
    )
    read_manifest(_write(frame, tmp_path / "ok.csv"), classes=CLASSES)
    frame.loc[2, "label"] = "nv"
    with pytest.raises(ManifestError, match=r"lesion\(s\) .*carry two labels"):
        read_manifest(_write(frame, tmp_path / "bad.csv"), classes=CLASSES)
