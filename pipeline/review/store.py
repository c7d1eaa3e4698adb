"""Review actions in the database, and the sinks' step that applies them to every write.

`Conn` puts a SQLite and a PostgreSQL connection behind the few calls the review code makes:
SQL written once with `?` placeholders, JSON columns decoded the same way from both.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from psycopg.types.json import Jsonb

from pipeline.review.corrections import apply_reviews
from schemas.incident import IncidentRecord
from schemas.review import ReviewAction

__all__ = ["Conn", "insert_action", "load_actions", "load_per_article", "reviewed"]

_KEYS = ("id", "incident_id", "articles", "action", "field", "target", "old", "new", "reviewer", "at")
_COLUMNS = ", ".join(_KEYS)


class Conn:
    """A SQLite (autocommit) or psycopg (autocommit) connection, one way to query both."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.pg = not isinstance(raw, sqlite3.Connection)

    def all(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        if self.pg:
            return list(self.raw.execute(sql.replace("?", "%s"), params).fetchall())
        return self.raw.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[object] = ()) -> tuple[Any, ...] | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def run(self, sql: str, params: Sequence[object] = ()) -> None:
        self.raw.execute(sql.replace("?", "%s") if self.pg else sql, params)

    def many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        if self.pg:
            with self.raw.cursor() as cur:
                cur.executemany(sql.replace("?", "%s"), rows)
        else:
            self.raw.executemany(sql, rows)

    def decoded(self, value: Any) -> Any:
        """A JSON column's value (PostgreSQL's JSONB arrives decoded, SQLite's TEXT does not)."""
        return value if self.pg or value is None else json.loads(value)

    def encoded(self, value: Any) -> Any:
        return Jsonb(value) if self.pg else json.dumps(value, ensure_ascii=False)

    def record(self, value: Any) -> IncidentRecord:
        if self.pg:
            return IncidentRecord.model_validate(value)
        return IncidentRecord.model_validate_json(value)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, serialised with the sinks' batches (PostgreSQL: their lock)."""
        if self.pg:
            from pipeline.postgres import BATCH_LOCK  # here: pipeline.postgres imports this module

            with self.raw.transaction():
                self.run("SELECT pg_advisory_xact_lock(?)", (BATCH_LOCK,))
                yield
            return
        self.raw.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.raw.execute("ROLLBACK")
            raise
        self.raw.execute("COMMIT")


def _action(conn: Conn, row: tuple[Any, ...]) -> ReviewAction:
    data = dict(zip(_KEYS, row, strict=True))
    for key in ("articles", "old", "new"):
        data[key] = conn.decoded(data[key])
    return ReviewAction.model_validate(data)


def load_actions(conn: Conn, incident_id: str | None = None) -> list[ReviewAction]:
    """Every review action in the order made (or those made on one incident id)."""
    where, params = ("WHERE incident_id = ?", (incident_id,)) if incident_id else ("", ())
    rows = conn.all(f"SELECT {_COLUMNS} FROM review_actions {where} ORDER BY id", params)
    return [_action(conn, row) for row in rows]


def insert_action(conn: Conn, action: ReviewAction) -> ReviewAction:
    """Store `action`; returns it with its id (its place in the order of application)."""
    values = (
        action.incident_id,
        conn.encoded(action.articles),
        action.action,
        action.field,
        action.target,
        conn.encoded(action.old),
        conn.encoded(action.new),
        action.reviewer,
        action.at,
    )
    row = conn.one(
        "INSERT INTO review_actions (incident_id, articles, action, field, target, old, new, reviewer, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        values,
    )
    assert row is not None
    return action.model_copy(update={"id": int(row[0])})


def load_per_article(conn: Conn, article_ids: Sequence[str]) -> Mapping[str, IncidentRecord]:
    """The stored per-article records of these articles (the ones stored)."""
    out: dict[str, IncidentRecord] = {}
    for start in range(0, len(article_ids), 500):
        chunk = list(article_ids[start : start + 500])
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT article_id, record FROM article_records WHERE article_id IN ({marks})"
        rows = conn.all(sql, chunk)
        out.update((row[0], conn.record(row[1])) for row in rows)
    return out


def reviewed(conn: Conn, records: list[IncidentRecord]) -> list[IncidentRecord]:
    """`records` (what clustering made) with the stored review actions applied; called by the
    SQLite and PostgreSQL sinks inside their write transaction."""
    actions = load_actions(conn)
    if not actions:
        return records
    return apply_reviews(records, lambda ids: load_per_article(conn, ids), actions)
