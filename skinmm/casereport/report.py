"""A case's PDF report: photo, Grad-CAM, differential, note, model, date, feedback, notice.

Grad-CAM is recomputed from the stored photo, and only with the very bundle that analysed the
case (same fingerprint); with any other bundle, or none, the report says why it is left out.
Chinese text needs a CJK font: the first of :data:`FONT_CANDIDATES` found is used, else
DejaVu Sans from matplotlib, with Chinese characters shown as "?" and a line saying so.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

from skinmm.casereport.cams import CamImages, case_cams
from skinmm.casereport.case_scope import out_of_scope, scope_sentence, set_sentence
from skinmm.coverage import classes_notice
from skinmm.db.models import Case, PredictionRecord
from skinmm.db.repository import bundle_fingerprint, get_case, to_prediction
from skinmm.db.store import Store
from skinmm.i18n import caution_text, risk_name, t
from skinmm.triage import prediction_verdict

FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
FONT = "body"
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
PHOTO_MM = 42


def _font_file(need_cjk: bool) -> tuple[str, bool]:
    """The font to embed and whether it has Chinese glyphs.

    A CJK font is only embedded when the report has Chinese in it: subsetting a 5 MB CJK
    font takes seconds, DejaVu Sans a fraction of that.
    """
    import matplotlib

    dejavu = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    if not need_cjk:
        return dejavu, False
    configured = os.environ.get("SKINMM_PDF_FONT")
    for path in ((configured,) if configured else ()) + FONT_CANDIDATES:
        if path and Path(path).is_file():
            return path, True
    return dejavu, False


class _Report(FPDF):
    def __init__(self, lang: str, need_cjk: bool) -> None:
        super().__init__(format="A4")
        self.lang = lang
        path, self.cjk = _font_file(need_cjk)
        # One file for both styles: the CJK fonts have no bold, and tables ask for it.
        self.add_font(FONT, fname=path)
        self.add_font(FONT, style="B", fname=path)
        self.set_font(FONT, size=10)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(t("report_title", lang))
        self.set_creator("SkinMM")

    def text_(self, value: str) -> str:
        return value if self.cjk else CJK.sub("?", value)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, size=7)
        self.set_text_color(110)
        notice = self.text_(t("notice", self.lang))
        self.multi_cell(0, 3.2, notice, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(0, 3.2, t("report_page", self.lang, page=self.page_no()), align="R")
        self.set_text_color(0)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(FONT, size=13)
        self.cell(0, 8, self.text_(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=10)

    def para(self, text: str, size: float = 10) -> None:
        self.set_font(FONT, size=size)
        self.multi_cell(0, 5, self.text_(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=10)


def _when(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _header(pdf: _Report, case: Case, record: PredictionRecord | None, made: datetime) -> None:
    lang = pdf.lang
    pdf.set_font(FONT, size=18)
    pdf.cell(0, 11, t("report_title", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_fill_color(255, 243, 205)
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(
        0, 4.5, pdf.text_(t("notice", lang)), fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(2)
    rows = [
        (t("report_case", lang), case.id),
        (t("report_saved", lang), _when(case.created_at)),
        (t("report_patient", lang), case.patient_ref or "—"),
    ]
    if record is not None:
        rows += [
            (t("report_model", lang), f"{record.bundle_name} (sha256 {record.bundle_sha[:16]}…)"),
            (
                t("report_analysis", lang),
                f"{t(f'mode_{record.mode}', lang)} · {t('rule', lang)}: {record.rule}",
            ),
        ]
    rows.append((t("report_generated", lang), _when(made)))
    pdf.set_font(FONT, size=10)
    for label, value in rows:
        pdf.cell(42, 6, pdf.text_(label))
        pdf.cell(0, 6, pdf.text_(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _images(
    pdf: _Report, photo: Image.Image | None, cams: CamImages, record: PredictionRecord | None
) -> None:
    lang = pdf.lang
    if photo is None and not cams.overlays and cams.left_out is None:
        return
    pdf.heading(t("report_photo", lang))
    pictures: list[tuple[Image.Image, str]] = [(photo, "")] if photo is not None else []
    if record is not None:
        names = [c[f"name_{lang}"] for c in record.classes]
        pictures += [
            (overlay, t("cam_caption", lang, name=names[k], p=record.fused[k]))
            for k, overlay in cams.overlays
        ]
    top, x = pdf.get_y(), pdf.l_margin
    height = 0.0
    for picture, caption in pictures:
        scale = PHOTO_MM / max(picture.width, picture.height)
        w, h = picture.width * scale, picture.height * scale
        if x + w > pdf.w - pdf.r_margin:
            break
        pdf.image(picture, x=x, y=top, w=w, h=h)
        if caption:
            pdf.set_xy(x, top + h + 0.5)
            pdf.set_font(FONT, size=7)
            pdf.multi_cell(w, 3.2, pdf.text_(caption))
        x += w + 4
        height = max(height, h)
    pdf.set_font(FONT, size=10)
    pdf.set_xy(pdf.l_margin, top + height + 8)
    if cams.overlays:
        pdf.para(t("cam_title", lang), size=8)
    if cams.left_out:
        pdf.para(t("report_cam_left_out", lang, reason=cams.left_out), size=8)


def _scope_and_set(pdf: _Report, record: PredictionRecord) -> None:
    """The input check and the prediction set, as saved with the case."""
    lang = pdf.lang
    prediction = to_prediction(record)
    pdf.heading(t("report_scope", lang))
    if out_of_scope(prediction.scope):
        pdf.set_text_color(160, 0, 0)
    pdf.para(scope_sentence(prediction.scope, record.scope_shown_anyway, lang))
    pdf.set_text_color(0)
    pdf.heading(t("report_set", lang))
    pdf.para(set_sentence(prediction.prediction_set, lang))
    chosen = prediction.prediction_set
    if chosen is not None and chosen.needs_referral:
        pdf.para(t("conf_set_refer", lang))


def _differential(pdf: _Report, record: PredictionRecord) -> None:
    lang = pdf.lang
    prediction = to_prediction(record)
    outside = out_of_scope(prediction.scope)
    pdf.heading(t("report_differential_out" if outside else "report_differential", lang))
    rows = [
        (
            prediction.classes[k].name(lang),
            risk_name(prediction.classes[k].risk, lang),
            _pct(float(prediction.fused[k])),
            _pct(None if prediction.image is None else float(prediction.image[k])),
            _pct(None if prediction.text is None else float(prediction.text[k])),
        )
        for k in prediction.order
    ]
    columns = {"col_class": 70, "col_risk": 25, "col_fused": 20, "col_image": 20, "col_text": 20}
    _table(pdf, columns, rows, line_height=5.5)
    coverage = classes_notice(prediction.classes, lang)
    if coverage is not None:
        pdf.para(coverage, size=9)
    keys = [k for k in prediction.cautions() if k not in ("image_only", "text_only")]
    if keys:
        pdf.heading(t("report_cautions", lang))
        worrying = ", ".join(c.name(lang) for c in prediction.worrying_classes())
        for key in keys:
            pdf.para("• " + caution_text(key, lang, p=prediction.confidence, names=worrying))


def _triage(pdf: _Report, record: PredictionRecord, point: dict[str, Any] | None) -> None:
    """The malignancy triage verdict; without the threshold of the bundle that made the
    prediction, the score alone."""
    lang = pdf.lang
    prediction = to_prediction(record)
    verdict = prediction_verdict(prediction.classes, prediction.fused, point)
    if verdict["refer"] is None:
        pdf.para(t("clin_triage_other_bundle", lang, score=verdict["score"]))
        return
    pdf.heading(t("clin_triage_refer" if verdict["refer"] else "clin_triage_low", lang))
    pdf.para(t("clin_triage_detail", lang, score=verdict["score"], threshold=verdict["threshold"]))


def triage_point(case: Case, bundle: Any | None) -> dict[str, Any] | None:
    """The loaded bundle's triage point, when it is the bundle that made the case's prediction."""
    record = case.latest_prediction
    if bundle is None or record is None or bundle_fingerprint(bundle.card) != record.bundle_sha:
        return None
    return bundle.card.get("triage")


def _feedback(pdf: _Report, case: Case, names: dict[str, str]) -> None:
    lang = pdf.lang
    pdf.heading(t("feedback_title", lang))
    if not case.feedback:
        pdf.para(t("feedback_none", lang))
        return
    rows = [
        (
            _when(item.created_at),
            names.get(item.diagnosis or "", item.diagnosis or "—"),
            names.get(item.pathology or "", item.pathology or "—"),
            item.comment or "",
            item.author or "",
        )
        for item in case.feedback
    ]
    columns = {
        "col_time": 28,
        "col_diagnosis": 34,
        "col_pathology": 34,
        "col_comment": 64,
        "col_author": 18,
    }
    _table(pdf, columns, rows, line_height=5)


def _table(
    pdf: _Report, columns: dict[str, int], rows: Sequence[Sequence[str]], line_height: float
) -> None:
    """A table under a header row: ``columns`` maps each heading's string key to its width
    (mm); every cell is text, shown as the report's font can."""
    widths = tuple(columns.values())
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=line_height) as table:
        for cells in [tuple(t(key, pdf.lang) for key in columns), *rows]:
            row = table.row()
            for cell in cells:
                row.cell(pdf.text_(cell))


def render_case_report(
    case: Case,
    *,
    photo: bytes | None,
    cams: CamImages | None = None,
    lang: str = "en",
    made: datetime | None = None,
    triage: dict[str, Any] | None = None,
    followup: Any | None = None,
) -> bytes:
    """The PDF (bytes) of a loaded case; ``cams`` from :func:`case_cams` or None; ``triage``
    the triage point of the bundle that made the prediction (:func:`triage_point`);
    ``followup`` every photo and the visits of the lesion
    (:func:`skinmm.casereport.followup.report_followup`)."""
    cams = cams or CamImages([])
    need_cjk = lang == "zh" or any(CJK.search(text) for text in _texts(case, lang))
    pdf = _Report(lang, need_cjk)
    pdf.add_page()
    record = case.latest_prediction
    _header(pdf, case, record, made or datetime.now(UTC))
    picture = None
    if photo is not None:
        try:
            picture = Image.open(io.BytesIO(photo)).convert("RGB")
            picture.thumbnail((800, 800))
        except (OSError, ValueError):
            picture = None
    _images(pdf, picture, cams, record)
    if case.image_sha256 and picture is None:
        pdf.para(t("case_image_missing", lang, folder="SKINMM_HOME/images"), size=8)
    if followup is not None:  # every photo and the visits of the lesion (issue 20)
        from skinmm.casereport.followup import draw_followup

        draw_followup(pdf, followup)
    if record is not None:
        _scope_and_set(pdf, record)
        _differential(pdf, record)
        _triage(pdf, record, triage)
    pdf.heading(t("case_note", lang))
    pdf.para(case.note or t("case_no_note", lang))
    _note_reading(pdf, case, lang)
    names = {} if record is None else {c["code"]: c[f"name_{lang}"] for c in record.classes}
    _feedback(pdf, case, names)
    if need_cjk and not pdf.cjk:
        pdf.para(t("report_fonts", lang), size=8)
    return bytes(pdf.output())


def _note_reading(pdf: _Report, case: Case, lang: str) -> None:
    """ "Read from the note:" with the words each fact came from, as on the page."""
    reading = case.note_reading
    if reading is None and not case.impression:
        return
    pdf.heading(t("nf_title", lang))
    for line in _reading_lines(reading, case.impression, lang):
        pdf.para(line, size=9)


def _reading_lines(reading: dict | None, impression: str | None, lang: str) -> list[str]:
    from skinmm.text.facts_display import fact_lines

    if reading is not None and not reading.get("readable", True):
        return [t("nf_unreadable", lang)]
    lines = [] if reading is None else fact_lines(reading, lang)
    if reading is not None and not lines:
        lines.append(t("nf_none_found", lang))
    unused = [] if reading is None else reading.get("unused", [])
    if unused:
        lines.append(t("nf_unused_title", lang) + " " + "; ".join(unused))
    if impression:
        lines.append(t("nf_impression", lang, text=impression))
    if reading is not None and reading.get("model_note"):
        lines.append(f"{t('nf_model_note', lang)}: {reading['model_note']}")
    return lines


def _texts(case: Case, lang: str) -> list[str]:
    texts = [case.note or "", case.patient_ref or "", t("notice", lang)]
    texts += _reading_lines(case.note_reading, case.impression, lang)
    texts += [f"{f.comment or ''} {f.author or ''}" for f in case.feedback]
    return texts


def build_case_report(
    store: Store, case_id: str, *, bundle: Any | None = None, lang: str = "en"
) -> bytes:
    """Look the case up, recompute its Grad-CAM when ``bundle`` allows, and render the PDF."""
    case = get_case(store, case_id)
    photo = None
    if case.image_sha256 and case.image_ext:
        try:
            photo = store.images.get(case.image_sha256, case.image_ext)
        except (OSError, ValueError):
            photo = None
    return render_case_report(
        case,
        photo=photo,
        cams=case_cams(case, photo, bundle, lang),
        lang=lang,
        triage=triage_point(case, bundle),
        followup=_followup(store, case),
    )


def _followup(store: Store, case: Case) -> Any:
    from skinmm.casereport.followup import report_followup

    return report_followup(store, case)
