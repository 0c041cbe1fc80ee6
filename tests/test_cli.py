import pytest

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
