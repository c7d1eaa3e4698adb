"""Write incident records to PostgreSQL: the SQLite sink's schema, migrated and concurrent-safe.

The schema is built by numbered SQL files (`migrations/postgres_NNN_<name>.sql`); the
versions applied are recorded in `schema_migrations`, and the pending ones are applied in
one transaction under an advisory lock, so two runs starting on a new database do not race.

A batch is one transaction that first takes a transaction-scoped advisory lock: batches
from concurrent runs are serialised, and a batch that fails halfway is rolled back whole.
Upserts are by incident id (`ON CONFLICT`), and an unchanged record keeps its version.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from typing import NamedTuple

import psycopg
from psycopg.types.json import Jsonb

from pipeline.errors import SinkError
from pipeline.review.store import Conn, reviewed
from pipeline.sinks import articles_of, incident_row
from schemas.incident import IncidentRecord

__all__ = [
    "Migration",
    "PostgresBatch",
    "connect_postgres",
    "is_postgres_url",
    "load_article_records_pg",
    "load_fingerprints_pg",
    "migrate",
    "pending_migrations",
    "postgres_batch",
    "redacted",
    "upsert_postgres",
    "write_postgres",
]

# Advisory lock keys (any bigint; fixed so every run of the pipeline agrees on them).
MIGRATION_LOCK = 0x4E49_5000_0001
BATCH_LOCK = 0x4E49_5000_0002

_MIGRATION_NAME = re.compile(r"postgres_(\d{3})_(\w+)\.sql")


class Migration(NamedTuple):
    version: int
    name: str
    sql: str


def is_postgres_url(db: str) -> bool:
    """True for a `--db` value naming a PostgreSQL database rather than a SQLite file."""
    return db.startswith(("postgresql://", "postgres://"))


def redacted(url: str) -> str:
    """The URL without its password, for error messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def _migrations() -> list[Migration]:
    found = []
    for entry in resources.files("pipeline").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.fullmatch(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text("utf-8")))
    return sorted(found)


def pending_migrations(conn: psycopg.Connection) -> list[Migration]:
    """The migrations not yet recorded in `schema_migrations` (all of them on a new database)."""
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return _migrations()
    applied = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    return [m for m in _migrations() if m.version not in applied]


def migrate(conn: psycopg.Connection) -> list[int]:
    """Apply the pending migrations in one transaction; returns the versions applied."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        todo = pending_migrations(conn)
        for migration in todo:
            conn.execute(migration.sql.encode())
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
    return [m.version for m in todo]


def connect_postgres(url: str) -> psycopg.Connection:
    """Connect (autocommit; writes use explicit transactions) and bring the schema up to date."""
    try:
        conn = psycopg.connect(url, autocommit=True)
    except psycopg.Error as exc:
        raise SinkError(f"{redacted(url)}: cannot connect to PostgreSQL ({exc})") from exc
    try:
        migrate(conn)
    except psycopg.Error as exc:
        conn.close()
        raise SinkError(f"{redacted(url)}: schema migration failed, nothing was changed ({exc})") from exc
    return conn


@contextmanager
def _errors(url: str, doing: str) -> Iterator[None]:
    try:
        yield
    except (psycopg.Error, ValueError) as exc:
        raise SinkError(f"{redacted(url)}: {doing} ({exc})") from exc


def _records(conn: psycopg.Connection) -> list[IncidentRecord]:
    rows = conn.execute("SELECT record FROM article_records ORDER BY article_id")
    return [IncidentRecord.model_validate(row[0]) for row in rows]


def load_article_records_pg(url: str) -> list[IncidentRecord]:
    """The per-article records stored by earlier runs (none when the database is new)."""
    with _errors(url, "cannot read PostgreSQL database"), connect_postgres(url) as conn:
        return _records(conn)


def load_fingerprints_pg(url: str) -> dict[str, str]:
    """Article id -> fingerprint of the text it was read from, for the stored articles."""
    with _errors(url, "cannot read PostgreSQL database"), connect_postgres(url) as conn:
        return dict(conn.execute("SELECT article_id, fingerprint FROM article_fingerprints").fetchall())


_UPSERT = """
INSERT INTO incidents AS i (id, linkid, type, incident_type, date, severity, impact, title,
    attack_vector, records_affected, occurred, discovered, disclosed, reported, confidence,
    schema_version, version, record, updated_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 1, %s, %s)
ON CONFLICT (id) DO UPDATE SET
    linkid = excluded.linkid, type = excluded.type, incident_type = excluded.incident_type,
    date = excluded.date, severity = excluded.severity, impact = excluded.impact,
    title = excluded.title, attack_vector = excluded.attack_vector,
    records_affected = excluded.records_affected, occurred = excluded.occurred,
    discovered = excluded.discovered, disclosed = excluded.disclosed, reported = excluded.reported,
    confidence = excluded.confidence, schema_version = excluded.schema_version,
    version = i.version + 1, record = excluded.record, updated_at = excluded.updated_at
WHERE i.record IS DISTINCT FROM excluded.record
RETURNING id
"""

_CHILDREN = {
    "sources": "INSERT INTO sources VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
    "entities": "INSERT INTO entities VALUES (%s, %s, %s, %s)"
    " ON CONFLICT (incident_id, name) DO UPDATE SET type = excluded.type, industry = excluded.industry",
    "actors": "INSERT INTO actors VALUES (%s, %s, %s, %s)"
    " ON CONFLICT (incident_id, name) DO UPDATE SET attribution = excluded.attribution,"
    " aliases = excluded.aliases",
    "evidence": "INSERT INTO evidence VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
}


def _child_rows(record: IncidentRecord) -> dict[str, list[tuple[object, ...]]]:
    inc = record.incident
    return {
        "sources": [
            (record.id, s.article_id, s.url, s.title, s.publisher, s.published) for s in record.sources
        ],
        "entities": [(record.id, e.name, e.type, e.industry) for e in inc.affected_entities],
        "actors": [(record.id, a.name, a.attribution, Jsonb(a.aliases)) for a in record.threat_actors],
        "evidence": [
            (record.id, seq, e.field, e.value, e.article_id, e.start, e.end, e.sentence, e.extractor)
            for seq, e in enumerate(record.evidence)
        ],
    }


def upsert_postgres(conn: psycopg.Connection, record: IncidentRecord, now: datetime) -> bool:
    """Upsert one incident and, when it changed, its child rows; True when it changed."""
    changed = conn.execute(
        _UPSERT, (*incident_row(record), Jsonb(record.model_dump(mode="json")), now)
    ).fetchone()
    if changed is None:
        return False
    with conn.cursor() as cur:
        for table, rows in _child_rows(record).items():
            cur.execute(f"DELETE FROM {table} WHERE incident_id = %s", (record.id,))
            cur.executemany(_CHILDREN[table], rows)
    return True


class PostgresBatch:
    """One transaction holding the batch lock: what `pipeline.publish` stores, reads back and
    writes, with no other run's batch in between."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.now = datetime.now(UTC)

    def add(self, article_records: Sequence[IncidentRecord], fingerprints: Mapping[str, str]) -> None:
        """Store per-article records (a re-read article replaces its old one) and the
        fingerprints of the texts they were read from."""
        with self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO article_records VALUES (%s, %s)"
                " ON CONFLICT (article_id) DO UPDATE SET record = excluded.record",
                [(r.sources[0].article_id, Jsonb(r.model_dump(mode="json"))) for r in article_records],
            )
            cur.executemany(
                "INSERT INTO article_fingerprints VALUES (%s, %s)"
                " ON CONFLICT (article_id) DO UPDATE SET fingerprint = excluded.fingerprint",
                [
                    (key, fingerprints[key])
                    for key in sorted(articles_of(article_records))
                    if key in fingerprints
                ],
            )

    def article_records(self) -> list[IncidentRecord]:
        """Every per-article record stored, by this run and all others."""
        return _records(self.conn)

    def write(self, records: Sequence[IncidentRecord], complete: bool) -> list[IncidentRecord]:
        """Upsert `records` with the analysts' review actions applied; returns them as written.
        `complete` says they are all the incidents there are: an incident left out is deleted
        when all its articles now belong to another (it was absorbed)."""
        written = reviewed(Conn(self.conn), list(records))
        for record in written:
            upsert_postgres(self.conn, record, self.now)
        if complete:
            self.conn.execute(
                "DELETE FROM incidents i WHERE NOT (i.id = ANY(%s)) AND NOT EXISTS ("
                " SELECT 1 FROM sources s WHERE s.incident_id = i.id AND NOT (s.article_id = ANY(%s)))",
                ([r.id for r in written], sorted(articles_of(written))),
            )
        return written


@contextmanager
def postgres_batch(url: str) -> Iterator[PostgresBatch]:
    """A `PostgresBatch`, committed when the block ends; a failure changes nothing."""
    with (
        connect_postgres(url) as conn,
        _errors(url, "PostgreSQL write failed, nothing was changed"),
        conn.transaction(),
    ):
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (BATCH_LOCK,))
        yield PostgresBatch(conn)


def write_postgres(
    records: Iterable[IncidentRecord],
    url: str,
    article_records: Sequence[IncidentRecord] = (),
    complete: bool = False,
    fingerprints: Mapping[str, str] | None = None,
) -> list[IncidentRecord]:
    """Upsert every record by id in one transaction; an unchanged record keeps its version.

    Same contract as `pipeline.sinks.write_sqlite`: writes what it is given (clustering what
    the database holds is `pipeline.publish`'s job). Returns the incidents as written.
    """
    with postgres_batch(url) as batch:
        batch.add(article_records, fingerprints or {})
        return batch.write(list(records), complete)
