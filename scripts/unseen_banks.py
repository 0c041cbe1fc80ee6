"""Phrase banks of the unseen-wording note sets (scripts/make_unseen_notes.py).

Every phrase here is one the training renderer (skinmm.data.notes) never writes. Bank "a"
was used while the reader was developed; bank "b" was written after it, to measure the
reader on wording it was not tuned on; its errors were then used to extend the reader, and
bank "c" was written last and measured once, with no change to the reader after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Table = dict[str, dict[str, list[str]]]


def _or(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1]


def _and(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class Bank:
    """The words of one bank, per language ("en", "zh")."""

    name: str
    demographics: dict[str, dict[str, list[str]]]
    sites: Table
    site_templates: dict[str, list[str]]
    sizes: dict[str, list[str]]
    fitzpatrick: dict[str, list[str]]
    present: Table
    absent: Table
    list_names: dict[str, dict[str, str]]
    list_templates: dict[str, list[Callable[[list[str]], str]]]
    history: dict[str, dict[tuple[str, str], list[str]]]
    hedges: dict[str, dict[str, str]]
    suspicions: dict[str, list[str]]
    joiners: dict[str, list[str]]


EN_NAMES = {
    "itch": "itching",
    "grew": "growth",
    "hurt": "pain",
    "changed": "change",
    "bleed": "bleeding",
}
ZH_NAMES = {"itch": "瘙痒", "grew": "增大", "hurt": "疼痛", "changed": "变化", "bleed": "出血"}

BANK_A = Bank(
    name="a",
    demographics={
        "en": {
            "both": [
                "{age} y/o {s1}",
                "{age}-year-old {word}",
                "{age}{s1}",
                "{s1}/{age}",
                "Pt is a {age} yo {sex}",
                "Age {age}, sex {s1}",
            ],
            "age": ["Age {age}", "Pt aged {age}", "{age} y/o"],
            "sex": ["Sex: {s1}", "{Sex} pt", "A {word}"],
        },
        "zh": {
            "both": [
                "患者，{zsex}，{age}岁",
                "性别：{zsex}  年龄：{age}岁",
                "{zsex}性患者，{age}周岁",
                "患者{zsex}，年龄{age}岁",
            ],
            "age": ["年龄：{age}岁", "患者{age}岁"],
            "sex": ["性别：{zsex}", "{zsex}性患者"],
        },
    },
    sites={
        "en": {
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
        },
        "zh": {
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
        },
    },
    site_templates={
        "en": ["Lesion on {where}", "Site: {where}", "Located on the {where}", "{where} lesion"],
        "zh": ["{where}见一皮损", "皮疹位于{where}", "部位：{where}", "{where}处皮损"],
    },
    sizes={
        "en": [
            "measures {mm} x {o} mm",
            "approx. {cm} cm across",
            "diam {mm}mm",
            "size {cm} x {ocm} cm",
            "{mm} mm in greatest dimension",
        ],
        "zh": ["皮损约{mm}mm", "直径约{cm}厘米", "大小约{mm}毫米×{o}毫米", "{cm}cm大小"],
    },
    fitzpatrick={
        "en": ["Fitzpatrick {roman}", "skin type {n}", "phototype {roman}"],
        "zh": ["皮肤光型{roman}型", "Fitzpatrick分型：{roman}型"],
    },
    present={
        "en": {
            "itch": [
                "c/o itching",
                "complains of pruritus",
                "itchy",
                "pruritic",
                "itch: yes",
                "reports itchiness",
            ],
            "grew": [
                "has been enlarging",
                "enlarging over recent months",
                "increase in size noted",
                "getting bigger",
                "growth: yes",
                "has grown",
            ],
            "hurt": ["tender to touch", "painful", "c/o pain", "pain: yes", "sore at times"],
            "changed": [
                "changed colour recently",
                "evolving",
                "change in shape noted",
                "change: yes",
            ],
            "bleed": [
                "bleeds on touch",
                "occasional bleeding",
                "bled twice",
                "bleeding (+)",
                "c/o bleeding",
            ],
        },
        "zh": {
            "itch": ["自觉瘙痒", "瘙痒（+）", "伴瘙痒", "时有瘙痒"],
            "grew": ["近期逐渐增大", "增大（+）", "较前长大", "皮损变大"],
            "hurt": ["触痛明显", "疼痛（+）", "伴疼痛", "自觉疼痛"],
            "changed": ["颜色改变", "变化（+）", "形态较前改变"],
            "bleed": ["偶有出血", "出血（+）", "伴出血", "曾有渗血"],
        },
    },
    absent={
        "en": {
            "itch": [
                "no itch",
                "denies pruritus",
                "itch: no",
                "not itchy",
                "itching (-)",
                "negative for itching",
            ],
            "grew": [
                "no increase in size",
                "has not grown",
                "growth: no",
                "not enlarging",
                "no growth",
            ],
            "hurt": ["non-tender", "no pain", "pain: no", "not painful", "denies pain", "pain (-)"],
            "changed": [
                "no change",
                "unchanged",
                "change: no",
                "no changes noted",
                "denies change",
            ],
            "bleed": [
                "no bleeding",
                "never bled",
                "bleeding: no",
                "denies bleeding",
                "without bleeding",
            ],
        },
        "zh": {
            "itch": ["无瘙痒", "瘙痒（-）", "未诉瘙痒", "无明显瘙痒"],
            "grew": ["未见增大", "增大（-）", "无明显增大"],
            "hurt": ["无疼痛", "疼痛（-）", "无触痛", "无明显疼痛"],
            "changed": ["无变化", "变化（-）", "未见明显变化"],
            "bleed": ["无出血", "出血（-）", "未见出血", "否认出血"],
        },
    },
    list_names={"en": EN_NAMES, "zh": ZH_NAMES},
    list_templates={
        "en": [
            lambda n: f"denies {_or(n)}",
            lambda n: f"no {_or(n)}",
            lambda n: f"negative for {_or(n)}",
        ],
        "zh": [
            lambda n: "无" + "、".join(n),
            lambda n: "否认" + "、".join(n),
            lambda n: "未诉" + "、".join(n),
        ],
    },
    history={
        "en": {
            ("skin_cancer_history", "present"): [
                "hx of BCC",
                "PMH: melanoma excised 2015",
                "prior SCC on the scalp",
            ],
            ("skin_cancer_history", "absent"): [
                "no hx of skin cancer",
                "no prior skin malignancy",
                "no h/o melanoma",
            ],
            ("cancer_history", "present"): [
                "h/o breast cancer",
                "past history of prostate cancer",
                "treated for lymphoma",
            ],
            ("cancer_history", "absent"): ["no other cancer history", "no hx of malignancy"],
            ("smoke", "present"): ["smoker", "smokes 10/day", "current smoker"],
            ("smoke", "absent"): ["non-smoker", "never smoked", "smoking: no"],
            ("drink", "present"): ["drinks alcohol socially", "EtOH: yes", "regular alcohol use"],
            ("drink", "absent"): ["no alcohol", "teetotal", "EtOH: no"],
            ("elevation", "present"): ["raised", "elevated above the skin surface", "nodular"],
            ("elevation", "absent"): ["flat", "not raised", "macular"],
        },
        "zh": {
            ("skin_cancer_history", "present"): [
                "既往有基底细胞癌病史",
                "既往史：黑色素瘤切除术后",
                "曾患皮肤鳞癌",
            ],
            ("skin_cancer_history", "absent"): ["否认皮肤癌病史", "既往无皮肤肿瘤病史"],
            ("cancer_history", "present"): ["既往有乳腺癌病史", "曾患肺癌"],
            ("cancer_history", "absent"): ["否认其他恶性肿瘤病史", "既往无癌症病史"],
            ("smoke", "present"): ["吸烟史：有", "有吸烟史", "吸烟20年"],
            ("smoke", "absent"): ["吸烟史：无", "从不吸烟", "否认吸烟"],
            ("drink", "present"): ["饮酒史：有", "偶尔饮酒", "有饮酒史"],
            ("drink", "absent"): ["饮酒史：无", "不饮酒", "否认饮酒"],
            ("elevation", "present"): ["皮损高出皮面", "皮疹隆起", "呈结节状隆起"],
            ("elevation", "absent"): ["皮损平坦", "皮损不高出皮面", "皮疹扁平"],
        },
    },
    hedges={
        "en": {"bleed": "Possible bleeding.", "itch": "?itch.", "hurt": "Questionable tenderness."},
        "zh": {"bleed": "可能有出血。", "itch": "似有瘙痒。"},
    },
    suspicions={
        "en": [
            "BCC suspected.",
            "Suspect melanoma.",
            "Clinically favour seborrhoeic keratosis.",
            "Impression: ?SCC.",
            "Likely benign naevus.",
            "Pearly, rolled border, telangiectasia.",
            "Irregular border and variegated colour.",
            "Dermoscopy: pigment network.",
        ],
        "zh": [
            "考虑基底细胞癌。",
            "疑似黑色素瘤。",
            "初步诊断：脂溢性角化病。",
            "边缘不规则，颜色不均。",
            "皮肤镜：可见色素网。",
        ],
    },
    joiners={"en": [", ", "; "], "zh": ["，"]},
)

BANK_B = Bank(
    name="b",
    demographics={
        "en": {
            "both": [
                "{age}yo {word}",
                "{age} yr old {sex}",
                "Patient: {sex}, {age} yrs",
                "{word}, aged {age}",
                "{title} X, {age} years old",
                "{age}/{s1}",
            ],
            "age": ["{age} yrs old", "Patient aged {age} years"],
            "sex": ["Gender: {sex}", "{Sex} patient"],
        },
        "zh": {
            "both": [
                "患者{zsex}性，{age}岁",
                "{age}岁{zsex}性",
                "一般情况：{zsex}，{age}周岁",
                "姓名：略 性别：{zsex} 年龄：{age}",
            ],
            "age": ["{age}岁", "年龄{age}周岁"],
            "sex": ["{zsex}性", "性别{zsex}"],
        },
    },
    sites={
        "en": {
            "face": ["malar cheek", "L temple", "mid forehead", "right jaw"],
            "nose": ["nasal sidewall", "tip of nose", "alar crease"],
            "ear": ["left pinna", "antihelix", "R ear"],
            "lip": ["vermilion border", "upper lip"],
            "scalp": ["occipital scalp", "frontal scalp"],
            "neck": ["side of the neck", "anterior neck"],
            "chest": ["upper chest", "décolletage"],
            "back": ["interscapular back", "mid back", "right shoulder blade"],
            "abdomen": ["left lower abdomen", "epigastrium"],
            "arm": ["upper arm", "deltoid"],
            "forearm": ["volar forearm", "left forearm"],
            "hand": ["dorsal hand", "knuckle", "left thumb"],
            "foot": ["plantar foot", "big toe", "instep"],
            "thigh": ["anterior thigh", "inner thigh"],
            "lower extremity": ["lower leg", "pretibial area", "knee"],
        },
        "zh": {
            "face": ["左侧面颊", "额头", "右颞部"],
            "nose": ["鼻背部", "鼻尖部"],
            "ear": ["右耳", "耳垂"],
            "lip": ["上唇部", "唇红"],
            "scalp": ["头顶部", "枕部头皮"],
            "neck": ["颈前", "颈后"],
            "chest": ["前胸部", "胸壁"],
            "back": ["背部正中", "右背部"],
            "abdomen": ["下腹部", "右上腹"],
            "arm": ["左上臂外侧"],
            "forearm": ["右前臂伸侧", "前臂屈侧"],
            "hand": ["右手背部", "左手拇指"],
            "foot": ["右足底", "左足拇趾"],
            "thigh": ["右大腿内侧"],
            "lower extremity": ["左小腿胫前", "右膝"],
        },
    },
    site_templates={
        "en": ["{where}", "seen on the {where}", "location: {where}", "single lesion at {where}"],
        "zh": ["皮损见于{where}", "{where}有一皮疹", "发病部位：{where}", "于{where}发现皮损"],
    },
    sizes={
        "en": ["{mm}mm diameter", "~{cm} cm", "{mm} by {o} mm", "about {mm} millimetres"],
        "zh": ["直径{mm}毫米", "{cm}×{ocm}厘米", "约{mm}mm大小"],
    },
    fitzpatrick={
        "en": ["FST {roman}", "Fitz {n}", "Fitzpatrick type {n}"],
        "zh": ["Fitzpatrick {roman}型", "皮肤类型{roman}型"],
    },
    present={
        "en": {
            "itch": ["pruritus ++", "itches at night", "scratching it", "itch present"],
            "grew": [
                "enlarged over 6 months",
                "bigger than last year",
                "rapid growth",
                "grew since summer",
            ],
            "hurt": ["painful to touch", "aches", "pain on pressure", "hurts when bumped"],
            "changed": ["recent change", "colour has darkened", "shape changed", "changing lesion"],
            "bleed": [
                "bleeds spontaneously",
                "bleeding when scratched",
                "crusted and bled",
                "episode of bleeding",
            ],
        },
        "zh": {
            "itch": ["痒感明显", "瘙痒明显", "有瘙痒感"],
            "grew": ["皮损逐渐扩大", "近半年明显增大", "体积增大"],
            "hurt": ["有压痛", "偶感疼痛", "疼痛明显"],
            "changed": ["颜色加深", "近期有变化", "形状改变"],
            "bleed": ["易出血", "破溃出血", "搔抓后出血"],
        },
    },
    absent={
        "en": {
            "itch": ["not itching", "no pruritus", "itch denied", "pruritus absent"],
            "grew": ["has not enlarged", "no growth reported", "not getting bigger", "not grown"],
            "hurt": ["painless", "no tenderness", "pain denied", "no discomfort"],
            "changed": ["no recent change", "no change reported", "hasn't changed"],
            "bleed": ["no bleeding reported", "has not bled", "no h/o bleeding", "bleeding absent"],
        },
        "zh": {
            "itch": ["不痒", "无痒感", "瘙痒不明显"],
            "grew": ["未再增大", "无增大"],
            "hurt": ["不痛", "无压痛", "无痛感"],
            "changed": ["无明显改变", "未见变化"],
            "bleed": ["无破溃出血", "从未出血", "无渗血"],
        },
    },
    list_names={
        "en": {
            "itch": "itch",
            "grew": "growth",
            "hurt": "pain",
            "changed": "change",
            "bleed": "bleeding",
        },
        "zh": ZH_NAMES,
    },
    list_templates={
        "en": [
            lambda n: f"nil {_or(n)}",
            lambda n: f"patient denies {_and(n)}",
            lambda n: "/".join(n) + " all denied",
        ],
        "zh": [lambda n: "无" + "及".join(n), lambda n: "否认" + "、".join(n) + "等症状"],
    },
    history={
        "en": {
            ("skin_cancer_history", "present"): [
                "previous BCC excised",
                "melanoma in situ 2019",
                "had SCC removed from ear",
            ],
            ("skin_cancer_history", "absent"): [
                "no previous skin cancers",
                "never had skin cancer",
                "NMSC: none",
            ],
            ("cancer_history", "present"): [
                "history of colon cancer",
                "lymphoma in remission",
                "PMHx: breast ca",
            ],
            ("cancer_history", "absent"): ["no cancer history", "no other malignancies"],
            ("smoke", "present"): ["smokes", "20 pack-years", "active smoker"],
            ("smoke", "absent"): ["does not smoke", "never-smoker", "tobacco: none"],
            ("drink", "present"): ["drinks wine daily", "alcohol: yes", "social drinker"],
            ("drink", "absent"): ["doesn't drink", "no EtOH", "alcohol: none"],
            ("elevation", "present"): ["papule", "slightly raised", "dome-shaped"],
            ("elevation", "absent"): ["flat macule", "not elevated", "non-palpable"],
        },
        "zh": {
            ("skin_cancer_history", "present"): ["既往曾行基底细胞癌切除术", "有黑色素瘤病史"],
            ("skin_cancer_history", "absent"): ["无皮肤癌史", "否认皮肤恶性肿瘤史"],
            ("cancer_history", "present"): ["有结肠癌病史", "既往淋巴瘤"],
            ("cancer_history", "absent"): ["无其他肿瘤病史", "否认癌症史"],
            ("smoke", "present"): ["吸烟10年", "每日吸烟"],
            ("smoke", "absent"): ["无吸烟史", "不抽烟"],
            ("drink", "present"): ["有饮酒习惯", "经常饮酒"],
            ("drink", "absent"): ["无饮酒史", "不喝酒"],
            ("elevation", "present"): ["稍隆起", "高于皮面", "呈丘疹状"],
            ("elevation", "absent"): ["不隆起", "与皮面平齐"],
        },
    },
    hedges={
        "en": {
            "bleed": "?bleeding.",
            "itch": "Possibly itchy.",
            "hurt": "Unclear whether it hurts.",
        },
        "zh": {"bleed": "出血情况不详。", "itch": "可能有瘙痒。"},
    },
    suspicions={
        "en": [
            "DDx: BCC vs SCC.",
            "c/w seborrhoeic keratosis.",
            "Worrisome for melanoma.",
            "Arborizing vessels on dermoscopy.",
            "Waxy stuck-on appearance.",
        ],
        "zh": ["考虑鳞状细胞癌可能。", "需排除黑色素瘤。", "表面可见毛细血管扩张。"],
    },
    joiners={"en": [". ", ", ", "; "], "zh": ["，", "；"]},
)

BANK_C = Bank(
    name="c",
    demographics={
        "en": {
            "both": [
                "{Sex}, {age}y",
                "{age} year old {sex} patient",
                "pt {age}{s1}",
                "{age}-yr-old {word}",
                "{word} ({age})",
            ],
            "age": ["aged {age} yrs", "{age}yo"],
            "sex": ["{Sex}", "pt is {sex}"],
        },
        "zh": {
            "both": [
                "患者：{zsex}/{age}岁",
                "{zsex}/{age}岁",
                "年龄：{age}岁；性别：{zsex}",
                "{age}岁，{zsex}",
            ],
            "age": ["{age}周岁", "年龄：{age}"],
            "sex": ["性别：{zsex}性", "患者为{zsex}性"],
        },
    },
    sites={
        "en": {
            "face": ["right cheek", "glabella", "nasolabial fold", "preauricular cheek"],
            "nose": ["nasal dorsum", "right ala", "columella"],
            "ear": ["left helix", "ear lobe", "postauricular skin"],
            "lip": ["lower lip vermilion", "lip"],
            "scalp": ["parietal scalp", "scalp vertex"],
            "neck": ["lateral neck", "neck"],
            "chest": ["sternal area", "left breast"],
            "back": ["lumbar back", "left upper back", "between the shoulder blades"],
            "abdomen": ["umbilical area", "lower abdomen"],
            "arm": ["posterior upper arm", "left arm"],
            "forearm": ["extensor forearm", "forearm"],
            "hand": ["palm", "back of hand", "ring finger"],
            "foot": ["plantar heel", "second toe", "dorsal foot"],
            "thigh": ["lateral thigh", "medial thigh"],
            "lower extremity": ["calf", "anterior shin", "popliteal fossa"],
        },
        "zh": {
            "face": ["颊部", "面颊部", "颧部"],
            "nose": ["鼻部", "鼻翼部"],
            "ear": ["耳廓", "右耳后"],
            "lip": ["下唇部", "口唇"],
            "scalp": ["头皮", "头顶"],
            "neck": ["颈部", "左颈部"],
            "chest": ["胸部", "右胸部"],
            "back": ["背部", "上背部"],
            "abdomen": ["腹壁", "左下腹"],
            "arm": ["上臂"],
            "forearm": ["左前臂", "前臂"],
            "hand": ["手背", "右手中指"],
            "foot": ["足背", "左足底"],
            "thigh": ["大腿", "大腿外侧"],
            "lower extremity": ["小腿", "右小腿"],
        },
    },
    site_templates={
        "en": ["on {where}", "{where}", "involving the {where}", "at the {where}"],
        "zh": ["主诉：{where}皮疹", "{where}皮损", "病变位于{where}", "查体：{where}可见皮损"],
    },
    sizes={
        "en": [
            "{mm} mm",
            "{mm}x{o}mm",
            "{cm}cm in diameter",
            "diameter {mm} mm",
            "measuring {cm} by {ocm} cm",
        ],
        "zh": ["{mm}mm×{o}mm", "直径约{mm}mm", "约{cm}cm", "{mm}毫米大小"],
    },
    fitzpatrick={
        "en": ["skin phototype {roman}", "Fitzpatrick skin type {n}", "type {roman} skin"],
        "zh": ["Fitzpatrick皮肤分型：{roman}", "皮肤分型{roman}型"],
    },
    present={
        "en": {
            "itch": ["complaining of itch", "intensely itchy", "itching+", "pruritus reported"],
            "grew": ["increasing in size", "growing", "has enlarged", "size increased"],
            "hurt": ["tender", "sore", "pain reported", "painful lesion"],
            "changed": [
                "changing in colour",
                "recent changes",
                "has changed",
                "change in appearance",
            ],
            "bleed": ["bleeding", "has bled", "bleeds easily", "intermittent bleeding"],
        },
        "zh": {
            "itch": ["伴痒", "瘙痒剧烈", "痒（+）"],
            "grew": ["逐渐增大", "进行性增大", "面积扩大"],
            "hurt": ["伴压痛", "有疼痛", "疼痛感"],
            "changed": ["颜色变化", "近期改变", "形态改变"],
            "bleed": ["有出血", "接触性出血", "反复出血"],
        },
    },
    absent={
        "en": {
            "itch": ["no itchiness", "nonpruritic", "not pruritic", "itching: absent"],
            "grew": ["no enlargement", "not grown in size", "no growth noted", "size stable"],
            "hurt": ["nontender", "no pain reported", "pain-free", "not sore"],
            "changed": ["no changes", "has not changed", "no recent changes"],
            "bleed": [
                "no bleeding episodes",
                "does not bleed",
                "no history of bleeding",
                "denies any bleeding",
            ],
        },
        "zh": {
            "itch": ["无痒", "不伴瘙痒", "瘙痒：无"],
            "grew": ["未增大", "增大：无"],
            "hurt": ["无痛", "疼痛：无", "不伴疼痛"],
            "changed": ["无改变", "变化：无"],
            "bleed": ["无出血史", "出血：无", "未出血"],
        },
    },
    list_names={"en": EN_NAMES, "zh": ZH_NAMES},
    list_templates={
        "en": [
            lambda n: f"denies any {_or(n)}",
            lambda n: f"no {_or(n)} reported",
            lambda n: f"{_and(n)}: negative",
        ],
        "zh": [lambda n: "无" + "、".join(n), lambda n: "不伴" + "、".join(n[:-1]) + "及" + n[-1]],
    },
    history={
        "en": {
            ("skin_cancer_history", "present"): [
                "personal hx of melanoma",
                "BCC removed 2 yrs ago",
                "previous skin cancer",
            ],
            ("skin_cancer_history", "absent"): [
                "no personal history of skin cancer",
                "no previous melanoma",
                "skin cancer history: negative",
            ],
            ("cancer_history", "present"): [
                "prior colon cancer",
                "hx of prostate ca",
                "breast cancer survivor",
            ],
            ("cancer_history", "absent"): ["no prior malignancy", "no history of cancer"],
            ("smoke", "present"): ["smokes cigarettes", "tobacco use", "smoking history"],
            ("smoke", "absent"): ["nonsmoker", "no tobacco use", "never a smoker"],
            ("drink", "present"): ["consumes alcohol", "drinks beer", "alcohol use: yes"],
            ("drink", "absent"): ["denies alcohol", "no alcohol use", "abstains from alcohol"],
            ("elevation", "present"): ["elevated", "raised lesion", "nodule"],
            ("elevation", "absent"): ["macule", "flat lesion", "non-elevated"],
        },
        "zh": {
            ("skin_cancer_history", "present"): ["既往皮肤癌病史", "曾行黑色素瘤切除"],
            ("skin_cancer_history", "absent"): ["无皮肤癌病史", "既往史：无皮肤恶性肿瘤"],
            ("cancer_history", "present"): ["既往胃癌术后", "有肝癌病史"],
            ("cancer_history", "absent"): ["否认肿瘤病史", "无恶性肿瘤病史"],
            ("smoke", "present"): ["吸烟", "抽烟30年"],
            ("smoke", "absent"): ["不吸烟", "无烟草接触"],
            ("drink", "present"): ["饮酒", "长期饮酒"],
            ("drink", "absent"): ["不饮酒", "否认饮酒史"],
            ("elevation", "present"): ["隆起于皮面", "突出皮面"],
            ("elevation", "absent"): ["不突出皮面", "平坦"],
        },
    },
    hedges={
        "en": {"bleed": "May have bled.", "itch": "Itch uncertain.", "hurt": "Possibly tender."},
        "zh": {"bleed": "出血不确定。", "itch": "可能伴瘙痒。"},
    },
    suspicions={
        "en": [
            "Ddx includes BCC.",
            "Clinical impression: melanoma.",
            "Probable dermatofibroma.",
            "Shiny surface with arborizing vessels.",
            "Rule out SCC.",
        ],
        "zh": ["临床诊断：基底细胞癌？", "倾向脂溢性角化病。", "表面有鳞屑。"],
    },
    joiners={"en": [", ", "; ", ". "], "zh": ["，", "；"]},
)

BANKS = {"a": BANK_A, "b": BANK_B, "c": BANK_C}
