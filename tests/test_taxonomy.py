from skinmm.taxonomy import (
    HAM10000_CLASSES,
    PAD_UFES_20_CLASSES,
    TAXONOMY,
    Risk,
    class_from_dict,
    class_to_dict,
    label_space,
)


def test_twelve_classes_six_from_the_paper():
    assert len(TAXONOMY) == 12
    paper = {c.code for c in TAXONOMY.values() if c.in_paper}
    assert paper == {"mel", "bcc", "bowen", "nev", "hem", "xg"}


def test_every_class_has_both_names_and_a_risk():
    for c in TAXONOMY.values():
        assert c.name_en and c.name_zh and isinstance(c.risk, Risk)


def test_dataset_classes_cover_only_known_codes():
    for space in (HAM10000_CLASSES, PAD_UFES_20_CLASSES):
        for c in space:
            assert c.covers and set(c.covers) <= set(TAXONOMY)


def test_ham_groupings_follow_the_dataset():
    by_code = {c.code: c for c in HAM10000_CLASSES}
    assert set(by_code["akiec"].covers) == {"ak", "bowen"}
    assert set(by_code["bkl"].covers) >= {"sk", "sl"}
    assert set(by_code["vasc"].covers) >= {"hem", "pg"}
    assert by_code["akiec"].risk is Risk.PREMALIGNANT
    assert by_code["mel"].risk is Risk.MALIGNANT
    assert by_code["nv"].risk is Risk.BENIGN


def test_pad_scc_includes_bowen_and_is_malignant():
    scc = next(c for c in PAD_UFES_20_CLASSES if c.code == "scc")
    assert "bowen" in scc.covers and scc.risk is Risk.MALIGNANT


def test_round_trip_through_card_dict():
    for c in HAM10000_CLASSES:
        assert class_from_dict(class_to_dict(c)) == c


def test_unknown_label_space_is_a_clear_error():
    import pytest

    with pytest.raises(ValueError, match="known: ham10000"):
        label_space("isic2019")
