"""Both branches of a trained bundle keep the Branch contract that fusion, evaluation and the
app rely on (skinmm.branch); mypy checks the signatures, this checks the loaded objects."""

import numpy as np

from skinmm.branch import Branch, ImageModel, NoteModel
from skinmm.bundle import load_bundle
from tests.conftest import CLASSES, synthetic_image


def test_loaded_branches_keep_the_contract(tiny_bundle):
    bundle = load_bundle(tiny_bundle)
    assert isinstance(bundle.image, ImageModel) and isinstance(bundle.text, NoteModel)
    image = synthetic_image(np.random.default_rng(1), 2)
    probas = {
        "image": bundle.image.predict_proba([image, image]),
        "text": bundle.text.predict_proba(["Male, 40 years. Lesion on the back.", None]),
    }
    for name, branch in (("image", bundle.image), ("text", bundle.text)):
        assert isinstance(branch, Branch)
        assert branch.classes_ == CLASSES
        assert isinstance(branch.card(), dict)
        assert probas[name].shape == (2, len(CLASSES))
    assert np.allclose(probas["image"].sum(axis=1), 1)
    # A case without a note is a NaN row, never a made-up distribution.
    assert np.isnan(probas["text"][1]).all() and np.isclose(probas["text"][0].sum(), 1)


def test_an_object_without_the_methods_is_no_branch():
    class Half:
        classes_ = CLASSES

        def card(self) -> dict:
            return {}

    assert not isinstance(Half(), Branch)
