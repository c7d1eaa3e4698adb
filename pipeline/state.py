"""The `incidents follow` state database: its run lock, the items it has seen, the hosts that wait.

The state is one SQLite file (schema in `migrations/state_*.sql`, applied in order; each is
idempotent). The lock is an `flock` on `STATE.lock` beside the state's real path (symlinks
resolved), released by the kernel even when the holder is killed, so two runs can neither
overlap nor bypass each other through a symlink to the same state.

A feed item is recorded once under every key it can be recognised by (`FeedItem.keys`); an
item seen again under its GUID with another link or text is pending again.

Hosts that asked, with `Retry-After`, to be left alone past the end of a run are kept in the
`hosts` table, so the next run does not knock again before the time they gave.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.feeds import FeedItem, link_key
from pipeline.source import article_id

__all__ = [
    "FollowLocked",
    "connect_state",
    "held_hosts",
    "hold_host",
    "locked",
    "now",
    "remember",
    "transaction",
]

log = logging.getLogger(__name__)

_MIGRATIONS = ("state_001_init.sql", "state_002_hosts.sql")


class FollowLocked(PipelineError):
    """Another run holds the state's lock."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def connect_state(path: Path) -> sqlite3.Connection:
    """Open (creating or migrating) the state database; autocommit, explicit transactions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    for name in _MIGRATIONS:
        conn.executescript(resources.files("pipeline").joinpath("migrations", name).read_text("utf-8"))
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def locked(state: Path) -> Iterator[None]:
    """Hold the run lock for `state`; `FollowLocked` names the pid that holds it."""
    real = state.resolve()
    real.parent.mkdir(parents=True, exist_ok=True)
    handle = real.with_name(real.name + ".lock").open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise FollowLocked(f"{state}: another follow run (pid {holder}) is running") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def held_hosts(conn: sqlite3.Connection) -> dict[str, float]:
    """Origins still asking to be left alone, with the time (epoch seconds) they gave."""
    with transaction(conn):
        conn.execute("DELETE FROM hosts WHERE retry_after <= ?", (now(),))
        rows = conn.execute("SELECT origin, retry_after FROM hosts").fetchall()
    return {origin: datetime.fromisoformat(until).timestamp() for origin, until in rows}


def hold_host(conn: sqlite3.Connection, origin: str, until: float) -> None:
    """Remember (inside the caller's transaction) that `origin` asked to wait until `until`."""
    when = datetime.fromtimestamp(until, UTC).isoformat(timespec="seconds")
    conn.execute(
        "INSERT INTO hosts VALUES (?, ?) ON CONFLICT(origin) DO UPDATE SET"
        " retry_after = max(retry_after, excluded.retry_after)",
        (origin, when),
    )


def _article_id(item: FeedItem, keys: list[str]) -> str:
    return article_id(item.canonical) if item.canonical else article_id(item.feed, *keys)


def _columns(item: FeedItem, keys: list[str]) -> tuple[str | None, ...]:
    published = item.published.isoformat() if item.published else None
    return (item.feed, item.link, item.guid, item.title, item.summary, item.content, published,
            _article_id(item, keys))  # fmt: skip


def remember(conn: sqlite3.Connection, item: FeedItem) -> str:
    """Record a feed item (inside the caller's transaction) and all its keys.

    'new' unless one of its keys was seen; 'changed' when it was seen under its GUID with another
    link or text (it is pending again, to be processed anew); else 'seen'.
    """
    keys = item.keys()
    marks = ",".join("?" * len(keys))
    matches = dict(
        conn.execute(f"SELECT key, item_id FROM item_keys WHERE key IN ({marks})", keys).fetchall()
    )
    if not matches:
        stamp = now()
        item_id = conn.execute(
            "INSERT INTO items (feed, link, guid, title, summary, content, published, article_id,"
            " first_seen, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*_columns(item, keys), stamp, stamp),
        ).lastrowid
        outcome = "new"
    elif item.guid_key in matches:
        item_id = matches[item.guid_key]
        outcome = "changed" if _update_if_changed(conn, item_id, item, keys) else "seen"
    else:
        item_id, outcome = next(iter(matches.values())), "seen"
    conn.executemany("INSERT OR IGNORE INTO item_keys VALUES (?, ?)", [(key, item_id) for key in keys])
    return outcome


def _update_if_changed(conn: sqlite3.Connection, item_id: int, item: FeedItem, keys: list[str]) -> bool:
    row = conn.execute("SELECT link, title, summary, content FROM items WHERE id = ?", (item_id,)).fetchone()
    link = link_key(row["link"]) if row["link"] else None
    if (link, row["title"], row["summary"], row["content"]) == (
        item.canonical,
        item.title,
        item.summary,
        item.content,
    ):
        return False
    log.info("%s: item %r changed since it was last seen: processed again", item.feed, item.guid)
    conn.execute(
        "UPDATE items SET feed = ?, link = ?, guid = ?, title = ?, summary = ?, content = ?,"
        " published = ?, article_id = ?, status = 'pending', attempts = 0, last_error = NULL,"
        " updated_at = ? WHERE id = ?",
        (*_columns(item, keys), now(), item_id),
    )
    return True
