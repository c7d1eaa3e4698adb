"""Sinks: JSONL replaced atomically, SQLite upserted in one transaction."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.errors import SinkError
from pipeline.sinks import write_jsonl, write_sqlite
from schemas.incident import AffectedEntity, IncidentDetail, IncidentRecord, Source, ThreatActor


def _record(rid: str = "HAR0000000001", title: str = "Harbor Mutual breach") -> IncidentRecord:
    return IncidentRecord(
        id=rid,
        linkid="harbor-mutual",
        type="Breach",
        date="3/2026",
        severity="55",
        impact="3",
        explanation="Moderate",
        incident=IncidentDetail(
            title=title,
            type="Data Breach",
            affected_entities=[AffectedEntity(name="Harbor Mutual", type="Company", industry="Insurance")],
        ),
        threat_actors=[ThreatActor(name="Gray Lantern", attribution="claimed")],
        sources=[Source(article_id="a1", url="https://news.example/a1")],
    )


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_jsonl_is_one_sorted_record_per_line(tmp_path: Path) -> None:
    out = tmp_path / "out" / "incidents.jsonl"
    assert write_jsonl([_record(), _record("HAR0000000002")], out) == 2
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["HAR0000000001", "HAR0000000002"]
    assert list(json.loads(lines[0])) == sorted(json.loads(lines[0]))


def test_jsonl_gets_the_umask_mode_when_new_and_keeps_the_mode_it_replaces(tmp_path: Path) -> None:
    out = tmp_path / "incidents.jsonl"
    old_umask = os.umask(0o027)
    try:
        write_jsonl([_record()], out)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    out.chmod(0o664)
    write_jsonl([_record("HAR0000000002")], out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o664


def test_jsonl_failure_keeps_the_previous_file(tmp_path: Path) -> None:
    out = tmp_path / "incidents.jsonl"
    write_jsonl([_record()], out)
    before = out.read_bytes()

    def broken() -> Iterator[IncidentRecord]:
        yield _record("HAR0000000009")
        raise RuntimeError("extractor crashed mid-run")

    with pytest.raises(RuntimeError):
        write_jsonl(broken(), out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["incidents.jsonl"]


def test_sqlite_upsert_twice_gives_the_same_rows(tmp_path: Path) -> None:
    db = tmp_path / "incidents.sqlite"
    write_sqlite([_record()], db)
    first = _rows(db, "SELECT * FROM incidents")
    write_sqlite([_record()], db)
    assert _rows(db, "SELECT * FROM incidents") == first
    assert _rows(db, "SELECT version FROM incidents") == [(1,)]
    assert _rows(db, "SELECT name, attribution FROM actors") == [("Gray Lantern", "claimed")]
    entities = _rows(db, "SELECT name, type, industry FROM entities")
    assert entities == [("Harbor Mutual", "Company", "Insurance")]


def test_sqlite_changed_record_bumps_its_version(tmp_path: Path) -> None:
    db = tmp_path / "incidents.sqlite"
    write_sqlite([_record()], db)
    write_sqlite([_record(title="Harbor Mutual confirms breach")], db)
    assert _rows(db, "SELECT version, title FROM incidents") == [(2, "Harbor Mutual confirms breach")]
    assert len(_rows(db, "SELECT * FROM sources")) == 1


def test_sqlite_failed_batch_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "incidents.sqlite"
    write_sqlite([_record()], db)

    def broken() -> Iterator[IncidentRecord]:
        yield _record(title="changed")
        yield _record("HAR0000000002").model_copy(update={"severity": "not a number"})

    with pytest.raises(SinkError):
        write_sqlite(broken(), db)
    rows = _rows(db, "SELECT id, version, title FROM incidents")
    assert rows == [("HAR0000000001", 1, "Harbor Mutual breach")]
