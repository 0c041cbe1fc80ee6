"""`skinmm serve` builds the right `streamlit run` command without starting anything."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from skinmm.serve import APP, build_command


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
