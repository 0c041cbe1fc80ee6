"""Raw public datasets -> SkinMM manifests.

Only fields that describe the patient reach a manifest's note. The columns that encode the
answer (HAM10000 ``dx_type``; PAD-UFES-20 ``biopsed``) are not copied at all.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from skinmm.data.manifest import REQUIRED_COLUMNS, ManifestError
from skinmm.data.notes import render_notes
from skinmm.taxonomy import (
    HAM10000_CLASSES,
    HAM10000_LABEL_MAP,
    PAD_UFES_20_CLASSES,
    PAD_UFES_20_LABEL_MAP,
)

DEFAULT_DATA_DIR = "../shared/data"

PAD_FIELDS: dict[str, str] = {
    # raw column -> note field
    "age": "age",
    "gender": "sex",
    "fitspatrick": "fitzpatrick",
    "region": "site",
    "diameter_1": "diameter_1",
    "diameter_2": "diameter_2",
    "itch": "itch",
    "grew": "grew",
    "hurt": "hurt",
    "changed": "changed",
    "bleed": "bleed",
    "elevation": "elevation",
    "smoke": "smoke",
    "drink": "drink",
    "pesticide": "pesticide",
    "skin_cancer_history": "skin_cancer_history",
    "cancer_history": "cancer_history",
    "has_piped_water": "has_piped_water",
    "has_sewage_system": "has_sewage_system",
    "background_father": "background_father",
    "background_mother": "background_mother",
}


def data_dir(explicit: str | Path | None = None) -> Path:
    """The raw-data folder: ``explicit``, else ``$SKINMM_DATA``, else ``../shared/data``."""
    return Path(explicit or os.environ.get("SKINMM_DATA") or DEFAULT_DATA_DIR)


def _read_raw(path: Path, dataset: str) -> pd.DataFrame:
    if not path.is_file():
        raise ManifestError(
            f"{dataset} metadata not found at {path}. Pass --data-dir or set SKINMM_DATA to the "
            "folder that holds ham10000/ and pad-ufes-20/."
        )
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _order(frame: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
    frame["note"] = frame["note"].astype(object)
    return frame[list(REQUIRED_COLUMNS) + extra].reset_index(drop=True)


def ham10000_manifest(root: str | Path | None = None, lang: str = "en") -> pd.DataFrame:
    """HAM10000: one row per image, grouped by lesion (the dataset has no patient id)."""
    folder = data_dir(root) / "ham10000"
    raw = _read_raw(folder / "metadata.csv", "HAM10000")
    frame = pd.DataFrame(
        {
            "case_id": raw["image_id"],
            "group_id": raw["lesion_id"],
            "image_path": [
                str((folder / "images" / f"{i}.jpg").resolve()) for i in raw["image_id"]
            ],
            "label": raw["dx"].map(HAM10000_LABEL_MAP),
            "age": pd.to_numeric(raw["age"], errors="coerce"),
            "sex": raw["sex"].where(raw["sex"].isin(["male", "female"])),
            "site": raw["localization"].where(raw["localization"] != "unknown"),
            "source": "ham10000",
        }
    )
    frame.loc[frame["age"] <= 0, "age"] = float("nan")  # 0 marks an unknown age in HAM10000
    if frame["label"].isna().any():
        raise ManifestError(
            f"Unexpected dx values: {sorted(set(raw['dx']) - set(HAM10000_LABEL_MAP))}"
        )
    frame["note"] = render_notes(frame, lang)
    return _order(frame, ["age", "sex", "site", "source"])


def _pad_value(column: str, value: str) -> object:
    if value.strip().upper() in {"", "UNK", "NAN"}:
        return None
    if column in ("gender", "region"):
        return value.strip().lower()
    return value


def pad_ufes20_manifest(root: str | Path | None = None, lang: str = "en") -> pd.DataFrame:
    """PAD-UFES-20 clinical metadata: text-only rows, grouped by patient."""
    folder = data_dir(root) / "pad-ufes-20"
    raw = _read_raw(folder / "metadata.csv", "PAD-UFES-20")
    fields = {
        field: raw[column].map(lambda v, c=column: _pad_value(c, v))
        for column, field in PAD_FIELDS.items()
    }
    frame = pd.DataFrame(
        {
            "case_id": raw["img_id"].str.replace(".png", "", regex=False),
            "group_id": raw["patient_id"],
            "image_path": "",
            "label": raw["diagnostic"].map(PAD_UFES_20_LABEL_MAP),
            "lesion_id": raw["lesion_id"],
            **fields,
            "source": "pad-ufes-20",
        }
    )
    for numeric in ("age", "fitzpatrick", "diameter_1", "diameter_2"):
        frame[numeric] = pd.to_numeric(frame[numeric], errors="coerce")
    if frame["label"].isna().any():
        raise ManifestError("Unexpected diagnostic values in PAD-UFES-20 metadata.")
    frame["note"] = render_notes(frame, lang)
    return _order(frame, ["lesion_id", *PAD_FIELDS.values(), "source"])


BUILDERS = {"ham10000": ham10000_manifest, "pad-ufes-20": pad_ufes20_manifest}
DATASET_CLASSES = {"ham10000": HAM10000_CLASSES, "pad-ufes-20": PAD_UFES_20_CLASSES}


def taxonomy_labels(frame: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Labels as taxonomy codes where a class is one tumour; coarse classes keep their code.

    A class that covers one code becomes it (``ack`` -> ``ak``, ``nv`` -> ``nev``). A class
    whose code is itself a taxonomy code keeps it: PAD-UFES-20's ``SCC`` holds Bowen's disease
    too (the dataset does not tell them apart) and is read as ``scc``, so that SCC stays a
    class of its own beside HAM10000's ``akiec`` (ak + bowen) instead of merging with it.
    Coarse classes (``akiec``, ``bkl``, ``vasc``) stay coarse: their rows cannot say more.
    """
    mapping = {
        c.code: c.covers[0] if len(c.covers) == 1 else c.code for c in DATASET_CLASSES[dataset]
    }
    return frame.assign(label=frame["label"].map(mapping))
