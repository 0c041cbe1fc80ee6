"""Every refusal of `skinmm manifest folder | csv`, `merge`, `split` and `train` names the file,
the line and what to do (issue 18), run through the command line as a user meets it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import synthetic_image

from skinmm.cli import main

HEADER = "case_id,group_id,image_path,note,label\n"


def refusal(args: list[str], capsys: pytest.CaptureFixture) -> str:
    """The command's error text; it must refuse (exit 2) and write nothing."""
    out = Path(args[args.index("--out") + 1])
    assert main(args) == 2
    assert not out.exists()
    return " ".join(capsys.readouterr().err.split())


def clinic(root: Path, folders: tuple[str, ...] = ("黑色素瘤", "bcc")) -> Path:
    rng = np.random.default_rng(0)
    tree = root / "clinic"
    for k, folder in enumerate(folders):
        (tree / folder).mkdir(parents=True)
        for i in range(2):
            synthetic_image(rng, k).save(tree / folder / f"{k}_{i}.png")
    return tree


def folder_args(tree: Path, *extra: str) -> list[str]:
    return ["manifest", "folder", str(tree), *extra, "--out", str(tree.parent / "m.csv")]


# -- skinmm manifest folder -----------------------------------------------------------------


def test_folder_notes_table_without_file_column(tmp_path: Path, capsys) -> None:
    tree = clinic(tmp_path)
    pd.DataFrame({"name": ["0_0.png"], "note": ["男，60岁。"]}).to_csv(
        tmp_path / "notes.csv", index=False
    )
    text = refusal(folder_args(tree, "--notes", str(tmp_path / "notes.csv")), capsys)
    assert "notes.csv" in text and "line 1" in text and "no `file` column" in text
    assert "Name the column that holds each image's path or file name `file`" in text


def test_folder_mapping_with_unknown_label(tmp_path: Path, capsys) -> None:
    tree = clinic(tmp_path, ("黑色素瘤", "杂项"))
    (tmp_path / "map.csv").write_text("黑色素瘤,mel\n杂项,lichen\n", encoding="utf-8")
    text = refusal(folder_args(tree, "--map", str(tmp_path / "map.csv")), capsys)
    assert "map.csv" in text and "line 2: 'lichen'" in text
    assert "Write one `folder name,label` per line" in text


def test_folder_notes_table_naming_one_image_twice(tmp_path: Path, capsys) -> None:
    tree = clinic(tmp_path)
    table = pd.DataFrame({"file": ["0_0.png", "bcc/1_0.png", "黑色素瘤/0_0.png"], "note": "x"})
    table.to_csv(tmp_path / "notes.csv", index=False)
    text = refusal(folder_args(tree, "--notes", str(tmp_path / "notes.csv")), capsys)
    assert "notes.csv: line(s) 2, 4 describe the same image twice" in text
    assert "keep one row per image" in text


def test_folder_notes_row_without_its_image_is_left_out_and_said(tmp_path: Path, capsys) -> None:
    tree = clinic(tmp_path)
    table = pd.DataFrame({"file": ["0_0.png", "gone.png"], "patient_id": ["p1", "p2"]})
    table.to_csv(tmp_path / "notes.csv", index=False)
    assert main(folder_args(tree, "--notes", str(tmp_path / "notes.csv"))) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "notes.csv: line(s) 3 name no image under the folder (first: gone.png)" in said


def test_folder_images_differing_only_by_extension_keep_distinct_case_ids(
    tmp_path: Path, capsys
) -> None:
    tree = clinic(tmp_path)
    synthetic_image(np.random.default_rng(1), 1).save(tree / "bcc" / "1_0.jpg")
    assert main(folder_args(tree)) == 0
    frame = pd.read_csv(tmp_path / "m.csv", dtype=str, keep_default_na=False)
    assert frame["case_id"].is_unique and len(frame) == 5
    assert {"bcc/1_0.jpg", "bcc/1_0.png", "bcc/1_1"} <= set(frame["case_id"])
    assert "share a name apart from the extension" in capsys.readouterr().out


def test_folder_notes_workbook_with_an_empty_first_sheet(tmp_path: Path, capsys) -> None:
    tree = clinic(tmp_path)
    with pd.ExcelWriter(tmp_path / "notes.xlsx") as book:
        pd.DataFrame().to_excel(book, sheet_name="封面", index=False)
        pd.DataFrame({"file": ["0_0.png"], "note": ["x"]}).to_excel(book, sheet_name="病历")
    text = refusal(folder_args(tree, "--notes", str(tmp_path / "notes.xlsx")), capsys)
    assert "notes.xlsx: the first sheet ('封面') is empty at line 1" in text
    assert "sheets: 封面, 病历" in text and "Move the table to the first sheet" in text


def test_folder_notes_workbook_that_is_not_one(tmp_path: Path, capsys) -> None:
    tree = clinic(tmp_path)
    (tmp_path / "notes.xlsx").write_bytes(b"a renamed text file")
    text = refusal(folder_args(tree, "--notes", str(tmp_path / "notes.xlsx")), capsys)
    assert "notes.xlsx is not a readable Excel workbook" in text
    assert "save it again as .xlsx, or as CSV UTF-8" in text


def test_folder_without_sub_folders(tmp_path: Path, capsys) -> None:
    (tmp_path / "clinic").mkdir()
    text = refusal(folder_args(tmp_path / "clinic"), capsys)
    assert "clinic has no sub-folders" in text
    assert "put each diagnosis's images in a folder of its own" in text


def test_folder_whose_diagnosis_folders_hold_no_image(tmp_path: Path, capsys) -> None:
    (tmp_path / "clinic" / "黑色素瘤").mkdir(parents=True)
    (tmp_path / "clinic" / "黑色素瘤" / "readme.txt").write_text("x")
    text = refusal(folder_args(tmp_path / "clinic"), capsys)
    assert "No image" in text and "clinic (黑色素瘤)" in text
    assert "put each diagnosis's images in its folder" in text


def test_folder_an_empty_diagnosis_folder_is_left_out_and_said(tmp_path: Path, capsys) -> None:
    tree = clinic(tmp_path)
    (tree / "鳞癌").mkdir()
    assert main(folder_args(tree)) == 0
    assert "with no image, left out: 鳞癌" in capsys.readouterr().out


def test_folder_unmapped_folder(tmp_path: Path, capsys) -> None:
    tree = clinic(tmp_path, ("黑色素瘤", "老年斑"))
    text = refusal(folder_args(tree), capsys)
    assert "clinic that name no known diagnosis: 老年斑" in text
    assert "pass it with --map" in text


# -- skinmm manifest csv --------------------------------------------------------------------


def export(tmp_path: Path, **columns: list[str]) -> Path:
    table = {"ID": ["a", "b", "c"], "Patient": ["1", "1", "2"], "Dx": ["mel", "bcc", "scc"]}
    path = tmp_path / "export.csv"
    pd.DataFrame({**table, **columns}).to_csv(path, index=False)
    return path


def csv_args(table: Path, spec: str) -> list[str]:
    return ["manifest", "csv", str(table), "--map", spec, "--out", str(table.parent / "m.csv")]


def test_csv_missing_column(tmp_path: Path, capsys) -> None:
    text = refusal(csv_args(export(tmp_path), "case_id=ID,label=Diagnosis"), capsys)
    assert "export.csv: the header (line 1) has no column 'Diagnosis'" in text
    assert "(found: ID, Patient, Dx); fix --map" in text


def test_csv_unknown_label(tmp_path: Path, capsys) -> None:
    table = export(tmp_path, Dx=["mel", "苔藓", "bcc"])
    text = refusal(csv_args(table, "case_id=ID,label=Dx"), capsys)
    assert "export.csv: column 'Dx' at line(s) 3" in text and "(苔藓)" in text
    assert "file passed as --labels" in text


def test_csv_missing_image_file(tmp_path: Path, capsys) -> None:
    synthetic_image(np.random.default_rng(0), 0).save(tmp_path / "a.png")
    table = export(tmp_path, Photo=["a.png", "", "photos/c.png"])
    text = refusal(csv_args(table, "case_id=ID,image_path=Photo,label=Dx"), capsys)
    assert "export.csv: column 'Photo' at line(s) 4 names image files that do not exist" in text
    assert "photos/c.png" in text and "correct the paths" in text


def test_csv_duplicate_case_id(tmp_path: Path, capsys) -> None:
    table = export(tmp_path, ID=["a", "b", "a"])
    text = refusal(csv_args(table, "case_id=ID,label=Dx"), capsys)
    assert "export.csv: column 'ID' at line(s) 2, 4" in text and "repeats a case id" in text
    assert "give each row its own id" in text


def test_csv_workbook_with_an_empty_first_sheet(tmp_path: Path, capsys) -> None:
    with pd.ExcelWriter(tmp_path / "export.xlsx") as book:
        pd.DataFrame().to_excel(book, sheet_name="Cover", index=False)
        pd.DataFrame({"ID": ["a"], "Dx": ["mel"]}).to_excel(book, sheet_name="Data", index=False)
    text = refusal(csv_args(tmp_path / "export.xlsx", "case_id=ID,label=Dx"), capsys)
    assert "export.xlsx: the first sheet ('Cover') is empty at line 1" in text
    assert "Move the table to the first sheet" in text


def test_csv_keeps_the_mapped_patient_column_as_the_group(tmp_path: Path, capsys) -> None:
    table = export(tmp_path, Dx=["mel", "mel", "scc"])
    assert main(csv_args(table, "case_id=ID,group_id=Patient,label=Dx")) == 0
    frame = pd.read_csv(tmp_path / "m.csv", dtype=str, keep_default_na=False)
    assert frame["group_id"].tolist() == ["1", "1", "2"]  # one patient's two photos together
    assert main(csv_args(table, "case_id=ID,label=Dx")) == 0
    assert "--map group_id=COLUMN" in capsys.readouterr().out  # without it: said, with the fix


def test_csv_patient_with_two_diagnoses_and_no_lesion_column(tmp_path: Path, capsys) -> None:
    table = export(tmp_path)  # patient 1: mel and bcc
    text = refusal(csv_args(table, "case_id=ID,group_id=Patient,label=Dx"), capsys)
    assert "export.csv: line(s) 2, 3 give one patient (column 'Patient') two diagnoses" in text
    assert "--map lesion_id=COLUMN" in text


# -- skinmm merge, split, train -------------------------------------------------------------


def manifest(tmp_path: Path, body: str, name: str = "m.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_merge_missing_column(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "a.csv"
    bad.write_text("case_id,patient,image_path,note,label\nx,p1,,n,mel\n", encoding="utf-8")
    text = refusal(["merge", str(bad), "--out", str(tmp_path / "u.csv")], capsys)
    assert "a.csv" in text and "missing column(s) group_id" in text and "CSV line 1" in text
    assert "rename those header fields" in text


def test_merge_duplicate_case_id_and_unknown_label(tmp_path: Path, capsys) -> None:
    path = manifest(tmp_path, "x,p1,,n,mel\nx,p2,,n,bcc\ny,p3,,n,wart\n")
    text = refusal(["merge", str(path), "--out", str(tmp_path / "u.csv")], capsys)
    assert "m.csv" in text
    assert "duplicate case_id at CSV line(s) 3; give each row its own case_id" in text
    assert "unknown label(s) wart at CSV line(s) 4" not in text  # merge accepts any label
    split = refusal(["split", str(path), "--out", str(tmp_path / "s")], capsys)
    assert "unknown label(s) wart at CSV line(s) 4" in split and "relabel or remove" in split


def test_merge_repeated_cases_across_files(tmp_path: Path, capsys) -> None:
    path = manifest(tmp_path, "x,p1,,n,mel\n")
    text = refusal(["merge", str(path), str(path), "--out", str(tmp_path / "u.csv")], capsys)
    assert "m.csv, CSV line 2" in text and "Give each file its own --source name" in text


def test_split_missing_image_file(tmp_path: Path, capsys) -> None:
    path = manifest(tmp_path, "x,p1,,n,mel\ny,p2,gone.png,n,mel\n")
    text = refusal(["split", str(path), "--out", str(tmp_path / "s")], capsys)
    assert "m.csv" in text and "image file(s) not found at CSV line(s) 3" in text
    assert "correct the paths" in text


def test_split_class_with_one_patient(tmp_path: Path, capsys) -> None:
    rows = "".join(f"c{i},p{i},,n,mel\n" for i in range(6)) + "c6,p6,,n,bcc\nc7,p6,,n,bcc\n"
    path = manifest(tmp_path, rows)
    text = refusal(["split", str(path), "--out", str(tmp_path / "s")], capsys)
    assert "m.csv: class(es) bcc have fewer than 2 groups" in text
    assert "at CSV line(s) 8, 9" in text and "Add patients of those classes" in text


def test_split_class_left_with_one_patient_for_validation(tmp_path: Path, capsys) -> None:
    rows = "".join(f"c{i},p{i},,n,mel\n" for i in range(10))
    path = manifest(tmp_path, rows + "d1,q1,,n,bcc\nd2,q2,,n,bcc\n")
    text = refusal(["split", str(path), "--out", str(tmp_path / "s")], capsys)
    assert "m.csv: class(es) bcc have fewer than 2 groups (patients) left for training" in text
    assert "CSV line(s) 12" in text or "CSV line(s) 13" in text
    assert "or remove those rows" in text


def test_train_unknown_label_and_missing_image(tmp_path: Path, capsys) -> None:
    train = manifest(tmp_path, "x,p1,gone.png,n,mel\ny,p2,,n,wart\n", "train.csv")
    args = ["train", "--train", str(train), "--val", str(train), "--no-scope"]
    text = refusal([*args, "--out", str(tmp_path / "b")], capsys)
    assert "train.csv" in text and "unknown label(s) wart at CSV line(s) 3" in text
    assert "image file(s) not found at CSV line(s) 2" in text and "remove those rows" in text


def test_train_taxonomy_space_with_coarse_labels(tmp_path: Path, capsys) -> None:
    train = manifest(tmp_path, "x,p1,,n,mel\ny,p2,,n,akiec\n", "train.csv")
    val = manifest(tmp_path, "z,p3,,n,bkl\n", "val.csv")
    args = ["train", "--train", str(train), "--val", str(val), "--no-scope"]
    text = refusal([*args, "--label-space", "taxonomy", "--out", str(tmp_path / "b")], capsys)
    assert "Labels akiec, bkl are not single taxonomy codes" in text
    assert "train.csv: CSV line(s) 3" in text and "val.csv: CSV line(s) 2" in text
    assert "train with --label-space data" in text


def test_train_without_image_rows(tmp_path: Path, capsys) -> None:
    train = manifest(tmp_path, "x,p1,,n,mel\ny,p2,,n,bcc\n", "train.csv")
    args = ["train", "--train", str(train), "--val", str(train), "--no-scope"]
    text = refusal([*args, "--out", str(tmp_path / "b")], capsys)
    assert "train.csv has no row with an image" in text and "skinmm train-text" in text
