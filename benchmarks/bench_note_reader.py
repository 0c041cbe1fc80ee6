"""Note reader latency per note, against embedding the same note, in one run.

    python benchmarks/bench_note_reader.py [--repeats 30] [--threads 1]

For each note of the unseen-wording sets (tests/data/unseen_notes_*.jsonl, English and
Chinese) the reader (``read_note``) and the default embedder (use-multilingual, one note per
call, the way a single prediction embeds it) are timed alternately, so background load on a
shared machine falls on both. The target of issue 16 is at most 10 ms per note; the ratio to
the embedding time of the same note is what carries over to another machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics

from common import REPO, interleaved_ms, write_section

from skinmm.text.embedders import get_embedder
from skinmm.text.facts import read_note

SETS = sorted((REPO / "tests" / "data").glob("unseen_notes_*.jsonl"))


def sample(n_per_language: int) -> dict[str, list[str]]:
    """The first ``n_per_language`` notes of each language over the sets."""
    notes: dict[str, list[str]] = {"en": [], "zh": []}
    for path in SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if len(notes[record["lang"]]) < n_per_language:
                notes[record["lang"]].append(record["note"])
    return notes


def measure(notes: list[str], repeats: int) -> tuple[float, float]:
    """Median over notes of the median ms per call: (reader, embedding)."""
    embedder = get_embedder("use-multilingual")
    reader_ms, embed_ms = [], []
    for note in notes:
        ours, ref = interleaved_ms(
            lambda n=note: read_note(n), lambda n=note: embedder.encode([n]), repeats
        )
        reader_ms.append(ours)
        embed_ms.append(ref)
    return statistics.median(reader_ms), statistics.median(embed_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=40, help="notes per language")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    os.environ["SKINMM_THREADS"] = str(args.threads)
    rows = []
    for lang, notes in sample(args.notes).items():
        reader, embed = measure(notes, args.repeats)
        rows.append(
            f"| {lang} | {len(notes)} | {reader:.2f} | {embed:.2f} | {reader / embed:.2f} |"
        )
        print(rows[-1], flush=True)
    lines = [
        "## Note reader (benchmarks/bench_note_reader.py)",
        "",
        f"{platform.machine()}, {os.cpu_count()} cores, {args.threads} thread(s) for the embedder; "
        f"notes of tests/data/unseen_notes_*.jsonl; median over notes of the median of "
        f"{args.repeats} alternating calls. Target (issue 16): reading ≤ 10 ms per note. "
        "Reference: embedding the same note with use-multilingual, one note per call, same run.",
        "",
        "| notes | n | read_note, ms | embed, ms | read / embed |",
        "|---|---|---|---|---|",
        *rows,
    ]
    write_section(REPO / "BENCHMARKS.md", "bench_note_reader", lines)


if __name__ == "__main__":
    main()
