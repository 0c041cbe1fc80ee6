"""An on-disk cache of note embeddings, keyed by embedder and note hash.

One SQLite file per embedder configuration: safe with several processes, resumable (every
computed batch is committed), and re-rendered notes that repeat are embedded once.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import numpy as np

from skinmm.cache import default_cache_dir
from skinmm.text.embedders import Embedder

CHUNK = 512


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _db_path(cache_dir: Path, embedder: Embedder) -> Path:
    slug = hashlib.sha256(embedder.key.encode()).hexdigest()[:16]
    return Path(cache_dir) / "embeddings" / f"{embedder.name}-{slug}.sqlite"


def _connect(path: Path, key: str) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=60)
    db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("CREATE TABLE IF NOT EXISTS vectors (hash TEXT PRIMARY KEY, vector BLOB)")
    db.execute("INSERT OR IGNORE INTO meta VALUES ('embedder', ?)", (key,))
    db.commit()
    return db


def _lookup(db: sqlite3.Connection, hashes: list[str]) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    for i in range(0, len(hashes), CHUNK):
        chunk = hashes[i : i + CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(f"SELECT hash, vector FROM vectors WHERE hash IN ({marks})", chunk)
        found.update({h: np.frombuffer(v, dtype=np.float32) for h, v in rows})
    return found


def embed_cached(
    embedder: Embedder, texts: Sequence[str], cache_dir: Path | None = None
) -> np.ndarray:
    """Embeddings of non-empty ``texts``, computing only those not cached yet."""
    path = _db_path(cache_dir or default_cache_dir(), embedder)
    hashes = [text_hash(t) for t in texts]
    with closing(_connect(path, embedder.key)) as db:
        found = _lookup(db, sorted(set(hashes)))
        todo = {h: t for h, t in zip(hashes, texts, strict=True) if h not in found}
        items = list(todo.items())
        for i in range(0, len(items), CHUNK):
            part = items[i : i + CHUNK]
            vectors = embedder.encode([t for _, t in part])
            db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                [(h, v.tobytes()) for (h, _), v in zip(part, vectors, strict=True)],
            )
            db.commit()
            found.update({h: v for (h, _), v in zip(part, vectors, strict=True)})
    if not hashes:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([found[h] for h in hashes])
