"""The case report's pages for issue 20: every photo of the lesion and its visits.

:func:`report_followup` reads what the report needs from the store (the case's photos and
the visit chain, :mod:`skinmm.db.followup`); :func:`draw_followup` draws it into the report
(:mod:`skinmm.casereport.report` calls it, so its own code stays as it was).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from PIL import Image

from skinmm.db.followup import Visit, visit_chain
from skinmm.db.models import Case
from skinmm.db.store import Store
from skinmm.i18n import t

THUMB_MM = 30
GAP_MM = 4
PREVIEW_SIDE = 480


@dataclass(frozen=True)
class FollowUp:
    """What the report adds: the case's photos (a multi-photo case), the visits of its lesion
    (more than one when linked) and each visit's first photo (None where missing)."""

    case_id: str
    photos: list[bytes] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    visit_photos: list[bytes | None] = field(default_factory=list)


def _read(store: Store, sha: str, ext: str) -> bytes | None:
    try:
        return store.images.get(sha, ext)
    except (OSError, ValueError):
        return None


def visible_visits(
    store: Store, case_id: str, visible: Callable[[str], bool] | None = None
) -> list[Visit]:
    """The visits of the lesion of ``case_id`` that the reader may see (``visible`` says which
    other cases they may open; all when None): a database read, no photos."""
    chain = visit_chain(store, case_id)
    return [v for v in chain if v.case_id == case_id or visible is None or visible(v.case_id)]


def report_followup(
    store: Store,
    case: Case,
    visible: Callable[[str], bool] | None = None,
    visits: list[Visit] | None = None,
) -> FollowUp:
    """The photos and visits for the report of ``case``; ``visits`` as
    :func:`visible_visits` gives them (read here when not given)."""
    if visits is None:
        visits = visible_visits(store, case.id, visible)
    photos = [_read(store, p.image_sha256, p.image_ext) for p in case.photos]
    firsts = [_read(store, *v.photos[0]) if v.photos else None for v in visits]
    return FollowUp(case.id, [p for p in photos if p is not None], visits, firsts)


def _picture(data: bytes) -> Image.Image | None:
    try:
        picture = Image.open(io.BytesIO(data)).convert("RGB")
    except (OSError, ValueError):
        return None
    picture.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    return picture


def _row(pdf: Any, pictures: list[tuple[bytes | None, str]]) -> None:
    """A row of thumbnails with captions, wrapped onto new lines as the page needs."""
    x, top, height = pdf.l_margin, pdf.get_y(), 0.0
    for data, caption in pictures:
        picture = None if data is None else _picture(data)
        if picture is None:
            continue
        scale = THUMB_MM / max(picture.width, picture.height)
        w, h = picture.width * scale, picture.height * scale
        if x + w > pdf.w - pdf.r_margin:
            x, top, height = pdf.l_margin, top + height + 10, 0.0
        if top + h + 10 > pdf.h - pdf.b_margin:
            pdf.add_page()
            x, top, height = pdf.l_margin, pdf.get_y(), 0.0
        pdf.image(picture, x=x, y=top, w=w, h=h)
        pdf.set_xy(x, top + h + 0.5)
        pdf.set_font_size(7)
        pdf.multi_cell(w, 3.2, pdf.text_(caption))
        pdf.set_font_size(10)
        x += w + GAP_MM
        height = max(height, h)
    pdf.set_xy(pdf.l_margin, top + height + 9)


def _visit_line(visit: Visit, n: int, current: str, lang: str) -> str:
    if visit.prediction is None or visit.malignancy is None:
        top, score = "—", "—"
    else:
        top, score = visit.prediction.top.name(lang), f"{visit.malignancy:.1%}"
    change = "" if visit.change is None else t("report_visit_change", lang, change=visit.change)
    return t(
        "report_visit_line",
        lang,
        n=n,
        date=visit.created_at.astimezone(UTC).strftime("%Y-%m-%d"),
        case=visit.case_id[:8],
        this=t("report_visit_this", lang) if visit.case_id == current else "",
        top=top,
        score=score,
        change=change,
    )


def draw_followup(pdf: Any, followup: FollowUp) -> None:
    """Every photo of a multi-photo case, then the visits of its lesion when linked."""
    lang = pdf.lang
    if len(followup.photos) > 1:
        pdf.heading(t("report_photos", lang))
        _row(
            pdf,
            [
                (data, t("case_photo_plain", lang, n=k + 1))
                for k, data in enumerate(followup.photos)
            ],
        )
    if len(followup.visits) > 1:
        pdf.heading(t("report_visits", lang))
        pdf.para(t("visits_caption", lang), size=8)
        for n, visit in enumerate(followup.visits, start=1):
            pdf.para(_visit_line(visit, n, followup.case_id, lang), size=9)
        _row(
            pdf,
            [
                (data, t("visit_heading", lang, n=n, date=v.created_at.strftime("%Y-%m-%d")))
                for n, (v, data) in enumerate(
                    zip(followup.visits, followup.visit_photos, strict=True), start=1
                )
            ],
        )
