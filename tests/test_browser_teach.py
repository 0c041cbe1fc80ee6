"""In a real browser: a whole quiz round on the Teach page, and a multi-photo analysis.

Uses the fixtures of test_browser.py (Chromium through Playwright; skipped with the reason
where either is missing) against a tiny bundle that ships an example gallery.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.test_browser import (
    browser,  # noqa: F401  (a fixture)
    choose,
    click_to_run,
    new_tab,
    shoot,
    start_app,
    stop_app,
    upload,
    wait_idle,
)
from tests.test_gallery import make_gallery

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def teach_url(tiny_bundle: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("teach-app")
    bundle = root / "bundle"
    shutil.copytree(Path(getattr(tiny_bundle, "path", tiny_bundle)), bundle)
    make_gallery(bundle)
    process, url = start_app(bundle, root / "streamlit.log")
    yield url
    stop_app(process)


def test_a_whole_quiz_round_in_the_browser(browser: Any, teach_url: str) -> None:
    page = new_tab(browser, f"{teach_url}/teach", "Teach")
    page.get_by_label("Cases in the round", exact=True).fill("2")
    page.get_by_label("Participants", exact=True).fill("Ada, Bo")
    page.get_by_role("button", name="Start a round").click()
    page.wait_for_selector("h3:has-text('Case 1 of 2')")
    wait_idle(page)
    for number in (1, 2):
        boxes = page.locator("[data-testid='stSelectbox']")
        choose(page, boxes.nth(0), "Melanoma")
        choose(page, boxes.nth(1), "Refer (biopsy or specialist)")
        page.locator(".st-key-teach_reveal button").click()
        page.wait_for_selector(".st-key-teach_truth h4")
        page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg")
        wait_idle(page)
        assert page.get_by_text("Model:").count() >= 1
        if number == 1:
            shoot(page, "teach_reveal_en", height=2200)
        page.locator(".st-key-teach_next button").click()
        wait_idle(page)
    page.wait_for_selector("text=Round complete")
    assert page.get_by_text("Running score per class").count() >= 1
    page.close()


def photo(folder: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    pixels = np.clip(rng.normal((150, 110, 100), 30, (200, 260, 3)), 0, 255).astype(np.uint8)
    path = folder / f"view{seed}.jpg"
    Image.fromarray(pixels).save(path, quality=90)
    return path


def test_a_multi_photo_analysis_in_the_browser(
    browser: Any,
    teach_url: str,
    tmp_path: Path,
) -> None:
    page = new_tab(browser, teach_url, "Diagnose a lesion")
    inputs = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    upload(page, inputs.nth(0), str(photo(tmp_path, 0)))
    upload(page, inputs.nth(1), [str(photo(tmp_path, 1)), str(photo(tmp_path, 2))])
    click_to_run(page, ".st-key-diagnose_analyse button")
    page.wait_for_selector("text=Based on 3 photos")
    wait_idle(page)
    assert page.get_by_text("this photo alone gives").count() == 3
    shoot(page, "diagnose_multi_photo_en", height=3200)
    page.close()
