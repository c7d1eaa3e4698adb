"""The Dask engine: `incidents extract --engine dask`, the same bytes as one process, on a cluster.

The driver lists the inputs and cuts them into tasks: each file, and each run of `task_lines`
lines of a plain JSONL file (`pipeline.source.jsonl_spans`). A worker reads its task's
documents itself (the inputs must be on a filesystem the workers share), cleans, extracts and
normalizes them (`pipeline.outcomes`; the spaCy pipeline is loaded once per worker process by
its cached loader) and returns one outcome per document. The driver takes the outcomes in task
order, settles the ids (`pipeline.ids`: a second copy is skipped, an id reused for another text
is renamed and that article processed again under its new name), then clusters once and writes
the sinks (`pipeline.publish`), as the local engine does.

Tasks are pure: when a worker dies (kill -9, a lost node), the scheduler runs its tasks again
on the others, and the output does not change. Without a scheduler address a LocalCluster of
`workers` processes is started for the run.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from distributed import Client, Future, LocalCluster

from pipeline.errors import ConfigError, ParseError
from pipeline.ids import ArticleIds, fingerprint
from pipeline.outcomes import BATCH, Item, Outcome, document_outcomes, failed, local_outcomes
from pipeline.source import InputFailure, Span, discover, jsonl_spans, read_documents, read_span
from schemas.document import RawDocument
from schemas.settings import MAX_ARTICLE_CHARS, Settings

__all__ = ["Task", "cluster_outcomes", "dask_client", "dask_outcomes", "run_task", "tasks"]

Task = tuple[str, Span | None]  # a file read whole, or one span of lines of a JSONL file
_CONNECT_SECONDS = 30


@contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[Client]:
    """A client of the scheduler at `scheduler` (else `DASK_SCHEDULER_ADDRESS`), or of a
    LocalCluster of `workers` single-threaded worker processes started for the run."""
    logging.getLogger("distributed").setLevel(logging.ERROR)  # its progress notes are not the run's
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if address:
        try:
            client = Client(address, timeout=_CONNECT_SECONDS)
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {address} ({exc})") from exc
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def tasks(paths: Iterable[Path], task_lines: int) -> Iterator[Task | InputFailure]:
    """The inputs under `paths` as tasks, in input order; an input that cannot even be listed
    is its failure, in its place."""
    for item in discover(paths):
        if isinstance(item, InputFailure):
            yield item
            continue
        spans = jsonl_spans(item, task_lines)
        if spans is None:
            yield str(item), None
        else:
            yield from ((str(item), span) for span in spans)


def run_task(
    task: Task,
    max_bytes: int,
    max_chars: int = MAX_ARTICLE_CHARS,
    keep: bool = False,
    renames: dict[str, str] | None = None,
) -> list[Outcome]:
    """On a worker: one outcome per input of `task`, each keyed by the id it was read with and
    the fingerprint of its text; with `renames` (origin -> id), only those documents, under
    their new ids."""
    path, span = Path(task[0]), task[1]
    items = read_span(path, max_bytes, span) if span else read_documents([path], max_bytes)
    keys: deque[tuple[str, str] | None] = deque()

    def documents() -> Iterator[Item]:
        for item in items:
            if isinstance(item, InputFailure):
                if renames is None:  # else reported by the task's first run
                    keys.append(None)
                    yield failed(item.origin, str(item), read=False)
            elif renames is None:
                keys.append((item.id, fingerprint(item)))
                yield item
            elif item.origin in renames:
                keys.append(None)
                yield item.model_copy(update={"id": renames[item.origin]})

    out = []
    for outcome in local_outcomes(documents(), 1, max_chars, keep):
        key = keys.popleft()
        out.append(replace(outcome, key=key) if key else outcome)
    return out


def _where(task: Task) -> str:
    path, span = task
    return path if span is None else f"{path} (lines from {span[2]})"


def _settled(
    outcomes: list[Outcome], summary_renamed: list[str], ids: ArticleIds
) -> tuple[list[Outcome], dict[str, str]]:
    """The outcomes with the run's ids settled in order, and the documents to process again
    under a new id (origin -> id)."""
    out: list[Outcome] = []
    renames: dict[str, str] = {}
    for outcome in outcomes:
        if outcome.key is None:
            out.append(outcome)
            continue
        given, mark = outcome.key
        try:
            key, note = ids.admit_key(given, mark, outcome.origin)
        except ParseError as exc:
            out.append(failed(outcome.origin, str(exc)))
            continue
        if key is None:
            out.append(Outcome(outcome.origin, "skipped", str(note)))
            continue
        if note:
            summary_renamed.append(note)
        if key != given:
            renames[outcome.origin] = key
            continue
        out.append(outcome)
    return out, renames


def dask_outcomes(settings: Settings, renamed: list[str], ids: ArticleIds, keep: bool) -> Iterator[Outcome]:
    """Every input's outcome from the cluster, in input order (an article renamed for a reused
    id comes after the others: it is processed again under its new id); `renamed` gets the
    notes of the renamed ids."""
    with dask_client(settings.scheduler, settings.workers) as client:
        listed = list(tasks(settings.inputs, settings.task_lines))
        todo = [t for t in listed if not isinstance(t, InputFailure)]
        max_bytes, max_chars = settings.max_file_bytes, settings.max_article_chars
        futures: deque[Future] = deque(
            client.map(run_task, todo, max_bytes=max_bytes, max_chars=max_chars, keep=keep, pure=False)
        )
        again: list[tuple[Task, dict[str, str]]] = []
        for item in listed:
            if isinstance(item, InputFailure):
                yield failed(item.origin, str(item), read=False)
                continue
            job = futures.popleft()
            try:
                outcomes = job.result()
            except Exception as exc:  # the task itself broke (not one bad line): name it
                yield failed(item[0], f"{_where(item)}: the task failed: {type(exc).__name__}: {exc}")
                continue
            finally:
                job.release()
            done, renames = _settled(outcomes, renamed, ids)
            yield from done
            if renames:
                again.append((item, renames))
        for task, renames in again:
            yield from client.submit(run_task, task, max_bytes, max_chars, keep, renames, pure=False).result()


def cluster_outcomes(client: Client, docs: list[RawDocument], max_chars: int, keep: bool) -> list[Outcome]:
    """`document_outcomes` of in-memory documents (`incidents follow`), batches spread over the
    cluster, outcomes in order."""
    batches = [docs[n : n + BATCH] for n in range(0, len(docs), BATCH)]
    futures = client.map(document_outcomes, batches, max_chars=max_chars, keep_articles=keep, pure=False)
    return [outcome for batch in client.gather(futures) for outcome in batch]
