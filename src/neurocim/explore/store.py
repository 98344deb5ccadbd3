"""The results store: every finished point appended to SQLite as it completes, so a killed sweep loses nothing."""

# SQLite rather than Parquet: a Parquet file is written whole (appending means rewriting it or piling up part files,
# and a kill during a write leaves a broken file), while each SQLite commit is atomic and durable against a killed
# process (write-ahead log). results.parquet and results.csv are exported from the store.

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neurocim.config.io import ConfigError

STORE_NAME = "results.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS points (
    key TEXT PRIMARY KEY, seq INTEGER NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL,
    fields TEXT NOT NULL, metrics TEXT NOT NULL, accuracy_key TEXT, config TEXT NOT NULL, seconds REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS accuracy (key TEXT PRIMARY KEY, metrics TEXT, message TEXT NOT NULL, seconds REAL NOT NULL);
"""


@dataclass(frozen=True)
class PointRow:
    """One finished point: status ok | invalid | failed, its message, metrics and the full configuration."""

    key: str
    seq: int
    status: str
    message: str
    fields: dict[str, Any]
    metrics: dict[str, float]
    accuracy_key: str | None
    config: str  # the point's run configuration, JSON
    seconds: float


class ResultStore:
    """Points and accuracy results of one sweep in DIR/results.sqlite; reopening it resumes the sweep."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / STORE_NAME
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._check_fingerprint(fingerprint)
        self._keys = {k for (k,) in self._db.execute("SELECT key FROM points")}

    def _check_fingerprint(self, fingerprint: str) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE name='fingerprint'").fetchone()
        if row is None:
            with self._db:
                self._db.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
        elif row[0] != fingerprint:
            self.close()
            raise ConfigError(
                f"{self.path} holds the results of another sweep (the sweep file, its base or its traces changed); "
                "give another --out folder, or delete that one to start again"
            )

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, rows: Iterable[PointRow]) -> None:
        """Append finished points in one transaction (all or none of them survive a kill)."""
        rows = [r for r in rows if r.key not in self._keys]
        with self._db:
            self._db.executemany(
                "INSERT INTO points VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (r.key, r.seq, r.status, r.message, json.dumps(r.fields), json.dumps(r.metrics), r.accuracy_key,
                     r.config, r.seconds)
                    for r in rows
                ],
            )  # fmt: skip
        self._keys.update(r.key for r in rows)

    def row(self, key: str) -> PointRow:
        """A stored point by key."""
        found = self._db.execute("SELECT * FROM points WHERE key=?", (key,)).fetchone()
        if found is None:
            raise KeyError(key)
        return _point_row(found)

    def rows(self) -> list[PointRow]:
        """Every stored point, in sweep order."""
        return [_point_row(r) for r in self._db.execute("SELECT * FROM points ORDER BY seq, key")]

    def accuracy(self, key: str) -> tuple[dict[str, float] | None, str, float] | None:
        """A stored accuracy result (metrics or None, message, seconds), or None if not evaluated yet."""
        found = self._db.execute("SELECT metrics, message, seconds FROM accuracy WHERE key=?", (key,)).fetchone()
        if found is None:
            return None
        return (json.loads(found[0]) if found[0] is not None else None, found[1], found[2])

    def add_accuracy(self, key: str, metrics: dict[str, float] | None, message: str, seconds: float) -> None:
        """Record one accuracy evaluation (paid once per distinct accuracy setting)."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO accuracy VALUES (?, ?, ?, ?)",
                (key, json.dumps(metrics) if metrics is not None else None, message, seconds),
            )

    def accuracy_count(self) -> int:
        """Accuracy evaluations paid so far (over every run of this sweep)."""
        return self._db.execute("SELECT COUNT(*) FROM accuracy").fetchone()[0]

    def close(self) -> None:
        self._db.close()


def _point_row(r: tuple) -> PointRow:
    return PointRow(r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5]), r[6], r[7], r[8])
