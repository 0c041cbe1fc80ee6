"""Values handed on by name: what fill and picked take, convert and leave alone."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import pytest

from skinmm.options import fill, picked


@dataclass(frozen=True)
class Job:
    out: Path
    cache_dir: Path | None = None
    name: str = "job"
    seed: int = 0


def test_fill_takes_same_named_values_converts_paths_and_keeps_defaults() -> None:
    args = argparse.Namespace(out="runs/a", cache_dir=None, seed=3, unrelated=True)
    assert fill(Job, args) == Job(Path("runs/a"), None, "job", 3)
    assert fill(Job, {"out": "b", "name": "runs/x"}) == Job(Path("b"), name="runs/x")
    assert fill(Job, Job(Path("c"), seed=5), seed=6) == Job(Path("c"), seed=6)


def test_fill_still_needs_every_field_without_a_default() -> None:
    with pytest.raises(TypeError, match="out"):
        fill(Job, {"seed": 1})


def test_picked_names_the_options_to_hand_on() -> None:
    args = argparse.Namespace(lr=0.1, epochs=2, other="x")
    assert picked(args, "lr", "epochs") == {"lr": 0.1, "epochs": 2}
    with pytest.raises(AttributeError):
        picked(args, "missing")
