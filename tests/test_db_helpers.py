"""Helpers for the case-store tests: predictions, photos, and a throwaway PostgreSQL server.

Not a test module itself (it has no tests); it is named test_db_* so it stays with the tests
it serves.

The PostgreSQL server is Debian's ``postgresql`` package, installed with apt-get when it is
missing and we are root, started with ``initdb``/``pg_ctl`` in a temporary folder on a free
local port (as the ``postgres`` user when we are root: PostgreSQL refuses to run as root) and
stopped and deleted afterwards. Set ``SKINMM_TEST_POSTGRES_URL`` to use a running server
instead (the tests create and drop their own databases in it).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from glob import glob
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from sqlalchemy.engine import make_url

from skinmm.prediction import Prediction
from skinmm.taxonomy import HAM10000_CLASSES, DatasetClass

START_TIMEOUT = 60
APT_TIMEOUT = 600


# The newest migration: the tests that migrate a store expect it at the end.
HEAD = "0006"


def png_bytes(seed: int = 0, size: int = 64) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = np.clip(rng.normal(120, 40, (size, size, 3)), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def one_hot_ish(k: int, n: int, peak: float = 0.7) -> np.ndarray:
    p = np.full(n, (1 - peak) / (n - 1))
    p[k] = peak
    return p


def make_prediction(
    image: np.ndarray | int | None = None,
    text: np.ndarray | int | None = None,
    classes: tuple[DatasetClass, ...] = HAM10000_CLASSES,
    rule: str = "max",
) -> Prediction:
    """A Prediction made by the real fusion code from branch probabilities.

    An int names the branch's top class (0.7 on it, the rest shared); None leaves the branch
    out. With neither given, both branches are random (seeded).
    """
    from skinmm.fusion import fuse  # imports scikit-learn: kept out of spawned writers

    n = len(classes)
    if image is None and text is None:
        rng = np.random.default_rng(0)
        image, text = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(n))

    def row(value: np.ndarray | int | None) -> np.ndarray:
        if value is None:
            return np.full((1, n), np.nan)
        if isinstance(value, int | np.integer):
            return one_hot_ish(int(value), n)[None, :]
        return np.asarray(value, dtype=float)[None, :]

    image_p, text_p = row(image), row(text)
    result = fuse(image_p, text_p, rule)
    return Prediction(
        classes=classes,
        fused=result.proba[0],
        image=None if np.isnan(image_p).all() else image_p[0],
        text=None if np.isnan(text_p).all() else text_p[0],
        carrier=tuple(result.carrier[0]),
        mode=str(result.mode[0]),
        rule=rule,
    )


def save_prediction(store: Any, **fields: Any) -> str:
    """Save ``make_prediction()`` of the bundle "tiny" unless ``fields`` give other values of
    :func:`skinmm.db.repository.save_analysis`'s arguments."""
    from skinmm.db.repository import save_analysis

    values = {"prediction": make_prediction(), "bundle_name": "tiny", "bundle_sha": "b" * 64}
    return save_analysis(store, **{**values, **fields})


def save_case(
    store: Any,
    *,
    image: np.ndarray | int | None = 4,
    text: np.ndarray | int | None = 4,
    photo: int | None = None,
    bundle_sha: str = "b" * 64,
    **fields: Any,
) -> str:
    """Save an analysis of the bundle "tiny": branches as :func:`make_prediction` takes them
    (melanoma by default), the photo ``png_bytes(photo)`` when ``photo`` is given, ``fields``
    the rest of :func:`skinmm.db.repository.save_analysis`'s (note, patient_ref, actor...)."""
    from skinmm.db.repository import save_analysis

    return save_analysis(
        store,
        prediction=make_prediction(image=image, text=text),
        bundle_name="tiny",
        bundle_sha=bundle_sha,
        image_bytes=None if photo is None else png_bytes(photo),
        **fields,
    )


def write_cases(url: str, home: str, prediction: Prediction, seed: int, count: int) -> list[str]:
    """Open the store and save ``count`` cases: the body of one writer process."""
    from skinmm.db.repository import save_analysis
    from skinmm.db.store import open_store

    store = open_store(url, Path(home))
    return [
        save_analysis(
            store,
            prediction=prediction,
            bundle_name="tiny",
            bundle_sha="b" * 64,
            image_bytes=png_bytes(seed),
            note=f"process {seed}",
        )
        for _ in range(count)
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_bin() -> Path | None:
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def apt_install(package: str) -> str | None:
    """Install a Debian package; None on success, else why it could not be done."""
    if os.geteuid() != 0:
        return f"{package} is not installed and installing it needs root (apt-get)"
    if shutil.which("apt-get") is None:
        return f"{package} is not installed and there is no apt-get to install it"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-q", package]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT)
    if done.returncode != 0:
        # A fresh machine may not have the package lists yet.
        subprocess.run(
            ["apt-get", "update", "-q"], env=env, capture_output=True, timeout=APT_TIMEOUT
        )
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT)
    if done.returncode != 0:
        return f"apt-get install {package} failed: {done.stderr.strip()[-300:]}"
    return None


class PostgresServer:
    """A private PostgreSQL cluster in a temporary folder, or an external one."""

    def __init__(self) -> None:
        self.admin_url: str | None = None
        self.skip_reason: str | None = None
        self._folder: Path | None = None
        self._bin: Path | None = None
        self._as: list[str] = []

    def start(self) -> None:
        external = os.environ.get("SKINMM_TEST_POSTGRES_URL")
        if external:
            self.admin_url = external
            return
        self._bin = _postgres_bin()
        if self._bin is None:
            self.skip_reason = apt_install("postgresql")
            self._bin = _postgres_bin()
            if self._bin is None:
                self.skip_reason = self.skip_reason or "apt-get installed no initdb"
                return
        self._folder = Path(tempfile.mkdtemp(prefix="skinmm-pg-"))
        if os.geteuid() == 0:
            # initdb and postgres refuse to run as root.
            shutil.chown(self._folder, "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        port = free_port()
        data = self._folder / "data"
        self._run(
            "initdb",
            "-D",
            str(data),
            "-U",
            "skinmm",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        options = f"-p {port} -k {self._folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(data),
            "-l",
            str(self._folder / "log"),
            "-o",
            options,
            "-w",
            "-t",
            str(START_TIMEOUT),
            "start",
        )
        self.admin_url = f"postgresql+psycopg://skinmm@127.0.0.1:{port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        assert self._bin is not None
        done = subprocess.run(
            [*self._as, str(self._bin / tool), *args],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stdout}\n{done.stderr}")

    def create_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        assert self.admin_url is not None
        name = f"skinmm_{uuid.uuid4().hex[:12]}"
        admin = make_url(self.admin_url)
        with psycopg.connect(
            host=admin.host,
            port=admin.port,
            user=admin.username,
            password=admin.password,
            dbname=admin.database or "postgres",
            autocommit=True,
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return admin.set(database=name).render_as_string(hide_password=False)

    def stop(self) -> None:
        if self._folder is None:
            return
        try:
            self._run("pg_ctl", "-D", str(self._folder / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def case_from_bundle(store: object, bundle_dir: Path, note: str) -> tuple[object, bytes, str]:
    """Analyse a synthetic photo with a real bundle and save it: (bundle, photo, case id)."""
    from skinmm.bundle import load_bundle, read_card
    from skinmm.db import bundle_fingerprint, save_analysis

    bundle = load_bundle(bundle_dir)
    photo = png_bytes(5, size=96)
    case_id = save_analysis(
        store,
        prediction=bundle.predict(image=photo, note=note),
        bundle_name=bundle.name,
        bundle_sha=bundle_fingerprint(read_card(bundle_dir)),
        image_bytes=photo,
    )
    return bundle, photo, case_id
