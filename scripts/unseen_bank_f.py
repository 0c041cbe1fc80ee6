"""Held-out wording bank f for the note reader: notes written the way clinicians and patients write.

Blind bank: written without reading the reader, its training templates or banks a-e. Each line of
tests/data/unseen_notes_f.jsonl is one note with the truth of every fact it states:
    python scripts/unseen_bank_f.py tests/data/unseen_notes_f.jsonl

Conventions of the truth (issue 16 names and values):
- a fact the note does not state is left out; so is a fact the note only guesses at ("not sure
  whether it has bled", "?growth", "不确定有没有长大"): those names are listed under
  ``uncertain`` so a scorer can see the hedge was deliberate;
- facts said of a relative (FHx of melanoma, a father who smokes) are not the patient's;
- ``skin_cancer_history`` is the patient's own skin cancer; ``cancer_history`` any other cancer
  of the patient; "no cancer of any kind, skin included" makes both absent;
- ``grew`` is size only, ``changed`` colour or shape only; a bleed or growth that has stopped
  is still present (the lesion has bled / has grown);
- ``diameter_mm`` is the largest stated dimension of the lesion today, in mm.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SEED = 20261130
N_PER_LANG = 200

SYMPTOMS = ("itch", "hurt", "bleed", "grew", "changed")
HISTORY = ("skin_cancer_history", "cancer_history", "smoke", "drink")

# Canonical site key (skinmm/data/notes.py) -> clinical English phrases, lay English phrases.
SITE_EN: dict[str, tuple[list[str], list[str]]] = {
    "abdomen": (
        ["abdomen", "periumbilical abdomen", "lower abdomen", "anterior abdominal wall"],
        ["my tummy", "my belly"],
    ),
    "acral": (["acral skin", "acral site"], []),
    "arm": (["upper arm", "arm", "lateral upper arm"], ["my upper arm", "my arm"]),
    "back": (
        ["back", "upper back", "lower back", "mid back", "interscapular back"],
        ["my back", "my upper back", "my lower back"],
    ),
    "chest": (["chest", "anterior chest", "presternal chest", "upper chest"], ["my chest"]),
    "ear": (["ear", "helix of the ear", "ear lobe", "pinna"], ["my ear", "my earlobe"]),
    "face": (
        ["face", "cheek", "forehead", "temple", "chin", "malar cheek"],
        ["my face", "my cheek", "my forehead", "my chin"],
    ),
    "foot": (["foot", "dorsum of the foot", "dorsal foot"], ["my foot", "the top of my foot"]),
    "forearm": (["forearm", "volar forearm", "dorsal forearm"], ["my forearm"]),
    "genital": (["genital area", "genital skin"], ["my genital area"]),
    "hand": (
        ["hand", "dorsum of the hand", "back of the hand"],
        ["my hand", "the back of my hand"],
    ),
    "lip": (
        ["lip", "upper lip", "lower lip", "vermilion of the lower lip"],
        ["my lip", "my lower lip"],
    ),
    "lower extremity": (
        ["lower leg", "shin", "calf", "lower limb", "leg"],
        ["my shin", "my calf", "my leg", "my lower leg"],
    ),
    "neck": (
        ["neck", "posterior neck", "side of the neck", "nape of the neck"],
        ["my neck", "the back of my neck"],
    ),
    "nose": (
        ["nose", "nasal tip", "nasal ala", "bridge of the nose", "nasal sidewall"],
        ["my nose", "the side of my nose", "the tip of my nose"],
    ),
    "scalp": (
        ["scalp", "vertex of the scalp", "occipital scalp"],
        ["my scalp", "the top of my head"],
    ),
    "thigh": (["thigh", "anterior thigh", "posterior thigh", "medial thigh"], ["my thigh"]),
    "trunk": (["trunk", "torso"], ["my torso"]),
    "upper extremity": (["upper limb", "upper extremity"], []),
}
GENITAL_EN = {"female": ["vulva", "labium majus"], "male": ["scrotum", "penile shaft"]}
PAIRED_EN = {
    "upper arm",
    "arm",
    "lateral upper arm",
    "forearm",
    "volar forearm",
    "hand",
    "dorsal forearm",
    "foot",
    "dorsal foot",
    "thigh",
    "anterior thigh",
    "lower leg",
    "shin",
    "calf",
    "lower limb",
    "leg",
    "upper limb",
    "ear",
    "cheek",
    "temple",
}

# Canonical site key -> record-style Chinese, colloquial Chinese.
SITE_ZH: dict[str, tuple[list[str], list[str]]] = {
    "abdomen": (["腹部", "脐周", "左下腹", "右上腹"], ["肚子上", "肚皮上"]),
    "acral": (["肢端"], []),
    "arm": (["上臂", "左上臂", "右上臂"], ["大臂上", "上臂"]),
    "back": (["背部", "后背", "肩胛间区", "腰背部"], ["后背", "背上"]),
    "chest": (["胸部", "前胸", "胸前"], ["胸口", "胸前"]),
    "ear": (["耳部", "耳廓", "左耳垂", "右耳廓"], ["耳朵上", "耳垂上"]),
    "face": (["面部", "面颊", "额部", "颧部", "左颊部"], ["脸上", "脸颊上", "额头上"]),
    "foot": (["足部", "足背", "右足背"], ["脚背上", "脚上"]),
    "forearm": (["前臂", "左前臂", "右前臂伸侧"], ["小臂上", "小手臂上"]),
    "genital": (["外生殖器", "生殖器部位"], ["私处"]),
    "hand": (["手部", "手背", "左手背"], ["手背上", "手上"]),
    "lip": (["唇部", "下唇", "上唇"], ["嘴唇上", "下嘴唇上"]),
    "lower extremity": (["下肢", "小腿", "胫前", "左小腿"], ["小腿上"]),
    "neck": (["颈部", "颈后", "左侧颈部"], ["脖子上", "脖子后面"]),
    "nose": (["鼻部", "鼻尖", "鼻翼", "鼻背"], ["鼻子上", "鼻头上"]),
    "scalp": (["头皮", "头顶部头皮"], ["头皮上", "头顶上"]),
    "thigh": (["大腿", "左大腿内侧"], ["大腿上"]),
    "trunk": (["躯干"], []),
    "upper extremity": (["上肢"], []),
}
GENITAL_ZH = {"female": ["外阴", "大阴唇"], "male": ["阴囊", "阴茎"]}

# Per symptom, English: predicate of "it" if present / absent, noun for "denies X", terse tokens,
# lay sentences, a question and a form label.
EN_SYM: dict[str, dict[str, list[str]]] = {
    "itch": {
        "pos": [
            "has been itchy",
            "has been intermittently itchy",
            "is pruritic",
            "itches on and off",
            "has been mildly itchy",
        ],
        "neg": ["is not itchy", "does not itch", "has never itched"],
        "noun": ["itching", "pruritus", "itch"],
        "tpos": ["+itch", "itchy", "pruritic", "itch+", "c/o itch"],
        "tneg": ["no itch", "nil itch", "itch -", "non-pruritic", "not itchy"],
        "lpos": [
            "It's been itchy on and off.",
            "It itches, mostly at night.",
            "It gets a bit itchy sometimes.",
        ],
        "lneg": ["It doesn't itch.", "It has never been itchy.", "No itching at all."],
        "q": ["Does it itch?", "Is it itchy?"],
        "form": ["Itching", "Itch", "Pruritus"],
    },
    "hurt": {
        "pos": ["is tender", "has been sore", "is painful to touch", "has been slightly painful"],
        "neg": ["is not painful", "is non-tender", "does not hurt"],
        "noun": ["pain", "tenderness", "soreness"],
        "tpos": ["tender", "+pain", "painful", "sore"],
        "tneg": ["no pain", "non-tender", "pain -", "painless", "nil pain"],
        "lpos": [
            "It hurts when I touch it.",
            "It's sore.",
            "It's a bit painful when my clothes rub on it.",
        ],
        "lneg": ["It doesn't hurt at all.", "There's no pain.", "It's not sore."],
        "q": ["Is it painful?", "Does it hurt?"],
        "form": ["Pain", "Tenderness"],
    },
    "bleed": {
        "pos": [
            "has bled",
            "bled twice last month, with none since",
            "has bled spontaneously",
            "bleeds when caught on clothing",
        ],
        "neg": ["has never bled", "has not bled"],
        "noun": ["bleeding", "spontaneous bleeding"],
        "tpos": ["+bleeding", "bled x2", "bleeds on contact", "hx bleeding (settled)"],
        "tneg": ["no bleeding", "nil bleeding", "no bleed", "bleeding -", "never bled"],
        "lpos": [
            "It bled a few weeks ago but it's stopped now.",
            "It has bled onto my shirt a couple of times.",
            "It bled once when I caught it with the razor.",
        ],
        "lneg": ["It's never bled.", "It hasn't bled.", "No bleeding."],
        "q": ["Has it bled?", "Any bleeding?"],
        "form": ["Bleeding", "Bleed"],
    },
    "grew": {
        "pos": [
            "has increased in size",
            "has been getting bigger",
            "has enlarged",
            "grew over the spring and has stayed that size since",
        ],
        "neg": ["has not grown", "has not increased in size", "has stayed the same size"],
        "noun": ["growth", "enlargement", "increase in size"],
        "tpos": ["growing", "enlarging", "↑ in size", "getting bigger"],
        "tneg": ["not growing", "size stable", "no enlargement", "no increase in size"],
        "lpos": [
            "My mole got bigger.",
            "It's definitely larger than it was last summer.",
            "It's grown.",
        ],
        "lneg": ["It hasn't grown.", "It's stayed the same size."],
        "q": ["Has it grown?", "Has it got bigger?"],
        "form": ["Growth", "Enlarging"],
    },
    "changed": {
        "pos": [
            "has changed colour",
            "has become darker and more irregular in shape",
            "has changed in colour and shape",
            "has darkened",
        ],
        "neg": ["has not changed colour or shape", "shows no change in colour or shape"],
        "noun": ["change in colour or shape", "colour change"],
        "tpos": ["changing colour", "colour change", "darker", "shape change"],
        "tneg": ["no colour change", "no change in colour/shape"],
        "lpos": [
            "It's gone darker.",
            "The colour has changed, it's patchy now.",
            "It looks different to how it used to, darker and a funny shape.",
        ],
        "lneg": ["The colour and shape haven't changed.", "It looks the same as it always has."],
        "q": ["Has it changed colour or shape?", "Any change in colour or shape?"],
        "form": ["Colour/shape change", "Change in colour or shape"],
    },
}

ZH_SYM: dict[str, dict[str, list[str]]] = {
    "itch": {
        "pos": ["瘙痒", "时有瘙痒", "偶有瘙痒"],
        "neg": ["无瘙痒", "否认瘙痒", "不痒"],
        "noun": ["瘙痒"],
        "cpos": ["有点痒", "时不时会痒", "有时候痒"],
        "cneg": ["不痒", "一点都不痒"],
        "form": ["瘙痒"],
        "q": ["痒不痒？", "会痒吗？"],
    },
    "hurt": {
        "pos": ["疼痛", "轻压痛", "触痛"],
        "neg": ["无疼痛", "否认疼痛", "无触痛"],
        "noun": ["疼痛"],
        "cpos": ["有点疼", "碰到会疼"],
        "cneg": ["不疼", "不痛"],
        "form": ["疼痛"],
        "q": ["疼不疼？", "会痛吗？"],
    },
    "bleed": {
        "pos": ["曾有出血", "出血1次", "有破溃出血史"],
        "neg": ["无出血", "未出血", "否认出血"],
        "noun": ["出血"],
        "cpos": ["流过血", "上个月出过一次血，现在好了"],
        "cneg": ["没流过血", "没出过血"],
        "form": ["出血"],
        "q": ["出过血吗？", "流过血没有？"],
    },
    "grew": {
        "pos": ["逐渐增大", "近期增大", "较前增大"],
        "neg": ["未见增大", "无增大", "大小稳定"],
        "noun": ["增大"],
        "cpos": ["长大了", "比以前大了", "越长越大"],
        "cneg": ["没长大", "一直没变大"],
        "form": ["增大"],
        "q": ["最近长大了吗？", "有没有变大？"],
    },
    "changed": {
        "pos": ["颜色加深", "颜色加深、形状不规则", "颜色及形态改变"],
        "neg": ["颜色形态无改变", "颜色、形状未见变化"],
        "noun": ["颜色形态改变"],
        "cpos": ["颜色变深了", "变黑了，形状也不规则了"],
        "cneg": ["颜色形状都没变"],
        "form": ["颜色/形态改变"],
        "q": ["颜色、形状有变化吗？"],
    },
}

EN_UNCERTAIN = {
    "itch": ["?itch", "unsure whether it itches", "possibly itchy, pt not certain"],
    "hurt": ["?tender", "not sure whether it is painful"],
    "bleed": ["?bleeding", "possibly bled, pt unsure", "cannot say whether it has bled"],
    "grew": ["?growth", "not sure if it has grown", "may have enlarged (pt unsure)"],
    "changed": ["?colour change", "unsure whether the colour has changed"],
}
ZH_UNCERTAIN = {
    "itch": ["是否瘙痒不详", "不确定痒不痒"],
    "hurt": ["是否疼痛不详"],
    "bleed": ["不确定有没有出过血", "出血情况不详"],
    "grew": ["不确定有没有长大", "是否增大不详"],
    "changed": ["颜色是否改变不详"],
}

CANCERS_EN = {
    "female": [
        "breast ca (2014, s/p lumpectomy + RT)",
        "cervical cancer treated in 2010",
        "ovarian ca 2016",
        "breast cancer in 2009",
    ],
    "male": [
        "prostate ca on active surveillance",
        "prostate cancer s/p prostatectomy 2017",
        "testicular cancer treated in 2005",
    ],
    "any": [
        "colon ca s/p hemicolectomy 2016",
        "thyroid cancer treated 2012",
        "Hodgkin lymphoma, in remission",
        "bladder cancer 2018",
    ],
}
CANCERS_ZH = {
    "female": ["乳腺癌术后", "宫颈癌（2010年已治疗）", "卵巢癌术后", "乳腺癌放化疗后"],
    "male": ["前列腺癌术后", "前列腺癌随访中", "睾丸癌（2005年已治疗）"],
    "any": ["结肠癌术后", "甲状腺癌术后", "淋巴瘤化疗后缓解", "膀胱癌电切术后"],
}
SKIN_CA_EN = [
    "Hx of BCC",
    "s/p excision of BCC 2019",
    "previous melanoma (excised 2015)",
    "SCC excised 2020",
    "history of basal cell carcinoma",
    "treated for a melanoma in 2012",
]
SKIN_CA_ZH = [
    "基底细胞癌切除术后",
    "2018年曾行鳞状细胞癌切除",
    "黑色素瘤病史（已切除）",
    "既往皮肤癌手术史",
]
FHX_EN = [
    "FHx: mother had melanoma.",
    "Family history of melanoma (father).",
    "Sister had a BCC removed.",
    "FHx: father - bowel cancer.",
    "FHx of skin cancer in a brother.",
    "Father smoked heavily.",
    "FHx: melanoma in maternal aunt, aged 52.",
]
FHX_LAY = [
    "My mum had melanoma.",
    "My dad had a skin cancer removed.",
    "My brother smokes like a chimney.",
    "My grandmother had skin cancer.",
]
FHX_ZH = [
    "母亲有黑色素瘤病史",
    "父亲患过皮肤癌",
    "姐姐患乳腺癌",
    "父亲长期吸烟",
    "舅舅有皮肤癌病史",
    "家族中无类似疾病",
]
FHX_ZH_COL = ["我妈得过黑色素瘤。", "我爸以前得过皮肤癌。", "我哥天天抽烟喝酒。"]
OTHER_PMHX = [
    "HTN",
    "T2DM",
    "asthma",
    "hypothyroidism",
    "GORD",
    "AF on apixaban",
    "hypercholesterolaemia",
    "OA knees",
]
OTHER_PMHX_ZH = ["高血压", "2型糖尿病", "哮喘", "甲状腺功能减退", "冠心病", "慢性胃炎"]
DOCTORS = ["Patel", "Nguyen", "O'Brien", "Schmidt", "Okafor", "Rossi", "Kowalski", "Lindqvist"]
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts"]
ZH_SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"]

TRAD = str.maketrans(
    "痒长岁过这个后现无发变红肿医颈脸头脚术烟饮为说时点没吗还从来样经诊检体肤径约厘与触颜"
    "历况确见规则较乱疗随访缓齿腹胸鼻耳唇背处带问题疼",
    "癢長歲過這個後現無發變紅腫醫頸臉頭腳術煙飲為說時點沒嗎還從來樣經診檢體膚徑約釐與觸顏"
    "歷況確見規則較亂療隨訪緩齒腹胸鼻耳唇背處帶問題疼",
)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ZH_DIGITS = "零一二三四五六七八九"


@dataclass
class Case:
    """The truth of one note and the choices its wording depends on."""

    facts: dict[str, object]
    sex: str | None
    site: str | None
    dims: list[float]
    unit: str
    uncertain: list[str] = field(default_factory=list)


class Writer:
    """Seeded choices for one note."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def pick(self, items: list[str]) -> str:
        return items[int(self.rng.integers(len(items)))]

    def p(self, prob: float) -> bool:
        return bool(self.rng.random() < prob)

    def shuffled(self, items: list[str]) -> list[str]:
        return [items[i] for i in self.rng.permutation(len(items))]


def sample_case(w: Writer, lay: bool) -> Case:
    """Draw which facts a note states and their values."""
    facts: dict[str, object] = {}
    sex = w.pick(["male", "female"]) if w.p(0.8) else None
    if sex:
        facts["sex"] = sex
    if w.p(0.9):
        facts["age"] = int(w.rng.integers(18, 93))
    site = None
    if w.p(0.9):
        keys = [k for k, v in SITE_EN.items() if v[1] and (not lay or k != "genital")]
        site = w.pick(keys if lay else list(SITE_EN))
        facts["site"] = site
    dims: list[float] = []
    unit = w.pick(["mm", "mm", "cm"])
    if w.p(0.65):
        if unit == "mm":
            d1 = float(w.rng.integers(2, 26))
            dims = (
                [d1] if w.p(0.5) else [d1, float(w.rng.integers(max(1, int(d1) // 2), int(d1) + 1))]
            )
        else:
            d1 = round(float(w.rng.integers(3, 31)) / 10, 1)
            dims = (
                [d1]
                if w.p(0.5)
                else [
                    d1,
                    round(float(w.rng.integers(max(2, int(d1 * 5)), int(d1 * 10) + 1)) / 10, 1),
                ]
            )
        if len(dims) == 2 and w.p(0.25):
            dims.reverse()  # the largest diameter is not always written first
        facts["diameter_mm"] = max(dims) * (10.0 if unit == "cm" else 1.0)
        facts["diameter_mm"] = round(float(facts["diameter_mm"]), 1)
    uncertain = []
    for name in SYMPTOMS:
        if w.p(0.7):
            facts[name] = w.pick(["present", "absent"])
        elif w.p(0.15):
            uncertain.append(name)
    for name, prob in (
        ("elevation", 0.6),
        ("skin_cancer_history", 0.45),
        ("cancer_history", 0.4),
        ("smoke", 0.5),
        ("drink", 0.45),
    ):
        if w.p(prob):
            facts[name] = w.pick(["present", "absent"])
    return Case(facts, sex, site, dims, unit, uncertain)


# ---------------------------------------------------------------- English pieces


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def size_en(w: Writer, c: Case) -> str:
    nums = [fmt(d) for d in c.dims]
    if len(nums) == 1:
        return w.pick(
            [
                f"{nums[0]} {c.unit}",
                f"{nums[0]}{c.unit}",
                f"approx. {nums[0]} {c.unit}",
                f"~{nums[0]}{c.unit}",
            ]
        )
    sep = w.pick([" x ", "x", " × "])
    return sep.join(nums) + w.pick([f" {c.unit}", c.unit])


def site_en(w: Writer, c: Case, terse: bool = False) -> str:
    assert c.site is not None
    phrases = SITE_EN[c.site][0]
    if c.site == "genital" and c.sex and w.p(0.6):
        phrases = GENITAL_EN[c.sex]
    phrase = w.pick(phrases)
    if phrase in PAIRED_EN and w.p(0.6):
        side = w.pick(["L", "R", "Lt", "Rt"]) if terse else w.pick(["left", "right"])
        phrase = f"{side} {phrase}"
    return phrase


def site_lay(w: Writer, c: Case) -> str:
    assert c.site is not None
    phrase = w.pick(SITE_EN[c.site][1])
    sided = {"arm", "forearm", "hand", "foot", "thigh", "lower extremity", "ear", "face"}
    if c.site in sided and phrase.startswith("my ") and w.p(0.4):
        phrase = "my " + w.pick(["left", "right"]) + " " + phrase[3:]
    return phrase


def pron(c: Case) -> tuple[str, str]:
    """Subject and possessive words for the patient."""
    if c.sex == "male":
        return "He", "His"
    if c.sex == "female":
        return "She", "Her"
    return "The patient", "The patient's"


def or_join(words: list[str], conj: str = "or") -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {conj} " + words[-1]


def sym_split(c: Case) -> tuple[list[str], list[str]]:
    pos = [s for s in SYMPTOMS if c.facts.get(s) == "present"]
    neg = [s for s in SYMPTOMS if c.facts.get(s) == "absent"]
    return pos, neg


def symptoms_prose(w: Writer, c: Case) -> list[str]:
    """Symptoms as a clinician writes them in a letter, with negations scoped several ways."""
    subj = pron(c)[0]
    pos, neg = sym_split(c)
    pos, neg = w.shuffled(pos), w.shuffled(neg)
    out: list[str] = []
    if pos and neg and w.p(0.6):
        a, b = pos.pop(), neg.pop()
        form = int(w.rng.integers(3))
        if form == 0:
            out.append(f"It {w.pick(EN_SYM[a]['pos'])} but {w.pick(EN_SYM[b]['neg'])}.")
        elif form == 1:
            out.append(f"No {w.pick(EN_SYM[b]['noun'])}, but it {w.pick(EN_SYM[a]['pos'])}.")
        else:
            extra = [neg.pop()] if neg and w.p(0.5) else []
            nouns = [w.pick(EN_SYM[s]["noun"]) for s in [b, *extra]]
            out.append(
                f"It {w.pick(EN_SYM[a]['pos'])} without {w.pick(['', 'any '])}{or_join(nouns)}."
            )
    if pos:
        if w.p(0.5):
            nouns = [w.pick(EN_SYM[s]["noun"]) for s in pos]
            verb = w.pick(["reports", "complains of", "describes"])
            out.append(f"{subj} {verb} {or_join(nouns, 'and')}.")
        else:
            out.append("It " + or_join([w.pick(EN_SYM[s]["pos"]) for s in pos], "and") + ".")
    if neg:
        nouns = or_join([w.pick(EN_SYM[s]["noun"]) for s in neg])
        out.append(
            w.pick(
                [
                    f"{subj} denies {nouns}.",
                    f"No {nouns}.",
                    f"Negative for {nouns}.",
                    f"There has been no {nouns}.",
                    f"{subj} has never noticed {nouns}.",
                ]
            )
        )
    for s in c.uncertain:
        out.append(cap(w.pick(EN_UNCERTAIN[s])) + ".")
    return out


def symptoms_terse(w: Writer, c: Case) -> str:
    toks = []
    pos, neg = sym_split(c)
    if len(neg) >= 2 and w.p(0.4):
        short = {
            "itch": "itch",
            "hurt": "pain",
            "bleed": "bleed",
            "grew": "growth",
            "changed": "colour change",
        }
        toks = [w.pick(EN_SYM[s]["tpos"]) for s in pos]
        toks.append(w.pick(["No ", "Nil ", "Denies "]) + "/".join(short[s] for s in neg))
    else:
        # Positives first: a bare positive token after "no X," would sit inside the negation.
        toks = [w.pick(EN_SYM[s]["tpos"]) for s in w.shuffled(pos)]
        toks += [w.pick(EN_SYM[s]["tneg"]) for s in w.shuffled(neg)]
    toks += [w.pick(EN_UNCERTAIN[s]) for s in c.uncertain]
    return w.pick([", ", "; ", " / "]).join(toks)


def elevation_en(w: Writer, c: Case) -> str:
    v = c.facts.get("elevation")
    if v == "present":
        return w.pick(["raised", "elevated", "palpable", "slightly raised", "nodular"])
    if v == "absent":
        return w.pick(
            ["flat", "macular", "non-palpable", "flush with the surrounding skin", "not raised"]
        )
    return ""


def lesion_noun(w: Writer, c: Case) -> str:
    v = c.facts.get("elevation")
    if v == "present":
        return w.pick(["papule", "nodule", "lesion"])
    if v == "absent":
        return w.pick(["macule", "lesion", "patch"])
    return w.pick(["lesion", "pigmented lesion", "naevus", "mole"])


def skin_ca_en(w: Writer, c: Case) -> str:
    return (
        w.pick(SKIN_CA_EN)
        if c.facts["skin_cancer_history"] == "present"
        else w.pick(
            [
                "no personal hx of skin cancer",
                "no previous skin cancers",
                "never had skin cancer",
                "no prior skin malignancy",
            ]
        )
    )


def cancer_en(w: Writer, c: Case) -> str:
    if c.facts["cancer_history"] == "present":
        return w.pick(CANCERS_EN[c.sex or "any"] + CANCERS_EN["any"])
    if "skin_cancer_history" in c.facts:
        return w.pick(
            ["no other malignancy", "no history of other cancers", "no other cancer history"]
        )
    return w.pick(["no history of internal malignancy", "no non-skin cancers"])


def history_en(w: Writer, c: Case) -> list[str]:
    """Personal cancer history items (terse clinical)."""
    f = c.facts
    if (
        f.get("skin_cancer_history") == "absent"
        and f.get("cancer_history") == "absent"
        and w.p(0.5)
    ):
        return [
            w.pick(
                [
                    "no history of any cancer, skin or otherwise",
                    "no malignancy of any kind (including skin)",
                ]
            )
        ]
    items = []
    if "skin_cancer_history" in f:
        items.append(skin_ca_en(w, c))
    if "cancer_history" in f:
        items.append(cancer_en(w, c))
    return positives_first(items, c)


def positives_first(items: list[str], c: Case) -> list[str]:
    """Order cancer-history items with the present ones first, so no "no ..." precedes them."""
    names = [n for n in ("skin_cancer_history", "cancer_history") if n in c.facts]
    present = [c.facts[n] == "present" for n in names]
    return [i for i, p in zip(items, present, strict=True) if p] + [
        i for i, p in zip(items, present, strict=True) if not p
    ]


def pmhx_en(w: Writer, c: Case) -> list[str]:
    """Cancer history with an unrelated condition between the present and the absent items."""
    items = history_en(w, c)
    k = sum(c.facts.get(n) == "present" for n in ("skin_cancer_history", "cancer_history"))
    return [*items[:k], w.pick(OTHER_PMHX), *items[k:]]


def social_en(w: Writer, c: Case) -> str:
    f = c.facts
    if f.get("smoke") == "absent" and f.get("drink") == "absent" and w.p(0.5):
        return w.pick(
            ["Denies tobacco or alcohol use.", "Non-smoker, teetotal.", "No smoking or alcohol."]
        )
    parts = []
    if "smoke" in f:
        parts.append(
            w.pick(
                [
                    "smoker",
                    "current smoker (10/day)",
                    "smokes 20 cigarettes a day",
                    "30 pack-year smoker, still smoking",
                ]
                if f["smoke"] == "present"
                else [
                    "non-smoker",
                    "never smoker",
                    "never smoked",
                    "denies tobacco use",
                    "no tobacco",
                ]
            )
        )
    if "drink" in f:
        parts.append(
            w.pick(
                [
                    "drinks socially",
                    "EtOH 10 units/week",
                    "drinks 2 glasses of wine most nights",
                    "occasional alcohol",
                ]
                if f["drink"] == "present"
                else ["teetotal", "no alcohol", "EtOH nil", "denies alcohol use"]
            )
        )
    return cap("; ".join(parts)) + "." if parts else ""


def person_en(w: Writer, c: Case) -> str:
    """'a 54-year-old woman' style noun phrase (possibly without age or sex)."""
    age = c.facts.get("age")
    noun = {
        "male": w.pick(["man", "gentleman", "male"]),
        "female": w.pick(["woman", "lady", "female"]),
        None: "patient",
    }[c.sex]
    if age is None:
        return f"this {noun}"
    return w.pick([f"this {age}-year-old {noun}", f"this {noun}, aged {age},"])


def age_sex_terse(w: Writer, c: Case) -> str:
    age, sx = c.facts.get("age"), {"male": "M", "female": "F", None: ""}[c.sex]
    if age is None:
        return {"M": "Male", "F": "Female", "": "Pt"}[sx]
    if sx and w.p(0.4):
        return f"{age}{sx}"
    return f"{age} {w.pick(['y/o', 'yo', 'yrs', 'y.o.'])}{' ' + sx if sx else ''}"


def duration_en(w: Writer) -> str:
    return w.pick(["3 months", "6/12", "2 yrs", "several weeks", "about a year", "18 months"])


# ---------------------------------------------------------------- English styles


def en_letter(w: Writer, c: Case) -> str:
    subj, poss = pron(c)
    who = person_en(w, c)
    if c.sex and w.p(0.3):
        who = f"{'Mr' if c.sex == 'male' else w.pick(['Mrs', 'Ms'])} {w.pick(SURNAMES)}"
        if "age" in c.facts:
            who += f" ({c.facts['age']})"
    where = f" on the {site_en(w, c)}" if c.site else ""
    intro = w.pick(
        [
            f"Thank you for referring {who} with a pigmented lesion{where}.",
            f"I reviewed {who} today in the pigmented lesion clinic regarding a mole{where}.",
            f"Many thanks for asking me to see {who}, who attended with a lesion{where}.",
        ]
    )
    intro = intro.replace(",,", ",")  # "this man, aged 54," before ", who attended"
    story = [intro, f"It has been present for {duration_en(w)}.", *symptoms_prose(w, c)]
    paragraphs = [f"Dear Dr {w.pick(DOCTORS)},", " ".join(story)]
    exam = []
    if c.dims:
        exam.append(f"measuring {size_en(w, c)}")
    if "elevation" in c.facts:
        exam.append(f"which is {elevation_en(w, c)}")
    if exam:
        paragraphs.append(f"On examination there is a {lesion_noun(w, c)} " + ", ".join(exam) + ".")
    background = []
    hist = history_en(w, c)
    if hist:
        background.append(f"{poss} past medical history: " + "; ".join(hist) + ".")
    else:
        background.append(f"{poss} past history includes {w.pick(OTHER_PMHX)}.")
    social = social_en(w, c)
    if social:
        background.append(social)
    if w.p(0.5):
        background.append(w.pick(FHX_EN))
    paragraphs.append(" ".join(background))
    plan = w.pick(
        [
            "I have listed the lesion for excision biopsy.",
            "Dermoscopy was reassuring; I will review in three months.",
        ]
    )
    paragraphs.append(f"{plan} {subj} is happy with this plan.")
    paragraphs.append(f"Kind regards,\nDr {w.pick(DOCTORS)}")
    return "\n\n".join(paragraphs)


def en_gp_referral(w: Writer, c: Case) -> str:
    lines = [
        w.pick(
            [
                "GP referral - dermatology (routine)",
                "2WW referral: suspected skin cancer",
                "Referral to Dermatology",
            ]
        )
    ]
    if "age" in c.facts or c.sex:
        lines.append(f"Patient: {age_sex_terse(w, c)}")
    where = f" {site_en(w, c, terse=True)}" if c.site else ""
    lines.append(f"Reason for referral: pt c/o mole{where} x {duration_en(w)}.")
    sym = symptoms_terse(w, c) if w.p(0.5) else " ".join(symptoms_prose(w, c))
    if sym:
        lines.append(sym)
    if c.dims or "elevation" in c.facts:
        ex = [x for x in (size_en(w, c) if c.dims else "", elevation_en(w, c)) if x]
        lines.append("O/E: " + ", ".join(ex) + ".")
    lines.append("PMHx: " + "; ".join(pmhx_en(w, c)) + ".")
    lines.append(f"Meds: {w.pick(['ramipril', 'metformin', 'levothyroxine', 'nil'])}. NKDA.")
    social = social_en(w, c)
    if social:
        lines.append("SHx: " + social)
    if w.p(0.5):
        lines.append(w.pick(FHX_EN))
    return "\n".join(lines)


def en_derm_clinic(w: Writer, c: Case) -> str:
    subj = pron(c)[0]
    head = []
    if "age" in c.facts or c.sex:
        head.append(f"{person_en(w, c)[5:].rstrip(',').capitalize()}")
    hist = [f"Presents with a lesion of {duration_en(w)}."]
    hist += symptoms_prose(w, c) if w.p(0.6) else [symptoms_terse(w, c)]
    lines = ["DERMATOLOGY CLINIC", *head]
    lines.append("History: " + " ".join(h for h in hist if h))
    ph = history_en(w, c)
    lines.append("PMHx: " + ("; ".join(ph) if ph else w.pick(OTHER_PMHX)) + ".")
    social = social_en(w, c)
    if social:
        lines.append("SH: " + social)
    if w.p(0.6):
        lines.append(w.pick(FHX_EN))
    exam = []
    if c.site:
        exam.append(f"{lesion_noun(w, c).capitalize()} on the {site_en(w, c)}")
    else:
        exam.append(lesion_noun(w, c).capitalize())
    if c.dims:
        exam.append(size_en(w, c))
    if "elevation" in c.facts:
        exam.append(elevation_en(w, c))
    lines.append("Examination: " + ", ".join(exam) + ". Dermoscopy: atypical network.")
    lines.append(
        w.pick(
            [
                "Impression: ?dysplastic naevus.",
                "Impression: ?BCC.",
                "Impression: ?melanoma - excise.",
            ]
        )
    )
    lines.append(
        f"Plan: {w.pick(['excision biopsy', 'shave biopsy', 'review 3/12'])}. {subj} agrees."
    )
    return "\n".join(lines)


def en_terse(w: Writer, c: Case) -> str:
    where = f" {site_en(w, c, terse=True)}" if c.site else ""
    parts = [
        f"{age_sex_terse(w, c)} c/o {w.pick(['mole', 'pigmented lesion', 'lesion'])}"
        f"{where} x {w.pick(['3/12', '6/12', '2y', '18/12', '4/52'])}."
    ]
    sym = symptoms_terse(w, c)
    if sym:
        parts.append(sym + ".")
    ex = [x for x in (size_en(w, c) if c.dims else "", elevation_en(w, c)) if x]
    if ex:
        parts.append("O/E " + ", ".join(ex) + ".")
    ph = history_en(w, c)
    if ph:
        parts.append("Hx: " + "; ".join(ph) + ".")
    social = social_en(w, c)
    if social:
        parts.append(social)
    if w.p(0.4):
        parts.append(w.pick(["FHx melanoma (mother).", "FHx: father BCC."]))
    parts.append("NKDA.")
    return " ".join(parts)


def en_self_report(w: Writer, c: Case) -> str:
    out = []
    age = c.facts.get("age")
    noun = {"male": "man", "female": "woman", None: ""}[c.sex]
    if age is not None and noun:
        out.append(
            w.pick(
                [
                    f"I'm a {age}-year-old {noun}.",
                    f"I'm {age}, {'male' if c.sex == 'male' else 'female'}.",
                ]
            )
        )
    elif age is not None:
        out.append(f"I'm {age} years old.")
    elif noun:
        out.append(f"I'm a {noun}.")
    where = f" on {site_lay(w, c)}" if c.site else ""
    out.append(
        w.pick(
            [
                f"I have a mole{where} that I'm worried about.",
                f"There's a dark spot{where} I wanted checked.",
            ]
        )
    )
    pos, neg = sym_split(c)
    items = w.shuffled(pos + neg)
    if "grew" in pos and c.dims and c.unit == "mm" and max(c.dims) > 3 and w.p(0.5):
        out.append(
            f"It used to be about {fmt(max(c.dims) - 2)} mm and now it's {fmt(max(c.dims))} mm."
        )
        items.remove("grew")
    elif c.dims:
        out.append(f"It's about {size_en(w, c).replace('approx. ', '').replace('~', '')} across.")
    if len(pos) == 1 and neg and w.p(0.5):
        a, b = pos[0], neg[0]
        said = w.pick(EN_SYM[a]["lpos"])
        out.append(w.pick(EN_SYM[b]["lneg"]).rstrip(".") + ", but " + said[0].lower() + said[1:])
        items = [s for s in items if s not in (a, b)]
    out += [w.pick(EN_SYM[s]["lpos" if c.facts[s] == "present" else "lneg"]) for s in items]
    for s in c.uncertain:
        out.append(
            w.pick(["I'm not sure if ", "I can't tell whether "])
            + {
                "itch": "it itches.",
                "hurt": "it's sore.",
                "bleed": "it has bled.",
                "grew": "it has grown.",
                "changed": "the colour has changed.",
            }[s]
        )
    if "elevation" in c.facts:
        out.append(
            "It's raised, I can feel it with my finger."
            if c.facts["elevation"] == "present"
            else "It's flat, I can't feel it when I run my finger over it."
        )
    f = c.facts
    if f.get("skin_cancer_history") == "present":
        out.append(
            w.pick(
                [
                    "I had a skin cancer cut out a few years ago.",
                    "I've had a basal cell carcinoma before.",
                ]
            )
        )
    elif f.get("skin_cancer_history") == "absent":
        out.append("I've never had skin cancer myself.")
    if f.get("cancer_history") == "present":
        kind = {"female": "breast cancer", "male": "prostate cancer", None: "bowel cancer"}[c.sex]
        out.append(f"I was treated for {kind} in 2015.")
    elif f.get("cancer_history") == "absent":
        out.append(
            "I've never had any other cancer."
            if "skin_cancer_history" in f
            else "I've never had any internal cancer."
        )
    if "smoke" in f:
        out.append(
            w.pick(
                ["I smoke about 10 a day.", "I still smoke."]
                if f["smoke"] == "present"
                else ["I've never smoked.", "I don't smoke."]
            )
        )
    if "drink" in f:
        out.append(
            w.pick(
                ["I have a glass of wine most evenings.", "I drink at weekends."]
                if f["drink"] == "present"
                else ["I don't drink.", "I never touch alcohol."]
            )
        )
    if w.p(0.5):
        out.append(w.pick(FHX_LAY))
    return " ".join(out)


def yn(w: Writer, v: object, often: bool = False) -> str:
    if v == "present":
        return w.pick(
            ["Yes", "yes", "Y"] + (["Yes, sometimes", "Yes, on and off"] if often else [])
        )
    return w.pick(["No", "no", "N"] + (["Not really", "Never"] if often else []))


def en_qa_form(w: Writer, c: Case) -> str:
    f = c.facts
    boxes = w.p(0.5)  # a yes/no form rather than questions and answers
    lines = [w.pick(["Pre-consultation questionnaire", "Teledermatology intake form"])]
    if "age" in f:
        lines.append(f"Age: {f['age']}")
    if c.sex:
        lines.append(
            f"Sex: {w.pick(['M', 'Male']) if c.sex == 'male' else w.pick(['F', 'Female'])}"
        )
    if c.site:
        lines.append(("Site: " if boxes else "Where is the spot? ") + site_en(w, c))
    if c.dims:
        lines.append(("Size: " if boxes else "How big is it? ") + size_en(w, c))
    for s in w.shuffled([s for s in SYMPTOMS if s in f or s in c.uncertain]):
        ans = "Not sure" if s in c.uncertain else yn(w, f[s], s in ("itch", "hurt", "bleed"))
        lines.append(
            f"{w.pick(EN_SYM[s]['form'])}: {ans}" if boxes else f"{w.pick(EN_SYM[s]['q'])} {ans}"
        )
    if "elevation" in f:
        lines.append(
            ("Raised: " if boxes else "Is it raised above the skin? ") + yn(w, f["elevation"])
        )
    if "skin_cancer_history" in f:
        ans = yn(w, f["skin_cancer_history"])
        if f["skin_cancer_history"] == "present":
            ans += " - " + w.pick(["BCC 2017", "melanoma 2011", "SCC"])
        lines.append(
            ("Previous skin cancer: " if boxes else "Have you ever had skin cancer? ") + ans
        )
    if "cancer_history" in f:
        ans = yn(w, f["cancer_history"])
        if f["cancer_history"] == "present":
            ans += " - " + w.pick(CANCERS_EN[c.sex or "any"])
        lines.append(("Other cancer: " if boxes else "Any other cancer? ") + ans)
    if "smoke" in f:
        lines.append(("Smoker: " if boxes else "Do you smoke? ") + yn(w, f["smoke"]))
    if "drink" in f:
        lines.append(
            ("Alcohol: " if boxes else "Do you drink alcohol? ")
            + (
                w.pick(["Occasionally", "Yes, socially"])
                if f["drink"] == "present"
                else yn(w, "absent")
            )
        )
    if w.p(0.5):
        lines.append(
            (
                "Family history of skin cancer: "
                if boxes
                else "Does anyone in your family have skin cancer? "
            )
            + w.pick(["Yes, my father", "Yes - mother (melanoma)"])
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- Chinese pieces


def cn_num(n: int) -> str:
    tens, ones = divmod(n, 10)
    head = ("" if tens == 1 else ZH_DIGITS[tens]) + "十" if tens else ""
    return head + (ZH_DIGITS[ones] if ones else "") if n else "零"


def size_zh(w: Writer, c: Case) -> str:
    nums = [fmt(d) for d in c.dims]
    unit = c.unit if w.p(0.6) else {"mm": "毫米", "cm": "厘米"}[c.unit]
    if len(nums) == 1:
        return w.pick([f"约{nums[0]}{unit}", f"直径约{nums[0]}{unit}", f"{nums[0]}{unit}"])
    if w.p(0.5):
        return w.pick(["约", "大小约", ""]) + "×".join(nums) + unit
    return "大小约" + "×".join(n + unit for n in nums)


def site_zh(w: Writer, c: Case, colloquial: bool = False) -> str:
    assert c.site is not None
    options = SITE_ZH[c.site][1 if colloquial and SITE_ZH[c.site][1] else 0]
    if c.site == "genital" and c.sex and not colloquial and w.p(0.6):
        options = GENITAL_ZH[c.sex]
    return w.pick(options)


def zh_join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "、".join(items[:-1]) + "及" + items[-1]


def symptoms_zh(w: Writer, c: Case) -> list[str]:
    """Symptoms in record style, with scoped negations."""
    pos, neg = sym_split(c)
    pos, neg = w.shuffled(pos), w.shuffled(neg)
    out: list[str] = []
    compact = ""
    if "itch" in neg and "hurt" in neg and w.p(0.5):
        compact = w.pick(["无痒痛", "不痒不痛"])  # said last, after the positives
        neg = [s for s in neg if s not in ("itch", "hurt")]
    if pos and neg and w.p(0.6):
        a, b = pos.pop(), neg.pop()
        out.append(
            w.pick(
                [
                    f"{w.pick(ZH_SYM[a]['pos'])}，但{w.pick(ZH_SYM[b]['neg'])}",
                    f"无{ZH_SYM[b]['noun'][0]}，但{w.pick(ZH_SYM[a]['pos'])}",
                ]
            )
        )
    if pos:
        out.append(w.pick(["伴", "自诉", ""]) + "、".join(w.pick(ZH_SYM[s]["pos"]) for s in pos))
    if neg:
        nouns = [ZH_SYM[s]["noun"][0] for s in neg]
        out.append(w.pick(["无", "否认", "未诉", "没有"]) + zh_join(nouns))
    if compact:
        out.append(compact)
    out += [w.pick(ZH_UNCERTAIN[s]) for s in c.uncertain]
    return out


def elevation_zh(w: Writer, c: Case, colloquial: bool = False) -> str:
    v = c.facts.get("elevation")
    if v == "present":
        return w.pick(
            ["摸着鼓鼓的，高出皮肤", "凸起来了"]
            if colloquial
            else ["高出皮面", "隆起", "略隆起", "凸起"]
        )
    if v == "absent":
        return w.pick(
            ["平的，摸不出来", "是平的"] if colloquial else ["平坦", "不高出皮面", "未隆起"]
        )
    return ""


def history_zh(w: Writer, c: Case) -> list[str]:
    f = c.facts
    if (
        f.get("skin_cancer_history") == "absent"
        and f.get("cancer_history") == "absent"
        and w.p(0.5)
    ):
        return [w.pick(["否认肿瘤病史（包括皮肤癌）", "无任何恶性肿瘤病史，包括皮肤癌"])]
    items = []
    if "skin_cancer_history" in f:
        items.append(
            w.pick(SKIN_CA_ZH)
            if f["skin_cancer_history"] == "present"
            else w.pick(["否认皮肤癌病史", "既往无皮肤肿瘤史", "无皮肤癌病史"])
        )
    if "cancer_history" in f:
        if f["cancer_history"] == "present":
            items.append(w.pick(CANCERS_ZH[c.sex or "any"] + CANCERS_ZH["any"]))
        elif "skin_cancer_history" in f:
            items.append(w.pick(["否认其他肿瘤病史", "无其他恶性肿瘤病史"]))
        else:
            items.append(w.pick(["否认内脏恶性肿瘤病史", "无皮肤以外的肿瘤病史"]))
    return positives_first(items, c)


def social_zh(w: Writer, c: Case) -> str:
    f = c.facts
    if f.get("smoke") == "absent" and f.get("drink") == "absent" and w.p(0.5):
        return w.pick(["无烟酒嗜好", "否认吸烟饮酒史", "烟酒：无"])
    parts = []
    if "smoke" in f:
        parts.append(
            w.pick(
                ["吸烟20年，每日10支", "有吸烟史", "吸烟"]
                if f["smoke"] == "present"
                else ["不吸烟", "否认吸烟史", "从不吸烟"]
            )
        )
    if "drink" in f:
        parts.append(
            w.pick(
                ["偶饮酒", "饮酒", "每周饮啤酒2-3次"]
                if f["drink"] == "present"
                else ["不饮酒", "否认饮酒史", "滴酒不沾"]
            )
        )
    return "，".join(parts)


def duration_zh(w: Writer) -> str:
    return w.pick(["3个月", "半年", "2年", "数周", "1年余", "10余年"])


def sex_age_zh(w: Writer, c: Case) -> str:
    parts = []
    if c.sex:
        parts.append({"male": "男", "female": "女"}[c.sex])
    if "age" in c.facts:
        parts.append(f"{c.facts['age']}岁")
    return "，".join(parts)


# ---------------------------------------------------------------- Chinese styles


def zh_outpatient(w: Writer, c: Case) -> str:
    where = site_zh(w, c) if c.site else ""
    # The complaint may say it grew; the history then says it again, as records do.
    grew = "，近期增大" if c.facts.get("grew") == "present" and w.p(0.3) else ""
    since = duration_zh(w)
    lines = [f"主诉：发现{where}黑色皮损{since}{grew}。"]
    who = sex_age_zh(w, c)
    sym = symptoms_zh(w, c)
    lines.append(
        f"现病史：患者{('，' + who + '，') if who else ''}{since}前无意中发现"
        f"{where or '皮肤'}一黑褐色皮疹" + "".join("，" + s for s in sym) + "。"
    )
    hist = history_zh(w, c)
    lines.append("既往史：" + "；".join([*hist, w.pick(OTHER_PMHX_ZH)]) + "。")
    social = social_zh(w, c)
    if social:
        lines.append(f"个人史：{social}。")
    if w.p(0.5):
        lines.append(f"家族史：{w.pick(FHX_ZH)}。")
    exam = []
    if c.dims:
        exam.append(size_zh(w, c))
    noun = {"present": w.pick(["丘疹", "结节"]), "absent": "斑片"}.get(
        str(c.facts.get("elevation")), "皮损"
    )
    el = elevation_zh(w, c)
    lines.append(
        f"查体：{where or '皮损处'}可见一{'、'.join(exam) + '的' if exam else ''}"
        f"黑褐色{noun}{'，' + el if el else ''}，边界尚清。"
    )
    lines.append(
        w.pick(["初步诊断：色素痣？", "初步诊断：基底细胞癌待排。", "处理：建议手术切除送病理。"])
    )
    return "\n".join(lines)


def form_yn_zh(w: Writer, v: object) -> str:
    return w.pick(["有", "是", "（+）"]) if v == "present" else w.pick(["无", "否", "（-）"])


def zh_emr(w: Writer, c: Case) -> str:
    f = c.facts
    info = ([f"性别：{'男' if c.sex == 'male' else '女'}"] if c.sex else []) + (
        [f"年龄：{f['age']}岁"] if "age" in f else []
    )
    lines = ["【基本信息】" + ("  ".join(info) if info else "门诊初诊")]
    lines.append(f"【主诉】皮肤色素性皮损{duration_zh(w)}")
    spec = []
    if c.site:
        spec.append(f"部位：{site_zh(w, c)}")
    if c.dims:
        spec.append(f"大小：{size_zh(w, c).removeprefix('大小')}")
    if "elevation" in f:
        spec.append(
            f"是否隆起：{w.pick(['是']) if f['elevation'] == 'present' else w.pick(['否'])}"
        )
    if spec:
        lines.append("【专科检查】" + "；".join(spec))
    sym = [
        f"{ZH_SYM[s]['form'][0]}：{'不详' if s in c.uncertain else form_yn_zh(w, f[s])}"
        for s in SYMPTOMS
        if s in f or s in c.uncertain
    ]
    if sym:
        lines.append("【症状】" + "  ".join(sym))
    hist = []
    if "skin_cancer_history" in f:
        v = f["skin_cancer_history"]
        hist.append(
            "皮肤癌病史："
            + (
                "有（" + w.pick(["基底细胞癌", "黑色素瘤", "鳞癌"]) + "）"
                if v == "present"
                else "无"
            )
        )
    if "cancer_history" in f:
        v = f["cancer_history"]
        kind = w.pick(CANCERS_ZH[c.sex or "any"]).split("（")[0]
        hist.append("其他肿瘤史：" + (f"有（{kind}）" if v == "present" else "无"))
    if hist:
        lines.append("【既往史】" + "；".join(hist))
    pers = []
    if "smoke" in f:
        pers.append("吸烟：" + ("是" if f["smoke"] == "present" else "否"))
    if "drink" in f:
        pers.append("饮酒：" + (w.pick(["偶尔", "是"]) if f["drink"] == "present" else "否"))
    if pers:
        lines.append("【个人史】" + "  ".join(pers))
    if w.p(0.5):
        lines.append("【家族史】" + w.pick(FHX_ZH))
    return "\n".join(lines)


def zh_dialogue(w: Writer, c: Case) -> str:
    f = c.facts
    turns = [("医生", "您好，请问哪里不舒服？")]
    where = site_zh(w, c, colloquial=True) if c.site else "身上"
    turns.append(("患者", f"医生好，我{where}有颗痣，想请您看看。"))
    if "age" in f or c.sex:
        turns.append(("医生", "请问您多大年纪？" if "age" in f else "请问您是男士还是女士？"))
        ans = []
        if "age" in f:
            ans.append(f"{cn_num(int(f['age']))}岁" if w.p(0.2) else f"{f['age']}岁")
        if c.sex:
            ans.append({"male": "男的", "female": "女的"}[c.sex])
        turns.append(("患者", "，".join(ans) + "。"))
    if c.dims:
        turns.append(("医生", "大概多大？"))
        turns.append(("患者", f"{size_zh(w, c)}吧。"))
    asked = [s for s in SYMPTOMS if s in f or s in c.uncertain]
    asked = w.shuffled(asked)
    while asked:
        s = asked.pop()
        if s in c.uncertain:
            turns += [("医生", w.pick(ZH_SYM[s]["q"])), ("患者", "这个我不太清楚。")]
            continue
        t = asked.pop() if asked and asked[-1] not in c.uncertain and w.p(0.4) else None
        q = w.pick(ZH_SYM[s]["q"]) + (w.pick(ZH_SYM[t]["q"]) if t else "")
        a = w.pick(ZH_SYM[s]["cpos" if f[s] == "present" else "cneg"])
        if t:
            a += "，" + w.pick(ZH_SYM[t]["cpos" if f[t] == "present" else "cneg"])
        turns += [("医生", q), ("患者", a + "。")]
    if "elevation" in f:
        turns += [
            ("医生", "摸上去是凸起来的还是平的？"),
            ("患者", elevation_zh(w, c, colloquial=True) + "。"),
        ]
    if "skin_cancer_history" in f or "cancer_history" in f:
        # Ask only about what the answer settles, so a silent half of the question stays unknown.
        both = "skin_cancer_history" in f and "cancer_history" in f
        question = (
            "以前得过皮肤癌吗？"
            if "skin_cancer_history" in f
            else "除了皮肤癌，以前得过别的肿瘤吗？"
        )
        turns.append(("医生", "以前得过皮肤癌或者其他肿瘤吗？" if both else question))
        ans = []
        if "skin_cancer_history" in f:
            ans.append(
                "以前切过一个皮肤癌" if f["skin_cancer_history"] == "present" else "皮肤癌没得过"
            )
        if "cancer_history" in f:
            kind = {"female": "乳腺癌", "male": "前列腺癌", None: "甲状腺癌"}[c.sex]
            ans.append(
                f"得过{kind}，做过手术"
                if f["cancer_history"] == "present"
                else ("别的肿瘤也没有" if both else "没有")
            )
        turns.append(("患者", "，".join(ans) + "。"))
    if "smoke" in f or "drink" in f:
        both = "smoke" in f and "drink" in f
        turns.append(
            ("医生", "抽烟喝酒吗？" if both else ("抽烟吗？" if "smoke" in f else "喝酒吗？"))
        )
        ans = []
        if "smoke" in f:
            ans.append("抽烟" if f["smoke"] == "present" else "不抽烟")
        if "drink" in f:
            ans.append("偶尔喝点" if f["drink"] == "present" else "酒不喝")
        turns.append(("患者", "，".join(ans) + "。"))
    if w.p(0.4):
        turns += [("医生", "家里人有得皮肤癌的吗？"), ("患者", w.pick(FHX_ZH_COL))]
    turns.append(("医生", "好的，建议您来门诊做个皮肤镜检查。"))
    return "\n".join(f"{who}：{text}" for who, text in turns)


def zh_colloquial(w: Writer, c: Case) -> str:
    f = c.facts
    out = []
    if "age" in f:
        age = f["age"]
        out.append(f"我今年{cn_num(int(age)) if w.p(0.25) else age}岁")
    if c.sex:
        out.append({"male": "男", "female": "女"}[c.sex])
    where = site_zh(w, c, colloquial=True) if c.site else "身上"
    out.append(f"{where}有颗痣")
    if c.dims:
        out.append(f"现在{size_zh(w, c)}")
    pos, neg = sym_split(c)
    for s in w.shuffled(pos + neg):
        out.append(w.pick(ZH_SYM[s]["cpos" if f[s] == "present" else "cneg"]))
    out += [
        w.pick(["不知道", "说不准"])
        + {
            "itch": "算不算痒",
            "hurt": "疼不疼",
            "bleed": "有没有出过血",
            "grew": "长没长大",
            "changed": "颜色变没变",
        }[s]
        for s in c.uncertain
    ]
    el = elevation_zh(w, c, colloquial=True)
    if el:
        out.append(el)
    if "skin_cancer_history" in f:
        out.append(
            "以前得过皮肤癌，做过手术"
            if f["skin_cancer_history"] == "present"
            else "我自己没得过皮肤癌"
        )
    if "cancer_history" in f:
        kind = {"female": "乳腺癌", "male": "前列腺癌", None: "结肠癌"}[c.sex]
        out.append(
            f"前几年得过{kind}"
            if f["cancer_history"] == "present"
            else ("也没得过别的癌" if "skin_cancer_history" in f else "皮肤以外的癌没得过")
        )
    if "smoke" in f:
        out.append("平时抽烟" if f["smoke"] == "present" else "不抽烟")
    if "drink" in f:
        out.append("偶尔喝点酒" if f["drink"] == "present" else "从来不喝酒")
    text = "，".join(out) + "。"
    if w.p(0.5):
        text += w.pick(FHX_ZH_COL)
    return text + w.pick(["医生帮我看看要不要紧？", "需要去医院吗？", ""])


def zh_consult(w: Writer, c: Case) -> str:
    parts = [w.pick(["皮肤科会诊：", "转诊单：", "门诊简要病历："])]
    who = sex_age_zh(w, c)
    if who:
        parts.append(f"患者{who}。")
    desc = (site_zh(w, c) if c.site else "") + "色素性皮损"
    if c.dims:
        desc += size_zh(w, c)
    el = elevation_zh(w, c)
    if el:
        desc += "，" + el
    sym = symptoms_zh(w, c)
    parts.append(desc + ("，" + "，".join(sym) if sym else "") + "。")
    hist = history_zh(w, c)
    if hist:
        parts.append("既往" + "；".join(h.removeprefix("既往") for h in hist) + "。")
    social = social_zh(w, c)
    if social:
        parts.append(social + "。")
    parts.append(w.pick(["请协诊。", "请皮肤科会诊。", "拟行活检。"]))
    return "".join(parts)


EN_STYLES: list[tuple[str, Callable[[Writer, Case], str], int, bool]] = [
    ("en_clinic_letter", en_letter, 35, False),
    ("en_gp_referral", en_gp_referral, 30, False),
    ("en_derm_clinic", en_derm_clinic, 35, False),
    ("en_terse", en_terse, 30, False),
    ("en_self_report", en_self_report, 35, True),
    ("en_qa_form", en_qa_form, 35, False),
]
ZH_STYLES: list[tuple[str, Callable[[Writer, Case], str], int, bool]] = [
    ("zh_outpatient", zh_outpatient, 45, False),
    ("zh_emr", zh_emr, 40, False),
    ("zh_dialogue", zh_dialogue, 40, True),
    ("zh_colloquial", zh_colloquial, 40, True),
    ("zh_consult", zh_consult, 35, False),
]


def zh_variants(w: Writer, text: str) -> tuple[str, list[str]]:
    """Full-width digits in some notes, traditional characters in some of a note's sentences."""
    tags = []
    if w.p(0.2):
        text = text.translate(FULL_WIDTH)
        tags.append("fullwidth")
    if w.p(0.12):
        pieces = re.split(r"(?<=[。\n])", text)
        chosen = {int(i) for i in np.flatnonzero(w.rng.random(len(pieces)) < 0.6)}
        if len(pieces) > 1 and len(chosen) == len(pieces):
            chosen.discard(0)  # keep some simplified text: the note is mixed, not converted
        mixed = "".join(p.translate(TRAD) if i in chosen else p for i, p in enumerate(pieces))
        if mixed != text:
            text = mixed
            tags.append("traditional_mix")
    return text, tags


def build(seed: int = SEED) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    for lang, styles in (("en", EN_STYLES), ("zh", ZH_STYLES)):
        plan = [s for s in styles for _ in range(s[2])]
        order = rng.permutation(len(plan))
        for i, j in enumerate(order):
            name, fn, _, lay = plan[j]
            w = Writer(rng)
            case = sample_case(w, lay)
            note = fn(w, case)
            tags: list[str] = []
            if lang == "zh":
                note, tags = zh_variants(w, note)
            row: dict[str, object] = {
                "id": f"f-{lang}-{i:04d}",
                "lang": lang,
                "style": name,
                "note": note,
                "facts": case.facts,
            }
            if case.uncertain:
                row["uncertain"] = case.uncertain
            if tags:
                row["variants"] = tags
            rows.append(row)
    return rows


def main(out: str = "tests/data/unseen_notes_f.jsonl") -> None:
    rows = build()
    with Path(out).open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} notes -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
