"""The cron job: poll feeds, fetch new articles, extract, cluster, write; never lose or repeat one.

A run, under an exclusive lock (an `flock` on `STATE.lock`, released by the kernel even when
the holder is killed):

1. polls every feed once (conditional GET); the new items of a feed and its new validators are
   stored in one transaction, so an item is recorded as pending before the 304 that would hide it;
2. fetches pending items (and those that failed on earlier runs, up to `max_attempts`) through
   one `Fetcher`, while a worker thread runs clean -> extract on what arrived; an item's record and
   its "done" mark are committed in one transaction, so a run killed at any point, then started
   again, processes every item exactly once;
3. re-clusters every per-article record stored so far and writes the complete picture to
   `output` (atomically), the incidents this run created or updated to `changed`, and `db`.

`changed` is at-least-once across crashes: the snapshot it is computed against is committed
after the files are written, so a run killed in between reports those incidents again (ids are
stable, so downstream upserts are idempotent).
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.cluster import cluster_records
from pipeline.errors import FetchError, ParseError, PipelineError, SinkError
from pipeline.feeds import FeedItem, is_relevant, parse_feed, plain_text
from pipeline.fetch import Fetcher, FetchOptions, Page, RobotsDisallowed
from pipeline.run import RunSummary, extract_records, write_database
from pipeline.sinks import record_json, write_jsonl
from pipeline.source import article_id
from schemas.document import RawDocument
from schemas.incident import IncidentRecord

__all__ = ["FollowLocked", "FollowOptions", "FollowSummary", "connect_state", "follow"]

log = logging.getLogger(__name__)

_BATCH = 16


class FollowLocked(PipelineError):
    """Another run holds the state's lock."""


@dataclass(frozen=True)
class FollowOptions:
    """One `incidents follow` run."""

    feeds: tuple[str, ...]
    state: Path
    output: Path
    changed: Path | None = None
    db: str | None = None
    max_items: int | None = None
    max_attempts: int = 3
    relevance: bool = False
    fetch: FetchOptions = field(default_factory=FetchOptions)


@dataclass
class FollowSummary:
    """What a run did; `failed` names every feed or item that failed, with why."""

    feeds: int = 0
    unchanged: int = 0
    new_items: int = 0
    processed: int = 0
    articles: int = 0
    not_incidents: int = 0
    irrelevant: int = 0
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    pending: int = 0
    gave_up_before: int = 0
    incidents: int = 0
    changed: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        out = [
            f"polled {self.feeds} feeds ({self.unchanged} unchanged): {self.new_items} new items; "
            f"processed {self.processed}: {self.articles} articles extracted, {self.not_incidents} not "
            f"incidents, {self.irrelevant} not relevant, {len(self.skipped)} skipped, "
            f"{len(self.failed)} failed; {self.pending} left for the next run",
            f"{self.incidents} incidents written, {self.changed} created or updated by this run",
        ]
        if self.gave_up_before:
            out.append(
                f"{self.gave_up_before} items given up on earlier runs (status 'gave_up' in the state)"
            )
        out += [f"skipped: {reason}" for reason in self.skipped]
        out += [f"failed: {reason}" for reason in self.failed]
        return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def connect_state(path: Path) -> sqlite3.Connection:
    """Open (creating or migrating) the state database; autocommit, explicit transactions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    schema = resources.files("pipeline").joinpath("migrations", "state_001_init.sql").read_text("utf-8")
    conn.executescript(schema)
    return conn


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def _locked(state: Path) -> Iterator[None]:
    """Hold the run lock for `state`; `FollowLocked` names the pid that holds it."""
    state.parent.mkdir(parents=True, exist_ok=True)
    lock_path = state.with_name(state.name + ".lock")
    handle = lock_path.open("a+")
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


class _Run:
    """The state of one run: connection, summary, and the steps in order."""

    def __init__(self, options: FollowOptions, conn: sqlite3.Connection) -> None:
        self.options = options
        self.conn = conn
        self.summary = FollowSummary(feeds=len(options.feeds))

    async def poll(self, fetcher: Fetcher, url: str) -> None:
        row = self.conn.execute("SELECT etag, last_modified FROM feeds WHERE url = ?", (url,)).fetchone()
        etag, modified = row or (None, None)
        try:
            page = await fetcher.fetch(url, etag, modified)
            items = [] if page.not_modified else parse_feed(page.content, url, page.content_type)
        except (FetchError, ParseError) as exc:
            self._feed_failed(url, exc)
            return
        with _transaction(self.conn):
            new = sum(self._remember(item) for item in items)
            self.conn.execute(
                "INSERT INTO feeds (url, etag, last_modified, last_polled, last_status, failures)"
                " VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, last_polled = excluded.last_polled,"
                " last_status = excluded.last_status, last_error = NULL, failures = 0",
                (
                    url,
                    page.etag,
                    page.last_modified,
                    _now(),
                    "unchanged" if page.not_modified else "new items",
                ),
            )
        self.summary.new_items += new
        self.summary.unchanged += page.not_modified

    def _feed_failed(self, url: str, exc: Exception) -> None:
        message = str(exc) if url in str(exc) else f"{url}: {exc}"
        self.summary.failed.append(f"feed {message}")
        log.error("feed %s", message)
        with _transaction(self.conn):
            self.conn.execute(
                "INSERT INTO feeds (url, last_polled, last_status, last_error, failures)"
                " VALUES (?, ?, 'failed', ?, 1) ON CONFLICT(url) DO UPDATE SET"
                " last_polled = excluded.last_polled, last_status = 'failed',"
                " last_error = excluded.last_error, failures = feeds.failures + 1",
                (url, _now(), message),
            )

    def _remember(self, item: FeedItem) -> bool:
        """Record a feed item unless one of its keys was seen; either way keep all its keys."""
        keys = item.keys()
        marks = ",".join("?" * len(keys))
        seen = self.conn.execute(f"SELECT item_id FROM item_keys WHERE key IN ({marks})", keys).fetchone()
        if seen:
            item_id, new = seen[0], False
        else:
            now = _now()
            item_id = self.conn.execute(
                "INSERT INTO items (feed, link, guid, title, summary, content, published, article_id,"
                " first_seen, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    item.feed,
                    item.link,
                    item.guid,
                    item.title,
                    item.summary,
                    item.content,
                    item.published.isoformat() if item.published else None,
                    article_id(item.canonical) if item.canonical else article_id(item.feed, *keys),
                    now,
                    now,
                ),
            ).lastrowid
            new = True
        self.conn.executemany(
            "INSERT OR IGNORE INTO item_keys VALUES (?, ?)", [(key, item_id) for key in keys]
        )
        return new

    def due(self) -> list[sqlite3.Row]:
        """Items to process this run, oldest first: pending, and failed ones with attempts left."""
        rows = self.conn.execute(
            "SELECT * FROM items WHERE status IN ('pending', 'failed') ORDER BY id"
        ).fetchall()
        limit = self.options.max_items
        due = rows if limit is None else rows[: max(limit, 0)]
        self.summary.pending = len(rows) - len(due)
        self.summary.gave_up_before = self.conn.execute(
            "SELECT count(*) FROM items WHERE status = 'gave_up'"
        ).fetchone()[0]
        return due

    async def get(self, fetcher: Fetcher, item: sqlite3.Row) -> tuple[sqlite3.Row, Page | Exception | None]:
        """The item's page (None when the feed carried the article and there is no link)."""
        if not item["link"]:
            return item, None
        try:
            return item, await fetcher.fetch(item["link"])
        except FetchError as exc:
            return item, exc

    def process(self, batch: list[tuple[sqlite3.Row, Page | Exception | None]]) -> None:
        """Extract a batch of fetched items and commit their records and status in one transaction."""
        updates: list[tuple[str, str | None, int]] = []
        stored: list[tuple[str, int, str]] = []
        for item, page in batch:
            self.summary.processed += 1
            status, reason, records = self._outcome(item, page)
            updates.append((status, reason, item["id"]))
            stored += [(r.sources[0].article_id, item["id"], record_json(r)) for r in records]
        with _transaction(self.conn):
            self.conn.executemany("INSERT OR REPLACE INTO article_records VALUES (?, ?, ?)", stored)
            self.conn.executemany(
                "UPDATE items SET status = ?, last_error = ?, updated_at = ?,"
                " attempts = attempts + (? IN ('failed', 'gave_up')) WHERE id = ?",
                [(status, reason, _now(), status, item_id) for status, reason, item_id in updates],
            )

    def _outcome(
        self, item: sqlite3.Row, page: Page | Exception | None
    ) -> tuple[str, str | None, list[IncidentRecord]]:
        origin = item["link"] or f"{item['feed']} item {item['guid'] or item['title']}"
        if isinstance(page, RobotsDisallowed):
            self.summary.skipped.append(str(page))
            return "skipped", str(page), []
        if isinstance(page, Exception):
            return self._failed(item, str(page))
        doc = self._document(item, page, origin)
        if self.options.relevance and not is_relevant(f"{item['title'] or ''}\n{plain_text(doc.content)}"):
            self.summary.irrelevant += 1
            return "skipped", "not relevant (keyword gate)", []
        run = RunSummary()
        try:
            records = extract_records([doc], run)
        except Exception as exc:  # one page that breaks a stage must not stop the run, nor loop forever
            log.exception("%s: processing failed", origin)
            return self._failed(item, f"{origin}: {type(exc).__name__}: {exc}")
        if run.failed:
            return self._failed(item, "; ".join(run.failed))
        if run.skipped:
            self.summary.skipped += run.skipped
            return "skipped", "; ".join(run.skipped), []
        self.summary.articles += run.articles
        self.summary.not_incidents += len(run.not_incidents)
        return "done", None, records

    def _document(self, item: sqlite3.Row, page: Page | None, origin: str) -> RawDocument:
        published = datetime.fromisoformat(item["published"]).date() if item["published"] else None
        if page is None:
            text = item["content"] or item["summary"]
            return RawDocument(
                id=item["article_id"], origin=origin, kind="html", content=text, title=item["title"],
                published=published,
            )  # fmt: skip
        plain = (page.content_type or "").lower().startswith("text/plain")
        return RawDocument(
            id=item["article_id"],
            origin=origin,
            kind="text" if plain else "html",
            content=page.text(),
            url=item["link"],
            title=item["title"],
            published=published,
        )

    def _failed(self, item: sqlite3.Row, reason: str) -> tuple[str, str, list[IncidentRecord]]:
        attempts = item["attempts"] + 1
        if attempts >= self.options.max_attempts:
            self.summary.failed.append(f"{reason} (gave up after {attempts} attempts)")
            return "gave_up", reason, []
        self.summary.failed.append(
            f"{reason} (attempt {attempts} of {self.options.max_attempts}, retried next run)"
        )
        return "failed", reason, []

    def publish(self) -> None:
        """Re-cluster every stored record; write the complete picture, the changes, and the snapshot."""
        rows = self.conn.execute("SELECT record FROM article_records ORDER BY article_id").fetchall()
        records = [IncidentRecord.model_validate_json(row[0]) for row in rows]
        incidents = cluster_records(records)
        if self.options.db:
            incidents = write_database(incidents, self.options.db, article_records=records, complete=True)
        before = {row[0]: row[1] for row in self.conn.execute("SELECT id, record FROM incidents")}
        bodies = {inc.id: record_json(inc) for inc in incidents}
        changed = [inc for inc in incidents if before.get(inc.id) != bodies[inc.id]]
        self.summary.incidents = write_jsonl(incidents, self.options.output)
        if self.options.changed:
            write_jsonl(changed, self.options.changed)
        self.summary.changed = len(changed)
        with _transaction(self.conn):
            self.conn.execute("DELETE FROM incidents")
            self.conn.executemany("INSERT INTO incidents VALUES (?, ?)", list(bodies.items()))


def _interleaved(items: list[sqlite3.Row]) -> list[sqlite3.Row]:
    """Round-robin over hosts, so one slow or rate-limited site does not hold up the others."""
    by_host: dict[str, list[sqlite3.Row]] = {}
    for item in items:
        by_host.setdefault(urlsplit(item["link"] or "").netloc, []).append(item)
    queues = list(by_host.values())
    return [queue[n] for n in range(max(map(len, queues), default=0)) for queue in queues if n < len(queue)]


async def _items(run: _Run, fetcher: Fetcher) -> None:
    """Fetch due items concurrently; a worker thread extracts and commits them in batches.

    At most `2 * max_concurrency` pages are fetched and not yet committed at any time, so memory
    stays bounded however many items are due and however slow extraction is.
    """
    queue: asyncio.Queue[tuple[sqlite3.Row, Page | Exception | None] | None] = asyncio.Queue(_BATCH * 2)
    inflight = asyncio.Semaphore(2 * run.options.fetch.max_concurrency)
    due = _interleaved(run.due())

    async def produce(item: sqlite3.Row) -> None:
        async with inflight:
            await queue.put(await run.get(fetcher, item))

    async def produce_all() -> None:
        await asyncio.gather(*(produce(item) for item in due))
        await queue.put(None)

    async def consume() -> None:
        done = False
        while not done:
            batch = [await queue.get()]
            while not queue.empty() and len(batch) < _BATCH:
                batch.append(queue.get_nowait())
            done = batch[-1] is None
            work = [entry for entry in batch if entry is not None]
            if work:
                await asyncio.to_thread(run.process, work)

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(consume())
            group.create_task(produce_all())
    except ExceptionGroup as failures:  # the consumer failed (e.g. the state database): that is the error
        raise failures.exceptions[0] from None


async def _follow(run: _Run) -> None:
    async with Fetcher(run.options.fetch) as fetcher:
        await asyncio.gather(*(run.poll(fetcher, url) for url in run.options.feeds))
        await _items(run, fetcher)


def follow(options: FollowOptions) -> FollowSummary:
    """Run the follow job once (see the module docstring); raises `FollowLocked` when one is running."""
    with _locked(options.state):
        try:
            conn = connect_state(options.state)
        except sqlite3.Error as exc:
            raise SinkError(f"{options.state}: cannot open the state database ({exc})") from exc
        try:
            with _transaction(conn):
                conn.execute("INSERT OR REPLACE INTO lock VALUES (1, ?, ?)", (os.getpid(), _now()))
                run_id = conn.execute(
                    "INSERT INTO runs (pid, started) VALUES (?, ?)", (os.getpid(), _now())
                ).lastrowid
            run = _Run(options, conn)
            asyncio.run(_follow(run))
            run.publish()
            with _transaction(conn):
                conn.execute(
                    "UPDATE runs SET finished = ?, ok = ?, summary = ? WHERE id = ?",
                    (_now(), run.summary.ok, json.dumps(asdict(run.summary)), run_id),
                )
                conn.execute("DELETE FROM lock")
        finally:
            conn.close()
    return run.summary
