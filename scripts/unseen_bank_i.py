"""Blind held-out wording bank i for the note reader (issue 16).

A sixth author's notes, written without reading the reader: clinic letters, GP referrals,
dermatology history/examination notes, patient self-reports, Q&A and yes/no forms, tables and
bullet lists, record-system excerpts (discharge summary, dermatoscopy report, teledermatology
request, nurse triage; 门诊病历, 电子病历, 入院记录, 皮肤科专科检查, 互联网医院 dialogue).
Notes also mention other lesions, earlier visits, relatives and hedged facts, none of which is
the index lesion's truth. Every truth follows what a dermatologist would record from the text;
a fact a careful reader could not decide is left out.

Run: python scripts/unseen_bank_i.py  ->  tests/data/unseen_notes_i.jsonl
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20261203
N_PER_LANG = 200
OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "unseen_notes_i.jsonl"

SYMPTOMS = ("itch", "grew", "changed", "hurt", "bleed")
HISTORY = ("skin_cancer_history", "cancer_history", "smoke", "drink")
FLAGS = (*SYMPTOMS, "elevation", *HISTORY)

# Lay and clinical site words -> site key of skinmm/data/notes.py.
SITE_EN: dict[str, list[str]] = {
    "abdomen": ["tummy", "abdomen", "belly", "lower abdomen"],
    "arm": ["upper arm", "left upper arm", "right arm"],
    "back": ["back", "between the shoulder blades", "upper back", "lower back"],
    "chest": ["chest", "front of the chest", "upper chest"],
    "ear": ["ear", "behind the ear", "left earlobe"],
    "face": ["cheek", "forehead", "face", "right temple"],
    "foot": ["top of the foot", "dorsum of the left foot"],
    "forearm": ["forearm", "left forearm", "outer forearm"],
    "hand": ["back of the hand", "dorsum of the right hand"],
    "lip": ["lower lip", "upper lip"],
    "lower extremity": ["shin", "calf", "lower leg", "left shin"],
    "neck": ["neck", "side of the neck", "nape of the neck"],
    "nose": ["nose", "tip of the nose", "side of the nose"],
    "scalp": ["scalp", "crown of the scalp"],
    "thigh": ["thigh", "inner thigh", "right thigh"],
    "trunk": ["trunk", "torso"],
    "upper extremity": ["upper limb", "right upper extremity"],
}
SITE_ZH: dict[str, list[str]] = {
    "abdomen": ["肚子上", "腹部", "脐周", "下腹部"],
    "arm": ["上臂", "左上臂", "大臂"],
    "back": ["后背", "背部", "两肩胛之间", "背上"],
    "chest": ["胸口", "前胸", "胸部"],
    "ear": ["耳后", "耳廓", "左耳垂"],
    "face": ["脸上", "左颊部", "额头", "面部"],
    "foot": ["脚背", "左足背"],
    "forearm": ["前臂", "小臂", "右前臂"],
    "hand": ["手背", "右手背"],
    "lip": ["下唇", "上唇"],
    "lower extremity": ["小腿", "胫前", "左小腿"],
    "neck": ["脖子上", "颈部", "颈后"],
    "nose": ["鼻尖", "鼻翼", "鼻子上"],
    "scalp": ["头皮", "头顶"],
    "thigh": ["大腿", "大腿内侧", "右大腿"],
    "trunk": ["躯干"],
    "upper extremity": ["上肢", "右上肢"],
}

EN_CLIN: dict[tuple[str, str], list[str]] = {
    ("itch", "present"): [
        "pruritic",
        "c/o intermittent itch",
        "reports it itches on and off",
        "itchy, worse at night",
        "complains of pruritus",
    ],
    ("itch", "absent"): [
        "denies itch",
        "no pruritus",
        "not itchy",
        "non-pruritic",
        "negative for pruritus",
        "pruritus: nil",
        "without itch",
    ],
    ("grew", "present"): [
        "enlarging over the last 6 months",
        "has grown noticeably",
        "increasing in size",
        "reports it has got bigger since spring",
        "was the size of a pinhead, now like a pea",
    ],
    ("grew", "absent"): [
        "no increase in size",
        "size stable per pt",
        "has not grown",
        "not enlarging",
    ],
    ("changed", "present"): [
        "darker than before",
        "change in colour noted",
        "shape has become irregular over recent months",
        "colour has changed from brown to black",
    ],
    ("changed", "absent"): [
        "no change in colour or shape",
        "colour and shape stable",
        "denies colour change",
    ],
    ("hurt", "present"): ["tender", "painful to touch", "c/o soreness", "reports a stinging pain"],
    ("hurt", "absent"): ["painless", "non-tender", "denies pain", "no pain", "not sore"],
    ("bleed", "present"): [
        "oozing blood at times",
        "has bled",
        "spotting of blood on clothing",
        "crusted with blood",
        "bleeds on minor trauma",
        "bled after catching it with a razor",
        "bled once in the summer, healed over since",
    ],
    ("bleed", "absent"): [
        "no bleeding",
        "denies bleeding",
        "has never bled",
        "no bleeding or oozing",
        "without any bleeding",
    ],
    ("elevation", "present"): [
        "raised",
        "papular",
        "nodular",
        "palpable and elevated",
        "sits proud of the skin",
    ],
    ("elevation", "absent"): ["flat", "macular", "not raised", "impalpable and flat"],
    ("skin_cancer_history", "present"): [
        "PMHx: BCC excised 2019",
        "s/p excision of SCC from the scalp in 2020",
        "previous melanoma in situ excised 2018",
        "hx of BCC",
    ],
    ("skin_cancer_history", "absent"): [
        "no personal hx of skin cancer",
        "no previous skin cancers",
        "never had skin cancer",
    ],
    ("cancer_history", "absent"): [
        "no other cancer history",
        "no hx of internal malignancy",
        "never had cancer elsewhere",
    ],
    ("smoke", "present"): [
        "current smoker (10/day)",
        "smokes 20 cigarettes a day",
        "smoker, 15 pack-years",
    ],
    ("smoke", "absent"): ["never smoker", "non-smoker", "does not smoke", "smoking: nil"],
    ("drink", "present"): [
        "EtOH socially",
        "drinks 2-3 units/week",
        "drinks beer at weekends",
        "alcohol: occasional",
    ],
    ("drink", "absent"): ["no EtOH", "teetotal", "does not drink alcohol", "alcohol: nil"],
}
CANCER_EN = {
    "male": ["PMHx prostate ca (2016), in remission", "hx of bladder cancer"],
    "female": ["breast ca s/p lumpectomy 2017", "hx of cervical cancer treated 2010"],
    None: ["s/p hemicolectomy for colon ca 2014", "thyroid cancer (2012)"],
}
EN_LAY: dict[tuple[str, str], list[str]] = {
    ("itch", "present"): [
        "it's been itchy on and off",
        "it itches a lot at night",
        "it gets itchy",
    ],
    ("itch", "absent"): ["it doesn't itch", "it's never been itchy", "no itching at all"],
    ("grew", "present"): [
        "my mole got bigger",
        "it was the size of a pinhead, now it's like a pea",
        "it's definitely grown since last summer",
    ],
    ("grew", "absent"): ["it hasn't got any bigger", "it's not grown"],
    ("changed", "present"): [
        "it's gone darker",
        "the colour looks different now",
        "the shape has changed, it's gone blotchy",
    ],
    ("changed", "absent"): ["the colour and shape haven't changed"],
    ("hurt", "present"): ["it's sore", "it hurts when I touch it", "it stings sometimes"],
    ("hurt", "absent"): ["it doesn't hurt", "it's not sore at all"],
    ("bleed", "present"): [
        "it bled when I caught it with the towel",
        "I've noticed spotting of blood on my shirt",
        "it oozes blood sometimes",
        "it was crusted with blood last week",
    ],
    ("bleed", "absent"): ["it has never bled", "it doesn't bleed"],
    ("elevation", "present"): ["it sticks up a bit", "it's a raised bump", "I can feel it's lumpy"],
    ("elevation", "absent"): ["it's flat", "I can't feel it, it's completely flat"],
    ("skin_cancer_history", "present"): [
        "I had a skin cancer (a BCC) cut off my nose a few years ago",
        "I've had a melanoma removed before",
    ],
    ("skin_cancer_history", "absent"): ["I've never had skin cancer"],
    ("cancer_history", "absent"): ["I've never had any other cancer"],
    ("smoke", "present"): ["I smoke about ten a day", "yes, I smoke"],
    ("smoke", "absent"): ["I don't smoke", "I've never smoked"],
    ("drink", "present"): ["I have a glass of wine most evenings", "I drink at weekends"],
    ("drink", "absent"): ["I don't drink", "I never touch alcohol"],
}
CANCER_EN_LAY = {
    "male": ["I was treated for prostate cancer in 2016"],
    "female": ["I had breast cancer in 2017"],
    None: ["I had bowel cancer years ago"],
}
ZH_CLIN: dict[tuple[str, str], list[str]] = {
    ("itch", "present"): ["伴瘙痒", "偶有瘙痒", "自觉瘙痒", "时有痒感"],
    ("itch", "absent"): ["无瘙痒", "否认瘙痒", "无明显痒感", "不痒"],
    ("grew", "present"): [
        "皮损逐渐增大",
        "近半年明显长大",
        "由米粒大小逐渐增大至黄豆大小",
        "较前增大",
    ],
    ("grew", "absent"): ["未见增大", "大小无增加", "没有长大"],
    ("changed", "present"): ["颜色逐渐加深", "形状较前不规则", "颜色、形态有改变"],
    ("changed", "absent"): ["颜色形态无改变", "未见颜色变化", "无变色"],
    ("hurt", "present"): ["伴疼痛", "有触痛", "偶感刺痛"],
    ("hurt", "absent"): ["无疼痛", "否认疼痛", "无触痛", "不痛"],
    ("bleed", "present"): [
        "表面有渗血",
        "曾有出血",
        "一碰就流血",
        "表面结血痂",
        "反复出血",
        "半年前出过一次血，之后已愈合",
    ],
    ("bleed", "absent"): ["无出血", "未曾出血", "否认出血", "无破溃出血"],
    ("elevation", "present"): ["皮损隆起", "高出皮面", "呈丘疹状隆起", "为一结节，高出皮面"],
    ("elevation", "absent"): ["皮损平坦", "不高出皮面", "与皮面平齐", "为平坦斑片"],
    ("skin_cancer_history", "present"): [
        "2019年行基底细胞癌切除术",
        "既往黑色素瘤切除史",
        "有皮肤鳞癌病史",
    ],
    ("skin_cancer_history", "absent"): ["否认皮肤癌病史", "无皮肤肿瘤史"],
    ("cancer_history", "absent"): ["否认其他肿瘤病史", "无其他恶性肿瘤史"],
    ("smoke", "present"): ["吸烟20余年，每日约10支", "有吸烟史", "吸烟"],
    ("smoke", "absent"): ["不吸烟", "否认吸烟史", "从不吸烟"],
    ("drink", "present"): ["偶尔饮酒", "饮酒史10年", "每周喝几次啤酒"],
    ("drink", "absent"): ["不饮酒", "否认饮酒史", "滴酒不沾"],
}
CANCER_ZH = {
    "male": ["前列腺癌术后5年"],
    "female": ["乳腺癌术后3年", "宫颈癌放疗后"],
    None: ["结肠癌术后", "甲状腺癌术后"],
}
ZH_LAY: dict[tuple[str, str], list[str]] = {
    ("itch", "present"): ["有点痒", "时不时会痒", "晚上特别痒"],
    ("itch", "absent"): ["不痒", "一点都不痒"],
    ("grew", "present"): ["长大了", "以前像芝麻那么大，现在像黄豆那么大", "感觉比以前大了不少"],
    ("grew", "absent"): ["没有变大", "大小一直没变"],
    ("changed", "present"): ["颜色变深了", "形状变了，边上不整齐了"],
    ("changed", "absent"): ["颜色和形状都没变"],
    ("hurt", "present"): ["有点疼", "碰到会疼"],
    ("hurt", "absent"): ["不疼", "不痛"],
    ("bleed", "present"): ["流过血", "一碰就流血", "洗澡时搓破出过血", "衣服上有血点"],
    ("bleed", "absent"): ["没流过血", "从来没出过血"],
    ("elevation", "present"): ["摸着是鼓起来的", "凸出来一块"],
    ("elevation", "absent"): ["是平的", "摸不出来，平的"],
    ("skin_cancer_history", "present"): ["以前做过皮肤癌手术（基底细胞癌）", "前几年切过黑色素瘤"],
    ("skin_cancer_history", "absent"): ["以前没得过皮肤癌"],
    ("cancer_history", "absent"): ["没得过别的癌症"],
    ("smoke", "present"): ["抽烟，一天半包", "我抽烟"],
    ("smoke", "absent"): ["不抽烟"],
    ("drink", "present"): ["平时喝点酒", "偶尔喝啤酒"],
    ("drink", "absent"): ["不喝酒"],
}
CANCER_ZH_LAY = {
    "male": ["前几年得过前列腺癌"],
    "female": ["得过乳腺癌，做过手术"],
    None: ["得过肠癌，做过手术"],
}

# Nouns for negated lists ("denies itching, pain or bleeding" / "无瘙痒、疼痛及出血").
NOUN_EN = {"itch": "itching", "hurt": "pain", "bleed": "bleeding", "changed": "colour change"}
NOUN_ZH = {"itch": "瘙痒", "hurt": "疼痛", "bleed": "出血", "changed": "颜色改变"}

LABEL_EN = {
    "itch": "Itching",
    "grew": "Growing",
    "changed": "Change in colour/shape",
    "hurt": "Pain",
    "bleed": "Bleeding",
    "elevation": "Raised",
    "skin_cancer_history": "Previous skin cancer",
    "cancer_history": "Other cancer (self)",
    "smoke": "Smoker",
    "drink": "Alcohol",
}
LABEL_ZH = {
    "itch": "瘙痒",
    "grew": "增大",
    "changed": "颜色/形态改变",
    "hurt": "疼痛",
    "bleed": "出血",
    "elevation": "隆起",
    "skin_cancer_history": "皮肤癌病史",
    "cancer_history": "其他肿瘤史（本人）",
    "smoke": "吸烟",
    "drink": "饮酒",
}
QUESTION_EN = {
    "itch": "Does it itch?",
    "grew": "Has it got bigger?",
    "changed": "Has it changed colour or shape?",
    "hurt": "Is it painful?",
    "bleed": "Has it ever bled?",
    "elevation": "Is it raised?",
    "skin_cancer_history": "Have you had skin cancer before?",
    "cancer_history": "Any other cancer in the past?",
    "smoke": "Do you smoke?",
    "drink": "Do you drink alcohol?",
}
QUESTION_ZH = {
    "itch": "痒吗？",
    "grew": "最近有没有长大？",
    "changed": "颜色形状有变化吗？",
    "hurt": "疼不疼？",
    "bleed": "出过血吗？",
    "elevation": "是凸起来的吗？",
    "skin_cancer_history": "以前得过皮肤癌吗？",
    "cancer_history": "得过其他癌症吗？",
    "smoke": "抽烟吗？",
    "drink": "喝酒吗？",
}
# Hedged mentions of a fact the truth leaves out (a careful reader could not decide).
HEDGE_EN = {
    "grew": "unsure whether it has grown",
    "itch": "?itchy - pt cannot say",
    "bleed": "possibly bled once, pt not sure",
    "elevation": "may be very slightly raised, hard to judge in this light",
}
HEDGE_ZH = {
    "grew": "不确定有没有长大",
    "itch": "说不清是否痒过",
    "bleed": "好像出过血，记不清了",
    "elevation": "是否隆起难以判断",
}
# Other lesions, relatives: never the index lesion's truth.
OTHER_EN = [
    "The other mole {o} is unchanged and not of concern today.",
    "Separately, a seborrhoeic keratosis {o} is itchy and has bled; that is not the lesion referred.",
    "A second, older naevus {o} has grown slightly - to be reviewed at a later visit, not today's lesion.",
    "(Incidental: an angioma {o}, raised and painless, not the index lesion.)",
    "A smaller mole {o} (3 mm, flat) looks benign and is not the one referred.",
]
OTHER_ZH = [
    "另：{o}还有一颗痣，多年无变化，非本次就诊皮损。",
    "{o}另见一处脂溢性角化，自觉瘙痒，曾出血，与本次皮损无关。",
    "（附：{o}另有一个小痣，近来略有增大，下次复诊再看，非本次主诉。）",
    "{o}另有一个约2mm的平坦小痣，无需处理，非本次就诊皮损。",
]
FAMILY_EN = [
    "FHx: mother had melanoma in her 70s.",
    "Father (died aged 81) had prostate cancer.",
    "Father had bowel cancer.",
    "FHx of BCC (brother).",
    "Spouse smokes heavily.",
    "Her/his sister had a mole that bled and was removed.",
]
FAMILY_ZH = [
    "父亲81岁时因前列腺癌去世。",
    "家族史：母亲有黑色素瘤病史。",
    "父亲患肺癌。",
    "哥哥有基底细胞癌病史。",
    "爱人吸烟。",
    "姐姐的痣出过血，已切除。",
]

TRAD = str.maketrans(
    "痒长岁无变红历医烟饮发现检诊后颈脸个时过说这么点从术没肤颜阴间体级证处见关约复尔边钟",
    "癢長歲無變紅歷醫煙飲發現檢診後頸臉個時過說這麼點從術沒膚顏陰間體級證處見關約複爾邊鐘",
)
FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
ZH_DIGITS = "零一二三四五六七八九"


@dataclass
class Case:
    """One index lesion and its patient; `truth` is filled as the note is rendered."""

    lang: str
    age: int | None
    sex: str | None
    site: str
    site_word: str
    other_site: str
    diameter: float | None
    small: float
    flags: dict[str, str]
    truth: dict[str, object] = field(default_factory=dict)


def _on(word: str, det: str = "the") -> str:
    """'on the shin', 'behind my ear': a site word with its preposition."""
    if word.startswith(("behind ", "between ")):
        return word.replace("the ", det + " ", 1)
    return f"on {det} {word}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


def _zh_number(n: int) -> str:
    tens, ones = divmod(n, 10)
    text = (ZH_DIGITS[tens] if tens > 1 else "") + ("十" if tens else "")
    return text + (ZH_DIGITS[ones] if ones or not tens else "")


def _sample(rng: random.Random, lang: str) -> Case:
    sites = SITE_EN if lang == "en" else SITE_ZH
    site = rng.choice(sorted(sites))
    other = rng.choice([s for s in sorted(sites) if s != site])
    sex = rng.choice(["male", "female", "male", "female", None])
    age = rng.randint(19, 88) if rng.random() < 0.85 else None
    diameter = None
    if rng.random() < 0.7:
        diameter = float(rng.choice([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 18, 20, 25]))
        if rng.random() < 0.15:
            diameter += 0.5
    small = max((diameter or 4) - rng.choice([1, 2, 3]), float(math.ceil((diameter or 4) / 2)))
    flags: dict[str, str] = {}
    for name in FLAGS:
        p_mention = 0.65 if name in (*SYMPTOMS, "elevation") else 0.45
        if rng.random() < p_mention:
            flags[name] = "present" if rng.random() < 0.45 else "absent"
    return Case(
        lang,
        age,
        sex,
        site,
        rng.choice(sites[site]),
        rng.choice(sites[other]),
        diameter,
        small,
        flags,
    )


def _phrase(c: Case, rng: random.Random, name: str, lay: bool) -> str:
    value = c.flags[name]
    c.truth[name] = value
    if name == "cancer_history" and value == "present":
        pool = {
            ("en", False): CANCER_EN,
            ("en", True): CANCER_EN_LAY,
            ("zh", False): CANCER_ZH,
            ("zh", True): CANCER_ZH_LAY,
        }[(c.lang, lay)]
        return rng.choice(pool[c.sex] + pool[None])
    table = {
        ("en", False): EN_CLIN,
        ("en", True): EN_LAY,
        ("zh", False): ZH_CLIN,
        ("zh", True): ZH_LAY,
    }
    return rng.choice(table[(c.lang, lay)][(name, value)])


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _who_en(c: Case, rng: random.Random) -> str:
    """A noun phrase for the patient; an age that is not exact is not put in the truth."""
    noun = {
        "male": ["man", "gentleman", "male"],
        "female": ["woman", "lady", "female"],
        None: ["patient"],
    }
    n = rng.choice(noun[c.sex])
    if c.sex:
        c.truth["sex"] = c.sex
    if c.age is None:
        return rng.choice([n, f"{n}, DOB 1961"])
    if rng.random() < 0.12:
        pron = {"male": "his", "female": "her", None: "their"}[c.sex]
        return f"{n} in {pron} {c.age // 10 * 10}s"
    c.truth["age"] = c.age
    a = c.age
    letter = {"male": "M", "female": "F", None: ""}[c.sex]
    forms = [f"{a}-year-old {n}", f"{a}yo {n}", f"{a} y/o {n}", f"{n} aged {a}", f"{n}, {a} yrs"]
    if letter:
        forms.append(f"{a}{letter}")
    return rng.choice(forms)


def _who_zh(c: Case, rng: random.Random) -> str:
    sex = {"male": "男", "female": "女", None: ""}[c.sex]
    if c.sex:
        c.truth["sex"] = c.sex
    head = f"患者{sex}，" if sex else "患者，"
    if c.age is None:
        return head.rstrip("，") if rng.random() < 0.6 else head + "1961年出生"
    if rng.random() < 0.12:
        return head + f"{_zh_number(c.age // 10 * 10)}多岁"
    c.truth["age"] = c.age
    a = c.age
    return head + rng.choice([f"{a}岁", f"{_zh_number(a)}岁", f"年龄：{a}", f"{a}岁"])


def _size_en(c: Case, rng: random.Random, lay: bool = False) -> str:
    if c.diameter is None or "diameter_mm" in c.truth:
        return ""
    c.truth["diameter_mm"] = c.diameter
    d, s = c.diameter, c.small
    if lay:
        return rng.choice([f"about {_num(d)}mm across", f"roughly {_num(d)} mm"])
    forms = [
        f"{_num(d)}mm",
        f"{_num(d)} x {_num(s)} mm",
        f"{_num(s)}x{_num(d)}mm",
        f"measuring {_num(d)} by {_num(s)} mm",
    ]
    if d.is_integer() and s.is_integer():
        forms += [f"{d / 10:g} cm", f"{d / 10:g} x {s / 10:g} cm"]
    return rng.choice(forms)


def _size_zh(c: Case, rng: random.Random) -> str:
    if c.diameter is None or "diameter_mm" in c.truth:
        return ""
    c.truth["diameter_mm"] = c.diameter
    d, s = c.diameter, c.small
    forms = [f"大小约{_num(d)}×{_num(s)}mm", f"直径约{_num(d)}毫米", f"{_num(d)}mm"]
    if d.is_integer() and s.is_integer():
        forms += [f"约{d / 10:g}厘米", f"{d / 10:g}cm×{s / 10:g}cm"]
    return rng.choice(forms)


def _symptoms_en(c: Case, rng: random.Random, names: list[str], lay: bool = False) -> list[str]:
    """Clauses for symptoms: a negated list, a scoped contrast, then one clause each."""
    names = list(names)
    out: list[str] = []
    neg = [n for n in names if n in NOUN_EN and c.flags[n] == "absent"]
    if not lay and len(neg) >= 2 and rng.random() < 0.5:
        words = [NOUN_EN[n] for n in neg]
        lead = rng.choice(["denies ", "no ", "negative for "])
        out.append(lead + ", ".join(words[:-1]) + " or " + words[-1])
        for n in neg:
            c.truth[n] = "absent"
            names.remove(n)
    pos = [n for n in names if c.flags[n] == "present"]
    neg = [n for n in names if c.flags[n] == "absent"]
    if pos and neg and rng.random() < 0.5:
        a, b = rng.choice(neg), rng.choice(pos)
        out.append(f"{_phrase(c, rng, a, lay)} but {_phrase(c, rng, b, lay)}")
        names.remove(a)
        names.remove(b)
    out += [_phrase(c, rng, n, lay) for n in names]
    return out


def _symptoms_zh(c: Case, rng: random.Random, names: list[str], lay: bool = False) -> list[str]:
    names = list(names)
    out: list[str] = []
    neg = [n for n in names if n in NOUN_ZH and c.flags[n] == "absent"]
    if not lay and len(neg) >= 2 and rng.random() < 0.5:
        words = [NOUN_ZH[n] for n in neg]
        lead = rng.choice(["无", "否认", "未诉"])
        out.append(lead + "、".join(words[:-1]) + "及" + words[-1])
        for n in neg:
            c.truth[n] = "absent"
            names.remove(n)
    pos = [n for n in names if c.flags[n] == "present"]
    neg = [n for n in names if c.flags[n] == "absent"]
    if pos and neg and rng.random() < 0.5:
        a, b = rng.choice(neg), rng.choice(pos)
        out.append(f"{_phrase(c, rng, a, lay)}，但{_phrase(c, rng, b, lay)}")
        names.remove(a)
        names.remove(b)
    out += [_phrase(c, rng, n, lay) for n in names]
    return out


def _history_en(c: Case, rng: random.Random, lay: bool = False) -> list[str]:
    names = [n for n in HISTORY if n in c.flags]
    if (
        not lay
        and {"skin_cancer_history", "cancer_history"} <= set(names)
        and (
            c.flags["skin_cancer_history"] == c.flags["cancer_history"] == "absent"
            and rng.random() < 0.4
        )
    ):
        c.truth["skin_cancer_history"] = c.truth["cancer_history"] = "absent"
        names = [n for n in names if "cancer" not in n]
        return ["no history of cancer of any kind", *(_phrase(c, rng, n, lay) for n in names)]
    return [_phrase(c, rng, n, lay) for n in names]


def _history_zh(c: Case, rng: random.Random, lay: bool = False) -> list[str]:
    names = [n for n in HISTORY if n in c.flags]
    out: list[str] = []
    both = not lay and {"smoke", "drink"} <= set(names)
    if both and c.flags["smoke"] == c.flags["drink"] == "absent" and rng.random() < 0.5:
        c.truth["smoke"] = c.truth["drink"] = "absent"
        names = [n for n in names if n not in ("smoke", "drink")]
        out.append(rng.choice(["无烟酒嗜好", "否认烟酒史"]))
    return [_phrase(c, rng, n, lay) for n in names] + out


def _extras_en(c: Case, rng: random.Random) -> list[str]:
    """Hedges on unmentioned facts, other lesions and relatives: none changes the truth."""
    out = []
    free = [n for n in HEDGE_EN if n not in c.flags]
    if free and rng.random() < 0.3:
        out.append(_cap(HEDGE_EN[rng.choice(free)]) + ".")
    if rng.random() < 0.3:
        out.append(rng.choice(OTHER_EN).format(o=_on(c.other_site)))
    if rng.random() < 0.35:
        out.append(
            rng.choice(FAMILY_EN).replace(
                "Her/his", {"male": "His", "female": "Her", None: "Their"}[c.sex]
            )
        )
    return out


def _extras_zh(c: Case, rng: random.Random) -> list[str]:
    out = []
    free = [n for n in HEDGE_ZH if n not in c.flags]
    if free and rng.random() < 0.3:
        out.append(HEDGE_ZH[rng.choice(free)] + "。")
    if rng.random() < 0.3:
        out.append(rng.choice(OTHER_ZH).format(o=c.other_site))
    if rng.random() < 0.35:
        out.append(rng.choice(FAMILY_ZH))
    return out


def _sent(parts: list[str]) -> str:
    return " ".join(_cap(p) + "." for p in parts if p)


def _earlier_en(c: Case, rng: random.Random) -> str:
    """An earlier visit's finding, then today's: the truth is today's (present) value."""
    if c.diameter is not None and c.flags.get("grew") == "present" and rng.random() < 0.5:
        c.truth["grew"] = "present"
        c.truth["diameter_mm"] = c.diameter
        before = _num(max(2.0, c.diameter - rng.choice([2, 3, 4])))
        return f"It measured {before} mm at the review in March; today it is {_num(c.diameter)} mm."
    for name, before, now in (
        ("elevation", "flat", "it is now raised"),
        ("itch", "not itchy", "it has started to itch"),
        ("bleed", "intact with no bleeding", "it has since bled twice"),
    ):
        if c.flags.get(name) == "present" and name not in c.truth:
            c.truth[name] = "present"
            return f"At the review in March it was {before}; {now}."
    return ""


def _earlier_zh(c: Case, rng: random.Random) -> str:
    if c.diameter is not None and c.flags.get("grew") == "present" and rng.random() < 0.5:
        c.truth["grew"] = "present"
        c.truth["diameter_mm"] = c.diameter
        before = _num(max(2.0, c.diameter - rng.choice([2, 3, 4])))
        return f"今年3月复诊时直径{before}mm，今日测量{_num(c.diameter)}mm。"
    for name, before, now in (
        ("elevation", "皮损平坦", "现已隆起"),
        ("itch", "不痒", "近来开始瘙痒"),
        ("bleed", "无出血", "此后出血两次"),
    ):
        if c.flags.get(name) == "present" and name not in c.truth:
            c.truth[name] = "present"
            return f"今年3月复诊时{before}，{now}。"
    return ""


# ---------------------------------------------------------------- English styles
def en_letter(c: Case, rng: random.Random) -> str:
    dr = rng.choice(["Dr Okafor", "Dr Lindqvist", "Dr Patel", "Dr Moreau"])
    who = _who_en(c, rng)
    earlier = _earlier_en(c, rng) if rng.random() < 0.3 else ""
    size = _size_en(c, rng)
    sym = _symptoms_en(
        c, rng, [n for n in (*SYMPTOMS, "elevation") if n in c.flags and n not in c.truth]
    )
    hist = _history_en(c, rng)
    body = (
        f"Dear {dr}, thank you for seeing this {who} who c/o a pigmented lesion {_on(c.site_word)}"
    )
    body += f", {size}. " if size else ". "
    body += earlier + (" " if earlier else "")
    body += _sent(sym)
    if hist:
        body += " Background: " + "; ".join(hist) + "."
    body += " " + " ".join(_extras_en(c, rng))
    return (
        body.strip()
        + " Many thanks, "
        + rng.choice(["A. Shah (GP)", "Dr J. Byrne", "K. Novak, GPwSI"])
    )


def en_gp_referral(c: Case, rng: random.Random) -> str:
    lines = [
        "GP REFERRAL - 2WW skin",
        f"Pt: {_who_en(c, rng)}",
        f"Reason: skin lesion for assessment, {c.site_word}",
    ]
    size = _size_en(c, rng)
    if size:
        lines.append(f"Size (GP measured): {size}")
    sym = _symptoms_en(c, rng, [n for n in (*SYMPTOMS, "elevation") if n in c.flags])
    if sym:
        lines.append("Hx: " + "; ".join(sym) + ".")
    hist = _history_en(c, rng)
    if hist:
        lines.append("PMHx/SHx: " + ", ".join(hist) + ". NKDA.")
    lines += _extras_en(c, rng)
    return "\n".join(lines)


def en_derm_clinic(c: Case, rng: random.Random) -> str:
    who = _who_en(c, rng)
    hist_sym = _symptoms_en(c, rng, [n for n in SYMPTOMS if n in c.flags])
    history = f"History: {who} referred with a lesion {_on(c.site_word)}. " + _sent(hist_sym)
    pm = _history_en(c, rng)
    if pm:
        history += " PMHx: " + "; ".join(pm) + "."
    exam_bits = [f"single pigmented lesion, {c.site_word}"]
    size = _size_en(c, rng)
    if size:
        exam_bits.append(size)
    if "elevation" in c.flags:
        exam_bits.append(_phrase(c, rng, "elevation", False))
    exam = "O/E: " + ", ".join(exam_bits) + "."
    extra = " ".join(_extras_en(c, rng))
    parts = [history, exam] if rng.random() < 0.6 else [exam, history]
    return "\n".join([*parts, extra] if extra else parts)


def en_self_report(c: Case, rng: random.Random) -> str:
    intro = "Hi, "
    if c.age is not None and rng.random() < 0.7:
        c.truth["age"] = c.age
        if c.sex:
            c.truth["sex"] = c.sex
            intro += f"I'm a {c.age} year old {'man' if c.sex == 'male' else 'woman'}. "
        else:
            intro += f"I'm {c.age}. "
    elif c.sex:
        c.truth["sex"] = c.sex
        intro += (
            f"I'm a {'guy' if c.sex == 'male' else 'woman'} in my {(c.age or 40) // 10 * 10}s. "
        )
    intro += f"I've got a mole {_on(c.site_word, 'my')} I'm worried about."
    bits = _symptoms_en(c, rng, [n for n in (*SYMPTOMS, "elevation") if n in c.flags], lay=True)
    if c.diameter is not None and rng.random() < 0.7:
        bits.append("it's " + _size_en(c, rng, lay=True))
    text = intro + " " + _sent(bits)
    hist = _history_en(c, rng, lay=True)
    if hist:
        text += " Other things: " + _sent(hist)
    if rng.random() < 0.3:
        text += " My mum had a melanoma, so I'm a bit anxious."
    return text + " Thanks"


def en_qa(c: Case, rng: random.Random) -> str:
    lines = [
        f"Pre-consultation questionnaire ({_who_en(c, rng)})",
        f"Q: Where is the spot? A: {_cap(c.site_word)}.",
    ]
    if c.diameter is not None:
        lines.append(f"Q: How big is it? A: {_size_en(c, rng).removeprefix('measuring ')}.")
    for n in FLAGS:
        if n in c.flags:
            c.truth[n] = c.flags[n]
            yes = (
                rng.choice(["Yes.", "Yes, on and off.", "Yes"])
                if n in ("itch", "hurt")
                else rng.choice(["Yes.", "Yes"])
            )
            never = (
                ["Never."]
                if n in ("itch", "bleed", "smoke", "drink", "skin_cancer_history")
                else []
            )
            ans = yes if c.flags[n] == "present" else rng.choice(["No.", "No", *never])
            if n == "cancer_history" and c.flags[n] == "present":
                ans = (
                    "Yes - "
                    + rng.choice(CANCER_EN_LAY[c.sex] + CANCER_EN_LAY[None])
                    .replace("I was", "was")
                    .replace("I had", "had")
                    + "."
                )
            lines.append(f"Q: {QUESTION_EN[n]} A: {ans}")
        elif n in ("grew", "bleed") and rng.random() < 0.3:
            lines.append(f"Q: {QUESTION_EN[n]} A: Not sure.")
    return "\n".join(lines + _extras_en(c, rng))


def en_yesno_form(c: Case, rng: random.Random) -> str:
    lines = ["SKIN LESION CHECKLIST", f"Patient: {_who_en(c, rng)}", f"Site: {c.site_word}"]
    if c.diameter is not None:
        lines.append(f"Diameter: {_size_en(c, rng)}")
    mark = rng.choice([("[x] Yes [ ] No", "[ ] Yes [x] No"), ("Y", "N"), ("yes", "no")])
    for n in FLAGS:
        if n in c.flags:
            c.truth[n] = c.flags[n]
            lines.append(f"{LABEL_EN[n]}: {mark[0] if c.flags[n] == 'present' else mark[1]}")
        elif rng.random() < 0.2:
            lines.append(f"{LABEL_EN[n]}: unknown")
    return "\n".join(lines)


def en_table(c: Case, rng: random.Random) -> str:
    rows = [("Patient", _who_en(c, rng)), ("Location", c.site_word)]
    if c.diameter is not None:
        rows.append(("Size", _size_en(c, rng)))
    for n in FLAGS:
        if n in c.flags:
            c.truth[n] = c.flags[n]
            rows.append(
                (
                    LABEL_EN[n],
                    "present" if c.flags[n] == "present" else rng.choice(["absent", "none", "-ve"]),
                )
            )
    text = "| Item | Finding |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
    extra = _extras_en(c, rng)
    return text + ("\n" + " ".join(extra) if extra else "")


def en_bullets(c: Case, rng: random.Random) -> str:
    lines = [f"- {_who_en(c, rng)}", f"- lesion: {c.site_word}"]
    size = _size_en(c, rng)
    if size:
        lines.append(f"- size {size}")
    lines += [
        "- " + s
        for s in _symptoms_en(c, rng, [n for n in (*SYMPTOMS, "elevation") if n in c.flags])
    ]
    lines += ["- " + s for s in _history_en(c, rng)]
    lines += ["- " + s for s in _extras_en(c, rng)]
    return "\n".join(lines)


def en_discharge(c: Case, rng: random.Random) -> str:
    who = _who_en(c, rng)
    sym = _symptoms_en(c, rng, [n for n in (*SYMPTOMS, "elevation") if n in c.flags])
    size = _size_en(c, rng)
    text = f"DISCHARGE SUMMARY. {_cap(who)} admitted as a day case for excision biopsy of a lesion {_on(c.site_word)}"
    text += f" ({size})." if size else "."
    if sym:
        text += " Pre-op: " + "; ".join(sym) + "."
    hist = _history_en(c, rng)
    if hist:
        text += " Background: " + ", ".join(hist) + "."
    text += " Procedure uneventful, sutures out in 10 days. Histology to follow."
    return text + (" " + " ".join(_extras_en(c, rng))).rstrip()


def en_dermoscopy(c: Case, rng: random.Random) -> str:
    lines = [
        "DERMATOSCOPY REPORT",
        f"Patient: {_who_en(c, rng)}",
        f"Index lesion: {c.site_word} (lesion 1)",
    ]
    size = _size_en(c, rng)
    if size:
        lines.append(f"Clinical size: {size}")
    if "elevation" in c.flags:
        lines.append("Palpation: " + _phrase(c, rng, "elevation", False))
    lines.append(
        "Dermoscopy: "
        + rng.choice(
            [
                "atypical network, regression structures",
                "blue-white veil, irregular dots",
                "symmetric globular pattern",
            ]
        )
    )
    sym = _symptoms_en(c, rng, [n for n in SYMPTOMS if n in c.flags])
    if sym:
        lines.append("Patient-reported: " + ", ".join(sym))
    hist = _history_en(c, rng)
    if hist:
        lines.append("Risk factors: " + ", ".join(hist))
    if rng.random() < 0.5:
        lines.append(
            f"Lesion 2 ({c.other_site}): stable, no change since baseline - not the index lesion."
        )
    return "\n".join(lines)


def en_teledermatology(c: Case, rng: random.Random) -> str:
    lines = [
        "TELEDERMATOLOGY REQUEST",
        f"Patient details: {_who_en(c, rng)}",
        f"Anatomical site of lesion photographed: {c.site_word}",
    ]
    size = _size_en(c, rng)
    lines.append(f"Lesion size: {size or 'not measured'}")
    sym = _symptoms_en(c, rng, [n for n in (*SYMPTOMS, "elevation") if n in c.flags])
    lines.append("Clinical history: " + ("; ".join(sym) + "." if sym else "see photos."))
    hist = _history_en(c, rng)
    if hist:
        lines.append("Relevant PMHx / risk: " + "; ".join(hist) + ".")
    lines += _extras_en(c, rng)
    lines.append("Question for dermatologist: reassure or excise?")
    return "\n".join(lines)


def en_triage(c: Case, rng: random.Random) -> str:
    who = _who_en(c, rng)
    earlier = _earlier_en(c, rng) if rng.random() < 0.4 else ""
    sym = _symptoms_en(
        c, rng, [n for n in (*SYMPTOMS, "elevation") if n in c.flags and n not in c.truth]
    )
    pt = "" if who.startswith("patient") else "pt "
    text = f"Nurse triage: {pt}{who} attended walk-in re spot {_on(c.site_word)}. "
    text += _sent(sym) + (" " + earlier if earlier else "")
    size = _size_en(c, rng)
    if size:
        text += f" Measured at {size}."
    hist = _history_en(c, rng)
    if hist:
        text += " " + _sent(hist)
    return (text + " Obs stable. Routed to derm clinic. " + " ".join(_extras_en(c, rng))).strip()


# ---------------------------------------------------------------- Chinese styles
def zh_outpatient(c: Case, rng: random.Random) -> str:
    who = _who_zh(c, rng)
    size = _size_zh(c, rng)
    earlier = _earlier_zh(c, rng) if rng.random() < 0.3 else ""
    sym = _symptoms_zh(c, rng, [n for n in SYMPTOMS if n in c.flags and n not in c.truth])
    parts = [
        f"{who}。",
        f"主诉：发现{c.site_word}黑色皮损{rng.choice(['半年', '1年', '3个月', '两年余'])}。",
    ]
    parts.append("现病史：" + earlier + ("，".join(sym) + "。" if sym else "未予诊治。"))
    hist = _history_zh(c, rng)
    skin = [h for h in hist if "烟" not in h and "酒" not in h]
    pers = [h for h in hist if h not in skin]
    if skin:
        parts.append("既往史：" + "，".join(skin) + "。")
    if pers:
        parts.append("个人史：" + "，".join(pers) + "。")
    exam = f"查体：{c.site_word}见一黑褐色皮损"
    if size:
        exam += f"，{size}"
    if "elevation" in c.flags and "elevation" not in c.truth:
        exam += "，" + _phrase(c, rng, "elevation", False)
    parts.append(exam + "。")
    parts += _extras_zh(c, rng)
    return "\n".join(parts)


def zh_emr(c: Case, rng: random.Random) -> str:
    lines = ["【电子病历】"]
    if c.sex:
        c.truth["sex"] = c.sex
        lines.append(f"【性别】{'男' if c.sex == 'male' else '女'}")
    if c.age is not None:
        c.truth["age"] = c.age
        lines.append(f"【年龄】{c.age}{rng.choice(['岁', '', '岁'])}")
    lines.append(f"【部位】{c.site_word}")
    size = _size_zh(c, rng)
    if size:
        lines.append(f"【大小】{size.removeprefix('大小')}")
    for n in FLAGS:
        if n in c.flags:
            c.truth[n] = c.flags[n]
            lines.append(
                f"【{LABEL_ZH[n]}】{rng.choice(['有', '是']) if c.flags[n] == 'present' else rng.choice(['无', '否'])}"
            )
        elif rng.random() < 0.15:
            lines.append(f"【{LABEL_ZH[n]}】不详")
    return "\n".join(lines + _extras_zh(c, rng))


def zh_dialogue(c: Case, rng: random.Random) -> str:
    lines = ["【互联网医院 图文问诊】"]
    if c.sex and rng.random() < 0.2:
        c.sex = None  # the patient does not say, so no sex-specific history either
    intro = "患者：医生您好，"
    if c.age is not None and rng.random() < 0.7:
        c.truth["age"] = c.age
        intro += f"我今年{rng.choice([str(c.age), _zh_number(c.age)])}岁，"
    if c.sex:
        c.truth["sex"] = c.sex
        intro += f"{'男' if c.sex == 'male' else '女'}的，"
    lines.append(intro + f"{c.site_word}有颗痣，想咨询一下。")
    for n in FLAGS:
        if n not in c.flags:
            continue
        lines.append("医生：" + QUESTION_ZH[n])
        if (n == "cancer_history" and c.flags[n] == "present") or rng.random() < 0.5:
            lines.append("患者：" + _phrase(c, rng, n, True) + "。")
        else:
            c.truth[n] = c.flags[n]
            lines.append(
                "患者："
                + (
                    rng.choice(["有", "是的", *(["会"] if n in ("itch", "hurt") else [])])
                    if c.flags[n] == "present"
                    else rng.choice(["没有", "没"])
                )
                + "。"
            )
    if c.diameter is not None:
        lines.append("医生：大概多大？")
        lines.append("患者：" + _size_zh(c, rng) + "吧。")
    if rng.random() < 0.3:
        lines.append("患者：我妈妈以前得过黑色素瘤，所以有点担心。")
    lines.append("医生：建议线下皮肤科就诊，做皮肤镜检查。")
    return "\n".join(lines)


def zh_colloquial(c: Case, rng: random.Random) -> str:
    text = "患者自述："
    if c.sex:
        c.truth["sex"] = c.sex
        text += f"我是{'男' if c.sex == 'male' else '女'}的，"
    if c.age is not None and rng.random() < 0.6:
        c.truth["age"] = c.age
        text += f"{c.age}岁，"
    text += f"{c.site_word}有个痣，"
    bits = _symptoms_zh(c, rng, [n for n in (*SYMPTOMS, "elevation") if n in c.flags], lay=True)
    text += "，".join(bits) + ("。" if bits else "最近有点担心。")
    if c.diameter is not None:
        text += "现在" + _size_zh(c, rng) + "左右。"
    hist = _history_zh(c, rng, lay=True)
    if hist:
        text += "，".join(hist) + "。"
    return text + "".join(_extras_zh(c, rng))


def zh_admission(c: Case, rng: random.Random) -> str:
    who = _who_zh(c, rng)
    sym = _symptoms_zh(c, rng, [n for n in SYMPTOMS if n in c.flags])
    lines = ["入院记录", f"一般情况：{who}，因“{c.site_word}皮损”入院。"]
    lines.append(
        "现病史：" + ("，".join(sym) + "。" if sym else "未诊治。") + "门诊拟“皮肤肿物”收入院。"
    )
    hist = _history_zh(c, rng)
    lines.append(
        "既往史及个人史：" + ("，".join(hist) + "。" if hist else "（未详）。") + "否认药物过敏史。"
    )
    exam = f"专科情况：{c.site_word}可见一色素性皮损"
    size = _size_zh(c, rng)
    if size:
        exam += f"，{size}"
    if "elevation" in c.flags:
        exam += "，" + _phrase(c, rng, "elevation", False)
    lines.append(exam + "。")
    lines += _extras_zh(c, rng)
    return "\n".join(lines)


def zh_derm_exam(c: Case, rng: random.Random) -> str:
    who = _who_zh(c, rng)
    text = f"{who}。皮肤科专科检查：{c.site_word}（本次就诊皮损）可见一黑褐色"
    text += rng.choice(["皮损", "色素性皮损"])
    size = _size_zh(c, rng)
    if size:
        text += f"，{size}"
    if "elevation" in c.flags:
        text += "，" + _phrase(c, rng, "elevation", False)
    text += "，边界" + rng.choice(["欠清", "清楚"]) + "。"
    sym = _symptoms_zh(c, rng, [n for n in SYMPTOMS if n in c.flags])
    if sym:
        text += "病史：" + "，".join(sym) + "。"
    hist = _history_zh(c, rng)
    if hist:
        text += "，".join(hist) + "。"
    return text + "".join(_extras_zh(c, rng))


def zh_table(c: Case, rng: random.Random) -> str:
    rows = [("基本信息", _who_zh(c, rng)), ("部位", c.site_word)]
    size = _size_zh(c, rng)
    if size:
        rows.append(("大小", size))
    for n in FLAGS:
        if n in c.flags:
            c.truth[n] = c.flags[n]
            rows.append(
                (
                    LABEL_ZH[n],
                    rng.choice(["有", "√"]) if c.flags[n] == "present" else rng.choice(["无", "×"]),
                )
            )
    text = "| 项目 | 结果 |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
    return (text + "\n" + "".join(_extras_zh(c, rng))).strip()


def zh_qa_form(c: Case, rng: random.Random) -> str:
    lines = ["皮肤病初诊问卷", _who_zh(c, rng), f"皮损部位：{c.site_word}"]
    size = _size_zh(c, rng)
    if size:
        lines.append(f"皮损大小：{size}")
    for n in FLAGS:
        if n in c.flags:
            c.truth[n] = c.flags[n]
            lines.append(
                f"是否{LABEL_ZH[n].replace('（本人）', '')}：{'是' if c.flags[n] == 'present' else '否'}"
            )
    return "\n".join(lines + _extras_zh(c, rng))


EN_STYLES = [
    en_letter,
    en_gp_referral,
    en_derm_clinic,
    en_self_report,
    en_qa,
    en_yesno_form,
    en_table,
    en_bullets,
    en_discharge,
    en_dermoscopy,
    en_teledermatology,
    en_triage,
]
ZH_STYLES = [
    zh_outpatient,
    zh_emr,
    zh_dialogue,
    zh_colloquial,
    zh_admission,
    zh_derm_exam,
    zh_table,
    zh_qa_form,
]


def _mix_script(text: str, rng: random.Random) -> str:
    """Traditional characters in every other sentence, as in a pasted mixed record."""
    parts = text.split("。")
    return "。".join(
        p.translate(TRAD) if i % 2 == rng.randint(0, 1) else p for i, p in enumerate(parts)
    )


def make_note(rng: random.Random, lang: str, i: int) -> dict[str, object]:
    case = _sample(rng, lang)
    styles = EN_STYLES if lang == "en" else ZH_STYLES
    style = styles[i % len(styles)]
    case.truth["site"] = case.site
    text = style(case, rng)
    if lang == "zh" and rng.random() < 0.12:
        text = _mix_script(text, rng)
    if lang == "zh" and rng.random() < 0.15:
        text = text.translate(FULLWIDTH)
    order = ["age", "sex", "site", "diameter_mm", *FLAGS]
    facts = {k: case.truth[k] for k in order if k in case.truth}
    return {
        "id": f"i-{lang}-{i:04d}",
        "lang": lang,
        "style": style.__name__,
        "note": text,
        "facts": facts,
    }


def main() -> None:
    rng = random.Random(SEED)
    rows = [make_note(rng, lang, i) for lang in ("en", "zh") for i in range(N_PER_LANG)]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} notes to {OUT}")


if __name__ == "__main__":
    main()
