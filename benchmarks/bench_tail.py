"""Training-step time of the CPU tail recipe by how much of the tail trains.

``python benchmarks/bench_tail.py [--backbone NAME]``: one AdamW step at batch 64 on
activations of the trunk's output shape, under the recipe's settings (bf16 autocast where
native, depthwise kernels frozen, channels-last), for each ``tail_trainable`` and for the last
four on ``--crop`` windows (``train_crop``); every figure is a ratio to the whole tail's step,
timed alternately with it. Written to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, paired_ratio, write_section

from skinmm.image import DEFAULT_BACKBONE
from skinmm.image.backbones import get_backbone
from skinmm.image.network import ImageClassifier
from skinmm.image.training import _autocast, _freeze_depthwise, frozen_depth


def step_fn(
    model: ImageClassifier, acts: torch.Tensor, trainable: int, crop: int | None = None
) -> Callable[[], None]:
    """One training step of the last ``trainable`` tail modules, on their cached input
    (a ``crop`` x ``crop`` window of it with ``train_crop``)."""
    tail = model.net.tail
    start = frozen_depth(len(tail), trainable)
    with torch.inference_mode(), _autocast("cpu", cpu_bf16=True):
        x = tail[:start](acts).float() if start else acts
    if crop:
        x = x[..., :crop, :crop]
    x = x.clone().contiguous(memory_format=torch.channels_last)
    trained = tail[start:]
    params = [p for p in [*trained.parameters(), *model.fc.parameters()] if p.requires_grad]
    optimizer = torch.optim.AdamW(params)
    y = torch.arange(len(x)) % model.fc.out_features

    def step() -> None:
        tail.requires_grad_(False)
        trained.requires_grad_(True)
        _freeze_depthwise(trained)
        optimizer.zero_grad(set_to_none=True)
        with _autocast("cpu", cpu_bf16=True):
            loss = nn.functional.cross_entropy(model.head(trained(x)).float(), y)
        loss.backward()
        optimizer.step()

    return step


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbone", default=DEFAULT_BACKBONE)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--crop", type=int, default=7, help="train_crop of the windowed row")
    parser.add_argument("--out", default=str(REPO / "BENCHMARKS.md"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    spec = get_backbone(args.backbone)
    net = spec.create(pretrained=True)
    model = ImageClassifier(net, spec.feature_dim, 7, 0.2).train()
    model.freeze_trunk()
    model.to(memory_format=torch.channels_last)
    crop = spec.preprocessing.crop
    with torch.inference_mode():
        shape = net.trunk(torch.zeros(1, 3, crop, crop)).shape[1:]
    acts = torch.randn(args.batch, *shape).contiguous(memory_format=torch.channels_last)
    n = len(net.tail)
    whole = step_fn(model, acts, n)
    rows = []
    for k, crop in ((n, None), (4, None), (4, args.crop), (3, None), (2, None)):
        ours, ref, speedup, _, _ = paired_ratio(step_fn(model, acts, k, crop), whole, args.repeats)
        window = f", {crop} x {crop} windows (`train_crop`)" if crop else ""
        rows.append(
            f"| last {k} of {n} tail modules{window} | {ours:.0f} ms | {ref:.0f} ms "
            f"| {1 / speedup:.2f} |"
        )
    lines = [
        "## Tail training step (benchmarks/bench_tail.py)",
        "",
        f"{platform.machine()}, {torch.get_num_threads()} thread(s), {spec.name}, batch "
        f"{args.batch}, bf16 autocast where native, depthwise kernels frozen. Reference: the "
        "whole tail's step (the default recipe), timed alternately in the same run; ratio = "
        "median over adjacent pairs of step / whole-tail step (the first row is the noise "
        "control: the whole tail against itself).",
        "",
        "| trains (`tail_trainable`) | step | whole-tail step | ratio |",
        "|---|---|---|---|",
        *rows,
    ]
    write_section(Path(args.out), "bench_tail", lines)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
