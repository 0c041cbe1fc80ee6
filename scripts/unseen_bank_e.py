"""Held-out wording bank e for the note reader (issue 16), written blind to the reader.

Styles not used by banks a-d: dictated discharge-summary prose, nurse intake checklists (Y/N),
teledermatology request forms, question-and-answer transcripts, bullet problem lists; in Chinese
住院病历 体格检查 paragraphs, 电子病历 templates with 【】, 互联网医院 问诊 dialogue and 护理评估 是/否
checklists. Each note's facts are drawn first and the text is written from them only, so a fact
absent from `facts` is never mentioned.

    python scripts/unseen_bank_e.py  # writes tests/data/unseen_notes_e.jsonl
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "unseen_notes_e.jsonl"
N_PER_LANG = 200
SEED = 20261130

SYMPTOMS = ("itch", "grew", "hurt", "changed", "bleed", "elevation")
HISTORY = ("skin_cancer_history", "cancer_history", "smoke", "drink")

SITE_EN = {
    "abdomen": ["abdomen", "abdominal wall", "periumbilical abdomen"],
    "acral": ["acral skin", "acral region"],
    "arm": ["upper arm", "left upper arm", "right arm"],
    "back": ["back", "upper back", "lower back", "interscapular back"],
    "chest": ["chest", "anterior chest", "chest wall"],
    "ear": ["ear", "helix of the right ear", "left earlobe"],
    "face": ["face", "cheek", "left cheek", "forehead"],
    "foot": ["foot", "dorsum of the foot", "left heel", "sole of the foot"],
    "forearm": ["forearm", "right forearm", "volar forearm"],
    "genital": ["genital area", "genital skin"],
    "hand": ["hand", "back of the hand", "right hand"],
    "lip": ["lip", "lower lip", "upper lip"],
    "lower extremity": ["lower extremity", "lower limb", "left lower leg"],
    "neck": ["neck", "side of the neck", "posterior neck"],
    "nose": ["nose", "nasal tip", "ala of the nose"],
    "scalp": ["scalp", "vertex of the scalp", "occipital scalp"],
    "thigh": ["thigh", "right thigh", "anterior thigh"],
    "trunk": ["trunk", "flank"],
    "upper extremity": ["upper extremity", "upper limb", "left upper limb"],
}
SITE_ZH = {
    "abdomen": ["腹部", "腹壁", "脐周腹部"],
    "acral": ["肢端", "肢端皮肤"],
    "arm": ["上臂", "左上臂", "右上臂"],
    "back": ["背部", "上背部", "腰背部"],
    "chest": ["胸部", "前胸", "胸壁"],
    "ear": ["耳部", "右耳廓", "左耳垂"],
    "face": ["面部", "左颊部", "额部", "面颊"],
    "foot": ["足部", "足背", "左足跟", "足底"],
    "forearm": ["前臂", "右前臂", "左前臂屈侧"],
    "genital": ["生殖器部位", "外阴部"],
    "hand": ["手部", "手背", "右手"],
    "lip": ["唇部", "下唇", "上唇"],
    "lower extremity": ["下肢", "左下肢", "小腿"],
    "neck": ["颈部", "颈侧", "后颈部"],
    "nose": ["鼻部", "鼻尖", "鼻翼"],
    "scalp": ["头皮", "头顶部头皮", "枕部头皮"],
    "thigh": ["大腿", "右大腿", "大腿前侧"],
    "trunk": ["躯干", "躯干部"],
    "upper extremity": ["上肢", "左上肢", "右上肢"],
}

# Cancers other than skin cancer, by sex (None: either sex).
OTHER_CANCER = {
    "male": ["prostate cancer", "testicular cancer", "colon cancer", "lymphoma", "lung cancer"],
    "female": ["breast cancer", "ovarian cancer", "cervical cancer", "thyroid cancer", "lymphoma"],
    None: ["colon cancer", "lymphoma", "lung cancer", "thyroid cancer", "bladder cancer"],
}
OTHER_CANCER_ZH = {
    "male": ["前列腺癌", "睾丸癌", "结肠癌", "淋巴瘤", "肺癌"],
    "female": ["乳腺癌", "卵巢癌", "宫颈癌", "甲状腺癌", "淋巴瘤"],
    None: ["结肠癌", "淋巴瘤", "肺癌", "甲状腺癌", "膀胱癌"],
}
SKIN_CANCER = ["basal cell carcinoma", "melanoma", "squamous cell carcinoma", "BCC"]
SKIN_CANCER_ZH = ["基底细胞癌", "黑色素瘤", "皮肤鳞状细胞癌"]


def draw_facts(rng: random.Random) -> dict:
    f: dict = {}
    if rng.random() < 0.9:
        f["age"] = rng.randint(18, 92)
    if rng.random() < 0.88:
        f["sex"] = rng.choice(["male", "female"])
    if rng.random() < 0.92:
        f["site"] = rng.choice(sorted(SITE_EN))
    if rng.random() < 0.6:
        f["diameter_mm"] = float(rng.choice([2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 18, 20, 25]))
        if rng.random() < 0.3:
            f["diameter_mm"] += 0.5
    for s in SYMPTOMS:
        if rng.random() < 0.55:
            f[s] = rng.choice(["present", "absent"])
    for h in HISTORY:
        if rng.random() < 0.4:
            f[h] = rng.choice(["present", "absent"])
    return f


def fmt_mm(d: float) -> str:
    return f"{d:g}"


# ---------------------------------------------------------------- English wordings
EN_SYM = {
    "itch": (
        ["it itches", "pruritic", "the patient reports itching"],
        ["not itchy", "no pruritus", "denies itching"],
    ),
    "grew": (
        ["it has been getting bigger", "enlarging", "increasing in size"],
        ["not growing", "no increase in size", "stable in size"],
    ),
    "hurt": (
        ["painful", "tender and sore", "the patient reports pain"],
        ["painless", "no pain", "not tender"],
    ),
    "changed": (
        ["changed in appearance", "has changed colour and shape", "evolving"],
        ["unchanged in appearance", "no change in colour or shape", "no recent change"],
    ),
    "bleed": (
        ["has bled", "bleeds on contact", "episodes of bleeding"],
        ["no bleeding", "has never bled", "denies bleeding"],
    ),
    "elevation": (
        ["raised", "elevated above the skin", "palpable and raised"],
        ["flat", "macular, not raised", "not elevated"],
    ),
}
# Yes/no question for each fact, for checklists and Q&A.
EN_Q = {
    "itch": ["Itching", "Does it itch?", "Pruritus"],
    "grew": ["Growing", "Has it grown?", "Increase in size"],
    "hurt": ["Pain", "Does it hurt?", "Tenderness/pain"],
    "changed": ["Change in appearance", "Has it changed in colour or shape?", "Changing"],
    "bleed": ["Bleeding", "Has it bled?", "Bleeding episodes"],
    "elevation": ["Raised lesion", "Is it raised above the skin?", "Elevated"],
    "skin_cancer_history": [
        "Previous skin cancer",
        "Have you ever had skin cancer?",
        "Hx skin cancer",
    ],
    "cancer_history": [
        "Other cancer history",
        "Have you had any other cancer?",
        "Hx other malignancy",
    ],
    "smoke": ["Smoker", "Do you smoke?", "Tobacco use"],
    "drink": ["Alcohol use", "Do you drink alcohol?", "Drinks alcohol"],
}


def en_hist(f: dict, k: str, rng: random.Random) -> str:
    v = f[k]
    sex = f.get("sex")
    if k == "skin_cancer_history":
        if v == "present":
            return rng.choice(
                [
                    f"previous {rng.choice(SKIN_CANCER)} excised",
                    f"history of {rng.choice(SKIN_CANCER)}",
                ]
            )
        return rng.choice(["no previous skin cancer", "no history of skin cancer"])
    if k == "cancer_history":
        if v == "present":
            return rng.choice(
                [
                    f"treated for {rng.choice(OTHER_CANCER[sex])}",
                    f"past history of {rng.choice(OTHER_CANCER[sex])}",
                ]
            )
        return rng.choice(["no other cancer history", "no history of any other malignancy"])
    if k == "smoke":
        return (
            rng.choice(["current smoker", "smokes 10 cigarettes a day"])
            if v == "present"
            else rng.choice(["never smoked", "non-smoker"])
        )
    return (
        rng.choice(["drinks alcohol regularly", "drinks wine most evenings"])
        if v == "present"
        else rng.choice(["teetotal", "does not drink alcohol"])
    )


def en_size(d: float, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.35:
        return f"{fmt_mm(d)} mm"
    if r < 0.6:
        return f"{d / 10:g} cm"
    small = max(1.0, d - rng.choice([1, 2, 3]))
    return f"{fmt_mm(d)} x {fmt_mm(small)} mm"


def art(age: int) -> str:
    return "an" if age in (8, 11, 18) or 80 <= age <= 89 else "a"


def en_who(f: dict, rng: random.Random) -> str:
    age, sex = f.get("age"), f.get("sex")
    if age is not None and sex:
        return rng.choice(
            [
                f"{art(age)} {age}-year-old {'man' if sex == 'male' else 'woman'}",
                f"a {sex} aged {age}",
            ]
        )
    if age is not None:
        return rng.choice([f"{art(age)} {age}-year-old patient", f"a patient aged {age}"])
    if sex:
        return rng.choice(["a gentleman" if sex == "male" else "a lady", f"a {sex} patient"])
    return "the patient"


def en_discharge(f: dict, rng: random.Random) -> str:
    s = [
        f"This is a dictated discharge summary for {en_who(f, rng)} admitted for excision of a pigmented lesion."
    ]
    desc = []
    if "site" in f:
        desc.append(f"located on the {rng.choice(SITE_EN[f['site']])}")
    if "diameter_mm" in f:
        desc.append(f"measuring {en_size(f['diameter_mm'], rng)} at its widest")
    if desc:
        s.append("The lesion was " + " and ".join(desc) + ".")
    sym = [rng.choice(EN_SYM[k][0 if f[k] == "present" else 1]) for k in SYMPTOMS if k in f]
    if sym:
        s.append("Findings on admission: " + "; ".join(sym) + ".")
    hist = [en_hist(f, k, rng) for k in HISTORY if k in f]
    if hist:
        s.append("Background: " + "; ".join(hist) + ".")
    s.append("Wound healing uneventful. Discharged home with follow-up in clinic.")
    return " ".join(s)


def en_yn(v: str, rng: random.Random) -> str:
    return rng.choice(
        ["Y", "Yes", "[x] Y  [ ] N"] if v == "present" else ["N", "No", "[ ] Y  [x] N"]
    )


def en_nurse(f: dict, rng: random.Random) -> str:
    lines = ["NURSING INTAKE CHECKLIST - skin lesion"]
    if "age" in f:
        lines.append(f"Age: {f['age']}")
    if "sex" in f:
        lines.append(f"Sex: {rng.choice([f['sex'].upper()[0], f['sex'].capitalize()])}")
    if "site" in f:
        lines.append(f"Body site: {rng.choice(SITE_EN[f['site']])}")
    if "diameter_mm" in f:
        lines.append(f"Size (largest): {en_size(f['diameter_mm'], rng)}")
    for k in SYMPTOMS + HISTORY:
        if k in f:
            lines.append(f"{rng.choice(EN_Q[k][::2])}: {en_yn(f[k], rng)}")
    return "\n".join(lines)


def en_tele(f: dict, rng: random.Random) -> str:
    parts = ["Teledermatology request form.", "Referring clinician: GP practice."]
    demo = []
    if "age" in f:
        demo.append(f"age {f['age']} years")
    if "sex" in f:
        demo.append(f"gender {f['sex']}")
    if demo:
        parts.append("Patient: " + ", ".join(demo) + ".")
    if "site" in f:
        parts.append(f"Anatomical location of image: {rng.choice(SITE_EN[f['site']])}.")
    if "diameter_mm" in f:
        parts.append(f"Lesion size with ruler in photo: {en_size(f['diameter_mm'], rng)}.")
    sym = [rng.choice(EN_SYM[k][0 if f[k] == "present" else 1]) for k in SYMPTOMS if k in f]
    if sym:
        parts.append("Clinical features: " + "; ".join(sym) + ".")
    hist = [en_hist(f, k, rng) for k in HISTORY if k in f]
    if hist:
        parts.append("Relevant history: " + "; ".join(hist) + ".")
    parts.append(
        "Question for dermatologist: please advise on management. Images attached: 3 (dermoscopic)."
    )
    return "\n".join(parts)


EN_ANS_YES = ["Yes.", "Yeah.", "Yes, I think so.", "Yes, definitely."]
EN_ANS_NO = ["No.", "No, not at all.", "Nope.", "I don't think so, no."]


def en_qa(f: dict, rng: random.Random) -> str:
    qa = []
    head = "Telephone consultation transcript"
    if "sex" in f:
        head += f" (patient: {f['sex']})"
    if "age" in f:
        qa.append(("How old are you?", rng.choice([f"{f['age']}.", f"I'm {f['age']}."])))
    if "site" in f:
        qa.append(("Where is the spot?", f"On the {rng.choice(SITE_EN[f['site']])}."))
    if "diameter_mm" in f:
        qa.append(
            (
                "How big is it, at the widest?",
                f"About {en_size(f['diameter_mm'], rng)}, we measured it.",
            )
        )
    for k in SYMPTOMS:
        if k in f:
            q = EN_Q[k][1]
            qa.append((q, rng.choice(EN_ANS_YES if f[k] == "present" else EN_ANS_NO)))
    for k in HISTORY:
        if k in f:
            q = EN_Q[k][1]
            if f[k] == "present" and k == "cancer_history":
                a = f"Yes, {rng.choice(OTHER_CANCER[f.get('sex')])} some years ago."
            elif f[k] == "present" and k == "skin_cancer_history":
                a = f"Yes, a {rng.choice(SKIN_CANCER)} was removed."
            else:
                a = rng.choice(EN_ANS_YES[:1] if f[k] == "present" else EN_ANS_NO[:2])
            qa.append((q, a))
    return head + ". " + rng.choice([" ", "\n"]).join(f"Q: {q} A: {a}" for q, a in qa)


def en_bullets(f: dict, rng: random.Random) -> str:
    head = "Problem list"
    if "age" in f or "sex" in f:
        bits = []
        if "age" in f:
            bits.append(f"{f['age']}y")
        if "sex" in f:
            bits.append(f["sex"])
        head += " (" + ", ".join(bits) + ")"
    items = []
    lesion = "Skin lesion"
    if "site" in f:
        lesion += f", {rng.choice(SITE_EN[f['site']])}"
    if "diameter_mm" in f:
        lesion += f", {en_size(f['diameter_mm'], rng)} across"
    items.append("1. " + lesion)
    for k in SYMPTOMS:
        if k in f:
            items.append("   - " + rng.choice(EN_SYM[k][0 if f[k] == "present" else 1]))
    n = 2
    for k in HISTORY:
        if k in f:
            items.append(f"{n}. " + en_hist(f, k, rng).capitalize())
            n += 1
    return head + ":\n" + "\n".join(items)


# ---------------------------------------------------------------- Chinese wordings
ZH_SYM = {
    "itch": (["伴瘙痒", "自觉瘙痒"], ["无瘙痒", "不痒"]),
    "grew": (["近期逐渐增大", "皮损较前增大"], ["未见增大", "大小无明显变化"]),
    "hurt": (["伴疼痛", "触痛明显"], ["无疼痛", "无触痛"]),
    "changed": (["颜色形态较前改变", "外观有变化"], ["外观无改变", "颜色形态未变"]),
    "bleed": (["曾有出血", "易出血"], ["无出血", "从未出血"]),
    "elevation": (["皮损高出皮面", "隆起于皮面"], ["皮损平于皮面", "未隆起"]),
}
ZH_Q = {
    "itch": ("痒不痒？", "瘙痒"),
    "grew": ("最近有没有变大？", "增大"),
    "hurt": ("疼不疼？", "疼痛"),
    "changed": ("颜色或形状有变化吗？", "形态变化"),
    "bleed": ("有没有出过血？", "出血"),
    "elevation": ("摸起来是凸起的吗？", "隆起"),
    "skin_cancer_history": ("以前得过皮肤癌吗？", "皮肤癌病史"),
    "cancer_history": ("以前得过其他癌症吗？", "其他肿瘤史"),
    "smoke": ("抽烟吗？", "吸烟"),
    "drink": ("喝酒吗？", "饮酒"),
}


def zh_hist(f: dict, k: str, rng: random.Random) -> str:
    v = f[k]
    if k == "skin_cancer_history":
        return (
            f"既往{rng.choice(SKIN_CANCER_ZH)}切除史"
            if v == "present"
            else rng.choice(["否认皮肤癌病史", "既往无皮肤恶性肿瘤"])
        )
    if k == "cancer_history":
        return (
            f"既往{rng.choice(OTHER_CANCER_ZH[f.get('sex')])}病史"
            if v == "present"
            else rng.choice(["否认其他肿瘤病史", "无其他恶性肿瘤史"])
        )
    if k == "smoke":
        return (
            rng.choice(["吸烟20年", "有吸烟史"])
            if v == "present"
            else rng.choice(["否认吸烟", "不吸烟"])
        )
    return (
        rng.choice(["有饮酒史", "经常饮酒"])
        if v == "present"
        else rng.choice(["否认饮酒", "不饮酒"])
    )


def zh_size(d: float, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return f"{fmt_mm(d)}mm"
    if r < 0.7:
        return f"{d / 10:g}cm"
    small = max(1.0, d - rng.choice([1, 2, 3]))
    return f"{fmt_mm(d)}mm×{fmt_mm(small)}mm"


def zh_sex(s: str) -> str:
    return "男" if s == "male" else "女"


def zh_inpatient(f: dict, rng: random.Random) -> str:
    s = []
    who = []
    if "sex" in f:
        who.append(f"患者{zh_sex(f['sex'])}性")
    if "age" in f:
        who.append(f"{f['age']}岁")
    s.append(("，".join(who) if who else "患者") + "，因皮肤肿物入院。")
    exam = "体格检查：生命体征平稳，浅表淋巴结未触及肿大。专科检查："
    d = []
    if "site" in f:
        d.append(f"{rng.choice(SITE_ZH[f['site']])}可见一褐黑色皮损")
    else:
        d.append("可见一褐黑色皮损")
    if "diameter_mm" in f:
        d.append(f"大小约{zh_size(f['diameter_mm'], rng)}")
    d += [rng.choice(ZH_SYM[k][0 if f[k] == "present" else 1]) for k in SYMPTOMS if k in f]
    s.append(exam + "，".join(d) + "。")
    h = [zh_hist(f, k, rng) for k in HISTORY if k in f]
    if h:
        s.append("个人史及既往史：" + "，".join(h) + "。")
    return "".join(s)


def zh_bracket(f: dict, rng: random.Random) -> str:
    rows = []
    if "sex" in f:
        rows.append(f"【性别】{zh_sex(f['sex'])}")
    if "age" in f:
        rows.append(f"【年龄】{f['age']}岁")
    if "site" in f:
        rows.append(f"【皮损部位】{rng.choice(SITE_ZH[f['site']])}")
    if "diameter_mm" in f:
        rows.append(f"【皮损大小】{zh_size(f['diameter_mm'], rng)}")
    sym = [rng.choice(ZH_SYM[k][0 if f[k] == "present" else 1]) for k in SYMPTOMS if k in f]
    if sym:
        rows.append("【现病史】" + "，".join(sym) + "。")
    h = [zh_hist(f, k, rng) for k in HISTORY if k in f]
    if h:
        rows.append("【既往史】" + "，".join(h) + "。")
    rows.append("【初步诊断】皮肤肿物待查")
    return rng.choice(["\n", " "]).join(rows)


ZH_YES = ["是的。", "有。", "有一点。", "对。"]
ZH_NO = ["没有。", "不会。", "没有的。", "不。"]


def zh_dialogue(f: dict, rng: random.Random) -> str:
    t = ["互联网医院图文问诊记录"]
    intro = []
    if "sex" in f:
        intro.append(f"性别：{zh_sex(f['sex'])}")
    if "age" in f:
        intro.append(f"年龄：{f['age']}岁")
    if intro:
        t.append("（" + "，".join(intro) + "）")
    t.append("医生：您好，请描述一下皮肤上的问题。")
    if "site" in f:
        t.append(f"患者：{rng.choice(SITE_ZH[f['site']])}长了一个黑点。")
    else:
        t.append("患者：皮肤上长了一个黑点。")
    if "diameter_mm" in f:
        t.append("医生：最宽的地方多大？")
        t.append(f"患者：量了一下，大概{zh_size(f['diameter_mm'], rng)}。")
    for k in SYMPTOMS + HISTORY:
        if k not in f:
            continue
        t.append(f"医生：{ZH_Q[k][0]}")
        if f[k] == "present" and k == "cancer_history":
            a = f"得过{rng.choice(OTHER_CANCER_ZH[f.get('sex')])}。"
        elif f[k] == "present" and k == "skin_cancer_history":
            a = f"以前切过一个{rng.choice(SKIN_CANCER_ZH)}。"
        else:
            a = rng.choice(ZH_YES if f[k] == "present" else ZH_NO)
        t.append(f"患者：{a}")
    return "\n".join(t)


def zh_nurse(f: dict, rng: random.Random) -> str:
    rows = ["护理评估单（皮肤科）"]
    if "age" in f:
        rows.append(f"年龄：{f['age']}")
    if "sex" in f:
        rows.append(f"性别：{zh_sex(f['sex'])}")
    if "site" in f:
        rows.append(f"部位：{rng.choice(SITE_ZH[f['site']])}")
    if "diameter_mm" in f:
        rows.append(f"最大径：{zh_size(f['diameter_mm'], rng)}")
    for k in SYMPTOMS + HISTORY:
        if k in f:
            mark = (
                rng.choice(["是", "☑是 □否"])
                if f[k] == "present"
                else rng.choice(["否", "□是 ☑否"])
            )
            rows.append(f"{ZH_Q[k][1]}：{mark}")
    return "\n".join(rows)


EN_STYLES = [en_discharge, en_nurse, en_tele, en_qa, en_bullets]
ZH_STYLES = [zh_inpatient, zh_bracket, zh_dialogue, zh_nurse]


def main() -> None:
    rng = random.Random(SEED)
    rows = []
    for lang, styles in (("en", EN_STYLES), ("zh", ZH_STYLES)):
        for i in range(N_PER_LANG):
            facts = draw_facts(rng)
            style = styles[i % len(styles)]
            note = style(facts, rng)
            rows.append(
                {
                    "id": f"e-{lang}-{i:04d}",
                    "lang": lang,
                    "style": style.__name__,
                    "note": note,
                    "facts": facts,
                }
            )
    OUT.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    print(f"wrote {len(rows)} notes to {OUT}")


if __name__ == "__main__":
    main()
