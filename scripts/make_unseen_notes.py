"""Write the held-out unseen-wording note sets (issue 16): notes with the truth of every fact.

The notes use templates, sentence orders, synonyms and abbreviations that the training
renderer (`skinmm.data.notes.render_note`) never writes: "62 y/o F", "hx of BCC", "itch: no",
"c/o pruritus", "瘙痒（-）", "性别：女  年龄：62", clinic-style Chinese records. Each fact is
stated, negated or not mentioned at random; the truth written beside each note is exactly
what the note states. Hedged mentions ("possible bleeding") and the clinician's suspicion or
morphology are added as distractors: no fact of theirs is in the truth.

Two phrase banks, each with its own words for every fact (see docs/note-reader.md):
bank "a" was used while the reader was developed; bank "b" was written afterwards and the
reader was not changed after its first measurement.

    python scripts/make_unseen_notes.py --bank a --seed 16 --out tests/data/unseen_notes_a.jsonl
    python scripts/make_unseen_notes.py --bank b --seed 17 --out tests/data/unseen_notes_b.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from unseen_banks import BANKS, Bank

SYMPTOMS = ("itch", "grew", "hurt", "changed", "bleed")
HISTORIES = ("skin_cancer_history", "cancer_history", "smoke", "drink", "elevation")
ROMAN = ("I", "II", "III", "IV", "V", "VI")


def _truth(rng: random.Random, sites: list[str]) -> dict[str, Any]:
    """The facts one note states: each mentioned with its own probability."""
    truth: dict[str, Any] = {}
    if rng.random() < 0.9:
        truth["age"] = rng.randint(18, 92)
    if rng.random() < 0.9:
        truth["sex"] = rng.choice(["male", "female"])
    if rng.random() < 0.9:
        truth["site"] = rng.choice(sites)
    if rng.random() < 0.6:
        truth["diameter_mm"] = float(rng.choice([3, 4, 5, 6, 7, 8, 10, 12, 15, 20]))
    if rng.random() < 0.3:
        truth["fitzpatrick"] = rng.randint(1, 6)
    for name in (*SYMPTOMS, *HISTORIES):
        if rng.random() < 0.55:
            truth[name] = rng.choice(["present", "absent"])
    return truth


def _fill(template: str, t: dict[str, Any], lang: str) -> str:
    sex = t.get("sex", "")
    mm = t.get("diameter_mm", 0.0)
    values = {
        "age": t.get("age", ""),
        "sex": sex,
        "Sex": sex.capitalize(),
        "s1": {"male": "M", "female": "F"}.get(sex, ""),
        "word": {"male": "man", "female": "woman"}.get(sex, ""),
        "title": {"male": "Mr", "female": "Mrs"}.get(sex, ""),
        "zsex": {"male": "男", "female": "女"}.get(sex, ""),
        "mm": f"{mm:g}",
        "cm": f"{mm / 10:g}",
        "o": f"{max(1.0, mm - 2):g}",
        "ocm": f"{max(1.0, mm - 2) / 10:g}",
        "n": t.get("fitzpatrick", ""),
        "roman": ROMAN[t["fitzpatrick"] - 1] if "fitzpatrick" in t else "",
    }
    return template.format(**values)


def _demographics(bank: Bank, t: dict[str, Any], lang: str, rng: random.Random) -> str:
    case = "both" if "age" in t and "sex" in t else ("age" if "age" in t else "sex")
    if "age" not in t and "sex" not in t:
        return ""
    return _fill(rng.choice(bank.demographics[lang][case]), t, lang)


def _symptoms(bank: Bank, t: dict[str, Any], lang: str, rng: random.Random) -> list[str]:
    present = [s for s in SYMPTOMS if t.get(s) == "present"]
    absent = [s for s in SYMPTOMS if t.get(s) == "absent"]
    out = [rng.choice(bank.present[lang][s]) for s in present]
    if len(absent) >= 2 and rng.random() < 0.5:
        names = [bank.list_names[lang][s] for s in absent]
        out.append(rng.choice(bank.list_templates[lang])(names))
    else:
        out += [rng.choice(bank.absent[lang][s]) for s in absent]
    return out


def _lesion(bank: Bank, t: dict[str, Any], lang: str, rng: random.Random) -> list[str]:
    parts = []
    if "site" in t:
        where = rng.choice(bank.sites[lang][t["site"]])
        parts.append(rng.choice(bank.site_templates[lang]).format(where=where))
    if "diameter_mm" in t:
        parts.append(_fill(rng.choice(bank.sizes[lang]), t, lang))
    if "fitzpatrick" in t:
        parts.append(_fill(rng.choice(bank.fitzpatrick[lang]), t, lang))
    return parts


def note(bank: Bank, t: dict[str, Any], lang: str, rng: random.Random) -> str:
    """A note in ``lang`` stating exactly the facts of ``t``, in a random order."""
    history = [rng.choice(bank.history[lang][(h, t[h])]) for h in HISTORIES if h in t]
    clauses = [*_symptoms(bank, t, lang, rng), *history, *_lesion(bank, t, lang, rng)]
    rng.shuffle(clauses)
    sentences, i = [], 0
    while i < len(clauses):
        k = rng.randint(1, 3)
        sentences.append(rng.choice(bank.joiners[lang]).join(clauses[i : i + k]))
        i += k
    stop = "。" if lang == "zh" else ". "
    body = [s[0].upper() + s[1:] if lang == "en" else s for s in sentences]
    text = stop.join([_demographics(bank, t, lang, rng).rstrip("。."), *body]).strip(" 。.")
    text = text.lstrip("。. ")
    extras = _distractors(bank, t, lang, rng)
    return (text + stop.strip() + ("" if lang == "zh" else " ") + " ".join(extras)).strip()


def _distractors(bank: Bank, t: dict[str, Any], lang: str, rng: random.Random) -> list[str]:
    out = []
    free = [s for s in bank.hedges[lang] if s not in t]
    if free and rng.random() < 0.2:
        out.append(bank.hedges[lang][rng.choice(free)])
    if rng.random() < 0.35:
        out.append(rng.choice(bank.suspicions[lang]))
    return out


def make(bank: Bank, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` English and ``n`` Chinese notes, each with its truth."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        for lang in ("en", "zh"):
            truth = _truth(rng, sorted(bank.sites[lang]))
            text = note(bank, truth, lang, rng)
            records.append(
                {"id": f"{bank.name}-{lang}-{i:04d}", "lang": lang, "note": text, "facts": truth}
            )
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bank", choices=sorted(BANKS), default="b")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--n", type=int, default=200, help="notes per language")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for record in make(BANKS[args.bank], args.n, args.seed):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {2 * args.n} notes to {args.out}")


if __name__ == "__main__":
    main()
