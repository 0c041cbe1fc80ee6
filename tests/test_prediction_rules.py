"""The worrying-classes rule, written once (Prediction.worrying_classes), by hand."""

import numpy as np

from skinmm.prediction import RISK_FLAG, Prediction
from skinmm.taxonomy import LABEL_SPACES

HAM = LABEL_SPACES["ham10000"]


def _prediction(fused: list[float]) -> Prediction:
    proba = np.array(fused)
    return Prediction(
        classes=HAM,
        fused=proba,
        image=proba,
        text=None,
        carrier=("image",) * len(HAM),
        mode="image-only",
        rule="max",
    )


def test_worrying_classes_are_the_risky_ones_at_or_above_the_flag():
    assert RISK_FLAG == 0.2
    #            akiec bcc   bkl  df    mel  nv    vasc
    pred = _prediction([0.25, 0.19, 0.3, 0.05, 0.2, 0.01, 0.0])
    # akiec (premalignant) 0.25 and mel (malignant) at the flag; bcc just under it; bkl is
    # benign however likely.
    assert [c.code for c in pred.worrying_classes()] == ["akiec", "mel"]
    assert "possible_malignancy" in pred.cautions()
    calm = _prediction([0.05, 0.1, 0.6, 0.05, 0.1, 0.1, 0.0])
    assert calm.worrying_classes() == [] and "possible_malignancy" not in calm.cautions()
