"""Model card: what the bundle is, what it learnt from, how well it does, and its limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from skinmm.bundle import WEIGHTS_LICENCE
from skinmm.charts import metrics_table
from skinmm.i18n import STRINGS, risk_name, rule_name, t
from skinmm.taxonomy import TAXONOMY
from views.common import lang, notice, require_bundle, require_role
from views.coverage_view import show_not_covered

NUMBER = st.column_config.NumberColumn(format="%.3f")


def component(value: Any, *keys: str) -> str:
    """A readable name for a card entry that may be a string or nested dicts of settings."""
    if isinstance(value, dict):
        for key in keys:
            found = value.get(key)
            if isinstance(found, dict):
                return component(found, "name", *keys)
            if found:
                return str(found)
        return t("unknown", language)
    return str(value) if value else t("unknown", language)


def classes_table() -> pd.DataFrame:
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
            for c in bundle.classes
        ]
    )


def data_table(card: dict[str, Any]) -> pd.DataFrame:
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


def rule_reason(fusion: dict[str, Any]) -> str:
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


def show_licence(licence: Any) -> None:
    """The code and weights licences; the weights' own wording translated where it is ours."""
    entries = licence if isinstance(licence, dict) else {"weights": licence}
    for key, value in entries.items():
        label_key = f"card_licence_{key}"
        label = t(label_key, language) if label_key in STRINGS else str(key)
        if value == WEIGHTS_LICENCE:
            st.markdown(f"- **{label}**: {t('card_licence_ham', language)}")
        elif key == "code":
            st.markdown(f"- **{label}**: `{value}`")
        else:  # a bundle's own licence text is shown as written, and said to be so
            st.markdown(f"- **{label}**: {t('card_licence_recorded', language)}")
            st.code(str(value), language=None, wrap_lines=True)


def calibration_table(card: dict[str, Any]) -> pd.DataFrame:
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


language = lang()
require_role("model_card")
bundle = require_bundle()
card = bundle.card
st.title(f"{t('card_title', language)}: {bundle.name}")
notice(language)

st.subheader(t("card_what", language))
fusion = card.get("fusion") or {}
st.markdown(
    t(
        "card_what_body",
        language,
        backbone=component(card.get("backbone"), "backbone", "name", "arch"),
        embedder=component(card.get("embedder"), "embedder", "name", "model"),
        rule=rule_name(str(fusion.get("rule", bundle.fusion.rule)), language),
        reason=rule_reason(fusion),
    )
)

st.subheader(t("card_classes", language))
st.dataframe(classes_table(), hide_index=True)
show_not_covered(bundle.not_covered, language, say_when_complete=True)

st.subheader(t("card_data", language))
st.dataframe(data_table(card), hide_index=True)

st.subheader(t("card_metrics", language))
test_metrics = (card.get("metrics") or {}).get("test")
if test_metrics and all(b in test_metrics for b in ("image", "text", "fused")):
    table = metrics_table(test_metrics, language)
    st.dataframe(table, hide_index=True, column_config={c: NUMBER for c in table.columns[1:]})
else:
    st.caption(t("card_no_metrics", language))
calibration = calibration_table(card)
if not calibration.empty:
    st.markdown(f"**{t('card_calibration', language)}**")
    st.dataframe(
        calibration, hide_index=True, column_config={c: NUMBER for c in calibration.columns[1:]}
    )

use, limits = st.columns(2, gap="large")
use.subheader(t("card_use", language))
use.markdown(t("card_use_body", language))
limits.subheader(t("card_limits", language))
limits.markdown(t("card_limits_body", language))

st.subheader(t("card_licence", language))
show_licence(card.get("licence") or {})

with st.expander(t("card_raw", language)):
    st.json({k: v for k, v in card.items() if k != "files"}, expanded=1)
