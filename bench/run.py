"""`make bench`: articles per second for clean, extract and end to end, and peak memory.

The bundled fixtures are repeated until there are at least `--articles` inputs (1,000 by
default), each copy with a unique id so nothing is cached. The stages and the first end-to-end
run use this one process, on one core; a second end-to-end run uses `--workers` processes
(default: one per CPU).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from pipeline.clean import clean
from pipeline.errors import SkipArticle
from pipeline.extract import extract_articles
from pipeline.nlp import load_nlp
from pipeline.run import run
from pipeline.source import InputFailure, read_documents
from schemas.document import Article, RawDocument
from schemas.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _inputs(count: int) -> list[RawDocument]:
    base = [d for d in read_documents([ROOT / "fixtures"], 20_000_000) if not isinstance(d, InputFailure)]
    return [d.model_copy(update={"id": f"{d.id}-{n}"}) for n in range(count // len(base) + 1) for d in base][
        :count
    ]


def _copies(folder: Path, count: int) -> Path:
    """Write `count` fixture files into `folder`, each copy made unique so ids differ."""
    files = [p for p in sorted((ROOT / "fixtures").rglob("*")) if p.suffix in (".html", ".htm", ".txt")]
    for n in range(count):
        src = files[n % len(files)]
        marker = f"\n<!-- copy {n} -->\n" if src.suffix != ".txt" else "\n" + " " * (n + 1)
        (folder / f"{n:05d}{src.suffix}").write_text(
            src.read_text(encoding="utf-8") + marker, encoding="utf-8"
        )
    return folder


def _rate(label: str, n: int, seconds: float) -> None:
    print(f"{label:<24} {n:>6} articles  {seconds:7.2f} s  {n / seconds:8.1f} articles/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="also time a run with this many workers"
    )
    args = parser.parse_args()
    raws = _inputs(args.articles)
    load_nlp()

    t = time.perf_counter()
    articles: list[Article] = []
    for raw in raws:
        try:
            articles.append(clean(raw))
        except SkipArticle:
            continue
    _rate("clean", len(raws), time.perf_counter() - t)

    t = time.perf_counter()
    findings = list(extract_articles(articles))
    _rate("extract", len(articles), time.perf_counter() - t)

    with tempfile.TemporaryDirectory() as tmp:
        folder = _copies(Path(tmp), args.articles)
        t = time.perf_counter()
        summary = run(
            Settings(inputs=[folder], output=Path(tmp) / "out.jsonl", db=str(Path(tmp) / "db.sqlite"))
        )
        _rate("end-to-end", summary.read, time.perf_counter() - t)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if args.workers > 1:
            t = time.perf_counter()
            parallel = run(
                Settings(
                    inputs=[folder],
                    output=Path(tmp) / "out-parallel.jsonl",
                    db=str(Path(tmp) / "db-parallel.sqlite"),
                    workers=args.workers,
                )
            )
            _rate(f"end-to-end, {args.workers} workers", parallel.read, time.perf_counter() - t)
            workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"peak memory of a worker {workers_peak:.0f} MiB (max RSS)")
    print(f"{summary.lines()[0]}; findings in the extract pass: {len(findings)}")
    print(f"peak memory {peak:.0f} MiB (max RSS, one process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
