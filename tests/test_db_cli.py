"""`skinmm report` and `skinmm db ...` as the lead wires them into skinmm.cli."""

from __future__ import annotations

import argparse
import io
import json
import struct
import zipfile
from pathlib import Path

import pytest

from skinmm.db.cli import add_db_commands
from skinmm.db.repository import add_feedback, save_analysis, table_counts
from skinmm.db.store import open_store
from tests.test_db_helpers import HEAD, make_prediction, png_bytes


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="skinmm")
    add_db_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


@pytest.fixture
def urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("SKINMM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SKINMM_BUNDLE", str(tmp_path / "no-bundle"))
    return f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"


def test_upgrade_status_export_import_and_report(
    urls: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = urls
    assert run(["db", "upgrade", "--database-url", source]) == 0
    store = open_store(source)
    case_id = save_analysis(
        store,
        prediction=make_prediction(),
        bundle_name="tiny",
        bundle_sha="b" * 64,
        image_bytes=png_bytes(),
    )
    add_feedback(store, case_id, pathology="mel")
    capsys.readouterr()
    assert run(["db", "status", "--database-url", source]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["revision"] == HEAD and status["rows"]["cases"] == 1
    archive = tmp_path / "cases.zip"
    assert run(["db", "export", "--out", str(archive), "--database-url", source]) == 0
    assert "Exported 1 cases" in capsys.readouterr().out
    assert run(["db", "import", str(archive), "--database-url", target]) == 0
    assert "added 1" in capsys.readouterr().out
    assert table_counts(open_store(target)) == table_counts(store)
    pdf = tmp_path / "r" / "case.pdf"
    assert run(["report", case_id[:8], "--out", str(pdf), "--database-url", target]) == 0
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "Grad-CAM left out" in capsys.readouterr().err


def test_user_errors_exit_2_with_one_line_and_no_traceback(
    urls: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, _ = urls
    bad = "postgresql://nurse:secret@127.0.0.1:1/cases"
    assert run(["db", "status", "--database-url", bad]) == 2
    err = capsys.readouterr().err
    assert "DATABASE_URL" in err and "secret" not in err and "Traceback" not in err
    assert (
        run(["report", "abcdef12", "--out", str(tmp_path / "x.pdf"), "--database-url", source]) == 2
    )
    assert "No case starts with 'abcdef12'" in capsys.readouterr().err
    assert run(["db", "import", str(tmp_path / "none.zip"), "--database-url", source]) == 2
    assert "skinmm db export" in capsys.readouterr().err


def test_damaged_or_crafted_exports_exit_2_with_one_line_that_says_what_to_do(
    urls: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = urls
    store = open_store(source)
    save_analysis(
        store, prediction=make_prediction(), bundle_name="tiny", bundle_sha="b" * 64, note="n"
    )
    good = tmp_path / "good.zip"
    assert run(["db", "export", "--out", str(good), "--database-url", source]) == 0
    data = good.read_bytes()
    crafted = {
        "junk.zip": b"not a zip at all",
        "truncated.zip": data[: len(data) // 2],
        "deep.zip": _zip({"manifest.json": b"[" * 100_000, "cases.jsonl": b""}),
        "traversal.zip": _zip({"../../etc/cron.d/x": b"x"}),
        "encrypted.zip": _encrypted(data),
    }
    for name, body in crafted.items():
        (tmp_path / name).write_bytes(body)
        assert run(["db", "import", str(tmp_path / name), "--database-url", target]) == 2, name
        err = capsys.readouterr().err
        assert err.startswith("skinmm db import: error: ") and err.count("\n") == 1, err
        assert "Traceback" not in err
    assert table_counts(open_store(target)) == {"cases": 0, "predictions": 0, "feedback": 0}


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def _encrypted(data: bytes) -> bytes:
    """The zip with the 'encrypted' flag set on its cases.jsonl directory entry."""
    out = bytearray(data)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == b"cases.jsonl":
            struct.pack_into("<H", out, at + 8, 0x1)
        at = data.find(b"PK\x01\x02", at + 46 + length)
    return bytes(out)
