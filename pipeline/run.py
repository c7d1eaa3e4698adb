"""The batch job: source -> clean -> extract -> normalize -> cluster -> sink, with a summary."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ParseError
from pipeline.ids import ArticleIds
from pipeline.outcomes import Item, Outcome, failed, local_outcomes
from pipeline.paths import check_outputs
from pipeline.postgres import is_postgres_url, load_fingerprints_pg
from pipeline.publish import Sinks, publish
from pipeline.sinks import load_fingerprints
from pipeline.source import InputFailure, read_documents
from schemas.document import Article, RawDocument
from schemas.incident import IncidentRecord
from schemas.settings import Settings

__all__ = ["RunSummary", "admitted", "check_paths", "run", "tally"]


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


def admitted(
    items: Iterable[RawDocument | InputFailure], summary: RunSummary, ids: ArticleIds
) -> Iterator[Item]:
    """The documents to process, each with an id of its own (`pipeline.ids`), and the inputs
    settled without processing (unreadable, a second copy) as outcomes in their place."""
    for item in items:
        if isinstance(item, InputFailure):
            yield failed(item.origin, str(item), read=False)
            continue
        try:
            raw, note = ids.admit(item)
        except ParseError as exc:
            yield failed(item.origin, str(exc))
            continue
        if raw is None:
            yield Outcome(item.origin, "skipped", str(note))
            continue
        if note:
            summary.renamed.append(note)
        yield raw


def tally(
    outcomes: Iterable[Outcome],
    summary: RunSummary,
    progress: bool = False,
    articles: list[Article] | None = None,
) -> list[IncidentRecord]:
    """Count `outcomes` into `summary`; returns the per-article incident records, and adds the
    cleaned articles they come from (when kept) to `articles`."""
    records: list[IncidentRecord] = []
    show = _progress(progress)
    lists = {"failed": summary.failed, "skipped": summary.skipped, "not_incident": summary.not_incidents}
    for outcome in outcomes:
        summary.read += outcome.read
        if outcome.extracted:
            summary.articles += 1
            show(summary.articles)
        if outcome.record is not None:
            records.append(outcome.record)
            if articles is not None and outcome.article is not None:
                articles.append(outcome.article)
        else:
            lists[outcome.kind].append(outcome.note)
    if progress and summary.articles:
        print(file=sys.stderr)
    return records


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


def _outcomes(settings: Settings, summary: RunSummary, ids: ArticleIds) -> Iterator[Outcome]:
    """Every input's outcome, in input order, from the engine `settings` name."""
    keep = bool(settings.db)  # the review page's copy of the cleaned texts
    if settings.engine == "dask":
        from pipeline.dask_engine import dask_outcomes  # the optional extra, only when asked for

        return dask_outcomes(settings, summary.renamed, ids, keep)
    items = admitted(read_documents(settings.inputs, settings.max_file_bytes), summary, ids)
    return local_outcomes(items, settings.workers, settings.max_article_chars, keep)


def run(settings: Settings) -> RunSummary:
    """Run the batch job described by `settings`.

    Outputs that would land on an input are refused before anything is read, and nothing is
    written when nothing could be read (the outputs of the last run stay as they were).
    Without `per_article`, the new articles join what `--db` already holds and all are
    clustered again (`pipeline.publish`). An id already held by another text, in this run or
    in `--db`, is made unique (`pipeline.ids`).
    """
    check_paths(settings)
    summary = RunSummary()
    ids = _known_ids(settings.db)
    articles: list[Article] = []
    records = tally(_outcomes(settings, summary, ids), summary, settings.progress, articles)
    if not summary.read and summary.failed:
        summary.untouched = [settings.output]  # a mistyped path must not empty the last output
        return summary
    incidents = publish(
        records,
        Sinks.of(settings),
        per_article=settings.per_article,
        articles=articles,
        fingerprints=ids.fingerprints,
    )
    summary.incidents = len(incidents)
    return summary
