"""Blind held-out wording bank j for the note reader (issue 16).

A seventh author, written without reading the reader or the earlier banks: voice
dictation, pre-operative assessments, Mohs referrals, full skin checks with an index
lesion, occupational-health forms, pharmacist notes, chat messages, 体检报告,
家庭医生随访, 语音转文字 with homophone slips. Truth follows the index lesion only;
a hedged or undecidable fact is left out.

Usage: python scripts/unseen_bank_j.py [--n 200] [--out tests/data/unseen_notes_j.jsonl]
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from pathlib import Path

SEED = 20261204
BINARY = (
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
)
SYMPTOMS = ("itch", "grew", "hurt", "changed", "bleed")
HISTORY = ("skin_cancer_history", "cancer_history", "smoke", "drink")

# Lay and clinical words for each site key of skinmm/data/notes.py.
SITE_EN: dict[str, list[str]] = {
    "abdomen": ["abdomen", "tummy", "belly", "abdominal wall", "periumbilical skin"],
    "arm": ["upper arm", "L upper arm", "R upper arm", "arm"],
    "back": ["back", "upper back", "skin between the shoulder blades", "lower back"],
    "chest": ["chest", "front of the chest", "anterior chest wall"],
    "ear": ["ear", "skin behind the ear", "helix of the ear", "ear lobe"],
    "face": ["face", "cheek", "forehead", "temple", "chin"],
    "foot": ["foot", "top of the foot", "dorsum of the foot"],
    "forearm": ["forearm", "inner forearm", "L forearm"],
    "hand": ["hand", "back of the hand", "dorsum of the R hand"],
    "lip": ["lip", "lower lip", "upper lip"],
    "lower extremity": ["shin", "lower leg", "calf", "R shin"],
    "neck": ["neck", "side of the neck", "nape of the neck"],
    "nose": ["nose", "nasal tip", "side of the nose", "nasal ala"],
    "scalp": ["scalp", "crown of the scalp"],
    "thigh": ["thigh", "front of the thigh", "inner thigh"],
    "trunk": ["trunk", "flank", "side of the torso"],
}
SITE_ZH: dict[str, list[str]] = {
    "abdomen": ["腹部", "肚子上", "肚皮上", "脐周"],
    "arm": ["上臂", "左上臂", "大臂"],
    "back": ["背部", "后背", "背上", "肩胛间区"],
    "chest": ["胸部", "胸口", "前胸"],
    "ear": ["耳部", "耳后", "耳朵上", "耳廓"],
    "face": ["面部", "脸上", "面颊", "额头"],
    "foot": ["足部", "脚背", "足背"],
    "forearm": ["前臂", "小臂", "右前臂"],
    "hand": ["手部", "手背", "左手背"],
    "lip": ["唇部", "下唇", "嘴唇上"],
    "lower extremity": ["下肢", "小腿", "胫前", "左小腿"],
    "neck": ["颈部", "脖子上", "颈侧"],
    "nose": ["鼻部", "鼻尖", "鼻翼"],
    "scalp": ["头皮", "头顶"],
    "thigh": ["大腿", "右大腿", "大腿内侧"],
    "trunk": ["躯干"],
}

# Clinician sentences (c), lay first-person sentences (l), form items (i), dictation (d).
EN: dict[str, dict[str, dict[str, list[str]]]] = {
    "itch": {
        "present": {
            "c": ["Reports intermittent itch.", "c/o pruritus.", "Lesion is pruritic."],
            "l": ["It's been itchy on and off.", "It itches, mostly at night."],
            "i": ["Itch: yes", "Pruritus: +", "Itchy - Y"],
            "d": ["it has been itchy on and off"],
        },
        "absent": {
            "c": ["Denies itch.", "No pruritus.", "Negative for itch.", "Itch nil."],
            "l": ["It doesn't itch.", "It has never itched."],
            "i": ["Itch: no", "Pruritus: -", "Itchy - N", "Itch: nil"],
            "d": ["no itch at all"],
        },
    },
    "grew": {
        "present": {
            "c": [
                "Has enlarged over the last few months.",
                "Pt reports it is getting bigger.",
                "Increasing in size since spring.",
            ],
            "l": [
                "My mole got bigger.",
                "It was the size of a pinhead, now it's more like a pea.",
                "It's definitely grown this year.",
            ],
            "i": ["Growing: yes", "Increase in size: Y", "Enlarging: +"],
            "d": ["it has been getting bigger"],
        },
        "absent": {
            "c": ["No increase in size.", "Not enlarging.", "Size stable per pt."],
            "l": ["It hasn't got any bigger.", "It's stayed the same size for years."],
            "i": ["Growing: no", "Increase in size: N", "Enlarging: -"],
            "d": ["it has not got any bigger"],
        },
    },
    "hurt": {
        "present": {
            "c": ["Tender.", "Reports pain at the site.", "c/o soreness."],
            "l": ["It hurts when I touch it.", "It's sore."],
            "i": ["Pain: yes", "Tender: Y", "Painful: +"],
            "d": ["it is sore to touch"],
        },
        "absent": {
            "c": ["Non-tender.", "Denies pain.", "Not painful."],
            "l": ["It doesn't hurt.", "It's never been sore."],
            "i": ["Pain: no", "Tender: N", "Painful: -"],
            "d": ["no pain"],
        },
    },
    "changed": {
        "present": {
            "c": ["Has darkened recently.", "Pt notes a change in colour and shape."],
            "l": ["It's gone darker and a funny shape.", "The colour has changed."],
            "i": ["Change in colour/shape: yes", "Colour change: Y"],
            "d": ["the colour has changed"],
        },
        "absent": {
            "c": ["No change in colour or shape.", "Colour and shape unchanged."],
            "l": ["The colour hasn't changed.", "It looks the same colour as ever."],
            "i": ["Change in colour/shape: no", "Colour change: N"],
            "d": ["no change in the colour or shape"],
        },
    },
    "bleed": {
        "present": {
            "c": [
                "Episodes of bleeding.",
                "Oozing blood intermittently.",
                "Bled last month, since crusted over.",
                "Surface crusted with blood.",
            ],
            "l": [
                "It bleeds if I catch it.",
                "I've noticed spotting of blood on my shirt from it.",
                "It bled a couple of weeks ago.",
            ],
            "i": ["Bleeding: yes", "Bleeding: Y", "Bleeds: +"],
            "d": ["it has bled a few times"],
        },
        "absent": {
            "c": ["No bleeding.", "Denies bleeding.", "Has never bled."],
            "l": ["It's never bled.", "No blood from it ever."],
            "i": ["Bleeding: no", "Bleeding: N", "Bleeds: -"],
            "d": ["it has never bled"],
        },
    },
    "elevation": {
        "present": {
            "c": ["Raised lesion.", "Palpable and elevated.", "Lesion is papular."],
            "l": ["It sticks up from the skin.", "I can feel a bump."],
            "i": ["Raised: yes", "Elevated: Y"],
            "d": ["it is raised"],
        },
        "absent": {
            "c": ["Flat, macular.", "Not raised.", "Flat to palpation."],
            "l": ["It's completely flat.", "I can't feel it, it's flat."],
            "i": ["Raised: no", "Elevated: N"],
            "d": ["it is flat"],
        },
    },
    "skin_cancer_history": {
        "present": {
            "c": ["PMHx: BCC excised 2019.", "Hx of melanoma (2015).", "s/p SCC excision."],
            "l": ["I had a skin cancer removed before.", "I've had a BCC cut out."],
            "i": ["Previous skin cancer: yes", "Hx skin ca: Y"],
            "d": ["previous basal cell carcinoma removed"],
        },
        "absent": {
            "c": ["No personal hx of skin cancer.", "Never had skin cancer."],
            "l": ["I've never had skin cancer.", "No skin cancers before."],
            "i": ["Previous skin cancer: no", "Hx skin ca: N"],
            "d": ["no previous skin cancer"],
        },
    },
    "cancer_history": {
        "present": {
            "c": ["PMHx: {ca} (treated).", "s/p treatment for {ca}."],
            "l": ["I had {ca} a few years ago."],
            "i": ["Other cancer: yes ({ca})", "Hx other ca: Y - {ca}"],
            "d": ["treated for {ca} in the past"],
        },
        "absent": {
            "c": ["No hx of internal malignancy.", "No other cancers."],
            "l": ["I've never had any other cancer."],
            "i": ["Other cancer: no", "Hx other ca: N"],
            "d": ["no other cancers"],
        },
    },
    "smoke": {
        "present": {
            "c": ["Smoker, 10/day.", "Current smoker.", "Smokes ~20 pack-years."],
            "l": ["I smoke.", "I smoke about ten a day."],
            "i": ["Smoker: yes", "Tobacco: current"],
            "d": ["smokes ten a day"],
        },
        "absent": {
            "c": ["Non-smoker.", "Never smoked.", "Denies tobacco."],
            "l": ["I don't smoke.", "Never smoked."],
            "i": ["Smoker: no", "Tobacco: never"],
            "d": ["never smoked"],
        },
    },
    "drink": {
        "present": {
            "c": ["Drinks socially.", "EtOH ~10 units/wk.", "Alcohol: a few beers at weekends."],
            "l": ["I have a glass of wine most evenings.", "I drink at weekends."],
            "i": ["Alcohol: yes", "EtOH: Y"],
            "d": ["drinks a few beers at the weekend"],
        },
        "absent": {
            "c": ["Teetotal.", "No alcohol.", "Does not drink."],
            "l": ["I don't drink.", "I never drink alcohol."],
            "i": ["Alcohol: no", "EtOH: nil"],
            "d": ["does not drink"],
        },
    },
}
ZH: dict[str, dict[str, dict[str, list[str]]]] = {
    "itch": {
        "present": {
            "c": ["伴瘙痒", "时有瘙痒", "自觉瘙痒"],
            "l": ["有点痒", "时不时会痒", "晚上痒得厉害"],
            "i": ["瘙痒：有", "瘙痒：+", "痒：是"],
        },
        "absent": {
            "c": ["无瘙痒", "否认瘙痒", "无痒感"],
            "l": ["不痒", "从来没痒过", "一点都不痒"],
            "i": ["瘙痒：无", "瘙痒：-", "痒：否"],
        },
    },
    "grew": {
        "present": {
            "c": ["皮损逐渐增大", "近半年明显增大", "较前增大"],
            "l": ["长大了", "以前针尖那么大，现在有黄豆大了", "比以前大了不少"],
            "i": ["增大：有", "近期增大：是"],
        },
        "absent": {
            "c": ["大小无明显变化", "未见增大", "无增大"],
            "l": ["没有变大", "一直这么大，没长"],
            "i": ["增大：无", "近期增大：否"],
        },
    },
    "hurt": {
        "present": {
            "c": ["伴疼痛", "有压痛", "自觉疼痛"],
            "l": ["碰到会疼", "有点疼", "按着疼"],
            "i": ["疼痛：有", "疼痛：+"],
        },
        "absent": {
            "c": ["无疼痛", "无压痛", "否认疼痛"],
            "l": ["不疼", "不痛", "从来没疼过"],
            "i": ["疼痛：无", "疼痛：-"],
        },
    },
    "changed": {
        "present": {
            "c": ["颜色较前加深、形态变得不规则", "颜色及形态有改变"],
            "l": ["颜色变深了，形状也变了", "颜色变了"],
            "i": ["颜色/形态改变：有", "变色：是"],
        },
        "absent": {
            "c": ["颜色形态无改变", "色泽形态未见变化"],
            "l": ["颜色没变", "颜色形状都跟原来一样"],
            "i": ["颜色/形态改变：无", "变色：否"],
        },
    },
    "bleed": {
        "present": {
            "c": ["表面有渗血", "偶有出血", "表面结血痂，曾出血"],
            "l": ["一碰就流血", "流过血", "衣服上蹭到过血"],
            "i": ["出血：有", "出血：+"],
        },
        "absent": {
            "c": ["无出血", "未出血", "否认出血"],
            "l": ["没有流过血", "从没出过血"],
            "i": ["出血：无", "出血：-"],
        },
    },
    "elevation": {
        "present": {
            "c": ["皮损隆起", "高出皮面", "触之隆起"],
            "l": ["摸着是凸起来的", "鼓起来一块"],
            "i": ["隆起：是", "高出皮面：是"],
        },
        "absent": {
            "c": ["皮损平坦", "不高出皮面", "触之平坦"],
            "l": ["摸着是平的", "平的，没鼓起来"],
            "i": ["隆起：否", "高出皮面：否"],
        },
    },
    "skin_cancer_history": {
        "present": {
            "c": ["既往基底细胞癌切除史", "有黑色素瘤病史", "既往鳞癌术后"],
            "l": ["以前得过皮肤癌", "之前切过一个皮肤癌"],
            "i": ["皮肤癌史：有", "既往皮肤肿瘤：是"],
        },
        "absent": {
            "c": ["否认皮肤癌病史", "既往无皮肤肿瘤史"],
            "l": ["以前没得过皮肤癌", "没有皮肤癌"],
            "i": ["皮肤癌史：无", "既往皮肤肿瘤：否"],
        },
    },
    "cancer_history": {
        "present": {
            "c": ["既往{ca}病史", "{ca}术后"],
            "l": ["以前得过{ca}"],
            "i": ["其他肿瘤史：有（{ca}）"],
        },
        "absent": {
            "c": ["否认其他恶性肿瘤病史", "无内脏肿瘤史"],
            "l": ["没得过别的癌"],
            "i": ["其他肿瘤史：无"],
        },
    },
    "smoke": {
        "present": {
            "c": ["吸烟20余年，每日10支", "有吸烟史", "吸烟"],
            "l": ["我抽烟", "每天抽半包烟"],
            "i": ["吸烟：是", "吸烟：有"],
        },
        "absent": {
            "c": ["否认吸烟", "不吸烟", "从不吸烟"],
            "l": ["我不抽烟", "从来不抽烟"],
            "i": ["吸烟：否", "吸烟：无"],
        },
    },
    "drink": {
        "present": {
            "c": ["饮酒", "偶有饮酒", "每周饮酒2-3次"],
            "l": ["平时喝点酒", "周末喝啤酒"],
            "i": ["饮酒：是", "饮酒：有"],
        },
        "absent": {
            "c": ["否认饮酒", "不饮酒", "滴酒不沾"],
            "l": ["我不喝酒", "从来不喝酒"],
            "i": ["饮酒：否", "饮酒：无"],
        },
    },
}
CA_EN = {"female": ["breast cancer", "cervical cancer"], "male": ["prostate cancer"]}
CA_EN_ANY = ["colon cancer", "thyroid cancer", "lymphoma"]
CA_ZH = {"female": ["乳腺癌", "宫颈癌"], "male": ["前列腺癌"]}
CA_ZH_ANY = ["结肠癌", "甲状腺癌", "淋巴瘤"]

# Short forms for one-sentence scoped negations: "no itching but has bled".
NEG_EN = {
    "itch": "no itching",
    "grew": "no growth",
    "hurt": "no pain",
    "changed": "no colour change",
    "bleed": "no bleeding",
}
POS_EN = {
    "itch": "it is itchy",
    "grew": "it has grown",
    "hurt": "it is tender",
    "changed": "it has changed colour",
    "bleed": "it has bled",
}
NOUN_EN = {
    "itch": "itch",
    "grew": "growth",
    "hurt": "pain",
    "changed": "colour change",
    "bleed": "bleeding",
}
NOUN_ZH = {"itch": "瘙痒", "grew": "增大", "hurt": "疼痛", "changed": "变色", "bleed": "出血"}
HEDGE_EN = {
    "itch": ["?slight itch - pt unsure.", "Not sure whether it itches."],
    "grew": ["Unsure if it has grown.", "Pt cannot say whether it is bigger."],
    "hurt": ["Possibly a little tender? equivocal."],
    "changed": ["May have changed colour, pt not certain."],
    "bleed": ["Can't remember if it ever bled."],
}
HEDGE_ZH = {
    "itch": ["好像有点痒又说不清", "痒不痒自己说不清楚"],
    "grew": ["不确定有没有长大", "说不清是否增大"],
    "hurt": ["疼不疼说不准"],
    "changed": ["颜色有没有变不太确定"],
    "bleed": ["不记得有没有出过血"],
}
FAMILY_EN = [
    "FHx: mother had melanoma.",
    "Father died of lung cancer.",
    "Family history: sister treated for BCC.",
    "Partner smokes.",
]
FAMILY_ZH = ["母亲有黑色素瘤病史", "父亲肺癌去世", "家族中姐姐患过基底细胞癌", "家人吸烟"]
OTHER_LESIONS_EN = [
    "seborrhoeic keratosis on the {s}, 6 mm, itchy",
    "benign naevus on the {s}, 3 mm, flat",
    "cherry angioma on the {s}, bled once",
    "actinic keratosis on the {s}, scaly, sore",
]
OTHER_LESIONS_ZH = [
    "{s}脂溢性角化，约6mm，痒",
    "{s}良性色素痣，3mm，平坦",
    "{s}樱桃状血管瘤，曾出血",
    "{s}日光性角化，有鳞屑，疼",
]
UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ZH_DIGITS = "零一二三四五六七八九"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
TRAD = str.maketrans(
    "痒长过没发现无个岁诊体变颜烟饮头颈脸脚肤块边门医术吗点经厘续样说话时间问况",
    "癢長過沒發現無個歲診體變顏煙飲頭頸臉腳膚塊邊門醫術嗎點經釐續樣說話時間問況",
)
# Speech-recognition homophone slips a reader can still resolve from context.
HOMOPHONES = [
    ("痒", "养"),
    ("流过血", "流过雪"),
    ("变大", "便大"),
    ("不疼", "不藤"),
    ("抽烟", "抽胭"),
]


def en_words(n: int) -> str:
    """Spell an integer 0-99 in English words, as a dictation transcript would."""
    if n < 20:
        return UNITS[n]
    tens, unit = divmod(n, 10)
    return TENS[tens] + ("" if unit == 0 else "-" + UNITS[unit])


def zh_words(n: int) -> str:
    """Spell an integer 0-99 in Chinese numerals (五十八)."""
    if n < 10:
        return ZH_DIGITS[n]
    tens, unit = divmod(n, 10)
    head = "十" if tens == 1 else ZH_DIGITS[tens] + "十"
    return head + ("" if unit == 0 else ZH_DIGITS[unit])


def sample_facts(rng: random.Random) -> dict:
    """Draw the truth for one note; each fact may be unmentioned."""
    facts: dict = {}
    if rng.random() < 0.8:
        facts["age"] = rng.randint(19, 89)
    if rng.random() < 0.8:
        facts["sex"] = rng.choice(["male", "female"])
    if rng.random() < 0.93:
        facts["site"] = rng.choice(sorted(SITE_EN))
    if rng.random() < 0.65:
        facts["diameter_mm"] = float(rng.choice([3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 18, 20, 25]))
    for name in BINARY:
        if rng.random() < (0.6 if name in SYMPTOMS or name == "elevation" else 0.45):
            facts[name] = "present" if rng.random() < 0.5 else "absent"
    return facts


class Writer:
    """Renders one note's facts in one register, tracking which facts were written."""

    def __init__(self, rng: random.Random, facts: dict, lang: str) -> None:
        self.rng, self.facts, self.lang = rng, facts, lang
        self.bank = EN if lang == "en" else ZH
        sex = facts.get("sex")
        pool = (CA_EN if lang == "en" else CA_ZH).get(sex, []) + (
            CA_EN_ANY if lang == "en" else CA_ZH_ANY
        )
        self.ca = rng.choice(pool)

    def fact(self, name: str, reg: str) -> str:
        """One phrase for a binary fact in register reg ('' when not mentioned)."""
        value = self.facts.get(name)
        if value is None:
            return ""
        forms = self.bank[name][value]
        options = forms.get(reg) or forms["c"]
        return self.rng.choice(options).replace("{ca}", self.ca)

    def hedges(self) -> list[str]:
        """Hedged mentions of symptoms the truth leaves out."""
        pool = HEDGE_EN if self.lang == "en" else HEDGE_ZH
        out = []
        for name in SYMPTOMS:
            if name not in self.facts and self.rng.random() < 0.25:
                out.append(self.rng.choice(pool[name]))
        return out

    def site(self) -> str:
        key = self.facts.get("site")
        if key is None:
            return ""
        return self.rng.choice((SITE_EN if self.lang == "en" else SITE_ZH)[key])

    def size(self, spoken: bool = False) -> str:
        mm = self.facts.get("diameter_mm")
        if mm is None:
            return ""
        mm_i = int(mm)
        small = max(2, mm_i - self.rng.randint(1, 3))
        r = self.rng.randint(0, 5)
        if self.lang == "en":
            if spoken:
                if mm_i >= 10 and mm_i % 10 and r < 3:
                    return f"{en_words(mm_i // 10)} point {en_words(mm_i % 10)} centimetres"
                return f"{en_words(mm_i)} millimetres"
            return [
                f"{mm_i} mm",
                f"{mm_i}mm",
                f"{mm_i / 10:g} cm",
                f"{mm_i}x{small}mm",
                f"{small} x {mm_i} mm",
                f"{mm_i / 10:g}cm x {small / 10:g}cm",
            ][r]
        if spoken:
            return f"{zh_words(mm_i)}毫米"
        return [
            f"直径约{mm_i}mm",
            f"约{mm_i / 10:g}厘米",
            f"{mm_i}×{small}mm",
            f"大小约{small}mm×{mm_i}mm",
            f"{mm_i}毫米",
            f"约{mm_i / 10:g}cm×{small / 10:g}cm",
        ][r]

    def who_en(self, spoken: bool = False) -> str:
        """Age and sex as a clinician writes them; neutral words when sex is unknown."""
        age, sex = self.facts.get("age"), self.facts.get("sex")
        rng = self.rng
        noun = {
            "male": rng.choice(["man", "gentleman", "male"]),
            "female": rng.choice(["woman", "lady", "female"]),
        }.get(sex, rng.choice(["patient", "pt"]))
        if spoken:
            return f"{en_words(age)} year old {noun}" if age else noun
        if age is None:
            extra = rng.choice(["", f" ({rng.choice(['DOB 1961', 'DOB 14/03/1958'])})"])
            if sex and rng.random() < 0.4:
                return f"a {noun} in {'her' if sex == 'female' else 'his'} {rng.choice(['50s', '60s', '70s'])}"
            return f"this {noun}{extra}"
        letter = {"male": "M", "female": "F"}.get(sex, "")
        return rng.choice(
            [
                f"{age}yo {letter}".strip() if letter else f"{age}yo pt",
                f"{'an' if age in (8, 11, 18) or 80 <= age < 90 else 'a'} {age}-year-old {noun}",
                f"{age} y/o {noun}",
                f"{noun}, aged {age}",
                f"{age} yo {noun}",
            ]
        )

    def who_zh(self, spoken: bool = False) -> str:
        age, sex = self.facts.get("age"), self.facts.get("sex")
        rng = self.rng
        sx = {"male": rng.choice(["男", "男性"]), "female": rng.choice(["女", "女性"])}.get(sex, "")
        if spoken:
            a = f"{zh_words(age)}岁" if age else ""
            return f"{sx}{'，' if sx and a else ''}{a}" or "患者"
        if age is None:
            a = rng.choice(["", "，1961年出生"]) if not sex else rng.choice(["", "，六十多岁"])
            return f"患者{sx}{a}" if sx else f"患者{a}"
        a = rng.choice([f"{age}岁", f"{zh_words(age)}岁", f"{age}周岁"])
        return f"患者{sx}，{a}" if sx else f"患者，{a}"


def items_en(w: Writer, names: tuple[str, ...], reg: str) -> list[str]:
    """Phrases for several facts; sometimes fuses a negative and a positive symptom."""
    out: list[str] = []
    names = list(names)
    neg = [n for n in names if n in SYMPTOMS and w.facts.get(n) == "absent"]
    pos = [n for n in names if n in SYMPTOMS and w.facts.get(n) == "present"]
    if reg in ("c", "l") and neg and pos and w.rng.random() < 0.5:
        a, b = neg[0], pos[0]
        out.append(f"{NEG_EN[a].capitalize()} but {POS_EN[b]}.")
        names.remove(a)
        names.remove(b)
    elif reg == "c" and len(neg) >= 2 and w.rng.random() < 0.5:
        nouns = [NOUN_EN[n] for n in neg]
        out.append(f"Denies {', '.join(nouns[:-1])} or {nouns[-1]}.")
        for n in neg:
            names.remove(n)
    for n in names:
        phrase = w.fact(n, reg)
        if phrase:
            out.append(phrase)
    return out


def items_zh(w: Writer, names: tuple[str, ...], reg: str) -> list[str]:
    out: list[str] = []
    names = list(names)
    neg = [n for n in names if n in SYMPTOMS and w.facts.get(n) == "absent"]
    pos = [n for n in names if n in SYMPTOMS and w.facts.get(n) == "present"]
    if reg in ("c", "l") and neg and pos and w.rng.random() < 0.5:
        a, b = neg[0], pos[0]
        out.append(f"{w.fact(a, 'l')}，但{w.fact(b, 'l')}")
        names.remove(a)
        names.remove(b)
    elif reg == "c" and len(neg) >= 2 and w.rng.random() < 0.5:
        out.append("无" + "、".join(NOUN_ZH[n] for n in neg))
        for n in neg:
            names.remove(n)
    for n in names:
        phrase = w.fact(n, reg)
        if phrase:
            out.append(phrase)
    return out


def family_en(w: Writer) -> str:
    return w.rng.choice(FAMILY_EN) if w.rng.random() < 0.35 else ""


def family_zh(w: Writer) -> str:
    return w.rng.choice(FAMILY_ZH) if w.rng.random() < 0.35 else ""


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def sent(parts: list[str]) -> str:
    return " ".join(p for p in parts if p)


# ---------------------------------------------------------------- English styles


def en_letter(w: Writer) -> str:
    site, size = w.site(), w.size()
    lesion = (
        "a pigmented lesion"
        + (f" on the {site}" if site else "")
        + (f" measuring {size}" if size else "")
    )
    body = [
        f"Dear Dr {w.rng.choice(['Patel', 'Okafor', 'Lindqvist', 'Morgan'])},",
        f"Thank you for seeing {w.who_en()}, who c/o {lesion}.",
    ]
    body += items_en(w, SYMPTOMS, "c") + w.hedges()
    if w.facts.get("elevation"):
        body.append("On examination: " + w.fact("elevation", "c"))
    hist = items_en(w, HISTORY, "c")
    if hist or w.rng.random() < 0.5:
        body.append("PMHx/SHx: " + " ".join([*hist, "NKDA."]))
    body.append(family_en(w))
    body.append("Kind regards,")
    return sent(body)


def en_gp_referral(w: Writer) -> str:
    site, size = w.site(), w.size()
    head = f"GP referral - 2WW skin. Re: {w.who_en()}."
    lesion = (
        w.rng.choice(["Mole of concern", "Pigmented lesion", "Skin lesion"])
        + (f", {site}" if site else "")
        + (f", approx {size}" if size else "")
        + "."
    )
    rest = items_en(w, (*SYMPTOMS, "elevation"), "c") + w.hedges()
    hist = items_en(w, HISTORY, "c")
    return sent(
        [
            head,
            lesion,
            *rest,
            "Background:" if hist else "",
            *hist,
            family_en(w),
            "Please assess. Many thanks.",
        ]
    )


def en_clinic(w: Writer) -> str:
    site, size = w.site(), w.size()
    hx = ["HISTORY:", f"{cap(w.who_en())} seen in derm clinic."]
    hx += items_en(w, ("itch", "grew", "hurt", "changed", "bleed"), "c") + w.hedges()
    hx += [*items_en(w, HISTORY, "c"), family_en(w)]
    ex = ["EXAMINATION:"]
    if site or size:
        ex.append("Lesion" + (f" on {site}" if site else "") + (f", {size}" if size else "") + ".")
    ex.append(w.fact("elevation", "c"))
    ex.append("Dermoscopy: see images.")
    parts = [sent(hx), sent(ex)] if w.rng.random() < 0.7 else [sent(ex), sent(hx)]
    return "\n".join(parts)


def en_self_report(w: Writer) -> str:
    age, sex = w.facts.get("age"), w.facts.get("sex")
    gender = {"male": "a man", "female": "a woman"}.get(sex, "")
    me = "I'm " + ", ".join(x for x in (str(age) if age else "", gender) if x)
    site, size = w.site(), w.size()
    spot = (
        "I have a mole"
        + (f" on my {site}" if site else "")
        + (f", about {size} across" if size else "")
        + "."
    )
    out = [me + "." if me != "I'm " else "", spot]
    out += items_en(w, (*SYMPTOMS, "elevation"), "l") + w.hedges()
    out += items_en(w, HISTORY, "l")
    out.append("My mum had a melanoma, which is why I'm worried." if w.rng.random() < 0.3 else "")
    return sent(out)


def en_qa(w: Writer) -> str:
    f = w.facts
    rows: list[str] = []
    if "age" in f:
        rows.append(f"Q: How old are you? A: {f['age']}")
    if "sex" in f:
        rows.append(
            f"Q: Sex? A: {w.rng.choice(['M', 'Male']) if f['sex'] == 'male' else w.rng.choice(['F', 'Female'])}"
        )
    if "site" in f:
        rows.append(f"Q: Where is the spot? A: {w.site()}")
    if "diameter_mm" in f:
        rows.append(f"Q: How big is it? A: {w.size()}")
    qs = {
        "itch": "Does it itch?",
        "grew": "Has it got bigger?",
        "hurt": "Is it painful?",
        "changed": "Has the colour or shape changed?",
        "bleed": "Has it bled?",
        "elevation": "Is it raised?",
        "skin_cancer_history": "Have you had skin cancer before?",
        "cancer_history": "Any other cancer in the past?",
        "smoke": "Do you smoke?",
        "drink": "Do you drink alcohol?",
    }
    for n in BINARY:
        if n in f:
            yes = w.rng.choice(["Yes", "yes", "Y"]) if n != "cancer_history" else f"Yes, {w.ca}"
            no = w.rng.choice(["No", "no", "N", "Never"])
            rows.append(f"Q: {qs[n]} A: {yes if f[n] == 'present' else no}")
    w.rng.shuffle(rows)
    return "\n".join(["Pre-consultation questionnaire", *rows])


def en_table(w: Writer) -> str:
    f = w.facts
    lines = ["| Item | Finding |", "|---|---|"]
    if "age" in f:
        lines.append(f"| Age | {f['age']} |")
    if "sex" in f:
        lines.append(f"| Sex | {'M' if f['sex'] == 'male' else 'F'} |")
    if "site" in f:
        lines.append(f"| Site | {w.site()} |")
    if "diameter_mm" in f:
        lines.append(f"| Size | {w.size()} |")
    for it in items_en(w, BINARY, "i"):
        k, _, v = it.replace(" - ", ": ").partition(": ")
        lines.append(f"| {k} | {v} |")
    return "\n".join(lines)


def en_dictation(w: Writer) -> str:
    f = w.facts
    words = [
        "dictation begins",
        f"this is {'an' if w.facts.get('age', 0) in (8, 11, 18) or 80 <= w.facts.get('age', 0) < 90 else 'a'} {w.who_en(spoken=True)}",
    ]
    if "site" in f:
        words.append(f"with a lesion on the {w.site()}")
    if "diameter_mm" in f:
        words.append(f"measuring {w.size(spoken=True)}")
    words.append("full stop")
    for n in BINARY:
        if n in f:
            words.append(w.fact(n, "d") + " full stop")
    words.append("end of dictation")
    return " ".join(words).replace("  ", " ")


def en_preop(w: Writer) -> str:
    site, size = w.site(), w.size()
    out = [f"PRE-OPERATIVE ASSESSMENT. {cap(w.who_en())} listed for excision"]
    out[0] += (f" of lesion on {site}" if site else "") + (f" ({size})" if size else "") + "."
    out.append("Airway/cardioresp: NAD. NKDA. Anticoagulants: none.")
    out += items_en(w, HISTORY, "c")
    out += ["Lesion history:", *items_en(w, (*SYMPTOMS, "elevation"), "c"), *w.hedges()]
    out.append(family_en(w))
    return sent(out)


def en_mohs(w: Writer) -> str:
    site, size = w.site(), w.size()
    out = ["Referral for Mohs micrographic surgery / wide local excision."]
    out.append(f"Pt: {w.who_en()}.")
    if site or size:
        out.append(
            "Index lesion"
            + (f": {site}" if site else "")
            + (f", {size}" if size else "")
            + ", for excision, clinically suspicious."
        )
    out += ["Features:"] + [f"- {x}" for x in items_en(w, (*SYMPTOMS, "elevation"), "c")]
    out += [f"- {x}" for x in items_en(w, HISTORY, "c")]
    return "\n".join(x for x in out if x)


def en_skin_check(w: Writer) -> str:
    keys = sorted(SITE_EN)
    others = [k for k in keys if k != w.facts.get("site")]
    out = [f"Full skin examination - {w.who_en()}."]
    out.append("Lesions:")
    idx = w.rng.randint(1, 3)
    n_lesions = w.rng.randint(max(2, idx), 4)
    for i in range(1, n_lesions + 1):
        if i == idx:
            site, size = w.site(), w.size()
            desc = (
                "pigmented lesion" + (f" on {site}" if site else "") + (f", {size}" if size else "")
            )
            feats = items_en(w, (*SYMPTOMS, "elevation"), "c")
            out.append(f"{i}. ** INDEX ** {desc}. " + " ".join(feats))
        else:
            s = SITE_EN[w.rng.choice(others)][0]
            out.append(f"{i}. {w.rng.choice(OTHER_LESIONS_EN).format(s=s)} - no action.")
    out.append("Plan: dermoscopy + photo of the index lesion only.")
    out += items_en(w, HISTORY, "c")
    return "\n".join(x for x in out if x)


def en_occupational(w: Writer) -> str:
    f = w.facts
    out = ["OCCUPATIONAL HEALTH - outdoor worker skin surveillance form"]
    if "age" in f:
        out.append(f"Age: {f['age']}")
    if "sex" in f:
        out.append(f"Gender: {f['sex'].capitalize()}")
    out.append("Job: groundskeeper, 20 yrs outdoors")
    if "site" in f or "diameter_mm" in f:
        out.append("Lesion of concern: " + ", ".join(x for x in (w.site(), w.size()) if x))
    out += items_en(w, BINARY, "i")
    return "\n".join(out)


def en_pharmacist(w: Writer) -> str:
    site, size = w.site(), w.size()
    out = [f"Pharmacy consultation note. {cap(w.who_en())} asked about a cream for a spot"]
    out[0] += (f" on the {site}" if site else "") + "."
    if size:
        out.append(f"Measured roughly {size}.")
    out += items_en(w, (*SYMPTOMS, "elevation"), "c") + w.hedges()
    out += items_en(w, HISTORY, "c")
    out.append("Advised not to self-treat; signposted to GP for assessment.")
    return sent(out)


def en_text_msg(w: Writer) -> str:
    f = w.facts
    lines = ["hi doc 👋", "quick q about a mole"]
    if "site" in f:
        lines.append(f"its on my {w.site()}")
    if "diameter_mm" in f:
        lines.append(f"measured it {w.size()}")
    if "age" in f:
        lines.append(f"im {f['age']} btw")
    if "sex" in f:
        lines.append("im a guy" if f["sex"] == "male" else "im a woman")
    for it in items_en(w, (*SYMPTOMS, "elevation", *HISTORY), "l"):
        lines.append(it.rstrip(".").lower().replace("it's", "its").replace("i've", "ive"))
    lines.append(w.rng.choice(["😟", "🙏 thx", "should i worry?? 😬"]))
    return "\n".join(lines)


def en_bullets(w: Writer) -> str:
    site, size = w.site(), w.size()
    out = [f"* {w.who_en()}"]
    if site or size:
        out.append("* Lesion: " + ", ".join(x for x in (site, size) if x))
    out += [f"* {x}" for x in items_en(w, (*SYMPTOMS, "elevation"), "c") + w.hedges()]
    out += [f"* {x}" for x in items_en(w, HISTORY, "c")]
    fam = family_en(w)
    if fam:
        out.append(f"* {fam}")
    return "\n".join(out)


# ---------------------------------------------------------------- Chinese styles


def zh_join(parts: list[str], sep: str = "，") -> str:
    return sep.join(p for p in parts if p)


def zh_outpatient(w: Writer) -> str:
    site, size = w.site(), w.size()
    cc = f"主诉：{site or ''}{'黑痣' if site else '皮肤肿物'}{w.rng.choice(['2年', '半年', '3个月'])}。"
    now = "现病史：" + (zh_join(items_zh(w, SYMPTOMS, "c") + w.hedges()) or "发现皮损，来诊") + "。"
    past = (
        "既往史："
        + (zh_join(items_zh(w, ("skin_cancer_history", "cancer_history"), "c")) or "体健")
        + "。"
    )
    pers = "个人史：" + (zh_join(items_zh(w, ("smoke", "drink"), "c")) or "无特殊") + "。"
    fam = family_zh(w)
    exam = (
        "查体："
        + (
            zh_join([f"{site}可见一色素性皮损" if site else "", size, w.fact("elevation", "c")])
            or "见附图"
        )
        + "。"
    )
    sections = [now, past, pers] + ([f"家族史：{fam}。"] if fam else [])
    if w.rng.random() < 0.4:
        w.rng.shuffle(sections)
    head = w.who_zh() + "。"
    return "\n".join([head, cc, *sections, exam])


def zh_emr(w: Writer) -> str:
    f = w.facts
    out = ["【电子病历】"]
    if "age" in f:
        out.append(f"【年龄】{w.rng.choice([str(f['age']), str(f['age']) + '岁'])}")
    if "sex" in f:
        out.append(f"【性别】{'男' if f['sex'] == 'male' else '女'}")
    if "site" in f:
        out.append(f"【部位】{w.site()}")
    if "diameter_mm" in f:
        out.append(f"【大小】{w.size()}")
    out += [f"【{k}】{v}" for k, _, v in (x.partition("：") for x in items_zh(w, BINARY, "i"))]
    return "\n".join(out)


def zh_dialogue(w: Writer) -> str:
    f = w.facts
    lines = ["医生：您好，请问哪里不舒服？"]
    site = w.site()
    lines.append(f"患者：{site + '长了个痣' if site else '身上长了个痣'}，想问问要不要紧。")
    if "age" in f or "sex" in f:
        lines.append("医生：您多大年纪？")
        sx = {"male": "男的", "female": "女的"}.get(f.get("sex"), "")
        lines.append("患者：" + zh_join([f"{f['age']}岁" if "age" in f else "", sx]) + "。")
    if "diameter_mm" in f:
        lines.append(f"医生：多大？患者：量了一下{w.size()}。")
    for it in items_zh(w, (*SYMPTOMS, "elevation"), "l") + w.hedges():
        lines.append(f"患者：{it}。")
    for it in items_zh(w, HISTORY, "l"):
        lines.append(f"患者：{it}。")
    fam = family_zh(w)
    if fam:
        lines.append(f"患者：对了，{fam}。")
    lines.append("医生：建议线下皮肤科面诊，做皮肤镜检查。")
    return "\n".join(lines)


def zh_colloquial(w: Writer) -> str:
    f = w.facts
    site, size = w.site(), w.size()
    who = zh_join(
        [
            f"我今年{f['age']}岁" if "age" in f else "",
            {"male": "男", "female": "女"}.get(f.get("sex"), ""),
        ]
    )
    out = [who, f"{site}有颗痣" if site else "身上有颗痣", f"大概{size}" if size else ""]
    out += items_zh(w, (*SYMPTOMS, "elevation"), "l") + w.hedges() + items_zh(w, HISTORY, "l")
    return zh_join(out) + "。"


def zh_checkup(w: Writer) -> str:
    f = w.facts
    head = "体检报告 皮肤科检查：" + zh_join(
        [
            f"年龄{f['age']}岁" if "age" in f else "",
            {"male": "男", "female": "女"}.get(f.get("sex"), ""),
        ]
    )
    finding = "所见：" + zh_join(
        [
            f"{w.site()}见一色素痣" if "site" in f else "见一色素痣",
            w.size(),
            w.fact("elevation", "c"),
        ]
    )
    ask = "询问：" + (zh_join(items_zh(w, SYMPTOMS, "c") + w.hedges()) or "—")
    hist = zh_join(items_zh(w, HISTORY, "c"))
    return "\n".join(
        x
        for x in [
            head,
            finding + "。",
            ask + "。",
            (hist + "。") if hist else "",
            "建议：皮肤科专科随诊。",
        ]
        if x
    )


def zh_family_doctor(w: Writer) -> str:
    f = w.facts
    out = ["家庭医生签约服务随访记录", "随访方式：入户"]
    out.append("服务对象：" + w.who_zh().replace("患者", "居民"))
    out.append(
        "本次随访：居民诉"
        + zh_join([f"{w.site()}黑痣" if "site" in f else "黑痣", w.size()])
        + "。"
    )
    out.append(
        "症状：" + (zh_join(items_zh(w, (*SYMPTOMS, "elevation"), "c")) or "（未记录）") + "。"
    )
    hist = zh_join(items_zh(w, HISTORY, "c"))
    if hist:
        out.append(f"生活方式/病史：{hist}。")
    out.append("处理：转诊上级医院皮肤科。")
    return "\n".join(out)


def zh_voice(w: Writer) -> str:
    f = w.facts
    out = ["语音转文字", w.who_zh(spoken=True)]
    if "site" in f:
        out.append(f"{w.site()}有个痣")
    if "diameter_mm" in f:
        out.append(f"大概{w.size(spoken=True)}")
    out += items_zh(w, BINARY, "l")
    text = " ".join(out)
    for a, b in HOMOPHONES:
        if w.rng.random() < 0.7:
            text = text.replace(a, b)
    return text


def zh_wechat(w: Writer) -> str:
    f = w.facts
    lines = ["医生在吗🙏"]
    if "site" in f:
        lines.append(f"我{w.site()}有颗痣")
    if "diameter_mm" in f:
        lines.append(f"{w.size()}吧")
    if "age" in f:
        lines.append(f"我{f['age']}了")
    if "sex" in f:
        lines.append("男生" if f["sex"] == "male" else "女生")
    lines += items_zh(w, (*SYMPTOMS, "elevation", *HISTORY), "l")
    lines.append(w.rng.choice(["😭😭", "要紧吗？？", "谢谢医生🌹"]))
    return "\n".join(lines)


def zh_preop(w: Writer) -> str:
    out = ["术前评估", w.who_zh() + "，拟行皮损切除术。"]
    out.append(
        "手术部位：" + zh_join([w.site(), w.size()])
        if ("site" in w.facts or "diameter_mm" in w.facts)
        else ""
    )
    out.append(
        "既往史/个人史：" + (zh_join(items_zh(w, HISTORY, "c")) or "无特殊") + "；无药物过敏。"
    )
    out.append(
        "皮损情况："
        + (zh_join(items_zh(w, (*SYMPTOMS, "elevation"), "c") + w.hedges()) or "—")
        + "。"
    )
    return "\n".join(x for x in out if x)


def zh_referral(w: Writer) -> str:
    out = ["转诊单（Mohs显微描记手术）", w.who_zh() + "。"]
    if "site" in w.facts or "diameter_mm" in w.facts:
        out.append("目标皮损：" + zh_join([w.site(), w.size()]) + "，临床考虑恶性可能。")
    out += [f"· {x}" for x in items_zh(w, (*SYMPTOMS, "elevation"), "c")]
    out += [f"· {x}" for x in items_zh(w, HISTORY, "c")]
    fam = family_zh(w)
    if fam:
        out.append(f"· 家族史：{fam}")
    return "\n".join(out)


def zh_skin_check(w: Writer) -> str:
    others = [k for k in sorted(SITE_ZH) if k != w.facts.get("site")]
    out = ["全身皮肤检查", w.who_zh() + "。"]
    idx = w.rng.randint(1, 3)
    for i in range(1, max(idx, w.rng.randint(2, 4)) + 1):
        if i == idx:
            desc = zh_join(
                [w.site(), "色素性皮损", w.size(), *items_zh(w, (*SYMPTOMS, "elevation"), "c")]
            )
            out.append(f"{i}.【目标皮损】{desc}")
        else:
            out.append(
                f"{i}. {w.rng.choice(OTHER_LESIONS_ZH).format(s=SITE_ZH[w.rng.choice(others)][0])}，暂观察"
            )
    hist = zh_join(items_zh(w, HISTORY, "c"))
    if hist:
        out.append(f"病史：{hist}。")
    out.append("仅对目标皮损行皮肤镜检查。")
    return "\n".join(out)


def zh_pharmacist(w: Writer) -> str:
    out = [
        "药师咨询记录："
        + w.who_zh()
        + "，来药店咨询"
        + (f"{w.site()}" if "site" in w.facts else "")
        + "黑痣能否用药。"
    ]
    if "diameter_mm" in w.facts:
        out.append(f"目测{w.size()}。")
    out.append(
        zh_join(items_zh(w, (*SYMPTOMS, "elevation"), "c") + w.hedges() + items_zh(w, HISTORY, "c"))
        + "。"
    )
    out.append("建议到医院皮肤科就诊，未予用药。")
    return "".join(x for x in out if x != "。")


EN_STYLES: dict[str, Callable[[Writer], str]] = {
    "letter": en_letter,
    "gp_referral": en_gp_referral,
    "derm_clinic": en_clinic,
    "self_report": en_self_report,
    "qa_form": en_qa,
    "yes_no_table": en_table,
    "dictation": en_dictation,
    "preop": en_preop,
    "mohs_referral": en_mohs,
    "skin_check": en_skin_check,
    "occupational": en_occupational,
    "pharmacist": en_pharmacist,
    "text_message": en_text_msg,
    "bullets": en_bullets,
}
ZH_STYLES: dict[str, Callable[[Writer], str]] = {
    "outpatient": zh_outpatient,
    "emr": zh_emr,
    "online_dialogue": zh_dialogue,
    "colloquial": zh_colloquial,
    "checkup_report": zh_checkup,
    "family_doctor": zh_family_doctor,
    "voice_asr": zh_voice,
    "wechat": zh_wechat,
    "preop": zh_preop,
    "mohs_referral": zh_referral,
    "skin_check": zh_skin_check,
    "pharmacist": zh_pharmacist,
}


def make_note(rng: random.Random, lang: str, i: int) -> dict:
    facts = sample_facts(rng)
    styles = EN_STYLES if lang == "en" else ZH_STYLES
    name = sorted(styles)[i % len(styles)]
    text = styles[name](Writer(rng, facts, lang))
    if lang == "zh":
        if rng.random() < 0.15:
            text = text.translate(FULLWIDTH)
            name += "+fullwidth"
        if rng.random() < 0.12:
            text = text.translate(TRAD)
            name += "+traditional"
    return {"id": f"j-{lang}-{i:04d}", "lang": lang, "style": name, "note": text, "facts": facts}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=200, help="notes per language")
    ap.add_argument("--out", type=Path, default=Path("tests/data/unseen_notes_j.jsonl"))
    args = ap.parse_args()
    rng = random.Random(SEED)
    rows = [make_note(rng, lang, i) for lang in ("en", "zh") for i in range(args.n)]
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} notes to {args.out}")


if __name__ == "__main__":
    main()
