"""Bank h (blind held-out wording): the committed file is what its seeded generator writes,
and every truth uses the reader's names and values."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from skinmm.data.notes import SITES

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "tests" / "data" / "unseen_notes_h.jsonl"
BINARY = {
    "itch",
    "grew",
    "hurt",
    "changed",
    "bleed",
    "elevation",
    "skin_cancer_history",
    "cancer_history",
    "smoke",
    "drink",
}


def _generator():
    spec = importlib.util.spec_from_file_location(
        "unseen_bank_h", ROOT / "scripts" / "unseen_bank_h.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_committed_bank_is_what_the_generator_writes() -> None:
    committed = [json.loads(line) for line in BANK.read_text(encoding="utf-8").splitlines()]
    assert committed == _generator().build()


def test_truths_use_the_reader_vocabulary() -> None:
    rows = [json.loads(line) for line in BANK.read_text(encoding="utf-8").splitlines()]
    assert sum(r["lang"] == "en" for r in rows) == 200
    assert sum(r["lang"] == "zh" for r in rows) == 200
    for row in rows:
        facts = row["facts"]
        assert set(facts) <= BINARY | {"age", "sex", "site", "diameter_mm"}, row["id"]
        assert facts.get("site", "abdomen") in SITES, row["id"]
        assert facts.get("sex", "male") in ("male", "female"), row["id"]
        assert isinstance(facts.get("age", 1), int), row["id"]
        assert isinstance(facts.get("diameter_mm", 1.0), float), row["id"]
        assert all(facts[k] in ("present", "absent") for k in BINARY & set(facts)), row["id"]
