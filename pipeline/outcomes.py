"""One raw document in, one `Outcome` out: clean -> extract -> normalize, in any process.

The per-article work of every run (`incidents extract` on either engine, `incidents follow`)
is `document_outcomes` over a batch: it needs nothing but the documents and the pinned spaCy
pipeline, so it runs the same here, in a forked worker or on a Dask worker, and its outcomes
come back in input order, so the output does not depend on where they were computed.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from spacy.language import Language

from pipeline.clean import clean
from pipeline.errors import ExtractionError, ParseError, SkipArticle
from pipeline.extract import extract_batch
from pipeline.nlp import load_nlp
from pipeline.normalize import normalize
from schemas.document import Article, RawDocument
from schemas.incident import IncidentRecord
from schemas.settings import MAX_ARTICLE_CHARS

__all__ = [
    "BATCH",
    "Engine",
    "Extractor",
    "Outcome",
    "document_engine",
    "document_outcomes",
    "failed",
    "local_outcomes",
]

BATCH = 16  # articles parsed together (`nlp.pipe`)
_IN_FLIGHT = 2  # batches queued per worker: enough to keep it busy, few enough to bound memory

Kind = Literal["failed", "skipped", "not_incident", "incident"]


@dataclass(frozen=True)
class Outcome:
    """What became of one input: an incident record, not an incident, skipped or failed.

    `note` is the summary line (origin and reason); `read` is False for an input that did not
    even give a document. `key` (id as read, fingerprint of the text) is set where the run's
    ids are settled after extraction (`pipeline.dask_engine`); `article`, the cleaned text,
    only when asked for (the review page's copy).
    """

    origin: str
    kind: Kind
    note: str = ""
    record: IncidentRecord | None = None
    article: Article | None = None
    read: bool = True
    key: tuple[str, str] | None = None

    @property
    def extracted(self) -> bool:
        return self.kind in ("incident", "not_incident")


def failed(origin: str, note: str, read: bool = True) -> Outcome:
    return Outcome(origin, "failed", note, read=read)


def document_outcomes(
    raws: Sequence[RawDocument],
    nlp: Language | None = None,
    max_chars: int = MAX_ARTICLE_CHARS,
    keep_articles: bool = False,
) -> list[Outcome]:
    """The outcome of each document, in order; one document's failure is its own outcome."""
    cleaned: list[Article | Outcome] = [_cleaned(raw) for raw in raws]
    articles = [item for item in cleaned if isinstance(item, Article)]
    results = iter(extract_batch(articles, nlp or load_nlp(), max_chars))
    out: list[Outcome] = []
    for item in cleaned:
        if isinstance(item, Outcome):
            out.append(item)
            continue
        result = next(results)
        if isinstance(result, ExtractionError):
            out.append(failed(item.origin, str(result)))
            continue
        try:
            record = normalize(result)
        except Exception as exc:  # a normalizer bug on one article must not lose the batch
            out.append(failed(item.origin, f"{item.origin}: normalize failed: {type(exc).__name__}: {exc}"))
            continue
        if record is None:
            note = f"{item.origin}: {result.reason or 'not an incident'}"
            out.append(Outcome(item.origin, "not_incident", note))
        else:
            out.append(
                Outcome(item.origin, "incident", record=record, article=item if keep_articles else None)
            )
    return out


def _cleaned(raw: RawDocument) -> Article | Outcome:
    try:
        return clean(raw)
    except SkipArticle as exc:
        return Outcome(raw.origin, "skipped", f"{raw.origin}: {exc}")
    except ParseError as exc:
        return failed(raw.origin, str(exc))
    except Exception as exc:  # a cleaner bug on one page must not lose the batch
        return failed(raw.origin, f"{raw.origin}: cleaning failed: {type(exc).__name__}: {exc}")


Item = RawDocument | Outcome  # a document to process, or an input already settled


def _chunks(items: Iterable[Item]) -> Iterator[list[Item]]:
    """Runs of items holding up to `BATCH` documents each."""
    it = iter(items)
    chunk: list[Item] = []
    count = 0
    for item in it:
        chunk.append(item)
        count += isinstance(item, RawDocument)
        if count == BATCH:
            yield chunk
            chunk, count = [], 0
    if chunk:
        yield chunk


def _merged(chunk: list[Item], done: list[Outcome]) -> Iterator[Outcome]:
    results = iter(done)
    for item in chunk:
        yield next(results) if isinstance(item, RawDocument) else item


def _docs(chunk: list[Item]) -> list[RawDocument]:
    return [item for item in chunk if isinstance(item, RawDocument)]


def local_outcomes(
    items: Iterable[Item],
    workers: int = 1,
    max_chars: int = MAX_ARTICLE_CHARS,
    keep_articles: bool = False,
) -> Iterator[Outcome]:
    """`document_outcomes` over `items` in batches, here or in `workers` processes; settled
    items pass through in place, so the outcomes come in input order.

    Workers are forked where the platform allows it after the pipeline is loaded here, so they
    share its memory instead of each loading it again.
    """
    nlp = load_nlp()
    if workers <= 1:
        for chunk in _chunks(items):
            yield from _merged(chunk, document_outcomes(_docs(chunk), nlp, max_chars, keep_articles))
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            pending: deque[tuple[list[Item], Future[list[Outcome]]]] = deque()
            for chunk in _chunks(items):
                job = pool.submit(document_outcomes, _docs(chunk), None, max_chars, keep_articles)
                pending.append((chunk, job))
                if len(pending) >= workers * _IN_FLIGHT:
                    chunk, job = pending.popleft()
                    yield from _merged(chunk, job.result())
            while pending:
                chunk, job = pending.popleft()
                yield from _merged(chunk, job.result())
    except BrokenProcessPool as exc:
        raise ExtractionError(f"an extraction worker died ({exc}); nothing was written") from exc


Extractor = Callable[[list[RawDocument]], list[Outcome]]
Engine = Literal["local", "dask"]


@contextmanager
def document_engine(
    engine: Engine = "local",
    workers: int = 1,
    scheduler: str | None = None,
    max_chars: int = MAX_ARTICLE_CHARS,
    keep: bool = False,
) -> Iterator[Extractor]:
    """`document_outcomes` for batches of documents on the engine `incidents follow` was given:
    here (`workers` processes) or on a Dask cluster (`scheduler`, else a local one)."""

    if engine == "dask":
        from pipeline.dask_engine import cluster_outcomes, dask_client  # the optional extra

        with dask_client(scheduler, workers) as client:
            yield lambda docs: cluster_outcomes(client, docs, max_chars, keep)
        return

    def local(docs: list[RawDocument]) -> list[Outcome]:
        return list(local_outcomes(docs, workers, max_chars, keep))

    yield local
