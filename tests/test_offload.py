"""`skinmm predict` scoring its note in a child process (skinmm.text.offload): the same
answer to the bit as scoring it in-process, and the same refusals when the child fails.

The child is started only in a fresh interpreter (none once torch is imported, as it is in a
test session), so the child's path is exercised in subprocesses, as a user runs it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest

from skinmm.bundle import CARD, BundleError, load_bundle, read_card, write_card
from skinmm.cli import _predict_with, _read_image_arg, main
from skinmm.text.offload import _Loader, absent

ROOT = Path(__file__).resolve().parents[1]
NOTE = "Male, 50 years. Lesion on the back."

# Both paths in one fresh interpreter: the child first (before torch), then in-process.
BOTH_PATHS = """
import sys
import numpy as np
from skinmm.text.offload import offloaded_text
bundle, image, note = sys.argv[1:4]
with offloaded_text(bundle, [note]) as loader:
    from skinmm.bundle import load_bundle
    child = load_bundle(bundle, text_loader=loader)
    a = child.predict(image, note)
    assert not child.text.loaded_here, "the child's answer was not used"
b = load_bundle(bundle).predict(image, note)
assert a.text is not None and not np.isnan(a.text).any()
for name in ("fused", "image", "text"):
    assert np.array_equal(getattr(a, name), getattr(b, name)), name
assert a.to_dict() == b.to_dict()
print("identical")
"""

# The CLI with a child that dies at once (killed, out of memory).
CHILD_DIES = """
import os, sys
import skinmm.text.offload as offload
def die(*args):
    os._exit(3)
offload.score_notes = die
from skinmm.cli import main
sys.exit(main(sys.argv[1:]))
"""

IMAGE_ONLY = """
import sys
from skinmm.cli import main
assert main(sys.argv[1:]) == 0
assert "xgboost" not in sys.modules and "sklearn" not in sys.modules, "XGBoost was loaded"
"""

# With the child answering, this process never imports the note reader or XGBoost.
NOTE_PARENT = """
import sys
from skinmm.cli import main
assert main(sys.argv[1:]) == 0
loaded = [m for m in ("spacy", "negspacy", "xgboost", "sklearn") if m in sys.modules]
assert not loaded, f"this process loaded {loaded}"
"""


def _python(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, env=env, timeout=600, cwd=ROOT
    )


def _photo(bundle: Path) -> Path:
    return bundle.parent / "images" / "g3_v0.png"


def _in_process_json(bundle: Path, note: str | None, capsys: pytest.CaptureFixture) -> str:
    """What `skinmm predict` printed before the child existed: the text branch loaded here."""
    args = argparse.Namespace(
        bundle=str(bundle), image=str(_photo(bundle)), note=note, fusion=None, cam=None
    )
    capsys.readouterr()
    assert _predict_with(args, _read_image_arg(args.image), None) == 0
    return capsys.readouterr().out


def _predict_argv(bundle: Path, note: str | None, photo: Path | None = None) -> list[str]:
    argv = ["predict", "--bundle", str(bundle), "--image", str(photo or _photo(bundle))]
    return argv + (["--note", note] if note else [])


def test_the_childs_answer_is_bit_identical_to_scoring_in_process(tiny_bundle):
    done = _python("-c", BOTH_PATHS, str(tiny_bundle), str(_photo(tiny_bundle)), NOTE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "identical"


def test_cli_prints_the_same_json_with_the_child(tiny_bundle, capsys):
    done = _python("-m", "skinmm.cli", *_predict_argv(tiny_bundle, NOTE))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["differential"][0]["text"] is not None
    assert done.stdout == _in_process_json(tiny_bundle, NOTE, capsys)


def test_the_child_reads_the_note_and_this_process_never_loads_the_reader(tiny_bundle, capsys):
    done = _python("-c", NOTE_PARENT, *_predict_argv(tiny_bundle, NOTE))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["note_facts"]["facts"]["age"] == 50
    assert done.stdout == _in_process_json(tiny_bundle, NOTE, capsys)


def test_absent_modules_import_as_missing_and_come_back():
    sys.modules.pop("tabnanny", None)  # a standard module nothing here imports
    with absent("tabnanny", "json"):
        with pytest.raises(ImportError):
            importlib.import_module("tabnanny")
        assert importlib.import_module("json") is json  # already imported: kept
    assert importlib.import_module("tabnanny").__name__ == "tabnanny"


def test_a_child_that_dies_costs_time_not_the_answer(tiny_bundle, capsys):
    done = _python("-c", CHILD_DIES, *_predict_argv(tiny_bundle, NOTE))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == _in_process_json(tiny_bundle, NOTE, capsys)


def test_a_text_branch_the_child_cannot_load_is_refused_as_before(tiny_bundle, tmp_path):
    # Damaged before it was sealed: its checksums match, XGBoost cannot read it.
    damaged = tmp_path / "damaged"
    shutil.copytree(tiny_bundle, damaged)
    (damaged / "text" / "text.ubj").write_bytes(b"not a booster")
    write_card(damaged, json.loads((damaged / CARD).read_text()))
    with pytest.raises(BundleError) as before:
        load_bundle(damaged)  # the whole bundle, text branch loaded in-process
    done = _python("-m", "skinmm.cli", *_predict_argv(damaged, NOTE, _photo(tiny_bundle)))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    head = str(before.value).split("(XGBoostError")[0]
    assert done.stderr.startswith(f"skinmm predict: error: {head}(XGBoostError"), done.stderr


def test_image_only_predict_never_loads_xgboost(tiny_bundle, capsys):
    done = _python("-c", IMAGE_ONLY, *_predict_argv(tiny_bundle, None))
    assert done.returncode == 0, done.stderr
    assert done.stdout == _in_process_json(tiny_bundle, None, capsys)


def test_an_answer_from_another_bundle_is_never_used(tiny_bundle):
    card = read_card(tiny_bundle)
    job: Future = Future()
    stale = np.full((1, len(card.codes)), 1.0 / len(card.codes))
    job.set_result(("0" * 64, stale, [None]))  # a child that read a bundle swapped in since
    text = _Loader(([NOTE], job))(tiny_bundle / "text", card)
    answer = text.predict_proba([NOTE])
    assert text.loaded_here
    assert np.array_equal(answer, load_bundle(tiny_bundle).text.predict_proba([NOTE]))
    assert not np.array_equal(answer, stale)


def test_in_a_process_with_torch_no_child_is_started(tiny_bundle, capsys):
    # This test session has imported torch: main() scores the note here, as before.
    assert main(_predict_argv(tiny_bundle, NOTE)) == 0
    printed = capsys.readouterr().out
    assert not multiprocessing.active_children()
    assert printed == _in_process_json(tiny_bundle, NOTE, capsys)
