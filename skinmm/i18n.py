"""Every string the app shows, in English and Chinese.

Pages never write user-facing text themselves: they call :func:`t` with a key, so a missing
translation is a failing unit test rather than a half-English page. Placeholders use
``str.format`` names and must be the same in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping

from skinmm.taxonomy import DatasetClass, Risk

LANGS: tuple[str, ...] = ("en", "zh")
LANG_LABELS: Mapping[str, str] = {"en": "English", "zh": "中文"}

STRINGS: Mapping[str, Mapping[str, str]] = {
    # Shell and navigation
    "app_title": {"en": "SkinMM", "zh": "SkinMM"},
    "language": {"en": "Language", "zh": "语言"},
    "nav_diagnose": {"en": "Diagnose", "zh": "诊断"},
    "nav_dashboard": {"en": "Dashboard", "zh": "评估看板"},
    "nav_model_card": {"en": "Model card", "zh": "模型说明"},
    "notice": {
        "en": "Research tool, not a medical device. SkinMM's output is a second opinion for a "
        "qualified clinician; it must not be used on its own to diagnose, treat or reassure a "
        "patient.",
        "zh": "本工具仅供科研使用，不是医疗器械。SkinMM 的结果只能作为具备资质的临床医生的参考，"
        "不得单独用于诊断、治疗或安抚患者。",
    },
    "loading_model": {"en": "Loading the model…", "zh": "正在加载模型…"},
    "bundle_label": {"en": "Model: {name}", "zh": "模型：{name}"},
    # Bundle problems
    "err_bundle": {
        "en": "The model bundle could not be loaded.",
        "zh": "无法加载模型包。",
    },
    "err_bundle_hint": {
        "en": "Set SKINMM_BUNDLE to a bundle folder made by `skinmm train` (default: "
        "models/default), then reload this page.",
        "zh": "请将环境变量 SKINMM_BUNDLE 指向由 `skinmm train` 生成的模型包文件夹（默认："
        "models/default），然后刷新本页。",
    },
    # Diagnose: inputs
    "diagnose_title": {"en": "Diagnose a lesion", "zh": "皮损诊断"},
    "diagnose_intro": {
        "en": "Upload a dermoscopic image of the lesion (the model was trained on dermoscopic "
        "images only) and/or paste the clinical note (English or Chinese), then press Analyse.",
        "zh": "上传皮损的皮肤镜图像（模型仅用皮肤镜图像训练）和/或粘贴临床病历（中文或英文），"
        "然后点击“分析”。",
    },
    "upload_label": {
        "en": "Dermoscopic image of the lesion (JPEG, PNG or WebP)",
        "zh": "皮损的皮肤镜图像（JPEG、PNG 或 WebP）",
    },
    "note_label": {"en": "Clinical note (optional)", "zh": "临床病历（可选）"},
    "note_placeholder": {
        "en": "e.g. Male, 63 years. Pigmented lesion on the back, grew over six months, bleeds.",
        "zh": "例如：男，63岁。背部色素性皮损，近六个月增大，偶有出血。",
    },
    "analyse": {"en": "Analyse", "zh": "分析"},
    "analysing": {"en": "Analysing…", "zh": "正在分析…"},
    "err_empty": {
        "en": "Nothing to analyse: upload a lesion photo, paste a clinical note, or both.",
        "zh": "没有可分析的内容：请上传皮损照片、粘贴临床病历，或两者都提供。",
    },
    "err_image": {
        "en": "The uploaded file could not be used as a lesion photo. Upload a complete JPEG, "
        "PNG or WebP image of the lesion and press Analyse again.",
        "zh": "上传的文件无法作为皮损照片使用。请上传完整的 JPEG、PNG 或 WebP 皮损图像，"
        "然后再次点击“分析”。",
    },
    "err_note_too_long": {
        "en": "The note is {length:,} characters long; SkinMM accepts up to {limit:,}. Paste "
        "only the history and examination of this lesion and press Analyse again.",
        "zh": "病历长度为 {length:,} 个字符，SkinMM 最多接受 {limit:,} 个字符。请只粘贴与该皮损相关的"
        "病史和体格检查，然后再次点击“分析”。",
    },
    "err_note": {
        "en": "The note could not be read. Paste it as plain text and press Analyse again.",
        "zh": "无法读取该病历。请以纯文本形式粘贴后再次点击“分析”。",
    },
    "err_predict": {
        "en": "The analysis failed. Check the inputs and press Analyse again; if it keeps "
        "failing, report it together with the bundle name.",
        "zh": "分析失败。请检查输入后再次点击“分析”；如仍失败，请连同模型包名称一起报告。",
    },
    "warn_note_truncated": {
        "en": "The note is longer than the text branch reads; only its first {limit:,} "
        "characters were used.",
        "zh": "病历超出文本分支的读取长度，仅使用了前 {limit:,} 个字符。",
    },
    # Diagnose: results
    "result_title": {"en": "Differential diagnosis", "zh": "鉴别诊断"},
    "top_class": {"en": "Most likely", "zh": "最可能的诊断"},
    "confidence": {"en": "Calibrated confidence", "zh": "校准后置信度"},
    "mode": {"en": "Mode", "zh": "模式"},
    "mode_fused": {"en": "Image + note (fused)", "zh": "图像 + 病历（融合）"},
    "mode_image-only": {"en": "Image only", "zh": "仅图像"},
    "mode_text-only": {"en": "Note only", "zh": "仅病历"},
    "rule": {"en": "Fusion rule", "zh": "融合规则"},
    "agreement_title": {"en": "Do image and note agree?", "zh": "图像与病历是否一致？"},
    "agree_yes": {
        "en": "Both branches name the same top class: {name}.",
        "zh": "两个分支给出相同的首位诊断：{name}。",
    },
    "agree_no": {
        "en": "The branches disagree: the image points to {image}, the note to {text}.",
        "zh": "两个分支不一致：图像提示 {image}，病历提示 {text}。",
    },
    "agree_single": {
        "en": "Only one input was given, so there is nothing to compare.",
        "zh": "只提供了一种输入，无法比较两个分支。",
    },
    "largest_differences": {
        "en": "Where the branches differ most",
        "zh": "两个分支差异最大的类别",
    },
    "diff_image_higher": {
        "en": "{name}: the image gives {delta:.0%} more",
        "zh": "{name}：图像分支高出 {delta:.0%}",
    },
    "diff_text_higher": {
        "en": "{name}: the note gives {delta:.0%} more",
        "zh": "{name}：病历分支高出 {delta:.0%}",
    },
    "carrier_title": {
        "en": "Which branch carried each class (max rule)",
        "zh": "各类别由哪个分支决定（最大值规则）",
    },
    "carrier_image": {"en": "image", "zh": "图像"},
    "carrier_text": {"en": "note", "zh": "病历"},
    "carrier_both": {"en": "both", "zh": "两者"},
    "col_class": {"en": "Class", "zh": "类别"},
    "col_risk": {"en": "Risk", "zh": "风险"},
    "col_fused": {"en": "Fused", "zh": "融合"},
    "col_image": {"en": "Image", "zh": "图像"},
    "col_text": {"en": "Note", "zh": "病历"},
    "col_carrier": {"en": "Carried by", "zh": "决定分支"},
    "cautions_title": {"en": "Cautions", "zh": "注意事项"},
    "cam_title": {
        "en": "Where the image branch looked (Grad-CAM)",
        "zh": "图像分支关注区域（Grad-CAM）",
    },
    "cam_opacity": {"en": "Heat-map opacity", "zh": "热力图透明度"},
    "cam_caption": {"en": "{name} — {p:.0%}", "zh": "{name} — {p:.0%}"},
    "cam_none": {
        "en": "No photo was given, so there is no Grad-CAM.",
        "zh": "未提供照片，因此没有 Grad-CAM 热力图。",
    },
    "cam_failed": {
        "en": "Grad-CAM could not be computed for this image.",
        "zh": "无法为该图像计算 Grad-CAM。",
    },
    "download_json": {"en": "Download result (JSON)", "zh": "下载结果（JSON）"},
    # Cautions (keys from Prediction.cautions())
    "caution_low_confidence": {
        "en": "Low confidence: the model is unsure about this lesion ({p:.0%} for the top class).",
        "zh": "置信度低：模型对该皮损的判断不确定（首位诊断概率为 {p:.0%}）。",
    },
    "caution_branches_disagree": {
        "en": "The photo and the note point to different diagnoses.",
        "zh": "照片与病历提示的诊断不一致。",
    },
    "caution_possible_malignancy": {
        "en": "A malignant or premalignant class has a notable probability: {names}.",
        "zh": "恶性或癌前病变类别的概率不可忽视：{names}。",
    },
    "caution_consider_biopsy": {
        "en": "Consider a biopsy or a specialist review before any decision.",
        "zh": "在做出任何决定之前，请考虑活检或专科会诊。",
    },
    "caution_image_only": {
        "en": "Image-only mode: no note was given, so only the photo was used.",
        "zh": "仅图像模式：未提供病历，仅使用了照片。",
    },
    "caution_text_only": {
        "en": "Note-only mode: no photo was given, so only the note was used.",
        "zh": "仅病历模式：未提供照片，仅使用了病历。",
    },
    # Risk levels
    "risk_malignant": {"en": "malignant", "zh": "恶性"},
    "risk_premalignant": {"en": "premalignant", "zh": "癌前病变"},
    "risk_benign": {"en": "benign", "zh": "良性"},
    # Charts
    "chart_probability": {"en": "Probability", "zh": "概率"},
    "chart_differential": {"en": "Probability per class", "zh": "各类别概率"},
    "chart_f1": {"en": "F1 per class", "zh": "各类别 F1"},
    "chart_confusion": {"en": "Confusion matrix — {branch}", "zh": "混淆矩阵 — {branch}"},
    "chart_true": {"en": "True class", "zh": "真实类别"},
    "chart_predicted": {"en": "Predicted class", "zh": "预测类别"},
    "chart_roc": {"en": "ROC curves — {branch}", "zh": "ROC 曲线 — {branch}"},
    "chart_fpr": {"en": "False-positive rate", "zh": "假阳性率"},
    "chart_tpr": {"en": "True-positive rate", "zh": "真阳性率"},
    "chart_chance": {"en": "chance", "zh": "随机"},
    "chart_compensation": {"en": "Cases rescued per class", "zh": "各类别被挽救的病例"},
    "compensation_caption": {
        "en": "Share of each class's test cases that one branch gets right where the other "
        "fails; the paper's text-compensating-image value is the first series.",
        "zh": "每个类别中一个分支判错、另一分支判对的测试病例占比；论文中的“文本补偿图像”值即第一组。",
    },
    "chart_text_comp_image": {"en": "note rescues image", "zh": "病历弥补图像"},
    "chart_image_comp_text": {"en": "image rescues note", "zh": "图像弥补病历"},
    "chart_share": {"en": "Share of cases", "zh": "病例占比"},
    "chart_reliability": {"en": "Reliability diagram", "zh": "可靠性图"},
    "chart_mean_confidence": {"en": "Mean confidence", "zh": "平均置信度"},
    "chart_accuracy": {"en": "Accuracy", "zh": "准确率"},
    "chart_perfect": {"en": "perfectly calibrated", "zh": "完美校准"},
    "branch_image": {"en": "Image", "zh": "图像"},
    "branch_text": {"en": "Note", "zh": "病历"},
    "branch_fused": {"en": "Fused", "zh": "融合"},
    # Dashboard
    "dashboard_title": {"en": "Test-set evaluation", "zh": "测试集评估"},
    "no_report": {
        "en": "This bundle has no evaluation report. Run `skinmm evaluate --bundle BUNDLE "
        "--manifest TEST.csv --out BUNDLE/report` and reload this page.",
        "zh": "该模型包没有评估报告。请运行 `skinmm evaluate --bundle BUNDLE --manifest TEST.csv "
        "--out BUNDLE/report`，然后刷新本页。",
    },
    "err_report": {
        "en": "The evaluation report could not be read ({detail}). Re-run `skinmm evaluate` "
        "for this bundle.",
        "zh": "无法读取评估报告（{detail}）。请为该模型包重新运行 `skinmm evaluate`。",
    },
    "report_summary": {
        "en": "{n:,} test cases · default fusion rule: {rule} · branches agree on {agree:.0%}",
        "zh": "测试病例 {n:,} 例 · 默认融合规则：{rule} · 两分支一致率 {agree:.0%}",
    },
    "unmapped": {
        "en": "{count:,} test labels could not be mapped to the bundle's classes and were left "
        "out: {labels}.",
        "zh": "{count:,} 个测试标签无法映射到模型包的类别，已排除：{labels}。",
    },
    "card_weighted_f1": {"en": "Weighted F1 — {branch}", "zh": "加权 F1 — {branch}"},
    "metrics_table": {"en": "Summary metrics", "zh": "汇总指标"},
    "metric_weighted_precision": {"en": "Weighted precision", "zh": "加权精确率"},
    "metric_weighted_recall": {"en": "Weighted recall", "zh": "加权召回率"},
    "metric_weighted_f1": {"en": "Weighted F1", "zh": "加权 F1"},
    "metric_macro_f1": {"en": "Macro F1", "zh": "宏平均 F1"},
    "metric_balanced_accuracy": {"en": "Balanced accuracy", "zh": "平衡准确率"},
    "metric_auc_macro": {"en": "AUC (macro)", "zh": "AUC（宏平均）"},
    "metric_ece": {"en": "ECE", "zh": "期望校准误差"},
    "metric_branch": {"en": "Branch", "zh": "分支"},
    "section_per_class": {"en": "Per-class F1", "zh": "各类别 F1"},
    "section_confusion": {"en": "Confusion matrices", "zh": "混淆矩阵"},
    "confusion_scale": {"en": "Show", "zh": "显示"},
    "confusion_counts": {"en": "Counts", "zh": "计数"},
    "confusion_normalised": {"en": "Row-normalised", "zh": "按行归一化"},
    "section_roc": {"en": "ROC curves", "zh": "ROC 曲线"},
    "roc_branch": {"en": "Branch", "zh": "分支"},
    "section_compensation": {
        "en": "How much the note compensates the image",
        "zh": "病历对图像的补偿作用",
    },
    "section_pairs": {"en": "Most confused pairs", "zh": "最易混淆的类别对"},
    "col_true": {"en": "True", "zh": "真实"},
    "col_predicted": {"en": "Predicted", "zh": "预测"},
    "col_count": {"en": "Cases", "zh": "病例数"},
    "col_share": {"en": "Share of true class", "zh": "占真实类别比例"},
    "section_reliability": {"en": "Calibration", "zh": "校准"},
    "section_rules": {"en": "Fusion rules compared", "zh": "融合规则比较"},
    "col_rule": {"en": "Rule", "zh": "规则"},
    "rule_default": {"en": "default", "zh": "默认"},
    "section_paper": {"en": "Compared with the paper", "zh": "与论文结果比较"},
    "paper_caption": {
        "en": "The paper's figures come from different data: 12 tumour classes of clinical "
        "photos with electronic medical records of 15,925 patients. This bundle was tested on "
        "{n:,} cases of its own dataset with {k} classes, so the numbers are not directly "
        "comparable.",
        "zh": "论文结果来自不同的数据：15,925 名患者的 12 类皮肤肿瘤临床照片及电子病历。本模型包在其"
        "自身数据集的 {n:,} 个病例、{k} 个类别上测试，因此两组数字不能直接比较。",
    },
    "col_this_bundle": {"en": "This bundle (weighted F1)", "zh": "本模型包（加权 F1）"},
    "col_paper": {"en": "Paper (weighted F1)", "zh": "论文（加权 F1）"},
    "section_errors": {"en": "Error explorer", "zh": "错误浏览"},
    "no_predictions": {
        "en": "The report has no predictions.csv, so misclassified cases cannot be listed.",
        "zh": "报告中没有 predictions.csv，无法列出误判病例。",
    },
    "filter_true": {"en": "True class", "zh": "真实类别"},
    "filter_predicted": {"en": "Predicted class", "zh": "预测类别"},
    "filter_branch": {"en": "Which branch erred", "zh": "出错的分支"},
    "err_branch_fused": {"en": "Fused result wrong", "zh": "融合结果错误"},
    "err_branch_image": {"en": "Image branch wrong", "zh": "图像分支错误"},
    "err_branch_text": {"en": "Note branch wrong", "zh": "病历分支错误"},
    "err_branch_image_only": {
        "en": "Image wrong, note right",
        "zh": "图像错误、病历正确",
    },
    "err_branch_text_only": {"en": "Note wrong, image right", "zh": "病历错误、图像正确"},
    "err_branch_both": {"en": "Both branches wrong", "zh": "两个分支都错误"},
    "errors_count": {"en": "{n:,} matching cases", "zh": "符合条件的病例 {n:,} 例"},
    "errors_none": {
        "en": "No misclassified case matches these filters.",
        "zh": "没有符合筛选条件的误判病例。",
    },
    "col_case": {"en": "Case", "zh": "病例"},
    "col_note": {"en": "Note", "zh": "病历"},
    "col_image_pred": {"en": "Image says", "zh": "图像判断"},
    "col_text_pred": {"en": "Note says", "zh": "病历判断"},
    "col_fused_pred": {"en": "Fused says", "zh": "融合判断"},
    "errors_no_images": {
        "en": "The test images are not on this machine (set SKINMM_DATA to the data folder to "
        "see thumbnails and Grad-CAM).",
        "zh": "本机上没有测试图像（将 SKINMM_DATA 设为数据文件夹即可查看缩略图和 Grad-CAM）。",
    },
    "errors_pick": {"en": "Inspect a case", "zh": "查看病例"},
    "errors_cam": {
        "en": "Image-branch Grad-CAM for the true class ({true}) and for its own answer ({pred})",
        "zh": "图像分支对真实类别（{true}）及其自身判断（{pred}）的 Grad-CAM",
    },
    "errors_thumbnails": {"en": "First {n} matching cases", "zh": "前 {n} 个符合条件的病例"},
    # Model card
    "card_title": {"en": "Model card", "zh": "模型说明"},
    "card_what": {"en": "What the model is", "zh": "模型概述"},
    "card_what_body": {
        "en": "SkinMM classifies a skin lesion from a clinical photo and a free-text clinical "
        "note. An image branch ({backbone}) and a text branch ({embedder} sentence embeddings "
        "with gradient-boosted trees) each give calibrated class probabilities; these are "
        "fused at decision level with the **{rule}** rule ({reason}).",
        "zh": "SkinMM 根据皮损临床照片和自由文本临床病历对皮损进行分类。图像分支（{backbone}）与文本"
        "分支（{embedder} 句向量 + 梯度提升树）分别给出校准后的类别概率，再在决策层用 **{rule}** "
        "规则融合（{reason}）。",
    },
    "card_data": {"en": "Training and test data", "zh": "训练与测试数据"},
    "card_classes": {"en": "Classes", "zh": "类别"},
    "col_code": {"en": "Code", "zh": "代码"},
    "col_covers": {"en": "Covers", "zh": "涵盖"},
    "card_metrics": {"en": "Test-set metrics", "zh": "测试集指标"},
    "card_no_metrics": {"en": "No metrics recorded in the card.", "zh": "模型说明中未记录指标。"},
    "card_use": {"en": "Intended use", "zh": "预期用途"},
    "card_use_body": {
        "en": "Research and teaching, and a second opinion for dermatologists who examine the "
        "patient themselves. It ranks the classes it was trained on; it cannot recognise a "
        "lesion outside them (inflammatory disease, rare tumours), and says so only through "
        "low confidence.",
        "zh": "用于科研和教学，并为亲自检查患者的皮肤科医生提供第二意见。模型只能在其训练过的类别中"
        "排序，无法识别这些类别以外的皮损（如炎症性疾病、罕见肿瘤），仅能通过较低的置信度体现这一点。",
    },
    "card_limits": {"en": "Limits", "zh": "局限性"},
    "card_limits_body": {
        "en": "- Not a medical device; not validated prospectively or on your population.\n"
        "- Trained on public data whose skin types, sites and cameras may differ from yours; "
        "performance on darker skin types is largely untested.\n"
        "- Probabilities are calibrated on the validation split; they drift on other data.\n"
        "- The paper's figures come from a different, private dataset and are not reproduced "
        "here.",
        "zh": "- 不是医疗器械；未经前瞻性验证，也未在您的人群中验证。\n"
        "- 训练数据为公开数据，其肤色类型、部位和拍摄设备可能与您的不同；在深肤色人群中的表现基本"
        "未经检验。\n"
        "- 概率在验证集上校准，在其他数据上可能偏移。\n"
        "- 论文中的结果来自另一个非公开数据集，本项目并未复现。",
    },
    "card_created": {"en": "Created", "zh": "创建时间"},
    "card_version": {"en": "SkinMM version", "zh": "SkinMM 版本"},
    "card_train_manifest": {"en": "Training manifest", "zh": "训练清单"},
    "card_val_manifest": {"en": "Validation manifest", "zh": "验证清单"},
    "card_train_rows": {"en": "Training images", "zh": "训练图像数"},
    "card_val_rows": {"en": "Validation images", "zh": "验证图像数"},
    "card_test_manifest": {"en": "Test manifest", "zh": "测试清单"},
    "card_test_cases": {
        "en": "Test cases with image and note",
        "zh": "同时有图像和病历的测试病例数",
    },
    "card_git_commit": {"en": "Code version (git commit)", "zh": "代码版本（git 提交）"},
    "card_fingerprint": {"en": "Training data fingerprint", "zh": "训练数据指纹"},
    "card_calibration": {"en": "Calibration (temperature scaling)", "zh": "校准（温度缩放）"},
    "col_temperature": {"en": "Temperature", "zh": "温度"},
    "col_ece_before": {"en": "ECE before", "zh": "校准前 ECE"},
    "col_ece_after": {"en": "ECE after", "zh": "校准后 ECE"},
    "card_licence": {"en": "Licence", "zh": "许可"},
    "card_raw": {"en": "Full model_card.json", "zh": "完整 model_card.json"},
    "card_field": {"en": "Field", "zh": "字段"},
    "card_value": {"en": "Value", "zh": "值"},
    "unknown": {"en": "unknown", "zh": "未知"},
    # Issue 13, patient safety and every message in the UI language: one patient per
    # analysis, errors mapped by skinmm.errors, the uploader's own labels, rule names, the
    # model card's rationale and licence, results and dashboard headline fixes.
    "new_case": {"en": "New case", "zh": "新病例"},
    "new_case_help": {
        "en": "Clear the photo, the note, the patient reference and the result, to start the "
        "next patient.",
        "zh": "清除照片、病历、患者编号和结果，开始下一位患者。",
    },
    "upload_help": {
        "en": "One photo of this patient's lesion: JPEG, PNG or WebP, up to {size} MB.",
        "zh": "本患者皮损的一张照片：JPEG、PNG 或 WebP 格式，最大 {size} MB。",
    },
    "upload_drop": {"en": "Drag and drop the photo here", "zh": "将照片拖放到此处"},
    "upload_limit": {
        "en": "Up to {size} MB · JPEG, PNG, WebP",
        "zh": "最大 {size} MB · JPEG、PNG、WebP",
    },
    "upload_browse": {"en": "Browse files", "zh": "选择文件"},
    "inputs_title": {"en": "What was analysed", "zh": "本次分析的输入"},
    "inputs_photo": {"en": "Photo analysed: {name}", "zh": "分析的照片：{name}"},
    "inputs_no_photo": {"en": "No photo was analysed.", "zh": "未分析照片。"},
    "inputs_note": {"en": "Note analysed", "zh": "分析的病历"},
    "inputs_no_note": {"en": "No note was analysed.", "zh": "未分析病历。"},
    "inputs_reference": {"en": "Patient reference: {ref}", "zh": "患者编号：{ref}"},
    "inputs_no_reference": {"en": "No patient reference.", "zh": "无患者编号。"},
    "result_stale": {
        "en": "The inputs have changed since this analysis: the result below is for the "
        "previous inputs (shown beside it). Press Analyse to analyse the current inputs, or "
        "New case to start the next patient.",
        "zh": "自本次分析以来输入已更改：下方结果对应的是之前的输入（见结果旁）。请点击“分析”"
        "分析当前输入，或点击“新病例”开始下一位患者。",
    },
    "error_expander": {"en": "Technical details", "zh": "技术细节"},
    "detail_file": {
        "en": "Uploaded file: {size:,} bytes · recognised format: {format}",
        "zh": "上传的文件：{size:,} 字节 · 识别出的格式：{format}",
    },
    "detail_note": {"en": "Note: {length:,} characters", "zh": "病历：{length:,} 个字符"},
    "detail_library": {
        "en": "Message from the software (for a bug report):",
        "zh": "软件给出的原始信息（供报告问题时使用）：",
    },
    "err_input": {
        "en": "This input cannot be used. Check it and press Analyse again.",
        "zh": "该输入无法使用。请检查后再次点击“分析”。",
    },
    "err_image_empty": {
        "en": "The uploaded file is empty (0 bytes): the photo did not arrive. Upload the "
        "lesion photo again and press Analyse.",
        "zh": "上传的文件为空（0 字节），照片未能上传。请重新上传皮损照片后点击“分析”。",
    },
    "err_image_unreadable": {
        "en": "The uploaded file is not an image (whatever its name says). Upload a JPEG, PNG "
        "or WebP photo of the lesion and press Analyse again.",
        "zh": "上传的文件不是图像（无论其文件名如何）。请上传皮损的 JPEG、PNG 或 WebP 照片，"
        "然后再次点击“分析”。",
    },
    "err_image_damaged": {
        "en": "The uploaded {format} image is incomplete or damaged, perhaps cut off while "
        "copying. Export the photo again and upload the complete file.",
        "zh": "上传的 {format} 图像不完整或已损坏，可能在复制时被截断。请重新导出照片并上传完整文件。",
    },
    "err_image_format": {
        "en": "The uploaded file is a {format} image, whatever its name says; SkinMM accepts "
        "JPEG, PNG or WebP photos. Save the photo in one of these formats and upload it again.",
        "zh": "上传的文件实际上是 {format} 图像（与文件名无关）；SkinMM 只接受 JPEG、PNG 或 WebP "
        "照片。请将照片另存为其中一种格式后重新上传。",
    },
    "err_image_too_large": {
        "en": "The photo has more than {megapixels} megapixels, the most SkinMM accepts (larger "
        "images can exhaust the server's memory). Downscale it, e.g. to 4,000 pixels on the "
        "long side, and upload it again.",
        "zh": "照片超过 {megapixels} 百万像素，超出 SkinMM 可接受的上限（更大的图像可能耗尽服务器"
        "内存）。请将其缩小（例如长边 4,000 像素）后重新上传。",
    },
    "err_image_too_small": {
        "en": "The photo is only {width}×{height} pixels; at least {min_side} pixels on each "
        "side are needed. Upload a larger, closer photo of the lesion.",
        "zh": "照片只有 {width}×{height} 像素，每边至少需要 {min_side} 像素。请上传更大、"
        "更近的皮损照片。",
    },
    "err_storage": {
        "en": "the case database could not be reached or written; ask whoever runs SkinMM to "
        "check DATABASE_URL or SKINMM_HOME.",
        "zh": "无法访问或写入病例数据库；请联系 SkinMM 的管理员检查 DATABASE_URL 或 SKINMM_HOME。",
    },
    "err_bundle_damaged": {
        "en": "The model bundle is damaged or incomplete. Ask whoever runs SkinMM to restore "
        "it (e.g. `skinmm train` again), then reload this page.",
        "zh": "模型包已损坏或不完整。请联系 SkinMM 的管理员修复（例如重新运行 `skinmm train`），"
        "然后刷新本页。",
    },
    "err_memory": {
        "en": "The server ran out of memory on this input. Upload a smaller photo or a shorter "
        "note and press Analyse again.",
        "zh": "处理该输入时服务器内存不足。请上传较小的照片或较短的病历，然后再次点击“分析”。",
    },
    "err_save_value": {
        "en": "an input is too long to store; shorten the patient reference and analyse again.",
        "zh": "有输入过长，无法保存；请缩短患者编号后重新分析。",
    },
    "err_report_unreadable": {
        "en": "The evaluation report of this bundle is damaged or incomplete. Re-run "
        "`skinmm evaluate` for this bundle and reload this page.",
        "zh": "该模型包的评估报告已损坏或不完整。请为该模型包重新运行 `skinmm evaluate`，然后刷新本页。",
    },
    "rule_name_max": {"en": "max", "zh": "最大值"},
    "rule_name_mean": {"en": "mean", "zh": "平均值"},
    "rule_name_product": {"en": "product", "zh": "乘积"},
    "rule_name_weighted": {"en": "weighted", "zh": "加权"},
    "rule_name_stacked": {"en": "stacked", "zh": "堆叠"},
    "rule_name_image": {
        "en": "image branch decides (the note's result is shown beside it, not fused)",
        "zh": "由图像分支决定（病历分支的结果并列显示，不参与融合）",
    },
    "table_title": {"en": "The differential as a table", "zh": "鉴别诊断表"},
    "carrier_max_caption": {
        "en": "Under the max rule each class takes the larger of the two branches' "
        "probabilities (the note's after its prior correction); “Carried by” names that branch.",
        "zh": "在最大值规则下，每个类别取两个分支中较大的概率（病历分支为先验校正后的概率）；"
        "“决定分支”即给出该概率的分支。",
    },
    "carrier_none_caption": {
        "en": "Under the {rule} rule every class combines both branches, so no single branch "
        "carries a class.",
        "zh": "在{rule}规则下，每个类别都综合了两个分支，不存在由单一分支决定的类别。",
    },
    "chart_legend_branch": {"en": "Pattern = branch", "zh": "纹理 = 分支"},
    "chart_legend_risk": {"en": "Colour = risk", "zh": "颜色 = 风险"},
    "headline_title": {
        "en": "Fused against the image alone",
        "zh": "融合结果与仅图像相比",
    },
    # Sign first in every language: st.metric colours a delta red only when it starts with "-".
    "headline_vs_image": {"en": "{delta:+.3f} vs image", "zh": "{delta:+.3f}（相比图像）"},
    "headline_losses": {
        "en": "Where the fusion does worse than the image alone:",
        "zh": "融合结果不如仅图像的指标：",
    },
    "headline_gains": {
        "en": "Where the fusion does better than the image alone:",
        "zh": "融合结果优于仅图像的指标：",
    },
    "headline_none": {"en": "none", "zh": "无"},
    "headline_recall": {"en": "{name} recall", "zh": "{name}召回率"},
    "headline_precision": {"en": "{name} precision", "zh": "{name}精确率"},
    "section_recall_precision": {
        "en": "Per-class recall and precision",
        "zh": "各类别召回率与精确率",
    },
    "col_recall": {"en": "Recall — {branch}", "zh": "召回率 — {branch}"},
    "col_precision": {"en": "Precision — {branch}", "zh": "精确率 — {branch}"},
    "col_support": {"en": "Test cases", "zh": "测试病例数"},
    "card_reason_user": {
        "en": "chosen by whoever trained the bundle",
        "zh": "由训练该模型包的人员指定",
    },
    "clin_col_n": {"en": "Cases", "zh": "病例数"},
    "card_reason_fallback": {
        "en": "no fusion rule kept the image branch's balanced accuracy ({bacc:.3f}) and its "
        "recall on every malignant and premalignant class (melanoma {mel:.3f}) on the "
        "validation groups, so the image branch decides alone and the note's result is shown "
        "beside it; every rule, the paper's max rule included, stays selectable",
        "zh": "在验证组上没有任何融合规则能保持图像分支的平衡准确率（{bacc:.3f}）及其对每个恶性和"
        "癌前类别的召回率（黑色素瘤 {mel:.3f}），因此由图像分支单独决定，病历分支的结果并列显示；"
        "所有规则（包括论文的最大值规则）仍可选用",
    },
    "card_reason_criterion": {
        "en": "the best weighted F1 on the validation groups ({best:.3f}, image alone "
        "{base:.3f}) among the settings that keep the image branch's balanced accuracy and its "
        "recall on every malignant and premalignant class",
        "zh": "在保持图像分支平衡准确率及其对每个恶性和癌前类别召回率的设置中，验证组上加权 F1 "
        "最高（{best:.3f}，单用图像 {base:.3f}）",
    },
    "card_reason_recorded": {
        "en": "see the reason recorded in the model card below",
        "zh": "见下方模型说明中记录的原因",
    },
    "card_licence_code": {"en": "Code", "zh": "代码"},
    "card_licence_weights": {"en": "Model weights", "zh": "模型权重"},
    "card_licence_ham": {
        "en": "CC BY-NC-SA 4.0: the weights are a derivative of HAM10000 (Tschandl et al., Sci. "
        "Data 5, 180161, 2018); non-commercial use, attribution and share-alike apply "
        "whatever the code's licence.",
        "zh": "CC BY-NC-SA 4.0：这些权重是 HAM10000 数据集（Tschandl 等，Sci. Data 5, 180161, "
        "2018）的衍生作品；无论代码采用何种许可，均须遵守非商业使用、署名和相同方式共享的条款。",
    },
    "card_licence_recorded": {
        "en": "As recorded in the model card (its original wording):",
        "zh": "模型说明中记录的原文：",
    },
    # --- Sign-in, roles and audit trail (issue 13) ---
    "nav_signin": {"en": "Sign in", "zh": "登录"},
    "nav_audit": {"en": "Audit trail", "zh": "审计记录"},
    "role_clinician": {"en": "clinician", "zh": "临床医生"},
    "role_researcher": {"en": "researcher", "zh": "研究人员"},
    "role_admin": {"en": "administrator", "zh": "管理员"},
    "auth_bad_mode": {
        "en": "The sign-in setting SKINMM_AUTH is not valid: set it to none, local or oidc and "
        "start the app again.",
        "zh": "登录设置 SKINMM_AUTH 无效：请设为 none、local 或 oidc 后重新启动应用。",
    },
    "auth_store_failed": {
        "en": "The account database cannot be reached, so no one can sign in. Check that the "
        "database is running and DATABASE_URL is right, then reload the page.",
        "zh": "无法连接账户数据库，因此无法登录。请确认数据库正在运行且 DATABASE_URL 正确，然后刷新页面。",
    },
    "auth_open_address": {
        "en": "This app listens on {address} without sign-in, so anyone on the network could "
        "read every note and photo; it shows nothing. Restart it on 127.0.0.1, or with sign-in "
        "(skinmm serve --auth local or --auth oidc).",
        "zh": "本应用在 {address} 上监听且未启用登录，网络上的任何人都可能看到所有病历和照片，"
        "因此不显示任何内容。请在 127.0.0.1 上重新启动，或启用登录"
        "（skinmm serve --auth local 或 --auth oidc）。",
    },
    "auth_forbidden": {
        "en": "Your role does not include this page. Ask an administrator if you need it.",
        "zh": "您的角色无权访问此页面。如需访问，请联系管理员。",
    },
    "auth_none_note": {
        "en": "No sign-in: only this computer can open the app.",
        "zh": "未启用登录：只有本机可以打开本应用。",
    },
    "auth_none_help": {
        "en": "Whoever uses this computer sees every saved case. To share the app on a "
        "network, set up sign-in (see the README, Sign-in).",
        "zh": "使用本机的任何人都能看到所有已保存病例。若要在网络上共享本应用，请先设置登录（见 README 的“Sign-in”一节）。",
    },
    "auth_signed_in_as": {"en": "Signed in as {name} ({role})", "zh": "已登录：{name}（{role}）"},
    "auth_sign_out": {"en": "Sign out", "zh": "退出登录"},
    "auth_deidentified": {
        "en": "De-identified view: patient references, notes and comments are hidden.",
        "zh": "去标识化视图：已隐藏患者编号、病历和备注。",
    },
    "auth_deidentified_help": {
        "en": "Researchers see predictions and outcomes only; a clinician or an administrator "
        "sees the rest.",
        "zh": "研究人员只能看到预测和结果；其余内容仅临床医生或管理员可见。",
    },
    "signin_title": {"en": "Sign in to SkinMM", "zh": "登录 SkinMM"},
    "signin_intro": {
        "en": "Patient photos and notes are behind sign-in. Use the account your administrator "
        "gave you.",
        "zh": "患者照片和病历需登录后查看。请使用管理员为您创建的账户。",
    },
    "signin_name": {"en": "User name", "zh": "用户名"},
    "signin_password": {"en": "Password", "zh": "密码"},
    "signin_submit": {"en": "Sign in", "zh": "登录"},
    "signin_failed": {
        "en": "Wrong user name or password. Check both and try again; an administrator can "
        "reset your account.",
        "zh": "用户名或密码错误。请检查后重试；管理员可以重置您的账户。",
    },
    "signin_sso_intro": {
        "en": "Sign in with your hospital account.",
        "zh": "请使用医院账户登录。",
    },
    "signin_sso_button": {"en": "Sign in with single sign-on", "zh": "单点登录"},
    "signin_no_role": {
        "en": "{email} is signed in but has no SkinMM role. Ask an administrator to add you "
        "(skinmm users add EMAIL --role ROLE --sso), then sign in again.",
        "zh": "{email} 已登录，但没有 SkinMM 角色。请联系管理员添加"
        "（skinmm users add EMAIL --role ROLE --sso），然后重新登录。",
    },
    "audit_title": {"en": "Audit trail", "zh": "审计记录"},
    "audit_intro": {
        "en": "Who created, viewed, exported, imported or changed which case, and every "
        "sign-in. Entries are never changed or deleted.",
        "zh": "记录谁在何时创建、查看、导出、导入或修改了哪个病例，以及每次登录。记录不可修改或删除。",
    },
    "audit_case": {"en": "Case id (or its start)", "zh": "病例编号（或其开头）"},
    "audit_since": {"en": "From (UTC day)", "zh": "起始日期（UTC）"},
    "audit_empty": {"en": "No entries match.", "zh": "没有符合条件的记录。"},
    "audit_count": {
        "en": "The newest {n} entries that match",
        "zh": "符合条件的最新 {n} 条记录",
    },
    "audit_col_time": {"en": "Time (UTC)", "zh": "时间（UTC）"},
    "audit_col_actor": {"en": "Who", "zh": "操作人"},
    "audit_col_role": {"en": "Role", "zh": "角色"},
    "audit_col_action": {"en": "Action", "zh": "操作"},
    "audit_col_case": {"en": "Case", "zh": "病例"},
    "audit_col_detail": {"en": "Detail", "zh": "详情"},
    "audit_action_create": {"en": "created", "zh": "创建"},
    "audit_action_view": {"en": "viewed", "zh": "查看"},
    "audit_action_export": {"en": "exported", "zh": "导出"},
    "audit_action_import": {"en": "imported", "zh": "导入"},
    "audit_action_change": {"en": "changed", "zh": "修改"},
    "audit_action_feedback": {"en": "feedback added", "zh": "添加反馈"},
    "audit_action_sign_in": {"en": "signed in", "zh": "登录"},
    "audit_action_sign_in_failed": {"en": "sign-in failed", "zh": "登录失败"},
    "audit_action_user_add": {"en": "account added", "zh": "添加账户"},
    "audit_action_user_remove": {"en": "account removed", "zh": "删除账户"},
    # Clinical decisions: triage point, guarantees, confidence intervals (issue 14)
    "clin_section": {"en": "Clinical decisions", "zh": "临床决策"},
    "clin_row_fused": {"en": "Fused (default decision)", "zh": "融合（默认决策）"},
    "clin_row_fused_argmax": {
        "en": "Fused, plain argmax",
        "zh": "融合（直接取最大概率）",
    },
    "clin_row_max": {"en": "Fused, the paper's max rule", "zh": "融合（论文的最大值规则）"},
    "clin_col_model": {"en": "Model", "zh": "模型"},
    "clin_fig_weighted_f1": {"en": "Weighted F1", "zh": "加权 F1"},
    "clin_fig_balanced_accuracy": {"en": "Balanced accuracy", "zh": "平衡准确率"},
    "clin_fig_macro_f1": {"en": "Macro F1", "zh": "宏平均 F1"},
    "clin_fig_auc_macro": {"en": "Macro AUC", "zh": "宏平均 AUC"},
    "clin_fig_malignant_sensitivity": {
        "en": "Sensitivity (malignant + premalignant)",
        "zh": "敏感度（恶性 + 癌前病变）",
    },
    "clin_fig_malignant_specificity": {
        "en": "Specificity (benign)",
        "zh": "特异度（良性）",
    },
    "clin_fig_mel_recall": {"en": "Melanoma recall", "zh": "黑色素瘤召回率"},
    "clin_fig_recall_of": {"en": "Recall of {code}", "zh": "{code} 召回率"},
    "clin_intervals_title": {
        "en": "Figures with 95% confidence intervals",
        "zh": "各项指标及其 95% 置信区间",
    },
    "clin_intervals_caption": {
        "en": "Grouped bootstrap on the test split: {replicates} replicates resampling "
        "{groups} lesions or patients, seed {seed}.",
        "zh": "测试集上的分组自助法：对 {groups} 个病灶或患者重抽样 {replicates} 次，"
        "随机种子 {seed}。",
    },
    "clin_differences_title": {
        "en": "Fused minus image (paired)",
        "zh": "融合减图像（配对）",
    },
    "clin_col_figure": {"en": "Figure", "zh": "指标"},
    "clin_col_difference": {"en": "Difference (95% CI)", "zh": "差值（95% 置信区间）"},
    "clin_col_verdict": {"en": "Verdict", "zh": "结论"},
    "clin_verdict_higher": {"en": "fused higher", "zh": "融合更高"},
    "clin_verdict_lower": {"en": "fused lower", "zh": "融合更低"},
    "clin_verdict_no_measurable_difference": {
        "en": "no measurable difference",
        "zh": "无可测量的差异",
    },
    "clin_verdict_not_evaluated": {"en": "not evaluated", "zh": "未评估"},
    "clin_guarantees_title": {"en": "Guarantees on the test split", "zh": "测试集上的保证"},
    "clin_col_guarantee": {"en": "Guarantee", "zh": "保证"},
    "clin_guarantee": {
        "en": "Paper's: fused F1 never below both branches in any class",
        "zh": "论文的保证：任何类别的融合 F1 都不低于两个分支中较低者",
    },
    "clin_sensitivity_guarantee": {
        "en": "Sensitivity: fused recall never below the image's on mel, bcc, akiec",
        "zh": "敏感度保证：mel、bcc、akiec 的融合召回率不低于图像分支",
    },
    "clin_col_status": {"en": "Status", "zh": "状态"},
    "clin_col_failing": {"en": "Classes where it fails", "zh": "未满足的类别"},
    "clin_status_holds": {"en": "holds", "zh": "成立"},
    "clin_status_fails": {"en": "fails", "zh": "不成立"},
    "clin_status_not_evaluated": {
        "en": "not evaluated (no case)",
        "zh": "未评估（无病例）",
    },
    "clin_curve": {"en": "Triage score", "zh": "分诊评分"},
    "clin_curve_title": {
        "en": "Malignancy triage: sensitivity against specificity",
        "zh": "恶性分诊：敏感度与特异度",
    },
    "clin_curve_hover": {
        "en": "threshold %{customdata:.3f}<br>sensitivity %{y:.3f}<br>specificity %{x:.3f}",
        "zh": "阈值 %{customdata:.3f}<br>敏感度 %{y:.3f}<br>特异度 %{x:.3f}",
    },
    "clin_operating_point": {
        "en": "Operating point (threshold {threshold:.3f})",
        "zh": "工作点（阈值 {threshold:.3f}）",
    },
    "clin_sensitivity": {"en": "Sensitivity", "zh": "敏感度"},
    "clin_specificity": {"en": "Specificity", "zh": "特异度"},
    "clin_triage_refer": {
        "en": "Triage: refer — biopsy or specialist review advised",
        "zh": "分诊：建议转诊——建议活检或专科复核",
    },
    "clin_triage_low": {
        "en": "Triage: low risk at this operating point",
        "zh": "分诊：在此工作点为低风险",
    },
    "clin_triage_detail": {
        "en": "Malignant + premalignant probability {score:.1%}; referral threshold "
        "{threshold:.1%}, set on the validation groups for at least 90% sensitivity.",
        "zh": "恶性 + 癌前病变概率 {score:.1%}；转诊阈值 {threshold:.1%}"
        "（在验证组上设定，敏感度至少 90%）。",
    },
    "clin_triage_test": {
        "en": "On the test split this threshold had sensitivity {sens} and specificity {spec} "
        "(95% CI). A low-risk verdict does not rule out a malignancy.",
        "zh": "在测试集上，该阈值的敏感度为 {sens}，特异度为 {spec}（95% 置信区间）。"
        "低风险结论不能排除恶性肿瘤。",
    },
    "clin_triage_untested": {
        "en": "This bundle has no test report yet: the threshold's sensitivity and "
        "specificity on test data are unknown.",
        "zh": "该模型包尚无测试报告：此阈值在测试数据上的敏感度和特异度未知。",
    },
    "clin_triage_no_point": {
        "en": "This bundle has no triage operating point; refit it with "
        "`skinmm refit-fusion` to add one.",
        "zh": "该模型包没有分诊工作点；请用 `skinmm refit-fusion` 重新拟合以添加。",
    },
    "clin_triage_other_bundle": {
        "en": "Malignant + premalignant probability {score:.1%}. The model that made this "
        "prediction is not the one loaded, so its referral threshold is unknown.",
        "zh": "恶性 + 癌前病变概率 {score:.1%}。做出该预测的模型不是当前加载的模型，"
        "因此其转诊阈值未知。",
    },
    "clin_fallback": {
        "en": "No fusion rule kept the image branch's sensitivity on the validation groups: "
        "the default decision is the image branch alone.",
        "zh": "在验证组上没有任何融合规则能保持图像分支的敏感度：默认决策仅使用图像分支。",
    },
    # Conformal prediction sets and abstention (issue 15, sections 2 and 3)
    "conf_set_title": {
        "en": "With {level:.0%} confidence the diagnosis is among:",
        "zh": "在 {level:.0%} 置信水平下，诊断在以下类别之中：",
    },
    "conf_set_refer": {
        "en": "The set holds a malignant or premalignant class together with others: the "
        "model cannot rule it out. Refer the patient to a dermatologist for dermoscopy review "
        "or biopsy.",
        "zh": "该集合同时包含恶性或癌前病变类别与其他类别：模型无法排除恶性可能。"
        "请转诊皮肤科医生进行皮肤镜复核或活检。",
    },
    "conf_set_empty": {
        "en": "No class reaches the {level:.0%} confidence level: this case is unlike those the "
        "model was calibrated on. Do not rely on the differential; refer to a specialist.",
        "zh": "没有任何类别达到 {level:.0%} 置信水平：该病例与模型校准所用的病例不同。"
        "请勿依赖鉴别诊断，应转诊专科医生。",
    },
    "conf_set_caption": {
        "en": "Conformal prediction set, calibrated on the validation groups: the guarantee "
        "holds for cases like those, not under a shift such as another clinic or camera.",
        "zh": "共形预测集，在验证组上校准：该保证适用于与校准病例相似的病例，"
        "不适用于其他诊所或相机等分布变化的情形。",
    },
    "conf_set_missing": {
        "en": "This model has no conformal calibration, so no prediction set is shown. Refit "
        "it with `skinmm refit-fusion` to add one.",
        "zh": "该模型没有共形校准，因此不显示预测集。请用 `skinmm refit-fusion` 重新拟合以添加。",
    },
    "conf_section": {
        "en": "Prediction sets and abstention",
        "zh": "预测集与拒绝判断",
    },
    "conf_caveat": {
        "en": "Coverage holds only for data like the calibration data (the validation groups "
        "of the same dataset). Under a shift, such as a new clinic, camera or patient "
        "population, it is not guaranteed and must be measured again.",
        "zh": "覆盖率仅对与校准数据（同一数据集的验证组）相似的数据成立。"
        "在分布变化下（例如新的诊所、相机或患者群体），不再有保证，必须重新测量。",
    },
    "conf_coverage_title": {
        "en": "Coverage against the nominal level",
        "zh": "覆盖率与名义水平对比",
    },
    "conf_axis_nominal": {"en": "Nominal level", "zh": "名义水平"},
    "conf_axis_coverage": {"en": "Coverage on the test split", "zh": "测试集覆盖率"},
    "conf_ideal": {"en": "Nominal (ideal)", "zh": "名义水平（理想）"},
    "conf_size_title": {
        "en": "Prediction-set size at {level:.0%}",
        "zh": "{level:.0%} 水平下的预测集大小",
    },
    "conf_axis_size": {"en": "Classes in the set", "zh": "集合中的类别数"},
    "conf_axis_cases": {"en": "Share of cases", "zh": "病例占比"},
    "conf_col_level": {"en": "Level", "zh": "水平"},
    "conf_col_branch": {"en": "Model", "zh": "模型"},
    "conf_col_coverage": {"en": "Coverage", "zh": "覆盖率"},
    "conf_col_size": {"en": "Mean set size", "zh": "平均集合大小"},
    "conf_col_lowest": {"en": "Lowest class coverage", "zh": "最低类别覆盖率"},
    "conf_rc_title": {
        "en": "Risk–coverage: error among the cases kept, abstaining on the least confident",
        "zh": "风险-覆盖曲线：对最不确定的病例拒绝判断后，保留病例中的错误率",
    },
    "conf_axis_kept": {"en": "Share of cases kept (coverage)", "zh": "保留病例占比（覆盖率）"},
    "conf_axis_risk": {"en": "Error rate among kept cases", "zh": "保留病例中的错误率"},
    "conf_aurc": {
        "en": "Area under the risk–coverage curve (AURC, lower is better): {values}.",
        "zh": "风险-覆盖曲线下面积（AURC，越低越好）：{values}。",
    },
    "conf_no_report": {
        "en": "This report has no prediction-set figures. Refit the bundle with `skinmm "
        "refit-fusion`, then run `skinmm evaluate` again.",
        "zh": "该报告没有预测集数据。请用 `skinmm refit-fusion` 重新拟合模型包，"
        "然后再次运行 `skinmm evaluate`。",
    },
    # Input-scope check (skinmm.scope, views/scope_view.py)
    "scope_in_scope": {
        "en": "Input check passed: a dermoscopic lesion image like those the model was trained on.",
        "zh": "输入检查通过：与模型训练所用图像相似的皮肤镜皮损图像。",
    },
    "scope_expects": {
        "en": "The model expects a dermoscopic image (taken through a dermatoscope) of one skin "
        "lesion, centred, in focus and evenly lit, like the HAM10000 images it was trained on.",
        "zh": "模型需要的是单个皮损的皮肤镜图像（通过皮肤镜拍摄），皮损居中、清晰、光照均匀，"
        "与其训练所用的 HAM10000 图像相似。",
    },
    "scope_clinical_photo": {
        "en": "This looks like an ordinary clinical photograph, not a dermoscopic image. The "
        "model was trained only on dermoscopic images, so its differential for this photo "
        "is not reliable.",
        "zh": "这看起来是一张普通临床照片，而不是皮肤镜图像。模型仅用皮肤镜图像训练，"
        "因此它对这张照片给出的鉴别诊断不可靠。",
    },
    "scope_not_skin": {
        "en": "This does not look like a skin lesion (it may be an object, a document, a "
        "screenshot, a plain colour or noise). The model can only assess dermoscopic images "
        "of a skin lesion.",
        "zh": "这看起来不是皮损（可能是物体、文档、截图、纯色或噪声图像）。"
        "模型只能评估皮损的皮肤镜图像。",
    },
    "scope_unfamiliar": {
        "en": "This looks like a dermoscopic image, but unlike any image the model was trained "
        "on (an unusual lesion, device or view). The model's classes may not include it, so "
        "its differential is not reliable.",
        "zh": "这看起来是皮肤镜图像，但与模型训练时见过的任何图像都不相似（少见的皮损、设备或"
        "视角）。模型的类别可能不包含它，因此其鉴别诊断不可靠。",
    },
    "scope_poor_quality": {
        "en": "The image quality is too poor for a reliable analysis: {reasons}. Take the "
        "image again, in focus and evenly lit.",
        "zh": "图像质量太差，无法可靠分析：{reasons}。请重新拍摄，保证清晰、光照均匀。",
    },
    "scope_reason_too_small": {"en": "the image is too small", "zh": "图像太小"},
    "scope_reason_blurred": {"en": "the image is blurred", "zh": "图像模糊"},
    "scope_reason_overexposed": {"en": "the image is overexposed", "zh": "图像过曝"},
    "scope_reason_underexposed": {"en": "the image is too dark", "zh": "图像太暗"},
    "scope_scores": {"en": "Input-check scores (technical)", "zh": "输入检查评分（技术细节）"},
    "scope_show_anyway": {
        "en": "Show the differential anyway (outside the model's scope)",
        "zh": "仍然显示鉴别诊断（超出模型适用范围）",
    },
    "scope_hidden": {
        "en": "No differential is shown: this image is outside the model's scope.",
        "zh": "未显示鉴别诊断：该图像超出模型的适用范围。",
    },
    "scope_outside_mark": {
        "en": "Outside the model's scope: this differential is shown on request only and is "
        "not reliable for this image.",
        "zh": "超出模型适用范围：此鉴别诊断仅应要求显示，对该图像不可靠。",
    },
    # Note reader (issue 16): facts read from the note, corrections, unreadable notes
    "nf_title": {"en": "Read from the note:", "zh": "从病历中读取："},
    "nf_from": {"en": "from “{words}”", "zh": "来自“{words}”"},
    "nf_corrected": {"en": "corrected by you", "zh": "已由您更正"},
    "nf_none_found": {
        "en": "No fact the model uses was found in the note.",
        "zh": "病历中未找到模型使用的信息。",
    },
    "nf_unused_title": {"en": "Not used by the model:", "zh": "模型未使用："},
    "nf_impression": {
        "en": "Clinical impression (saved with the case, never given to the model): {text}",
        "zh": "临床印象（随病例保存，不输入模型）：{text}",
    },
    "nf_unreadable": {
        "en": "The note has no readable clinical content (only symbols, emoji or an unrelated "
        "word), so it is treated as no note.",
        "zh": "病历中没有可读的临床内容（只有符号、表情或无关的词），因此按无病历处理。",
    },
    "caution_note_unreadable": {
        "en": "The note had no readable clinical content (only symbols, emoji or an unrelated "
        "word): it was treated as no note, and the photo was analysed alone.",
        "zh": "病历中没有可读的临床内容（只有符号、表情或无关的词）：已按无病历处理，仅分析了照片。",
    },
    "err_note_unreadable": {
        "en": "The note has no readable clinical content and there is no photo. Write the "
        "patient's age, sex, the lesion's site or symptoms, or add a photo.",
        "zh": "病历中没有可读的临床内容，也没有照片。请填写患者年龄、性别、皮损部位或症状，或添加照片。",
    },
    "nf_edit_title": {"en": "Correct the facts before analysing", "zh": "分析前更正信息"},
    "nf_edit_help": {
        "en": "Type a value in “Correction” to replace what was read, or “-” to remove a "
        "fact; leave it empty to keep the value read. A corrected fact overrides the note.",
        "zh": "在“更正”栏输入新值以替换读取结果，输入“-”删除该项；留空则保留读取结果。"
        "更正后的信息优先于病历原文。",
    },
    "nf_col_fact": {"en": "Fact", "zh": "项目"},
    "nf_col_read": {"en": "Read", "zh": "读取结果"},
    "nf_col_words": {"en": "Words in the note", "zh": "病历原文"},
    "nf_col_correction": {"en": "Correction", "zh": "更正"},
    "nf_bad_value": {
        "en": "“{value}” is not a value for {fact}. Use {accepted}, or “-” to remove it.",
        "zh": "“{value}”不是“{fact}”的有效值。请使用{accepted}，或输入“-”删除。",
    },
    "nf_rewritten": {
        "en": "You corrected the facts, so the note given to the model was rewritten from the "
        "corrected facts (by the same writer that made its training notes):",
        "zh": "您更正了信息，因此输入模型的病历已根据更正后的信息重新生成（使用与训练病历相同的生成方式）：",
    },
    "nf_model_note": {"en": "Note given to the model", "zh": "输入模型的病历"},
    "nf_accepted_polar": {"en": "present or absent", "zh": "有 或 无"},
    "nf_accepted_sex": {"en": "male or female", "zh": "男 或 女"},
    "nf_accepted_number": {"en": "a number", "zh": "一个数字"},
    "nf_accepted_fitzpatrick": {"en": "1 to 6 (or I to VI)", "zh": "1 至 6（或 I 至 VI）"},
    "nf_value_present": {"en": "present", "zh": "有"},
    "nf_value_absent": {"en": "absent", "zh": "无"},
    "nf_value_raised": {"en": "raised", "zh": "隆起"},
    "nf_value_flat": {"en": "flat", "zh": "平坦"},
    "nf_value_male": {"en": "male", "zh": "男"},
    "nf_value_female": {"en": "female", "zh": "女"},
    "nf_value_age": {"en": "{n} years", "zh": "{n}岁"},
    "nf_value_mm": {"en": "{mm} mm", "zh": "{mm} 毫米"},
    "nf_value_fitzpatrick": {"en": "type {roman}", "zh": "{roman}型"},
    "nf_fact_age": {"en": "Age", "zh": "年龄"},
    "nf_fact_sex": {"en": "Sex", "zh": "性别"},
    "nf_fact_site": {"en": "Site", "zh": "部位"},
    "nf_fact_diameter_mm": {"en": "Largest diameter", "zh": "最大直径"},
    "nf_fact_fitzpatrick": {"en": "Fitzpatrick skin type", "zh": "Fitzpatrick 皮肤分型"},
    "nf_fact_itch": {"en": "Itching", "zh": "瘙痒"},
    "nf_fact_grew": {"en": "Growth", "zh": "增大"},
    "nf_fact_hurt": {"en": "Pain", "zh": "疼痛"},
    "nf_fact_changed": {"en": "Change", "zh": "变化"},
    "nf_fact_bleed": {"en": "Bleeding", "zh": "出血"},
    "nf_fact_elevation": {"en": "Elevation", "zh": "隆起"},
    "nf_fact_skin_cancer_history": {"en": "Personal history of skin cancer", "zh": "皮肤癌既往史"},
    "nf_fact_family_skin_cancer_history": {
        "en": "Family history of skin cancer",
        "zh": "皮肤癌家族史",
    },
    "nf_fact_cancer_history": {"en": "History of other cancer", "zh": "其他癌症既往史"},
    "nf_fact_smoke": {"en": "Smoking", "zh": "吸烟"},
    "nf_fact_drink": {"en": "Alcohol", "zh": "饮酒"},
    "nf_fact_pesticide": {"en": "Pesticide exposure", "zh": "农药接触"},
    "nf_line": {"en": "{fact}: {value}", "zh": "{fact}：{value}"},
    "nf_fix_first": {
        "en": "A correction above cannot be read: fix it (or clear it), then analyse again.",
        "zh": "上方有一项更正无法识别：请修改（或清空）后再分析。",
    },
    # Reference tumours a bundle cannot recognise (issue 18, skinmm/coverage.py)
    "coverage_not_covered": {
        "en": "This model cannot recognise {names} ({n} of the {total} reference tumours): it "
        "never learnt them, so their absence from the differential does not rule them out.",
        "zh": "该模型无法识别{names}（{total}种参考肿瘤中的{n}种）：它从未学习过这些类别，"
        "因此鉴别诊断中没有它们并不能排除这些诊断。",
    },
    "coverage_all": {
        "en": "This model covers all {total} reference tumours.",
        "zh": "该模型涵盖全部{total}种参考肿瘤。",
    },
    # Scope verdict and prediction set saved with the case (issue 15, History / PDF / evaluate)
    "scope_label_in_scope": {"en": "In scope", "zh": "在适用范围内"},
    "scope_label_clinical_photo": {"en": "Clinical photo", "zh": "临床照片"},
    "scope_label_not_skin": {"en": "Not a skin lesion", "zh": "非皮损"},
    "scope_label_poor_quality": {"en": "Poor quality", "zh": "质量差"},
    "scope_label_unfamiliar": {"en": "Unfamiliar lesion", "zh": "陌生皮损"},
    "scope_example_caption": {
        "en": "What the model expects: a dermoscopic image of one lesion (HAM10000, CC BY-NC-SA "
        "4.0).",
        "zh": "模型需要的图像：单个皮损的皮肤镜图像（HAM10000，CC BY-NC-SA 4.0）。",
    },
    "scope_dash_title": {
        "en": "Input-scope check on the test cases",
        "zh": "测试病例的输入范围检查",
    },
    "scope_dash_counts": {
        "en": "{in_scope:,} of {n:,} test cases pass the input check; the figures below are "
        "on those cases only. No case is dropped from the main report for its verdict.",
        "zh": "{n:,} 个测试病例中有 {in_scope:,} 个通过输入检查；下方指标仅基于这些病例。"
        "主报告不会因检查结果剔除任何病例。",
    },
    "scope_dash_none": {
        "en": "This report has no input-check figures: the bundle had no scope gate when it "
        "was evaluated. Add one (`skinmm scope add`), then run `skinmm evaluate` again.",
        "zh": "该报告没有输入检查数据：评估时模型包没有范围检查器。请先添加"
        "（`skinmm scope add`），然后再次运行 `skinmm evaluate`。",
    },
    "scope_dash_col_verdict": {"en": "Verdict", "zh": "检查结果"},
    "scope_dash_col_cases": {"en": "Cases", "zh": "病例数"},
    "scope_dash_col_metric": {"en": "Figure (in-scope cases)", "zh": "指标（范围内病例）"},
    "scope_dash_col_all": {"en": "All cases", "zh": "全部病例"},
    "scope_dash_col_in": {"en": "In-scope cases", "zh": "范围内病例"},
    "scope_fig_melanoma_recall": {"en": "Melanoma recall", "zh": "黑色素瘤召回率"},
    "scope_fig_malignant_sensitivity": {
        "en": "Sensitivity (malignant and premalignant)",
        "zh": "敏感度（恶性及癌前病变）",
    },
    "scope_fig_malignant_specificity": {"en": "Specificity (the rest)", "zh": "特异度（其余）"},
    # Example cases and the Teach page (issue 20)
    "try_example": {"en": "Try an example", "zh": "试用示例"},
    "try_example_help": {
        "en": "Loads a real case from the examples shipped with the model (HAM10000 test "
        "split): its photo and note. Its true diagnosis is shown after the analysis. Each click "
        "loads the next example.",
        "zh": "载入模型自带示例中的一个真实病例（HAM10000 测试集）：照片和病历。真实诊断在分析后"
        "显示。每点击一次载入下一个示例。",
    },
    "example_loaded": {
        "en": "Example case {case} (HAM10000, CC BY-NC-SA 4.0). Upload a photo to use your own "
        "instead.",
        "zh": "示例病例 {case}（HAM10000，CC BY-NC-SA 4.0）。上传照片即可改用您自己的照片。",
    },
    "example_truth_title": {"en": "True diagnosis of this example", "zh": "此示例的真实诊断"},
    "example_truth_detail": {
        "en": "The model's most likely class: {top} ({verdict}).",
        "zh": "模型给出的最可能类别：{top}（{verdict}）。",
    },
    "example_model_right": {"en": "right", "zh": "正确"},
    "example_model_wrong": {"en": "wrong", "zh": "错误"},
    "example_pick_highest": {
        "en": "Why this case: of its class's test cases, the one the model gave the highest "
        "probability of the true class (an easy case).",
        "zh": "入选原因：在同类测试病例中，模型给出真实类别概率最高的一例（容易病例）。",
    },
    "example_pick_median": {
        "en": "Why this case: of its class's test cases, the one with the median probability "
        "of the true class (a typical case).",
        "zh": "入选原因：在同类测试病例中，真实类别概率居中位的一例（典型病例）。",
    },
    "example_pick_lowest": {
        "en": "Why this case: of its class's test cases, the one the model gave the lowest "
        "probability of the true class (its hardest case).",
        "zh": "入选原因：在同类测试病例中，模型给出真实类别概率最低的一例（最难病例）。",
    },
    "example_pick_other": {
        "en": "Why this case: its place among its class's test cases, sorted by the model's "
        "probability of the true class: {rank}.",
        "zh": "入选原因：按模型给出的真实类别概率排序后，它在同类测试病例中的位置：{rank}。",
    },
    "example_licence": {
        "en": "Photo: HAM10000 (Tschandl et al., Sci. Data 5, 180161, 2018), CC BY-NC-SA 4.0: "
        "non-commercial use, with attribution.",
        "zh": "照片：HAM10000（Tschandl 等，Sci. Data 5, 180161, 2018），CC BY-NC-SA 4.0：仅限"
        "非商业用途，须注明出处。",
    },
    "nav_teach": {"en": "Teach", "zh": "教学"},
    "teach_title": {"en": "Teach", "zh": "教学"},
    "teach_intro": {
        "en": "A quiz round for a class: each case shows a photo and its note; every participant "
        'commits a diagnosis (or "refer"), then the truth, the model\'s differential, its '
        "prediction set and Grad-CAM are revealed. The same source, number of cases and seed "
        "replay the same round.",
        "zh": "课堂测验：每个病例显示照片和病历；每位参与者先提交诊断（或“转诊”），然后揭晓真实"
        "诊断、模型的鉴别诊断、预测集和 Grad-CAM。相同的来源、病例数和随机种子可重放同一轮。",
    },
    "teach_no_cases": {
        "en": "No quiz cases: this model ships no example gallery and the test split's photos "
        "are not on this computer. Use models/default, or set SKINMM_DATA to the data folder.",
        "zh": "没有可用的测验病例：此模型未附带示例，本机也没有测试集照片。请使用 models/default，"
        "或将 SKINMM_DATA 设为数据文件夹。",
    },
    "teach_source": {"en": "Cases from", "zh": "病例来源"},
    "teach_source_gallery": {
        "en": "the example gallery ({n} cases)",
        "zh": "示例库（{n} 例）",
    },
    "teach_source_test": {
        "en": "the whole test split ({n} cases)",
        "zh": "整个测试集（{n} 例）",
    },
    "teach_cases": {"en": "Cases in the round", "zh": "本轮病例数"},
    "teach_seed": {"en": "Seed", "zh": "随机种子"},
    "teach_seed_help": {
        "en": "The same seed, source and number of cases draw the same cases in the same order.",
        "zh": "相同的种子、来源和病例数会按相同顺序抽取相同的病例。",
    },
    "teach_participants": {"en": "Participants", "zh": "参与者"},
    "teach_participants_help": {
        "en": "Names separated by commas (up to 12); each commits an answer for every case.",
        "zh": "用逗号分隔的名字（最多 12 个）；每人对每个病例提交一个答案。",
    },
    "teach_default_participant": {"en": "Class", "zh": "全班"},
    "teach_start": {"en": "Start a round", "zh": "开始一轮"},
    "teach_err_no_participants": {
        "en": "Name at least one participant (names separated by commas).",
        "zh": "请至少填写一位参与者（名字用逗号分隔）。",
    },
    "teach_err_too_many_participants": {
        "en": "At most 12 participants: group the others under one name.",
        "zh": "参与者最多 12 位：请把其余人合并为一个名字。",
    },
    "teach_err_duplicate_participants": {
        "en": "Each participant needs a different name.",
        "zh": "每位参与者的名字必须不同。",
    },
    "teach_round_caption": {
        "en": "Round of {n} cases, seed {seed}.",
        "zh": "本轮 {n} 个病例，随机种子 {seed}。",
    },
    "teach_case_title": {"en": "Case {k} of {n}", "zh": "第 {k} 例，共 {n} 例"},
    "teach_note": {"en": "Clinical note", "zh": "临床病历"},
    "teach_no_note": {"en": "(no note for this case)", "zh": "（此病例无病历）"},
    "teach_answer": {"en": "{name}'s diagnosis", "zh": "{name} 的诊断"},
    "teach_answer_placeholder": {"en": "Choose a diagnosis", "zh": "请选择诊断"},
    "teach_refer": {
        "en": "Refer (biopsy or specialist)",
        "zh": "转诊（活检或专科）",
    },
    "teach_reveal": {"en": "Reveal", "zh": "揭晓"},
    "teach_missing_answers": {
        "en": "Every participant commits a diagnosis before the reveal.",
        "zh": "揭晓前每位参与者都须提交诊断。",
    },
    "teach_analysing": {"en": "The model is analysing the case…", "zh": "模型正在分析病例…"},
    "teach_truth": {"en": "True diagnosis", "zh": "真实诊断"},
    "teach_model": {"en": "Model", "zh": "模型"},
    "teach_right": {"en": "right", "zh": "正确"},
    "teach_wrong": {"en": "wrong", "zh": "错误"},
    "teach_cam": {
        "en": "Where the image branch looked (Grad-CAM of its top class)",
        "zh": "图像分支关注的区域（最可能类别的 Grad-CAM）",
    },
    "teach_next": {"en": "Next case", "zh": "下一例"},
    "teach_finish": {"en": "End of the round", "zh": "结束本轮"},
    "teach_done": {
        "en": "Round complete. Start it again with seed {seed} to replay it.",
        "zh": "本轮结束。用随机种子 {seed} 重新开始即可重放。",
    },
    "teach_scores": {"en": "Running score per class", "zh": "各类别累计得分"},
    "teach_class": {"en": "True class", "zh": "真实类别"},
    "teach_shown": {"en": "Cases", "zh": "病例数"},
    "teach_all": {"en": "All classes", "zh": "全部类别"},
    "teach_scoring_rule": {
        "en": 'Right: the true class, or "refer" for a malignant or premalignant lesion. The '
        "model answers with its most likely class.",
        "zh": "判为正确：答出真实类别，或对恶性/癌前病变选择“转诊”。模型以其最可能的类别作答。",
    },
    # Several photos of one lesion (issue 20)
    "more_photos_label": {
        "en": "More photos of the same lesion (optional, up to {n})",
        "zh": "同一皮损的更多照片（可选，最多 {n} 张）",
    },
    "more_photos_help": {
        "en": "Other views, distances or a clinical photo of this lesion: the image branch reads "
        "each, and their probabilities are combined (at most {n} photos in all).",
        "zh": "该皮损的其他角度、距离或临床照片：图像分支逐张分析并合并概率（总共最多 {n} 张）。",
    },
    "more_photos_too_many": {
        "en": "{n} photos were given; at most {limit} photos of one lesion are analysed. Remove "
        'some from "More photos", then press Analyse again.',
        "zh": "共提供了 {n} 张照片；每个皮损最多分析 {limit} 张。请从“更多照片”中移除一些，然后"
        "再次点击“分析”。",
    },
    "based_on_photos": {"en": "Based on {n} photos", "zh": "基于 {n} 张照片"},
    "more_photos_changed": {
        "en": "The extra photos changed since this analysis: press Analyse to include them.",
        "zh": "本次分析后更多照片已更改：请点击“分析”以纳入这些照片。",
    },
    "photos_cam_title": {
        "en": "Where the image branch looked in each photo (Grad-CAM for {name})",
        "zh": "图像分支在每张照片中关注的区域（{name} 的 Grad-CAM）",
    },
    "photo_caption": {
        "en": "{name}: this photo alone gives {p:.0%}",
        "zh": "{name}：仅此照片给出 {p:.0%}",
    },
    # --- Follow-up visits and every photo of a case (issue 20): link errors -----------------
    "err_followup": {
        "en": "This follow-up link cannot be made. Choose an earlier case of the same patient.",
        "zh": "无法建立该随访关联。请选择同一患者的较早病例。",
    },
    "err_followup_no_patient": {
        "en": "A follow-up visit needs the patient reference. Enter it, then choose the "
        "earlier case.",
        "zh": "随访需要患者编号。请先填写患者编号，再选择较早的病例。",
    },
    "err_followup_other_patient": {
        "en": "Case {case} belongs to another patient. A follow-up links visits of one "
        "patient's lesion: choose one of this patient's cases.",
        "zh": "病例 {case} 属于另一位患者。随访只能关联同一患者同一病灶的就诊：请选择该患者的病例。",
    },
    "err_followup_not_earlier": {
        "en": "Case {case} is this case itself or was saved after it. A visit follows an "
        "earlier visit: choose a case saved before this one.",
        "zh": "病例 {case} 是本病例本身或保存于本病例之后。随访只能关联更早的就诊：请选择在本病例之前保存的病例。",
    },
    "err_followup_taken": {
        "en": "Case {case} already has a follow-up visit ({later}). Link to the latest visit "
        "of the lesion instead.",
        "zh": "病例 {case} 已有随访就诊（{later}）。请关联该病灶最近一次的就诊。",
    },
    "err_followup_missing": {
        "en": "The earlier case was not found (it may have been deleted). Choose another.",
        "zh": "未找到较早的病例（可能已被删除）。请选择其他病例。",
    },
    # Note reader: duration and sun exposure (issue 16, record formats)
    "nf_fact_duration_months": {"en": "Duration", "zh": "病程"},
    "nf_fact_sun_exposure": {"en": "Sun exposure", "zh": "日晒"},
    "nf_value_months": {"en": "{n} months", "zh": "{n}个月"},
    "nf_accepted_months": {
        "en": "a number of months, e.g. 6 or 0.5 (2 weeks)",
        "zh": "月数，例如 6 或 0.5（2周）",
    },
    # The case store, History page and PDF report (were skinmm/db/strings.py; issue 17: one
    # string table for the UI)
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
    # --- Start-up: the model loads in the background (issue 19) ---
    "loading_model_background": {
        "en": "Loading the model: you can add the photo and the note meanwhile; Analyse answers "
        "as soon as the model is ready.",
        "zh": "正在加载模型：您可以同时添加照片和病历；模型就绪后，“分析”会立即给出结果。",
    },
}


def t(key: str, lang: str = "en", /, **values: object) -> str:
    """The string ``key`` in ``lang`` (English when ``lang`` is unknown), formatted."""
    try:
        entry = STRINGS[key]
    except KeyError:
        raise KeyError(f"No UI string {key!r}; add it to skinmm.i18n.STRINGS.") from None
    text = entry.get(lang, entry["en"])
    return text.format(**values) if values else text


def class_name(cls: DatasetClass, lang: str = "en") -> str:
    """A class's display name in ``lang``."""
    return cls.name(lang)


def risk_name(risk: Risk, lang: str = "en") -> str:
    return t(f"risk_{risk.value}", lang)


def rule_name(rule: str, lang: str = "en") -> str:
    """A fusion rule's display name; an unknown rule is shown as its code."""
    key = f"rule_name_{rule}"
    return t(key, lang) if key in STRINGS else rule


def caution_text(key: str, lang: str, **values: object) -> str:
    """The plain-language sentence for a :meth:`Prediction.cautions` key."""
    return t(f"caution_{key}", lang, **values)
