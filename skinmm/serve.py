"""`skinmm serve`: start the Streamlit app (``app.py`` at the repository root).

``skinmm`` never imports streamlit, so the app runs in a child ``python -m streamlit run``
process with this interpreter; extra arguments go to ``streamlit run`` unchanged.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"
DEFAULTS: tuple[str, ...] = (
    "--server.fileWatcherType=none",
    "--browser.gatherUsageStats=false",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skinmm serve",
        description="Start the SkinMM web app. Unknown arguments go to `streamlit run`.",
    )
    parser.add_argument(
        "--bundle", help="model bundle folder (default: $SKINMM_BUNDLE or models/default)"
    )
    parser.add_argument("--port", type=int, help="port to listen on (default: Streamlit's, 8501)")
    parser.add_argument("--address", help="address to bind, e.g. 127.0.0.1 or 0.0.0.0")
    parser.add_argument("--headless", action="store_true", help="do not open a browser")
    return parser


def build_command(argv: Sequence[str] = ()) -> tuple[list[str], dict[str, str]]:
    """The ``streamlit run`` command line and environment for ``argv``."""
    args, rest = _parser().parse_known_args(list(argv))
    if not APP.is_file():
        raise FileNotFoundError(
            f"{APP} not found: `skinmm serve` runs from a source checkout (pip install -e .)."
        )
    env = dict(os.environ)
    # The app runs from the repository root (for .streamlit/config.toml): anchor paths now.
    for variable in ("SKINMM_BUNDLE", "SKINMM_DATA"):
        if env.get(variable):
            env[variable] = str(Path(env[variable]).resolve())
    if args.bundle:
        env["SKINMM_BUNDLE"] = str(Path(args.bundle).resolve())
    command = [sys.executable, "-m", "streamlit", "run", str(APP), *DEFAULTS]
    if args.port is not None:
        command.append(f"--server.port={args.port}")
    if args.address:
        command.append(f"--server.address={args.address}")
    if args.headless:
        command.append("--server.headless=true")
    return [*command, *rest], env


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app until it is stopped; returns Streamlit's exit status."""
    command, env = build_command(sys.argv[1:] if argv is None else argv)
    try:
        return subprocess.call(command, cwd=APP.parent, env=env)
    except KeyboardInterrupt:
        return 0


def wait_until_healthy(
    url: str, timeout: float = 60.0, process: subprocess.Popen | None = None
) -> float:
    """Poll ``url/_stcore/health`` until the server answers ``ok``; returns the seconds waited.

    Raises ``TimeoutError`` after ``timeout`` seconds, or ``RuntimeError`` when ``process``
    exits first (its output usually says why).
    """
    started = time.perf_counter()
    health = url.rstrip("/") + "/_stcore/health"
    while time.perf_counter() - started < timeout:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"The app exited with status {process.returncode} before it served.")
        try:
            with urllib.request.urlopen(health, timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{health} did not answer ok within {timeout:.0f} s.")
