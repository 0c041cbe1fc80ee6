"""The Model card page's words and tables, in the UI language, from a bundle's card."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from skinmm.i18n import risk_name, t
from skinmm.taxonomy import TAXONOMY, DatasetClass


def component(value: Any, language: str, *keys: str) -> str:
    """A readable name for a card entry that may be a string or nested dicts of settings."""
    if isinstance(value, dict):
        for key in keys:
            found = value.get(key)
            if isinstance(found, dict):
                return component(found, language, "name", *keys)
            if found:
                return str(found)
        return t("unknown", language)
    return str(value) if value else t("unknown", language)


def classes_table(classes: Sequence[DatasetClass], language: str) -> pd.DataFrame:
    """Each class with its risk and the reference tumours it covers."""
    return pd.DataFrame(
        [
            {
                t("col_code", language): c.code,
                t("col_class", language): c.name(language),
                t("col_risk", language): risk_name(c.risk, language),
                t("col_covers", language): ", ".join(
                    TAXONOMY[code].name_zh if language == "zh" else TAXONOMY[code].name_en
                    for code in c.covers
                    if code in TAXONOMY
                ),
            }
            for c in classes
        ]
    )


def data_table(card: dict[str, Any], language: str) -> pd.DataFrame:
    """What the bundle learnt from and was tested on; fields the card lacks are left out."""
    training = card.get("training") or {}
    arguments = training.get("arguments") or {}
    test = (card.get("metrics") or {}).get("test") or {}
    fingerprint = (training.get("data_fingerprint") or {}).get("train")
    rows = [
        ("card_created", card.get("created")),
        ("card_version", card.get("skinmm_version")),
        ("card_train_manifest", arguments.get("train") and Path(arguments["train"]).name),
        ("card_train_rows", training.get("n_train_rows")),
        ("card_val_manifest", arguments.get("val") and Path(arguments["val"]).name),
        ("card_val_rows", training.get("n_val_rows")),
        ("card_test_manifest", (card.get("metrics") or {}).get("manifest")),
        ("card_test_cases", test.get("n_cases")),
        ("card_git_commit", (training.get("git_commit") or "")[:12] or None),
        ("card_fingerprint", fingerprint and fingerprint[:16]),
    ]
    return pd.DataFrame(
        [
            {t("card_field", language): t(key, language), t("card_value", language): str(value)}
            for key, value in rows
            if value not in (None, "")
        ]
    )


def rule_reason(fusion: dict[str, Any], language: str) -> str:
    """Why the bundle decides as it does, in the UI language, from the card's own figures.

    The card's ``reason`` is an English sentence written at training time; the validation
    figures it quotes are stored beside it, so the sentence is rebuilt here.
    """
    reason = str(fusion.get("reason") or "")
    image = fusion.get("validation_image_only") or {}
    chosen = fusion.get("validation_chosen") or {}
    if reason.startswith("chosen by the user"):
        return t("card_reason_user", language)
    if fusion.get("image_fallback"):
        return t(
            "card_reason_fallback",
            language,
            bacc=image.get("balanced_accuracy", float("nan")),
            mel=(image.get("risk_recall") or {}).get("mel", float("nan")),
        )
    best, base = chosen.get("weighted_f1"), image.get("weighted_f1")
    if best is not None and base is not None:
        return t("card_reason_criterion", language, best=best, base=base)
    return t("card_reason_recorded", language)


def calibration_table(card: dict[str, Any], language: str) -> pd.DataFrame:
    """Each branch's temperature and calibration error before and after it."""
    calibration = card.get("calibration") or {}
    return pd.DataFrame(
        [
            {
                t("metric_branch", language): t(f"branch_{branch}", language),
                t("col_temperature", language): values.get("temperature"),
                t("col_ece_before", language): values.get("ece_before"),
                t("col_ece_after", language): values.get("ece_after"),
            }
            for branch, values in calibration.items()
            if branch in ("image", "text") and isinstance(values, dict)
        ]
    )
