"""Write incident records where downstream tools read them: JSONL and SQLite.

Every sink is all-or-nothing: the JSONL file is replaced atomically (write to a temporary
file in the same folder, fsync, rename), and the SQLite database is written in one
transaction, so a failure leaves what was there before.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.errors import SinkError
from pipeline.review.store import Conn, reviewed
from pipeline.sqlite_schema import migrate_sqlite
from schemas.incident import IncidentRecord

__all__ = [
    "SqliteBatch",
    "articles_of",
    "connect_sqlite",
    "incident_row",
    "load_article_records",
    "load_fingerprints",
    "record_json",
    "sqlite_batch",
    "upsert_sqlite",
    "write_atomic",
    "write_jsonl",
    "write_sqlite",
]


_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def record_json(record: IncidentRecord) -> str:
    """The record as one line of JSON with sorted keys: same record, same bytes.

    JSON leaves U+0085, U+2028 and U+2029 unescaped, but `str.splitlines` (and other line
    readers) break lines at them: written as escapes, a record stays one line for every reader.
    """
    text = json.dumps(record.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
    return text.translate(_LINE_BREAKS)


def _file_mode(path: Path) -> int:
    """The permissions the written file should have: those of the file it replaces, else what
    the umask gives a new file (a temporary file is created 0600, which would hide the output
    from the other users of a shared folder, e.g. the database loader reading a cron job's file)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, chunks: Iterable[str]) -> None:
    """Replace `path` with the text of `chunks`: a temporary file in the same folder, fsync,
    rename; on any failure the old file stays and the temporary one is removed.

    A symlink is followed: the file it points to is replaced, the link stays. A path that is
    no regular file (`/dev/stdout`, a pipe) cannot be replaced and is written to as it is.
    """
    try:
        if _is_stream(path):
            with path.open("w", encoding="utf-8") as stream:
                stream.writelines(chunks)
            return
        target = Path(os.path.realpath(path))
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = _file_mode(target)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", delete=False
        ) as tmp:
            try:
                os.fchmod(tmp.fileno(), mode)
                for chunk in chunks:
                    tmp.write(chunk)
                tmp.flush()
                os.fsync(tmp.fileno())
            except BaseException:
                os.unlink(tmp.name)
                raise
        os.replace(tmp.name, target)
    except OSError as exc:
        raise SinkError(f"{path}: cannot write ({exc.strerror or exc})") from exc


def _is_stream(path: Path) -> bool:
    """Whether `path` (symlinks followed) exists and is neither a regular file nor a folder."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def write_jsonl(records: Iterable[IncidentRecord], path: Path) -> int:
    """Replace `path` atomically with one record per line; returns the number written."""
    lines = [record_json(record) + "\n" for record in records]
    write_atomic(path, lines)
    return len(lines)


def incident_row(record: IncidentRecord) -> tuple[object, ...]:
    """The `incidents` columns from `id` to `schema_version`, shared by SQLite and PostgreSQL."""
    inc, dates = record.incident, record.dates
    return (
        record.id,
        record.linkid,
        record.type,
        inc.type,
        record.date,
        int(record.severity),
        int(record.impact),
        inc.title,
        record.attack_vector,
        record.records_affected,
        dates.occurred,
        dates.discovered,
        dates.disclosed,
        dates.reported,
        record.confidence,
        record.schema_version,
    )


def _rows(record: IncidentRecord) -> dict[str, list[tuple[object, ...]]]:
    inc = record.incident
    return {
        "sources": [
            (record.id, s.article_id, s.url, s.title, s.publisher, s.published) for s in record.sources
        ],
        "entities": [(record.id, e.name, e.type, e.industry) for e in inc.affected_entities],
        "actors": [
            (record.id, a.name, a.attribution, json.dumps(a.aliases, ensure_ascii=False))
            for a in record.threat_actors
        ],
        "evidence": [
            (record.id, seq, e.field, e.value, e.article_id, e.start, e.end, e.sentence, e.extractor)
            for seq, e in enumerate(record.evidence)
        ],
    }


_UPSERT = """
INSERT INTO incidents (id, linkid, type, incident_type, date, severity, impact, title, attack_vector,
    records_affected, occurred, discovered, disclosed, reported, confidence, schema_version, version,
    record, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
ON CONFLICT(id) DO UPDATE SET
    linkid = excluded.linkid, type = excluded.type, incident_type = excluded.incident_type,
    date = excluded.date, severity = excluded.severity, impact = excluded.impact,
    title = excluded.title, attack_vector = excluded.attack_vector,
    records_affected = excluded.records_affected, occurred = excluded.occurred,
    discovered = excluded.discovered, disclosed = excluded.disclosed, reported = excluded.reported,
    confidence = excluded.confidence, schema_version = excluded.schema_version,
    version = incidents.version + 1, record = excluded.record, updated_at = excluded.updated_at
WHERE incidents.record IS NOT excluded.record
"""

_CHILDREN = {
    "sources": "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?)",
    "entities": "INSERT OR REPLACE INTO entities VALUES (?, ?, ?, ?)",
    "actors": "INSERT OR REPLACE INTO actors VALUES (?, ?, ?, ?)",
    "evidence": "INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
}


def connect_sqlite(path: Path) -> sqlite3.Connection:
    """Open (and create or migrate) the database at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    migrate_sqlite(conn)
    return conn


_ARTICLE_RECORDS = "SELECT record FROM article_records ORDER BY article_id"


def _read(path: Path, query: str) -> list[Any]:
    """The rows of a query; none when the database does not exist yet."""
    if not path.exists():
        return []
    try:
        conn = connect_sqlite(path)
        try:
            return conn.execute(query).fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise SinkError(f"{path}: cannot read SQLite database ({exc})") from exc


def load_article_records(path: Path) -> list[IncidentRecord]:
    """The per-article records stored by earlier runs (none when the database is new)."""
    rows = _read(path, _ARTICLE_RECORDS)
    return [IncidentRecord.model_validate_json(row[0]) for row in rows]


def load_fingerprints(path: Path) -> dict[str, str]:
    """Article id -> fingerprint of the text it was read from, for the stored articles."""
    return dict(_read(path, "SELECT article_id, fingerprint FROM article_fingerprints"))


def articles_of(records: Iterable[IncidentRecord]) -> set[str]:
    """The ids of the articles behind `records`."""
    return {s.article_id for r in records for s in r.sources}


def upsert_sqlite(conn: sqlite3.Connection, record: IncidentRecord, now: str) -> bool:
    """Upsert one incident and, when it changed, its child rows (in the caller's transaction);
    True when it changed."""
    changed = conn.execute(_UPSERT, (*incident_row(record), record_json(record), now)).rowcount
    if changed:
        for table, rows in _rows(record).items():
            conn.execute(f"DELETE FROM {table} WHERE incident_id = ?", (record.id,))
            conn.executemany(_CHILDREN[table], rows)
    return bool(changed)


class SqliteBatch:
    """One write transaction, under the database's write lock (`BEGIN IMMEDIATE`): what
    `pipeline.publish` stores, reads back and writes, with no other run in between."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.now = datetime.now(UTC).isoformat(timespec="seconds")

    def add(self, article_records: Sequence[IncidentRecord], fingerprints: Mapping[str, str]) -> None:
        """Store per-article records (a re-read article replaces its old one) and the
        fingerprints of the texts they were read from."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO article_records VALUES (?, ?)",
            [(r.sources[0].article_id, record_json(r)) for r in article_records],
        )
        self.conn.executemany(
            "INSERT OR REPLACE INTO article_fingerprints VALUES (?, ?)",
            [(key, fingerprints[key]) for key in sorted(articles_of(article_records)) if key in fingerprints],
        )

    def article_records(self) -> list[IncidentRecord]:
        """Every per-article record stored, by this run and all others."""
        return [IncidentRecord.model_validate_json(row[0]) for row in self.conn.execute(_ARTICLE_RECORDS)]

    def write(self, records: Sequence[IncidentRecord], complete: bool) -> list[IncidentRecord]:
        """Upsert `records` with the analysts' review actions applied; returns them as written.
        `complete` says they are all the incidents there are: the others are deleted."""
        written = reviewed(Conn(self.conn), list(records))
        for record in written:
            upsert_sqlite(self.conn, record, self.now)
        if complete:
            self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS kept (id TEXT PRIMARY KEY)")
            self.conn.execute("DELETE FROM kept")
            self.conn.executemany("INSERT OR IGNORE INTO kept VALUES (?)", [(r.id,) for r in written])
            self.conn.execute("DELETE FROM incidents WHERE id NOT IN (SELECT id FROM kept)")
        return written


@contextmanager
def sqlite_batch(path: Path) -> Iterator[SqliteBatch]:
    """A `SqliteBatch` on the database at `path`, committed when the block ends; on any
    failure nothing is changed (`SinkError` for the database's own errors)."""
    try:
        conn = connect_sqlite(path)
    except sqlite3.Error as exc:
        raise SinkError(f"{path}: cannot open SQLite database ({exc})") from exc
    try:
        _check_intact(conn, path)
        conn.execute("BEGIN IMMEDIATE")
        yield SqliteBatch(conn)
        conn.execute("COMMIT")
    except (sqlite3.Error, ValueError) as exc:
        _rollback(conn)
        raise SinkError(f"{path}: SQLite write failed, nothing was changed ({exc})") from exc
    except BaseException:
        _rollback(conn)
        raise
    finally:
        conn.close()


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:  # a COMMIT that failed (disk full) has rolled back already
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def write_sqlite(
    records: Iterable[IncidentRecord],
    path: Path,
    article_records: Iterable[IncidentRecord] = (),
    complete: bool = False,
    fingerprints: Mapping[str, str] | None = None,
) -> list[IncidentRecord]:
    """Upsert every record by id in one transaction; an unchanged record keeps its version.

    `article_records` (per-article records) are stored for later runs to re-cluster with,
    with the `fingerprints` (article id -> fingerprint) of the texts they were read from;
    `complete` deletes the incidents not among `records`. Clustering what the database holds
    is `pipeline.publish`'s job; this writes what it is given. Returns the incidents as
    written (review actions applied).
    """
    with sqlite_batch(path) as batch:
        batch.add(list(article_records), fingerprints or {})
        return batch.write(list(records), complete)


def _check_intact(conn: sqlite3.Connection, path: Path) -> None:
    """`SinkError` for a database with damaged pages: a write that happens not to touch them
    succeeds, and the damage stays unnoticed until the data in them is needed."""
    problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        raise SinkError(
            f"{path}: the database is damaged ({'; '.join(problems)}); nothing was written: "
            "restore it from a backup, or give a new --db"
        )
