"""History's case list: the filters, the table of matching cases and the box that opens one
(also from a ``?case=`` link)."""

from __future__ import annotations

import streamlit as st

from skinmm.auth import Identity
from skinmm.case_tables import AGREEMENT, case_choices, case_link_id, case_table, code_label
from skinmm.db.repository import CaseFilter, count_cases, list_cases
from skinmm.db.store import Store
from skinmm.i18n import t
from skinmm.taxonomy import DatasetClass
from views.common import deidentify_rows, scope_filter

LIST_LIMIT = 200


def filters(classes: dict[str, DatasetClass], user: Identity, language: str) -> CaseFilter:
    search, since, until = st.columns([2, 1, 1])
    text = (
        search.text_input(
            t("filter_search", language),
            key="history_search",
            help=t("filter_search_help", language),
        )
        if user.can("identify")
        else ""
    )
    start = since.date_input(t("filter_since", language), value=None, key="history_since")
    end = until.date_input(t("filter_until", language), value=None, key="history_until")
    predicted, confirmed, agreement = st.columns(3)
    codes = [None, *classes]

    def name(code: str | None) -> str:
        return t("filter_any", language) if code is None else code_label(code, classes, language)

    top = predicted.selectbox(
        t("filter_top_class", language), codes, format_func=name, key="history_predicted"
    )
    truth = confirmed.selectbox(
        t("filter_confirmed", language), codes, format_func=name, key="history_confirmed"
    )
    agree = agreement.selectbox(
        t("filter_agreement", language),
        list(AGREEMENT),
        format_func=lambda a: t("filter_any" if a == "any" else f"agreement_{a}", language),
        key="history_agreement",
    )
    return CaseFilter(
        text=text,
        since=start,
        until=end,
        predicted=top,
        confirmed=truth,
        agreement=AGREEMENT[agree],
    )


def case_link(language: str) -> str | None:
    """The ``?case=`` id of a link, when it is one; the page says so when it is not."""
    asked = st.query_params.get("case")
    if not asked:
        return None
    case_id = case_link_id(asked)
    if case_id is None:
        st.error(t("case_link_invalid", language), icon=":material/link_off:")
        st.caption(t("case_link_value", language))
        st.text(asked[:200])
    return case_id


def show_cases(
    store: Store, user: Identity, classes: dict[str, DatasetClass], language: str
) -> str | None:
    """The filtered list; the id of the case to open, if one is chosen or linked."""
    where = scope_filter(filters(classes, user, language), user)
    total = count_cases(store, where)
    rows = deidentify_rows(list_cases(store, where, limit=LIST_LIMIT), user)
    if not rows:
        st.info(t("history_no_match", language), icon=":material/search_off:")
    else:
        st.caption(t("history_count", language, shown=len(rows), total=total))
        st.dataframe(
            case_table(rows, classes, language),
            hide_index=True,
            key="history_table",
            column_config={
                t("col_confidence", language): st.column_config.NumberColumn(format="percent")
            },
        )
    labels = case_choices(rows, classes, language)
    asked = case_link(language)
    options = list(labels)
    if asked and asked not in labels:
        options.insert(0, asked)
    return st.selectbox(
        t("history_open", language),
        options,
        index=options.index(asked) if asked in options else None,
        format_func=lambda c: labels.get(c, c),
        key="history_case",
    )
