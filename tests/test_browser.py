"""End to end in a real browser: Playwright drives Debian's Chromium against `streamlit run`.

Skips with the reason when Chromium or Playwright is missing (`make test` installs Chromium
where it can). Screenshots of every page go to screenshots/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from skinmm.bundle import read_card
from skinmm.serve import build_command, wait_until_healthy

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("SKINMM_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "screenshots"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
NOTE = "Male, 63 years. Pigmented lesion on the back, grew over six months, bled once."
TIMEOUT_MS = 60_000
ANALYSE = ".st-key-diagnose_analyse button"
TOP = ".st-key-diagnose_top h4"
DROPZONE_TEXTS = """() => {
  const zone = document.querySelector("[data-testid='stFileUploaderDropzone']");
  const own = zone.querySelectorAll(
    "[data-testid='stFileUploaderDropzoneInstructions'] span, button p");
  const drop = zone.querySelector("[data-testid='stFileUploaderDropzoneInstructions'] > div");
  const browse = zone.querySelector("button [data-testid='stMarkdownContainer']");
  return {
    hidden: own.length > 0 && [...own].every(e => getComputedStyle(e).display === "none"),
    texts: [getComputedStyle(drop, "::before").content, getComputedStyle(browse, "::after").content],
  };
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lesion_photo(folder: Path) -> Path:
    """A real dermatology photo when the data folder is here, else a synthetic JPEG."""
    data = Path(os.environ.get("SKINMM_DATA", ROOT / "../shared/data")) / "ham10000" / "images"
    photos = sorted(data.glob("*.jpg"))[:1] if data.is_dir() else []
    if photos:
        return photos[0]
    rng = np.random.default_rng(0)
    pixels = np.clip(rng.normal((150, 110, 100), 30, (300, 400, 3)), 0, 255).astype(np.uint8)
    path = folder / "lesion.jpg"
    Image.fromarray(pixels).save(path, quality=90)
    return path


def start_app(bundle: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free localhost port, serving ``bundle``."""
    port = free_port()
    command, env = build_command(
        ["--bundle", str(bundle), "--port", str(port), "--address", "127.0.0.1", "--headless"]
    )
    # Each analysis is saved: keep the test's cases out of the user's ~/.skinmm.
    env = {**env, "SKINMM_HOME": str(log.parent / "home")}
    env.pop("DATABASE_URL", None)
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, timeout=90, process=process)
    except (TimeoutError, RuntimeError) as exc:
        process.kill()
        pytest.fail(f"{exc}\n{log.read_text(errors='replace')[-3000:]}")
    return process, url


def stop_app(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file() and shutil.which("chromium") is None:
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium "
            "(apt-get install -y chromium; `make test` tries) to run the browser tests."
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    executable = CHROMIUM if CHROMIUM.is_file() else Path(str(shutil.which("chromium")))
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(executable), args=["--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def app_url(tiny_bundle: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    bundle = Path(getattr(tiny_bundle, "path", tiny_bundle))
    process, url = start_app(bundle, tmp_path_factory.mktemp("app") / "streamlit.log")
    yield url
    stop_app(process)


def wait_idle(page: Any) -> None:
    page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)


# Counts the script runs the page has started: a test can wait for the run an upload asks for.
COUNT_RUNS = """() => {
  window.skinmmRuns = 0;
  new MutationObserver(() => {
    const app = document.querySelector("[data-testid='stApp']");
    const state = app && app.getAttribute("data-test-script-state");
    if (state === "running" && window.skinmmLast !== "running") window.skinmmRuns += 1;
    window.skinmmLast = state;
  }).observe(document, {attributes: true, subtree: true,
                        attributeFilter: ["data-test-script-state"]});
}"""


def new_tab(browser: Any, url: str, heading: str) -> Any:
    """A new browser tab on ``url``, once the page titled ``heading`` has finished running."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.add_init_script(f"document.addEventListener('DOMContentLoaded', {COUNT_RUNS})")
    page.goto(url)
    page.wait_for_selector(f"h1:has-text('{heading}')")
    wait_idle(page)
    return page


def upload(page: Any, dropzone: Any, files: str | list[str]) -> None:
    """Choose ``files`` in ``dropzone`` and wait until the page has run with them.

    A chip shows while its file is still uploading; the rerun that hands the file to the
    script starts only once it has arrived.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # optional: see browser()

    runs = page.evaluate("window.skinmmRuns")
    dropzone.set_input_files(files)
    page.wait_for_function(
        "!document.querySelector(\"[data-testid='stFileChipIconSpinner']\")"
        " && document.querySelectorAll(\"[data-testid='stFileChipName']\").length > 0"
    )
    # A rerun quicker than one frame can go unseen: then the chips are all there is.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"window.skinmmRuns > {runs}", timeout=5_000)
    wait_idle(page)


def click_to_run(page: Any, button: str) -> None:
    """Click ``button`` and wait until the script has started a run for it.

    Streamlit 1.67 can drop a click that lands just as an upload's rerun ends (the page stays
    idle, seen in CI at stop 24): a user clicks again, and so does this, once.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(2):
        runs = page.evaluate("window.skinmmRuns")
        page.locator(button).click()
        try:
            page.wait_for_function(f"window.skinmmRuns > {runs}", timeout=10_000)
            return
        except PlaywrightTimeout:
            if attempt:
                raise


def shoot(page: Any, name: str, height: int = 2400) -> Path:
    """A screenshot of the whole page (Streamlit scrolls inside its own container)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": height})
    page.wait_for_timeout(400)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def analyse(page: Any, photo: Path, note: str) -> None:
    """Upload, type the note, press Analyse and wait for the differential and three CAMs."""
    upload(page, page.locator("[data-testid='stFileUploaderDropzoneInput']").first, str(photo))
    page.locator("textarea").first.fill(note)
    click_to_run(page, ANALYSE)
    page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=TIMEOUT_MS)
    page.wait_for_function(
        "document.querySelectorAll(\"[data-testid='stImage'] img\").length >= 3",
        timeout=TIMEOUT_MS,
    )
    wait_idle(page)


def open_page(page: Any, link: str, heading: str) -> None:
    page.locator("[data-testid='stSidebarNav'] a", has_text=link).click()
    page.wait_for_selector(f"h1:has-text('{heading}')", timeout=TIMEOUT_MS)
    wait_idle(page)


def choose(page: Any, selectbox: Any, option: str) -> None:
    """Pick a selectbox option; retries the click while charts above it still move it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(5):
        selectbox.scroll_into_view_if_needed()
        selectbox.click()
        try:
            page.get_by_role("option", name=option).click(timeout=3000)
            break
        except PlaywrightTimeout:  # the list did not open: the box moved under the click
            page.keyboard.press("Escape")
    # The rerun may start a moment after the click; do not mistake that moment for idle.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_selector(IDLE.replace("notRunning", "running"), timeout=2000)
    wait_idle(page)


def test_diagnose_chinese_and_dashboard_in_the_browser(
    browser: Any, app_url: str, tiny_bundle: object, tmp_path: Path
) -> None:
    card = read_card(Path(getattr(tiny_bundle, "path", tiny_bundle)))
    page = new_tab(browser, app_url, "Diagnose a lesion")

    analyse(page, lesion_photo(tmp_path), NOTE)
    assert page.locator(TOP).inner_text().strip()
    # The analysed photo beside the result, then Grad-CAM of the top three classes.
    assert page.locator("[data-testid='stImage'] img").count() == 4
    chart = page.locator("[data-testid='stPlotlyChart']").first.inner_text()
    assert any(c["name_en"].split(" (")[0] in chart for c in card["classes"])
    assert page.get_by_text("not a medical device").count() == 1
    shoot(page, "diagnose_en")

    page.locator("[data-testid='stSidebar'] label", has_text="中文").click()
    page.wait_for_selector("h1:has-text('皮损诊断')")
    wait_idle(page)
    chart = page.locator("[data-testid='stPlotlyChart']").first.inner_text()
    assert any(c["name_zh"].split("（")[0] in chart for c in card["classes"])
    top = page.locator(TOP).inner_text().strip()
    assert top in {c["name_zh"] for c in card["classes"]}  # the full name, never cut off
    shoot(page, "diagnose_zh")

    open_page(page, "评估看板", "测试集评估")
    page.wait_for_selector("[data-testid='stPlotlyChart'] .heatmaplayer")
    assert page.get_by_text("混淆矩阵").count() >= 1
    shoot(page, "dashboard_zh", height=5200)

    page.locator("[data-testid='stSidebar'] label", has_text="English").click()
    page.wait_for_selector("h1:has-text('Test-set evaluation')")
    wait_idle(page)
    page.wait_for_selector("[data-testid='stPlotlyChart'] .heatmaplayer")
    assert page.get_by_text("Confusion matrix — Fused").count() >= 1
    choose(page, page.locator("[data-testid='stSelectbox']").first, "Image branch wrong")
    shoot(page, "dashboard_en", height=6400)

    open_page(page, "Model card", "Model card")
    assert page.get_by_text("Intended use").count() >= 1
    shoot(page, "model_card_en", height=2600)
    page.close()


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("diagnose", "Diagnose a lesion"),
        ("dashboard", "Test-set evaluation"),
        ("model-card", "Model card"),
        ("history", "Case history"),
    ],
)
def test_deep_links_open_their_page(browser: Any, app_url: str, path: str, heading: str) -> None:
    page = new_tab(browser, f"{app_url}/{path}", heading)
    assert page.get_by_text("Page not found").count() == 0
    # The sidebar navigation is there: the router ran, not the page script alone.
    assert page.locator("[data-testid='stSidebarNav'] a").count() >= 4
    page.close()


def test_an_unknown_path_says_page_not_found(browser: Any, app_url: str) -> None:
    """The control for the test above: the message it looks for does appear when it should."""
    page = new_tab(browser, f"{app_url}/no-such-page", "Diagnose a lesion")
    assert page.get_by_text("Page not found").count() >= 1
    page.close()


def test_uploader_texts_are_in_chinese(browser: Any, app_url: str) -> None:
    """Streamlit's own dropzone texts are hidden; the page's CSS writes Chinese instead."""
    page = new_tab(browser, f"{app_url}/?lang=zh", "皮损诊断")
    # The uploader is drawn by a rerun that can end after the title is shown (the model loads
    # in the background), and the page's style element can land a moment after the script
    # goes idle on a busy machine: wait for both (up to the timeout), not the first frame.
    page.wait_for_selector("[data-testid='stFileUploaderDropzone']")
    with contextlib.suppress(Exception):
        page.wait_for_function(f"() => ({DROPZONE_TEXTS})().hidden", timeout=TIMEOUT_MS)
    shown = page.evaluate(DROPZONE_TEXTS)
    assert shown["hidden"]
    assert shown["texts"] == ['"将照片拖放到此处"', '"选择文件"']
    page.close()


def test_bad_upload_shows_an_error_not_a_traceback(
    browser: Any, app_url: str, tmp_path: Path
) -> None:
    fake = tmp_path / "notes.png"
    fake.write_bytes(b"this is a text file with a .png name")
    page = new_tab(browser, app_url, "Diagnose a lesion")
    upload(page, page.locator("[data-testid='stFileUploaderDropzoneInput']").first, str(fake))
    click_to_run(page, ANALYSE)
    page.wait_for_selector("[data-testid='stAlertContentError']")
    wait_idle(page)
    error = page.locator("[data-testid='stAlertContentError']").first.inner_text()
    assert "is not an image" in error and "Upload a JPEG, PNG or WebP photo" in error
    assert page.locator("[data-testid='stException']").count() == 0
    shoot(page, "diagnose_bad_upload", height=1200)
    page.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-v"]))
