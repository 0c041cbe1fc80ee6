"""The differentiable image classifier: trunk, tail, pooling and a linear head.

One module serves training, prediction and Grad-CAM, so the heat map explains exactly the
logits behind the probabilities the app shows.
"""

from __future__ import annotations

import torch
from torch import nn

from skinmm.image.backbones import SplitNet

TRUNK_PREFIX = "net.trunk."


class ImageClassifier(nn.Module):
    """``fc(pool(tail(trunk(x))))``; :meth:`from_trunk` starts from cached trunk activations."""

    def __init__(self, net: SplitNet, feature_dim: int, n_classes: int, dropout: float) -> None:
        super().__init__()
        self.net = net
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(feature_dim, n_classes)

    def pooled(self, feature_map: torch.Tensor) -> torch.Tensor:
        """What the linear head reads: the pooled features, shape (n, feature_dim)."""
        return torch.flatten(self.pool(self.net.post(feature_map)), 1)

    def head(self, feature_map: torch.Tensor) -> torch.Tensor:
        return self.fc(self.dropout(self.pooled(feature_map)))

    def from_trunk(self, activations: torch.Tensor) -> torch.Tensor:
        return self.head(self.net.tail(activations))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.from_trunk(self.net.trunk(x))

    def freeze_trunk(self) -> None:
        """Freeze the trunk's weights and batch-norm statistics (they match the cache)."""
        self.net.trunk.requires_grad_(False)
        self.net.trunk.eval()

    def train(self, mode: bool = True) -> ImageClassifier:
        super().train(mode)
        if mode and not any(p.requires_grad for p in self.net.trunk.parameters()):
            self.net.trunk.eval()
        return self

    def trained_state(self, *, include_trunk: bool) -> dict[str, torch.Tensor]:
        """The state to save: the trunk only when it differs from the installed weights."""
        state = self.state_dict()
        if include_trunk:
            return state
        return {k: v for k, v in state.items() if not k.startswith(TRUNK_PREFIX)}
