"""Views of an image and the on-disk cache of frozen-trunk activations.

A cache entry is keyed by the backbone, the cut, the preprocessing, the view and the sha256
of the image file's bytes, so a second training run recomputes nothing and a changed recipe
never reads stale activations. Entries are float16 ``.npy`` files, one per image and view,
which also makes an interrupted extraction resumable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from skinmm.image.backbones import BackboneSpec, Preprocessing, SplitNet
from skinmm.image.io import load_image

View = Callable[[torch.Tensor, int], torch.Tensor]


def _jitter(unit: torch.Tensor, seed: int) -> torch.Tensor:
    """Colour jitter, deterministic per image so that its cached activations stay valid."""
    # Imported here: only training views jitter, and torchvision costs a second to import.
    from torchvision.transforms import functional as TF

    rng = np.random.default_rng(seed)
    brightness, contrast, saturation = rng.uniform(0.8, 1.2, size=3)
    hue = rng.uniform(-0.03, 0.03)
    out = TF.adjust_brightness(unit, float(brightness))
    out = TF.adjust_contrast(out, float(contrast))
    out = TF.adjust_saturation(out, float(saturation))
    return TF.adjust_hue(out, float(hue)).clamp(0.0, 1.0)


VIEWS: dict[str, View] = {
    "identity": lambda t, _: t,
    "hflip": lambda t, _: t.flip(-1),
    "vflip": lambda t, _: t.flip(-2),
    "rot90": lambda t, _: t.rot90(1, (-2, -1)),
    "rot180": lambda t, _: t.rot90(2, (-2, -1)),
    "rot270": lambda t, _: t.rot90(3, (-2, -1)),
    "transpose": lambda t, _: t.transpose(-2, -1),
    "transverse": lambda t, _: t.rot90(2, (-2, -1)).transpose(-2, -1),
    "jitter": _jitter,
}
TTA_VIEWS: tuple[str, ...] = ("identity", "hflip", "vflip", "rot90")
COLOUR_VIEWS = frozenset({"jitter"})  # views that need the [0, 1] image, before normalising
# The geometric views on (H, W, 3) arrays, for the cache's NumPy path; equal to VIEWS.
HWC_VIEWS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "identity": lambda a: a,
    "hflip": lambda a: a[:, ::-1],
    "vflip": lambda a: a[::-1],
    "rot90": lambda a: np.rot90(a, 1, axes=(0, 1)),
    "rot180": lambda a: np.rot90(a, 2, axes=(0, 1)),
    "rot270": lambda a: np.rot90(a, 3, axes=(0, 1)),
    "transpose": lambda a: a.transpose(1, 0, 2),
    "transverse": lambda a: np.rot90(a, 2, axes=(0, 1)).transpose(1, 0, 2),
}
# The eight symmetries of the square (the dihedral group D4).
DIHEDRAL_VIEWS: tuple[str, ...] = tuple(HWC_VIEWS)


def check_views(views: Sequence[str]) -> tuple[str, ...]:
    unknown = [v for v in views if v not in VIEWS]
    if unknown or not views:
        raise ValueError(f"Unknown or no view(s) {unknown}; choose from {', '.join(VIEWS)}.")
    return tuple(views)


def view_batch(
    unit: torch.Tensor, views: Sequence[str], preprocessing: Preprocessing, seed: int = 0
) -> torch.Tensor:
    """Normalised (len(views), 3, H, W) batch of the views of one [0, 1] image tensor."""
    if any(v in COLOUR_VIEWS for v in views):
        return torch.stack([preprocessing.normalize(VIEWS[v](unit, seed)) for v in views])
    # Flips and rotations commute with the per-channel normalisation: normalise once.
    normalised = preprocessing.normalize(unit)
    return torch.stack([VIEWS[v](normalised, seed) for v in views])


def file_hash(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class _ActivationStore:
    """float16 ``.npy`` files, one per (image digest, view), under ``folder``."""

    folder: Path
    computed: int

    def path(self, digest: str, view: str) -> Path:
        return self.folder / view / digest[:2] / f"{digest}.npy"

    def _store(self, out: np.ndarray, keys: list[tuple[str, str]]) -> None:
        for (digest, view), activation in zip(keys, out, strict=True):
            target = self.path(digest, view)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp.npy")
            np.save(tmp, activation)
            tmp.replace(target)  # atomic: an interrupted run never leaves half a file
        self.computed += len(keys)

    def load(self, digests: Sequence[str], view: str) -> np.ndarray:
        """float16 array (n, C, H, W) of one view's activations, in ``digests`` order."""
        return np.stack([np.load(self.path(d, view)) for d in digests])


class TrunkCache(_ActivationStore):
    """Frozen-trunk activations of images, per view, on disk.

    Parameters
    ----------
    root : cache folder (see :func:`default_cache_dir`).
    spec : the backbone whose pretrained trunk produced the activations.
    preprocessing : the preprocessing in effect (it may be resized from the spec's).
    """

    def __init__(self, root: Path, spec: BackboneSpec, preprocessing: Preprocessing) -> None:
        recipe = {
            "backbone": spec.name,
            "cut": spec.cut,
            "preprocessing": preprocessing.to_dict(),
            "precision": "bfloat16",
        }
        key = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]
        self.folder = Path(root) / "image" / f"{spec.name}-{key}"
        self.preprocessing = preprocessing
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "recipe.json").write_text(json.dumps(recipe, indent=2))
        self.computed = 0

    def extract(
        self,
        trunk: torch.nn.Module,
        paths: Sequence[str | Path],
        views: Sequence[str],
        *,
        batch_size: int = 32,
        device: str = "cpu",
        progress: bool = True,
    ) -> list[str]:
        """Compute and store every missing (image, view) activation; return the digests."""
        digests = [file_hash(p) for p in paths]
        todo = [
            (p, d, [v for v in views if not self.path(d, v).is_file()])
            for p, d in zip(paths, digests, strict=True)
        ]
        todo = [item for item in todo if item[2]]
        if not todo:
            return digests
        per_batch = max(1, batch_size // len(views))
        trunk.eval().to(device).to(memory_format=torch.channels_last)
        bar = tqdm(total=len(todo), desc="trunk activations", unit="img", disable=not progress)
        chunks = [todo[s : s + per_batch] for s in range(0, len(todo), per_batch)]
        # Decoding the next chunk and writing the last one run in a thread, overlapped with
        # the trunk's forward pass; the pool's exit waits for the last write.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(self._prepare, chunks[0])
            writes = []
            for i in range(len(chunks)):
                batch, keys = pending.result()
                if i + 1 < len(chunks):
                    pending = pool.submit(self._prepare, chunks[i + 1])
                writes.append(pool.submit(self._store, self._run(trunk, batch, device), keys))
                bar.update(len(chunks[i]))
            for write in writes:
                write.result()  # re-raises a failed write (a full disk) here
        bar.close()
        return digests

    def _prepare(
        self, chunk: list[tuple[str | Path, str, list[str]]]
    ) -> tuple[np.ndarray, list[tuple[str, str]]]:
        """Normalised channels-last (n, H, W, 3) float32 batch of the missing views, and keys.

        Runs in the decoding thread. Geometric views are cropped as uint8 and normalised in one
        vectorised NumPy step; a chunk with a colour view goes through the torch path per image.
        """
        colour = any(v in COLOUR_VIEWS for _, _, missing in chunk for v in missing)
        arrays, keys = [], []
        for path, digest, missing in chunk:
            image = load_image(path)
            if colour:
                unit = self.preprocessing.to_unit_tensor(image)
                views = view_batch(unit, missing, self.preprocessing, int(digest[:8], 16))
                arrays.append(views.permute(0, 2, 3, 1).numpy())
            else:
                pixels = self.preprocessing.pixels(image)
                arrays.append(np.stack([HWC_VIEWS[v](pixels) for v in missing]))
            keys += [(digest, v) for v in missing]
        stacked = np.concatenate(arrays)
        if stacked.dtype == np.uint8:
            stacked = self.preprocessing.normalize_pixels(stacked)
        return stacked, keys

    def _run(self, trunk: torch.nn.Module, hwc: np.ndarray, device: str) -> np.ndarray:
        # (n, H, W, 3) viewed as (n, 3, H, W): channels-last without a copy.
        batch = torch.from_numpy(hwc).permute(0, 3, 1, 2).to(device)
        # bf16 autocast and channels-last roughly double CPU throughput of the trunk; the
        # activations are stored as float16 anyway.
        with torch.inference_mode(), torch.autocast(torch.device(device).type, torch.bfloat16):
            return trunk(batch).to("cpu", torch.float16).numpy()


class TailCache(_ActivationStore):
    """The tail's first ``depth`` modules applied to cached trunk activations, on disk.

    When the recipe trains only the last modules of the tail, the leading ones keep their
    pretrained weights, so their output is as fixed as the trunk's: computing it once per
    image and view, instead of once per training run, is what makes a warm run fast. Entries
    are always derived from the trunk cache's float16 entries, never straight from images, so
    they are the same whether the trunk cache was filled in this run or an earlier one.
    """

    def __init__(self, base: TrunkCache, depth: int) -> None:
        if depth < 1:
            raise ValueError(f"depth must be at least 1, got {depth}.")
        self.base, self.depth = base, depth
        self.folder = base.folder / f"tail-{depth}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.computed = 0

    def extract(
        self,
        modules: torch.nn.Module,
        digests: Sequence[str],
        views: Sequence[str],
        *,
        batch_size: int = 128,
        device: str = "cpu",
        progress: bool = True,
    ) -> None:
        """Compute and store every missing (digest, view) entry from the trunk cache."""
        todo = [
            (d, v) for v in views for d in dict.fromkeys(digests) if not self.path(d, v).is_file()
        ]
        if not todo:
            return
        modules.eval().to(device).to(memory_format=torch.channels_last)
        bar = tqdm(
            total=len(todo),
            desc=f"tail[:{self.depth}] activations",
            unit="view",
            disable=not progress,
            mininterval=10,
        )
        for s in range(0, len(todo), batch_size):
            keys = todo[s : s + batch_size]
            acts = np.stack([np.load(self.base.path(d, v)) for d, v in keys])
            x = torch.from_numpy(acts).float().to(device)
            x = x.contiguous(memory_format=torch.channels_last)
            # The same bf16 autocast as the trunk cache: these are stored as float16 anyway.
            with torch.inference_mode(), torch.autocast(x.device.type, torch.bfloat16):
                out = modules(x).to("cpu", torch.float16).numpy()
            self._store(out, keys)
            # Counted on the trunk cache too: its ``computed`` is what a run reports.
            self.base.computed += len(keys)
            bar.update(len(keys))
        bar.close()


def extract_to_memory(
    cache: TrunkCache,
    net: SplitNet,
    paths: Sequence[str | Path],
    views: Sequence[str],
    *,
    depth: int = 0,
    device: str = "cpu",
    progress: bool = True,
) -> dict[str, np.ndarray]:
    """Fill the cache for ``paths`` and return ``{view: activations}`` in path order.

    With ``depth > 0`` the activations are those after the tail's first ``depth`` modules
    (a :class:`TailCache` under the trunk cache).
    """
    digests = cache.extract(net.trunk, paths, views, device=device, progress=progress)
    if depth == 0:
        return {v: cache.load(digests, v) for v in views}
    deeper = TailCache(cache, depth)
    deeper.extract(net.tail[:depth], digests, views, device=device, progress=progress)
    return {v: deeper.load(digests, v) for v in views}
