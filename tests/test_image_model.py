"""ImageBranch end to end on tiny synthetic images, with real architectures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image
from sklearn.exceptions import NotFittedError

from skinmm.image import DEFAULT_BACKBONE
from skinmm.image.model import CONFIG_FILE, WEIGHTS_FILE, ImageBranch
from skinmm.image.network import TRUNK_PREFIX
from skinmm.image.training import Recipe, class_weights, prior_log_ratio, training_loss

CLASSES = ["bcc", "mel", "nv"]
TINY = {
    "input_size": 32,
    "epochs": 2,
    "batch_size": 8,
    "class_cap": None,
    "train_views": ("identity", "hflip"),
    "tta_views": ("identity", "vflip"),
}


def tiny_frame(folder: Path, per_class: int, seed: int) -> pd.DataFrame:
    """Images whose colour depends on the class, so that a model can learn something."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for k, label in enumerate(CLASSES):
        for i in range(per_class):
            colour = np.array([60 + 70 * k, 180 - 60 * k, 100])
            pixels = np.clip(colour + rng.normal(0, 25, (40, 48, 3)), 0, 255).astype(np.uint8)
            path = folder / f"{label}{i}_{seed}.png"
            Image.fromarray(pixels).save(path)
            rows.append({"case_id": path.stem, "image_path": str(path), "label": label})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame, Path]:
    root = tmp_path_factory.mktemp("image-data")
    return tiny_frame(root / "train", 5, 0), tiny_frame(root / "val", 2, 1), root / "cache"


@pytest.fixture(scope="module")
def fitted(data) -> ImageBranch:
    train, val, cache = data
    torch.set_num_threads(2)
    return ImageBranch(classes=CLASSES, **TINY).fit(train, val, cache_dir=cache, log=lambda _: None)


def test_fit_gives_calibrated_probabilities_in_class_order(fitted: ImageBranch, data):
    _, val, _ = data
    proba = fitted.predict_proba(list(val["image_path"]))
    assert proba.shape == (len(val), len(CLASSES))
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert fitted.classes_ == CLASSES
    assert fitted.temperature_ > 0
    images = [Image.open(p) for p in val["image_path"]]
    assert np.allclose(fitted.predict_proba(images), proba, atol=1e-6)


def test_card_says_what_was_trained(fitted: ImageBranch):
    card = fitted.card()
    assert card["backbone"]["name"] == DEFAULT_BACKBONE
    assert card["preprocessing"]["crop"] == 32
    assert card["tta_views"] == ["identity", "vflip"]
    assert {"ece_before", "ece_after", "temperature", "validation_metrics"} <= set(card)
    assert card["training"]["best_epoch"] in (1, 2)


def test_second_fit_reads_every_activation_from_the_cache(fitted: ImageBranch, data):
    train, val, cache = data
    assert fitted.cache_computed_ == len(train) * 2 + len(val) * 2
    again = ImageBranch(classes=CLASSES, **{**TINY, "epochs": 1})
    again.fit(train, val, cache_dir=cache, log=lambda _: None)
    assert again.cache_computed_ == 0


def test_cached_path_agrees_with_the_image_path(fitted: ImageBranch, data):
    _, val, cache = data
    paths = list(val["image_path"])
    # Cached activations are bf16; the direct path runs in float32.
    assert np.allclose(
        fitted.predict_proba_paths(paths, cache_dir=cache), fitted.predict_proba(paths), atol=0.05
    )
    assert np.array_equal(fitted.predict_proba_paths(paths), fitted.predict_proba(paths))


def test_save_load_round_trip_is_exact_and_small(fitted: ImageBranch, data, tmp_path: Path):
    _, val, _ = data
    files = fitted.save(tmp_path / "image")
    assert sorted(f.name for f in files) == sorted([WEIGHTS_FILE, CONFIG_FILE])
    state = torch.load(tmp_path / "image" / WEIGHTS_FILE, weights_only=True)
    assert not any(k.startswith(TRUNK_PREFIX) for k in state)
    loaded = ImageBranch.load(tmp_path / "image")
    paths = list(val["image_path"])
    assert np.array_equal(loaded.predict_proba(paths), fitted.predict_proba(paths))
    assert loaded.card()["temperature"] == fitted.temperature_


def test_full_fine_tuning_saves_the_trunk_too(data, tmp_path: Path):
    train, val, cache = data
    branch = ImageBranch(classes=CLASSES, finetune="full", **{**TINY, "epochs": 1})
    branch.fit(train, val, cache_dir=cache, log=lambda _: None)
    branch.save(tmp_path / "full")
    state = torch.load(tmp_path / "full" / WEIGHTS_FILE, weights_only=True)
    assert any(k.startswith(TRUNK_PREFIX) for k in state)
    loaded = ImageBranch.load(tmp_path / "full")
    paths = list(val["image_path"])
    assert np.array_equal(loaded.predict_proba(paths), branch.predict_proba(paths))


def test_densenet201_with_random_weights_trains_explains_and_reloads(data, tmp_path: Path):
    train, val, cache = data
    branch = ImageBranch("densenet201", classes=CLASSES, pretrained=False, **{**TINY, "epochs": 1})
    branch.fit(train.iloc[::5], val.iloc[::2], cache_dir=cache, log=lambda _: None)
    cams = branch.gradcam(val["image_path"].iloc[0], [0, 2])
    assert [c.class_index for c in cams] == [0, 2]
    assert cams[0].heatmap.shape == (40, 48)
    branch.save(tmp_path / "dense")
    loaded = ImageBranch.load(tmp_path / "dense")
    paths = list(val["image_path"][:2])
    assert np.array_equal(loaded.predict_proba(paths), branch.predict_proba(paths))


def test_bad_input_gives_clear_errors(data, tmp_path: Path):
    train, val, cache = data
    with pytest.raises(ValueError, match="choose one of"):
        ImageBranch("vgg16", classes=CLASSES)
    with pytest.raises(ValueError, match="Unknown hyperparameter"):
        ImageBranch(classes=CLASSES, learning_rate=0.1)
    with pytest.raises(ValueError, match="at least two distinct"):
        ImageBranch(classes=["nv", "nv"])
    with pytest.raises(ValueError, match="Unknown or no view"):
        ImageBranch(classes=CLASSES, tta_views=["zoom"])
    with pytest.raises(ValueError, match=r"label\(s\) \['nv'\] outside"):
        ImageBranch(classes=["bcc", "mel"], **TINY).fit(train, val, cache_dir=cache)
    with pytest.raises(NotFittedError):
        ImageBranch(classes=CLASSES).predict_proba(list(val["image_path"]))
    with pytest.raises(FileNotFoundError, match="does not hold an image branch"):
        ImageBranch.load(tmp_path / "nothing")


def test_gradcam_rejects_unknown_classes(fitted: ImageBranch, data):
    _, val, _ = data
    with pytest.raises(ValueError, match="outside"):
        fitted.gradcam(val["image_path"].iloc[0], [5])


def test_partial_tail_caches_the_frozen_modules_and_trains_only_the_rest(data, tmp_path: Path):
    train, val, _ = data
    cache = tmp_path / "cache"
    params = {**TINY, "epochs": 1, "tail_trainable": 2}
    branch = ImageBranch(classes=CLASSES, **params)
    tail = branch._new_model(True).net.tail
    before = {k: v.clone() for k, v in tail.state_dict().items()}
    branch.fit(train, val, cache_dir=cache, log=lambda _: None)
    after = branch.model_.net.tail.state_dict()
    depth = len(tail) - 2
    frozen = [k for k in before if int(k.split(".")[0]) < depth]
    trained = [k for k in before if int(k.split(".")[0]) >= depth and "weight" in k]
    assert frozen and all(torch.equal(before[k], after[k]) for k in frozen)
    assert any(not torch.equal(before[k], after[k]) for k in trained)
    folder = next((cache / "image").iterdir()) / f"tail-{depth}"
    entries = len(train) * 2 + len(val) * 2
    assert len(list(folder.rglob("*.npy"))) == entries
    assert branch.cache_computed_ == 2 * entries  # trunk entries, then the frozen modules'
    # A second run reads the frozen modules' output from the cache and trains the same.
    again = ImageBranch(classes=CLASSES, **params).fit(
        train, val, cache_dir=cache, log=lambda _: None
    )
    assert again.cache_computed_ == 0
    paths = list(val["image_path"])
    assert np.array_equal(
        again.predict_proba_paths(paths, cache), branch.predict_proba_paths(paths, cache)
    )
    # The cached path (bf16 frozen modules) agrees with the float32 image path.
    assert np.allclose(
        branch.predict_proba_paths(paths, cache), branch.predict_proba(paths), atol=0.05
    )


def test_tail_cache_entries_are_the_frozen_modules_applied_to_trunk_entries(data, tmp_path: Path):
    from skinmm.image.features import TailCache, TrunkCache, extract_to_memory

    train, _, _ = data
    branch = ImageBranch(classes=CLASSES, **TINY)
    net = branch._new_model(True).net.eval()
    cache = TrunkCache(tmp_path, branch.spec, branch.preprocessing)
    paths = list(train["image_path"][:4])
    trunk = extract_to_memory(cache, net, paths, ["identity"])["identity"]
    deep = extract_to_memory(cache, net, paths, ["identity"], depth=3)["identity"]
    with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16):
        expected = net.tail[:3](torch.from_numpy(trunk).float()).to(torch.float16).numpy()
    assert deep.shape == expected.shape
    assert np.allclose(deep.astype(np.float32), expected.astype(np.float32), atol=1e-2)
    with pytest.raises(ValueError, match="at least 1"):
        TailCache(cache, 0)
    with pytest.raises(ValueError, match="tail_trainable must be between"):
        ImageBranch(classes=CLASSES, **{**TINY, "tail_trainable": 99}).fit(
            train, train, cache_dir=tmp_path, log=lambda _: None
        )


def test_random_windows_are_sub_blocks_of_each_map() -> None:
    from skinmm.image.training import random_windows

    maps = np.arange(40 * 2 * 5 * 5, dtype=np.float32).reshape(40, 2, 5, 5)
    windows = random_windows(maps, 3, np.random.default_rng(0))
    assert windows.shape == (40, 2, 3, 3)
    corners = set()
    for m, w in zip(maps, windows, strict=True):
        top, left = np.argwhere(m[0] == w[0, 0, 0])[0]
        np.testing.assert_array_equal(w, m[:, top : top + 3, left : left + 3])
        corners.add((int(top), int(left)))
    assert len(corners) > 4  # fresh positions, not one window for the batch


def test_train_crop_trains_on_windows_and_predicts_on_whole_maps(data, tmp_path: Path):
    train, val, _ = data
    params = {**TINY, "input_size": 64, "epochs": 1, "train_crop": 3}
    branch = ImageBranch(classes=CLASSES, **params)
    sizes: list[tuple[int, int]] = []

    def spy(_module: torch.nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
        sizes.append(tuple(inputs[0].shape[-2:]))

    original = branch._new_model

    def hooked(pretrained: bool):
        model = original(pretrained)
        model.net.tail[0].register_forward_pre_hook(spy)
        return model

    branch._new_model = hooked  # type: ignore[method-assign]
    branch.fit(train, val, cache_dir=tmp_path, log=lambda _: None)
    # Trunk maps are 4x4 at 64 px: training batches see 3x3 windows, validation whole maps.
    assert (3, 3) in sizes and (4, 4) in sizes and set(sizes) == {(3, 3), (4, 4)}
    proba = branch.predict_proba(list(val["image_path"]))
    assert proba.shape == (len(val), len(CLASSES)) and np.allclose(proba.sum(1), 1)
    with pytest.raises(ValueError, match="train_crop must be between 1 and"):
        ImageBranch(classes=CLASSES, **{**params, "train_crop": 9}).fit(
            train, val, cache_dir=tmp_path, log=lambda _: None
        )


def test_a_class_without_images_weighs_nothing():
    weights = class_weights(np.array([0, 0, 0, 0, 1]), 3, 0.5).numpy()
    assert weights[2] == 0.0
    assert np.allclose(weights[:2], [1.0, 2.0])
    assert np.isfinite(prior_log_ratio(np.array([0, 0, 0, 0, 1]), 3, 0.5, None)).all()


def test_a_note_only_class_gets_no_mass_on_photos():
    """A union's class that only notes bring (PAD-UFES-20's SCC) has no training image.

    Label smoothing spreads every target over the classes by their loss weights: the largest
    weight on a class with no images taught the branch to see it in every photo. Here a head
    learns three separable classes under the training loss, beside a fourth with no example.
    """
    rng = np.random.default_rng(0)
    y = np.repeat([0, 0, 0, 1, 2], 40)  # imbalanced, like the photos; class 3 has none
    x = torch.tensor(np.eye(4)[y][:, :3] * 3 + rng.normal(0, 0.5, (len(y), 3)), dtype=torch.float32)
    torch.manual_seed(0)
    head = torch.nn.Linear(3, 4)
    loss_fn = training_loss(y, 4, Recipe(label_smoothing=0.1))
    optimiser = torch.optim.Adam(head.parameters(), lr=0.05)
    for _ in range(200):
        optimiser.zero_grad()
        loss_fn(head(x), torch.tensor(y)).backward()
        optimiser.step()
    proba = torch.softmax(head(x), dim=1).detach().numpy()
    assert proba[:, 3].mean() < 0.01
    assert (proba.argmax(axis=1) == y).mean() > 0.95
