"""The PostgreSQL sink against a real server: migrations, idempotent upserts, all-or-nothing
batches, concurrent writers and the `incidents extract --db postgresql://...` round trip.

The server is `PG_TEST_URL` when set (CI starts one); otherwise a throwaway cluster is made
with the local `initdb`/`pg_ctl` (run as the `postgres` user when the tests run as root), and
the tests skip when neither is available.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from pipeline.cli import main
from pipeline.errors import SinkError
from pipeline.postgres import connect_postgres, load_article_records_pg, migrate, write_postgres
from pipeline.publish import Sinks, publish
from pipeline.sinks import record_json
from schemas.incident import (
    AffectedEntity,
    Evidence,
    IncidentDetail,
    IncidentRecord,
    Source,
    ThreatActor,
)

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("incidents", "sources", "entities", "actors", "evidence", "article_records", "article_fingerprints")


def _record(
    rid: str, victim: str, articles: list[str], actor: str | None = None, **extra: object
) -> IncidentRecord:
    """A small incident about a fictional victim, told by `articles`."""
    return IncidentRecord(
        id=rid,
        linkid=rid.lower(),
        type="Data Breach",
        date="3/2025",
        severity="60",
        impact="3",
        explanation="test record",
        incident=IncidentDetail(
            title=f"{victim} breach",
            type="Data Breach",
            description=f"Attackers stole records from {victim}.",
            affected_entities=[AffectedEntity(name=victim, type="Company", industry="Retail")],
        ),
        threat_actors=[ThreatActor(name=actor, aliases=[f"{actor} Team"], attribution="claimed")]
        if actor
        else [],
        sources=[
            Source(article_id=a, url=f"https://news.example/{a}", published="2025-03-04") for a in articles
        ],
        evidence=[
            Evidence(field="victim", value=victim, article_id=a, start=0, end=len(victim), sentence=victim)
            for a in articles
        ],
        **extra,
    )


def _snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (without the write time), sorted: equal snapshots, equal data."""
    with psycopg.connect(url) as conn:
        out = {}
        for table in TABLES:
            rows = conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))
            names = [c.name for c in rows.description or []]
            out[table] = sorted(
                tuple(
                    json.dumps(v, sort_keys=True, default=str)
                    for n, v in zip(names, row, strict=True)
                    if n != "updated_at"
                )
                for row in rows
            )
        return out


def _versions(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT id, version FROM incidents").fetchall())


def test_postgres_migrations_apply_once_and_are_recorded(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert migrate(conn) == [1, 2, 3, 4]
        assert migrate(conn) == []
        applied = conn.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
        assert applied == [(1, "init"), (2, "review"), (3, "review_indexes"), (4, "fingerprints")]
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert set(TABLES) | {"schema_migrations"} <= tables


def test_postgres_upsert_twice_gives_the_same_rows_and_version(pg_url: str) -> None:
    batch = [
        _record("GLN001", "Glenmoor Outfitters", ["a1", "a2"], actor="Quartz Heron"),
        _record("PIK002", "Pike Valley Dairy", ["b1"]),
    ]
    write_postgres(batch, pg_url)
    first = _snapshot(pg_url)
    write_postgres(batch, pg_url)
    assert _snapshot(pg_url) == first
    assert _versions(pg_url) == {"GLN001": 1, "PIK002": 1}
    assert len(first["sources"]) == 3 and len(first["actors"]) == 1 and len(first["evidence"]) == 3


def test_postgres_changed_record_bumps_its_version_and_replaces_child_rows(pg_url: str) -> None:
    write_postgres([_record("GLN001", "Glenmoor Outfitters", ["a1", "a2"])], pg_url)
    write_postgres([_record("GLN001", "Glenmoor Outfitters", ["a1"], records_affected=5000)], pg_url)
    assert _versions(pg_url) == {"GLN001": 2}
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT article_id FROM sources").fetchall() == [("a1",)]
        row = conn.execute("SELECT records_affected, record->>'records_affected' FROM incidents").fetchone()
    assert row == (5000, "5000")


def test_postgres_batch_failing_halfway_leaves_the_database_as_it_was(pg_url: str) -> None:
    write_postgres([_record("GLN001", "Glenmoor Outfitters", ["a1"])], pg_url)
    before = _snapshot(pg_url)
    changed = _record("GLN001", "Glenmoor Outfitters", ["a1", "a9"])
    broken = _record("BAD003", "Null\x00Byte Ltd", ["c1"])  # PostgreSQL text cannot hold NUL
    with pytest.raises(SinkError, match="nothing was changed"):
        write_postgres([changed, _record("NEW004", "Orchard Lane Bank", ["d1"]), broken], pg_url, [changed])
    assert _snapshot(pg_url) == before
    assert _versions(pg_url) == {"GLN001": 1}


def test_postgres_error_names_the_database_without_its_password() -> None:
    with pytest.raises(SinkError) as info:
        write_postgres([], "postgresql://someone:s3cret@127.0.0.1:1/none?connect_timeout=2")
    assert "s3cret" not in str(info.value) and "cannot connect" in str(info.value)


def test_postgres_publish_clusters_what_other_runs_stored(pg_url: str, tmp_path: Path) -> None:
    """A run that did not read another run's articles clusters them with its own under the
    lock, deleting nothing; the clustering happens once, there."""
    first = _record("GLN001", "Glenmoor Outfitters", ["a1"])
    publish([first], Sinks(tmp_path / "first.jsonl", pg_url))
    second = _record("PIK002", "Pike Valley Dairy", ["b1"])
    written = publish([second], Sinks(tmp_path / "second.jsonl", pg_url))
    assert sorted(r.id for r in written) == ["GLN001", "PIK002"]
    assert len((tmp_path / "second.jsonl").read_text("utf-8").splitlines()) == 2
    assert set(_versions(pg_url)) == {"GLN001", "PIK002"}
    assert [r.id for r in load_article_records_pg(pg_url)] == ["GLN001", "PIK002"]


_WRITER = """
import sys, time
from pipeline.postgres import write_postgres
from schemas.incident import IncidentRecord
url, path, rounds, offset = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
start = float(sys.argv[5])
records = [IncidentRecord.model_validate_json(line) for line in open(path, encoding="utf-8")]
time.sleep(max(0.0, start - time.time()))
for n in range(rounds):  # every round changes every record, so every write rewrites its rows
    batch = [r.model_copy(update={"records_affected": 10 * n + offset}) for r in records]
    write_postgres(batch, url)
"""


def test_postgres_concurrent_writers_do_not_duplicate_incidents(pg_url: str, tmp_path: Path) -> None:
    """Two processes upsert overlapping batches at once, the shared part in opposite orders
    (without the batch lock, their row locks deadlock)."""
    connect_postgres(pg_url).close()
    shared = [
        _record(f"SHR{n:03d}", f"Shared Victim {n}", [f"s{n}"], actor="Quartz Heron") for n in range(15)
    ]
    mine = [_record(f"ONE{n:03d}", f"First Victim {n}", [f"o{n}"]) for n in range(5)]
    theirs = [_record(f"TWO{n:03d}", f"Second Victim {n}", [f"t{n}"]) for n in range(5)]
    files = []
    for name, batch in (("one", shared + mine), ("two", theirs + shared[::-1])):
        files.append(tmp_path / f"{name}.jsonl")
        files[-1].write_text("".join(record_json(r) + "\n" for r in batch), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start, rounds = time.time() + 4, 8
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, pg_url, str(f), str(rounds), str(offset), str(start)],
            env=env,
            stderr=subprocess.PIPE,
        )
        for offset, f in enumerate(files, start=1)
    ]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    with psycopg.connect(pg_url) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM incidents")]
        sources = conn.execute("SELECT count(*), count(DISTINCT article_id) FROM sources").fetchone()
        actors = conn.execute("SELECT count(*) FROM actors").fetchone()
    assert len(ids) == len(set(ids)) == 25
    assert sources == (25, 25)
    assert actors == (15,)
    versions = _versions(pg_url)
    assert {versions[r.id] for r in shared} == {2 * rounds}  # no write was lost
    assert {versions[r.id] for r in mine + theirs} == {rounds}


def test_postgres_extract_cli_is_incremental_and_idempotent(pg_url: str, tmp_path: Path) -> None:
    articles = sorted((ROOT / "fixtures" / "text").glob("*.txt"))[:4]
    assert len(articles) == 4
    batch_out = tmp_path / "batch.jsonl"
    assert main(["extract", *map(str, articles), "-o", str(batch_out), "-q"]) == 0

    for path in articles:
        assert main(["extract", str(path), "-o", str(tmp_path / "inc.jsonl"), "--db", pg_url, "-q"]) == 0
    assert (tmp_path / "inc.jsonl").read_bytes() == batch_out.read_bytes()
    stored = _snapshot(pg_url)
    assert (
        main(["extract", *map(str, articles), "-o", str(tmp_path / "again.jsonl"), "--db", pg_url, "-q"]) == 0
    )
    assert (tmp_path / "again.jsonl").read_bytes() == batch_out.read_bytes()
    assert _snapshot(pg_url) == stored
    records = [IncidentRecord.model_validate_json(line) for line in batch_out.read_text("utf-8").splitlines()]
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT record FROM incidents ORDER BY id").fetchall()
    assert [IncidentRecord.model_validate(r[0]) for r in rows] == sorted(records, key=lambda r: r.id)


def test_postgres_follow_keeps_the_database_equal_to_its_output(pg_url: str, tmp_path: Path) -> None:
    """`incidents follow --db postgresql://...`: a database that already holds other articles
    keeps them (all are re-clustered together), and the output shows what the database holds."""
    from httpserver import LoopbackServer
    from test_follow import options, rss, serve_articles, serve_feed

    from pipeline.follow import follow

    earlier = [ROOT / "fixtures" / "text" / "ransomware-riverbend-health.txt"]
    earlier_out = tmp_path / "earlier.jsonl"
    assert main(["extract", *map(str, earlier), "-o", str(earlier_out), "--db", pg_url, "-q"]) == 0
    with LoopbackServer() as server:
        serve_articles(server, range(3))
        serve_feed(server, "/feed.xml", rss(server, [(n, f"g{n}", f"/a/{n}.html") for n in range(2)]))
        opts = options(tmp_path, server.url("/feed.xml"), db=pg_url)
        assert follow(opts).ok
        serve_feed(server, "/feed.xml", rss(server, [(n, f"g{n}", f"/a/{n}.html") for n in range(3)]), '"2"')
        assert follow(opts).ok

    lines = opts.output.read_text("utf-8").splitlines()
    followed = [IncidentRecord.model_validate_json(line) for line in lines]
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT record FROM incidents ORDER BY id").fetchall()
        stored_articles = {row[0] for row in conn.execute("SELECT article_id FROM article_records")}
    assert [IncidentRecord.model_validate(r[0]) for r in rows] == sorted(followed, key=lambda r: r.id)
    earlier_ids = {
        s.article_id
        for line in earlier_out.read_text("utf-8").splitlines()
        for s in IncidentRecord.model_validate_json(line).sources
    }
    assert len(stored_articles) == 4 and earlier_ids < stored_articles  # three pages + the earlier article
    assert {s.article_id for r in followed for s in r.sources} == stored_articles


def test_postgres_a_later_batch_reusing_an_id_keeps_the_earlier_incident(pg_url: str, tmp_path: Path) -> None:
    from invented import row, write_jsonl

    first = write_jsonl(tmp_path / "first.jsonl", [row("wire-7", "Tamsin Logistics")])
    second = write_jsonl(tmp_path / "second.jsonl", [row("wire-7", "Quistel Bank")])
    out = tmp_path / "out.jsonl"
    for batch in (first, second, second):
        assert main(["extract", str(batch), "-o", str(out), "--db", pg_url, "-q"]) == 0
    records = [IncidentRecord.model_validate_json(line) for line in out.read_text("utf-8").splitlines()]
    assert {e.name for r in records for e in r.incident.affected_entities} == {
        "Tamsin Logistics",
        "Quistel Bank",
    }
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM incidents").fetchone() == (2,)
        assert conn.execute("SELECT count(*) FROM article_fingerprints").fetchone() == (2,)
