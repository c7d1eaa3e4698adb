"""Per-article records -> stored -> clustered -> written: the one path every run ends with.

`incidents extract` (either engine) and `incidents follow` hand their per-article records to
`publish`. With a database, the records are stored and every per-article record it holds is
clustered inside one write transaction, under the database's write lock: another run that
stored articles meanwhile (or `extract` and `follow` sharing a database) is clustered with
this one, never overwritten by an older view, and nothing is clustered twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline.cluster import cluster_records
from pipeline.misp import write_misp_events, write_misp_feed
from pipeline.postgres import is_postgres_url, postgres_batch
from pipeline.review.corrections import exported
from pipeline.review.database import save_articles
from pipeline.sinks import sqlite_batch, write_jsonl
from pipeline.stix import write_stix
from schemas.document import Article
from schemas.incident import IncidentRecord
from schemas.settings import Settings

__all__ = ["Sinks", "open_batch", "publish"]


@dataclass(frozen=True)
class Sinks:
    """Where a run's incidents go; the JSONL file is written last, so it reflects a complete run."""

    output: Path
    db: str | None = None
    stix: Path | None = None
    misp: Path | None = None
    misp_feed: Path | None = None
    include_rejected: bool = False

    @classmethod
    def of(cls, settings: Settings) -> Sinks:
        return cls(
            settings.output,
            settings.db,
            settings.stix,
            settings.misp,
            settings.misp_feed,
            settings.include_rejected,
        )


class Batch(Protocol):
    """A database write transaction under the write lock (`SqliteBatch`, `PostgresBatch`)."""

    def add(self, article_records: Sequence[IncidentRecord], fingerprints: Mapping[str, str]) -> None: ...

    def article_records(self) -> list[IncidentRecord]: ...

    def write(self, records: Sequence[IncidentRecord], complete: bool) -> list[IncidentRecord]: ...


def open_batch(db: str) -> AbstractContextManager[Batch]:
    """The write transaction of `db`, a SQLite file or a postgresql:// URL."""
    return postgres_batch(db) if is_postgres_url(db) else sqlite_batch(Path(db))


def publish(
    article_records: Iterable[IncidentRecord],
    sinks: Sinks,
    *,
    per_article: bool = False,
    articles: Sequence[Article] = (),
    fingerprints: Mapping[str, str] | None = None,
) -> list[IncidentRecord]:
    """Store, cluster and write; returns the incidents the files show.

    With `sinks.db`, the records (and the `fingerprints` of the texts they came from) join
    what the database holds and every stored article is clustered, so feeding articles one run
    at a time gives the incidents one run over all gives; the review actions stored there are
    applied, and the cleaned `articles` are kept for the review page. `per_article` writes one
    incident per article, unclustered and not stored for later clustering. The files leave out
    incidents an analyst rejected unless `sinks.include_rejected`.
    """
    records = list(article_records)
    if sinks.db:
        save_articles(sinks.db, articles)
        with open_batch(sinks.db) as batch:
            if per_article:
                incidents = batch.write(records, complete=False)
            else:
                batch.add(records, fingerprints or {})
                incidents = batch.write(cluster_records(batch.article_records()), complete=True)
    else:
        incidents = records if per_article else cluster_records(records)
    incidents = exported(incidents, sinks.include_rejected)
    if sinks.stix:
        write_stix(incidents, sinks.stix)
    if sinks.misp:
        write_misp_events(incidents, sinks.misp)
    if sinks.misp_feed:
        write_misp_feed(incidents, sinks.misp_feed)
    write_jsonl(incidents, sinks.output)
    return incidents
