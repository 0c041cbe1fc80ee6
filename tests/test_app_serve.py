"""`skinmm serve`: the `streamlit run` command, the listening address and sign-in checks,
and stopping on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from skinmm.serve import (
    ADDRESS_ENV,
    APP,
    build_command,
    is_loopback,
    sign_in_problem,
    wait_until_healthy,
)
from tests import test_browser

ROOT = Path(__file__).resolve().parents[1]


def test_serve_command_passes_bundle_port_and_extra_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SKINMM_DATA", "data")
    argv = ["--bundle", "models/x", "--port", "8600", "--headless", "--theme.base=dark"]
    command, env = build_command(argv)
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", str(APP)]
    assert "--server.fileWatcherType=none" in command
    assert "--server.port=8600" in command and "--server.headless=true" in command
    assert command[-1] == "--theme.base=dark"
    assert env["SKINMM_BUNDLE"] == str(tmp_path / "models" / "x")
    assert env["SKINMM_DATA"] == str(tmp_path / "data")  # anchored before the app's chdir


# --- Listening address, sign-in and stopping (issue 13) ----------------------------------------


def serve_process(*argv: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "skinmm.cli", "serve", *argv],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SKINMM_AUTH")}
    env |= {"SKINMM_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT), **extra}
    return env


def test_serve_listens_on_loopback_by_default_and_passes_the_sign_in_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SKINMM_AUTH", "local")
    command, env = build_command([])
    assert "--server.address=127.0.0.1" in command
    assert env["SKINMM_AUTH"] == "local" and env[ADDRESS_ENV] == "127.0.0.1"
    assert build_command(["--auth", "none", "--address", "::1"])[1]["SKINMM_AUTH"] == "none"
    with pytest.raises(ValueError, match="--address and --port"):
        build_command(["--server.address=0.0.0.0"])


@pytest.mark.parametrize(
    ("address", "loopback"),
    [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False),
     ("skinmm.hospital.org", False), ("", False)],
)  # fmt: skip
def test_loopback_addresses(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback
    assert (sign_in_problem(address, "none") is None) is loopback


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--address", "0.0.0.0"], "refusing to serve 0.0.0.0 without sign-in"),
        (["--address", "0.0.0.0", "--auth", "local"], "needs at least one admin account"),
        (["--address", "10.0.0.5", "--auth", "oidc"], "lacks redirect_uri, cookie_secret"),
        (["--auth", "ldap"], "invalid choice"),
    ],
)
def test_serve_refuses_a_network_address_without_sign_in(
    tmp_path: Path, argv: list[str], expected: str
) -> None:
    env = clean_env(tmp_path, HOME=str(tmp_path))  # no ~/.streamlit/secrets.toml
    process = serve_process(*argv, "--headless", env=env)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 2
    assert expected in err.decode()


def test_local_sign_in_with_an_admin_passes_the_check(case_home: Path) -> None:
    from skinmm.auth import add_user
    from skinmm.db.audit import cli_actor
    from skinmm.db.store import open_store

    store = open_store()
    add_user(store, "nurse", "clinician", "a long enough password", cli_actor())
    assert "admin account" in (sign_in_problem("0.0.0.0", "local") or "")
    add_user(store, "boss", "admin", "a long enough password", cli_actor())
    assert sign_in_problem("0.0.0.0", "local") is None
    store.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_sigterm_stops_the_app_within_five_seconds(tmp_path: Path) -> None:
    port = free_port()
    process = serve_process("--port", str(port), "--headless", env=clean_env(tmp_path))
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", timeout=120, process=process)
        process.send_signal(signal.SIGTERM)
        started = time.perf_counter()
        process.wait(timeout=5)
        stopped_in = time.perf_counter() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    _, err = process.communicate()
    assert stopped_in < 5
    assert not listening(port)
    # Without sign-in it said so, and that it serves this computer only.
    assert "no sign-in: only this computer (127.0.0.1)" in err.decode()


# --- In a real browser: sign in with a local account, open History ------------------------------

browser = test_browser.browser  # Debian's Chromium through Playwright; skips without it


@pytest.mark.browser
def test_sign_in_and_open_history_in_the_browser(
    browser: Any,
    tiny_bundle: object,
    case_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from skinmm.auth import add_user
    from skinmm.db.audit import Actor, cli_actor, list_audit
    from skinmm.db.store import open_store
    from tests.test_db_helpers import save_case

    monkeypatch.setenv("SKINMM_AUTH", "local")
    store = open_store()
    password = "a password for the browser"
    add_user(store, "ada", "admin", password, cli_actor())
    add_user(store, "carl", "clinician", password, cli_actor())
    note, carl = "Male, 70 years. Lesion on the scalp.", Actor("carl", "clinician")
    case_id = save_case(store, photo=5, note=note, patient_ref="PBROWSER-99", actor=carl)
    bundle = Path(getattr(tiny_bundle, "path", tiny_bundle))
    process, url = test_browser.start_app(bundle, tmp_path / "streamlit.log")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(test_browser.TIMEOUT_MS)
    try:
        for path in ("", "/history"):  # a deep link lands on the sign-in page too
            page.goto(url + path)
            page.wait_for_selector("h1:has-text('Sign in to SkinMM')")
            test_browser.wait_idle(page)
            content = page.content()
            assert case_id[:8] not in content and "PBROWSER-99" not in content
            assert page.locator("[data-testid='stSidebarNav'] a").count() == 0
            assert page.get_by_text("Page not found").count() == 0
        test_browser.shoot(page, "signin_en", height=1000)
        page.locator("input[type='text']").first.fill("carl")
        page.locator("input[type='password']").fill(password)
        page.locator("[data-testid='stFormSubmitButton'] button").click()
        page.wait_for_selector("h1:has-text('Diagnose a lesion')")
        test_browser.wait_idle(page)
        assert page.get_by_text("Signed in as carl").count() == 1
        links = page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
        assert [link.split("\n")[-1] for link in links] == [
            "Diagnose",
            "History",
            "Model card",
            "Teach",
        ]
        test_browser.open_page(page, "History", "Case history")
        test_browser.choose(page, page.locator("[data-testid='stSelectbox']").last, case_id[:8])
        page.wait_for_selector(f"h3:has-text('Case {case_id[:8]}')")
        test_browser.wait_idle(page)
        assert page.get_by_text("PBROWSER-99").count() >= 1
        test_browser.shoot(page, "history_signed_in", height=2400)
    finally:
        page.close()
        test_browser.stop_app(process)
    events = [(r.actor, r.action, r.case_id) for r in list_audit(store)]
    assert ("carl", "sign_in", None) in events and ("carl", "view", case_id) in events
    store.dispose()
