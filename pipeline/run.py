"""The batch job: source -> clean -> extract -> normalize -> cluster -> sink, with a summary."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.clean import clean
from pipeline.cluster import cluster_records
from pipeline.errors import ExtractionError, ParseError, SkipArticle
from pipeline.extract import extract_articles
from pipeline.ids import ArticleIds
from pipeline.misp import write_misp_events, write_misp_feed
from pipeline.normalize import normalize
from pipeline.paths import check_outputs
from pipeline.postgres import is_postgres_url, load_article_records_pg, load_fingerprints_pg, write_postgres
from pipeline.review.corrections import exported
from pipeline.review.database import save_articles
from pipeline.sinks import load_article_records, load_fingerprints, write_jsonl, write_sqlite
from pipeline.source import InputFailure, read_documents
from pipeline.stix import write_stix
from schemas.document import Article, RawDocument
from schemas.incident import IncidentRecord
from schemas.settings import MAX_ARTICLE_CHARS, Settings

__all__ = [
    "RunSummary",
    "check_paths",
    "extract_records",
    "known_article_records",
    "run",
    "write_database",
    "write_outputs",
]


@dataclass
class RunSummary:
    """What a run did; `failed` lists every input that could not be processed, with why."""

    read: int = 0
    articles: int = 0
    not_incidents: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    incidents: int = 0
    untouched: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        out = [
            f"read {self.read} articles: {self.articles} extracted, {len(self.not_incidents)} not incidents, "
            f"{len(self.skipped)} skipped (no article), {len(self.failed)} failed; "
            f"{self.incidents} incident records written"
        ]
        if self.untouched:
            out.append(f"nothing was read: {', '.join(map(str, self.untouched))} is left as it was")
        out += [f"id reused: {note}" for note in self.renamed]
        out += [f"not an incident: {reason}" for reason in self.not_incidents]
        out += [f"skipped: {reason}" for reason in self.skipped]
        out += [f"failed: {reason}" for reason in self.failed]
        return out


def _progress(enabled: bool) -> Callable[[int], None]:
    def show(count: int) -> None:
        if enabled:
            print(f"\r{count} articles processed", end="", file=sys.stderr, flush=True)

    return show


def _articles(
    items: Iterable[RawDocument | InputFailure], summary: RunSummary, ids: ArticleIds
) -> Iterator[Article]:
    for item in items:
        if isinstance(item, InputFailure):
            summary.failed.append(str(item))
            continue
        summary.read += 1
        try:
            raw, note = ids.admit(item)
            if raw is None:
                summary.skipped.append(str(note))
                continue
            if note:
                summary.renamed.append(note)
            yield clean(raw)
        except SkipArticle as exc:
            summary.skipped.append(f"{item.origin}: {exc}")
        except ParseError as exc:
            summary.failed.append(str(exc))


def extract_records(
    items: Iterable[RawDocument | InputFailure],
    summary: RunSummary,
    progress: bool = False,
    workers: int = 1,
    articles: list[Article] | None = None,
    ids: ArticleIds | None = None,
    max_chars: int = MAX_ARTICLE_CHARS,
) -> list[IncidentRecord]:
    """Per-article incident records for raw documents (failures are counted in `summary`);
    the cleaned articles they come from are added to `articles` when given.

    This is the shared core of `incidents extract` (files) and `incidents follow` (feeds).
    `ids` keeps a reused id from making one article replace another (`pipeline.ids`); an
    article longer than `max_chars` after cleaning fails by name.
    """
    records: list[IncidentRecord] = []
    show = _progress(progress)
    cleaned = _articles(items, summary, ids or ArticleIds())
    for result in extract_articles(cleaned, workers=workers, max_chars=max_chars):
        if isinstance(result, ExtractionError):
            summary.failed.append(str(result))
            continue
        summary.articles += 1
        show(summary.articles)
        record = normalize(result)
        if record is None:
            summary.not_incidents.append(f"{result.article.origin}: {result.reason or 'not an incident'}")
        else:
            records.append(record)
            if articles is not None:
                articles.append(result.article)
    if progress and summary.articles:
        print(file=sys.stderr)
    return records


def write_database(
    records: Sequence[IncidentRecord],
    db: str,
    article_records: Sequence[IncidentRecord] = (),
    complete: bool = False,
    fingerprints: Mapping[str, str] | None = None,
) -> list[IncidentRecord]:
    """Upsert into `db`, a SQLite file or a postgresql:// URL; returns the incidents written.

    A complete write re-clusters, under the database's write lock, when another run stored
    articles since `records` were made, and both sinks apply the review actions stored in
    `db`, so their answer, not `records`, is what the other sinks should show.
    """
    if is_postgres_url(db):
        return write_postgres(records, db, article_records, complete=complete, fingerprints=fingerprints)
    return write_sqlite(records, Path(db), article_records, complete=complete, fingerprints=fingerprints)


def write_outputs(
    records: Iterable[IncidentRecord],
    settings: Settings,
    article_records: Sequence[IncidentRecord] = (),
    articles: Sequence[Article] = (),
    fingerprints: Mapping[str, str] | None = None,
) -> int:
    """Write to every configured sink; the JSONL file last, so it reflects a complete run.

    With clustering, `records` are all the incidents there are and the per-article
    `article_records` are stored beside them (with the `fingerprints` of their texts) for the
    next run to re-cluster with; the
    cleaned `articles` are stored for the review page. The database keeps incidents an
    analyst rejected; the files leave them out unless `settings.include_rejected`.
    """
    records = list(records)
    if settings.db:
        save_articles(settings.db, articles)
        complete = not settings.per_article
        records = write_database(records, settings.db, article_records, complete, fingerprints)
    records = exported(records, settings.include_rejected)
    if settings.stix:
        write_stix(records, settings.stix)
    if settings.misp:
        write_misp_events(records, settings.misp)
    if settings.misp_feed:
        write_misp_feed(records, settings.misp_feed)
    return write_jsonl(records, settings.output)


def known_article_records(db: str | None) -> list[IncidentRecord]:
    """Per-article records an earlier run stored in `db` (none for a new database)."""
    if not db:
        return []
    return load_article_records_pg(db) if is_postgres_url(db) else load_article_records(Path(db))


def _known_ids(db: str | None) -> ArticleIds:
    """The ids held by the articles stored in `db`, with the fingerprints of their texts."""
    if not db:
        return ArticleIds()
    return ArticleIds(load_fingerprints_pg(db) if is_postgres_url(db) else load_fingerprints(Path(db)))


def check_paths(settings: Settings) -> None:
    """`ConfigError` for outputs that would land on an input, inside an input folder or on
    each other (`pipeline.paths`); run before anything is read."""
    db = Path(settings.db) if settings.db and not is_postgres_url(settings.db) else None
    files = {"-o": settings.output, "--db": db, "--stix": settings.stix, "--misp": settings.misp}
    check_outputs(settings.inputs, files, {"--misp-feed": settings.misp_feed})


def run(settings: Settings) -> RunSummary:
    """Run the batch job described by `settings`.

    Outputs that would land on an input are refused before anything is read, and nothing is
    written when nothing could be read (the outputs of the last run stay as they were).
    Without `per_article`, the new articles join what `--db` already holds: all per-article
    records, old and new (a re-read article replaces its old record), are clustered again,
    so feeding articles one run at a time gives the incidents one run over all gives. An id
    already held by another text, in this run or in `--db`, is made unique (`pipeline.ids`).
    """
    check_paths(settings)
    summary = RunSummary()
    ids = _known_ids(settings.db)
    items = read_documents(settings.inputs, settings.max_file_bytes)
    articles: list[Article] = []
    records = extract_records(
        items, summary, settings.progress, settings.workers, articles, ids, settings.max_article_chars
    )
    if not summary.read and summary.failed:
        summary.untouched = [settings.output]  # a mistyped path must not empty the last output
        return summary
    if settings.per_article:
        summary.incidents = write_outputs(records, settings, articles=articles)
        return summary
    by_article = {r.sources[0].article_id: r for r in known_article_records(settings.db)}
    by_article.update((r.sources[0].article_id, r) for r in records)
    incidents = cluster_records(by_article.values())
    summary.incidents = write_outputs(incidents, settings, records, articles, ids.fingerprints)
    return summary
