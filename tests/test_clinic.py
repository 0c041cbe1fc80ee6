"""A clinic's own data (issue 18): label spaces from the data, folders and tables in, several
sources merged, and a 12-class synthetic clinic from folders to an open Dashboard."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_IMAGE_PARAMS, TINY_TEXT_PARAMS, synthetic_image, synthetic_manifest
from streamlit.testing.v1 import AppTest

from skinmm.cli import main
from skinmm.coverage import coverage_notice
from skinmm.data.clinic import folder_manifest, table_manifest
from skinmm.data.manifest import ManifestError, read_manifest, write_manifest
from skinmm.data.merge import merge_manifests
from skinmm.data.split import split_manifest
from skinmm.serve import build_command
from skinmm.taxonomy import (
    HAM10000_CLASSES,
    TAXONOMY,
    classes_from_labels,
    label_from_name,
    label_mapper,
    not_covered,
)
from skinmm.train import infer_classes

ROOT = Path(__file__).resolve().parents[1]
# The 12 reference tumours as a Chinese clinic names its folders.
FOLDERS = {code: t.name_zh for code, t in TAXONOMY.items()}
# A site per class, so that the Chinese records carry a learnable signal.
SITES_ZH = [
    "背部",
    "面部",
    "头皮",
    "下肢",
    "上肢",
    "颈部",
    "胸部",
    "腹部",
    "手部",
    "足部",
    "耳部",
    "口唇",
]


# -- label spaces --------------------------------------------------------------------------


def test_coarse_and_fine_labels_meet_at_the_coarsest_common_level() -> None:
    classes = classes_from_labels(["akiec", "ak", "bowen", "mel", "nv", "nev", "sk"])
    assert [c.code for c in classes] == ["akiec", "mel", "nev", "sk"]
    assert dict((c.code, c.covers) for c in classes)["akiec"] == ("ak", "bowen")
    # Fine labels alone stay apart, and SCC (a taxonomy code) is SCC alone.
    fine = classes_from_labels(["ak", "bowen", "scc"])
    assert [(c.code, c.covers) for c in fine] == [
        ("ak", ("ak",)),
        ("bowen", ("bowen",)),
        ("scc", ("scc",)),
    ]
    # A coarse label that spans two classes merges them too: bkl = sk + sl.
    merged = classes_from_labels(["bkl", "sk", "sl", "df"])
    assert [c.code for c in merged] == ["bkl", "df"]


def test_unknown_labels_are_named() -> None:
    with pytest.raises(ValueError, match="lichen"):
        classes_from_labels(["mel", "lichen"])


def test_label_spaces_auto_taxonomy_and_data() -> None:
    ham = ["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"]
    assert infer_classes(ham) == HAM10000_CLASSES  # the bundled model's space, unchanged
    twelve = infer_classes(list(TAXONOMY))
    assert [c.code for c in twelve] == sorted(TAXONOMY)
    assert [c.code for c in infer_classes(list(TAXONOMY), "taxonomy")] == list(TAXONOMY)
    with pytest.raises(ValueError, match=r"akiec.*--label-space data"):
        infer_classes([*TAXONOMY, "akiec"], "taxonomy")
    with pytest.raises(ValueError, match="No row is labelled xg"):
        infer_classes([c for c in TAXONOMY if c != "xg"], "taxonomy")
    union = infer_classes([*ham, "ak", "scc", "sk", "nev"])
    assert [c.code for c in union] == ["akiec", "bcc", "bkl", "df", "mel", "nev", "scc", "vasc"]


def test_not_covered_and_label_mapping() -> None:
    assert not_covered(HAM10000_CLASSES) == ["scc", "xg"]
    union = classes_from_labels(["akiec", "bcc", "bkl", "nv", "scc"])
    mapping = label_mapper(union)
    assert mapping["nv"] == "nev" and mapping["sek"] == "bkl" and mapping["ak"] == "akiec"
    assert "mel" not in mapping  # never learnt: reported as unmapped, not forced


def test_coverage_notice_in_both_languages() -> None:
    assert coverage_notice([], "en") is None
    en = coverage_notice(["scc", "xg"], "en")
    zh = coverage_notice(["scc", "xg"], "zh")
    assert "Xanthogranuloma, Squamous cell carcinoma" in en and "2 of the 12" in en
    assert "黄色肉芽肿、鳞状细胞癌" in zh and "不能排除" in zh


def test_folder_names_map_through_names_and_synonyms_never_guessed() -> None:
    assert label_from_name("基底细胞癌") == "bcc"
    assert label_from_name("Bowen's_disease") == "bowen"
    assert label_from_name("Seborrhoeic keratosis") == "sk"
    assert label_from_name("nv") == "nv"
    assert label_from_name("老年斑") is None  # SK or solar lentigo: the user decides


def test_bundled_model_states_what_it_cannot_recognise(capsys: pytest.CaptureFixture) -> None:
    from skinmm.bundle import read_card

    assert read_card(ROOT / "models" / "default")["not_covered"] == ["scc", "xg"]


# -- folders, tables, merge ----------------------------------------------------------------


def make_clinic(root: Path, per_class: int = 8, seed: int = 0) -> Path:
    """One folder per reference tumour, named in Chinese, plus an Excel notes table."""
    rng = np.random.default_rng(seed)
    tree = root / "clinic"
    rows = []
    for k, (code, folder) in enumerate(FOLDERS.items()):
        (tree / folder).mkdir(parents=True)
        for g in range(per_class):
            patient = f"P{code}{g}"
            for view in range(1 + (g % 3 == 0)):
                name = f"{code}_{g}_{view}.png"
                synthetic_image(rng, k).save(tree / folder / name)
                age = 20 + 5 * k + g % 4
                note = f"{'男' if g % 2 else '女'}，{age}岁。{SITES_ZH[k]}皮损，病史{g + 1}个月。"
                rows.append({"file": name, "patient_id": patient, "note": note, "age": age})
    pd.DataFrame(rows).to_excel(root / "notes.xlsx", index=False)
    return tree


def test_folder_manifest_joins_an_excel_notes_table(tmp_path: Path) -> None:
    tree = make_clinic(tmp_path, per_class=3)
    built = folder_manifest(tree, notes=tmp_path / "notes.xlsx")
    frame = built.frame
    assert sorted(frame["label"].unique()) == sorted(TAXONOMY)
    assert frame["note"].str.contains("岁").all()
    assert frame.groupby("group_id")["label"].nunique().max() == 1
    assert "meta_age" in frame.columns  # kept, and never re-rendered over the free text
    assert f"{FOLDERS['mel']} -> mel" in built.messages


def test_unmapped_folders_are_listed_and_a_mapping_file_fixes_them(tmp_path: Path) -> None:
    tree = tmp_path / "clinic"
    for folder in ("黑色素瘤", "老年斑", "misc"):
        (tree / folder).mkdir(parents=True)
        synthetic_image(np.random.default_rng(0), 1).save(tree / folder / "a.png")
    with pytest.raises(ManifestError, match=r"misc, 老年斑.*--map"):
        folder_manifest(tree)
    mapping = tmp_path / "map.csv"
    mapping.write_text("老年斑,sk\nmisc,-\n", encoding="utf-8")
    built = folder_manifest(tree, mapping=mapping)
    assert sorted(built.frame["label"]) == ["mel", "sk"]
    assert any("own group" in m for m in built.messages)  # no patient id: said
    mapping.write_text("老年斑,keratosis\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="line 1"):
        folder_manifest(tree, mapping=mapping)


def test_groups_from_a_regex_on_the_path(tmp_path: Path) -> None:
    tree = tmp_path / "clinic"
    rng = np.random.default_rng(0)
    for folder, k in (("mel", 0), ("bcc", 1)):
        (tree / folder).mkdir(parents=True)
        for name in ("P1_a.png", "P1_b.png", "P2_a.png"):
            synthetic_image(rng, k).save(tree / folder / f"{folder}{name}")
    frame = folder_manifest(tree, groups_from=r"(\w+P\d+)_").frame
    assert frame["group_id"].nunique() == 4


def test_table_manifest_maps_columns_and_names_bad_lines(tmp_path: Path) -> None:
    table = tmp_path / "export.csv"
    pd.DataFrame(
        {
            "编号": ["a", "b", "c"],
            "患者": ["1", "1", "2"],
            "病灶": ["L1", "L2", "L1"],  # patient 1: two lesions, two diagnoses
            "病历": ["男，60岁。面部。", "男，60岁。背部。", "女，40岁。"],
            "诊断": ["基底细胞癌", "鳞状细胞癌", "Bowen disease"],
            "科室": ["皮肤科"] * 3,
        }
    ).to_csv(table, index=False)
    spec = "case_id=编号,group_id=患者,lesion_id=病灶,note=病历,label=诊断"
    assert (
        main(["manifest", "csv", str(table), "--map", spec, "--out", str(tmp_path / "m.csv")]) == 0
    )
    frame = read_manifest(tmp_path / "m.csv")
    assert frame["label"].tolist() == ["bcc", "scc", "bowen"]
    assert frame["group_id"].tolist() == ["1", "1", "2"] and "lesion_id" in frame.columns
    assert (frame["image_path"] == "").all() and frame["科室"].eq("皮肤科").all()
    pd.read_csv(table).assign(诊断=["bcc", "苔藓", "mel"]).to_csv(table, index=False)
    with pytest.raises(ManifestError, match=r"export.csv.*line\(s\) 3.*苔藓.*--labels"):
        table_manifest(table, {"case_id": "编号", "label": "诊断"})


def test_merge_keeps_sources_and_groups_apart_and_split_stratifies_by_source(
    tmp_path: Path,
) -> None:
    a = synthetic_manifest(tmp_path / "a", n_groups=40, views=1, classes=["mel", "bcc"])
    b = synthetic_manifest(tmp_path / "b", n_groups=40, views=1, seed=1, classes=["mel", "bcc"])
    write_manifest(a, tmp_path / "clinic_a.csv")
    write_manifest(b, tmp_path / "clinic_b.csv")  # the same case and group ids as a's
    merged = merge_manifests([tmp_path / "clinic_a.csv", tmp_path / "clinic_b.csv"])
    assert set(merged["source"]) == {"clinic_a", "clinic_b"}
    assert merged["group_id"].nunique() == 80
    assert merged.loc[0, "group_id"] == "clinic_a:G0"
    split = split_manifest(merged, test_size=0.25, val_size=0.2)
    for side in split.sides().values():
        assert side.groupby(["source", "label"]).size().min() >= 1  # every source, every class


def test_merging_one_file_twice_names_the_repeated_cases(tmp_path: Path) -> None:
    a = synthetic_manifest(tmp_path / "a", n_groups=4, views=1, classes=["mel", "bcc"])
    write_manifest(a, tmp_path / "a.csv")
    with pytest.raises(ManifestError, match=r"a.csv, CSV line 2.*--source"):
        merge_manifests([tmp_path / "a.csv", tmp_path / "a.csv"])


# -- a 12-class synthetic clinic, folders to an open Dashboard ---------------------------


def readme_clinic_commands() -> list[list[str]]:
    """The README's three commands for a clinic's folders, each without `skinmm` and its
    comment."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("**A clinic's own data", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [shlex.split(line.split("#", 1)[0]) for line in block.strip().splitlines()]
    assert [c[1] for c in commands] == ["manifest", "study", "serve"]
    assert {c[0] for c in commands} == {"skinmm"}
    return [c[1:] for c in commands]


def _in(root: Path, argv: list[str]) -> list[str]:
    """The command with its paths taken inside ``root``, the README's working folder."""
    return [str(root / a) if "/" in a else a for a in argv]


def _tiny(params: dict[str, object], flag: str) -> list[str]:
    text = {k: "+".join(v) if isinstance(v, tuple) else str(v) for k, v in params.items()}
    return [x for k, v in text.items() for x in (flag, f"{k}={v}")]


@pytest.fixture(scope="module")
def clinic_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's commands as written, on a fresh 12-class clinic (8 patients a class, the
    notes table inside the folder), the study's default split; only the models are tiny."""
    root = tmp_path_factory.mktemp("clinic")
    make_clinic(root)
    (root / "notes.xlsx").rename(root / "clinic" / "notes.xlsx")
    folder, study, serve = readme_clinic_commands()
    assert main(_in(root, folder)) == 0
    speed = ["--cache-dir", str(root / "cache"), "--bootstrap", "50"]
    speed += _tiny(TINY_IMAGE_PARAMS, "--image-param") + _tiny(TINY_TEXT_PARAMS, "--text-param")
    assert main(_in(root, study) + speed) == 0
    _, env = build_command([*_in(root, serve[1:]), "--headless"])  # what `serve` opens
    bundle = Path(env["SKINMM_BUNDLE"])
    assert (bundle / "model_card.json").is_file() and bundle == root / "runs/clinic-study/bundle"
    return bundle


def test_twelve_class_clinic_trains_and_covers_every_reference_tumour(clinic_bundle: Path) -> None:
    card = json.loads((clinic_bundle / "model_card.json").read_text(encoding="utf-8"))
    assert [c["code"] for c in card["classes"]] == sorted(TAXONOMY)
    assert card["not_covered"] == []
    assert card["training"]["arguments"]["recipe"] == "fast"
    metrics = json.loads((clinic_bundle / "report" / "metrics.json").read_text())
    assert metrics["n_cases"] == 20 and metrics["unmapped"]["count"] == 0  # 20% of 96 patients
    # Chance is 1/12: the colours and the Chinese sites are learnt.
    assert metrics["fused"]["weighted_f1"] > 0.3
    study = (clinic_bundle.parent / "study.md").read_text(encoding="utf-8")
    assert "| fused |" in study and "0.816" in study and "| rule: max |" in study
    assert (clinic_bundle.parent / "split" / "test.csv").is_file()
    # 10% of 76 training patients is 8, too few for 12 classes: one per class instead, said.
    assert "Split: 10% of 76 groups would leave classes off a side: 12 groups" in study


def test_predict_json_names_what_the_bundle_cannot_recognise(
    clinic_bundle: Path, capsys: pytest.CaptureFixture
) -> None:
    args = ["predict", "--bundle", str(ROOT / "models" / "default"), "--note", "男，60岁。背部。"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["not_covered"] == ["scc", "xg"]
    assert main(["predict", "--bundle", str(clinic_bundle), "--note", "女，30岁。面部。"]) == 0
    assert json.loads(capsys.readouterr().out)["not_covered"] == []


def test_dashboard_and_model_card_open_the_clinic_bundle(
    clinic_bundle: Path, app_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKINMM_BUNDLE", str(clinic_bundle))
    report = json.loads((clinic_bundle / "report" / "metrics.json").read_text())
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("views/dashboard.py").run()
    assert not at.exception and not at.error
    assert at.metric[0].value == f"{report['fused']['weighted_f1']:.3f}"
    at.switch_page("views/model_card.py").run()
    assert not at.exception
    assert "all 12 reference tumours" in " ".join(str(c.value) for c in at.caption)


def test_pages_name_what_the_bundled_model_cannot_recognise(
    app_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKINMM_BUNDLE", str(ROOT / "models" / "default"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("views/model_card.py").run()
    assert any("Squamous cell carcinoma" in str(i.value) for i in at.info)
    at.radio(key="lang_switch").set_value("zh").run()
    at.switch_page("views/diagnose.py").run()
    at.text_area(key="diagnose_note").input("男，63岁。背部色素性皮损，半年内增大。")
    at.button(key="diagnose_analyse").click().run()
    assert not at.exception
    assert any("鳞状细胞癌" in str(i.value) and "黄色肉芽肿" in str(i.value) for i in at.info)


@pytest.mark.parametrize(("lang", "expected"), [("en", "cannot recognise"), ("zh", "无法识别")])
def test_the_pdf_report_names_what_the_model_cannot_recognise(
    tmp_path: Path, lang: str, expected: str
) -> None:
    from skinmm.casereport.report import build_case_report
    from skinmm.db.repository import save_analysis
    from skinmm.db.store import open_store
    from tests.test_db_helpers import make_prediction
    from tests.test_report_pdf import pdf_text

    store = open_store(f"sqlite:///{tmp_path / 'cases.db'}", tmp_path / "home")
    case_id = save_analysis(
        store,
        prediction=make_prediction(image=4, text=1),
        bundle_name="ham",
        bundle_sha="a" * 64,
        note="Male, 60.",
    )
    text = " ".join(pdf_text(build_case_report(store, case_id, lang=lang)).split())
    assert expected in text
    if lang == "en":
        assert "Xanthogranuloma, Squamous cell carcinoma" in text
