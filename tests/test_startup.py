"""Start-up: prediction imports only what it uses, and the torchvision-free preprocessing
gives torchvision's numbers exactly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.transforms import functional as TF

from skinmm.image.backbones import Preprocessing, resize_shorter

ROOT = Path(__file__).resolve().parents[1]
# Sizes around the edge cases of the shorter-side rule: portrait, landscape, square, the
# HAM10000 photo size, a shorter side already at the target, and odd ratios that round.
SIZES = [(600, 450), (450, 600), (260, 260), (260, 347), (347, 260), (1001, 333), (33, 97)]


def photo(size: tuple[int, int], seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("target", [224, 260, 256])
def test_resize_shorter_is_torchvision_resize(size: tuple[int, int], target: int) -> None:
    image = photo(size)
    ours = resize_shorter(image, target)
    theirs = TF.resize(image, target, interpolation=TF.InterpolationMode.BILINEAR)
    assert ours.size == theirs.size
    assert np.array_equal(np.asarray(ours), np.asarray(theirs))


@pytest.mark.parametrize("size", SIZES)
def test_preprocessing_tensor_is_torchvision_pipeline(size: tuple[int, int]) -> None:
    pre = Preprocessing(resize=256, crop=224)
    image = photo(size, seed=3)
    resized = TF.resize(image, pre.resize, interpolation=TF.InterpolationMode.BILINEAR)
    expected = TF.normalize(
        TF.to_tensor(TF.center_crop(resized, pre.crop)), list(pre.mean), list(pre.std)
    )
    assert torch.equal(pre(image), expected)


def test_normalize_of_a_batch_is_torchvision_normalize() -> None:
    pre = Preprocessing(resize=64, crop=64)
    unit = torch.rand(4, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    before = unit.clone()
    assert torch.equal(pre.normalize(unit), TF.normalize(unit, list(pre.mean), list(pre.std)))
    assert torch.equal(unit, before)  # not in place, as torchvision's default


PROBE = """
import json, sys
from skinmm.cli import build_parser
from skinmm.bundle import load_bundle
bundle = load_bundle(sys.argv[1])
from PIL import Image
import numpy as np
image = Image.fromarray(np.full((64, 80, 3), 120, dtype=np.uint8))
bundle.predict(image, "Female, 40 years. Lesion on the arm.")
heavy = ("torchvision", "pytorch_grad_cam", "sqlalchemy", "matplotlib", "cv2", "torch._dynamo")
print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""


def test_a_prediction_loads_no_torchvision_gradcam_or_database(tiny_bundle: Path) -> None:
    # A fresh interpreter: this test session has imported all of them already.
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tiny_bundle)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_gradcam_still_works_after_the_lazy_import(tiny_bundle: Path) -> None:
    from skinmm.bundle import load_bundle

    bundle = load_bundle(tiny_bundle)
    cams = bundle.cams(photo((80, 64)), [0, 1])
    assert [c.class_index for c in cams] == [0, 1]
    assert cams[0].overlay.size == (80, 64)


LIBRARY_PROBE = """
import json, sys
import skinmm.bundle, skinmm.branch, skinmm.card, skinmm.fusion, skinmm.metrics
import skinmm.data.notes, skinmm.image.model
heavy = ("sklearn", "pandas", "scipy.optimize")
print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""


def test_reading_a_bundle_imports_no_scikit_learn_pandas_or_optimiser() -> None:
    # scikit-learn, pandas and scipy.optimize cost seconds at start-up and serve training and
    # evaluation only; the modules that load and apply a bundle import them where they are used.
    done = subprocess.run(
        [sys.executable, "-c", LIBRARY_PROBE], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
