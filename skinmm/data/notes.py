"""Clinical notes in English and Chinese, rendered from structured fields.

A note is written the way a clinician would write the anamnesis: only the fields that are
known, in a fixed order. Missing fields are left out, never written as "unknown". Fields that
encode the diagnosis (HAM10000 ``dx``/``dx_type``, PAD-UFES-20 ``diagnostic``/``biopsed``) are
not note fields at all, so they cannot leak into a note.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

LANGS = ("en", "zh")

# Canonical site key -> (English phrase after "Lesion on", Chinese name).
SITES: dict[str, tuple[str, str]] = {
    "abdomen": ("the abdomen", "腹部"),
    "acral": ("an acral site", "肢端"),
    "arm": ("the arm", "上臂"),
    "back": ("the back", "背部"),
    "chest": ("the chest", "胸部"),
    "ear": ("the ear", "耳部"),
    "face": ("the face", "面部"),
    "foot": ("the foot", "足部"),
    "forearm": ("the forearm", "前臂"),
    "genital": ("the genital area", "生殖器部位"),
    "hand": ("the hand", "手部"),
    "lip": ("the lip", "唇部"),
    "lower extremity": ("the lower limb", "下肢"),
    "neck": ("the neck", "颈部"),
    "nose": ("the nose", "鼻部"),
    "scalp": ("the scalp", "头皮"),
    "thigh": ("the thigh", "大腿"),
    "trunk": ("the trunk", "躯干"),
    "upper extremity": ("the upper limb", "上肢"),
}

COUNTRIES_ZH: dict[str, str] = {
    "austria": "奥地利",
    "brazil": "巴西",
    "czech": "捷克",
    "germany": "德国",
    "israel": "以色列",
    "italy": "意大利",
    "netherlands": "荷兰",
    "poland": "波兰",
    "pomerania": "波美拉尼亚",
    "portugal": "葡萄牙",
    "spain": "西班牙",
}

# (field, English noun, Chinese noun) for symptoms the patient reports or denies.
SYMPTOMS: tuple[tuple[str, str, str], ...] = (
    ("itch", "itching", "瘙痒"),
    ("grew", "growth", "增大"),
    ("hurt", "pain", "疼痛"),
    ("changed", "change", "变化"),
    ("bleed", "bleeding", "出血"),
)

# (field, English if true, English if false, Chinese if true, Chinese if false).
HISTORY: tuple[tuple[str, str, str, str, str], ...] = (
    ("smoke", "Smoker.", "Non-smoker.", "吸烟。", "不吸烟。"),
    ("drink", "Drinks alcohol.", "Does not drink alcohol.", "饮酒。", "不饮酒。"),
    (
        "pesticide",
        "Exposed to pesticides.",
        "No pesticide exposure.",
        "有农药接触史。",
        "无农药接触史。",
    ),
    (
        "skin_cancer_history",
        "Personal history of skin cancer.",
        "No personal history of skin cancer.",
        "既往有皮肤癌病史。",
        "既往无皮肤癌病史。",
    ),
    (
        "cancer_history",
        "Personal history of other cancer.",
        "No personal history of other cancer.",
        "既往有其他癌症病史。",
        "既往无其他癌症病史。",
    ),
    (
        "has_piped_water",
        "Home has piped water.",
        "No piped water at home.",
        "家中有自来水。",
        "家中无自来水。",
    ),
    (
        "has_sewage_system",
        "Home has a sewage system.",
        "No sewage system at home.",
        "家中有污水处理系统。",
        "家中无污水处理系统。",
    ),
)

# Every structured field a note may use; dropout and the manifests work on these names.
NOTE_FIELDS: tuple[str, ...] = (
    "sex",
    "age",
    "fitzpatrick",
    "site",
    "diameter_1",
    "diameter_2",
    *(s[0] for s in SYMPTOMS),
    "elevation",
    *(h[0] for h in HISTORY),
    "background_father",
    "background_mother",
)

# Fields that are dropped together in field dropout (one clinical fact each).
_DIAMETERS = ("diameter_1", "diameter_2")
FIELD_UNITS: tuple[tuple[str, ...], ...] = (
    *((f,) for f in NOTE_FIELDS if f not in _DIAMETERS),
    _DIAMETERS,
)

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}


def is_missing(value: Any) -> bool:
    """True for None, NaN, empty strings and the datasets' 'unknown' markers."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return value.strip().lower() in {"", "unknown", "unk", "nan", "none"}
    # pandas only here (NaT, pd.NA): importing it costs the one-image predict a second.
    import pandas as pd

    return bool(pd.isna(value)) if np.isscalar(value) else False


def _get(fields: Mapping[str, Any], name: str) -> Any:
    value = fields.get(name)
    return None if is_missing(value) else value


def _flag(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    return bool(value)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _demographics(fields: Mapping[str, Any], lang: str) -> str:
    sex = _get(fields, "sex")
    sex = str(sex).lower() if sex is not None else None
    age = _number(_get(fields, "age"))
    if age is not None and age <= 0:  # HAM10000 writes 0 for an unknown age
        age = None
    parts: list[str] = []
    if lang == "zh":
        if sex in ("male", "female"):
            parts.append("男" if sex == "male" else "女")
        if age is not None:
            parts.append(f"{_fmt(age)}岁")
        return "，".join(parts) + "。" if parts else ""
    if sex in ("male", "female"):
        parts.append(sex.capitalize())
    if age is not None:
        parts.append(f"{_fmt(age)} years" if parts else f"Aged {_fmt(age)} years")
    return ", ".join(parts) + "." if parts else ""


def _skin_type(fields: Mapping[str, Any], lang: str) -> str:
    number = _number(_get(fields, "fitzpatrick"))
    if number is None or int(number) not in ROMAN:
        return ""
    roman = ROMAN[int(number)]
    return f"Fitzpatrick皮肤分型{roman}型。" if lang == "zh" else f"Fitzpatrick skin type {roman}."


def _lesion(fields: Mapping[str, Any], lang: str) -> str:
    site = _get(fields, "site")
    site = SITES.get(str(site).lower()) if site is not None else None
    d1, d2 = (_number(_get(fields, k)) for k in ("diameter_1", "diameter_2"))
    size = [d for d in (d1, d2) if d is not None]
    if lang == "zh":
        text = f"皮损位于{site[1]}" if site else ("皮损" if size else "")
        if size:
            text += "，大小" + "×".join(_fmt(d) for d in size) + "毫米"
        return text + "。" if text else ""
    text = f"Lesion on {site[0]}" if site else ("Lesion" if size else "")
    if size:
        text += (", " if site else " ") + " x ".join(_fmt(d) for d in size) + " mm"
    return text + "." if text else ""


def _join(words: list[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _symptoms(fields: Mapping[str, Any], lang: str) -> str:
    present: list[str] = []
    absent: list[str] = []
    for name, en, zh in SYMPTOMS:
        flag = _flag(_get(fields, name))
        if flag is not None:
            (present if flag else absent).append(zh if lang == "zh" else en)
    out = []
    if lang == "zh":
        if present:
            out.append(f"自诉{_join(present, lang)}。")
        if absent:
            out.append(f"否认{_join(absent, lang)}。")
    else:
        if present:
            out.append(f"Reports {_join(present, lang)}.")
        if absent:
            out.append(f"Denies {_join(absent, lang)}.")
    elevation = _flag(_get(fields, "elevation"))
    if elevation is not None:
        if lang == "zh":
            out.append("皮损隆起。" if elevation else "皮损平坦。")
        else:
            out.append("The lesion is raised." if elevation else "The lesion is flat.")
    return " ".join(out) if lang == "en" else "".join(out)


def _history(fields: Mapping[str, Any], lang: str) -> str:
    out = []
    for name, en_yes, en_no, zh_yes, zh_no in HISTORY:
        flag = _flag(_get(fields, name))
        if flag is not None:
            out.append((zh_yes if flag else zh_no) if lang == "zh" else (en_yes if flag else en_no))
    return " ".join(out) if lang == "en" else "".join(out)


def _origin(fields: Mapping[str, Any], lang: str) -> str:
    out = []
    for name, en, zh in (
        ("background_father", "Father", "父亲"),
        ("background_mother", "Mother", "母亲"),
    ):
        value = _get(fields, name)
        if value is None:
            continue
        key = str(value).strip().lower().replace("brasil", "brazil")
        if lang == "zh":
            out.append(f"{zh}祖籍{COUNTRIES_ZH.get(key, str(value))}。")
        else:
            out.append(f"{en}'s family origin: {key.title()}.")
    return " ".join(out) if lang == "en" else "".join(out)


def render_note(fields: Mapping[str, Any], lang: str = "en") -> str:
    """Write a clinical note from structured fields, leaving out every missing one.

    Parameters
    ----------
    fields : mapping
        Field name (see :data:`NOTE_FIELDS`) to value; unknown names are ignored.
    lang : {"en", "zh"}
        Language of the note.
    """
    if lang not in LANGS:
        raise ValueError(f"Unknown note language {lang!r}; use one of {', '.join(LANGS)}.")
    parts = (
        _demographics(fields, lang),
        _skin_type(fields, lang),
        _lesion(fields, lang),
        _symptoms(fields, lang),
        _history(fields, lang),
        _origin(fields, lang),
    )
    return ("" if lang == "zh" else " ").join(p for p in parts if p)


def without_units(fields: Mapping[str, Any], units: Iterable[tuple[str, ...]]) -> dict[str, Any]:
    """A copy of ``fields`` with every field of ``units`` (facts dropped together) missing."""
    out = dict(fields)
    for unit in units:
        out.update(dict.fromkeys(unit))
    return out


def drop_fields(fields: Mapping[str, Any], p: float, rng: np.random.Generator) -> dict[str, Any]:
    """A copy of ``fields`` with each clinical fact removed with probability ``p``."""
    # One draw per unit, always: a seeded stream stays the same whatever is dropped.
    return without_units(fields, [unit for unit in FIELD_UNITS if rng.random() < p])


def note_fields(frame: pd.DataFrame) -> list[str]:
    """The note fields that a manifest carries as columns."""
    return [f for f in NOTE_FIELDS if f in frame.columns]


def render_notes(
    frame: pd.DataFrame,
    lang: str = "en",
    drop: float = 0.0,
    rng: np.random.Generator | None = None,
) -> list[str]:
    """Render one note per manifest row from its structured columns.

    With ``drop > 0`` each fact is independently left out with that probability (field
    dropout, for training and for the missing-metadata evaluation). Rows of a manifest
    without structured columns keep their free-text ``note``.
    """
    columns = note_fields(frame)
    if not columns:
        return frame["note"].fillna("").astype(str).tolist()
    rng = rng if rng is not None else np.random.default_rng(0)
    records: Iterable[dict[str, Any]] = frame[columns].to_dict("records")
    return [render_note(drop_fields(r, drop, rng) if drop > 0 else r, lang) for r in records]
