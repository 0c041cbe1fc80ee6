"""Write the held-out unseen-wording note set (issue 16): notes with the truth of every fact.

The notes use templates, sentence orders, synonyms and abbreviations that the training
renderer (`skinmm.data.notes.render_note`) never writes: "62 y/o F", "hx of BCC", "itch: no",
"c/o pruritus", "瘙痒（-）", "性别：女  年龄：62", clinic-style Chinese records. Each fact is
present, negated or not mentioned at random; the truth written beside each note is exactly
what the note states. Hedged mentions ("possible bleeding") and the clinician's suspicion are
added as distractors: their facts are not in the truth.

    python scripts/make_unseen_notes.py --out tests/data/unseen_notes.jsonl --n 400 --seed 16
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

SYMPTOMS = ("itch", "grew", "hurt", "changed", "bleed")
HISTORIES = ("skin_cancer_history", "cancer_history", "smoke", "drink")

SITES_EN = {
    "face": ["left cheek", "R cheek", "forehead", "right temple", "chin", "jawline"],
    "nose": ["nasal tip", "nose", "left nasal ala", "bridge of the nose"],
    "ear": ["left ear", "R earlobe", "helix of the right ear"],
    "lip": ["upper lip", "lower lip"],
    "scalp": ["scalp", "vertex of the scalp"],
    "neck": ["neck", "posterior neck", "nape"],
    "chest": ["chest", "anterior chest", "presternal area"],
    "back": ["upper back", "lower back", "back", "left scapula"],
    "abdomen": ["abdomen", "periumbilical skin", "abdominal wall"],
    "arm": ["left upper arm", "R arm"],
    "forearm": ["dorsal forearm", "L forearm", "right forearm"],
    "hand": ["dorsum of the hand", "back of the left hand", "right index finger"],
    "foot": ["sole of the foot", "left heel", "dorsum of the foot"],
    "thigh": ["left thigh", "posterior thigh"],
    "lower extremity": ["shin", "left calf", "right lower leg"],
}
SITES_ZH = {
    "face": ["左颊部", "右面颊", "额部", "前额", "下颌"],
    "nose": ["鼻尖", "鼻翼", "鼻背"],
    "ear": ["左耳廓", "右耳垂", "耳后"],
    "lip": ["上唇", "下唇"],
    "scalp": ["头皮", "头顶"],
    "neck": ["颈部", "项部"],
    "chest": ["前胸", "胸前"],
    "back": ["后背", "腰背部", "左肩胛"],
    "abdomen": ["腹部", "脐周"],
    "arm": ["左上臂", "右上臂"],
    "forearm": ["左前臂", "右前臂"],
    "hand": ["右手背", "左手掌", "右手指"],
    "foot": ["足底", "左足跟", "右足背"],
    "thigh": ["左大腿", "右大腿"],
    "lower extremity": ["右小腿", "左胫前"],
}

# Per symptom: words for it when present (as a finding) and absent (whole clauses).
EN_PRESENT = {
    "itch": ["c/o itching", "complains of pruritus", "itchy", "pruritic", "itch: yes", "reports itchiness"],
    "grew": ["has been enlarging", "enlarging over recent months", "increase in size noted",
             "getting bigger", "growth: yes", "has grown"],
    "hurt": ["tender to touch", "painful", "c/o pain", "pain: yes", "sore at times"],
    "changed": ["changed colour recently", "evolving", "change in shape noted", "change: yes"],
    "bleed": ["bleeds on touch", "occasional bleeding", "bled twice", "bleeding (+)", "c/o bleeding"],
}
EN_ABSENT = {
    "itch": ["no itch", "denies pruritus", "itch: no", "not itchy", "itching (-)", "negative for itching"],
    "grew": ["no increase in size", "has not grown", "growth: no", "not enlarging", "no growth"],
    "hurt": ["non-tender", "no pain", "pain: no", "not painful", "denies pain", "pain (-)"],
    "changed": ["no change", "unchanged", "change: no", "no changes noted", "denies change"],
    "bleed": ["no bleeding", "never bled", "bleeding: no", "denies bleeding", "without bleeding"],
}
EN_LIST_NAMES = {"itch": "itching", "grew": "growth", "hurt": "pain", "changed": "change", "bleed": "bleeding"}
ZH_NAMES = {"itch": "瘙痒", "grew": "增大", "hurt": "疼痛", "changed": "变化", "bleed": "出血"}
ZH_PRESENT = {
    "itch": ["自觉瘙痒", "瘙痒（+）", "伴瘙痒", "时有瘙痒"],
    "grew": ["近期逐渐增大", "增大（+）", "较前长大", "皮损变大"],
    "hurt": ["触痛明显", "疼痛（+）", "伴疼痛", "自觉疼痛"],
    "changed": ["颜色改变", "变化（+）", "形态较前改变"],
    "bleed": ["偶有出血", "出血（+）", "伴出血", "曾有渗血"],
}
ZH_ABSENT = {
    "itch": ["无瘙痒", "瘙痒（-）", "未诉瘙痒", "无明显瘙痒"],
    "grew": ["未见增大", "增大（-）", "无明显增大"],
    "hurt": ["无疼痛", "疼痛（-）", "无触痛", "无明显疼痛"],
    "changed": ["无变化", "变化（-）", "未见明显变化"],
    "bleed": ["无出血", "出血（-）", "未见出血", "否认出血"],
}
HEDGES_EN = {"bleed": "possible bleeding", "itch": "?itch", "hurt": "questionable tenderness"}
HEDGES_ZH = {"bleed": "可能有出血", "itch": "似有瘙痒"}
SUSPICIONS_EN = ["BCC suspected.", "Suspect melanoma.", "Clinically favour seborrhoeic keratosis.",
                 "Impression: ?SCC.", "Likely benign naevus.", "Pearly, rolled border, telangiectasia.",
                 "Irregular border and variegated colour.", "Dermoscopy: pigment network."]
SUSPICIONS_ZH = ["考虑基底细胞癌。", "疑似黑色素瘤。", "初步诊断：脂溢性角化病。", "边缘不规则，颜色不均。",
                 "皮肤镜：可见色素网。"]


def _truth(rng: random.Random) -> dict[str, Any]:
    """The facts one note states: each mentioned with its own probability."""
    truth: dict[str, Any] = {}
    if rng.random() < 0.9:
        truth["age"] = rng.randint(18, 92)
    if rng.random() < 0.9:
        truth["sex"] = rng.choice(["male", "female"])
    if rng.random() < 0.9:
        truth["site"] = rng.choice(sorted(SITES_EN))
    if rng.random() < 0.6:
        truth["diameter_mm"] = float(rng.choice([3, 4, 5, 6, 7, 8, 10, 12, 15, 20]))
    if rng.random() < 0.3:
        truth["fitzpatrick"] = rng.randint(1, 6)
    for name in (*SYMPTOMS, "elevation", *HISTORIES):
        if rng.random() < 0.55:
            truth[name] = rng.choice(["present", "absent"])
    return truth


def _size_en(mm: float, rng: random.Random) -> str:
    other = max(1.0, mm - rng.choice([1, 2, 3]))
    return rng.choice([
        f"measures {mm:g} x {other:g} mm",
        f"approx. {mm / 10:g} cm across",
        f"diam {mm:g}mm",
        f"size {mm / 10:g} x {other / 10:g} cm",
        f"{mm:g} mm in greatest dimension",
    ])


def _demographics_en(t: dict[str, Any], rng: random.Random) -> str:
    age, sex = t.get("age"), t.get("sex")
    s1 = {"male": "M", "female": "F"}.get(sex or "", "")
    word = {"male": "man", "female": "woman"}.get(sex or "", "patient")
    if age is not None and sex is not None:
        return rng.choice([
            f"{age} y/o {s1}.", f"{age}-year-old {word}.", f"{age}{s1}.", f"{s1}/{age}.",
            f"Pt is a {age} yo {sex}.", f"Age {age}, sex {s1}.",
        ])
    if age is not None:
        return rng.choice([f"Age {age}.", f"Pt aged {age}.", f"{age} y/o."])
    if sex is not None:
        return rng.choice([f"Sex: {s1}.", f"{sex.capitalize()} pt.", f"A {word}."])
    return ""


def _symptoms_en(t: dict[str, Any], rng: random.Random) -> list[str]:
    present = [s for s in SYMPTOMS if t.get(s) == "present"]
    absent = [s for s in SYMPTOMS if t.get(s) == "absent"]
    out = [rng.choice(EN_PRESENT[s]) for s in present]
    if len(absent) >= 2 and rng.random() < 0.5:
        names = [EN_LIST_NAMES[s] for s in absent]
        joined = ", ".join(names[:-1]) + " or " + names[-1]
        out.append(rng.choice([f"Denies {joined}", f"No {joined}", f"Negative for {joined}"]))
    else:
        out += [rng.choice(EN_ABSENT[s]) for s in absent]
    return out


def _history_en(t: dict[str, Any], rng: random.Random) -> list[str]:
    words = {
        ("skin_cancer_history", "present"): ["hx of BCC", "PMH: melanoma excised 2015", "prior SCC on the scalp"],
        ("skin_cancer_history", "absent"): ["no hx of skin cancer", "no prior skin malignancy", "no h/o melanoma"],
        ("cancer_history", "present"): ["h/o breast cancer", "past history of prostate cancer", "treated for lymphoma"],
        ("cancer_history", "absent"): ["no other cancer history", "no hx of malignancy"],
        ("smoke", "present"): ["smoker", "smokes 10/day", "current smoker"],
        ("smoke", "absent"): ["non-smoker", "never smoked", "smoking: no"],
        ("drink", "present"): ["drinks alcohol socially", "EtOH: yes", "regular alcohol use"],
        ("drink", "absent"): ["no alcohol", "teetotal", "EtOH: no"],
        ("elevation", "present"): ["raised", "elevated above the skin surface", "nodular"],
        ("elevation", "absent"): ["flat", "not raised", "macular"],
    }
    return [rng.choice(words[(h, t[h])]) for h in (*HISTORIES, "elevation") if h in t]


def note_en(t: dict[str, Any], rng: random.Random) -> str:
    """An English note stating exactly the facts of ``t``."""
    lesion = []
    if "site" in t:
        where = rng.choice(SITES_EN[t["site"]])
        lesion.append(rng.choice([f"Lesion on {where}", f"Site: {where}", f"Located on the {where}", f"{where.capitalize()} lesion"]))
    if "diameter_mm" in t:
        lesion.append(_size_en(t["diameter_mm"], rng))
    if "fitzpatrick" in t:
        roman = ["I", "II", "III", "IV", "V", "VI"][t["fitzpatrick"] - 1]
        lesion.append(rng.choice([f"Fitzpatrick {roman}", f"skin type {t['fitzpatrick']}", f"phototype {roman}"]))
    clauses = [*_symptoms_en(t, rng), *_history_en(t, rng)]
    rng.shuffle(clauses)
    sentences = [", ".join(lesion[:2])] if lesion[:2] else []
    sentences += lesion[2:]
    sentences += [c[0].upper() + c[1:] for c in _group(clauses, rng)]
    rng.shuffle(sentences)
    demo = _demographics_en(t, rng)
    extras = _distractors(t, rng, HEDGES_EN, SUSPICIONS_EN)
    parts = [demo, *(s.rstrip(".") + "." for s in sentences if s), *extras]
    return " ".join(p for p in parts if p)


def _group(clauses: list[str], rng: random.Random) -> list[str]:
    """Clauses joined into sentences of one to three, by commas or semicolons."""
    out, i = [], 0
    while i < len(clauses):
        k = rng.randint(1, 3)
        out.append(rng.choice([", ", "; "]).join(clauses[i : i + k]))
        i += k
    return out


def _distractors(t: dict[str, Any], rng: random.Random, hedges: dict, suspicions: list[str]) -> list[str]:
    out = []
    free = [s for s in hedges if s not in t]
    if free and rng.random() < 0.2:
        hedge = hedges[rng.choice(free)]
        out.append(hedge[0].upper() + hedge[1:] + ("" if hedge.endswith("。") else "."))
    if rng.random() < 0.35:
        out.append(rng.choice(suspicions))
    return out


def _demographics_zh(t: dict[str, Any], rng: random.Random) -> str:
    age, sex = t.get("age"), t.get("sex")
    zsex = {"male": "男", "female": "女"}.get(sex or "")
    if age is not None and zsex:
        return rng.choice([f"患者，{zsex}，{age}岁。", f"性别：{zsex}  年龄：{age}岁。", f"{zsex}性患者，{age}周岁。", f"患者{zsex}，年龄{age}岁。"])
    if age is not None:
        return rng.choice([f"年龄：{age}岁。", f"患者{age}岁。"])
    if zsex:
        return rng.choice([f"性别：{zsex}。", f"{zsex}性患者。"])
    return ""


def _symptoms_zh(t: dict[str, Any], rng: random.Random) -> list[str]:
    present = [s for s in SYMPTOMS if t.get(s) == "present"]
    absent = [s for s in SYMPTOMS if t.get(s) == "absent"]
    out = [rng.choice(ZH_PRESENT[s]) for s in present]
    if len(absent) >= 2 and rng.random() < 0.5:
        out.append(rng.choice(["无", "否认", "未诉"]) + "、".join(ZH_NAMES[s] for s in absent))
    else:
        out += [rng.choice(ZH_ABSENT[s]) for s in absent]
    return out


def _history_zh(t: dict[str, Any], rng: random.Random) -> list[str]:
    words = {
        ("skin_cancer_history", "present"): ["既往有基底细胞癌病史", "既往史：黑色素瘤切除术后", "曾患皮肤鳞癌"],
        ("skin_cancer_history", "absent"): ["否认皮肤癌病史", "既往无皮肤肿瘤病史"],
        ("cancer_history", "present"): ["既往有乳腺癌病史", "曾患肺癌"],
        ("cancer_history", "absent"): ["否认其他恶性肿瘤病史", "既往无癌症病史"],
        ("smoke", "present"): ["吸烟史：有", "有吸烟史", "吸烟20年"],
        ("smoke", "absent"): ["吸烟史：无", "从不吸烟", "否认吸烟"],
        ("drink", "present"): ["饮酒史：有", "偶尔饮酒", "有饮酒史"],
        ("drink", "absent"): ["饮酒史：无", "不饮酒", "否认饮酒"],
        ("elevation", "present"): ["皮损高出皮面", "皮疹隆起", "呈结节状隆起"],
        ("elevation", "absent"): ["皮损平坦", "皮损不高出皮面", "皮疹扁平"],
    }
    return [rng.choice(words[(h, t[h])]) for h in (*HISTORIES, "elevation") if h in t]


def note_zh(t: dict[str, Any], rng: random.Random) -> str:
    """A Chinese note, in a clinic-record style, stating exactly the facts of ``t``."""
    lesion = ""
    if "site" in t:
        lesion = rng.choice(["{}见一皮损", "皮疹位于{}", "部位：{}", "{}处皮损"]).format(rng.choice(SITES_ZH[t["site"]]))
    if "diameter_mm" in t:
        mm = t["diameter_mm"]
        size = rng.choice([f"约{mm:g}mm", f"直径约{mm / 10:g}厘米", f"大小约{mm:g}毫米×{max(1, mm - 2):g}毫米", f"{mm / 10:g}cm大小"])
        lesion = f"{lesion}，{size}" if lesion else f"皮损{size}"
    parts = [lesion] if lesion else []
    if "fitzpatrick" in t:
        roman = ["I", "II", "III", "IV", "V", "VI"][t["fitzpatrick"] - 1]
        parts.append(rng.choice([f"皮肤光型{roman}型", f"Fitzpatrick分型：{roman}型"]))
    clauses = [*_symptoms_zh(t, rng), *_history_zh(t, rng)]
    rng.shuffle(clauses)
    parts += ["，".join(clauses[i : i + 2]) for i in range(0, len(clauses), 2)]
    rng.shuffle(parts)
    extras = _distractors(t, rng, HEDGES_ZH, SUSPICIONS_ZH)
    body = "".join(p + "。" for p in parts)
    return _demographics_zh(t, rng) + body + "".join(e if e.endswith("。") else e.rstrip(".") + "。" for e in extras)


def make(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` English and ``n`` Chinese notes, each with its truth."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        for lang, writer in (("en", note_en), ("zh", note_zh)):
            truth = _truth(rng)
            records.append({"id": f"{lang}-{i:04d}", "lang": lang, "note": writer(truth, rng), "facts": truth})
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("tests/data/unseen_notes.jsonl"))
    parser.add_argument("--n", type=int, default=200, help="notes per language")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for record in make(args.n, args.seed):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {2 * args.n} notes to {args.out}")


if __name__ == "__main__":
    main()
