"""The class vocabulary of SkinMM.

The reference method classifies 12 common skin tumours. The paper names six of them:
melanoma, basal cell carcinoma, Bowen's disease, nevus, haemangioma and xanthogranuloma.
The other six are ours, chosen as the commonest remaining tumours in dermatology clinics
and in the public datasets we train on: seborrheic keratosis, actinic keratosis, squamous
cell carcinoma and dermatofibroma (named in the brief), plus solar lentigo (a third of
HAM10000's ``bkl`` class and the main dermoscopic mimic of lentigo maligna) and pyogenic
granuloma (the commonest acquired vascular tumour, part of HAM10000's ``vasc`` class and a
frequent amelanotic-melanoma mimic).

A model never predicts taxonomy classes directly: its classes are its training dataset's
labels (:class:`DatasetClass`), each of which lists the taxonomy codes it covers, so nothing
claims more precision than the data has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Risk(StrEnum):
    """Clinical risk level, used to colour results."""

    MALIGNANT = "malignant"
    PREMALIGNANT = "premalignant"  # premalignant or carcinoma in situ
    BENIGN = "benign"

    @property
    def rank(self) -> int:
        return {"malignant": 2, "premalignant": 1, "benign": 0}[self.value]


@dataclass(frozen=True)
class TumourClass:
    """One of the 12 reference tumour classes."""

    code: str
    name_en: str
    name_zh: str
    risk: Risk
    in_paper: bool


TAXONOMY: dict[str, TumourClass] = {
    c.code: c
    for c in (
        TumourClass("mel", "Melanoma", "黑色素瘤", Risk.MALIGNANT, True),
        TumourClass("bcc", "Basal cell carcinoma", "基底细胞癌", Risk.MALIGNANT, True),
        TumourClass("bowen", "Bowen's disease", "鲍温病", Risk.PREMALIGNANT, True),
        TumourClass("nev", "Melanocytic nevus", "色素痣", Risk.BENIGN, True),
        TumourClass("hem", "Haemangioma", "血管瘤", Risk.BENIGN, True),
        TumourClass("xg", "Xanthogranuloma", "黄色肉芽肿", Risk.BENIGN, True),
        TumourClass("sk", "Seborrheic keratosis", "脂溢性角化病", Risk.BENIGN, False),
        TumourClass("ak", "Actinic keratosis", "光线性角化病", Risk.PREMALIGNANT, False),
        TumourClass("scc", "Squamous cell carcinoma", "鳞状细胞癌", Risk.MALIGNANT, False),
        TumourClass("df", "Dermatofibroma", "皮肤纤维瘤", Risk.BENIGN, False),
        TumourClass("sl", "Solar lentigo", "日光性黑子", Risk.BENIGN, False),
        TumourClass("pg", "Pyogenic granuloma", "化脓性肉芽肿", Risk.BENIGN, False),
    )
}


@dataclass(frozen=True)
class DatasetClass:
    """A label of a training dataset: what a model actually predicts.

    ``covers`` lists the taxonomy codes the label spans; ``also`` names entities inside the
    label that the 12-class taxonomy does not list.
    """

    code: str
    name_en: str
    name_zh: str
    covers: tuple[str, ...]
    also: tuple[str, ...] = field(default=())

    @property
    def risk(self) -> Risk:
        """The highest risk among the covered tumours (a label is as dangerous as its worst)."""
        return max((TAXONOMY[c].risk for c in self.covers), key=lambda r: r.rank)

    def name(self, lang: str = "en") -> str:
        return self.name_zh if lang == "zh" else self.name_en


HAM10000_CLASSES: tuple[DatasetClass, ...] = (
    DatasetClass(
        "akiec",
        "Actinic keratosis / Bowen's disease",
        "光线性角化病/鲍温病",
        ("ak", "bowen"),
    ),
    DatasetClass("bcc", "Basal cell carcinoma", "基底细胞癌", ("bcc",)),
    DatasetClass(
        "bkl",
        "Benign keratosis (seborrheic keratosis, solar lentigo)",
        "良性角化病（脂溢性角化病、日光性黑子）",
        ("sk", "sl"),
        ("lichen planus-like keratosis",),
    ),
    DatasetClass("df", "Dermatofibroma", "皮肤纤维瘤", ("df",)),
    DatasetClass("mel", "Melanoma", "黑色素瘤", ("mel",)),
    DatasetClass("nv", "Melanocytic nevus", "色素痣", ("nev",)),
    DatasetClass(
        "vasc",
        "Vascular lesion (haemangioma, pyogenic granuloma)",
        "血管性病变（血管瘤、化脓性肉芽肿）",
        ("hem", "pg"),
        ("angiokeratoma",),
    ),
)

PAD_UFES_20_CLASSES: tuple[DatasetClass, ...] = (
    DatasetClass("ack", "Actinic keratosis", "光线性角化病", ("ak",)),
    DatasetClass("bcc", "Basal cell carcinoma", "基底细胞癌", ("bcc",)),
    DatasetClass("mel", "Melanoma", "黑色素瘤", ("mel",)),
    DatasetClass("nev", "Melanocytic nevus", "色素痣", ("nev",)),
    DatasetClass(
        "scc",
        "Squamous cell carcinoma (incl. Bowen's disease)",
        "鳞状细胞癌（含鲍温病）",
        ("scc", "bowen"),
    ),
    DatasetClass("sek", "Seborrheic keratosis", "脂溢性角化病", ("sk",)),
)

LABEL_SPACES: dict[str, tuple[DatasetClass, ...]] = {
    "ham10000": HAM10000_CLASSES,
    "pad-ufes-20": PAD_UFES_20_CLASSES,
}

# Raw dataset label -> SkinMM class code of that dataset's label space.
HAM10000_LABEL_MAP: dict[str, str] = {c.code: c.code for c in HAM10000_CLASSES}
PAD_UFES_20_LABEL_MAP: dict[str, str] = {c.code.upper(): c.code for c in PAD_UFES_20_CLASSES}


def label_space(name: str) -> tuple[DatasetClass, ...]:
    """The ordered classes of a named dataset label space."""
    try:
        return LABEL_SPACES[name]
    except KeyError:
        known = ", ".join(sorted(LABEL_SPACES))
        raise ValueError(f"Unknown label space {name!r}; known: {known}.") from None


def infer_classes(labels: Iterable[str], label_space: str = "auto") -> tuple[DatasetClass, ...]:
    """The label space whose codes cover every label of the training manifest."""
    present = set(labels) - {""}
    if label_space != "auto":
        return LABEL_SPACES[label_space]
    for space in LABEL_SPACES.values():
        if present <= {c.code for c in space}:
            return space
    raise ValueError(
        f"Labels {sorted(present)} match no known label space "
        f"({', '.join(LABEL_SPACES)}); use the class codes of one of them."
    )


def class_from_dict(d: dict) -> DatasetClass:
    """Rebuild a :class:`DatasetClass` saved in a model card."""
    return DatasetClass(
        d["code"], d["name_en"], d["name_zh"], tuple(d["covers"]), tuple(d.get("also", ()))
    )


def class_to_dict(c: DatasetClass) -> dict:
    return {
        "code": c.code,
        "name_en": c.name_en,
        "name_zh": c.name_zh,
        "covers": list(c.covers),
        "also": list(c.also),
        "risk": c.risk.value,
    }
