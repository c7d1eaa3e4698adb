"""SQLite migrations: a database made before versions were counted is brought up to date, once."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from importlib import resources
from pathlib import Path

from pipeline.sinks import connect_sqlite
from pipeline.sqlite_schema import migrate_sqlite


def test_a_database_from_before_the_review_page_gets_its_tables_and_columns(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    init = resources.files("pipeline").joinpath("migrations", "sqlite_001_init.sql").read_text("utf-8")
    with sqlite3.connect(db) as old:
        old.executescript(init)
        old.execute(
            "INSERT INTO incidents (id, linkid, type, incident_type, date, severity, impact, title,"
            " attack_vector, confidence, schema_version, record, updated_at, disclosed)"
            " VALUES ('OLD1', 'old', 'Breach', 'Data Breach', '', 40, 2, 't', 'unknown', 0.5, '1.0',"
            " '{\"sources\": [{\"published\": \"2024-02-03\"}]}', 'now', '2024-03-01')"
        )
    conn = connect_sqlite(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
        row = conn.execute("SELECT review_state, event_date FROM incidents").fetchone()
        assert row == ("unreviewed", "2024-02-03")  # no review yet; the first source's day
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"review_actions", "articles", "article_fingerprints"} <= tables
        assert migrate_sqlite(conn) == []
    finally:
        conn.close()
    with closing(sqlite3.connect(db, isolation_level=None)) as again:
        assert migrate_sqlite(again) == []
