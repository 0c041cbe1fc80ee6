"""The note reader's errors on a bank of notes with known truth, per fact and per style.

For reading, not for a report: each error is *missed* (stated, not read), *wrong* (read with
another value) or *invented* (read, not stated; a hedged fact listed under ``uncertain``
counts here too). The notes behind one fact's errors are printed with the words the reader
took, so misses can be fixed as general rules, biggest first:

    python scripts/note_reader_misses.py tests/data/unseen_notes_g.jsonl --fact bleed --show 20
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from skinmm.text.facts import NoteReading, read_note
from skinmm.text.facts_eval import load_records

KINDS = ("missed", "wrong", "invented")


def _same(name: str, a: Any, b: Any) -> bool:
    # As skinmm.text.facts_eval scores them: sizes and durations within half a unit.
    if name in ("diameter_mm", "duration_months"):
        return abs(float(a) - float(b)) <= 0.5
    return bool(a == b)


def note_errors(
    truth: Mapping[str, Any], reading: NoteReading, scored: set[str]
) -> list[tuple[str, str, str]]:
    """(fact, kind, detail) for each error of one note, over the facts the bank scores."""
    read = {k: value for k, value in reading.facts.items() if k in scored}
    out = []
    for name in sorted(set(truth) | set(read)):
        if name not in read:
            out.append((name, "missed", f"truth {truth[name]}"))
        elif name not in truth:
            out.append((name, "invented", f"read {read[name]} from {reading.evidence[name]!r}"))
        elif not _same(name, truth[name], read[name]):
            detail = f"truth {truth[name]}, read {read[name]} from {reading.evidence[name]!r}"
            out.append((name, "wrong", detail))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("bank", type=Path)
    parser.add_argument("--fact", help="print the notes behind this fact's errors")
    parser.add_argument("--kind", choices=KINDS)
    parser.add_argument("--show", type=int, default=15)
    args = parser.parse_args()
    records = load_records(args.bank)
    scored = {name for r in records for name in r["facts"]}
    by_fact: Counter[tuple[str, str]] = Counter()
    by_style: Counter[tuple[str, str]] = Counter()
    shown = 0
    for record in records:
        style = record.get("style", record["lang"])
        for name, kind, detail in note_errors(record["facts"], read_note(record["note"]), scored):
            by_fact[name, kind] += 1
            by_style[name, style] += 1
            if args.fact == name and args.kind in (None, kind) and shown < args.show:
                shown += 1
                print(f"--- {record['id']} [{style}] {name} {kind}: {detail}\n{record['note']}")
    print("\nper fact: missed / wrong / invented; the styles with most errors")
    totals = Counter({name: by_fact[name, kind] for name, kind in by_fact})
    for name in sorted({n for n, _ in by_fact}, key=lambda n: -sum(by_fact[n, k] for k in KINDS)):
        styles = Counter({s: c for (n, s), c in by_style.items() if n == name}).most_common(6)
        counts = " / ".join(str(by_fact[name, k]) for k in KINDS)
        print(f"{name:28s} {counts:12s} " + ", ".join(f"{s} {c}" for s, c in styles))
    if not totals:
        print("no errors")


if __name__ == "__main__":
    main()
