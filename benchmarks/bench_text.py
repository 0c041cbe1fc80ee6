"""Text-branch latency per note, written to its section of BENCHMARKS.md.

    python benchmarks/bench_text.py [--threads 1] [--repeats 50]
    python benchmarks/bench_text.py --qwen-random   # on a GPU machine


Measures, in one run: embedding one note per call against batches of 64 (the reference),
per embedder; the XGBoost + temperature step alone, single against batched; and the whole
``predict_proba`` for one uncached note. Ratios are against the batched figure of the
same run, so they hold across machines better than the milliseconds do.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from skinmm.data.manifest import read_manifest
from skinmm.taxonomy import HAM10000_CLASSES
from skinmm.text.boost import booster_proba
from skinmm.text.branch import TextBranch
from skinmm.text.embedders import get_embedder

REPO = Path(__file__).resolve().parents[1]
SPLIT = REPO / "data" / "ham10000" / "split"
START, END = "<!-- bench_text:start -->", "<!-- bench_text:end -->"
QWEN_START, QWEN_END = "<!-- bench_text_qwen:start -->", "<!-- bench_text_qwen:end -->"
# Qwen3-Embedding architectures (hidden, intermediate, layers, heads; 8 KV heads, head 128),
# from the models' config.json files.
QWEN3_SIZES = {
    "0.6B": (1024, 3072, 28, 16),
    "4B": (2560, 9728, 36, 32),
    "8B": (4096, 12288, 36, 32),
}
BATCH = 64


def per_call_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up: model load, first-call allocations
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats * 1000


def sample_notes(n: int) -> list[str]:
    """Distinct real notes from the HAM10000 training split, or simple stand-ins."""
    if (SPLIT / "train.csv").is_file():
        notes = read_manifest(SPLIT / "train.csv", check_images=False)["note"].unique().tolist()
    else:
        notes = [f"Male, {a} years. Lesion on the back." for a in range(10, 90)]
    rng = np.random.default_rng(0)
    return [str(n_) for n_ in rng.choice(notes, size=n, replace=len(notes) < n)]


def bench_embedders(specs: list[str], notes: list[str], threads: int, repeats: int) -> list[str]:
    rows = []
    for spec in specs:
        embedder = get_embedder(spec, threads=threads)
        single = per_call_ms(lambda e=embedder: e.encode(notes[:1]), repeats)
        batched = per_call_ms(lambda e=embedder: e.encode(notes[:BATCH]), 3) / BATCH
        rows.append(f"| embed, {spec} | {single:.2f} | {batched:.3f} | {single / batched:.1f} |")
    return rows


def fitted_branch() -> TextBranch:
    """A small real branch (HAM10000 validation notes, no search) to time prediction."""
    val = read_manifest(SPLIT / "val.csv", check_images=False)
    branch = TextBranch(classes=[c.code for c in HAM10000_CLASSES], search=False, n_jobs=1)
    return branch.fit(val, val, cache_dir=REPO / "cache", seed=0)


def bench_classifier(branch: TextBranch, notes: list[str], repeats: int) -> list[str]:
    x = branch._embed(notes[:BATCH])
    single = per_call_ms(lambda: booster_proba(branch.booster_, x[:1]), repeats)
    batched = per_call_ms(lambda: booster_proba(branch.booster_, x), 10) / BATCH
    branch.cache_dir = None  # end to end: clean, embed, classify, calibrate
    whole = per_call_ms(lambda: branch.predict_proba(notes[:1]), repeats)
    whole_batched = per_call_ms(lambda: branch.predict_proba(notes[:BATCH]), 3) / BATCH
    return [
        f"| XGBoost + temperature | {single:.2f} | {batched:.3f} | {single / batched:.1f} |",
        f"| predict_proba, whole | {whole:.2f} | {whole_batched:.3f} | "
        f"{whole / whole_batched:.1f} |",
    ]


def pad_like_notes(n: int) -> list[str]:
    """Notes as long as a full PAD-UFES-20 anamnesis, half English, half Chinese."""
    from skinmm.data.notes import render_note

    fields = {
        "sex": "female", "fitzpatrick": 3, "site": "neck", "diameter_1": 6, "diameter_2": 5,
        "itch": True, "grew": True, "hurt": False, "changed": True, "bleed": True,
        "elevation": True, "smoke": False, "drink": False, "pesticide": False,
        "skin_cancer_history": True, "cancer_history": True, "has_piped_water": True,
        "has_sewage_system": True, "background_father": "POMERANIA",
        "background_mother": "POMERANIA",
    }  # fmt: skip
    return [render_note({**fields, "age": 20 + i % 70}, ("en", "zh")[i % 2]) for i in range(n)]


def bench_qwen_random() -> list[str]:
    """Qwen3-Embedding at its real sizes with random weights (none can be downloaded here):
    latency only, through Qwen3Embedder on the GPU in bfloat16."""
    import sys

    import torch
    from transformers import Qwen3Config, Qwen3Model

    from skinmm.text.embedders import Qwen3Embedder

    sys.path.insert(0, str(REPO / "tests"))
    from test_text_embedders import tiny_tokenizer

    tokenizer, notes = tiny_tokenizer(), pad_like_notes(100)
    tokens = np.mean([len(tokenizer(n)["input_ids"]) for n in notes])
    rows = []
    for name, (hidden, inter, layers, heads) in QWEN3_SIZES.items():
        config = Qwen3Config(
            vocab_size=151669, hidden_size=hidden, intermediate_size=inter,
            num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=8,
            head_dim=128, max_position_embeddings=32768,
        )  # fmt: skip
        torch.set_default_dtype(torch.bfloat16)
        with torch.device("cuda"):
            model = Qwen3Model(config)
        torch.set_default_dtype(torch.float32)
        embedder = Qwen3Embedder.from_modules(model, tokenizer, f"random-{name}", batch_size=32)

        def run(batch: list[str], e: Qwen3Embedder = embedder) -> None:
            e.encode(batch)
            torch.cuda.synchronize()

        batched = per_call_ms(lambda r=run: r(notes), 3) / len(notes)
        single = per_call_ms(lambda r=run: r(notes[:1]), 20)
        peak = torch.cuda.max_memory_allocated() / 2**30
        rows.append(
            f"| Qwen3-Embedding-{name} (random weights) | {single:.1f} | {batched:.2f} | "
            f"{single / batched:.1f} | {peak:.1f} |"
        )
        del model, embedder
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    return [
        "## Text branch, Qwen3-Embedding on the GPU (bench_text.py --qwen-random)",
        "",
        f"{torch.cuda.get_device_name(0)}, bfloat16, batches of 32; {len(notes)} full "
        f"PAD-UFES-20-length notes (en/zh), {tokens:.0f} tokens each with the test tokenizer "
        "(byte-level BPE, 400 words: more tokens than Qwen's own, so these are upper bounds).",
        "",
        "| model | single note, ms | batched, ms per note | single / batched | peak GiB |",
        "|---|---|---|---|---|",
        *rows,
    ]


def write_section(lines: list[str], path: Path, start: str = START, end: str = END) -> None:
    section = "\n".join([start, *lines, end])
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    if start in text:
        pattern = re.escape(start) + ".*?" + re.escape(end)
        text = re.sub(pattern, lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--embedders", nargs="+", default=["use-multilingual", "e5-small"])
    parser.add_argument("--out", default=str(REPO / "BENCHMARKS.md"))
    parser.add_argument("--qwen-random", action="store_true", help="GPU: Qwen3 sizes only")
    args = parser.parse_args()
    if args.qwen_random:
        lines = bench_qwen_random()
        write_section(lines, Path(args.out), QWEN_START, QWEN_END)
        print("\n".join(lines))
        return 0
    os.environ["SKINMM_THREADS"] = str(args.threads)
    notes = sample_notes(BATCH)
    rows = bench_embedders(args.embedders, notes, args.threads, args.repeats)
    rows += bench_classifier(fitted_branch(), notes, args.repeats)
    lines = [
        "## Text branch (benchmarks/bench_text.py)",
        "",
        f"{platform.machine()}, {os.cpu_count()} cores, {args.threads} thread(s); "
        f"notes: HAM10000 training notes; batch = {BATCH}. Reference: the batched time per "
        "note, measured in the same run.",
        "",
        "| step | single note, ms | batched, ms per note | single / batched |",
        "|---|---|---|---|",
        *rows,
    ]
    write_section(lines, Path(args.out))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
