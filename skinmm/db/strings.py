"""The History page's and the case report's strings, in English and Chinese.

Kept beside the case store rather than in :mod:`skinmm.i18n` so the two can be worked on
apart; :func:`t` looks here first and then in :data:`skinmm.i18n.STRINGS`, so shared words
(class names, modes, the research notice) stay in one place. Merging these into
``skinmm.i18n.STRINGS`` later changes nothing for callers.
"""

from __future__ import annotations

from collections.abc import Mapping

from skinmm import i18n

STRINGS: Mapping[str, Mapping[str, str]] = {
    "nav_history": {"en": "History", "zh": "病例记录"},
    # For the Diagnose page's save step
    "diagnose_patient_ref": {
        "en": "Patient reference (pseudonymous, optional)",
        "zh": "患者编号（化名，可选）",
    },
    "diagnose_patient_help": {
        "en": "A code that lets you find the case again; never a name or an ID number.",
        "zh": "便于日后查找病例的编号；请勿填写姓名或身份证号。",
    },
    "diagnose_save": {"en": "Save this analysis as a case", "zh": "将本次分析保存为病例"},
    "diagnose_saved": {"en": "Saved as case {case}.", "zh": "已保存为病例 {case}。"},
    "diagnose_not_saved": {
        "en": "This analysis was NOT saved: {detail} The result below is still valid.",
        "zh": "本次分析未保存：{detail} 下方结果仍然有效。",
    },
    "diagnose_open_case": {"en": "Open in History", "zh": "在病例记录中打开"},
    "history_title": {"en": "Case history", "zh": "病例记录"},
    "history_intro": {
        "en": "Every saved analysis, newest first. Open a case to see it again, record the "
        "clinical or pathology diagnosis, and download its report.",
        "zh": "所有已保存的分析，按时间倒序排列。打开病例可再次查看、记录临床或病理诊断，并下载报告。",
    },
    "err_store": {
        "en": "The case database cannot be used.",
        "zh": "无法使用病例数据库。",
    },
    "err_store_hint": {
        "en": "Set DATABASE_URL to a reachable database (sqlite:///PATH or "
        "postgresql://USER:PASSWORD@HOST:PORT/DB), or unset it to use the SQLite file in "
        "SKINMM_HOME, then reload this page.",
        "zh": "请将 DATABASE_URL 设置为可访问的数据库（sqlite:///路径 或 "
        "postgresql://用户:密码@主机:端口/数据库），或取消设置以使用 SKINMM_HOME 中的 SQLite "
        "文件，然后刷新本页。",
    },
    "history_empty": {
        "en": "No cases yet. Each analysis on the Diagnose page is saved here.",
        "zh": "暂无病例。在“诊断”页面进行的每次分析都会保存在这里。",
    },
    "tab_cases": {"en": "Cases", "zh": "病例"},
    "tab_performance": {"en": "Live performance", "zh": "实际表现"},
    "filter_search": {"en": "Search", "zh": "搜索"},
    "filter_search_help": {
        "en": "Patient reference, words of the note, or the case id",
        "zh": "患者编号、病历中的词语或病例编号",
    },
    "filter_since": {"en": "From", "zh": "起始日期"},
    "filter_until": {"en": "To", "zh": "截止日期"},
    "filter_top_class": {"en": "Predicted class", "zh": "预测类别"},
    "filter_confirmed": {"en": "Confirmed diagnosis", "zh": "确诊类别"},
    "filter_agreement": {"en": "Image and note", "zh": "图像与病历"},
    "filter_any": {"en": "Any", "zh": "全部"},
    "agreement_agree": {"en": "agree", "zh": "一致"},
    "agreement_disagree": {"en": "disagree", "zh": "不一致"},
    "history_count": {
        "en": "{shown:,} of {total:,} matching cases shown",
        "zh": "共 {total:,} 个符合条件的病例，显示 {shown:,} 个",
    },
    "history_no_match": {
        "en": "No case matches these filters.",
        "zh": "没有符合筛选条件的病例。",
    },
    "col_date": {"en": "Date (UTC)", "zh": "日期（UTC）"},
    "col_case_id": {"en": "Case", "zh": "病例"},
    "col_patient": {"en": "Patient ref.", "zh": "患者编号"},
    "col_top": {"en": "Predicted", "zh": "预测"},
    "col_confidence": {"en": "Confidence", "zh": "置信度"},
    "col_agreement": {"en": "Branches", "zh": "分支"},
    "col_confirmed": {"en": "Confirmed", "zh": "确诊"},
    "history_open": {"en": "Open case", "zh": "打开病例"},
    "case_title": {"en": "Case {case}", "zh": "病例 {case}"},
    "case_meta": {
        "en": "Saved {date} UTC · patient {patient} · model {bundle}",
        "zh": "保存于 {date} UTC · 患者 {patient} · 模型 {bundle}",
    },
    "case_note": {"en": "Clinical note", "zh": "临床病历"},
    "case_no_note": {"en": "No note was given.", "zh": "未提供病历。"},
    "case_no_image": {"en": "No photo was given.", "zh": "未提供照片。"},
    "case_image_missing": {
        "en": "The photo of this case is not in {folder}; copy the images folder of the "
        "installation that saved it.",
        "zh": "该病例的照片不在 {folder} 中；请复制保存该病例的安装目录中的 images 文件夹。",
    },
    "cam_no_bundle": {
        "en": "Grad-CAM needs the model bundle, which could not be loaded: {detail}",
        "zh": "Grad-CAM 需要模型包，但无法加载：{detail}",
    },
    "cam_other_bundle": {
        "en": "Grad-CAM is left out: this case was analysed with {saved}, the loaded model is "
        "{loaded}.",
        "zh": "未显示 Grad-CAM：该病例由 {saved} 分析，当前加载的模型是 {loaded}。",
    },
    "feedback_title": {"en": "Clinician feedback", "zh": "医生反馈"},
    "feedback_diagnosis": {"en": "Clinical diagnosis", "zh": "临床诊断"},
    "feedback_pathology": {"en": "Pathology result", "zh": "病理结果"},
    "feedback_comment": {"en": "Comment", "zh": "备注"},
    "feedback_comment_help": {
        "en": "Anything the classes above do not say, e.g. a diagnosis outside them",
        "zh": "上述类别无法表达的内容，例如不在类别中的诊断",
    },
    "feedback_author": {"en": "Your initials (optional)", "zh": "您的姓名缩写（可选）"},
    "feedback_save": {"en": "Save feedback", "zh": "保存反馈"},
    "feedback_saved": {"en": "Feedback saved.", "zh": "反馈已保存。"},
    "feedback_invalid": {
        "en": 'Feedback not saved: check the diagnosis fields (and the words for "other") and save again.',
        "zh": "反馈未保存：请检查诊断字段（选择“其他”时须填写名称）后再保存。",
    },
    "feedback_none": {"en": "No feedback yet.", "zh": "暂无反馈。"},
    "not_set": {"en": "—", "zh": "—"},
    "col_time": {"en": "Time (UTC)", "zh": "时间（UTC）"},
    "col_diagnosis": {"en": "Clinical diagnosis", "zh": "临床诊断"},
    "col_pathology": {"en": "Pathology", "zh": "病理"},
    "col_comment": {"en": "Comment", "zh": "备注"},
    "col_author": {"en": "By", "zh": "记录人"},
    "report_download": {"en": "Download report (PDF)", "zh": "下载报告（PDF）"},
    "report_failed": {
        "en": "The PDF report could not be made; the case above is complete. Try again, or send the details below to whoever runs SkinMM.",
        "zh": "无法生成 PDF 报告；上方病例内容完整。请重试，或将下方详情发给 SkinMM 的管理员。",
    },
    "perf_intro": {
        "en": "The test-set figures, computed on this installation's cases that have a "
        "pathology result (the latest prediction and the latest result of each case).",
        "zh": "在本系统中有病理结果的病例上计算的测试集指标（每个病例取最新预测和最新病理结果）。",
    },
    "perf_none": {
        "en": "No case has a pathology result yet. Record one in a case's feedback to see how "
        "the model does on your patients.",
        "zh": "暂无带病理结果的病例。在病例反馈中记录病理结果后，即可查看模型在您的患者中的表现。",
    },
    "perf_bundle": {"en": "Model", "zh": "模型"},
    "perf_cases": {
        "en": "Cases with a pathology result: {n:,} ({image:,} with a photo, {text:,} with a "
        "note, {both:,} with both).",
        "zh": "{n:,} 个带病理结果的病例（有照片 {image:,} 个，有病历 {text:,} 个，两者都有 {both:,} 个）。",
    },
    "perf_small": {
        "en": "Fewer than {n} cases: read these figures as anecdotes, not estimates.",
        "zh": "病例少于 {n} 个：这些数字只能作为个例参考，而非可靠估计。",
    },
    # The PDF report
    "report_title": {"en": "SkinMM case report", "zh": "SkinMM 病例报告"},
    "report_case": {"en": "Case", "zh": "病例"},
    "report_saved": {"en": "Saved", "zh": "保存时间"},
    "report_patient": {"en": "Patient reference", "zh": "患者编号"},
    "report_model": {"en": "Model", "zh": "模型"},
    "report_analysis": {"en": "Analysis", "zh": "分析方式"},
    "report_generated": {"en": "Report made", "zh": "报告生成时间"},
    "report_photo": {"en": "Photo and Grad-CAM", "zh": "照片与 Grad-CAM"},
    "report_differential": {"en": "Differential", "zh": "鉴别诊断"},
    "report_cautions": {"en": "Cautions", "zh": "注意事项"},
    "report_cam_left_out": {"en": "Grad-CAM left out: {reason}", "zh": "未包含 Grad-CAM：{reason}"},
    "report_no_cam_bundle": {
        "en": "the model bundle that analysed this case is not loaded",
        "zh": "未加载分析该病例的模型包",
    },
    "report_fonts": {
        "en": "Chinese characters are shown as '?': install a CJK font (fonts-wqy-microhei) "
        "or set SKINMM_PDF_FONT.",
        "zh": "中文字符显示为“?”：请安装中文字体（fonts-wqy-microhei）或设置 SKINMM_PDF_FONT。",
    },
    "report_page": {"en": "Page {page}", "zh": "第 {page} 页"},
    # Safe case store: unreadable rows, links, feedback outside the classes, out of scope
    "row_unreadable": {"en": "unreadable (open for details)", "zh": "无法读取（打开查看详情）"},
    "case_prediction_unreadable": {
        "en": "The stored prediction of this case cannot be read; it breaks the database "
        "schema (it was probably edited by hand or imported by an old version). The photo, "
        "note and feedback are shown; ask an administrator to repair or remove the row.",
        "zh": "无法读取该病例保存的预测结果：它不符合数据库结构（可能被手工修改，或由旧版本导入）。"
        "照片、病历和反馈仍会显示；请联系管理员修复或删除该记录。",
    },
    "case_unreadable": {
        "en": "This case cannot be read from the database: a stored value is damaged. Ask an "
        "administrator to repair or remove it; the other cases are not affected.",
        "zh": "无法从数据库读取该病例：某个保存的值已损坏。请联系管理员修复或删除；其他病例不受影响。",
    },
    "case_not_found": {
        "en": "No saved case has this id. Check the link, or pick a case from the list above.",
        "zh": "没有该编号的已保存病例。请检查链接，或从上方列表中选择病例。",
    },
    "case_link_invalid": {
        "en": "The link's case id is not valid: a case id has 6 to 32 letters a–f and digits. "
        "Pick a case from the list above.",
        "zh": "链接中的病例编号无效：病例编号由 6 至 32 个字母 a–f 和数字组成。请从上方列表中选择病例。",
    },
    "case_link_value": {"en": "The link asked for:", "zh": "链接请求的是："},
    "feedback_other": {"en": "Other (name it in words)", "zh": "其他（请用文字说明）"},
    "feedback_diagnosis_other": {
        "en": "Clinical diagnosis in words (with “Other”)",
        "zh": "临床诊断文字说明（选择“其他”时）",
    },
    "feedback_pathology_other": {
        "en": "Pathology result in words (with “Other”)",
        "zh": "病理结果文字说明（选择“其他”时）",
    },
    "feedback_other_help": {
        "en": "For a diagnosis that is none of the listed classes, e.g. lichen planus",
        "zh": "用于不属于所列类别的诊断，例如扁平苔藓",
    },
    "feedback_other_value": {"en": "Other: {text}", "zh": "其他：{text}"},
    "perf_out_of_scope": {
        "en": "{n:,} confirmed case(s) have a pathology result outside this model's classes: "
        "they are counted here, not in the figures below.",
        "zh": "{n:,} 个确诊病例的病理结果不在该模型的类别中：它们在此计数，不计入下方指标。",
    },
    "perf_unreadable": {
        "en": "{n:,} confirmed case(s) have a stored prediction that cannot be read and are "
        "left out of the figures.",
        "zh": "{n:,} 个确诊病例保存的预测结果无法读取，未计入指标。",
    },
    "perf_in_scope_none": {
        "en": "No confirmed case of this model has a pathology result among its classes yet.",
        "zh": "该模型尚无病理结果属于其类别的确诊病例。",
    },
    "col_out_of_scope": {"en": "Pathology (out of scope)", "zh": "病理（超出范围）"},
    # Scope verdict and prediction set saved with the case (issue 15)
    "col_scope": {"en": "Input check", "zh": "输入检查"},
    "scope_cell_shown": {"en": "{verdict} (shown anyway)", "zh": "{verdict}（仍显示）"},
    "case_scope_in": {
        "en": "Input check passed: a dermoscopic lesion image like those the model was trained on.",
        "zh": "输入检查通过：与模型训练所用图像相似的皮肤镜皮损图像。",
    },
    "case_scope_out": {
        "en": "Outside the model's scope ({verdict}): the differential was not shown to the "
        "clinician.",
        "zh": "超出模型适用范围（{verdict}）：鉴别诊断未向医生显示。",
    },
    "case_scope_shown": {
        "en": "Outside the model's scope ({verdict}): the clinician asked to see the "
        "differential anyway. It is not reliable for this image.",
        "zh": "超出模型适用范围（{verdict}）：医生要求仍然显示鉴别诊断。"
        "该鉴别诊断对这张图像不可靠。",
    },
    "case_scope_none": {
        "en": "No input check was recorded for this case (no photo, or a model without one).",
        "zh": "该病例没有输入检查记录（无照片，或模型没有输入检查）。",
    },
    "case_set_none": {
        "en": "No prediction set was recorded for this case.",
        "zh": "该病例没有预测集记录。",
    },
    "report_scope": {"en": "Input check", "zh": "输入检查"},
    "report_set": {"en": "Prediction set", "zh": "预测集"},
    "report_differential_out": {
        "en": "Differential (outside the model's scope)",
        "zh": "鉴别诊断（超出模型适用范围）",
    },
    # --- Follow-up visits and every photo of a case (issue 20) -------------------------------
    "followup_label": {"en": "Follow-up of an earlier case", "zh": "既往病例的随访"},
    "followup_none": {"en": "No (a first visit)", "zh": "否（首次就诊）"},
    "followup_help": {
        "en": "The same lesion of this patient seen before: the new case is linked to the "
        "chosen one and History shows the visits side by side.",
        "zh": "该患者此前看过的同一病灶：新病例将与所选病例关联，病例记录中并排显示各次就诊。",
    },
    "followup_need_patient": {
        "en": "Enter the patient reference to link this case to an earlier visit.",
        "zh": "填写患者编号后可将本病例关联到既往就诊。",
    },
    "followup_no_earlier": {
        "en": "No earlier case of this patient to follow up.",
        "zh": "该患者没有可随访的既往病例。",
    },
    "followup_option": {"en": "{date} · case {case} · {top}", "zh": "{date} · 病例 {case} · {top}"},
    "followup_unavailable": {
        "en": "The patient's earlier cases cannot be listed now: {detail}",
        "zh": "暂时无法列出该患者的既往病例：{detail}",
    },
    "visits_title": {"en": "Visits of this lesion", "zh": "该病灶的各次就诊"},
    "visits_caption": {
        "en": "Oldest first. Malignancy score: the summed probability of the malignant and "
        "premalignant classes; the change is from the visit before.",
        "zh": "按时间顺序排列。恶性评分：恶性及癌前病变类别的概率之和；变化为与上一次就诊相比。",
    },
    "visit_heading": {"en": "Visit {n} · {date}", "zh": "第 {n} 次就诊 · {date}"},
    "visit_this": {"en": "this case", "zh": "本病例"},
    "visit_open": {"en": "Open case {case}", "zh": "打开病例 {case}"},
    "visit_malignancy": {"en": "Malignancy score", "zh": "恶性评分"},
    "visit_change": {
        "en": "{change:+.1%} since the visit before",
        "zh": "较上次就诊 {change:+.1%}",
    },
    "visit_no_prediction": {"en": "No readable differential.", "zh": "无可读的鉴别诊断。"},
    "visit_hidden": {
        "en": "A visit of this lesion saved by someone else (not shown).",
        "zh": "该病灶的一次就诊由他人保存（不显示）。",
    },
    "visits_link": {"en": "Link to an earlier visit", "zh": "关联到既往就诊"},
    "visits_link_button": {"en": "Link as a follow-up", "zh": "关联为随访"},
    "visits_linked": {"en": "Linked to case {case}.", "zh": "已关联到病例 {case}。"},
    "visits_failed": {
        "en": "The visits of this lesion cannot be shown.",
        "zh": "无法显示该病灶的各次就诊。",
    },
    "case_photos_title": {
        "en": "All {n} photos of this lesion",
        "zh": "该病灶的全部 {n} 张照片",
    },
    "case_photo_caption": {
        "en": "Photo {n}: this photo alone gives {name} {p:.0%}",
        "zh": "照片 {n}：仅凭此照片，{name} {p:.0%}",
    },
    "case_photo_plain": {"en": "Photo {n}", "zh": "照片 {n}"},
    "case_photo_missing": {
        "en": "Photo {n} is missing from {folder}.",
        "zh": "照片 {n} 不在 {folder} 中。",
    },
    "report_photos": {"en": "Every photo of the lesion", "zh": "该病灶的全部照片"},
    "report_visits": {"en": "Visits of this lesion", "zh": "该病灶的各次就诊"},
    "report_visit_line": {
        "en": "Visit {n} ({date}, case {case}{this}): {top}; malignancy score {score}{change}",
        "zh": "第 {n} 次就诊（{date}，病例 {case}{this}）：{top}；恶性评分 {score}{change}",
    },
    "report_visit_change": {
        "en": " ({change:+.1%} since the visit before)",
        "zh": "（较上次 {change:+.1%}）",
    },
    "report_visit_this": {"en": ", this case", "zh": "，本病例"},
}


def t(key: str, lang: str = "en", /, **values: object) -> str:
    """The string ``key`` in ``lang``, from here or else from :mod:`skinmm.i18n`."""
    entry = STRINGS.get(key)
    if entry is None:
        return i18n.t(key, lang, **values)
    text = entry.get(lang, entry["en"])
    return text.format(**values) if values else text
