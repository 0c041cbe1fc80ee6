"""Facts -> feature vector: "not mentioned" is its own value; each distinct note read once."""

import numpy as np
import pytest

from skinmm.text.fact_features import (
    BINARY_FACTS,
    check_option,
    fact_columns,
    fact_matrix,
    fact_vector,
)


def value(facts: dict, column: str) -> float:
    return float(fact_vector(facts)[fact_columns().index(column)])


def test_layout_matches_columns() -> None:
    assert fact_vector({}).shape == (len(fact_columns()),)
    assert len(set(fact_columns())) == len(fact_columns())


def test_denied_reported_and_unmentioned_differ() -> None:
    for name in BINARY_FACTS:
        present = fact_vector({name: "present"})
        absent = fact_vector({name: "absent"})
        missing = fact_vector({})
        assert not np.array_equal(present, absent)
        assert not np.array_equal(absent, missing)
        assert value({name: "absent"}, f"{name}=absent") == 1.0
        assert value({}, f"{name}=missing") == 1.0
        assert value({name: "present"}, f"{name}=missing") == 0.0


def test_numbers_are_nan_when_missing() -> None:
    assert np.isnan(value({}, "age"))
    assert value({"age": 55}, "age") == 55.0
    assert value({"diameter_mm": 6.5}, "diameter_mm") == 6.5
    assert np.isnan(value({"age": "unknown"}, "age"))


def test_sex_and_site_one_hot_with_missing_and_other() -> None:
    assert value({"sex": "Female"}, "sex=female") == 1.0
    assert value({}, "sex=missing") == 1.0
    assert value({"site": "nose"}, "site=nose") == 1.0
    assert value({"site": "nose"}, "site=missing") == 0.0
    # A site the table lacks is still a mentioned site, not a missing one.
    assert value({"site": "eyelid"}, "site=other") == 1.0
    assert value({"site": "eyelid"}, "site=missing") == 0.0
    assert value({}, "site=missing") == 1.0


def test_fact_matrix_reads_each_distinct_note_once() -> None:
    calls: list[str] = []

    def reader(text: str) -> dict:
        calls.append(text)
        return {"age": len(text)}

    x = fact_matrix(["ab", "abc", "ab", "ab"], reader)
    assert calls == ["ab", "abc"]
    assert x[:, 0].tolist() == [2.0, 3.0, 2.0, 2.0]
    assert fact_matrix([], reader).shape == (0, len(fact_columns()))


def test_unknown_option_is_a_clear_error() -> None:
    assert check_option("facts+embedding") == "facts+embedding"
    with pytest.raises(ValueError, match="Unknown text features"):
        check_option("bag-of-words")
