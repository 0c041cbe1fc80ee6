"""Blind held-out wording bank h for the note reader (issue 16).

Writes ``tests/data/unseen_notes_h.jsonl``: 200 English and 200 Chinese notes, each with the
facts a dermatologist would record from its text. Written by a different author from banks
a-g, in the shapes real records take: GP referral letters, dermatology clinic letters, terse
clinic shorthand, patient self-reports in lay words, questionnaires and yes/no forms, tables
and bullet lists; in Chinese 门诊病历, 电子病历 templates, 互联网医院 dialogue, colloquial
patient accounts, some with traditional characters or full-width digits.

The truth is decided first and the text is rendered from it, so every line agrees with its
facts by construction: a fact is only ever written by the phrase chosen for its state.
A hedged mention ("not sure if it has grown") is written but left out of the truth, as is an
age a reader cannot compute ("in his 60s", "DOB 1961" with no visit date). Relatives' cancers
and habits are written as distractors and never become the patient's facts.

Run: ``python scripts/unseen_bank_h.py`` (seeded, deterministic).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20261202
N_PER_LANG = 200
OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "unseen_notes_h.jsonl"

SYMPTOMS = ("itch", "grew", "hurt", "changed", "bleed", "elevation")
HISTORY = ("skin_cancer_history", "cancer_history", "smoke", "drink")
FACT_ORDER = ("age", "sex", "site", "diameter_mm", *SYMPTOMS, *HISTORY)

PRESENT, ABSENT, HEDGE = "present", "absent", "hedge"


@dataclass
class Case:
    """The truth of one note plus the choices that shape how it is written."""

    age: int | None
    age_mode: str | None  # "exact" (written, recorded), "vague" / "dob" (written, not recorded)
    sex: str | None
    site: str | None
    diam: tuple[float, float | None] | None  # largest first, in mm
    states: dict[str, str] = field(default_factory=dict)  # fact -> present/absent/hedge
    family: list[str] = field(default_factory=list)  # distractor keys
    memo: dict[str, str] = field(default_factory=dict)  # wording fixed once per note (the site)

    def truth(self) -> dict[str, object]:
        facts: dict[str, object] = {}
        if self.age is not None and self.age_mode == "exact":
            facts["age"] = self.age
        if self.sex:
            facts["sex"] = self.sex
        if self.site:
            facts["site"] = self.site
        if self.diam:
            facts["diameter_mm"] = float(self.diam[0])
        for name in (*SYMPTOMS, *HISTORY):
            state = self.states.get(name)
            if state in (PRESENT, ABSENT):
                facts[name] = state
        return {k: facts[k] for k in FACT_ORDER if k in facts}

    def has(self, name: str) -> bool:
        return name in self.states


def sample_case(rng: random.Random) -> Case:
    roll = rng.random()
    age_mode = (
        "exact" if roll < 0.74 else "vague" if roll < 0.84 else "dob" if roll < 0.89 else None
    )
    age = rng.randint(20, 91) if age_mode else None
    sex = rng.choice(("male", "female")) if rng.random() < 0.85 else None
    site = rng.choice(list(SITES_EN)) if rng.random() < 0.86 else None
    if site == "genital" and sex is None:
        sex = rng.choice(("male", "female"))
    diam = None
    if rng.random() < 0.62:
        big = rng.choice([2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 18, 20, 25, 30])
        small = rng.randint(max(2, big // 2), big) if rng.random() < 0.5 else None
        diam = (float(big), float(small) if small else None)
    states: dict[str, str] = {}
    for name in SYMPTOMS:
        r = rng.random()
        if r < 0.36:
            states[name] = PRESENT
        elif r < 0.66:
            states[name] = ABSENT
        elif r < 0.73:
            states[name] = HEDGE
    for name in HISTORY:
        r = rng.random()
        if r < 0.2:
            states[name] = PRESENT
        elif r < 0.55:
            states[name] = ABSENT
    # A relative's cancer named with a body part is only fair beside the patient's own site.
    keys = FAMILY_KEYS if site else [k for k in FAMILY_KEYS if k != "brother_scc"]
    family = rng.sample(keys, k=rng.choice((0, 0, 1, 1, 2)))
    return Case(age, age_mode, sex, site, diam, states, family)


# ---------------------------------------------------------------- sites
# Site key -> phrases as "preposition + the + {side}noun"; "{side}" takes left/right or nothing.
SITES_EN: dict[str, list[str]] = {
    "abdomen": [
        "on the tummy",
        "on the abdomen",
        "just above the belly button",
        "on the belly",
        "on the {side}lower abdomen",
    ],
    "arm": ["on the {side}upper arm", "on the back of the {side}upper arm"],
    "back": [
        "between the shoulder blades",
        "on the upper back",
        "on the lower back",
        "on the back",
        "on the mid back",
    ],
    "chest": [
        "on the chest",
        "on the upper chest",
        "over the breastbone",
        "on the front of the chest",
    ],
    "ear": ["behind the {side}ear", "on the {side}earlobe", "on the rim of the {side}ear"],
    "face": ["on the {side}cheek", "on the forehead", "on the {side}temple", "on the chin"],
    "foot": ["on the top of the {side}foot", "on the {side}heel", "on the {side}foot"],
    "forearm": ["on the {side}forearm", "on the inner {side}forearm"],
    "genital": ["in the genital area"],
    "hand": ["on the back of the {side}hand"],
    "lip": ["on the lower lip", "on the upper lip"],
    "lower extremity": ["on the {side}shin", "on the {side}calf", "on the {side}lower leg"],
    "neck": ["on the side of the neck", "on the back of the neck", "on the neck"],
    "nose": ["on the tip of the nose", "on the side of the nose", "on the nose"],
    "scalp": ["on the scalp", "on the crown of the scalp"],
    "thigh": ["on the {side}thigh", "on the inner {side}thigh", "on the front of the {side}thigh"],
    "trunk": ["on the trunk", "on the torso"],
    "upper extremity": ["on the {side}upper limb"],
}
GENITAL_EN = {
    "male": ["on the scrotum", "in the genital area"],
    "female": ["on the vulva", "in the genital area"],
}

SITES_ZH: dict[str, list[str]] = {
    "abdomen": ["肚子上", "腹部", "下腹部", "肚脐旁边"],
    "arm": ["{side}上臂", "{side}大臂"],
    "back": ["后背", "背上", "两侧肩胛骨之间", "背部"],
    "chest": ["胸前", "前胸", "胸口", "胸部"],
    "ear": ["{side}耳后", "{side}耳垂", "{side}耳廓"],
    "face": ["{side}面颊", "额头", "{side}脸颊", "下巴"],
    "foot": ["{side}足背", "{side}脚背", "{side}足跟"],
    "forearm": ["{side}前臂", "{side}小臂"],
    "genital": ["外生殖器"],
    "hand": ["{side}手背"],
    "lip": ["下唇", "上唇"],
    "lower extremity": ["{side}小腿", "{side}胫前", "{side}下肢"],
    "neck": ["脖子上", "颈部", "颈后"],
    "nose": ["鼻尖", "鼻翼", "鼻子上"],
    "scalp": ["头皮", "头顶头皮"],
    "thigh": ["{side}大腿", "{side}大腿内侧"],
    "trunk": ["躯干"],
    "upper extremity": ["{side}上肢"],
}
GENITAL_ZH = {"male": ["阴囊", "外生殖器"], "female": ["外阴", "外生殖器"]}


def site_en(case: Case, rng: random.Random, lay: bool = False, short: bool = False) -> str:
    """The lesion's place; the same place (sub-site and side) every time one note names it."""
    assert case.site
    if "en" not in case.memo:
        options = GENITAL_EN[case.sex or "male"] if case.site == "genital" else SITES_EN[case.site]
        case.memo["en"] = rng.choice(options)
        case.memo["side"] = rng.choice(["left", "right"])
        case.memo["abbr"] = rng.choice(["", "abbr"])
    side = case.memo["side"]
    if case.memo["abbr"] and not lay:
        side = side[0].upper()
    phrase = case.memo["en"].replace("{side}", side + " ")
    if lay:
        head, _, tail = phrase.rpartition(" the ")
        phrase = f"{head} my {tail}"
    if short and phrase.startswith("on the "):
        return phrase[len("on the ") :]
    return phrase


def site_zh(case: Case, rng: random.Random) -> str:
    assert case.site
    if "zh" not in case.memo:
        options = GENITAL_ZH[case.sex or "male"] if case.site == "genital" else SITES_ZH[case.site]
        case.memo["zh"] = rng.choice(options).replace(
            "{side}", rng.choice(["左", "右", "左侧", "右侧"])
        )
    return case.memo["zh"]


# ---------------------------------------------------------------- sizes
def fmt_num(x: float) -> str:
    return f"{x:g}"


def size_en(case: Case, rng: random.Random) -> str:
    assert case.diam
    big, small = case.diam
    unit_cm = big >= 10 and rng.random() < 0.6
    if small is None:
        if unit_cm:
            return rng.choice(["{} cm", "{}cm", "approx. {} cm"]).format(fmt_num(big / 10))
        return rng.choice(["{} mm", "{}mm", "about {} mm", "~{}mm"]).format(fmt_num(big))
    a, b = (big, small) if rng.random() < 0.7 else (small, big)
    if unit_cm:
        return rng.choice(["{} x {} cm", "{}x{}cm", "{} × {} cm"]).format(
            fmt_num(a / 10), fmt_num(b / 10)
        )
    return rng.choice(["{} x {} mm", "{}x{}mm", "{} by {} mm"]).format(fmt_num(a), fmt_num(b))


def size_zh(case: Case, rng: random.Random) -> str:
    assert case.diam
    big, small = case.diam
    cm = rng.random() < 0.5
    val = (lambda v: fmt_num(v / 10)) if cm else fmt_num
    if small is None:
        unit = rng.choice(["厘米", "cm"]) if cm else rng.choice(["毫米", "mm"])
        return rng.choice(["约{}{}", "直径约{}{}", "{}{}左右", "{}{}"]).format(val(big), unit)
    a, b = (big, small) if rng.random() < 0.7 else (small, big)
    unit = rng.choice(["cm", "厘米"]) if cm else "mm"
    return rng.choice(["{}×{}{}", "约{}×{}{}", "{}{u}×{}{u}"]).format(val(a), val(b), unit, u=unit)


# ---------------------------------------------------------------- ages
CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    head = "" if tens == 1 else CN_DIGITS[tens]
    return head + "十" + (CN_DIGITS[ones] if ones else "")


def decade_en(age: int, rng: random.Random) -> str:
    words = {
        2: "twenties",
        3: "thirties",
        4: "forties",
        5: "fifties",
        6: "sixties",
        7: "seventies",
        8: "eighties",
        9: "nineties",
    }
    d = age // 10
    return rng.choice(
        [f"{d * 10}s", words[d], f"late {words[d]}" if age % 10 >= 5 else f"early {words[d]}"]
    )


def birth_year(age: int) -> int:
    return 2026 - age


# ---------------------------------------------------------------- English phrase banks
# fact -> state -> register -> sentences. {S}, {s}: the patient as a subject (start, mid-sentence).
EN: dict[str, dict[str, dict[str, list[str]]]] = {
    "itch": {
        PRESENT: {
            "clin": [
                "{S} reports intermittent pruritus.",
                "Itchy on and off.",
                "c/o itch.",
                "The lesion is pruritic.",
                "{S} has been scratching at it.",
                "Complains of itching, worse at night.",
            ],
            "lay": [
                "It's been itchy on and off.",
                "It itches, especially at night.",
                "I keep scratching it because it's itchy.",
            ],
        },
        ABSENT: {
            "clin": [
                "No pruritus.",
                "Denies itch.",
                "Without pruritus.",
                "Not itchy.",
                "Negative for pruritus.",
                "Itch: nil.",
                "It does not itch.",
            ],
            "lay": ["It doesn't itch.", "It's never been itchy.", "No itching at all."],
        },
        HEDGE: {
            "clin": ["Unclear whether it itches; {s} cannot say.", "? pruritus - {s} is unsure."],
            "lay": ["I'm not sure if it itches or if I'm imagining it."],
        },
    },
    "grew": {
        PRESENT: {
            "clin": [
                "Has increased in size.",
                "{S} reports it is enlarging.",
                "Growing over the last few months.",
                "Noted to be getting bigger.",
                "{S} says it was the size of a pinhead and is now like a pea.",
                "Enlarging steadily since first noticed.",
            ],
            "lay": [
                "My mole got bigger.",
                "It was the size of a pinhead, now it's more like a pea.",
                "It's definitely bigger than it was last year.",
                "It has grown a lot since the summer.",
            ],
        },
        ABSENT: {
            "clin": [
                "No increase in size.",
                "Not enlarging.",
                "Denies growth.",
                "Has not grown since first noticed.",
            ],
            "lay": ["It hasn't got any bigger.", "It's stayed the same size for years."],
        },
        HEDGE: {
            "clin": ["Uncertain whether it has grown.", "{S} is not sure if it has enlarged."],
            "lay": ["I can't tell if it's got bigger."],
        },
    },
    "hurt": {
        PRESENT: {
            "clin": [
                "Tender to touch.",
                "c/o pain at the site.",
                "Painful.",
                "{S} reports that it is sore.",
                "Pain on pressure.",
            ],
            "lay": ["It hurts when I press on it.", "It's quite sore.", "It's painful."],
        },
        ABSENT: {
            "clin": [
                "Painless.",
                "Non-tender.",
                "Denies pain.",
                "No pain.",
                "Without pain or tenderness.",
            ],
            "lay": ["It doesn't hurt.", "No pain at all."],
        },
        HEDGE: {
            "clin": ["Unclear if it is painful.", "? tender - {s} cannot say."],
            "lay": ["Not sure whether it actually hurts."],
        },
    },
    "changed": {
        PRESENT: {
            "clin": [
                "Has changed colour.",
                "Darker than previously.",
                "{S} has noticed a change in shape.",
                "The border has become more irregular over recent months.",
                "Colour has changed over recent months.",
            ],
            "lay": [
                "It's gone darker than it used to be.",
                "It looks different now - the colour has changed.",
                "The shape has changed, it's gone uneven at the edge.",
            ],
        },
        ABSENT: {
            "clin": [
                "No change in colour or shape.",
                "Denies any change in colour or shape.",
                "Colour and shape unchanged.",
            ],
            "lay": ["The colour and shape look the same as always."],
        },
        HEDGE: {
            "clin": ["Unsure whether the colour has changed."],
            "lay": ["I don't know if the colour has changed."],
        },
    },
    "bleed": {
        PRESENT: {
            "clin": [
                "Has bled.",
                "Oozing blood intermittently.",
                "Bled spontaneously last week.",
                "Bleeds when caught on clothing.",
                "Crusted with blood.",
                "{S} has noticed spotting of blood on the shirt.",
                "Bled once about a month ago, healed since.",
            ],
            "lay": [
                "It bleeds when I catch it with the towel.",
                "There have been little spots of blood on my shirt.",
                "It bled a couple of weeks ago and crusted over.",
                "It oozes blood sometimes.",
            ],
        },
        ABSENT: {
            "clin": ["No bleeding.", "Has never bled.", "Denies bleeding.", "Nil bleeding."],
            "lay": ["It has never bled.", "No bleeding."],
        },
        HEDGE: {
            "clin": ["Possibly bled once; {s} cannot recall."],
            "lay": ["It might have bled once, I can't really remember."],
        },
    },
    "elevation": {
        PRESENT: {
            "clin": [
                "Raised.",
                "Palpable and elevated.",
                "Nodular, raised above the skin surface.",
                "Papular.",
            ],
            "lay": ["It sticks up from the skin.", "It's a raised bump."],
        },
        ABSENT: {
            "clin": ["Flat.", "Macular, not palpable.", "Flush with the skin.", "Not raised."],
            "lay": ["It's flat, I can't feel it with my finger."],
        },
        HEDGE: {
            "clin": ["Difficult to say whether it is raised."],
            "lay": ["Hard to say if it's raised or flat."],
        },
    },
    "skin_cancer_history": {
        PRESENT: {
            "clin": [
                "BCC excised 2019.",
                "Previous melanoma (2015, WLE).",
                "Hx of SCC on the scalp, treated.",
                "s/p Mohs for BCC in 2021.",
                "Previous skin cancer removed.",
            ],
            "lay": [
                "I had a skin cancer cut out in 2018.",
                "I've had a basal cell removed before.",
            ],
        },
        ABSENT: {
            "clin": [
                "No personal Hx of skin cancer.",
                "No previous skin cancers.",
                "Never had skin cancer.",
            ],
            "lay": ["I've never had skin cancer."],
        },
    },
    "cancer_history": {
        PRESENT: {
            "clin": [
                "Hx of {ca}, treated.",
                "{CA} {yr}, in remission.",
                "s/p treatment for {ca} ({yr}).",
            ],
            "lay": [
                "I had {ca} in {yr}, all clear now.",
                "I was treated for {ca} a few years ago.",
            ],
        },
        ABSENT: {
            "clin": [
                "No other cancers.",
                "No history of other malignancy.",
                "No other cancer history.",
            ],
            "lay": ["No other cancers."],
        },
    },
    "smoke": {
        PRESENT: {
            "clin": [
                "Smoker, 10/day.",
                "Current smoker (20 pack-years).",
                "Smokes 1 ppd.",
                "Smokes.",
            ],
            "lay": ["I smoke about ten a day.", "Yes I smoke."],
        },
        ABSENT: {
            "clin": ["Non-smoker.", "Never smoked.", "Doesn't smoke.", "Nil smoking."],
            "lay": ["I don't smoke.", "Never smoked."],
        },
    },
    "drink": {
        PRESENT: {
            "clin": [
                "Drinks ~10 units/week.",
                "Social drinker.",
                "EtOH: 2 glasses of wine nightly.",
            ],
            "lay": ["I have a few beers at the weekend.", "I drink a glass of wine most evenings."],
        },
        ABSENT: {
            "clin": ["No alcohol.", "Teetotal.", "Nil EtOH.", "Doesn't drink."],
            "lay": ["I don't drink.", "No alcohol."],
        },
    },
}

CANCERS_EN = {
    "male": [
        "prostate cancer",
        "bowel cancer",
        "lung cancer",
        "bladder cancer",
        "testicular cancer",
    ],
    "female": [
        "breast cancer",
        "cervical cancer",
        "ovarian cancer",
        "bowel cancer",
        "thyroid cancer",
    ],
    None: ["bowel cancer", "thyroid cancer", "lymphoma", "kidney cancer"],
}

# Noun (for negations) and clause (for "but ...") forms of the symptoms.
NOUN_EN = {"itch": "itching", "hurt": "pain", "bleed": "bleeding", "grew": "growth"}
CLAUSE_EN = {
    "itch": "it itches",
    "hurt": "it is painful",
    "bleed": "it has bled",
    "grew": "it has got bigger",
    "changed": "it has changed colour",
}

FAMILY_KEYS = [
    "mother_mel",
    "father_bcc",
    "sister_breast",
    "father_smoke",
    "brother_scc",
    "uncle_drink",
]
FAMILY_EN = {
    "mother_mel": [
        "FHx: mother had melanoma (aged 72).",
        "Family history of melanoma (mother).",
        "Mum had a melanoma removed.",
    ],
    "father_bcc": ["Father had a BCC.", "FHx BCC (father)."],
    "sister_breast": ["Sister had breast cancer.", "FHx: sister breast Ca."],
    "father_smoke": ["Father was a heavy smoker.", "Dad smoked 40 a day."],
    "brother_scc": ["Brother treated for SCC of the ear.", "FHx SCC (brother)."],
    "uncle_drink": ["An uncle drank heavily."],
}
FAMILY_EN_LAY = {
    "mother_mel": ["My mum had a melanoma.", "My mother had melanoma when she was 72."],
    "father_bcc": ["My dad had a basal cell removed."],
    "sister_breast": ["My sister had breast cancer."],
    "father_smoke": ["My dad smoked 40 a day."],
    "brother_scc": ["My brother had an SCC cut off his ear."],
    "uncle_drink": ["My uncle drank heavily."],
}
FAMILY_ZH_LAY = {
    "mother_mel": ["我妈得过黑色素瘤。", "我母亲七十多岁时得过黑色素瘤。"],
    "father_bcc": ["我爸以前得过基底细胞癌。"],
    "sister_breast": ["我姐得过乳腺癌。"],
    "father_smoke": ["我爸烟抽得很凶。"],
    "brother_scc": ["我哥耳朵上长过鳞癌，切掉了。"],
    "uncle_drink": ["我叔叔酗酒。"],
}
FAMILY_ZH = {
    "mother_mel": ["母亲有黑色素瘤病史。", "其母72岁时患黑色素瘤。"],
    "father_bcc": ["父亲曾患基底细胞癌。", "父亲有基底细胞癌病史。"],
    "sister_breast": ["姐姐患乳腺癌。", "姐姐乳腺癌术后。"],
    "father_smoke": ["父亲吸烟多年。", "其父嗜烟。"],
    "brother_scc": ["哥哥耳部鳞癌已手术。"],
    "uncle_drink": ["叔叔长期酗酒。"],
}

# ---------------------------------------------------------------- Chinese phrase banks
# fact -> state -> register -> clauses (no final punctuation; joined with ，/。).
ZH: dict[str, dict[str, dict[str, list[str]]]] = {
    "itch": {
        PRESENT: {
            "clin": ["伴瘙痒", "时有瘙痒", "偶感瘙痒", "自觉瘙痒"],
            "lay": ["有点痒", "时不时会痒", "老是痒，忍不住去挠"],
        },
        ABSENT: {
            "clin": ["无瘙痒", "否认瘙痒", "无明显痒感"],
            "lay": ["不痒", "一点也不痒", "没有痒过"],
        },
        HEDGE: {"clin": ["是否瘙痒患者说不清"], "lay": ["痒不痒我也说不好"]},
    },
    "grew": {
        PRESENT: {
            "clin": ["逐渐增大", "近半年明显增大", "较前增大", "皮损渐大"],
            "lay": ["长大了", "比以前大了一圈", "原来针尖那么大，现在像黄豆那么大", "越长越大"],
        },
        ABSENT: {
            "clin": ["未见增大", "无增大", "大小未见明显改变"],
            "lay": ["没有长大", "一直那么大，没变大过"],
        },
        HEDGE: {"clin": ["是否增大不详"], "lay": ["不确定有没有长大"]},
    },
    "hurt": {
        PRESENT: {
            "clin": ["伴疼痛", "有压痛", "自觉疼痛"],
            "lay": ["按着会疼", "有点疼", "碰到就疼"],
        },
        ABSENT: {"clin": ["无疼痛", "无压痛", "否认疼痛"], "lay": ["不疼", "一点都不疼"]},
        HEDGE: {"clin": ["疼痛与否患者描述不清"], "lay": ["疼不疼说不太清楚"]},
    },
    "changed": {
        PRESENT: {
            "clin": ["颜色较前加深", "形状变得不规则", "颜色及形态有改变"],
            "lay": ["颜色变深了", "颜色比以前黑了", "形状变了，边上不整齐了"],
        },
        ABSENT: {
            "clin": ["颜色形态无改变", "否认颜色及形状改变", "颜色、形状均无变化"],
            "lay": ["颜色和形状都没变"],
        },
        HEDGE: {"clin": ["颜色有无变化不确定"], "lay": ["颜色有没有变我没注意"]},
    },
    "bleed": {
        PRESENT: {
            "clin": ["偶有渗血", "有出血", "表面结血痂", "曾有出血，现已结痂"],
            "lay": ["一碰就流血", "流过血", "衣服上发现过血点", "洗澡时搓破出过血"],
        },
        ABSENT: {
            "clin": ["无出血", "否认出血", "未见渗血", "从未出血"],
            "lay": ["没有流过血", "没出过血"],
        },
        HEDGE: {"clin": ["是否出血记不清"], "lay": ["好像出过一次血，记不清了"]},
    },
    "elevation": {
        PRESENT: {
            "clin": ["高出皮面", "略隆起", "隆起于皮面", "呈丘疹状凸起"],
            "lay": ["鼓起来的", "摸着是凸起的"],
        },
        ABSENT: {"clin": ["平坦，不高出皮面", "未隆起", "与皮面平齐"], "lay": ["是平的，摸不出来"]},
        HEDGE: {"clin": ["是否隆起难以判断"], "lay": ["鼓不鼓我也看不出来"]},
    },
    "skin_cancer_history": {
        PRESENT: {
            "clin": ["2019年行基底细胞癌切除术", "既往黑色素瘤病史", "曾患皮肤鳞癌，已手术"],
            "lay": ["以前得过皮肤癌，做过手术"],
        },
        ABSENT: {"clin": ["否认皮肤癌病史", "无皮肤恶性肿瘤史"], "lay": ["从没得过皮肤癌"]},
    },
    "cancer_history": {
        PRESENT: {
            "clin": ["{yr}年{ca}术后", "既往{ca}病史", "{ca}治疗后，目前稳定"],
            "lay": ["{yr}年得过{ca}，治好了"],
        },
        ABSENT: {"clin": ["否认其他肿瘤病史", "无其他恶性肿瘤史"], "lay": ["没得过别的癌"]},
    },
    "smoke": {
        PRESENT: {
            "clin": ["吸烟20年，每日10支", "有吸烟史，现仍吸烟", "吸烟"],
            "lay": ["平时抽烟，一天大半包", "我抽烟"],
        },
        ABSENT: {"clin": ["不吸烟", "否认吸烟史", "从不吸烟"], "lay": ["不抽烟", "从来不抽烟"]},
    },
    "drink": {
        PRESENT: {
            "clin": ["饮酒", "偶尔饮酒", "每日饮白酒约二两", "社交性饮酒"],
            "lay": ["喜欢喝点酒", "周末会喝酒"],
        },
        ABSENT: {"clin": ["不饮酒", "否认饮酒史", "滴酒不沾"], "lay": ["不喝酒", "酒是不喝的"]},
    },
}

CANCERS_ZH = {
    "male": ["前列腺癌", "结肠癌", "肺癌", "膀胱癌"],
    "female": ["乳腺癌", "宫颈癌", "卵巢癌", "结肠癌", "甲状腺癌"],
    None: ["结肠癌", "甲状腺癌", "淋巴瘤", "胃癌"],
}
NOUN_ZH = {"itch": "瘙痒", "hurt": "疼痛", "bleed": "出血"}
CLAUSE_ZH = {
    "itch": "有瘙痒",
    "hurt": "有疼痛",
    "bleed": "有过出血",
    "grew": "近来增大",
    "changed": "颜色有变化",
}

# A few simplified -> traditional characters, one-to-one in every word these notes use.
TRAD = str.maketrans(
    "长痒发现过岁无历诊后颈头脸变没烟饮龄医检体肤颗边约时觉说这个点为经渗来间亲疗术癌",
    "長癢發現過歲無歷診後頸頭臉變沒煙飲齡醫檢體膚顆邊約時覺說這個點為經滲來間親療術癌",
)
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


# ---------------------------------------------------------------- English rendering
SURNAMES = [
    "Okafor",
    "Lindqvist",
    "Patel",
    "Brennan",
    "Nakamura",
    "Costa",
    "Walsh",
    "Haddad",
    "Kowalski",
    "Reid",
    "Osei",
    "Moreau",
]
DOCTORS = ["Dr A. Fenwick", "Dr R. Mensah", "Dr L. Cho", "Dr P. Szabo", "Dr K. Iyer"]


def subject_en(case: Case, rng: random.Random) -> tuple[str, str]:
    """A sentence subject and its lower-case form, never gendered when sex is unknown."""
    if case.sex == "male":
        s = rng.choice(["He", "He", "The patient"])
    elif case.sex == "female":
        s = rng.choice(["She", "She", "The patient"])
    else:
        s = rng.choice(["The patient", "The patient", "Pt"])
    return s, s if s == "Pt" else s[0].lower() + s[1:]


def fill_en(text: str, case: Case, rng: random.Random, subj: tuple[str, str]) -> str:
    ca = rng.choice(CANCERS_EN[case.sex])
    yr = str(rng.randint(2005, 2022))
    return (
        text.replace("{S}", subj[0])
        .replace("{s}", subj[1])
        .replace("{ca}", ca)
        .replace("{CA}", ca[0].upper() + ca[1:])
        .replace("{yr}", yr)
    )


def phrase_en(case: Case, name: str, reg: str, rng: random.Random, subj: tuple[str, str]) -> str:
    options = EN[name][case.states[name]][reg]
    if case.site is None:  # an old cancer's site must not pass for the lesion's
        options = [o for o in options if " on the " not in o] or options
    return fill_en(rng.choice(options), case, rng, subj)


def symptoms_en(
    case: Case,
    rng: random.Random,
    reg: str,
    subj: tuple[str, str],
    names: tuple[str, ...] = ("itch", "grew", "hurt", "changed", "bleed"),
) -> list[str]:
    """Sentences for the symptoms, sometimes one negation over a list or scoped to one fact."""
    todo = [n for n in names if case.has(n)]
    out: list[str] = []
    absent = [n for n in todo if case.states[n] == ABSENT and n in ("itch", "hurt", "bleed")]
    if len(absent) >= 2 and rng.random() < 0.5:
        nouns = [NOUN_EN[n] for n in absent]
        listed = ", ".join(nouns[:-1]) + " or " + nouns[-1]
        if reg == "lay":
            out.append(f"No {listed}.")
        else:
            out.append(
                rng.choice(
                    ["Denies {}.", "Negative for {}.", "No {}.", "Lesion without {}."]
                ).format(listed)
            )
        todo = [n for n in todo if n not in absent]
    neg = [n for n in todo if case.states[n] == ABSENT and n in NOUN_EN]
    pos = [n for n in todo if case.states[n] == PRESENT]
    if neg and pos and rng.random() < 0.6:
        a, b = rng.choice(neg), rng.choice(pos)
        form = rng.choice(["No {} but {}.", "No {}, but {}.", "Denies {} but reports that {}."])
        if reg == "lay":
            form = rng.choice(["No {} but {}.", "There's no {}, but {}."])
        out.append(form.format(NOUN_EN[a], CLAUSE_EN[b]))
        todo = [n for n in todo if n not in (a, b)]
    out += [phrase_en(case, n, reg, rng, subj) for n in todo]
    rng.shuffle(out)
    return out


def history_en(case: Case, rng: random.Random, reg: str, subj: tuple[str, str]) -> list[str]:
    out: list[str] = []
    sc, ca = case.states.get("skin_cancer_history"), case.states.get("cancer_history")
    if sc == ABSENT and ca == ABSENT and rng.random() < 0.5:
        out.append(
            "No history of cancer of any kind, skin or otherwise."
            if reg == "clin"
            else "I've never had any cancer, skin or otherwise."
        )
    else:
        out += [phrase_en(case, n, reg, rng, subj) for n in HISTORY[:2] if case.has(n)]
    return out


def social_en(case: Case, rng: random.Random, reg: str, subj: tuple[str, str]) -> list[str]:
    sm, dr = case.states.get("smoke"), case.states.get("drink")
    if sm == ABSENT and dr == ABSENT and rng.random() < 0.5:
        return ["Neither smokes nor drinks." if reg == "clin" else "I don't smoke or drink."]
    if sm == PRESENT and dr == ABSENT and rng.random() < 0.5:
        return ["Smokes but does not drink." if reg == "clin" else "I smoke but I don't drink."]
    return [phrase_en(case, n, reg, rng, subj) for n in HISTORY[2:] if case.has(n)]


def family_en(case: Case, rng: random.Random, lay: bool = False) -> list[str]:
    return [rng.choice((FAMILY_EN_LAY if lay else FAMILY_EN)[k]) for k in case.family]


def article(age: int | None) -> str:
    """'an' before the ages spoken with a vowel sound (eighty..., eleven, eighteen)."""
    return "an" if str(age).startswith("8") or age in (11, 18) else "a"


def demo_en(case: Case, rng: random.Random) -> str:
    """A noun phrase naming the patient with whatever age and sex the note gives."""
    noun = {
        "male": ["man", "gentleman", "male"],
        "female": ["woman", "lady", "female"],
        None: ["patient"],
    }[case.sex]
    n = rng.choice(noun)
    poss = {"male": "his", "female": "her", None: "their"}[case.sex]
    if case.age_mode == "exact":
        a = case.age
        return rng.choice(
            [
                f"{article(a)} {a}-year-old {n}",
                f"this {a} y/o {n}",
                f"{article(a)} {a}yo {n}",
                f"a {n} aged {a}",
                f"this {a} year old {n}",
            ]
        )
    if case.age_mode == "vague":
        assert case.age
        return f"a {n} in {poss} {decade_en(case.age, rng)}"
    if case.age_mode == "dob":
        assert case.age
        return rng.choice(
            [f"this {n} (DOB {birth_year(case.age)})", f"a {n} born in {birth_year(case.age)}"]
        )
    return rng.choice([f"this {n}", f"a {n}"])


def shorthand_demo_en(case: Case, rng: random.Random) -> str:
    sx = {"male": "M", "female": "F", None: ""}[case.sex]
    if case.age_mode == "exact":
        return rng.choice(
            [
                f"{case.age}{sx}",
                f"{case.age} {sx}".strip(),
                f"{case.age}yo {sx}".strip(),
                f"{case.age} y/o {sx}".strip(),
            ]
        )
    if case.age_mode == "dob":
        return f"DOB {birth_year(case.age or 0)} {sx}".strip()
    if case.age_mode == "vague":
        return f"{sx or 'Pt'} in {decade_en(case.age or 0, rng)}"
    return {"M": "Male", "F": "Female", "": "Pt"}[sx]


def lesion_en(case: Case, rng: random.Random, lay: bool = False) -> str:
    what = rng.choice(
        ["a mole", "a spot", "a dark spot"]
        if lay
        else ["a pigmented lesion", "a skin lesion", "a mole", "a new lesion"]
    )
    return f"{what} {site_en(case, rng, lay=lay)}" if case.site else what


def exam_en(case: Case, rng: random.Random, subj: tuple[str, str]) -> list[str]:
    bits: list[str] = []
    where = f" {site_en(case, rng)}" if case.site and rng.random() < 0.6 else ""
    if case.diam:
        bits.append(
            rng.choice(
                ["{} pigmented lesion{}.", "Lesion measures {}{}.", "{} brown lesion{}."]
            ).format(size_en(case, rng), where)
        )
        where = ""
    elif where:
        bits.append(f"Pigmented lesion{where}.")
    if case.has("elevation"):
        bits.append(phrase_en(case, "elevation", "clin", rng, subj))
    bits.append(
        rng.choice(
            [
                "Asymmetric pigment network on dermoscopy.",
                "Irregular border.",
                "Regular pigment network.",
                "No regional lymphadenopathy.",
                "",
            ]
        )
    )
    return [b for b in bits if b]


# ---------------------------------------------------------------- English styles
def join(parts: list[str]) -> str:
    return " ".join(p for p in parts if p)


def duration_en(rng: random.Random) -> str:
    return rng.choice(
        [
            "for about a year",
            "for 6 months",
            "x 3/12",
            "for several years",
            "since last spring",
            "for 2 years",
        ]
    )


def en_gp_referral(case: Case, rng: random.Random) -> str:
    subj = subject_en(case, rng)
    title = {"male": "Mr", "female": rng.choice(["Mrs", "Ms"]), None: "Patient"}[case.sex]
    name = (
        f"{title} {rng.choice(SURNAMES)}" if case.sex else f"Patient ID {rng.randint(10000, 99999)}"
    )
    body = [
        f"I would be grateful if you could see {demo_en(case, rng)}, who has noticed "
        f"{lesion_en(case, rng)} {duration_en(rng)}."
    ]
    body += symptoms_en(case, rng, "clin", subj)
    if case.diam or case.has("elevation"):
        body.append("On examination:")
        body += exam_en(case, rng, subj)
    pmh = history_en(case, rng, "clin", subj)
    pmh_line = "PMHx: " + join([*pmh, rng.choice(["HTN.", "T2DM on metformin.", "Asthma."])])
    soc = social_en(case, rng, "clin", subj)
    fam = family_en(case, rng)
    tail = [pmh_line, "SHx: " + join(soc) if soc else "", join(fam), rng.choice(["NKDA.", ""])]
    return (
        f"Re: {name}\n\nDear colleague,\n\n{join(body)}\n\n"
        + "\n".join(t for t in tail if t)
        + f"\n\nKind regards,\n{rng.choice(DOCTORS)} (GP)"
    )


def en_clinic_letter(case: Case, rng: random.Random) -> str:
    subj = subject_en(case, rng)
    hist = [
        f"I saw {demo_en(case, rng)} in clinic today regarding {lesion_en(case, rng)}, "
        f"present {duration_en(rng)}."
    ]
    hist += symptoms_en(case, rng, "clin", subj)
    back = (
        history_en(case, rng, "clin", subj)
        + social_en(case, rng, "clin", subj)
        + family_en(case, rng)
    )
    exam = exam_en(case, rng, subj)
    sections = [("History", join(hist)), ("Background", join(back)), ("Examination", join(exam))]
    sections = [s for s in sections if s[1]]
    if rng.random() < 0.35:  # some consultants put the findings before the story
        sections.insert(0, sections.pop())
    impression = rng.choice(
        [
            "dysplastic naevus, excision advised.",
            "seborrhoeic keratosis - reassured.",
            "possible BCC; punch biopsy planned.",
            "query early melanoma, urgent excision booked.",
        ]
    )
    head = f"Dear {rng.choice(DOCTORS)},\n\nDiagnosis: {impression}\n\n"
    return (
        head + "\n\n".join(f"{k}: {v}" for k, v in sections) + "\n\nYours sincerely,\nDermatology"
    )


def en_shorthand(case: Case, rng: random.Random) -> str:
    subj = ("Pt", "pt")
    lines = [f"{shorthand_demo_en(case, rng)}. c/o {lesion_en(case, rng)} {duration_en(rng)}."]
    lines.append(join(symptoms_en(case, rng, "clin", subj)))
    pmh = history_en(case, rng, "clin", subj)
    lines.append("PMHx: " + join([*pmh, rng.choice(["HTN", "hypothyroid", "gout"]) + "."]))
    soc = social_en(case, rng, "clin", subj)
    if soc:
        lines.append("SHx: " + join(soc))
    fam = family_en(case, rng)
    if fam:
        lines.append(join(fam))
    lines.append(
        "O/E: " + join(exam_en(case, rng, subj)) if (case.diam or case.has("elevation")) else ""
    )
    lines.append(rng.choice(["Plan: dermoscopy photos, r/v 3/12.", "Plan: excise.", "Imp: ?BCC"]))
    if rng.random() < 0.4:
        lines.insert(2, "NKDA.")
    return "\n".join(x for x in lines if x)


def en_self_report(case: Case, rng: random.Random) -> str:
    subj = ("I", "I")
    intro = "Hi doctor,"
    if case.age_mode == "exact":
        who = {
            "male": f"I'm {article(case.age)} {case.age} year old man",
            "female": f"I'm {article(case.age)} {case.age}-year-old woman",
            None: f"I'm {case.age}",
        }[case.sex]
    elif case.age_mode == "vague":
        who = {"male": "I'm a man", "female": "I'm a woman", None: "I'm"}[case.sex] + (
            f" in my {decade_en(case.age or 0, rng)}"
        )
    else:
        who = {"male": "I'm a guy", "female": "I'm a woman", None: ""}[case.sex]
    parts = [intro, f"{who}." if who else ""]
    parts.append(f"I've got {lesion_en(case, rng, lay=True)} that I'm worried about.")
    parts += symptoms_en(case, rng, "lay", subj)
    if case.diam:
        parts.append(f"My GP measured it at {size_en(case, rng)}.")
    if case.has("elevation"):
        parts.append(phrase_en(case, "elevation", "lay", rng, subj))
    parts += history_en(case, rng, "lay", subj) + social_en(case, rng, "lay", subj)
    parts += family_en(case, rng, lay=True)
    parts.append(rng.choice(["Thanks.", "Should I be worried?", "Can someone take a look?"]))
    return join(parts)


ANSWER_EN = {
    PRESENT: ["Yes", "yes", "Y", "Yes, a bit"],
    ABSENT: ["No", "no", "N", "Never"],
    HEDGE: ["Not sure", "Don't know", "Unsure"],
}
QUESTION_EN = {
    "itch": "Does it itch?",
    "grew": "Has it got bigger?",
    "hurt": "Is it painful?",
    "changed": "Has the colour or shape changed?",
    "bleed": "Has it ever bled?",
    "elevation": "Is it raised above the skin?",
    "skin_cancer_history": "Have you had skin cancer before?",
    "cancer_history": "Any other cancer?",
    "smoke": "Do you smoke?",
    "drink": "Do you drink alcohol?",
}


def answer_en(case: Case, name: str, rng: random.Random) -> str:
    state = case.states[name]
    ans = rng.choice(ANSWER_EN[state])
    if name == "cancer_history" and state == PRESENT:
        ans = f"Yes - {rng.choice(CANCERS_EN[case.sex])}"
    if name == "smoke" and state == PRESENT and rng.random() < 0.5:
        ans = "Yes, 15 a day"
    if ans == "Yes, a bit" and name not in ("itch", "hurt", "grew"):
        ans = "Yes"
    if ans == "Never" and name not in ("bleed", "smoke", "drink", "skin_cancer_history"):
        ans = "No"
    return ans


def en_questionnaire(case: Case, rng: random.Random) -> str:
    lines = [
        rng.choice(["PATIENT QUESTIONNAIRE - skin lesion", "Pre-clinic form", "Mole check form"])
    ]
    if case.age_mode == "exact":
        lines.append(f"Age: {case.age}")
    elif case.age_mode == "dob":
        lines.append(f"Year of birth: {birth_year(case.age or 0)}")
    if case.sex:
        lines.append(f"Sex: {rng.choice([case.sex[0].upper(), case.sex.capitalize()])}")
    if case.site:
        lines.append(f"Where is the spot? {site_en(case, rng, lay=True)}")
    if case.diam:
        lines.append(f"Size if measured: {size_en(case, rng)}")
    names = [n for n in (*SYMPTOMS, *HISTORY) if case.has(n)]
    if rng.random() < 0.5:
        rng.shuffle(names)
    for n in names:
        q = QUESTION_EN[n]
        lines.append(
            rng.choice([f"{q} {answer_en(case, n, rng)}", f"Q: {q}\nA: {answer_en(case, n, rng)}"])
        )
    if case.family:
        lines.append("Family history: " + join(family_en(case, rng, lay=True)))
    return "\n".join(lines)


LABEL_EN = {
    "itch": ["Pruritus", "Itch"],
    "grew": ["Growth", "Enlarging"],
    "hurt": ["Pain", "Tenderness"],
    "changed": ["Colour/shape change", "Change"],
    "bleed": ["Bleeding", "Bled"],
    "elevation": ["Raised", "Elevation"],
    "skin_cancer_history": ["Prev. skin cancer", "Hx skin Ca"],
    "cancer_history": ["Other cancer", "Other malignancy"],
    "smoke": ["Smoker", "Smoking"],
    "drink": ["Alcohol", "EtOH"],
}
VALUE_EN = {
    PRESENT: ["yes", "present", "Y"],
    ABSENT: ["no", "absent", "denied", "N"],
    HEDGE: ["unsure", "unknown", "?"],
}


def value_en(case: Case, name: str, rng: random.Random) -> str:
    state = case.states[name]
    if name == "cancer_history" and state == PRESENT:
        return f"yes ({rng.choice(CANCERS_EN[case.sex])})"
    if name == "elevation":
        return rng.choice(
            {PRESENT: ["raised", "yes"], ABSENT: ["flat", "no"], HEDGE: ["unsure"]}[state]
        )
    return rng.choice(VALUE_EN[state])


def fact_rows_en(case: Case, rng: random.Random) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if case.age_mode == "exact":
        rows.append(("Age", rng.choice([f"{case.age}", f"{case.age} yrs", f"{case.age}y"])))
    elif case.age_mode == "dob":
        rows.append(("DOB", f"{birth_year(case.age or 0)}"))
    if case.sex:
        rows.append(("Sex", rng.choice([case.sex[0].upper(), case.sex])))
    if case.site:
        rows.append(("Site", site_en(case, rng, short=True)))
    if case.diam:
        rows.append(("Size", size_en(case, rng)))
    for n in (*SYMPTOMS, *HISTORY):
        if case.has(n):
            rows.append((rng.choice(LABEL_EN[n]), value_en(case, n, rng)))
    return rows


def en_table(case: Case, rng: random.Random) -> str:
    rows = fact_rows_en(case, rng)
    head = rng.choice(["Teledermatology referral", "Lesion summary", "Skin check - triage table"])
    table = "| Item | Finding |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
    fam = family_en(case, rng)
    return f"{head}\n\n{table}" + (f"\n\nFamily: {join(fam)}" if fam else "")


def en_bullets(case: Case, rng: random.Random) -> str:
    subj = subject_en(case, rng)
    demo = demo_en(case, rng)
    lines = [f"Patient: {demo[0].upper()}{demo[1:]}"]
    lines.append("Presenting complaint:")
    lines.append("- " + lesion_en(case, rng))
    lines += ["- " + s for s in symptoms_en(case, rng, "clin", subj)]
    ex = exam_en(case, rng, subj)
    if case.diam or case.has("elevation"):
        lines.append("Exam:")
        lines += ["- " + e for e in ex]
    bg = (
        history_en(case, rng, "clin", subj)
        + social_en(case, rng, "clin", subj)
        + family_en(case, rng)
    )
    if bg:
        lines.append("Background:")
        lines += ["* " + b for b in bg]
    return "\n".join(lines)


SIGN_EN = {PRESENT: ["+", "(+)", "yes"], ABSENT: ["-", "(-)", "neg"], HEDGE: ["?", "unsure"]}
ROS_EN = {
    "itch": "itch",
    "grew": "growth",
    "hurt": "pain",
    "changed": "colour change",
    "bleed": "bleeding",
}


def en_soap(case: Case, rng: random.Random) -> str:
    """SOAP shorthand; symptoms often as a review of systems with +/- marks."""
    subj = subject_en(case, rng)
    s_line = f"S: {shorthand_demo_en(case, rng)}, {lesion_en(case, rng)} {duration_en(rng)}."
    names = [n for n in ROS_EN if case.has(n)]
    if names and rng.random() < 0.6:
        s_line += (
            " ROS: "
            + ", ".join(f"{ROS_EN[n]} {rng.choice(SIGN_EN[case.states[n]])}" for n in names)
            + "."
        )
    else:
        s_line += " " + join(symptoms_en(case, rng, "clin", subj))
    hx = history_en(case, rng, "clin", subj) + social_en(case, rng, "clin", subj)
    lines = [s_line]
    if hx:
        lines.append("Hx: " + join(hx))
    fam = family_en(case, rng)
    if fam:
        lines.append(join(fam))
    exam = exam_en(case, rng, subj) if (case.diam or case.has("elevation")) else []
    lines.append("O: " + (join(exam) if exam else "dermoscopy images taken."))
    lines.append("A: " + rng.choice(["?dysplastic naevus", "?BCC", "SK vs naevus", "r/o melanoma"]))
    lines.append("P: " + rng.choice(["excision biopsy", "monitor, photos, r/v 3/12", "refer 2WW"]))
    return "\n".join(lines)


EN_STYLES = {
    "en_gp_referral": en_gp_referral,
    "en_clinic_letter": en_clinic_letter,
    "en_shorthand": en_shorthand,
    "en_self_report": en_self_report,
    "en_questionnaire": en_questionnaire,
    "en_table": en_table,
    "en_bullets": en_bullets,
    "en_soap": en_soap,
}


# ---------------------------------------------------------------- Chinese rendering
def phrase_zh(case: Case, name: str, reg: str, rng: random.Random) -> str:
    text = rng.choice(ZH[name][case.states[name]][reg])
    return text.replace("{ca}", rng.choice(CANCERS_ZH[case.sex])).replace(
        "{yr}", str(rng.randint(2005, 2022))
    )


def symptoms_zh(
    case: Case,
    rng: random.Random,
    reg: str,
    names: tuple[str, ...] = ("itch", "grew", "hurt", "changed", "bleed"),
) -> list[str]:
    todo = [n for n in names if case.has(n)]
    out: list[str] = []
    absent = [n for n in todo if case.states[n] == ABSENT and n in NOUN_ZH]
    if reg == "clin" and len(absent) >= 2 and rng.random() < 0.5:
        nouns = [NOUN_ZH[n] for n in absent]
        listed = "、".join(nouns[:-1]) + rng.choice(["及", "、", "和"]) + nouns[-1]
        out.append(rng.choice(["无", "否认", "未见"]) + listed)
        todo = [n for n in todo if n not in absent]
    neg = [n for n in todo if case.states[n] == ABSENT]
    pos = [n for n in todo if case.states[n] == PRESENT]
    if neg and pos and rng.random() < 0.6:
        a, b = rng.choice(neg), rng.choice(pos)
        out.append(
            phrase_zh(case, a, reg, rng)
            + rng.choice(["，但", "，但是", "，不过"])
            + phrase_zh(case, b, reg, rng)
        )
        todo = [n for n in todo if n not in (a, b)]
    out += [phrase_zh(case, n, reg, rng) for n in todo]
    rng.shuffle(out)
    return out


def history_zh(case: Case, rng: random.Random, reg: str) -> list[str]:
    sc, ca = case.states.get("skin_cancer_history"), case.states.get("cancer_history")
    if sc == ABSENT and ca == ABSENT and rng.random() < 0.5:
        return ["否认肿瘤病史（包括皮肤癌）" if reg == "clin" else "从没得过癌症，包括皮肤癌"]
    return [phrase_zh(case, n, reg, rng) for n in HISTORY[:2] if case.has(n)]


def social_zh(case: Case, rng: random.Random, reg: str) -> list[str]:
    sm, dr = case.states.get("smoke"), case.states.get("drink")
    if sm == ABSENT and dr == ABSENT and rng.random() < 0.5:
        return [rng.choice(["无烟酒嗜好", "否认吸烟饮酒史"]) if reg == "clin" else "烟酒都不沾"]
    return [phrase_zh(case, n, reg, rng) for n in HISTORY[2:] if case.has(n)]


def age_zh(case: Case, rng: random.Random) -> str:
    """The age as a clinician writes it after 男，/女，; empty when the note gives none."""
    a = case.age or 0
    if case.age_mode == "exact":
        return rng.choice([f"{a}岁", f"{cn_number(a)}岁", f"{a}周岁"])
    if case.age_mode == "vague":
        return rng.choice([f"{cn_number(a // 10 * 10)}多岁", f"{cn_number(a // 10 * 10)}余岁"])
    if case.age_mode == "dob":
        return f"{birth_year(a)}年出生"
    return ""


def sex_zh(case: Case, rng: random.Random) -> str:
    return {"male": rng.choice(["男", "男性"]), "female": rng.choice(["女", "女性"]), None: ""}[
        case.sex
    ]


def duration_zh(rng: random.Random) -> str:
    return rng.choice(["1年", "半年", "3个月", "数年", "2年余", "10余年"])


def lesion_zh(rng: random.Random) -> str:
    return rng.choice(["黑褐色皮损", "色素痣", "黑色斑点", "褐色皮疹"])


def exam_zh(case: Case, rng: random.Random) -> str:
    where = site_zh(case, rng) if case.site else "皮肤"
    size = size_zh(case, rng) if case.diam else ""
    bits = [f"{where}可见一{size}{rng.choice(['黑褐色皮损', '色素性皮疹', '褐色皮损'])}"]
    if case.has("elevation"):
        bits.append(phrase_zh(case, "elevation", "clin", rng))
    bits.append(rng.choice(["边界尚清", "边缘欠规则", "皮镜下见不典型色素网", "表面光滑"]))
    return "，".join(bits) + "。"


def clauses(items: list[str]) -> str:
    return "，".join(i for i in items if i) + "。" if any(items) else ""


def zh_menzhen(case: Case, rng: random.Random) -> str:
    head = ["门诊病历", "姓名：" + rng.choice(["张**", "李某", "王**", "陈某某"])]
    if case.sex:
        head.append("性别：" + sex_zh(case, rng))
    if case.age_mode == "exact":
        head.append(
            "年龄：" + rng.choice([f"{case.age}", f"{case.age}岁", f"{cn_number(case.age or 0)}岁"])
        )
    elif case.age_mode == "dob":
        head.append(f"出生年份：{birth_year(case.age or 0)}")
    where = site_zh(case, rng) if case.site else ""
    dur, lesion = duration_zh(rng), lesion_zh(rng)
    hpi = f"患者{'（' + age_zh(case, rng) + '）' if case.age_mode == 'vague' else ''}{dur}前无意中发现{where}一{lesion}"
    secs = [
        ("主诉", f"发现{where}{lesion}{dur}。"),
        (
            "现病史",
            clauses([hpi, *symptoms_zh(case, rng, "clin")])
            + rng.choice(["", "未予诊治。", "曾外用药膏，效果不佳。"]),
        ),
        (
            "既往史",
            clauses(
                [
                    *history_zh(case, rng, "clin"),
                    rng.choice(["高血压病史5年", "糖尿病病史3年", "否认药物过敏史"]),
                ]
            ),
        ),
        ("个人史", clauses(social_zh(case, rng, "clin"))),
        ("家族史", "".join(rng.choice(FAMILY_ZH[k]) for k in case.family)),
        (rng.choice(["查体", "专科检查", "皮肤科检查"]), exam_zh(case, rng)),
    ]
    secs = [s for s in secs if s[1]]
    if rng.random() < 0.3:  # exam written straight after the story
        secs.insert(2, secs.pop())
    sep = rng.choice(["：", ":"])
    return " ".join(head) + "\n" + "\n".join(f"{k}{sep}{v}" for k, v in secs)


BOX = [
    ("☑有 □无", "□有 ☑无", "□有 □无 ☑不详"),
    ("[√]有 [ ]无", "[ ]有 [√]无", "不详"),
    ("有（√） 无（ ）", "有（ ） 无（√）", "不确定"),
]
LABEL_ZH = {
    "itch": "瘙痒",
    "grew": "增大",
    "hurt": "疼痛",
    "changed": "颜色/形状改变",
    "bleed": "出血",
    "elevation": "隆起",
    "skin_cancer_history": "皮肤癌病史",
    "cancer_history": "其他肿瘤史",
    "smoke": "吸烟",
    "drink": "饮酒",
}


def zh_emr(case: Case, rng: random.Random) -> str:
    box = rng.choice(BOX)
    lines = ["【电子病历·皮肤科】"]
    info = []
    if case.sex:
        info.append("性别：" + sex_zh(case, rng))
    if case.age_mode == "exact":
        info.append("年龄：" + rng.choice([f"{case.age}岁", f"{case.age}"]))
    elif case.age_mode == "dob":
        info.append(f"出生：{birth_year(case.age or 0)}年")
    if info:
        lines.append("基本信息：" + "；".join(info))
    lines.append(f"主诉：{lesion_zh(rng)}{duration_zh(rng)}")
    if case.site:
        lines.append(f"皮损部位：{site_zh(case, rng)}")
    if case.diam:
        lines.append(f"皮损大小：{size_zh(case, rng)}")
    idx = {PRESENT: 0, ABSENT: 1, HEDGE: 2}
    for n in (*SYMPTOMS, *HISTORY):
        if case.has(n):
            mark = box[idx[case.states[n]]]
            if n == "cancer_history" and case.states[n] == PRESENT:
                mark += f"（{rng.choice(CANCERS_ZH[case.sex])}）"
            lines.append(f"{LABEL_ZH[n]}：{mark}")
    if case.family:
        lines.append("家族史：" + "".join(rng.choice(FAMILY_ZH[k]) for k in case.family))
    return "\n".join(lines)


QUESTION_ZH = {
    "itch": "痒不痒？",
    "grew": "最近有没有长大？",
    "hurt": "疼吗？",
    "changed": "颜色、形状有变化吗？",
    "bleed": "出过血没有？",
    "elevation": "是鼓起来的还是平的？",
    "skin_cancer_history": "以前得过皮肤癌吗？",
    "cancer_history": "得过其他肿瘤吗？",
    "smoke": "抽烟吗？",
    "drink": "喝酒吗？",
}


def zh_dialogue(case: Case, rng: random.Random) -> str:
    lines = ["【互联网医院·图文问诊】"]
    info = [
        x for x in (sex_zh(case, rng), age_zh(case, rng) if case.age_mode == "exact" else "") if x
    ]
    if info and rng.random() < 0.5:
        lines.append("患者信息：" + "，".join(info))
        info = []
    where = f"{site_zh(case, rng)}" if case.site else "身上"
    lines.append(
        f"患者：医生您好，我{where}长了个{rng.choice(['痣', '黑点', '小疙瘩'])}，想请您看看。"
    )
    if case.age_mode in ("exact", "vague", "dob") and (info or case.age_mode != "exact"):
        lines.append("医生：您好，请问您多大年纪？")
        a = case.age or 0
        ans = {
            "exact": rng.choice([f"{a}岁", f"今年{a}了", f"{cn_number(a)}"]),
            "vague": f"{cn_number(a // 10 * 10)}多了",
            "dob": f"我是{birth_year(a)}年的",
        }
        lines.append(
            "患者："
            + ans[case.age_mode or "exact"]
            + ({"male": "，男的", "female": "，女的", None: ""}[case.sex] if info else "")
        )
    elif info:
        lines.append("患者：我是" + {"male": "男的", "female": "女的"}[case.sex or "male"] + "。")
    if case.diam:
        lines.append("医生：有多大？")
        lines.append(f"患者：我量了一下，{size_zh(case, rng)}。")
    names = [n for n in (*SYMPTOMS, *HISTORY) if case.has(n)]
    for n in names:
        lines.append("医生：" + QUESTION_ZH[n])
        lines.append("患者：" + phrase_zh(case, n, "lay", rng) + "。")
    if case.family:
        lines.append("患者：对了，" + "".join(rng.choice(FAMILY_ZH_LAY[k]) for k in case.family))
    lines.append("医生：建议线下皮肤科就诊，做个皮肤镜检查。")
    return "\n".join(lines)


def zh_colloquial(case: Case, rng: random.Random) -> str:
    parts = []
    a = case.age or 0
    if case.age_mode == "exact":
        parts.append(rng.choice([f"我今年{a}岁", f"我{cn_number(a)}岁了", f"本人{a}岁"]))
    elif case.age_mode == "vague":
        parts.append(f"我{cn_number(a // 10 * 10)}多岁了")
    if case.sex:
        parts.append(
            {"male": rng.choice(["男的", "男"]), "female": rng.choice(["女的", "女"])}[case.sex]
        )
    where = site_zh(case, rng) if case.site else "身上"
    parts.append(f"{where}长了{rng.choice(['一颗痣', '个黑点', '一个小疙瘩'])}")
    if case.diam:
        parts.append("大概" + size_zh(case, rng).removeprefix("直径约").removeprefix("约"))
    parts += symptoms_zh(case, rng, "lay")
    if case.has("elevation"):
        parts.append(phrase_zh(case, "elevation", "lay", rng))
    text = clauses(parts)
    rest = history_zh(case, rng, "lay") + social_zh(case, rng, "lay")
    text += clauses(rest)
    text += "".join(rng.choice(FAMILY_ZH_LAY[k]) for k in case.family)
    return text + rng.choice(["想问问要不要紧？", "需要去医院吗？", "谢谢医生！"])


VALUE_ZH = {PRESENT: ["有", "是", "+"], ABSENT: ["无", "否", "-"], HEDGE: ["不详", "不确定"]}


def zh_table(case: Case, rng: random.Random) -> str:
    rows = []
    if case.age_mode == "exact":
        rows.append(("年龄", rng.choice([f"{case.age}岁", f"{case.age}"])))
    if case.sex:
        rows.append(("性别", sex_zh(case, rng)))
    if case.site:
        rows.append(("部位", site_zh(case, rng)))
    if case.diam:
        rows.append(("大小", size_zh(case, rng)))
    for n in (*SYMPTOMS, *HISTORY):
        if case.has(n):
            val = rng.choice(VALUE_ZH[case.states[n]])
            if n == "cancer_history" and case.states[n] == PRESENT:
                val = f"有（{rng.choice(CANCERS_ZH[case.sex])}）"
            rows.append((LABEL_ZH[n], val))
    body = "| 项目 | 内容 |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
    fam = "".join(rng.choice(FAMILY_ZH[k]) for k in case.family)
    return (
        rng.choice(["皮损登记表", "远程会诊资料", "体检皮肤科记录"])
        + "\n"
        + body
        + (f"\n备注：{fam}" if fam else "")
    )


def zh_referral(case: Case, rng: random.Random) -> str:
    who = "，".join(x for x in (sex_zh(case, rng), age_zh(case, rng)) if x)
    where = site_zh(case, rng) if case.site else ""
    parts = [
        f"转诊单\n转出单位：{rng.choice(['社区卫生服务中心', '镇卫生院', '体检中心'])}",
        f"患者{('，' + who) if who else ''}，因“{where}{lesion_zh(rng)}{duration_zh(rng)}”转诊。",
    ]
    parts.append(clauses(symptoms_zh(case, rng, rng.choice(["clin", "lay"]))))
    parts.append(
        exam_zh(case, rng) if (case.diam or case.has("elevation") or rng.random() < 0.5) else ""
    )
    bg = history_zh(case, rng, "clin") + social_zh(case, rng, "clin")
    if bg:
        parts.append("既往及个人史：" + clauses(bg))
    if case.family:
        parts.append("家族史：" + "".join(rng.choice(FAMILY_ZH[k]) for k in case.family))
    parts.append("转诊目的：排除恶性病变，请上级医院皮肤科会诊。")
    return "\n".join(p for p in parts if p)


ZH_STYLES = {
    "zh_menzhen": zh_menzhen,
    "zh_emr": zh_emr,
    "zh_dialogue": zh_dialogue,
    "zh_colloquial": zh_colloquial,
    "zh_table": zh_table,
    "zh_referral": zh_referral,
}


# ---------------------------------------------------------------- bank
def render(case: Case, lang: str, style: str, rng: random.Random) -> tuple[str, str]:
    if lang == "en":
        return style, EN_STYLES[style](case, rng)
    text = ZH_STYLES[style](case, rng)
    if rng.random() < 0.12:
        text, style = text.translate(TRAD), style + "+trad"
    if rng.random() < 0.25:
        text, style = text.translate(FULLWIDTH), style + "+fullwidth"
    return style, text


def build(n_per_lang: int = N_PER_LANG, seed: int = SEED) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for lang, styles in (("en", list(EN_STYLES)), ("zh", list(ZH_STYLES))):
        for i in range(n_per_lang):
            case = sample_case(rng)
            style, note = render(case, lang, styles[i % len(styles)], rng)
            rows.append(
                {
                    "id": f"h-{lang}-{i:04d}",
                    "lang": lang,
                    "style": style,
                    "note": note,
                    "facts": case.truth(),
                }
            )
    return rows


def main() -> None:
    rows = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} notes to {OUT}")


if __name__ == "__main__":
    main()
