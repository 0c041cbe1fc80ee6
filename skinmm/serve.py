"""`skinmm serve`: start the Streamlit app (``app.py`` at the repository root).

``skinmm`` never imports streamlit, so the app runs as ``python -m streamlit run`` with this
interpreter; extra arguments go to ``streamlit run`` unchanged. The wrapper checks the
sign-in settings, then *replaces itself* with Streamlit (``os.execve``), so a SIGTERM or
Ctrl-C to ``skinmm serve`` reaches the server directly and stopping it stops the app.

It listens on 127.0.0.1 unless told otherwise. Without sign-in (``--auth none``) it serves a
loopback address only; on any other address it refuses to start until sign-in is set up.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"
DEFAULT_ADDRESS = "127.0.0.1"
# Set by the wrapper for the app, which shows the "no sign-in" note and re-checks the address.
ADDRESS_ENV = "SKINMM_SERVE_ADDRESS"
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
    parser.add_argument(
        "--address",
        default=DEFAULT_ADDRESS,
        help="address to listen on (default 127.0.0.1: this computer only); any other address "
        "needs sign-in (--auth local or oidc)",
    )
    parser.add_argument(
        "--auth",
        choices=("none", "local", "oidc"),
        help="sign-in: none (loopback only), local accounts (skinmm users add), or oidc "
        "(single sign-on, .streamlit/secrets.toml [auth]); default $SKINMM_AUTH, else none",
    )
    parser.add_argument("--headless", action="store_true", help="do not open a browser")
    return parser


def build_command(argv: Sequence[str] = ()) -> tuple[list[str], dict[str, str]]:
    """The ``streamlit run`` command line and environment for ``argv``."""
    from skinmm.auth import auth_mode

    args, rest = _parser().parse_known_args(list(argv))
    if any(a.split("=")[0] in ("--server.address", "--server.port") for a in rest):
        raise ValueError("Give the address and port as --address and --port.")
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
    env["SKINMM_AUTH"] = auth_mode(args.auth)
    env[ADDRESS_ENV] = args.address
    command = [sys.executable, "-m", "streamlit", "run", str(APP), *DEFAULTS]
    command.append(f"--server.address={args.address}")
    if args.port is not None:
        command.append(f"--server.port={args.port}")
    if args.headless:
        command.append("--server.headless=true")
    return [*command, *rest], env


def is_loopback(address: str) -> bool:
    """Whether only this computer can reach ``address`` (``localhost``, 127.x, ::1)."""
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def sign_in_problem(address: str, mode: str) -> str | None:
    """Why the app must not start with this address and sign-in mode, or None."""
    if mode == "none":
        if is_loopback(address):
            return None
        return (
            f"refusing to serve {address} without sign-in: anyone on the network could read "
            "every note and photo. Either listen on 127.0.0.1 (the default), or set up sign-in: "
            "`skinmm users add NAME --role admin` then `--auth local` (or SKINMM_AUTH=local), "
            "or single sign-on with `--auth oidc` and an [auth] section in "
            ".streamlit/secrets.toml (see the README, Sign-in)."
        )
    if mode == "local":
        from skinmm.auth import count_admins
        from skinmm.db.store import open_store

        store = open_store()
        try:
            if count_admins(store) == 0:
                return (
                    f"--auth local needs at least one admin account in {store.url}: run "
                    "`skinmm users add NAME --role admin` (the password is read from standard "
                    "input), then start again."
                )
        finally:
            store.dispose()
        return None
    from skinmm.auth import oidc_problem, secrets_files

    problem = oidc_problem(secrets_files(APP.parent))
    return None if problem is None else f"--auth oidc cannot sign anyone in: {problem}."


def main(argv: Sequence[str] | None = None) -> int:
    """Check the settings, then become the Streamlit server; returns only on a refusal (2)."""
    from skinmm.auth import AuthError
    from skinmm.db.store import StorageError

    try:
        command, env = build_command(sys.argv[1:] if argv is None else argv)
        problem = sign_in_problem(env[ADDRESS_ENV], env["SKINMM_AUTH"])
    except (AuthError, StorageError, ValueError, FileNotFoundError) as exc:
        problem = str(exc)
    if problem:
        print(f"skinmm serve: error: {problem}", file=sys.stderr)
        return 2
    if env["SKINMM_AUTH"] == "none":
        print(
            f"skinmm serve: no sign-in: only this computer ({env[ADDRESS_ENV]}) can open the app, "
            "and whoever uses it sees every saved case.",
            file=sys.stderr,
        )
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(APP.parent)
    os.execve(command[0], command, env)


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
