"""The SQLite sink's schema: numbered migrations, the version applied kept in `user_version`.

`migrations/sqlite_NNN_<name>.sql` are applied in order, each with the new version in one
transaction. 001 is written to be applied again harmlessly (`IF NOT EXISTS`): databases made
before versions were counted hold version 0 and its tables, and it runs on them as it always
did. A schema change is a new file, never an edit of an applied one.
"""

from __future__ import annotations

import re
import sqlite3
from functools import cache
from importlib import resources

__all__ = ["migrate_sqlite"]

_NAME = re.compile(r"sqlite_(\d{3})_\w+\.sql")


@cache
def _migrations() -> list[tuple[int, list[str]]]:
    """(version, statements) of every SQLite migration, in version order."""
    found = []
    for entry in resources.files("pipeline").joinpath("migrations").iterdir():
        match = _NAME.fullmatch(entry.name)
        if match:
            found.append((int(match[1]), _statements(entry.read_text("utf-8"))))
    return sorted(found)


def _statements(script: str) -> list[str]:
    out, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    if pending.strip() and not all(s.strip().startswith("--") for s in pending.splitlines() if s.strip()):
        out.append(pending.strip())
    return out


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate_sqlite(conn: sqlite3.Connection) -> list[int]:
    """Apply the pending migrations (`conn` in autocommit mode); returns the versions applied.

    The version is read again under the write lock, so two processes opening a new database
    at once apply each migration once.
    """
    latest = _migrations()[-1][0]
    if _version(conn) >= latest:
        return []
    applied = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = _version(conn)
        for version, statements in _migrations():
            if version <= current:
                continue
            for statement in statements:
                conn.execute(statement)
            applied.append(version)
        conn.execute(f"PRAGMA user_version = {latest}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return applied
