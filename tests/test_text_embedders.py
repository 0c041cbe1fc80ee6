"""Embedders: the registry, the real USE encoder, Qwen3 pooling on a tiny random model, cache."""

from pathlib import Path

import numpy as np
import pytest
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast, Qwen3Config, Qwen3Model

from skinmm.text.cache import embed_cached
from skinmm.text.embedders import (
    Embedder,
    Qwen3Embedder,
    UseEmbedder,
    get_embedder,
    last_token_pool,
)

CORPUS = [
    "Male, 45 years. Lesion on the back.",
    "Female, 80 years. Lesion on the face, 6 x 5 mm. Reports itching and bleeding.",
    "女，62岁。皮损位于面部，大小6×5毫米。自诉瘙痒、出血。",
    "Aged 30 years.",
    "Instruct: classify\nQuery:",
]


def test_registry_names_and_errors() -> None:
    assert isinstance(get_embedder("use-multilingual"), UseEmbedder)
    qwen = get_embedder("qwen3-embedding:/models/qwen3-0.6b")
    assert isinstance(qwen, Qwen3Embedder) and qwen.model_name == "/models/qwen3-0.6b"
    assert get_embedder("qwen3-embedding").model_name == "Qwen/Qwen3-Embedding-8B"
    with pytest.raises(ValueError, match="Unknown embedder"):
        get_embedder("bert")
    with pytest.raises(ValueError, match="takes no model argument"):
        get_embedder("use-multilingual:big")


def test_use_embeds_english_and_chinese() -> None:
    vectors = UseEmbedder(threads=1).encode(CORPUS[:3])
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    with pytest.raises(ValueError, match="Empty notes"):
        UseEmbedder(threads=1).encode(["text", ""])


def tiny_tokenizer() -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer trained on the corpus, with Qwen3's end-of-text token."""
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=["<pad>", "<|endoftext|>", "<unk>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(CORPUS * 4, trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="<|endoftext|>", unk_token="<unk>"
    )


def save_tiny_qwen3(folder: Path) -> Path:
    """A real Qwen3 architecture at toy size with random weights, saved like a hub model."""
    tokenizer = tiny_tokenizer()
    config = Qwen3Config(
        vocab_size=tokenizer.vocab_size + 3,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=8,
        max_position_embeddings=256,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    Qwen3Model(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_qwen3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_qwen3(tmp_path_factory.mktemp("qwen3-tiny"))


def test_qwen3_loads_from_a_local_folder(tiny_qwen3: Path) -> None:
    embedder = get_embedder(f"qwen3-embedding:{tiny_qwen3}", device="cpu")
    vectors = embedder.encode(CORPUS[:3])
    assert vectors.shape == (3, 32)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert str(tiny_qwen3) in embedder.key


def test_qwen3_embedding_does_not_depend_on_padding(tiny_qwen3: Path) -> None:
    short = CORPUS[3]
    alone = Qwen3Embedder(str(tiny_qwen3), device="cpu", batch_size=1).encode([short])
    batched = Qwen3Embedder(str(tiny_qwen3), device="cpu", batch_size=8)
    # The short note is padded by a different amount next to each longer companion.
    for companion in CORPUS[:3]:
        vectors = batched.encode([companion, short])
        np.testing.assert_allclose(vectors[1], alone[0], atol=1e-5)
    one_by_one = np.concatenate(
        [Qwen3Embedder(str(tiny_qwen3), device="cpu").encode([t]) for t in CORPUS[:4]]
    )
    np.testing.assert_allclose(batched.encode(CORPUS[:4]), one_by_one, atol=1e-5)


def test_qwen3_pools_the_end_of_text_token_with_the_instruction(tiny_qwen3: Path) -> None:
    embedder = Qwen3Embedder(str(tiny_qwen3), device="cpu", instruction="classify")
    embedder.encode(["x"])
    tokenizer = embedder._tokenizer
    ids = tokenizer(embedder._with_eos(["Instruct: classify\nQuery:x"]))["input_ids"][0]
    assert ids[-1] == tokenizer.eos_token_id
    other = Qwen3Embedder(str(tiny_qwen3), device="cpu", instruction="something else")
    assert other.key != embedder.key
    assert not np.allclose(other.encode(["x"]), embedder.encode(["x"]))


def test_last_token_pool_reads_left_and_right_padding() -> None:
    hidden = torch.arange(2 * 4 * 1, dtype=torch.float32).reshape(2, 4, 1)
    left = torch.tensor([[0, 0, 1, 1], [1, 1, 1, 1]])
    right = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1]])
    assert last_token_pool(hidden, left).ravel().tolist() == [3.0, 7.0]
    assert last_token_pool(hidden, right).ravel().tolist() == [1.0, 7.0]


class CountingUse(UseEmbedder):
    """The real USE encoder, counting the notes it is asked to embed."""

    def __init__(self) -> None:
        super().__init__(threads=1)
        self.seen = 0

    def _encode(self, texts: list[str]) -> np.ndarray:
        self.seen += len(texts)
        return super()._encode(texts)


def test_cache_embeds_each_distinct_note_once(tmp_path: Path) -> None:
    embedder: Embedder = CountingUse()
    notes = [CORPUS[0], CORPUS[2], CORPUS[0]]
    first = embed_cached(embedder, notes, tmp_path)
    assert embedder.seen == 2
    second = embed_cached(embedder, [*notes, CORPUS[1]], tmp_path)
    assert embedder.seen == 3
    np.testing.assert_array_equal(second[:3], first)
    np.testing.assert_allclose(second[3], UseEmbedder(threads=1).encode([CORPUS[1]])[0], atol=1e-6)
