"""Blind held-out wording bank g for the note reader (issue 16).

Writes tests/data/unseen_notes_g.jsonl: English and Chinese notes in the way clinicians
and patients actually write (letters, GP referrals, clinic notes, self-reports, yes/no
forms, 门诊病历, 电子病历, 互联网医院 dialogue, colloquial accounts), each with the facts
it states. Hedged facts are left out of `facts` and listed under `uncertain`. Written
without looking at the reader or earlier banks. Deterministic (seed 20261201).

Run: python scripts/unseen_bank_g.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SEED = 20261201
N_PER_LANG = 200
OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "unseen_notes_g.jsonl"

# Sites where a clinician writes left/right.
SIDED = {
    "arm",
    "ear",
    "face",
    "foot",
    "forearm",
    "hand",
    "lower extremity",
    "thigh",
    "upper extremity",
}
SYMPTOMS = ("itch", "grew", "hurt", "changed", "bleed", "elevation")
HISTORY = ("skin_cancer_history", "cancer_history", "smoke", "drink")

# Site key (skinmm/data/notes.py) -> English wordings, Chinese wordings.
SITE_EN: dict[str, list[str]] = {
    "abdomen": ["abdomen", "abdominal wall", "tummy"],
    "acral": ["acral skin", "an acral site"],
    "arm": ["upper arm", "arm"],
    "back": ["back", "upper back", "lower back"],
    "chest": ["chest", "anterior chest wall", "chest wall"],
    "ear": ["ear", "helix of the ear", "earlobe"],
    "face": ["face", "cheek", "forehead"],
    "foot": ["foot", "dorsum of the foot", "top of the foot"],
    "forearm": ["forearm", "volar forearm"],
    "genital": ["genital area", "genital region"],
    "hand": ["hand", "back of the hand", "dorsum of the hand"],
    "lip": ["lip", "lower lip", "upper lip"],
    "lower extremity": ["lower leg", "shin", "calf"],
    "neck": ["neck", "side of the neck"],
    "nose": ["nose", "nasal tip", "nasal ala"],
    "scalp": ["scalp", "crown of the scalp"],
    "thigh": ["thigh", "anterior thigh"],
    "trunk": ["trunk", "flank"],
    "upper extremity": ["upper limb", "upper extremity"],
}
SITE_ZH: dict[str, list[str]] = {
    "abdomen": ["腹部", "肚子上", "下腹部"],
    "acral": ["肢端", "肢端皮肤"],
    "arm": ["上臂", "大胳膊"],
    "back": ["背部", "后背", "背上"],
    "chest": ["胸部", "前胸", "胸前"],
    "ear": ["耳部", "耳朵上", "耳廓"],
    "face": ["面部", "脸上", "面颊", "额头"],
    "foot": ["足部", "脚背", "脚上"],
    "forearm": ["前臂", "小臂"],
    "genital": ["生殖器部位", "外生殖器"],
    "hand": ["手部", "手背", "手上"],
    "lip": ["唇部", "下唇", "嘴唇上"],
    "lower extremity": ["下肢", "小腿", "小腿前侧"],
    "neck": ["颈部", "脖子上", "颈侧"],
    "nose": ["鼻部", "鼻尖", "鼻翼"],
    "scalp": ["头皮", "头顶头皮"],
    "thigh": ["大腿", "大腿内侧"],
    "trunk": ["躯干", "躯干部"],
    "upper extremity": ["上肢"],
}

# Clinical (c) and lay (l) English wordings for each fact: present (+) / absent (-).
EN: dict[str, dict[str, list[str]]] = {
    "itch+c": ["pruritic", "c/o itch", "reports intermittent pruritus", "itchy"],
    "itch-c": ["non-pruritic", "denies itch", "no pruritus", "not itchy"],
    "itch+l": ["it's been itchy on and off", "it itches a lot", "it keeps itching"],
    "itch-l": ["it doesn't itch", "it has never itched", "no itching at all"],
    "grew+c": ["enlarging", "increasing in size", "has grown over recent months"],
    "grew-c": ["stable in size", "not enlarging", "no growth reported"],
    "grew+l": ["my mole got bigger", "it has grown", "it's getting bigger"],
    "grew-l": ["it hasn't got any bigger", "it hasn't grown", "it's not growing"],
    "hurt+c": ["tender", "painful", "c/o pain at the site"],
    "hurt-c": ["non-tender", "painless", "denies pain"],
    "hurt+l": ["it hurts when I touch it", "it's sore", "it aches"],
    "hurt-l": ["it doesn't hurt", "no pain", "it's not sore"],
    "changed+c": ["change in colour noted", "has darkened", "changed in shape"],
    "changed-c": [
        "no change in colour or shape",
        "appearance unchanged",
        "has not changed in appearance",
    ],
    "changed+l": ["it's gone darker", "the colour has changed", "it looks different now"],
    "changed-l": [
        "it still looks the same",
        "the colour hasn't changed",
        "it looks the same as always",
    ],
    "bleed+c": [
        "has bled",
        "episodes of bleeding",
        "bled once last month, none since",
        "oozing blood",
    ],
    "bleed-c": ["no bleeding", "never bled", "denies bleeding", "negative for bleeding"],
    "bleed+l": ["it bled when I caught it with a towel", "it has bled a couple of times"],
    "bleed-l": ["it has never bled", "it doesn't bleed", "no blood"],
    "elevation+c": ["raised", "elevated", "papular", "nodular and palpable"],
    "elevation-c": ["flat", "macular", "not raised", "impalpable"],
    "elevation+l": ["it's raised", "it sticks up from the skin", "it's a bump"],
    "elevation-l": ["it's flat", "it's flat to the skin", "you can't feel it"],
    "skin_cancer_history+c": [
        "Hx of BCC (excised 2018)",
        "previous melanoma, WLE 2015",
        "s/p excision of SCC 2020",
    ],
    "skin_cancer_history-c": [
        "no personal hx of skin cancer",
        "no previous skin cancers",
        "never had skin cancer",
    ],
    "skin_cancer_history+l": [
        "I had a skin cancer cut out before",
        "I've had a basal cell removed",
    ],
    "skin_cancer_history-l": ["I've never had skin cancer", "never had skin cancer myself"],
    "smoke+c": ["current smoker, 10/day", "smokes 20 cigs/day", "smoker (15 pack-years)"],
    "smoke-c": ["non-smoker", "never smoked", "denies tobacco use", "nil tobacco"],
    "smoke+l": ["I smoke", "I smoke about a pack a day"],
    "smoke-l": ["I don't smoke", "I've never smoked"],
    "drink+c": ["drinks alcohol socially", "EtOH 2-3 units/wk", "alcohol: occasional"],
    "drink-c": ["no alcohol", "teetotal", "denies EtOH", "nil alcohol"],
    "drink+l": ["I have a glass of wine most evenings", "I drink at weekends"],
    "drink-l": ["I don't drink", "I never drink alcohol"],
}
CANCER_EN = {
    "female": ["breast ca 2015", "breast cancer s/p mastectomy", "cervical cancer 2010"],
    "male": ["prostate ca on surveillance", "testicular cancer 2001", "prostate cancer s/p RT"],
    None: ["colon cancer 2012", "thyroid cancer s/p thyroidectomy", "lymphoma in remission"],
}
CANCER_NEG_EN = [
    "no hx of internal malignancy",
    "no other cancers",
    "negative for non-skin malignancy",
]
CANCER_LAY_EN = {
    "female": ["I had breast cancer years ago"],
    "male": ["I had prostate cancer"],
    None: ["I had bowel cancer a while back"],
}
HEDGE_EN = {
    "itch": ["? itchy", "possibly itchy, pt unsure"],
    "grew": ["not sure whether it has grown", "may have enlarged slightly"],
    "hurt": ["? tender", "perhaps sore at times"],
    "changed": ["may have changed colour", "possibly darker, unclear"],
    "bleed": ["? bled once", "possibly bled, pt can't recall"],
    "elevation": [],
}
FAMILY_EN = [
    "FHx: mother had melanoma",
    "family history of melanoma (father)",
    "sister had BCC",
    "FHx of skin cancer in a brother",
    "partner smokes",
    "father was a heavy drinker",
]

ZH: dict[str, list[str]] = {
    "itch+c": ["伴瘙痒", "时有瘙痒", "自觉瘙痒"],
    "itch-c": ["无瘙痒", "否认瘙痒", "未诉瘙痒"],
    "itch+l": ["有点痒", "老是痒", "时不时痒一下"],
    "itch-l": ["不痒", "一点都不痒", "没有痒过"],
    "grew+c": ["逐渐增大", "较前增大", "近期明显增大"],
    "grew-c": ["大小稳定", "未见增大", "无明显增大"],
    "grew+l": ["长大了", "变大了", "比以前大了"],
    "grew-l": ["没有长大", "没变大", "一直这么大"],
    "hurt+c": ["伴疼痛", "有触痛", "压痛明显"],
    "hurt-c": ["无疼痛", "无触痛", "否认疼痛"],
    "hurt+l": ["有点疼", "碰到会疼", "摸着疼"],
    "hurt-l": ["不疼", "没有疼过", "摸着也不疼"],
    "changed+c": ["颜色加深", "形状改变", "外观较前改变"],
    "changed-c": ["颜色形态无改变", "外观未见改变", "颜色无变化"],
    "changed+l": ["颜色变深了", "样子变了", "颜色变黑了"],
    "changed-l": ["颜色没变", "样子没怎么变", "颜色一直没变"],
    "bleed+c": ["偶有出血", "曾破溃出血", "有出血史"],
    "bleed-c": ["无出血", "未出血", "否认出血"],
    "bleed+l": ["流过血", "洗澡时蹭破出过血", "出过两次血"],
    "bleed-l": ["没流过血", "从来没出过血", "没出血"],
    "elevation+c": ["高出皮面", "呈结节状隆起", "隆起于皮面"],
    "elevation-c": ["不高出皮面", "皮损平坦", "未隆起"],
    "elevation+l": ["鼓起来一块", "摸着是凸起的", "是凸出来的"],
    "elevation-l": ["平平的", "摸不出来", "是平的"],
    "skin_cancer_history+c": ["既往基底细胞癌切除史", "曾患黑色素瘤，已手术", "2019年鳞癌切除术后"],
    "skin_cancer_history-c": ["否认皮肤癌病史", "无皮肤肿瘤史", "既往无皮肤癌"],
    "skin_cancer_history+l": ["以前得过皮肤癌，切掉了", "以前长过基底细胞癌"],
    "skin_cancer_history-l": ["没得过皮肤癌", "以前没长过皮肤癌"],
    "smoke+c": ["吸烟20年，每日10支", "有吸烟史", "吸烟，每天半包"],
    "smoke-c": ["不吸烟", "否认吸烟", "无吸烟史"],
    "smoke+l": ["我抽烟", "平时抽烟，一天一包"],
    "smoke-l": ["我不抽烟", "从来不抽烟"],
    "drink+c": ["少量饮酒", "偶尔饮酒", "饮酒史10年"],
    "drink-c": ["不饮酒", "否认饮酒", "无饮酒史"],
    "drink+l": ["平时喝点酒", "周末喝酒"],
    "drink-l": ["不喝酒", "滴酒不沾"],
}
CANCER_ZH = {
    "female": ["乳腺癌术后", "宫颈癌病史", "卵巢癌化疗后"],
    "male": ["前列腺癌病史", "前列腺癌放疗后", "睾丸癌术后"],
    None: ["结肠癌术后", "甲状腺癌术后", "淋巴瘤病史"],
}
CANCER_NEG_ZH = ["否认其他恶性肿瘤史", "无内脏肿瘤病史", "无其他癌症病史"]
CANCER_LAY_ZH = {
    "female": ["以前得过乳腺癌"],
    "male": ["以前得过前列腺癌"],
    None: ["前几年得过肠癌"],
}
HEDGE_ZH = {
    "itch": ["似乎有点痒", "痒不痒说不清"],
    "grew": ["不确定是否长大", "好像大了一点？"],
    "hurt": ["可能有点疼？", "疼不疼不太确定"],
    "changed": ["颜色可能深了一些？", "不确定颜色有无变化"],
    "bleed": ["可能出过血？", "记不清有没有出过血"],
    "elevation": [],
}
FAMILY_ZH = ["母亲有黑色素瘤病史", "父亲曾患皮肤癌", "姐姐患乳腺癌", "配偶吸烟", "父亲嗜酒"]

TRAD = str.maketrans(
    "痒长颜变没过岁这个颗发现诉无烟饮肤脸头脚颈后医诊检体时间约吗么们说样点较压触肠术脏转鼓为来从吸经刚历",
    "癢長顏變沒過歲這個顆發現訴無煙飲膚臉頭腳頸後醫診檢體時間約嗎麼們說樣點較壓觸腸術臟轉鼓為來從吸經剛歷",
)
FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def pick(rng: random.Random, seq: list[str]) -> str:
    return seq[rng.randrange(len(seq))]


def draw_facts(rng: random.Random) -> tuple[dict[str, object], list[str], dict[str, object]]:
    """Return the stated facts, the hedged fact names, and rendering extras (sizes)."""
    facts: dict[str, object] = {}
    extra: dict[str, object] = {}
    if rng.random() < 0.9:
        facts["age"] = rng.randint(18, 92)
    if rng.random() < 0.85:
        facts["sex"] = pick(rng, ["male", "female"])
    if rng.random() < 0.9:
        facts["site"] = pick(rng, sorted(SITE_EN))
    if rng.random() < 0.75:
        dims = [rng.randint(3, 30)]
        if rng.random() < 0.5:
            dims.append(rng.randint(2, dims[0]))
        extra["dims"] = dims
        facts["diameter_mm"] = float(max(dims))
    hedged: list[str] = []
    for name in SYMPTOMS:
        r = rng.random()
        if r < 0.35:
            facts[name] = "present"
        elif r < 0.65:
            facts[name] = "absent"
        elif r < 0.72 and name != "elevation":
            hedged.append(name)
    for name in HISTORY:
        r = rng.random()
        if r < 0.22:
            facts[name] = "present"
        elif r < 0.55:
            facts[name] = "absent"
    extra["family"] = rng.random() < 0.3
    return facts, hedged, extra


def size_en(rng: random.Random, dims: list[int]) -> str:
    if rng.random() < 0.4:
        cm = " x ".join(f"{d / 10:g}" for d in dims)
        return f"{cm} cm"
    sep = pick(rng, ["x", " x ", "×"])
    return sep.join(str(d) for d in dims) + pick(rng, ["mm", " mm"])


def size_zh(rng: random.Random, dims: list[int]) -> str:
    r = rng.random()
    if r < 0.35:
        cms = "×".join(f"{d / 10:g}" for d in dims)
        return f"约{cms}厘米" if len(dims) == 1 else f"{cms}cm"
    if r < 0.6 and len(dims) == 1:
        return f"直径约{dims[0]}毫米"
    return "×".join(str(d) for d in dims) + pick(rng, ["mm", "毫米"])


def phrase_en(rng: random.Random, facts: dict[str, object], name: str, lay: bool) -> str:
    value = facts[name]
    sex = facts.get("sex")
    if name == "cancer_history":
        if value == "absent":
            return pick(rng, CANCER_NEG_EN)
        key = sex if sex and rng.random() < 0.6 else None
        bank = CANCER_LAY_EN if lay else CANCER_EN
        return pick(rng, bank[key])
    sign = "+" if value == "present" else "-"
    return pick(rng, EN[f"{name}{sign}{'l' if lay else 'c'}"])


def phrase_zh(rng: random.Random, facts: dict[str, object], name: str, lay: bool) -> str:
    value = facts[name]
    sex = facts.get("sex")
    if name == "cancer_history":
        if value == "absent":
            return pick(rng, CANCER_NEG_ZH)
        key = sex if sex and rng.random() < 0.6 else None
        return pick(rng, (CANCER_LAY_ZH if lay else CANCER_ZH)[key])
    sign = "+" if value == "present" else "-"
    return pick(rng, ZH[f"{name}{sign}{'l' if lay else 'c'}"])


def symptoms_en(rng: random.Random, facts: dict[str, object], hedged: list[str]) -> str:
    """Clinical symptom clause: scoped negations, 'X but Y', or one 'denies A, B or C'."""
    names = [n for n in SYMPTOMS if n in facts and n != "elevation"]
    rng.shuffle(names)
    absent = [n for n in names if facts[n] == "absent"]
    present = [n for n in names if facts[n] == "present"]
    nouns = {
        "itch": "itching",
        "hurt": "pain",
        "bleed": "bleeding",
        "grew": "growth",
        "changed": "colour change",
    }
    parts: list[str] = []
    if len(absent) >= 2 and rng.random() < 0.5:
        words = [nouns[n] for n in absent]
        lead = pick(rng, ["denies", "no", "negative for", "without"])
        parts.append(f"{lead} {', '.join(words[:-1])} or {words[-1]}")
    else:
        parts += [phrase_en(rng, facts, n, False) for n in absent]
    pos = [phrase_en(rng, facts, n, False) for n in present]
    parts += [pick(rng, HEDGE_EN[n]) for n in hedged]
    if parts and pos and rng.random() < 0.5:
        return f"{'; '.join(parts)} but {', '.join(pos)}"
    return ", ".join(pos + parts)


def history_en(rng: random.Random, facts: dict[str, object], lay: bool) -> list[str]:
    return [phrase_en(rng, facts, n, lay) for n in HISTORY if n in facts]


def who_en(rng: random.Random, facts: dict[str, object]) -> str:
    age, sex = facts.get("age"), facts.get("sex")
    noun = {
        "male": pick(rng, ["man", "gentleman", "male"]),
        "female": pick(rng, ["woman", "lady", "female"]),
    }
    if age is not None and sex:
        return pick(
            rng,
            [f"{age}-year-old {noun[sex]}", f"{age} y/o {sex[0].upper()}", f"{age}yo {noun[sex]}"],
        )
    if age is not None:
        return pick(rng, [f"{age}-year-old patient", f"pt aged {age}", f"{age} yo pt"])
    if sex:
        return noun[sex]
    return "patient"


def where_en(rng: random.Random, facts: dict[str, object], extra: dict[str, object]) -> str:
    bits = []
    if "site" in facts:
        side = pick(rng, ["", "left ", "right ", "L ", "R "]) if facts["site"] in SIDED else ""
        bits.append(f"on the {side}{pick(rng, SITE_EN[str(facts['site'])])}")
    if "dims" in extra:
        bits.append(f"measuring {size_en(rng, list(extra['dims']))}")  # type: ignore[arg-type]
    return " ".join(bits)


def elev_en(rng: random.Random, facts: dict[str, object], lay: bool) -> str:
    return phrase_en(rng, facts, "elevation", lay) if "elevation" in facts else ""


def en_letter(rng: random.Random, f: dict[str, object], h: list[str], x: dict[str, object]) -> str:
    doc = pick(rng, ["Dr Patel", "Dr Okafor", "Dr Lindqvist", "Dr Moreau"])
    s = [
        f"Dear {doc}, thank you for referring this {who_en(rng, f)}, who I saw in clinic today regarding a pigmented lesion {where_en(rng, f, x)}".rstrip()
        + "."
    ]
    sym = symptoms_en(rng, f, h)
    if sym:
        s.append(f"The lesion has been present for {rng.randint(1, 10)} years; {sym}.")
    e = elev_en(rng, f, False)
    if e:
        s.append(f"On examination it is {e}.")
    hist = history_en(rng, f, False)
    if hist:
        s.append(f"PMHx/SHx: {'; '.join(hist)}.")
    if x["family"]:
        s.append(f"{cap(pick(rng, FAMILY_EN))}.")
    s.append("NKDA. I will see them again after dermoscopy review. Kind regards.")
    return " ".join(s)


def en_gp(rng: random.Random, f: dict[str, object], h: list[str], x: dict[str, object]) -> str:
    s = [f"Re: {who_en(rng, f)}. Pt c/o a mole {where_en(rng, f, x)}".rstrip() + "."]
    sym = symptoms_en(rng, f, h)
    if sym:
        s.append(f"Hx: {sym}.")
    e = elev_en(rng, f, False)
    if e:
        s.append(f"O/E {e}.")
    hist = history_en(rng, f, False)
    if hist:
        s.append(f"PMHx: {', '.join(hist)}.")
    if x["family"]:
        s.append(f"{cap(pick(rng, FAMILY_EN))}.")
    s.append("Please assess ?2WW. Many thanks.")
    return " ".join(s)


def en_clinic(rng: random.Random, f: dict[str, object], h: list[str], x: dict[str, object]) -> str:
    s = [f"HISTORY: {who_en(rng, f)} seen in derm clinic."]
    sym = symptoms_en(rng, f, h)
    if sym:
        s.append(f"Lesion noticed {rng.randint(2, 18)} months ago, {sym}.")
    hist = history_en(rng, f, False)
    if hist:
        s.append(f"Background: {'. '.join(cap(w) for w in hist)}.")
    if x["family"]:
        s.append(f"{cap(pick(rng, FAMILY_EN))}.")
    ex = []
    if "site" in f or "dims" in x:
        ex.append(f"solitary pigmented lesion {where_en(rng, f, x)}")
    e = elev_en(rng, f, False)
    if e:
        ex.append(e)
    if ex:
        s.append(f"EXAMINATION: {', '.join(ex)}. Dermoscopy: atypical network.")
    s.append("PLAN: excision biopsy.")
    return " ".join(s)


def en_self(rng: random.Random, f: dict[str, object], h: list[str], x: dict[str, object]) -> str:
    s = []
    if "age" in f:
        s.append(
            f"I'm {f['age']}"
            + (f" ({'male' if f.get('sex') == 'male' else 'female'})." if "sex" in f else ".")
        )
    elif "sex" in f:
        s.append(f"I'm a {'man' if f['sex'] == 'male' else 'woman'}.")
    loc = f"on my {pick(rng, SITE_EN[str(f['site'])])}" if "site" in f else ""
    size = f", it's about {size_en(rng, list(x['dims']))}" if "dims" in x else ""  # type: ignore[arg-type]
    s.append(f"I have a mole {loc}{size}.".replace("  ", " ").replace(" .", ".").replace(" ,", ","))
    lay = [phrase_en(rng, f, n, True) for n in SYMPTOMS if n in f]
    rng.shuffle(lay)
    hed = {
        "itch": "not sure if it itches",
        "grew": "I can't tell if it has grown",
        "hurt": "maybe it hurts a bit, I'm not sure",
        "changed": "it might be a bit darker, hard to say",
        "bleed": "I think it might have bled once but I'm not sure",
    }
    lay += [hed[n] for n in h]
    if lay:
        s.append(f"{'. '.join(cap(w) for w in lay)}.")
    hist = history_en(rng, f, True)
    if hist:
        s.append(f"{'. '.join(cap(w) for w in hist)}.")
    if x["family"]:
        s.append(
            pick(
                rng,
                [
                    "My mum had melanoma.",
                    "My dad had skin cancer.",
                    "My sister had a skin cancer removed.",
                ],
            )
        )
    return " ".join(s)


def en_form(rng: random.Random, f: dict[str, object], h: list[str], x: dict[str, object]) -> str:
    yn = {"present": pick(rng, ["Yes", "Y", "yes"]), "absent": pick(rng, ["No", "N", "no"])}
    q = {
        "itch": "Itching?",
        "grew": "Has it grown?",
        "hurt": "Painful?",
        "changed": "Changed colour/shape?",
        "bleed": "Any bleeding?",
        "elevation": "Raised?",
        "skin_cancer_history": "Previous skin cancer?",
        "cancer_history": "Other cancer (not skin)?",
        "smoke": "Smoker?",
        "drink": "Alcohol?",
    }
    lines = []
    if "age" in f:
        lines.append(f"Age: {f['age']}")
    if "sex" in f:
        lines.append(f"Sex: {pick(rng, [str(f['sex']).capitalize(), str(f['sex'])[0].upper()])}")
    if "site" in f:
        lines.append(f"Location: {pick(rng, SITE_EN[str(f['site'])])}")
    if "dims" in x:
        lines.append(f"Size: {size_en(rng, list(x['dims']))}")  # type: ignore[arg-type]
    for n in SYMPTOMS + HISTORY:
        if n in f:
            lines.append(f"{q[n]} {yn[str(f[n])]}")
        elif n in h:
            lines.append(f"{q[n]} {pick(rng, ['Unsure', '?', 'Not sure'])}")
    if x["family"]:
        lines.append("Family history of skin cancer? Yes (mother)")
    return "\n".join(lines)


def en_terse(rng: random.Random, f: dict[str, object], h: list[str], x: dict[str, object]) -> str:
    s = [who_en(rng, f) + "."]
    w = where_en(rng, f, x)
    if w:
        s.append(f"Lesion {w}.")
    sym = symptoms_en(rng, f, h)
    if sym:
        s.append(f"{sym[0].upper()}{sym[1:]}.")
    e = elev_en(rng, f, False)
    if e:
        s.append(f"{e[0].upper()}{e[1:]}.")
    hist = history_en(rng, f, False)
    if hist:
        s.append(f"{'. '.join(cap(w) for w in hist)}.")
    if x["family"]:
        s.append(f"{cap(pick(rng, FAMILY_EN))}.")
    s.append("NKDA.")
    return " ".join(s)


def who_zh(rng: random.Random, f: dict[str, object]) -> str:
    age, sex = f.get("age"), f.get("sex")
    sx = {"male": pick(rng, ["男", "男性"]), "female": pick(rng, ["女", "女性"])}
    if age is not None and sex:
        return pick(
            rng,
            [
                f"患者{sx[sex]}，{age}岁",
                f"{sx[sex]}，{age}岁",
                f"{age}岁{sx[sex]}性".replace("性性", "性"),
            ],
        )
    if age is not None:
        return f"患者{age}岁"
    if sex:
        return f"患者{sx[sex]}"
    return "患者"


def where_zh(rng: random.Random, f: dict[str, object], x: dict[str, object]) -> str:
    site = pick(rng, SITE_ZH[str(f["site"])]) if "site" in f else ""
    side = pick(rng, ["", "左", "右"]) if site and f["site"] in SIDED else ""
    size = size_zh(rng, list(x["dims"])) if "dims" in x else ""  # type: ignore[arg-type]
    if site and size:
        return f"{side}{site}一{size}大小的黑色皮损"
    if site:
        return f"{side}{site}一黑色皮损"
    if size:
        return f"一{size}大小的黑色皮损"
    return "一黑色皮损"


def sym_zh(rng: random.Random, f: dict[str, object], h: list[str], lay: bool) -> str:
    names = [n for n in SYMPTOMS if n in f and n != "elevation"]
    rng.shuffle(names)
    absent = [n for n in names if f[n] == "absent"]
    present = [n for n in names if f[n] == "present"]
    nouns = {"itch": "瘙痒", "hurt": "疼痛", "bleed": "出血", "grew": "增大", "changed": "颜色改变"}
    parts: list[str] = [phrase_zh(rng, f, n, lay) for n in present]
    if len(absent) >= 2 and not lay and rng.random() < 0.5:
        parts.append(pick(rng, ["无", "否认", "未见"]) + "、".join(nouns[n] for n in absent))
    else:
        parts += [phrase_zh(rng, f, n, lay) for n in absent]
    parts += [pick(rng, HEDGE_ZH[n]) for n in h]
    return "，".join(parts)


def hist_zh(rng: random.Random, f: dict[str, object], lay: bool) -> list[str]:
    return [phrase_zh(rng, f, n, lay) for n in HISTORY if n in f]


def zh_menzhen(rng: random.Random, f: dict[str, object], h: list[str], x: dict[str, object]) -> str:
    years = rng.randint(1, 8)
    s = [f"主诉：发现{where_zh(rng, f, x)}{years}年。"]
    sym = sym_zh(rng, f, h, False)
    s.append(
        f"现病史：{who_zh(rng, f)}，{years}年前无意中发现皮损" + (f"，{sym}" if sym else "") + "。"
    )
    hist = hist_zh(rng, f, False)
    past = [p for n, p in zip([n for n in HISTORY if n in f], hist, strict=True) if "cancer" in n]
    pers = [
        p for n, p in zip([n for n in HISTORY if n in f], hist, strict=True) if "cancer" not in n
    ]
    s.append("既往史：" + ("，".join(past) if past else "高血压病史5年") + "。")
    if pers:
        s.append("个人史：" + "，".join(pers) + "。")
    if x["family"]:
        s.append(f"家族史：{pick(rng, FAMILY_ZH)}。")
    if "elevation" in f:
        s.append(f"查体：皮损{phrase_zh(rng, f, 'elevation', False)}，边界欠清。")
    return "\n".join(s)


def zh_emr(rng: random.Random, f: dict[str, object], h: list[str], x: dict[str, object]) -> str:
    yn = {"present": pick(rng, ["有", "是"]), "absent": pick(rng, ["无", "否"])}
    lab = {
        "itch": "瘙痒",
        "grew": "近期增大",
        "hurt": "疼痛",
        "changed": "颜色/形态改变",
        "bleed": "出血",
        "elevation": "隆起",
        "skin_cancer_history": "皮肤癌病史",
        "cancer_history": "其他恶性肿瘤史",
        "smoke": "吸烟",
        "drink": "饮酒",
    }
    out = ["【基本信息】"]
    if "sex" in f:
        out.append(f"性别：{'男' if f['sex'] == 'male' else '女'}")
    if "age" in f:
        out.append(f"年龄：{f['age']}岁")
    out.append("【皮损情况】")
    if "site" in f:
        out.append(f"部位：{pick(rng, SITE_ZH[str(f['site'])])}")
    if "dims" in x:
        out.append(f"大小：{size_zh(rng, list(x['dims']))}")  # type: ignore[arg-type]
    for n in SYMPTOMS + HISTORY:
        if n in f:
            out.append(f"{lab[n]}：{yn[str(f[n])]}")
        elif n in h:
            out.append(f"{lab[n]}：不详")
    if x["family"]:
        out.append(f"家族史：{pick(rng, FAMILY_ZH)}")
    return "\n".join(out)


def zh_dialogue(
    rng: random.Random, f: dict[str, object], h: list[str], x: dict[str, object]
) -> str:
    t = ["医生：您好，请问哪里不舒服？"]
    who = []
    if "age" in f:
        who.append(f"我今年{f['age']}岁")
    if "sex" in f:
        who.append("男的" if f["sex"] == "male" else "女的")
    loc = f"{pick(rng, SITE_ZH[str(f['site'])])}" if "site" in f else "身上"
    t.append(f"患者：{'，'.join(who) + '，' if who else ''}{loc}有颗痣。")
    if "dims" in x:
        t.append(f"医生：多大？\n患者：大概{size_zh(rng, list(x['dims'])).removeprefix('约')}。")  # type: ignore[arg-type]
    sym = sym_zh(rng, f, h, True)
    if sym:
        t.append(f"医生：有什么症状吗？\n患者：{sym}。")
    if "elevation" in f:
        t.append(f"医生：摸着平不平？\n患者：{phrase_zh(rng, f, 'elevation', True)}。")
    hist = hist_zh(rng, f, True)
    if hist:
        t.append(f"医生：以前的身体情况呢？\n患者：{'，'.join(hist)}。")
    if x["family"]:
        t.append(f"患者：对了，{pick(rng, FAMILY_ZH)}。")
    t.append("医生：好的，建议到线下皮肤科做皮肤镜检查。")
    return "\n".join(t)


def zh_colloquial(
    rng: random.Random, f: dict[str, object], h: list[str], x: dict[str, object]
) -> str:
    s = []
    if "age" in f or "sex" in f:
        who = ("男" if f.get("sex") == "male" else "女") if "sex" in f else ""
        s.append(
            f"本人{who}{'，' + str(f['age']) + '岁' if 'age' in f else ''}".replace(
                "本人，", "本人"
            )
        )
    loc = pick(rng, SITE_ZH[str(f["site"])]) if "site" in f else "身上"
    size = f"，差不多{size_zh(rng, list(x['dims'])).removeprefix('约')}" if "dims" in x else ""  # type: ignore[arg-type]
    s.append(f"{loc}有个黑痣{size}")
    sym = sym_zh(rng, f, h, True)
    if sym:
        s.append(f"最近{sym}")
    if "elevation" in f:
        s.append(phrase_zh(rng, f, "elevation", True))
    s += hist_zh(rng, f, True)
    if x["family"]:
        s.append(pick(rng, FAMILY_ZH))
    s.append("想问问要不要紧")
    return "，".join(s) + "。"


EN_STYLES = {
    "en_letter": en_letter,
    "en_gp_referral": en_gp,
    "en_derm_clinic": en_clinic,
    "en_self_report": en_self,
    "en_yes_no_form": en_form,
    "en_terse": en_terse,
}
ZH_STYLES = {
    "zh_menzhen": zh_menzhen,
    "zh_emr": zh_emr,
    "zh_dialogue": zh_dialogue,
    "zh_colloquial": zh_colloquial,
}


def finish_zh(rng: random.Random, text: str) -> tuple[str, list[str]]:
    """Some Chinese notes get traditional characters in part, some full-width digits."""
    tags = []
    if rng.random() < 0.2:
        lines = text.split("\n") if "\n" in text else text.split("，")
        sep = "\n" if "\n" in text else "，"
        text = sep.join(ln.translate(TRAD) if rng.random() < 0.6 else ln for ln in lines)
        tags.append("trad_mixed")
    if rng.random() < 0.25:
        text = text.translate(FULLWIDTH)
        tags.append("fullwidth")
    return text, tags


def make(rng: random.Random, lang: str, i: int) -> dict[str, object]:
    facts, hedged, extra = draw_facts(rng)
    styles = EN_STYLES if lang == "en" else ZH_STYLES
    style = sorted(styles)[i % len(styles)]
    text = styles[style](rng, facts, hedged, extra)
    tags: list[str] = []
    if lang == "zh":
        text, tags = finish_zh(rng, text)
    row: dict[str, object] = {
        "id": f"g-{lang}-{i:04d}",
        "lang": lang,
        "style": "+".join([style, *tags]),
        "note": text,
        "facts": facts,
    }
    if hedged:
        row["uncertain"] = hedged
    return row


def main() -> None:
    rng = random.Random(SEED)
    rows = [make(rng, lang, i) for lang in ("en", "zh") for i in range(N_PER_LANG)]
    OUT.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    print(f"wrote {len(rows)} notes to {OUT}")


if __name__ == "__main__":
    main()
