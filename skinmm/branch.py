"""What a branch of the bundle is: the contract fusion, evaluation and the app rely on.

A branch follows scikit-learn's estimator contract: ``fit(train, val) -> self`` on manifest
frames, fitted attributes end in ``_``, and ``predict_proba`` returns an array of shape
(n, n_classes) whose columns are in ``classes_`` order (a row of NaN where a case has no
input for this branch). ``card()`` is what the model card says about the branch. Any future
branch implements :class:`Branch`; the bundle asks a little more of its image and text
branches (:class:`ImageModel`, :class:`NoteModel`), and names only these protocols.

Nothing here imports torch or XGBoost: a protocol is a shape, checked by the type checker.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    from PIL import Image

    from skinmm.image.cam import CamResult

InputT = TypeVar("InputT", contravariant=True)


@runtime_checkable
class Branch(Protocol[InputT]):
    """One modality's classifier with calibrated probabilities."""

    @property
    def classes_(self) -> list[str]:
        """The class codes, in the order of :meth:`predict_proba`'s columns."""
        ...

    def fit(self, train: pd.DataFrame, val: pd.DataFrame, /, *, cache_dir: Path) -> Self:
        """Fit on ``train``; choose what needs held-out data (epoch, temperature) on ``val``."""
        ...

    def predict_proba(self, inputs: Sequence[InputT], /) -> np.ndarray:
        """Calibrated probabilities (n, n_classes); a NaN row where a case has no input."""
        ...

    def card(self) -> dict[str, Any]:
        """What the model card says about this branch."""
        ...


@runtime_checkable
class ImageModel(Branch["Image.Image | str | Path"], Protocol):
    """The image branch as the bundle uses it: also pooled features and Grad-CAM."""

    def predict_proba_paths(
        self, paths: Sequence[str | Path], /, cache_dir: Path | None = None
    ) -> np.ndarray: ...

    def predict_proba_and_features(
        self, images: Sequence[Image.Image | str | Path], /
    ) -> tuple[np.ndarray, np.ndarray | None]: ...

    def gradcam(
        self, image: Image.Image | str | Path | bytes, class_indices: Sequence[int], /
    ) -> list[CamResult]: ...


@runtime_checkable
class NoteModel(Branch["str | None"], Protocol):
    """The text branch as the bundle uses it: also which notes were cut to its length."""

    def truncated(self, notes: Sequence[str | None], /) -> np.ndarray: ...
