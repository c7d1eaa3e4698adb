"""Incremental = batch: the same articles in any order, or one run at a time into one --db,
give byte-identical incident records."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _articles(shared_dir: Path | None) -> list[Path]:
    if shared_dir is not None:
        return sorted((shared_dir / "seeds" / "articles").glob("*.txt"))
    return sorted((ROOT / "fixtures").rglob("*.txt"))


def _run(paths: list[Path], out: Path, db: Path | None = None) -> bytes:
    argv = ["extract", *map(str, paths), "-o", str(out), "-q"]
    if db is not None:
        argv += ["--db", str(db)]
    assert main(argv) == 0
    return out.read_bytes()


@pytest.mark.parametrize("source", ["fixtures", "seeds"])
def test_order_and_increments_do_not_change_the_records(
    tmp_path: Path, source: str, request: pytest.FixtureRequest
) -> None:
    shared_dir = request.getfixturevalue("shared") if source == "seeds" else None
    paths = _articles(shared_dir)
    assert len(paths) >= 5
    batch = _run(paths, tmp_path / "batch.jsonl")

    renamed = tmp_path / "renamed"
    renamed.mkdir()
    for n, path in enumerate(reversed(paths)):  # reversed names reverse the reading order
        shutil.copy(path, renamed / f"{n:03d}-{path.name}")
    assert _run([renamed], tmp_path / "reversed.jsonl") == batch

    db = tmp_path / "state.sqlite"
    for path in reversed(paths):
        incremental = _run([path], tmp_path / "incremental.jsonl", db)
    assert incremental == batch
    assert _run(paths[:1], tmp_path / "again.jsonl", db) == batch
