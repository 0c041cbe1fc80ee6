"""The bundle loads in the background (issue 19): pages are served meanwhile, and an Analyse
pressed while the model loads waits for it, then answers."""

from __future__ import annotations

import io
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from skinmm.bundle import Bundle
from skinmm.db.store import forget_shared_stores
from views import bundle_loader

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120
NOTE = "Male, 63 years. Pigmented lesion on the back that grew over six months and bled."


class GatedLoad:
    """``load_bundle`` that waits until the test opens the gate, counting the loads."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.gate = threading.Event()
        self.started = 0
        self.fail_next = False

    def __call__(self, path: str) -> Bundle:
        self.started += 1
        if self.fail_next:
            self.fail_next = False
            raise OSError("the disk went away")
        if not self.gate.wait(timeout=TIMEOUT):
            raise TimeoutError("the test never opened the gate")
        return self.real(path)  # type: ignore[operator]


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> Iterator[GatedLoad]:
    load = GatedLoad(bundle_loader.load_bundle)
    monkeypatch.setattr(bundle_loader, "load_bundle", load)
    yield load
    load.gate.set()  # never leave a loader thread waiting


@pytest.fixture
def app(
    tiny_bundle: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[AppTest, Path]]:
    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.setenv("SKINMM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    forget_shared_stores()
    bundle = tmp_path / "bundle"  # a copy: the test touches its card
    shutil.copytree(Path(getattr(tiny_bundle, "path", tiny_bundle)), bundle)
    monkeypatch.setenv("SKINMM_BUNDLE", str(bundle))
    yield AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT), bundle
    st.cache_resource.clear()


def png_bytes() -> bytes:
    pixels = np.random.default_rng(0).integers(0, 255, (96, 96, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def ready(bundle: Path) -> bool:
    card = bundle / "model_card.json"
    return bundle_loader.ready(str(bundle.resolve()), card.stat().st_mtime)


def test_a_page_without_the_model_is_served_while_it_loads(
    app: tuple[AppTest, Path], gated: GatedLoad
) -> None:
    at, bundle = app
    at.switch_page("views/audit.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert gated.started == 1  # app.py started the load ...
    assert not ready(bundle)  # ... and did not wait for it
    gated.gate.set()
    at.switch_page("views/diagnose.py").run()
    assert not at.exception and not at.error
    assert at.button(key="diagnose_analyse") is not None
    assert gated.started == 1  # one load, shared by the pages


def test_analyse_pressed_while_the_model_loads_waits_and_answers(
    app: tuple[AppTest, Path], gated: GatedLoad
) -> None:
    at, bundle = app
    gated.gate.set()
    at.run()
    assert gated.started == 1 and ready(bundle)
    at.get("file_uploader")[0].set_value(("x.png", png_bytes(), "image/png"))
    at.text_area(key="diagnose_note").input(NOTE)
    at.run()
    # A retrained bundle: a new card version starts a new background load, still running
    # when Analyse is pressed.
    gated.gate.clear()
    card = bundle / "model_card.json"
    stamp = card.stat().st_mtime + 10
    os.utime(card, (stamp, stamp))
    opener = threading.Timer(1.0, gated.gate.set)
    opener.start()
    at.button(key="diagnose_analyse").click().run()
    opener.join()
    assert not at.exception and not at.error, [e.message for e in at.exception]
    assert gated.started == 2
    assert ready(bundle)
    assert any(m.value.startswith("#### ") for m in at.markdown)  # the differential's top class
    assert len(at.get("image")) == 4  # the analysed photo, then Grad-CAM of the top three
    assert any("Saved as case" in s.value for s in at.success)


def test_a_failed_load_shows_its_error_and_the_next_run_tries_again(
    app: tuple[AppTest, Path], gated: GatedLoad
) -> None:
    at, _ = app
    gated.fail_next = True
    gated.gate.set()
    at.run()
    assert [e.value for e in at.error] and "disk went away" in at.code[0].value
    at.run()
    assert not at.error and not at.exception
    assert gated.started == 2
