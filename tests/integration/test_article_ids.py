"""A reused article id never loses an article (issue 13, item 1): real files, real SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from invented import row, write_jsonl

from pipeline.cli import main
from schemas.incident import IncidentRecord


def _records(path: Path) -> list[IncidentRecord]:
    return [IncidentRecord.model_validate_json(line) for line in path.read_text("utf-8").splitlines()]


def _victims(path: Path) -> set[str]:
    return {e.name for r in _records(path) for e in r.incident.affected_entities}


def _article_ids(path: Path) -> set[str]:
    return {s.article_id for r in _records(path) for s in r.sources}


def test_a_reused_id_with_other_text_keeps_both_articles_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = write_jsonl(
        tmp_path / "batch.jsonl",
        [row("wire-7", "Tamsin Logistics"), row("wire-7", "Quistel Bank")],
    )
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(batch), "-o", str(out), "-q"]) == 0
    assert _victims(out) == {"Tamsin Logistics", "Quistel Bank"}
    ids = _article_ids(out)
    assert "wire-7" in ids and len(ids) == 2
    (renamed,) = ids - {"wire-7"}
    assert renamed.startswith("wire-7~")
    err = capsys.readouterr().err
    assert f"id reused: {batch}:2: id 'wire-7' is already used by {batch}:1 for another text" in err
    assert f"kept as '{renamed}'" in err


def test_the_same_article_twice_is_read_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = write_jsonl(tmp_path / "batch.jsonl", [row("wire-7", "Tamsin Logistics")] * 2)
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(batch), "-o", str(out), "--per-article", "-q"]) == 0
    assert len(_records(out)) == 1
    assert f"skipped: {batch}:2: the same article as {batch}:1 (id 'wire-7')" in capsys.readouterr().err


def test_a_later_batch_reusing_an_id_keeps_the_earlier_incident(tmp_path: Path) -> None:
    db, out = tmp_path / "incidents.sqlite", tmp_path / "out.jsonl"
    first = write_jsonl(tmp_path / "first.jsonl", [row("wire-7", "Tamsin Logistics")])
    second = write_jsonl(tmp_path / "second.jsonl", [row("wire-7", "Quistel Bank")])
    assert main(["extract", str(first), "-o", str(out), "--db", str(db), "-q"]) == 0
    assert main(["extract", str(second), "-o", str(out), "--db", str(db), "-q"]) == 0
    assert _victims(out) == {"Tamsin Logistics", "Quistel Bank"}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM incidents").fetchone() == (2,)
    # The same batch again is the same articles again: nothing renamed twice, nothing changes.
    before = out.read_bytes()
    assert main(["extract", str(second), "-o", str(out), "--db", str(db), "-q"]) == 0
    assert out.read_bytes() == before
