"""Drawing helpers of the Model card page that are more than one table."""

from __future__ import annotations

from typing import Any

import streamlit as st

from skinmm.bundle import WEIGHTS_LICENCE
from skinmm.i18n import STRINGS, t


def show_licence(licence: Any, language: str) -> None:
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
