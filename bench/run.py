"""`make bench`: articles per second for clean, extract and end to end, and peak memory; then
extraction time against article length (100k, 200k, 400k characters: it must be linear), and the
time a batch takes to answer for a 2,000,000-character article and a 40,000-character title.

The bundled fixtures are repeated until there are at least `--articles` inputs (1,000 by
default), each copy with a unique id so nothing is cached. End to end is also given as a ratio
of the spaCy pipeline's own speed on the same articles in the same run (what the rules,
cleaning, clustering and writing cost, whatever the machine's speed). The stages and the first end-to-end
run use this one process, on one core; a second end-to-end run uses `--workers` processes
(default: one per CPU).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from roundup import roundup

from pipeline.clean import clean
from pipeline.errors import SkipArticle
from pipeline.extract import extract_article, extract_articles
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


def _long_articles() -> None:
    """CPU seconds to parse and extract one long invented roundup, by length; then a 2,000,000-
    character article and a 40,000-character title through `incidents extract`, wall seconds."""
    nlp = load_nlp()
    print("long articles (one process, CPU seconds to parse + extract; linear means ~2.0 per doubling):")
    base = 0.0
    for chars in (100_000, 200_000, 400_000):
        article = Article(id=f"long-{chars}", origin="bench", text=roundup(chars))
        start = time.process_time()
        extract_article(article, nlp)
        seconds = time.process_time() - start
        base = base or seconds
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  {chars:>9,} chars  {seconds:6.1f} s  x{seconds / base:4.2f} of 100k  peak {peak:.0f} MiB")
    with tempfile.TemporaryDirectory() as tmp:
        huge = roundup(2_000_000, seed=1)
        title = " ".join(f"Quorvane{n} Logistics Breach Hits Customers" for n in range(1, 1200))[:40_000]
        cases = {
            "a 2,000,000-character article": {"id": "huge", "title": "Roundup", "text": huge},
            "a 40,000-character title": {"id": "title", "title": title, "text": roundup(3_000, seed=2)},
        }
        for label, row in cases.items():
            batch = Path(tmp) / f"{row['id']}.jsonl"
            batch.write_text(json.dumps(row) + "\n", encoding="utf-8")
            start = time.perf_counter()
            summary = run(Settings(inputs=[batch], output=Path(tmp) / "out.jsonl", per_article=True))
            seconds = time.perf_counter() - start
            result = (summary.failed or [f"{summary.incidents} incident record"])[0]
            print(f"  {label}: {seconds:.1f} s, {result.split(': ', 1)[-1]}")


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

    nlp = load_nlp()
    t = time.perf_counter()
    for _ in nlp.pipe(article.text for article in articles):
        pass
    nlp_seconds = time.perf_counter() - t
    _rate("nlp only (spaCy)", len(articles), nlp_seconds)

    t = time.perf_counter()
    findings = list(extract_articles(articles))
    _rate("extract", len(articles), time.perf_counter() - t)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"  # the outputs may not be inside an input folder
        folder.mkdir()
        _copies(folder, args.articles)
        t = time.perf_counter()
        summary = run(
            Settings(inputs=[folder], output=Path(tmp) / "out.jsonl", db=str(Path(tmp) / "db.sqlite"))
        )
        e2e_seconds = time.perf_counter() - t
        _rate("end-to-end", summary.read, e2e_seconds)
        ratio = (summary.read / e2e_seconds) / (len(articles) / nlp_seconds)
        print(f"end-to-end speed / nlp-only speed: {ratio:.2f} (the same articles, this run)")
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
    _long_articles()
    return 0


if __name__ == "__main__":
    sys.exit(main())
