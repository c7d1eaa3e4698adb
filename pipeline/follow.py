"""The cron job: poll feeds, fetch new articles, extract, cluster, write; never lose or repeat one.

A run, under the state's exclusive lock (`pipeline.state`), within a deadline (`max_run_seconds`):

1. polls every feed once (conditional GET); the new items of a feed and its new validators are
   stored in one transaction, so an item is recorded as pending before the 304 that would hide it.
   An item seen before under the same GUID whose link or text changed is pending again;
2. fetches pending items (and those that failed on earlier runs, up to `max_attempts`), at most
   `max_items` per feed, through one `Fetcher`, while a worker thread runs clean -> extract on
   what arrived; an item's record and its "done" mark are committed in one transaction, so a run
   killed at any point, then started again, processes every item exactly once. Once the deadline
   passes, nothing new starts: what is not fetched and extracted by then stays pending;
3. re-clusters every per-article record stored so far and writes the complete picture to
   `output` (atomically), the incidents this run created or updated to `changed`, and `db`.

A link that is not http(s) (javascript:, file:, data:, mailto:) is skipped with its reason, once.
A host that asks (Retry-After) to be left alone past the run is remembered in the state, and
neither its feeds nor its pages are requested before the time it gave; its items wait, without
spending an attempt.

`changed` is at-least-once across crashes: the snapshot it is computed against is committed
after the files are written, so a run killed in between reports those incidents again (ids are
stable, so downstream upserts are idempotent).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.errors import FetchError, ParseError, PipelineError, SinkError
from pipeline.feeds import is_relevant, parse_feed, plain_text
from pipeline.fetch import Fetcher, FetchOptions, Page, RetryLater, RobotsDisallowed
from pipeline.outcomes import Engine, Extractor, Outcome, document_engine, failed
from pipeline.paths import check_outputs
from pipeline.postgres import is_postgres_url
from pipeline.publish import Sinks, publish
from pipeline.review.database import save_articles
from pipeline.sinks import record_json, write_jsonl
from pipeline.state import (
    FollowLocked,
    connect_state,
    held_hosts,
    hold_host,
    locked,
    now,
    remember,
    transaction,
)
from schemas.document import Article, RawDocument
from schemas.incident import IncidentRecord

__all__ = ["FollowLocked", "FollowOptions", "FollowSummary", "follow"]

log = logging.getLogger(__name__)

_BATCH = 16
_FETCHED = ("http", "https")
_Settled = tuple[str, str | None, list[IncidentRecord]]  # status, reason, records


class _Deadline(Exception):
    """The run deadline came before this item was fetched or extracted: it waits for the next run."""


@dataclass(frozen=True)
class FollowOptions:
    """One `incidents follow` run."""

    feeds: tuple[str, ...]
    state: Path
    output: Path
    changed: Path | None = None
    db: str | None = None
    max_items: int | None = 100  # per feed and run; None: no limit
    max_run_seconds: float = 900.0
    max_attempts: int = 3
    relevance: bool = False
    fetch: FetchOptions = field(default_factory=FetchOptions)
    include_rejected: bool = False
    feed_list: Path | None = None  # the --feeds file the feeds were read from, an input
    workers: int = 1  # extraction processes, as `incidents extract -j`
    engine: Engine = "local"
    scheduler: str | None = None  # Dask scheduler address; None starts a local cluster


@dataclass
class FollowSummary:
    """What a run did; `failed` names every feed or item that failed, with why."""

    feeds: int = 0
    unchanged: int = 0
    new_items: int = 0
    changed_items: int = 0
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
    deadline: float | None = None  # the deadline, when it stopped the run
    not_polled: int = 0
    waiting: dict[str, str] = field(default_factory=dict)  # origin: until when (Retry-After)

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        out = [
            f"polled {self.feeds - self.not_polled} of {self.feeds} feeds ({self.unchanged} unchanged): "
            f"{self.new_items} new items; processed {self.processed}: {self.articles} articles extracted, "
            f"{self.not_incidents} not incidents, {self.irrelevant} not relevant, {len(self.skipped)} "
            f"skipped, {len(self.failed)} failed; {self.pending} left for the next run",
            f"{self.incidents} incidents written, {self.changed} created or updated by this run",
        ]
        if self.changed_items:
            out.append(f"{self.changed_items} items changed under a GUID seen before: processed again")
        if self.deadline is not None:
            out.append(
                f"run deadline of {self.deadline:g} s reached (--max-run-seconds): {self.not_polled} feeds "
                "not polled; items not fetched and extracted by then wait for the next run"
            )
        if self.gave_up_before:
            out.append(
                f"{self.gave_up_before} items given up on earlier runs (status 'gave_up' in the state)"
            )
        out += [
            f"waiting: {origin} asked (Retry-After) not to be contacted before {until}"
            for origin, until in sorted(self.waiting.items())
        ]
        out += [f"skipped: {reason}" for reason in self.skipped]
        out += [f"failed: {reason}" for reason in self.failed]
        return out


def _check_paths(options: FollowOptions) -> None:
    """Refuse, before anything runs, a state database that is also an output, one file given for
    two outputs, or an output that is the feed list (`pipeline.paths`, shared with `extract`)."""
    db = Path(options.db) if options.db and not is_postgres_url(options.db) else None
    outputs = {"--state": options.state, "-o": options.output, "--changed": options.changed, "--db": db}
    check_outputs([options.feed_list] if options.feed_list else [], outputs)


def _not_fetched(link: str) -> str | None:
    """Why a link is not fetched at all (not http or https), or None."""
    try:
        scheme = urlsplit(link).scheme.lower()
    except ValueError as exc:
        return f"{link[:200]}: malformed link ({exc}), not fetched"
    if scheme in _FETCHED:
        return None
    return f"{link[:200]}: not an http(s) link ({scheme or 'no scheme'}), not fetched"


class _Run:
    """The state of one run: connection, summary, deadline, and the steps in order."""

    def __init__(self, options: FollowOptions, conn: sqlite3.Connection, engine: Extractor) -> None:
        self.options = options
        self.conn = conn
        self.engine = engine
        self.summary = FollowSummary(feeds=len(options.feeds), not_polled=len(options.feeds))
        self.deadline = time.monotonic() + options.max_run_seconds
        self.articles: list[Article] = []  # cleaned texts of this batch's incidents, for --db

    def past_deadline(self) -> bool:
        if time.monotonic() < self.deadline:
            return False
        self.summary.deadline = self.options.max_run_seconds
        return True

    async def poll(self, fetcher: Fetcher, url: str) -> None:
        row = self.conn.execute("SELECT etag, last_modified FROM feeds WHERE url = ?", (url,)).fetchone()
        etag, modified = row or (None, None)
        try:
            page = await fetcher.fetch(url, etag, modified)
            items = [] if page.not_modified else parse_feed(page.content, url, page.content_type)
        except RetryLater as exc:
            self.summary.not_polled -= 1
            self._wait(exc)
            with transaction(self.conn):
                hold_host(self.conn, exc.origin, exc.until)
            return
        except (FetchError, ParseError) as exc:
            self.summary.not_polled -= 1
            self._feed_failed(url, exc)
            return
        status = "unchanged" if page.not_modified else "new items"
        with transaction(self.conn):
            seen = Counter(remember(self.conn, item) for item in items)
            self.conn.execute(
                "INSERT INTO feeds (url, etag, last_modified, last_polled, last_status, failures)"
                " VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, last_polled = excluded.last_polled,"
                " last_status = excluded.last_status, last_error = NULL, failures = 0",
                (url, page.etag, page.last_modified, now(), status),
            )
        self.summary.not_polled -= 1
        self.summary.new_items += seen["new"]
        self.summary.changed_items += seen["changed"]
        self.summary.unchanged += page.not_modified

    def _wait(self, exc: RetryLater) -> None:
        until = datetime.fromtimestamp(exc.until, UTC).isoformat(timespec="seconds")
        self.summary.waiting[exc.origin] = until

    def _feed_failed(self, url: str, exc: Exception) -> None:
        message = str(exc) if url in str(exc) else f"{url}: {exc}"
        self.summary.failed.append(f"feed {message}")
        log.error("feed %s", message)
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO feeds (url, last_polled, last_status, last_error, failures)"
                " VALUES (?, ?, 'failed', ?, 1) ON CONFLICT(url) DO UPDATE SET"
                " last_polled = excluded.last_polled, last_status = 'failed',"
                " last_error = excluded.last_error, failures = feeds.failures + 1",
                (url, now(), message),
            )

    def due(self) -> list[sqlite3.Row]:
        """Items to process this run, oldest first: pending, and failed ones with attempts left;
        at most `max_items` of each feed."""
        rows = self.conn.execute(
            "SELECT * FROM items WHERE status IN ('pending', 'failed') ORDER BY id"
        ).fetchall()
        limit = self.options.max_items
        taken: Counter[str] = Counter()
        due = []
        for row in rows:
            if limit is None or taken[row["feed"]] < limit:
                taken[row["feed"]] += 1
                due.append(row)
        self.summary.pending = len(rows) - len(due)
        self.summary.gave_up_before = self.conn.execute(
            "SELECT count(*) FROM items WHERE status = 'gave_up'"
        ).fetchone()[0]
        return due

    async def get(self, fetcher: Fetcher, item: sqlite3.Row) -> tuple[sqlite3.Row, Page | Exception | None]:
        """The item's page (None when the feed carried the article and there is no link)."""
        link = item["link"]
        if not link or _not_fetched(link):
            return item, None
        if self.past_deadline():
            return item, _Deadline()
        try:
            async with asyncio.timeout_at(self.deadline):
                return item, await fetcher.fetch(link)
        except TimeoutError:
            self.summary.deadline = self.options.max_run_seconds
            return item, _Deadline()
        except FetchError as exc:
            return item, exc

    def process(self, batch: list[tuple[sqlite3.Row, Page | Exception | None]]) -> None:
        """Extract a batch of fetched items together (`nlp.pipe`, on the run's engine) and commit
        their records and status in one transaction.

        An item that waits (run deadline, Retry-After) keeps its status and attempts. An item
        processed again (its content changed) loses its old record once it has a new outcome.
        """
        updates: list[tuple[str, str | None, int]] = []
        stored: list[tuple[str, int, str]] = []
        holds: list[RetryLater] = []
        settled: list[tuple[sqlite3.Row, _Settled | RawDocument]] = []
        for item, page in batch:
            if self.past_deadline():
                page = _Deadline()
            if isinstance(page, _Deadline | RetryLater):
                self.summary.pending += 1
                if isinstance(page, RetryLater):
                    self._wait(page)
                    holds.append(page)
                continue
            self.summary.processed += 1
            settled.append((item, self._settle(item, page)))
        done = iter(self._extract([doc for _, doc in settled if isinstance(doc, RawDocument)]))
        for item, doc in settled:
            status, reason, records = self._outcome(item, next(done)) if isinstance(doc, RawDocument) else doc
            updates.append((status, reason, item["id"]))
            stored += [(r.sources[0].article_id, item["id"], record_json(r)) for r in records]
        with transaction(self.conn):
            self.conn.executemany(
                "DELETE FROM article_records WHERE item_id = ?",
                [(item_id,) for status, _, item_id in updates if status in ("done", "skipped")],
            )
            self.conn.executemany("INSERT OR REPLACE INTO article_records VALUES (?, ?, ?)", stored)
            self.conn.executemany(
                "UPDATE items SET status = ?, last_error = ?, updated_at = ?,"
                " attempts = attempts + (? IN ('failed', 'gave_up')) WHERE id = ?",
                [(status, reason, now(), status, item_id) for status, reason, item_id in updates],
            )
            for hold in holds:
                hold_host(self.conn, hold.origin, hold.until)
        if self.options.db and self.articles:
            try:
                save_articles(self.options.db, self.articles)
            except PipelineError as exc:  # the records are safe in the state; only the texts are missing
                self.summary.failed.append(f"article texts not stored for the review page: {exc}")
        self.articles.clear()

    def _extract(self, docs: list[RawDocument]) -> list[Outcome]:
        """The outcome of each document, from the run's engine; when the engine itself fails
        (a worker died), every document of the batch fails and is retried next run."""
        if not docs:
            return []
        try:
            return self.engine(docs)
        except Exception as exc:  # the batch is lost, not the run
            log.exception("extraction of %d articles failed", len(docs))
            return [failed(doc.origin, f"{doc.origin}: {type(exc).__name__}: {exc}") for doc in docs]

    def _settle(self, item: sqlite3.Row, page: Page | Exception | None) -> _Settled | RawDocument:
        """The item's outcome when it needs no extraction, else the document to extract."""
        origin = item["link"] or f"{item['feed']} item {item['guid'] or item['title']}"
        refused = _not_fetched(item["link"]) if item["link"] else None
        if refused:
            self.summary.skipped.append(refused)
            return "skipped", refused, []
        if isinstance(page, RobotsDisallowed):
            self.summary.skipped.append(str(page))
            return "skipped", str(page), []
        if isinstance(page, Exception):
            return self._failed(item, str(page))
        doc = self._document(item, page, origin)
        if self.options.relevance and not is_relevant(f"{item['title'] or ''}\n{plain_text(doc.content)}"):
            self.summary.irrelevant += 1
            return "skipped", "not relevant (keyword gate)", []
        return doc

    def _outcome(self, item: sqlite3.Row, outcome: Outcome) -> _Settled:
        if outcome.kind == "failed":
            return self._failed(item, outcome.note)
        if outcome.kind == "skipped":
            self.summary.skipped.append(outcome.note)
            return "skipped", outcome.note, []
        self.summary.articles += 1
        if outcome.record is None:
            self.summary.not_incidents += 1
            return "done", None, []
        if outcome.article is not None:
            self.articles.append(outcome.article)
        return "done", None, [outcome.record]

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

    def _failed(self, item: sqlite3.Row, reason: str) -> _Settled:
        attempts = item["attempts"] + 1
        if attempts >= self.options.max_attempts:
            self.summary.failed.append(f"{reason} (gave up after {attempts} attempts)")
            return "gave_up", reason, []
        self.summary.failed.append(
            f"{reason} (attempt {attempts} of {self.options.max_attempts}, retried next run)"
        )
        return "failed", reason, []

    def publish(self) -> None:
        """Cluster every stored record; write the complete picture, the changes, and the snapshot."""
        rows = self.conn.execute("SELECT record FROM article_records ORDER BY article_id").fetchall()
        records = [IncidentRecord.model_validate_json(row[0]) for row in rows]
        sinks = Sinks(self.options.output, self.options.db, include_rejected=self.options.include_rejected)
        incidents = publish(records, sinks)
        before = {row[0]: row[1] for row in self.conn.execute("SELECT id, record FROM incidents")}
        bodies = {inc.id: record_json(inc) for inc in incidents}
        changed = [inc for inc in incidents if before.get(inc.id) != bodies[inc.id]]
        self.summary.incidents = len(incidents)
        if self.options.changed:
            write_jsonl(changed, self.options.changed)
        self.summary.changed = len(changed)
        with transaction(self.conn):
            self.conn.execute("DELETE FROM incidents")
            self.conn.executemany("INSERT INTO incidents VALUES (?, ?)", list(bodies.items()))


def _interleaved(items: list[sqlite3.Row]) -> list[sqlite3.Row]:
    """Round-robin over hosts, so one slow or rate-limited site does not hold up the others."""
    by_host: dict[str, list[sqlite3.Row]] = {}
    for item in items:
        host = "" if _not_fetched(item["link"] or "http:") else urlsplit(item["link"] or "").netloc
        by_host.setdefault(host, []).append(item)
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
    async with Fetcher(run.options.fetch, held=held_hosts(run.conn)) as fetcher:
        try:
            async with asyncio.timeout_at(run.deadline):
                await asyncio.gather(*(run.poll(fetcher, url) for url in run.options.feeds))
        except TimeoutError:
            run.summary.deadline = run.options.max_run_seconds
        await _items(run, fetcher)


def follow(options: FollowOptions) -> FollowSummary:
    """Run the follow job once (see the module docstring); raises `FollowLocked` when one is running
    and `ConfigError`, before anything runs, when the state database is also an output."""
    _check_paths(options)
    with locked(options.state):
        try:
            conn = connect_state(options.state)
        except sqlite3.Error as exc:
            raise SinkError(f"{options.state}: cannot open the state database ({exc})") from exc
        try:
            with transaction(conn):
                conn.execute("INSERT OR REPLACE INTO lock VALUES (1, ?, ?)", (os.getpid(), now()))
                run_id = conn.execute(
                    "INSERT INTO runs (pid, started) VALUES (?, ?)", (os.getpid(), now())
                ).lastrowid
            keep = bool(options.db)  # the review page's copy of the cleaned texts
            with document_engine(options.engine, options.workers, options.scheduler, keep=keep) as engine:
                run = _Run(options, conn, engine)
                asyncio.run(_follow(run))
            run.publish()
            with transaction(conn):
                conn.execute(
                    "UPDATE runs SET finished = ?, ok = ?, summary = ? WHERE id = ?",
                    (now(), run.summary.ok, json.dumps(asdict(run.summary)), run_id),
                )
                conn.execute("DELETE FROM lock")
        finally:
            conn.close()
    return run.summary
