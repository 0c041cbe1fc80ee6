from pathlib import Path

import pandas as pd
import pytest

from skinmm.data.manifest import ManifestError, read_manifest, write_manifest
from tests.conftest import CLASSES


def _write(frame: pd.DataFrame, path: Path) -> Path:
    return write_manifest(frame, path)


def test_round_trip_keeps_rows_and_resolves_relative_paths(manifest_frame, tmp_path):
    path = _write(manifest_frame, tmp_path / "manifest.csv")
    stored = pd.read_csv(path)
    assert stored["image_path"].iloc[0] == "images/g0_v0.png"  # stored relative
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


def test_missing_columns_named_with_the_columns_found(tmp_path):
    path = tmp_path / "m.csv"
    pd.DataFrame({"case_id": ["a"], "diagnosis": ["nv"]}).to_csv(path, index=False)
    with pytest.raises(ManifestError) as err:
        read_manifest(path)
    text = str(err.value)
    assert "missing column(s) group_id, image_path, note, label" in text
    assert "header (CSV line 1) has: case_id, diagnosis" in text


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


HEADER = "case_id,group_id,image_path,note,label\n"


def test_latin1_file_names_the_line_and_byte_and_says_save_as_utf8(tmp_path):
    path = tmp_path / "latin1.csv"
    text = HEADER + "a,p1,,Male,nv\nb,p2,,Lesion on the face,nv\nc,p3,,Fémur,mel\n"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ManifestError, match=r"CSV line 4, byte 8 is 0xE9.*Save it as UTF-8"):
        read_manifest(path)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_read_as_such(tmp_path, sep):
    rows = [
        ["case_id", "group_id", "image_path", "note", "label"],
        ["a", "p1", "", "Male, 50.", "nv"],
    ]
    path = tmp_path / "m.csv"
    path.write_text("\n".join(sep.join(r) for r in rows) + "\n", encoding="utf-8")
    back = read_manifest(path, classes=CLASSES)
    assert back.loc[0, "note"] == "Male, 50." and back.loc[0, "label"] == "nv"


def test_escaping_relative_image_path_is_refused_with_its_line(tmp_path, monkeypatch):
    monkeypatch.setenv("SKINMM_DATA", str(tmp_path / "data"))
    path = tmp_path / "m" / "m.csv"
    path.parent.mkdir()
    path.write_text(HEADER + "a,p1,,,nv\nb,p2,../../etc/passwd,,nv\n", encoding="utf-8")
    for check in (True, False):
        with pytest.raises(ManifestError) as err:
            read_manifest(path, check_images=check)
        text = str(err.value)
        assert "leading outside" in text and "CSV line(s) 3 (first: ../../etc/passwd)" in text
        assert "not found" not in text  # named once, as what it is


def test_relative_paths_into_the_data_folder_are_accepted(tmp_path, monkeypatch, manifest_frame):
    monkeypatch.setenv("SKINMM_DATA", str(tmp_path))  # the fixture's images lie under it
    path = _write(manifest_frame, tmp_path / "elsewhere" / "m.csv")
    assert pd.read_csv(path)["image_path"].iloc[0] == "../images/g0_v0.png"
    assert len(read_manifest(path)) == len(manifest_frame)


def test_images_outside_both_roots_are_written_absolute(tmp_path, monkeypatch, manifest_frame):
    monkeypatch.setenv("SKINMM_DATA", str(tmp_path / "data"))
    path = _write(manifest_frame, tmp_path / "m" / "m.csv")
    assert pd.read_csv(path)["image_path"].iloc[0] == str(tmp_path / "images" / "g0_v0.png")
    read_manifest(path)


def test_lines_are_counted_across_multi_line_notes(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(HEADER + 'a,p1,,"Line one\nline two",nv\nb,p2,,,wart\n', encoding="utf-8")
    with pytest.raises(ManifestError, match=r"unknown label\(s\) wart at CSV line\(s\) 4"):
        read_manifest(path, classes=CLASSES)


def test_required_labels_name_the_empty_ones(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(HEADER + "a,p1,,,nv\nb,p2,,,\n", encoding="utf-8")
    read_manifest(path)
    with pytest.raises(ManifestError, match=r"empty label at CSV line\(s\) 3"):
        read_manifest(path, require_labels=True)


def test_empty_and_ragged_files_are_clear(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ManifestError, match="is empty"):
        read_manifest(path)
    path.write_text(HEADER + "a,p1,,,nv,extra,more\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=r"CSV line\(s\) 2 do not have the header.s 5"):
        read_manifest(path)
