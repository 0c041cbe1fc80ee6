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

from collections.abc import Iterable, Sequence
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

# The 12 reference classes as a label space: what a clinic that labels every row with one
# taxonomy code trains on (`skinmm train --label-space taxonomy`).
TAXONOMY_CLASSES: tuple[DatasetClass, ...] = tuple(
    DatasetClass(c.code, c.name_en, c.name_zh, (c.code,)) for c in TAXONOMY.values()
)

# Public datasets' own label spaces: `--label-space auto` picks the first that fits the data.
DATASET_SPACES: dict[str, tuple[DatasetClass, ...]] = {
    "ham10000": HAM10000_CLASSES,
    "pad-ufes-20": PAD_UFES_20_CLASSES,
}
LABEL_SPACES: dict[str, tuple[DatasetClass, ...]] = {
    **DATASET_SPACES,
    "taxonomy": TAXONOMY_CLASSES,
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


LABEL_SPACE_CHOICES: tuple[str, ...] = ("auto", *LABEL_SPACES, "data")
LABEL_SPACE_RULE = (
    "auto: a public dataset's label space when every label is one of its classes, else the "
    "classes the labels support (data); data: the coarsest common level of the labels, where "
    "a coarse label (akiec = ak + bowen) merges the fine classes it spans into one class; "
    "taxonomy: the 12 reference classes, every row labelled with one taxonomy code"
)


def infer_classes(labels: Sequence[str], label_space: str = "auto") -> tuple[DatasetClass, ...]:
    """The classes a bundle learns from the labels of its training and validation manifests
    (see :data:`LABEL_SPACE_RULE`)."""
    present = set(labels) - {""}
    if label_space == "taxonomy":
        _check_taxonomy_labels(present)
        return TAXONOMY_CLASSES
    if label_space in LABEL_SPACES:
        return LABEL_SPACES[label_space]
    if label_space == "auto":
        for space in DATASET_SPACES.values():
            if present <= {c.code for c in space}:
                return space
    elif label_space != "data":
        raise ValueError(
            f"Unknown label space {label_space!r}; choose one of {', '.join(LABEL_SPACE_CHOICES)}."
        )
    classes = classes_from_labels(present)
    if len(classes) < 2:
        raise ValueError(
            f"The labels {sorted(present)} make {len(classes)} class; a bundle needs at least two."
        )
    return classes


def _check_taxonomy_labels(present: set[str]) -> None:
    coarse = sorted(present - set(TAXONOMY))
    if coarse:
        raise ValueError(
            f"Labels {', '.join(coarse)} are not single taxonomy codes, which the taxonomy "
            "label space needs; relabel those rows with one of "
            f"{', '.join(TAXONOMY)}, or train with --label-space data (the coarsest common "
            "level of the labels)."
        )
    missing = [c for c in TAXONOMY if c not in present]
    if missing:
        raise ValueError(
            f"No row is labelled {', '.join(missing)}; the taxonomy label space needs every "
            "one of the 12 classes. Add rows for them, or train with --label-space data to "
            "learn only the classes present."
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


def not_covered(classes: Sequence[DatasetClass]) -> list[str]:
    """The taxonomy codes no class covers: tumours a bundle cannot recognise at all."""
    covered = {code for c in classes for code in c.covers}
    return sorted(set(TAXONOMY) - covered)


def label_covers(label: str) -> tuple[str, ...] | None:
    """The taxonomy codes a manifest label stands for; None for a label SkinMM does not know.

    A taxonomy code means itself (so ``scc`` is squamous cell carcinoma alone, not
    PAD-UFES-20's SCC-with-Bowen's class); any other code is a public dataset's class.
    """
    if label in TAXONOMY:
        return (label,)
    for space in DATASET_SPACES.values():
        for c in space:
            if c.code == label:
                return c.covers
    return None


def _components(cover_sets: Iterable[tuple[str, ...]]) -> list[frozenset[str]]:
    """Merge cover sets that share a taxonomy code, until none overlap."""
    merged: list[set[str]] = []
    for covers in cover_sets:
        group = set(covers)
        for other in [m for m in merged if m & group]:
            group |= other
            merged.remove(other)
        merged.append(group)
    return [frozenset(m) for m in merged]


def _named_class(codes: frozenset[str]) -> DatasetClass:
    """A class for a set of taxonomy codes: the taxonomy's own for one code, a public
    dataset's class that spans exactly these codes, else the codes joined."""
    ordered = tuple(c for c in TAXONOMY if c in codes)
    if len(ordered) == 1:
        return next(c for c in TAXONOMY_CLASSES if c.code == ordered[0])
    for space in DATASET_SPACES.values():
        for c in space:
            if c.code not in TAXONOMY and set(c.covers) == codes:
                return c
    return DatasetClass(
        "+".join(ordered),
        " / ".join(TAXONOMY[c].name_en for c in ordered),
        "/".join(TAXONOMY[c].name_zh for c in ordered),
        ordered,
    )


def classes_from_labels(labels: Iterable[str]) -> tuple[DatasetClass, ...]:
    """The classes a training set supports, at the coarsest common level of its labels.

    A coarse label (HAM10000's ``akiec`` = ``ak`` + ``bowen``) and fine ones (a clinic's
    ``ak``, ``bowen``) in one training set become one class covering both codes: the coarse
    rows cannot say which of the two they are, so no class may claim a line between them
    that part of its training data could not teach. Labels whose codes do not overlap stay
    apart. Ordered by code; raises ValueError naming any unknown label.
    """
    present = sorted(set(labels) - {""})
    unknown = [label for label in present if label_covers(label) is None]
    if unknown:
        raise ValueError(
            f"Labels {', '.join(unknown)} are neither taxonomy codes "
            f"({', '.join(TAXONOMY)}) nor a public dataset's class codes."
        )
    groups = _components(label_covers(label) or () for label in present)
    return tuple(sorted((_named_class(g) for g in groups), key=lambda c: c.code))


def label_mapper(classes: Sequence[DatasetClass]) -> dict[str, str]:
    """Label -> class code: the classes' own codes, then every taxonomy code and public
    dataset class whose codes lie inside exactly one class."""
    mapping = {c.code: c.code for c in classes}
    candidates = [*TAXONOMY, *(c.code for s in DATASET_SPACES.values() for c in s)]
    for label in candidates:
        covers = set(label_covers(label) or ())
        owners = [c.code for c in classes if covers and covers <= set(c.covers)]
        if len(owners) == 1:
            mapping.setdefault(label, owners[0])
    return mapping


# Common other names of the reference tumours (English spellings, Chinese clinical usage),
# for reading a clinic's folder names and diagnosis columns. Only names that mean one code:
# an ambiguous word (老年斑, "age spot": seborrheic keratosis or solar lentigo) is left to the
# user's mapping file rather than guessed.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "mel": ("malignant melanoma", "melanoma maligna", "恶性黑色素瘤", "黑素瘤", "恶性黑素瘤"),
    "bcc": ("basal cell carcinoma", "basalioma", "rodent ulcer", "基底细胞癌", "基底癌"),
    "bowen": ("bowen disease", "bowens disease", "scc in situ", "鲍恩病", "鲍温氏病"),
    "nev": ("nevus", "naevus", "nevi", "naevi", "mole", "melanocytic naevus", "痣", "黑痣"),
    "hem": ("hemangioma", "haemangioma", "angioma", "cherry angioma", "血管瘤"),
    "xg": ("juvenile xanthogranuloma", "jxg", "幼年黄色肉芽肿"),
    "sk": ("seborrhoeic keratosis", "seborrheic keratoses", "脂溢性角化", "脂溢性角化症"),
    "ak": ("solar keratosis", "senile keratosis", "日光性角化病", "光化性角化病"),
    "scc": ("squamous cell carcinoma", "cutaneous squamous cell carcinoma", "鳞癌", "皮肤鳞癌"),
    "df": ("dermatofibroma", "fibrous histiocytoma", "皮肤纤维瘤"),
    "sl": ("solar lentigo", "lentigo senilis", "senile lentigo", "日光性雀斑样痣", "日光性黑子"),
    "pg": ("pyogenic granuloma", "lobular capillary hemangioma", "化脓性肉芽肿"),
}


def _normal(name: str) -> str:
    """Lower case, punctuation and separators as single spaces (``Bowen's_disease`` ->
    ``bowens disease``)."""
    kept = "".join(ch for ch in name.strip().lower() if ch not in "'’`")
    spaced = "".join(ch if ch.isalnum() else " " for ch in kept)
    return " ".join(spaced.split())


def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, t in TAXONOMY.items():
        for name in (code, t.name_en, t.name_zh, *SYNONYMS.get(code, ())):
            index[_normal(name)] = code
    for space in DATASET_SPACES.values():
        for c in space:
            index.setdefault(_normal(c.code), c.code)
    return index


def label_from_name(name: str) -> str | None:
    """The label a folder or diagnosis name stands for: a taxonomy code, or a public dataset's
    class code (``akiec``, ``bkl``...); None where the name is not known (never guessed)."""
    return _name_index().get(_normal(name))
