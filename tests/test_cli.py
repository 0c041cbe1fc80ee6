import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from skinmm.bundle import CARD, write_card
from skinmm.cli import main
from skinmm.data.manifest import write_manifest
from tests.conftest import DATA_DIR, needs_data, synthetic_manifest


def test_split_command_writes_three_sides_and_a_summary(tmp_path, capsys):
    manifest = write_manifest(
        synthetic_manifest(tmp_path / "img", n_groups=140, views=1), tmp_path / "m.csv"
    )
    assert main(["split", str(manifest), "--out", str(tmp_path / "split")]) == 0
    for name in ("train.csv", "val.csv", "test.csv", "summary.csv"):
        assert (tmp_path / "split" / name).is_file()
    assert "test_groups" in capsys.readouterr().out


def test_user_errors_exit_2_with_a_message_and_no_traceback(tmp_path, capsys):
    assert main(["split", str(tmp_path / "missing.csv"), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "skinmm manifest" in err and "Traceback" not in err


def test_predict_needs_an_input(capsys):
    assert main(["predict"]) == 2
    assert "--image" in capsys.readouterr().err


@needs_data
@pytest.mark.data
def test_manifest_and_split_commands_on_ham10000(tmp_path):
    out = tmp_path / "ham.csv"
    assert main(["manifest", "ham10000", "--data-dir", str(DATA_DIR), "--out", str(out)]) == 0
    assert main(["split", str(out), "--out", str(tmp_path / "split"), "--seed", "0"]) == 0
    assert (
        sum(1 for _ in (tmp_path / "split" / "test.csv").open()) == 1495
    )  # header + 1,494 lesions


def test_serve_passes_its_options_on(monkeypatch):
    import skinmm.serve

    seen = {}
    monkeypatch.setattr(skinmm.serve, "main", lambda argv: seen.setdefault("argv", argv) and 0)
    assert main(["serve", "--headless", "--port", "8599"]) == 0
    assert seen["argv"] == ["--headless", "--port", "8599"]


def test_train_passes_image_params_and_rejects_malformed_ones(tmp_path, monkeypatch, capsys):
    seen = []
    monkeypatch.setattr("skinmm.train.train_bundle", seen.append)
    base = ["train", "--train", "t.csv", "--val", "v.csv", "--out", str(tmp_path / "b")]
    extra = ["--image-param", "tail_trainable=3", "--image-param", "train_views=identity+hflip"]
    assert main([*base, *extra]) == 0
    assert seen[0].image_params == {"tail_trainable": 3, "train_views": ["identity", "hflip"]}
    assert main([*base, "--image-param", "epochs"]) == 2
    assert "is not KEY=VALUE" in capsys.readouterr().err
    assert len(seen) == 1


def test_train_and_study_settings_are_read_from_their_options(tmp_path, monkeypatch):
    from skinmm.study import StudyConfig
    from skinmm.train import TrainConfig

    seen = []
    monkeypatch.setattr("skinmm.train.train_bundle", seen.append)
    base = ["--seed", "7", "--cache-dir", "c", "--label-space", "data", "--recipe", "fast"]
    train = ["train", "--train", "t.csv", "--val", "v.csv", "--out", "b", "--no-scope"]
    assert main([*train, *base, "--fusion", "max", "--text-features", "facts"]) == 0
    expected = dict(seed=7, cache_dir=Path("c"), label_space="data", recipe="fast")
    assert seen[0] == TrainConfig(
        Path("t.csv"),
        Path("v.csv"),
        Path("b"),
        fusion="max",
        text_params={"features": "facts", "fact_dropout": None},
        **expected,
    )
    report = tmp_path / "study.md"
    report.write_text("the study", encoding="utf-8")
    monkeypatch.setattr("skinmm.study.run_study", lambda c: seen.append(c) or report)
    study = ["study", "--manifest", "m.csv", "--out", "o", "--bootstrap", "5", "--val-size", "0.3"]
    assert main([*study, *base, "--image-param", "epochs=2"]) == 0
    assert seen[1] == StudyConfig(
        Path("m.csv"), Path("o"), val_size=0.3, n_boot=5, image_params={"epochs": 2}, **expected
    )


def _sealed_copy(tiny_bundle: Path, to: Path) -> Path:
    shutil.copytree(tiny_bundle, to)
    return to


def _bad_bundles(tiny_bundle: Path, tmp_path: Path) -> dict[str, Path]:
    corrupt = _sealed_copy(tiny_bundle, tmp_path / "corrupt")
    weights = corrupt / "image" / "image_weights.pt"
    weights.write_bytes(weights.read_bytes()[:1000])
    write_card(corrupt, json.loads((corrupt / CARD).read_text()))  # checksums of the damage
    tampered = _sealed_copy(tiny_bundle, tmp_path / "tampered")
    card = (tampered / CARD).read_text(encoding="utf-8")
    (tampered / CARD).write_text(card.replace('"Melanoma"', '"Harmless freckle"'), "utf-8")
    truncated = _sealed_copy(tiny_bundle, tmp_path / "truncated")
    (truncated / "text" / "text.ubj").write_bytes(b"")
    return {"corrupt": corrupt, "tampered": tampered, "truncated": truncated}


def _bad_predict_inputs(tiny_bundle: Path, tmp_path: Path) -> list[tuple[list[str], str]]:
    folder = tmp_path / "a_folder"
    folder.mkdir()
    not_image = tmp_path / "lesion.jpg"
    not_image.write_text("this is a clinical note, not a photo")
    bundles = _bad_bundles(tiny_bundle, tmp_path)
    ok = ["predict", "--bundle", str(tiny_bundle)]
    note = ["--note", "Male, 50 years. Lesion on the back."]
    return [
        ([*ok, "--image", str(folder)], "is a folder"),
        ([*ok, "--image", str(tmp_path / "none.jpg")], "does not exist"),
        ([*ok, "--image", str(not_image)], "not a readable image"),
        (["predict", "--bundle", str(bundles["corrupt"]), *note], "skinmm train"),
        (["predict", "--bundle", str(bundles["tampered"]), *note], "changed after it was written"),
        (["predict", "--bundle", str(bundles["truncated"]), *note], "checksum mismatch"),
        (["predict", "--bundle", str(tmp_path / "nowhere"), *note], "skinmm train"),
        (["bundle", "verify", str(folder)], "skinmm train"),
        (["bundle", "reseal", str(bundles["tampered"])], "delete"),
    ]


def test_bad_predict_and_bundle_inputs_give_one_line_and_exit_2(tiny_bundle, tmp_path, capsys):
    for argv, expected in _bad_predict_inputs(tiny_bundle, tmp_path):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "Traceback" not in err, argv
        assert err.startswith(f"skinmm {argv[0]}: error: ") and err.count("\n") == 1, err
        assert expected in err, (argv, err)


def _split_inputs(tmp_path: Path) -> list[tuple[str, bytes, str]]:
    header = "case_id,group_id,image_path,note,label\n"
    return [
        ("labels", f"{header}a,p1,,,nv\nb,p2,,,freckle\n".encode(), "freckle at CSV line(s) 3"),
        ("escape", f"{header}a,p1,../../etc/passwd,,nv\n".encode(), "CSV line(s) 2"),
        ("latin1", f"{header}a,p1,,Fémur,nv\n".encode("latin-1"), "CSV line 2, byte 8"),
        ("columns", b"case_id,label\na,nv\n", "has: case_id, label"),
        ("ragged", f"{header}a,p1,,Male, 50,nv\n".encode(), "CSV line(s) 2 do not"),
        ("missing image", f"{header}a,p1,gone.png,,nv\n".encode(), "not found at CSV line(s) 2"),
    ]


def test_bad_split_inputs_name_their_lines_and_exit_2(tmp_path, capsys):
    for name, data, expected in _split_inputs(tmp_path):
        path = tmp_path / name / "m.csv"
        path.parent.mkdir()
        path.write_bytes(data)
        assert main(["split", str(path), "--out", str(tmp_path / name / "out")]) == 2, name
        err = capsys.readouterr().err
        assert "Traceback" not in err and expected in err, (name, err)
        assert not (tmp_path / name / "out").exists()


def test_semicolon_manifest_is_split(tmp_path, capsys):
    frame = synthetic_manifest(tmp_path / "img", n_groups=140, views=1)
    path = tmp_path / "m.csv"
    frame.to_csv(path, sep=";", index=False)
    assert main(["split", str(path), "--out", str(tmp_path / "split")]) == 0
    assert len(pd.read_csv(tmp_path / "split" / "test.csv")) == 28
    capsys.readouterr()
    # A share too small for every class is raised to one group per class, and said.
    assert main(["split", str(path), "--out", str(tmp_path / "s2"), "--val-size", "0.01"]) == 0
    assert "7 groups (one per class) were set aside instead" in capsys.readouterr().out
    # One too large leaves no room for every class on the other side: refused.
    assert main(["split", str(path), "--out", str(tmp_path / "s3"), "--test-size", "0.99"]) == 2
    assert "m.csv" in (err := capsys.readouterr().err) and "--test-size" in err


def test_a_folder_as_image_in_a_real_process_gives_no_traceback(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-m", "skinmm.cli", "predict", "--image", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "is a folder" in done.stderr
