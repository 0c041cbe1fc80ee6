"""The PDF report of a saved case, as a download button (audited when clicked)."""

from __future__ import annotations

import streamlit as st

from skinmm.auth import Identity
from skinmm.casereport.cams import CamImages
from skinmm.casereport.followup import Visit, report_followup, visible_visits
from skinmm.casereport.report import render_case_report
from skinmm.db.models import Case
from skinmm.db.store import Store
from skinmm.errors import technical_detail
from skinmm.i18n import t
from views.common import audit, may_open
from views.error_box import show_error


@st.cache_data(show_spinner=False, max_entries=16)
def report_pdf(
    _case: Case,
    _photo: bytes | None,
    _cams: CamImages,
    _store: Store,
    _visits: list[Visit],
    key: tuple,
    lang: str,
) -> bytes:
    # ``key`` names everything the PDF shows: case, prediction, feedback rows, CAM source,
    # the visits of the lesion. Their photos are read here, only when the PDF is made.
    followup = report_followup(_store, _case, visits=_visits)
    return render_case_report(_case, photo=_photo, cams=_cams, lang=lang, followup=followup)


def report_button(
    store: Store,
    case: Case,
    photo: bytes | None,
    cams: CamImages,
    user: Identity,
    language: str,
) -> None:
    record = case.latest_prediction
    try:
        # Only the visits this user may open: the cached PDF is keyed by them, so a clinician
        # who sees fewer cases never gets a report made for one who sees more.
        visits = visible_visits(store, case.id, lambda c: may_open(user, c))
        key = (
            case.id,
            record.id if record is not None else "",
            record.scope_shown_anyway if record is not None else None,
            tuple(f.id for f in case.feedback),
            len(cams.overlays),
            cams.left_out,
            tuple(v.case_id for v in visits),
            user.can("identify"),  # a de-identified case never shares a report with its original
        )
        pdf = report_pdf(case, photo, cams, store, visits, key, language)
    except Exception as exc:  # the case view stands without its report
        show_error(t("report_failed", language), language, detail=technical_detail(exc))
        return
    st.download_button(
        t("report_download", language),
        data=pdf,
        file_name=f"skinmm-case-{case.id[:8]}.pdf",
        mime="application/pdf",
        key="history_report",
        icon=":material/picture_as_pdf:",
        on_click=audit,
        args=("export", case.id, "PDF report"),
    )
