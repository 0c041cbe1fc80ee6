"""Browser benchmarks of the app: cold start, and the Diagnose round trip.

* cold start: from launching `streamlit run` until the Diagnose page is interactive in
  Chromium (health check answers, then the first script run has finished);
* round trip: from the Analyse click until the differential chart and three Grad-CAM images
  are drawn (target: under 2 s), against the same work done in-process by the library
  (``bundle.predict`` + ``bundle.cams``), measured in the same run as the reference.

Writes its section of BENCHMARKS.md between markers, leaving the other sections alone.

    python benchmarks/bench_app.py [--bundle models/default] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_browser import (  # noqa: E402
    CHROMIUM,
    IDLE,
    NOTE,
    TIMEOUT_MS,
    lesion_photo,
    start_app,
    stop_app,
)

START, END = "<!-- bench_app:start -->", "<!-- bench_app:end -->"
TARGET_S = 2.0
CAMS_DRAWN = (
    "[...document.querySelectorAll(\"[data-testid='stImage'] img\")]"
    ".filter(i => i.complete && i.naturalWidth > 0).length >= 3"
)


def library_reference(bundle_path: Path, photo: Path, repeats: int) -> tuple[float, float]:
    """Seconds for one predict + top-3 Grad-CAM in-process (median), and the bundle load."""
    from skinmm.bundle import load_bundle

    started = time.perf_counter()
    bundle = load_bundle(bundle_path)
    load_s = time.perf_counter() - started
    data = photo.read_bytes()
    bundle.cams(data, [0])  # warm-up: first torch call pays for lazy initialisation
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        prediction = bundle.predict(image=data, note=NOTE)
        bundle.cams(data, prediction.order[:3])
        times.append(time.perf_counter() - started)
    return statistics.median(times), load_s


def browser_times(bundle: Path, photo: Path, repeats: int) -> dict[str, float | list[float]]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        launched = time.perf_counter()
        process, url = start_app(bundle, Path(tmp) / "streamlit.log")
        healthy_s = time.perf_counter() - launched
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(TIMEOUT_MS)
                page.goto(url)
                page.wait_for_selector("[data-testid='stFormSubmitButton'] button")
                page.wait_for_selector(IDLE)
                interactive_s = time.perf_counter() - launched
                trips = []
                for _ in range(repeats + 1):  # the first trip warms torch up; not counted
                    page.goto(url)
                    page.wait_for_selector("[data-testid='stFormSubmitButton'] button")
                    page.wait_for_selector(IDLE)
                    page.set_input_files("[data-testid='stFileUploaderDropzoneInput']", str(photo))
                    page.wait_for_selector("[data-testid='stFileChipName']")
                    page.locator("textarea").first.fill(NOTE)
                    started = time.perf_counter()
                    page.locator("[data-testid='stFormSubmitButton'] button").click()
                    page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg")
                    page.wait_for_function(CAMS_DRAWN, polling="raf")
                    trips.append(time.perf_counter() - started)
                    page.wait_for_selector(IDLE)
                browser.close()
        finally:
            stop_app(process)
    return {"healthy_s": healthy_s, "interactive_s": interactive_s, "trips": trips[1:]}


def section(results: dict, reference_s: float, load_s: float, bundle: Path, repeats: int) -> str:
    trips = results["trips"]
    median = statistics.median(trips)
    verdict = "meets" if median < TARGET_S else "misses"
    return "\n".join(
        [
            START,
            "## App (benchmarks/bench_app.py)",
            "",
            f"Bundle `{bundle.name}`; Chromium (Playwright) against `streamlit run` on "
            f"localhost; {os.cpu_count()} CPU cores, Python {platform.python_version()}; "
            f"{time.strftime('%Y-%m-%d')}. Median of {repeats} round trips after one warm-up. "
            f"Load average at the end: {os.getloadavg()[0]:.1f} (the reference column shows "
            "how busy the machine was: compare ratios, not seconds, across runs).",
            "",
            "| measure | seconds | ratio to reference |",
            "|---|---|---|",
            f"| Diagnose round trip: Analyse click → differential + 3 Grad-CAMs drawn "
            f"(target < {TARGET_S:.0f} s: {verdict}) | {median:.2f} "
            f"(min {min(trips):.2f}, max {max(trips):.2f}) | {median / reference_s:.2f} |",
            f"| reference: `bundle.predict` + `bundle.cams` (top 3) in-process | "
            f"{reference_s:.2f} | 1.00 |",
            f"| cold start: launch → health check ok | {results['healthy_s']:.2f} | |",
            f"| cold start: launch → Diagnose page interactive (bundle loaded, first run done) | "
            f"{results['interactive_s']:.2f} | |",
            f"| bundle load in-process (for comparison) | {load_s:.2f} | |",
            "",
            "The round trip over the reference is what the UI adds: the upload is already on "
            "the server, so it is the script rerun, serialising the chart and three images, and "
            "drawing them in the browser.",
            END,
            "",
        ]
    )


def write_section(text: str, path: Path) -> None:
    old = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n\n"
    if START in old and END in old:
        head, rest = old.split(START, 1)
        new = head + text.rstrip("\n") + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("SKINMM_BUNDLE", str(ROOT / "models" / "default"))
    parser.add_argument("--bundle", type=Path, default=Path(default))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    if not (args.bundle / "model_card.json").is_file():
        print(f"No bundle at {args.bundle}; pass --bundle or set SKINMM_BUNDLE.", file=sys.stderr)
        return 2
    if not CHROMIUM.is_file():
        print(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        photo = lesion_photo(Path(tmp))
        results = browser_times(args.bundle, photo, args.repeats)
        reference_s, load_s = library_reference(args.bundle, photo, args.repeats)
    text = section(results, reference_s, load_s, args.bundle, args.repeats)
    write_section(text, args.out)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
