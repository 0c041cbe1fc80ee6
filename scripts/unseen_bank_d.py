"""Bank d: a held-out set of clinical notes for the note reader (issue 16).

Written fresh, without looking at the reader or at the phrase lists of banks a-c, in the
styles a dermatologist writes: SOAP notes, outpatient letters, terse telegraphic entries,
referral triage, and Chinese 门诊病历 (主诉/现病史/既往史/个人史/查体), terse Chinese
entries and field-style Chinese records. Every fact that a note states is in its truth;
a fact that is not stated is left out of the truth.

    python scripts/unseen_bank_d.py --seed 2026 --out tests/data/unseen_notes_d.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

# Site key (skinmm.data.notes.SITES) -> English phrasings (sex-neutral, or tagged by sex).
SITE_EN: dict[str, list[str]] = {
    "abdomen": [
        "abdomen",
        "periumbilical skin",
        "right lower quadrant of the abdomen",
        "anterior abdominal wall",
        "epigastrium",
    ],
    "acral": ["acral skin", "acral region"],
    "arm": ["upper arm", "left upper arm", "right deltoid area", "posterior upper arm"],
    "back": ["upper back", "interscapular region", "lower back", "left scapula", "mid back"],
    "chest": ["chest", "anterior chest wall", "presternal skin", "right upper chest"],
    "ear": ["helix of the right ear", "left earlobe", "right pinna", "posterior left ear"],
    "face": ["left cheek", "forehead", "right temple", "chin", "malar area", "jawline"],
    "foot": [
        "sole of the left foot",
        "right heel",
        "dorsum of the foot",
        "left great toe",
        "plantar forefoot",
    ],
    "forearm": ["forearm", "volar left forearm", "dorsal right forearm", "extensor forearm"],
    "genital": ["genital skin", "genital area"],
    "hand": [
        "back of the left hand",
        "right palm",
        "dorsum of the hand",
        "left index finger",
        "thenar eminence",
    ],
    "lip": ["lower lip", "upper lip", "vermilion of the lower lip"],
    "lower extremity": ["shin", "left calf", "right lower leg", "pretibial skin", "left knee"],
    "neck": ["neck", "right side of the neck", "nape of the neck", "anterior neck"],
    "nose": ["nasal tip", "left nasal ala", "bridge of the nose", "right nasal sidewall"],
    "scalp": ["scalp", "vertex of the scalp", "occipital scalp", "parietal scalp"],
    "thigh": ["thigh", "left anterior thigh", "medial right thigh", "posterior thigh"],
    "trunk": ["trunk", "torso", "upper trunk"],
    "upper extremity": ["upper limb", "right upper extremity", "left upper limb"],
}
SITE_EN_SEXED = {
    "genital": {"male": ["scrotum", "penile shaft"], "female": ["vulva", "labia majora"]}
}

SITE_ZH: dict[str, list[str]] = {
    "abdomen": ["腹部", "脐周", "右下腹", "上腹部", "左侧腹壁"],
    "acral": ["肢端", "肢端皮肤"],
    "arm": ["上臂", "左上臂", "右上臂外侧", "上臂伸侧"],
    "back": ["背部", "上背部", "腰背部", "左肩胛区", "后背"],
    "chest": ["胸部", "前胸", "胸骨前", "右上胸部"],
    "ear": ["耳部", "右耳廓", "左耳垂", "右耳轮"],
    "face": ["面部", "左颊部", "前额", "右颞部", "下颌", "颧部"],
    "foot": ["足部", "左足底", "右足跟", "足背", "左拇趾"],
    "forearm": ["前臂", "左前臂屈侧", "右前臂伸侧"],
    "genital": ["生殖器部位", "外生殖器"],
    "hand": ["手部", "左手背", "右手掌", "左示指", "右手背"],
    "lip": ["唇部", "下唇", "上唇", "下唇唇红"],
    "lower extremity": ["下肢", "小腿", "左胫前", "右小腿", "左膝部"],
    "neck": ["颈部", "右颈部", "颈后", "颈前"],
    "nose": ["鼻部", "鼻尖", "左鼻翼", "鼻背"],
    "scalp": ["头皮", "头顶部", "枕部头皮", "顶部头皮"],
    "thigh": ["大腿", "左大腿前侧", "右大腿内侧"],
    "trunk": ["躯干", "躯干部"],
    "upper extremity": ["上肢", "右上肢", "左上肢"],
}
SITE_ZH_SEXED = {"genital": {"male": ["阴囊", "阴茎"], "female": ["外阴", "大阴唇"]}}

# Present / absent phrasings, English. Sentences for prose; terse tokens for telegraphic notes.
EN: dict[str, tuple[list[str], list[str]]] = {
    "itch": (
        [
            "It itches.",
            "Pruritic.",
            "Complains of itch, worse at night.",
            "Reports that it itches.",
            "Pruritus reported.",
        ],
        [
            "Not itchy.",
            "Denies pruritus.",
            "No itch.",
            "Non-pruritic.",
            "Patient denies any itching.",
        ],
    ),
    "grew": (
        [
            "It has grown over the last months.",
            "Enlarging.",
            "Getting bigger.",
            "Reports increase in size.",
            "Has enlarged since last summer.",
        ],
        [
            "Not enlarging.",
            "Denies any increase in size.",
            "Has not grown.",
            "No growth noted by the patient.",
        ],
    ),
    "hurt": (
        ["Painful.", "Tender to touch.", "Reports pain at the site.", "Sore."],
        ["Painless.", "Non-tender.", "Denies pain.", "No pain."],
    ),
    "changed": (
        [
            "Has changed colour recently.",
            "Darkening and changing shape.",
            "Reports a change in its appearance.",
            "Evolving per patient.",
        ],
        [
            "No change in colour or shape.",
            "Appearance unchanged per patient.",
            "Denies any change in appearance.",
        ],
    ),
    "bleed": (
        [
            "Bleeds on minor trauma.",
            "Has bled several times.",
            "Intermittent bleeding reported.",
            "Bleeds when scratched.",
        ],
        ["Has never bled.", "No bleeding.", "Denies bleeding.", "No history of bleeding."],
    ),
    "elevation": (
        ["Raised.", "Elevated above the skin surface.", "Papular.", "Palpable, raised."],
        ["Flat.", "Macular, not raised.", "Flat, impalpable.", "Not elevated."],
    ),
    "skin_cancer_history": (
        [
            "Hx of BCC.",
            "Previous melanoma excised in 2015.",
            "Prior SCC, excised.",
            "Known history of basal cell carcinoma.",
        ],
        [
            "No previous skin cancer.",
            "No personal history of skin cancer.",
            "Never had a skin malignancy.",
        ],
    ),
    "cancer_history": (
        [
            "Breast cancer treated in 2012.",
            "Hx of prostate cancer.",
            "Treated for colon cancer four years ago.",
            "Lymphoma in remission.",
        ],
        ["No other malignancy.", "No history of other cancers.", "Denies other cancers."],
    ),
    "smoke": (
        [
            "Smokes 10 a day.",
            "Current smoker, 20 pack-years.",
            "Smoker.",
            "Smokes cigarettes daily.",
        ],
        ["Never smoked.", "Non-smoker.", "Denies tobacco use.", "Lifelong non-smoker."],
    ),
    "drink": (
        [
            "Drinks socially.",
            "Drinks alcohol most weekends.",
            "Alcohol: two glasses of wine a night.",
            "Regular alcohol intake.",
        ],
        ["Teetotal.", "Does not drink alcohol.", "No alcohol.", "Denies alcohol use."],
    ),
}
EN_TERSE: dict[str, tuple[list[str], list[str]]] = {
    "itch": (["itch+", "pruritus +", "itchy"], ["itch-", "pruritus neg", "no itch"]),
    "grew": (
        ["growing", "enlarging+", "size increasing"],
        ["not growing", "enlarging-", "no growth"],
    ),
    "hurt": (["pain+", "tender", "painful"], ["pain-", "non-tender", "painless"]),
    "changed": (
        ["changing+", "colour change+", "evolving"],
        ["no change", "colour/shape unchanged", "changing-"],
    ),
    "bleed": (["bleeds+", "bleeding+", "bleeds"], ["bleeding-", "no bleeding", "never bled"]),
    "elevation": (["raised", "elevated", "papular"], ["flat", "macular", "not raised"]),
    "skin_cancer_history": (
        ["hx BCC", "prev melanoma", "hx SCC"],
        ["no prior skin ca", "no hx skin cancer"],
    ),
    "cancer_history": (
        ["hx breast ca", "prostate ca hx", "hx colon ca"],
        ["no other ca", "no other cancer hx"],
    ),
    "smoke": (["smoker", "smokes 15/d"], ["non-smoker", "never smoker", "no tobacco"]),
    "drink": (["EtOH social", "drinks alcohol"], ["no EtOH", "teetotal", "no alcohol"]),
}

ZH: dict[str, tuple[list[str], list[str]]] = {
    "itch": (
        ["伴瘙痒", "自觉瘙痒", "有痒感", "夜间瘙痒明显"],
        ["无瘙痒", "不痒", "否认瘙痒", "无痒感"],
    ),
    "grew": (
        ["近半年逐渐增大", "较前明显增大", "皮损逐渐增大", "近期增大"],
        ["未见增大", "大小无明显增加", "未增大", "否认增大"],
    ),
    "hurt": (
        ["伴疼痛", "有触痛", "自觉疼痛", "压痛明显"],
        ["无疼痛", "无触痛", "无痛", "否认疼痛"],
    ),
    "changed": (
        ["颜色较前加深", "形态及颜色有改变", "近期外观有变化"],
        ["颜色形态无改变", "外观无变化", "否认颜色形态改变"],
    ),
    "bleed": (
        ["曾有出血", "易出血", "搔抓后出血", "反复出血"],
        ["无出血", "从未出血", "否认出血", "未出血"],
    ),
    "elevation": (["高出皮面", "隆起", "为隆起性丘疹"], ["平坦", "不高出皮面", "为平坦斑片"]),
    "skin_cancer_history": (
        ["既往基底细胞癌切除史", "曾患黑色素瘤", "有鳞状细胞癌病史", "5年前行皮肤基底细胞癌手术"],
        ["无皮肤癌病史", "否认皮肤恶性肿瘤史", "既往无皮肤肿瘤史"],
    ),
    "cancer_history": (
        ["乳腺癌术后", "有结肠癌病史", "甲状腺癌术后3年", "有前列腺癌病史"],
        ["否认其他恶性肿瘤史", "无其他肿瘤病史", "无其他癌症史"],
    ),
    "smoke": (["吸烟20年，每日10支", "有吸烟史", "吸烟"], ["不吸烟", "否认吸烟史", "无吸烟史"]),
    "drink": (["偶尔饮酒", "有饮酒史", "饮酒"], ["不饮酒", "否认饮酒史", "无饮酒史"]),
}

SYMPTOMS = ("itch", "grew", "hurt", "changed", "bleed")
HISTORY = ("skin_cancer_history", "cancer_history")
SOCIAL = ("smoke", "drink")
PROB = {
    "age": 0.85,
    "sex": 0.85,
    "site": 0.88,
    "diameter_mm": 0.6,
    "itch": 0.55,
    "grew": 0.5,
    "hurt": 0.45,
    "changed": 0.4,
    "bleed": 0.5,
    "elevation": 0.4,
    "skin_cancer_history": 0.35,
    "cancer_history": 0.3,
    "smoke": 0.35,
    "drink": 0.3,
}
DISTRACT_EN = [
    "Dermoscopy: atypical network.",
    "Suspect BCC.",
    "DDx: seborrhoeic keratosis vs naevus.",
    "Plan: excision biopsy.",
    "Pearly border with telangiectasia.",
    "Irregular pigmentation on dermoscopy.",
    "Will review in 3 months.",
    "",
]
DISTRACT_ZH = [
    "皮肤镜：不典型色素网。",
    "考虑基底细胞癌可能。",
    "拟行切除活检。",
    "边界不规则，色素不均。",
    "建议3个月后复诊。",
    "初步诊断：色素痣？",
    "",
]
ZH_NUM = "零一二三四五六七八九"


def _truth(rng: random.Random, sites: list[str]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    if rng.random() < PROB["age"]:
        facts["age"] = rng.randint(18, 92)
    if rng.random() < PROB["sex"]:
        facts["sex"] = rng.choice(["male", "female"])
    if rng.random() < PROB["site"]:
        facts["site"] = rng.choice(sites)
    if rng.random() < PROB["diameter_mm"]:
        facts["diameter_mm"] = float(
            rng.choice([2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 18, 20, 25])
        )
    for name in (*SYMPTOMS, "elevation", *HISTORY, *SOCIAL):
        if rng.random() < PROB[name]:
            facts[name] = rng.choice(["present", "absent"])
    return facts


def _pick(
    rng: random.Random, table: dict[str, tuple[list[str], list[str]]], name: str, value: str
) -> str:
    return rng.choice(table[name][0 if value == "present" else 1])


def _site_en(rng: random.Random, facts: dict[str, Any]) -> str:
    site, sex = facts["site"], facts.get("sex")
    if site in SITE_EN_SEXED and sex and rng.random() < 0.5:
        return rng.choice(SITE_EN_SEXED[site][sex])
    return rng.choice(SITE_EN[site])


def _site_zh(rng: random.Random, facts: dict[str, Any]) -> str:
    site, sex = facts["site"], facts.get("sex")
    if site in SITE_ZH_SEXED and sex and rng.random() < 0.5:
        return rng.choice(SITE_ZH_SEXED[site][sex])
    return rng.choice(SITE_ZH[site])


def _size_en(rng: random.Random, mm: float) -> str:
    small = max(1.0, mm - rng.choice([1, 2, 3]))
    style = rng.randrange(5)
    if style == 0:
        return f"{mm:g} x {small:g} mm"
    if style == 1:
        return f"{mm / 10:g} cm"
    if style == 2:
        return f"{mm / 10:g} x {small / 10:g} cm"
    if style == 3:
        return f"{mm:g}mm"
    return f"{mm:g} mm in diameter"


def _size_zh(rng: random.Random, mm: float) -> str:
    small = max(1.0, mm - rng.choice([1, 2, 3]))
    style = rng.randrange(5)
    if style == 0:
        return f"约{mm / 10:g}×{small / 10:g}cm"
    if style == 1:
        return f"直径约{mm:g}毫米"
    if style == 2:
        return f"大小约{mm:g}mm×{small:g}mm"
    if style == 3:
        return f"直径约{mm / 10:g}厘米"
    return f"约{mm / 10:g}cm×{small / 10:g}cm"


def _zh_age(rng: random.Random, age: int) -> str:
    if rng.random() < 0.15:
        tens, ones = divmod(age, 10)
        words = ("" if tens == 1 else ZH_NUM[tens]) + "十" + (ZH_NUM[ones] if ones else "")
        return f"{words}岁"
    return f"{age}岁"


# ---------------------------------------------------------------- English styles
def _soap(rng: random.Random, f: dict[str, Any]) -> str:
    who = []
    if "age" in f and "sex" in f:
        who.append(
            rng.choice(
                [
                    f"{f['age']}{'M' if f['sex'] == 'male' else 'F'}",
                    f"{f['age']} y/o {'male' if f['sex'] == 'male' else 'female'}",
                ]
            )
        )
    elif "age" in f:
        who.append(f"{f['age']}-year-old patient")
    elif "sex" in f:
        who.append("Male patient" if f["sex"] == "male" else "Female patient")
    else:
        who.append("Patient")
    s = [
        f"S: {who[0]} presents with a lesion"
        + (f" on the {_site_en(rng, f)}." if "site" in f else ".")
    ]
    s += [_pick(rng, EN, n, f[n]) for n in SYMPTOMS if n in f]
    pmh = [_pick(rng, EN, n, f[n]) for n in HISTORY if n in f]
    sh = [_pick(rng, EN, n, f[n]) for n in SOCIAL if n in f]
    out = " ".join(s)
    if pmh:
        out += " PMH: " + " ".join(pmh)
    if sh:
        out += " SH: " + " ".join(sh)
    o = []
    if "diameter_mm" in f:
        o.append(f"Lesion measures {_size_en(rng, f['diameter_mm'])}.")
    if "elevation" in f:
        o.append(_pick(rng, EN, "elevation", f["elevation"]))
    o.append(rng.choice(DISTRACT_EN))
    out += " O: " + " ".join(x for x in o if x)
    out += " A/P: " + rng.choice(
        [
            "Suspicious pigmented lesion, excise.",
            "Likely benign, reassure.",
            "Biopsy to exclude malignancy.",
            "Monitor with photos.",
        ]
    )
    return out


def _letter(rng: random.Random, f: dict[str, Any]) -> str:
    sex = f.get("sex")
    title = {"male": "Mr Smith", "female": "Mrs Smith", None: "this patient"}[sex]
    noun = {
        "male": rng.choice(["gentleman", "man"]),
        "female": rng.choice(["lady", "woman"]),
        None: "",
    }[sex]
    pron = {"male": "He", "female": "She", None: "The patient"}[sex]
    intro = f"Dear Dr Jones, thank you for referring {title}"
    if "age" in f:
        art = "an" if str(f["age"]).startswith("8") or f["age"] in (11, 18) else "a"
        intro += f", {art} {f['age']}-year-old {noun}".rstrip()
    elif sex:
        intro += f", a {noun}"
    intro += ", whom I saw in clinic today"
    if "site" in f:
        intro += f" regarding a lesion on the {_site_en(rng, f)}."
    else:
        intro += " regarding a skin lesion."
    parts = [intro]
    sym = [n for n in SYMPTOMS if n in f]
    if sym:
        parts.append(f"{pron} reports the following.")
        parts += [_pick(rng, EN, n, f[n]) for n in sym]
    if "diameter_mm" in f or "elevation" in f:
        ex = "On examination"
        if "diameter_mm" in f:
            ex += f" it measured {_size_en(rng, f['diameter_mm'])}."
        else:
            ex += ":"
        parts.append(ex)
        if "elevation" in f:
            parts.append(_pick(rng, EN, "elevation", f["elevation"]))
    hist = [_pick(rng, EN, n, f[n]) for n in (*HISTORY, *SOCIAL) if n in f]
    if hist:
        parts.append("Background: " + " ".join(hist))
    parts.append(rng.choice(DISTRACT_EN))
    parts.append("Kind regards, Dr Lee, Dermatology.")
    return " ".join(p for p in parts if p)


def _terse(rng: random.Random, f: dict[str, Any]) -> str:
    toks = []
    if "sex" in f and "age" in f:
        toks.append(
            rng.choice(
                [
                    f"{'M' if f['sex'] == 'male' else 'F'} {f['age']}",
                    f"{f['age']}{'M' if f['sex'] == 'male' else 'F'}",
                    f"{'M' if f['sex'] == 'male' else 'F'}/{f['age']}",
                ]
            )
        )
    elif "age" in f:
        toks.append(rng.choice([f"{f['age']}y", f"age {f['age']}", f"{f['age']}yo"]))
    elif "sex" in f:
        toks.append(rng.choice(["male", "M"] if f["sex"] == "male" else ["female", "F"]))
    if "site" in f:
        toks.append(_site_en(rng, f))
    if "diameter_mm" in f:
        toks.append(_size_en(rng, f["diameter_mm"]))
    rest = [
        _pick(rng, EN_TERSE, n, f[n]) for n in (*SYMPTOMS, "elevation", *HISTORY, *SOCIAL) if n in f
    ]
    rng.shuffle(rest)
    toks += rest
    d = rng.choice(["?BCC", "?MM", "?SK", "r/o SCC", ""])
    if d:
        toks.append(d)
    return rng.choice(["; ", ". ", ", "]).join(toks) + "."


def _triage(rng: random.Random, f: dict[str, Any]) -> str:
    lines = [
        "Reason for referral: changing skin lesion."
        if f.get("changed") == "present"
        else "Reason for referral: skin lesion for assessment."
    ]
    demo = []
    if "age" in f:
        demo.append(f"Age: {f['age']}")
    if "sex" in f:
        demo.append(f"Sex: {'M' if f['sex'] == 'male' else 'F'}")
    if demo:
        lines.append(" | ".join(demo) + ".")
    if "site" in f:
        lines.append(f"Location: {_site_en(rng, f)}.")
    if "diameter_mm" in f:
        lines.append(f"Size: {_size_en(rng, f['diameter_mm'])}.")
    hx = [_pick(rng, EN, n, f[n]) for n in SYMPTOMS if n in f]
    if hx:
        lines.append("History: " + " ".join(hx))
    if "elevation" in f:
        lines.append("Exam: " + _pick(rng, EN, "elevation", f["elevation"]))
    pm = [_pick(rng, EN, n, f[n]) for n in (*HISTORY, *SOCIAL) if n in f]
    if pm:
        lines.append("Past/social: " + " ".join(pm))
    lines.append(rng.choice(DISTRACT_EN))
    return " ".join(x for x in lines if x)


# ---------------------------------------------------------------- Chinese styles
def _zh_menzhen(rng: random.Random, f: dict[str, Any]) -> str:
    head = []
    if "sex" in f:
        head.append("性别：" + ("男" if f["sex"] == "male" else "女"))
    if "age" in f:
        head.append("年龄：" + _zh_age(rng, f["age"]))
    site = _site_zh(rng, f) if "site" in f else ""
    chief = f"主诉：{site}皮损{rng.choice(['1年', '2年', '3月', '半年', '数年'])}"
    if f.get("grew") == "present":
        chief += "，增大" + rng.choice(["3月", "半年"])
    chief += "。"
    hpi = [
        _pick(rng, ZH, n, f[n])
        for n in SYMPTOMS
        if n in f and not (n == "grew" and f[n] == "present")
    ]
    now = "现病史：患者" + (f"{site}出现一皮损" if site else "发现一皮损")
    if hpi:
        now += "，" + "，".join(hpi)
    now += "。"
    past = [_pick(rng, ZH, n, f[n]) for n in HISTORY if n in f]
    pers = [_pick(rng, ZH, n, f[n]) for n in SOCIAL if n in f]
    exam = []
    if "diameter_mm" in f:
        exam.append(_size_zh(rng, f["diameter_mm"]))
    if "elevation" in f:
        exam.append(_pick(rng, ZH, "elevation", f["elevation"]))
    parts = ["  ".join(head) + ("。" if head else ""), chief, now]
    if past:
        parts.append("既往史：" + "，".join(past) + "。")
    if pers:
        parts.append("个人史：" + "，".join(pers) + "。")
    if exam:
        parts.append("查体：皮损" + "，".join(exam) + "。")
    parts.append(rng.choice(DISTRACT_ZH))
    return "".join(p for p in parts if p)


def _zh_terse(rng: random.Random, f: dict[str, Any]) -> str:
    toks = []
    if "sex" in f:
        toks.append("男" if f["sex"] == "male" else "女")
    if "age" in f:
        toks.append(_zh_age(rng, f["age"]))
    first = "，".join(toks) + "。" if toks else ""
    body = []
    if "site" in f:
        body.append(
            f"{_site_zh(rng, f)}见一{rng.choice(['皮损', '色素性皮损', '褐色皮损', '黑色皮损'])}"
        )
    if "diameter_mm" in f:
        body.append(_size_zh(rng, f["diameter_mm"]))
    # Compact Chinese negations: 不痒不痛, 无痒痛.
    if f.get("itch") == "absent" and f.get("hurt") == "absent" and rng.random() < 0.6:
        body.append(rng.choice(["不痒不痛", "无痒痛"]))
        done = {"itch", "hurt"}
    else:
        done = set()
    body += [_pick(rng, ZH, n, f[n]) for n in (*SYMPTOMS, "elevation") if n in f and n not in done]
    if f.get("smoke") == "absent" and f.get("drink") == "absent" and rng.random() < 0.6:
        body.append(rng.choice(["无烟酒嗜好", "否认烟酒史"]))
        done |= {"smoke", "drink"}
    body += [_pick(rng, ZH, n, f[n]) for n in (*HISTORY, *SOCIAL) if n in f and n not in done]
    return first + "，".join(body) + "。" + rng.choice(DISTRACT_ZH)


def _zh_narrative(rng: random.Random, f: dict[str, Any]) -> str:
    who = "患者"
    bits = []
    if "sex" in f:
        bits.append(rng.choice(["男性", "男"] if f["sex"] == "male" else ["女性", "女"]))
    if "age" in f:
        bits.append(_zh_age(rng, f["age"]))
    if bits:
        who += "，" + "，".join(bits)
    site = _site_zh(rng, f) if "site" in f else ""
    out = who + f"，因“{site}皮损{rng.choice(['2年', '半年', '数月'])}”就诊。"
    sym = [_pick(rng, ZH, n, f[n]) for n in SYMPTOMS if n in f]
    if sym:
        out += "，".join(sym) + "。"
    ex = []
    if "diameter_mm" in f:
        ex.append(_size_zh(rng, f["diameter_mm"]))
    if "elevation" in f:
        ex.append(_pick(rng, ZH, "elevation", f["elevation"]))
    if ex:
        out += "查体：" + "，".join(ex) + "。"
    hx = [_pick(rng, ZH, n, f[n]) for n in (*HISTORY, *SOCIAL) if n in f]
    if hx:
        out += "，".join(hx) + "。"
    return out + rng.choice(DISTRACT_ZH)


def _zh_fields(rng: random.Random, f: dict[str, Any]) -> str:
    rows = []
    if "sex" in f:
        rows.append("性别：" + ("男" if f["sex"] == "male" else "女"))
    if "age" in f:
        rows.append("年龄：" + str(f["age"]))
    if "site" in f:
        rows.append("部位：" + _site_zh(rng, f))
    if "diameter_mm" in f:
        rows.append("大小：" + _size_zh(rng, f["diameter_mm"]).removeprefix("大小"))
    for n in (*SYMPTOMS, "elevation", *HISTORY, *SOCIAL):
        if n in f:
            rows.append(_pick(rng, ZH, n, f[n]))
    return "；".join(rows) + "。" + rng.choice(DISTRACT_ZH)


EN_STYLES = (_soap, _letter, _terse, _triage)
ZH_STYLES = (_zh_menzhen, _zh_terse, _zh_narrative, _zh_fields)


def make(seed: int, n_per_lang: int = 200) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    sites = sorted(SITE_EN)
    out: list[dict[str, Any]] = []
    for lang, styles in (("en", EN_STYLES), ("zh", ZH_STYLES)):
        for i in range(n_per_lang):
            facts = _truth(rng, sites)
            note = styles[i % len(styles)](rng, facts)
            out.append({"id": f"d-{lang}-{i:04d}", "lang": lang, "note": note, "facts": facts})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", type=Path, default=Path("tests/data/unseen_notes_d.jsonl"))
    args = ap.parse_args()
    rows = make(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} notes -> {args.out}")


if __name__ == "__main__":
    main()
