"""How every page shows an error: the message in the UI language, the detail folded away.

Not a page. The message comes from :func:`skinmm.errors.explain` (or a page's own key); the
facts (sizes, formats) are plain text in the UI language, and the library's own text, for a
bug report, is a code block inside the expander, never the message itself.
"""

from __future__ import annotations

import streamlit as st

from skinmm.errors import Explanation
from skinmm.i18n import t


def show_error(
    message: str, lang: str, detail: str | None = None, facts: list[str] | None = None
) -> None:
    st.error(message, icon=":material/error:")
    if detail or facts:
        with st.expander(t("error_expander", lang), icon=":material/info:"):
            for fact in facts or []:
                st.text(fact)
            if detail:
                st.caption(t("detail_library", lang))
                st.code(detail, language=None, wrap_lines=True)


def show_explanation(
    explained: Explanation, lang: str, facts: list[str] | None = None, **extra: object
) -> None:
    """``explained``'s message, with ``extra`` placeholder values the page supplies."""
    show_error(t(explained.key, lang, **explained.values, **extra), lang, explained.detail, facts)
