"""Browser benchmarks of the app: cold start, and the Diagnose round trip.

* cold start, from launching ``streamlit run``: the health check answers; the Diagnose form is
  drawn and usable (uploader, note, Analyse: the model may still be loading in the
  background); the first script run has finished (the model is loaded); and the first answer
  when a photo and note are given and Analyse pressed as soon as the form is drawn;
* round trip: from the Analyse click until the differential chart and the three Grad-CAM
  overlays are drawn, against the same work done in-process by the library
  (``bundle.predict`` + ``bundle.cams``, in a fresh thread as Streamlit runs each script run),
  timed alternately with the trips: ratio = median over adjacent pairs;
* the floor, in the same run: ``benchmarks/floor_app.py``, a minimal Streamlit page that on
  the same click draws the same kinds of elements (the plotly differential figure, the
  thumbnail and three overlays at their display size, the summary texts) with no model,
  timed the same way; the round trip minus the floor is what SkinMM's page adds to what
  Streamlit and the browser cost anyway.

With ``--baseline DIR`` the same is measured first for another checkout of SkinMM (its own
``app.py`` and code), for a before/after in one run. Writes its section of BENCHMARKS.md
between markers, leaving the other sections alone.

    python benchmarks/bench_app.py [--bundle models/default] [--repeats 5] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skinmm.serve import build_command, wait_until_healthy  # noqa: E402
from tests.test_browser import (  # noqa: E402
    ANALYSE,
    CHROMIUM,
    IDLE,
    NOTE,
    TIMEOUT_MS,
    free_port,
    lesion_photo,
    stop_app,
)

START, END = "<!-- bench_app:start -->", "<!-- bench_app:end -->"
FLOOR_APP = ROOT / "benchmarks" / "floor_app.py"
TRIP_TARGET = 1.5  # round trip / reference
COLD_TARGET_S = 8.0  # launch -> Diagnose page usable
RUNNING = IDLE.replace("notRunning", "running")
FORM = "[data-testid='stFileUploaderDropzoneInput']"
DROPZONE = "[data-testid='stFileUploaderDropzone']"
# The analysed photo's thumbnail and the three overlays, every one decoded.
DRAWN = (
    "(() => { const i = [...document.querySelectorAll(\"[data-testid='stImage'] img\")];"
    " return i.length >= 4 && i.every(e => e.complete && e.naturalWidth > 0); })()"
)


def start_server(
    checkout: Path, bundle: Path, log: Path, app: Path | None = None
) -> tuple[subprocess.Popen, str]:
    """`streamlit run` of ``checkout``'s app.py (or ``app``) with its own code first on the
    path."""
    port = free_port()
    command, env = build_command(
        ["--bundle", str(bundle), "--port", str(port), "--address", "127.0.0.1", "--headless"]
    )
    script = str(app or checkout / "app.py")
    command = [script if c.endswith("app.py") else c for c in command]
    env = {**env, "SKINMM_HOME": str(log.parent / "home"), "PYTHONPATH": str(checkout)}
    env.pop("DATABASE_URL", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=checkout, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(url, timeout=180, process=process)
    return process, url


def settle(page: Any) -> None:
    """Wait for the rerun an input change starts (it may begin a moment later) to finish."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_selector(RUNNING, timeout=1500)
    page.wait_for_selector(IDLE)


def fill(page: Any, photo: Path) -> None:
    page.set_input_files(FORM, str(photo))
    page.wait_for_selector("[data-testid='stFileChipName']")
    page.locator("textarea").first.fill(NOTE)
    page.locator("textarea").first.blur()


def wait_answer(page: Any) -> None:
    page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg")
    page.wait_for_function(DRAWN, polling="raf")


def cold_start(browser: Any, checkout: Path, bundle: Path, photo: Path, tmp: Path) -> dict:
    """Launch the server, open Diagnose, and press Analyse as soon as the form is drawn."""
    launched = time.perf_counter()
    process, url = start_server(checkout, bundle, tmp / "cold.log")
    times = {"healthy_s": time.perf_counter() - launched}
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS * 3)
        page.goto(url)
        page.wait_for_selector(DROPZONE)
        page.wait_for_selector("textarea")
        page.wait_for_selector(ANALYSE)
        times["form_s"] = time.perf_counter() - launched
        fill(page, photo)
        page.locator(ANALYSE).click()
        wait_answer(page)
        times["first_answer_s"] = time.perf_counter() - launched
        page.close()
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        # A second session: its first run needs the model, loaded by now.
        page.goto(url)
        page.wait_for_selector(ANALYSE)
        page.wait_for_selector(IDLE)
        page.close()
    finally:
        stop_app(process)
    return times


def cold_ready(browser: Any, checkout: Path, bundle: Path, tmp: Path) -> dict:
    """Launch again, and time the first run to its end (the model loaded), touching nothing."""
    launched = time.perf_counter()
    process, url = start_server(checkout, bundle, tmp / "ready.log")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS * 3)
        page.goto(url)
        page.wait_for_selector(DROPZONE)
        form_s = time.perf_counter() - launched
        page.wait_for_selector(IDLE)  # the first run ends once the model is loaded
        ready_s = time.perf_counter() - launched
        page.close()
    finally:
        stop_app(process)
    return {"form2_s": form_s, "ready_s": ready_s}


def reference_once(bundle: Any, data: bytes) -> float:
    """One predict + top-3 Grad-CAM, in a new thread as Streamlit runs each script run."""
    out: list[float] = []

    def work() -> None:
        started = time.perf_counter()
        prediction = bundle.predict(image=data, note=NOTE)
        bundle.cams(data, prediction.order[:3])
        out.append(time.perf_counter() - started)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return out[0]


def round_trips(
    browser: Any,
    checkout: Path,
    bundle_dir: Path,
    bundle: Any,
    photo: Path,
    repeats: int,
    tmp: Path,
    app: Path | None = None,
) -> dict:
    data = photo.read_bytes()
    process, url = start_server(checkout, bundle_dir, tmp / "trips.log", app)
    trips, refs = [], []
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS * 3)
        for k in range(repeats + 1):  # the first pair warms both up; not counted
            page.goto(url)
            page.wait_for_selector(ANALYSE)
            page.wait_for_selector(IDLE)
            fill(page, photo)
            settle(page)
            started = time.perf_counter()
            page.locator(ANALYSE).click()
            wait_answer(page)
            trip = time.perf_counter() - started
            page.wait_for_selector(IDLE)
            ref = reference_once(bundle, data)
            if k:
                trips.append(trip)
                refs.append(ref)
        page.close()
    finally:
        stop_app(process)
    return {"trips": trips, "refs": refs}


def measure(
    checkout: Path, bundle_dir: Path, bundle: Any, photo: Path, repeats: int, floor: bool
) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            results = cold_start(browser, checkout, bundle_dir, photo, Path(tmp))
            results.update(cold_ready(browser, checkout, bundle_dir, Path(tmp)))
            results.update(
                round_trips(browser, checkout, bundle_dir, bundle, photo, repeats, Path(tmp))
            )
            if floor:
                trips = round_trips(
                    browser, checkout, bundle_dir, bundle, photo, repeats, Path(tmp), FLOOR_APP
                )
                results.update(floor=trips["trips"], floor_refs=trips["refs"])
        finally:
            browser.close()
    return results


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def rows(name: str, r: dict) -> list[str]:
    ratios = [t / s for t, s in zip(r["trips"], r["refs"], strict=True)]
    trip_verdict = "meets" if statistics.median(ratios) <= TRIP_TARGET else "misses"
    form = min(r["form_s"], r["form2_s"])
    cold_verdict = "meets" if form <= COLD_TARGET_S else "misses"
    return [
        f"| {name}Diagnose round trip: Analyse click → differential + 3 Grad-CAMs drawn "
        f"(target ≤ {TRIP_TARGET}× reference: {trip_verdict}) | {_spread(r['trips'])} | "
        f"{_spread(ratios)} |",
        f"| {name}reference: `bundle.predict` + `bundle.cams` (top 3) in-process, fresh thread, "
        f"alternated with the trips | {_spread(r['refs'])} | 1.00 |",
        *_floor_rows(name, r),
        f"| {name}cold start: launch → health check ok | {r['healthy_s']:.2f} | |",
        f"| {name}cold start: launch → Diagnose form drawn and usable (uploader, note, Analyse), "
        f"target ≤ {COLD_TARGET_S:.0f} s: {cold_verdict} | {form:.2f} | |",
        f"| {name}cold start: launch → model loaded (the first run done) | {r['ready_s']:.2f} | |",
        f"| {name}cold start: launch → first answer (photo, note and Analyse given as soon as "
        f"the form is drawn) | {r['first_answer_s']:.2f} | |",
    ]


def _floor_rows(name: str, r: dict) -> list[str]:
    """The floor's trips (ratio to the references alternated with them), and the round trip
    minus the floor's median, as seconds and as a ratio to the trips' reference."""
    if "floor" not in r:
        return []
    ratios = [f / s for f, s in zip(r["floor"], r["floor_refs"], strict=True)]
    above = statistics.median(r["trips"]) - statistics.median(r["floor"])
    return [
        f"| {name}floor: minimal Streamlit page drawing the same elements, no model "
        f"(benchmarks/floor_app.py), click → drawn | {_spread(r['floor'])} | {_spread(ratios)} |",
        f"| {name}Diagnose round trip minus the floor (medians): the model's work and the "
        f"page's own | {above:.2f} | {above / statistics.median(r['refs']):.2f} |",
        f"| {name}Diagnose round trip minus the floor and the reference (medians): the page's "
        f"own | {above - statistics.median(r['refs']):.2f} | |",
    ]


def section(results: dict[str, dict], load_s: float, bundle: Path, repeats: int) -> str:
    lines = [
        START,
        "## App (benchmarks/bench_app.py)",
        "",
        f"Bundle `{bundle.name}`; Chromium (Playwright) against `streamlit run` on localhost; "
        f"{os.cpu_count()} CPU cores, Python {platform.python_version()}; "
        f"{time.strftime('%Y-%m-%d')}. Round trips: {repeats} after one warm-up, each followed "
        "by the in-process reference; ratio = median (min–max) over those pairs. Load average "
        f"at the end: {os.getloadavg()[0]:.1f} (a shared machine: compare ratios, not "
        "seconds). Cold start: the form drawn is the fastest of two launches.",
        "",
        "| measure | seconds, median (min–max) | ratio to reference |",
        "|---|---|---|",
    ]
    for name, r in results.items():
        lines += rows(name, r)
    lines += [
        f"| bundle load in-process (for comparison) | {load_s:.2f} | |",
        "",
        "The model loads in a background thread started by `app.py`; the Diagnose form is "
        "drawn before the page waits for it, so a photo and note can be given meanwhile and an "
        "Analyse pressed then is answered once the model is there.",
        END,
        "",
    ]
    return "\n".join(lines)


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
    parser.add_argument("--baseline", type=Path, help="another checkout to measure first")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    bundle_dir = args.bundle.resolve()
    if not (bundle_dir / "model_card.json").is_file():
        print(f"No bundle at {bundle_dir}; pass --bundle or set SKINMM_BUNDLE.", file=sys.stderr)
        return 2
    if not CHROMIUM.is_file():
        print(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium", file=sys.stderr)
        return 2
    from skinmm.bundle import load_bundle

    started = time.perf_counter()
    bundle = load_bundle(bundle_dir)
    load_s = time.perf_counter() - started
    checkouts = {"": ROOT}
    if args.baseline:
        checkouts = {"before (baseline checkout): ": args.baseline.resolve(), **checkouts}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        photo = lesion_photo(Path(tmp))
        for name, checkout in checkouts.items():
            # The floor once, with this checkout's run: it is the same page for both.
            floor = checkout == ROOT
            results[name] = measure(checkout, bundle_dir, bundle, photo, args.repeats, floor)
    text = section(results, load_s, bundle_dir, args.repeats)
    write_section(text, args.out)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
