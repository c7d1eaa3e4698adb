"""The `incidents` command: parse options, build `Settings`, call the pipeline."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.run import run
from schemas.settings import Settings

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="incidents", description="Cyber-security news in, one JSON record per incident out."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ext = sub.add_parser("extract", help="extract incidents from files and folders of articles")
    ext.add_argument("paths", nargs="+", type=Path, help=".html/.htm, .txt (first line: title), .jsonl")
    ext.add_argument("-o", "--output", type=Path, default=Path("out/incidents.jsonl"), help="JSONL output")
    ext.add_argument("--db", help="SQLite file to upsert the incidents into")
    ext.add_argument("--per-article", action="store_true", help="one record per article, no merging")
    ext.add_argument("--max-file-mb", type=float, default=20.0, help="refuse larger inputs (default 20)")
    ext.add_argument("-q", "--quiet", action="store_true", help="no progress, errors only")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when every input was processed, 1 when any failed, 2 on bad usage."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.ERROR if args.quiet else logging.WARNING, format="%(levelname)s %(message)s"
    )
    settings = Settings(
        inputs=args.paths,
        output=args.output,
        db=args.db,
        per_article=args.per_article,
        max_file_bytes=int(args.max_file_mb * 1_000_000),
        progress=sys.stderr.isatty() and not args.quiet,
    )
    try:
        summary = run(settings)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in summary.lines():
        print(line, file=sys.stderr)
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
