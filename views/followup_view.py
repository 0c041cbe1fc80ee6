"""Follow-up visits of one lesion (issue 20): link a case to an earlier one, show the visits.

Diagnose offers the patient's earlier cases ("Follow-up of an earlier case"); History shows
the visits of the lesion side by side (photos, differential, malignancy score and its change
since the visit before) and lets a clinician link a saved case to an earlier visit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from skinmm.auth import Identity
from skinmm.db.followup import (
    EarlierCase,
    Visit,
    earlier_cases,
    link_follow_up,
    visit_chain,
)
from skinmm.db.models import Case
from skinmm.db.repository import CaseNotFoundError
from skinmm.db.store import StorageError, Store, shared_store
from skinmm.errors import explain, technical_detail
from skinmm.i18n import t
from skinmm.i18n import t as ui_t
from views.common import may_open
from views.error_box import show_error

VISITS_PER_ROW = 4
DIFFERENTIAL_LINES = 3
THUMBNAIL_WIDTH = 110


def _day(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d")


def _own_cases_only(user: Identity) -> str | None:
    return None if user.can("all_cases") else user.name


def _choice(earlier: list[EarlierCase], language: str) -> dict[str, str]:
    return {
        c.id: t(
            "followup_option",
            language,
            date=_day(c.created_at),
            case=c.id[:8],
            top=c.top_class or "—",
        )
        for c in earlier
    }


def follow_up_picker(
    column: Any, patient_ref: str | None, user: Identity, language: str, generation: int
) -> str | None:
    """On Diagnose: the earlier case of this patient the new case follows, or None."""
    if not (patient_ref or "").strip():
        column.caption(t("followup_need_patient", language))
        return None
    try:
        earlier = earlier_cases(shared_store(), patient_ref, created_by=_own_cases_only(user))
    except StorageError as exc:
        column.caption(t("followup_unavailable", language, detail=technical_detail(exc)))
        return None
    if not earlier:
        column.caption(t("followup_no_earlier", language))
        return None
    labels = _choice(earlier, language)
    chosen: str | None = column.selectbox(
        t("followup_label", language),
        [None, *labels],
        format_func=lambda value: t("followup_none", language) if value is None else labels[value],
        help=t("followup_help", language),
        key=f"diagnose_follows_{generation}",
    )
    return chosen


def show_link_error(exc: Exception, language: str) -> None:
    """A refused link in the UI language: what was wrong and what to do."""
    if isinstance(exc, CaseNotFoundError):
        show_error(ui_t("err_followup_missing", language), language, technical_detail(exc))
        return
    explained = explain(exc, "err_followup")
    show_error(ui_t(explained.key, language, **explained.values), language, explained.detail)


def _link_form(store: Store, case: Case, user: Identity, language: str) -> None:
    earlier = earlier_cases(
        store, case.patient_ref, before=case.created_at, created_by=_own_cases_only(user)
    )
    if not earlier:
        return
    labels = _choice(earlier, language)
    with st.expander(t("visits_link", language), icon=":material/link:"):
        chosen = st.selectbox(
            t("followup_label", language),
            list(labels),
            format_func=labels.__getitem__,
            key=f"history_follows_{case.id}",
        )
        if st.button(t("visits_link_button", language), key=f"history_link_{case.id}"):
            try:
                link_follow_up(store, case.id, chosen, actor=user.actor)
            except (ValueError, CaseNotFoundError) as exc:
                show_link_error(exc, language)
                return
            st.rerun()


def _photos(store: Store, visit: Visit) -> list[bytes]:
    out = []
    for sha, ext in visit.photos:
        try:
            out.append(store.images.get(sha, ext))
        except (OSError, ValueError):
            continue  # a missing photo leaves the visit's differential standing
    return out


def _visit_column(store: Store, visit: Visit, n: int, current: str, language: str) -> None:
    this = f" · {t('visit_this', language)}" if visit.case_id == current else ""
    st.markdown(f"**{t('visit_heading', language, n=n, date=_day(visit.created_at))}{this}**")
    photos = _photos(store, visit)
    if photos:
        st.image(photos, width=THUMBNAIL_WIDTH)
    if visit.prediction is None or visit.malignancy is None:
        st.caption(t("visit_no_prediction", language))
    else:
        st.metric(
            t("visit_malignancy", language),
            f"{visit.malignancy:.1%}",
            delta=None if visit.change is None else f"{visit.change:+.1%}",
            delta_color="inverse",  # a rising malignancy score is the worrying direction
        )
        pred = visit.prediction
        lines = [
            f"{pred.classes[k].name(language)} {pred.fused[k]:.0%}"
            for k in pred.order[:DIFFERENTIAL_LINES]
        ]
        st.text("\n".join(lines))
    if visit.case_id != current:
        _open_link(visit.case_id, language)


def _open_link(case_id: str, language: str) -> None:
    label = t("visit_open", language, case=case_id[:8])
    try:
        st.page_link(
            "views/history.py",
            label=label,
            query_params={"case": case_id},
            icon=":material/history:",
        )
    except StreamlitAPIException:
        # The page run on its own (not under app.py's navigation) knows no other page; a
        # plain link to this page with the case opens it the same way.
        st.markdown(f"[{label}](?case={case_id})")


def show_visits(store: Store, case: Case, user: Identity, language: str) -> None:
    """History: the visits of this case's lesion side by side, and a link form for a case
    that follows none yet (clinicians who may record feedback)."""
    try:
        visits = visit_chain(store, case.id)
        if user.can("feedback") and case.follows_case_id is None:
            _link_form(store, case, user, language)
    except (StorageError, CaseNotFoundError) as exc:
        show_error(t("visits_failed", language), language, technical_detail(exc))
        return
    if len(visits) < 2:
        return
    st.markdown(f"#### {t('visits_title', language)}")
    st.caption(t("visits_caption", language))
    for start in range(0, len(visits), VISITS_PER_ROW):
        row = visits[start : start + VISITS_PER_ROW]
        for offset, (visit, column) in enumerate(
            zip(row, st.columns(VISITS_PER_ROW), strict=False)
        ):
            with column, st.container(border=True):
                if visit.case_id != case.id and not may_open(user, visit.case_id):
                    st.caption(t("visit_hidden", language))
                    continue
                _visit_column(store, visit, start + offset + 1, case.id, language)
