"""The review database, a SQLite file or a PostgreSQL URL (`--db`): opened, read and written.

The schema is brought up to date once, when a `Database` is made; each `connect()` after that
is a plain connection (one per request in the server), cheap on both.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from pipeline.errors import ConfigError, SinkError
from pipeline.postgres import connect_postgres, is_postgres_url, redacted, upsert_postgres
from pipeline.review.store import Conn
from pipeline.sinks import connect_sqlite, upsert_sqlite
from schemas.document import Article
from schemas.incident import IncidentRecord

__all__ = ["Database", "save_articles", "write_incidents"]

_DB_ERRORS = (sqlite3.Error, psycopg.Error)


class Database:
    """Where the incidents and the review actions are; `create` allows a new SQLite file."""

    def __init__(self, target: str, create: bool = False) -> None:
        self.target = target
        self.pg = is_postgres_url(target)
        self.name = redacted(target) if self.pg else target
        if not self.pg and not create and not Path(target).is_file():
            raise ConfigError(f"{target}: no such database (run `incidents extract ... --db {target}` first)")
        try:
            raw = connect_postgres(target) if self.pg else connect_sqlite(Path(target))
            raw.close()
        except sqlite3.Error as exc:
            raise SinkError(f"{target}: cannot open SQLite database ({exc})") from exc

    @contextmanager
    def connect(self) -> Iterator[Conn]:
        """A connection in autocommit mode; database errors become `SinkError` naming the database."""
        try:
            if self.pg:
                raw: sqlite3.Connection | psycopg.Connection = psycopg.connect(self.target, autocommit=True)
            else:
                raw = sqlite3.connect(self.target, timeout=30, isolation_level=None, check_same_thread=False)
                raw.execute("PRAGMA foreign_keys = ON")
        except _DB_ERRORS as exc:
            raise SinkError(f"{self.name}: cannot connect ({exc})") from exc
        try:
            yield Conn(raw)
        except _DB_ERRORS as exc:
            raise SinkError(f"{self.name}: database error ({exc})") from exc
        finally:
            raw.close()


def save_articles(target: str, articles: Sequence[Article]) -> None:
    """Store the cleaned text of `articles` (upserted by id), for the review page to show the
    evidence spans in; one transaction."""
    if not articles:
        return
    rows = [
        (
            a.id,
            a.url,
            a.title,
            a.publisher,
            a.published.isoformat() if a.published else None,
            a.text,
        )
        for a in articles
    ]
    with Database(target, create=True).connect() as conn, conn.transaction():
        conn.many(
            "INSERT INTO articles (article_id, url, title, publisher, published, text)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET url = excluded.url,"
            " title = excluded.title, publisher = excluded.publisher, published = excluded.published,"
            " text = excluded.text",
            rows,
        )


def write_incidents(conn: Conn, records: Iterable[IncidentRecord], removed: Iterable[str] = ()) -> None:
    """Upsert `records` and delete the incidents `removed` (in the caller's transaction)."""
    now = datetime.now(UTC)
    for record in records:
        if conn.pg:
            upsert_postgres(conn.raw, record, now)
        else:
            upsert_sqlite(conn.raw, record, now.isoformat(timespec="seconds"))
    for rid in removed:
        conn.run("DELETE FROM incidents WHERE id = ?", (rid,))
