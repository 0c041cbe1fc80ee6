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
        "en": "The model bundle could not be loaded. {detail}",
        "zh": "无法加载模型包。{detail}",
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
        "en": "Upload a clinical photo of the lesion and/or paste the clinical note (English or "
        "Chinese), then press Analyse.",
        "zh": "上传皮损的临床照片和/或粘贴临床病历（中文或英文），然后点击“分析”。",
    },
    "upload_label": {
        "en": "Lesion photo (JPEG, PNG or WebP)",
        "zh": "皮损照片（JPEG、PNG 或 WebP）",
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
    "error_detail": {"en": "Details: {detail}", "zh": "详细信息：{detail}"},
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
    "card_delta_vs_image": {"en": "{delta:+.3f} vs image", "zh": "相比图像 {delta:+.3f}"},
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


def caution_text(key: str, lang: str, **values: object) -> str:
    """The plain-language sentence for a :meth:`Prediction.cautions` key."""
    return t(f"caution_{key}", lang, **values)
