"""Image-branch speed and memory against the bare backbone, written to BENCHMARKS.md.

``python benchmarks/bench_image.py [--branch runs/image-lite0] [--images N]``. Every figure is
a ratio to the bare backbone forward measured in the same run, timed alternately with it.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, interleaved_ms, paired_ratio, peak_rss_mib, write_section

from skinmm.image.features import TrunkCache, view_batch
from skinmm.image.model import ImageBranch


def sample_images(folder: Path, n: int) -> list[Path]:
    """Real HAM10000 JPEGs (600x450) when the data folder is there, else random 200x150 ones."""
    real = sorted((REPO / "../shared/data/ham10000/images").glob("*.jpg"))[:n]
    if len(real) == n:
        return real
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        path = folder / f"img{i}.jpg"
        Image.fromarray(rng.integers(0, 255, (150, 200, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


def tiny_fitted_branch(paths: list[Path], cache: Path) -> ImageBranch:
    """A branch with a briefly trained head, when no trained one is given."""
    import pandas as pd

    frame = pd.DataFrame(
        {"image_path": [str(p) for p in paths], "label": ["a", "b"] * (len(paths) // 2)}
    )
    branch = ImageBranch(classes=["a", "b"], epochs=1, train_views=["identity"])
    return branch.fit(frame, frame, cache_dir=cache, log=lambda _: None)


def bench_single(branch: ImageBranch, image: Image.Image, repeats: int) -> list[str]:
    model, pre = branch.model_, branch.preprocessing_
    views = view_batch(pre.to_unit_tensor(image), branch.tta_views, pre)

    def bare() -> None:
        with torch.inference_mode():
            model.net(views)

    ours, ref = interleaved_ms(lambda: branch.predict_proba([image]), bare, repeats)
    cam, _ = interleaved_ms(lambda: branch.gradcam(image, [0, 1, 2]), bare, max(3, repeats // 4))
    n = len(branch.tta_views)
    return [
        f"| single-image predict_proba ({n} TTA views, from a decoded photo) | {ours:.1f} ms | "
        f"{ref:.1f} ms | {ours / ref:.2f} | <= 1.3 |",
        f"| Grad-CAM, three classes (one batched backward) | {cam:.1f} ms | {ref:.1f} ms | "
        f"{cam / ref:.2f} | - |",
    ]


def bench_extraction(branch: ImageBranch, paths: list[Path], batch: int, repeats: int) -> list[str]:
    """Cache filling (decode, hash, trunk, save) vs the same trunk on ready tensors."""
    trunk, pre = branch.model_.net.trunk, branch.preprocessing_
    tensors = torch.stack([pre(Image.open(p).convert("RGB")) for p in paths])
    tensors = tensors.contiguous(memory_format=torch.channels_last)

    def bare() -> None:
        with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16):
            for s in range(0, len(tensors), batch):
                trunk(tensors[s : s + batch])

    def plain_full() -> None:
        with torch.inference_mode():
            for s in range(0, len(tensors), batch):
                branch.model_(tensors[s : s + batch].contiguous())

    def extract() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            cache = TrunkCache(Path(tmp), branch.spec, pre)
            cache.extract(trunk, paths, ["identity"], batch_size=batch, progress=False)

    ours, ref, ratio, low, high = paired_ratio(extract, bare, repeats)
    _, full = interleaved_ms(lambda: None, plain_full, 3)
    n = len(paths)
    return [
        f"| feature extraction into the cache, {n} images, batch {batch} (ratio: median of "
        f"{repeats} adjacent pairs, range {low:.2f}-{high:.2f}) | {n / ours * 1000:.1f} img/s | "
        f"{n / ref * 1000:.1f} img/s | {ratio:.2f} | >= 0.85 |",
        f"| (for scale) plain fp32 full-model forward, same images | "
        f"{n / full * 1000:.1f} img/s | {n / ref * 1000:.1f} img/s | {ref / full:.2f} | - |",
    ]


def _shown(path: Path) -> str:
    """The path relative to the repository when it lies inside it."""
    resolved = path.resolve()
    return str(resolved.relative_to(REPO)) if resolved.is_relative_to(REPO) else str(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branch", default=str(REPO / "models/default/image"))
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--extraction-repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=str(REPO / "BENCHMARKS.md"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        paths = sample_images(Path(tmp), args.images)
        if Path(args.branch, "image_config.json").is_file():
            branch = ImageBranch.load(Path(args.branch))
            source = f"trained branch {_shown(Path(args.branch))}"
        else:
            branch, source = tiny_fitted_branch(paths[:8], Path(tmp) / "cache"), "tiny fitted head"
        image = Image.open(paths[0]).convert("RGB")
        kind = "HAM10000" if "ham10000" in str(paths[0]) else "synthetic"
        images = f"{len(paths)} {kind} {image.width}x{image.height} JPEGs"
        rows = bench_single(branch, image, args.repeats) + bench_extraction(
            branch, paths, args.batch, args.extraction_repeats
        )
    lines = [
        "## Image branch (benchmarks/bench_image.py)",
        "",
        f"{platform.machine()}, {torch.get_num_threads()} thread(s), {branch.spec.name} "
        f"({source}), input {branch.preprocessing_.crop} px, {images}. The "
        "reference is the bare backbone forward measured in the same run, timed alternately: "
        "for prediction and Grad-CAM, the backbone on the same TTA views as one batch; for "
        "extraction, the same trunk under the same bf16 autocast on ready tensors.",
        "",
        "| step | ours | bare backbone | ratio | target |",
        "|---|---|---|---|---|",
        *[
            row.replace(" | ", " ms | ", 1) if " ms" not in row and "img/s" not in row else row
            for row in rows
        ],
        "",
        f"Peak resident memory of the whole run: {peak_rss_mib():.0f} MiB.",
    ]
    write_section(Path(args.out), "bench_image", lines)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
