"""The `incidents` command: parse options, build `Settings`, call the pipeline."""

from __future__ import annotations

import argparse
import getpass
import logging
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline.display import OneLineFormatter, one_line
from pipeline.errors import ConfigError, PipelineError
from pipeline.feeds import read_feed_list
from pipeline.fetch import FetchOptions
from pipeline.follow import FollowOptions, FollowSummary, follow
from pipeline.guard import trusted_network
from pipeline.run import RunSummary, check_paths, run
from schemas.settings import MAX_ARTICLE_CHARS, MAX_PARSE_CHARS, Settings

__all__ = ["main"]


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {text}")
    return value


def _megabytes(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number of megabytes above 0, not {text}")
    return value


def _article_chars(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_PARSE_CHARS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_PARSE_CHARS:,}, not {text}")
    return value


def _network(text: str) -> str:
    try:
        return str(trusted_network(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class _Removed(argparse.Action):
    """An option that is gone: say what replaces it instead of "unrecognized arguments"."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        parser.error(f"{self.option_strings[0]} is gone: {self.const}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="incidents", description="Cyber-security news in, one JSON record per incident out."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ext = sub.add_parser("extract", help="extract incidents from files and folders of articles")
    ext.add_argument(
        "paths",
        nargs="+",
        type=Path,
        help=".html/.htm, .txt (first line: title), .jsonl, each also as .gz",
    )
    ext.add_argument("-o", "--output", type=Path, default=Path("out/incidents.jsonl"), help="JSONL output")
    ext.add_argument("--db", help="SQLite file or postgresql:// URL to upsert the incidents into")
    ext.add_argument("--stix", type=Path, metavar="FILE", help="STIX 2.1 bundle of the incidents")
    ext.add_argument("--misp", type=Path, metavar="FILE", help="MISP JSON, one event per incident")
    ext.add_argument("--misp-feed", type=Path, metavar="DIR", help="static MISP feed of the incidents")
    ext.add_argument("--per-article", action="store_true", help="one record per article, no merging")
    ext.add_argument("--max-file-mb", type=_megabytes, default=20.0, help="refuse larger inputs (default 20)")
    ext.add_argument(
        "--max-article-chars",
        type=_article_chars,
        default=MAX_ARTICLE_CHARS,
        metavar="N",
        help=f"refuse an article longer than N characters after cleaning (default {MAX_ARTICLE_CHARS:,})",
    )
    ext.add_argument(
        "-j", "--workers", type=_positive, default=1, help="parse in N processes (default 1; ~400 MB each)"
    )
    _engine_options(ext)
    ext.add_argument(
        "--task-lines",
        type=_positive,
        default=16,
        metavar="N",
        help="with --engine dask: JSONL lines per task (default 16; more for millions of articles)",
    )
    ext.add_argument("-q", "--quiet", action="store_true", help="no progress, errors only")
    ext.add_argument("--include-rejected", action="store_true", help="export incidents an analyst rejected")
    fol = sub.add_parser("follow", help="poll news feeds, extract incidents from new articles (for cron)")
    fol.add_argument("feed_urls", nargs="*", metavar="FEED_URL", help="RSS, Atom or JSON Feed URLs")
    fol.add_argument("--feeds", type=Path, help="file of feed URLs: one a line, or an OPML export")
    fol.add_argument("--state", type=Path, default=Path("out/follow-state.sqlite"), help="state database")
    fol.add_argument("-o", "--output", type=Path, required=True, help="JSONL of every incident so far")
    fol.add_argument("--changed", type=Path, help="JSONL of the incidents this run created or updated")
    fol.add_argument("--db", help="SQLite file or postgresql:// URL to upsert the incidents into")
    fol.add_argument(
        "--max-items",
        type=_count,
        default=100,
        metavar="N",
        help="process at most N items of each feed this run; the rest wait (default 100)",
    )
    fol.add_argument(
        "--max-run-seconds",
        type=_seconds,
        default=900.0,
        metavar="S",
        help="run deadline: after S seconds nothing new is fetched or extracted; what is left waits "
        "for the next run (default 900)",
    )
    fol.add_argument(
        "--relevance", action="store_true", help="extract only articles passing the keyword gate"
    )
    fol.add_argument(
        "--delay", type=float, default=1.0, help="seconds between requests to one host (default 1)"
    )
    fol.add_argument(
        "--allow-network",
        action="append",
        default=[],
        type=_network,
        metavar="CIDR",
        help="trust this non-public network, e.g. an intranet feed's 10.0.0.0/8 (repeatable; never "
        "a network that reaches public addresses)",
    )
    fol.add_argument(
        "--allow-private",
        action=_Removed,
        nargs=0,
        const="give the networks to trust with --allow-network CIDR (e.g. 10.0.0.0/8)",
        help=argparse.SUPPRESS,
    )
    fol.add_argument(
        "-j", "--workers", type=_positive, default=1, help="extract in N processes (default 1; ~400 MB each)"
    )
    _engine_options(fol)
    fol.add_argument("-q", "--quiet", action="store_true", help="errors only")
    fol.add_argument("--include-rejected", action="store_true", help="export incidents an analyst rejected")
    srv = sub.add_parser("serve", help="the review page: browse, confirm, reject and correct incidents")
    srv.add_argument("--db", default="out/incidents.sqlite", help="SQLite file or postgresql:// URL")
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    srv.add_argument("--port", type=_positive, default=8700, help="port (default 8700)")
    srv.add_argument(
        "--token",
        default=os.environ.get("INCIDENTS_REVIEW_TOKEN"),
        help="require this token (API: Authorization: Bearer; pages: sign in); required off loopback;"
        " default $INCIDENTS_REVIEW_TOKEN",
    )
    srv.add_argument("--reviewer", default=getpass.getuser(), help="name recorded with each action")
    return parser


def _engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local: this machine, -j processes; dask: a Dask cluster, same output (pip install .[dask])",
    )
    parser.add_argument(
        "--scheduler",
        default=os.environ.get("DASK_SCHEDULER_ADDRESS"),
        metavar="tcp://HOST:8786",
        help="with --engine dask: the scheduler to use (default $DASK_SCHEDULER_ADDRESS; "
        "without one, a local cluster of -j workers is started)",
    )


def _follow(args: argparse.Namespace) -> int:
    """`incidents follow`: exit 0 when every feed and item succeeded, 1 when anything failed."""
    try:
        listed = read_feed_list(args.feeds) if args.feeds else []
    except PipelineError as exc:
        _say(f"error: {exc}")
        return 1
    feeds = tuple(dict.fromkeys([*args.feed_urls, *listed]))
    if not feeds:
        _say("error: no feeds: give FEED_URL arguments or --feeds FILE")
        return 2
    options = FollowOptions(
        feeds=feeds,
        state=args.state,
        output=args.output,
        changed=args.changed,
        db=args.db,
        max_items=args.max_items,
        max_run_seconds=args.max_run_seconds,
        relevance=args.relevance,
        fetch=FetchOptions(delay=args.delay, allowed_networks=tuple(args.allow_network)),
        include_rejected=args.include_rejected,
        feed_list=args.feeds,
        workers=args.workers,
        engine=args.engine,
        scheduler=args.scheduler,
    )
    return _report(lambda: follow(options))


def _say(line: str) -> None:
    """Print one line to stderr, with what came from outside unable to break it (`one_line`)."""
    print(one_line(line), file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    """`incidents serve`: runs until interrupted; 2 when the options do not allow serving."""
    from pipeline.review.app import ServeOptions, serve  # the web stack only for this command

    try:
        serve(ServeOptions(args.db, args.host, args.port, args.token, args.reviewer))
    except PipelineError as exc:
        _say(f"error: {exc}")
        return 2
    return 0


def _report(job: Callable[[], RunSummary | FollowSummary]) -> int:
    """Run a job, print its summary to stderr; 1 when it failed or anything in it did."""
    try:
        summary = job()
    except PipelineError as exc:
        _say(f"error: {exc}")
        return 1
    for line in summary.lines():
        _say(line)
    return 0 if summary.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when every input was processed, 1 when any failed, 2 on bad usage."""
    args = _parser().parse_args(argv)
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter("%(levelname)s %(message)s"))
    logging.basicConfig(
        level=logging.ERROR if getattr(args, "quiet", False) else logging.WARNING, handlers=[handler]
    )
    if args.command == "follow":
        return _follow(args)
    if args.command == "serve":
        return _serve(args)
    settings = Settings(
        inputs=args.paths,
        output=args.output,
        db=args.db,
        stix=args.stix,
        misp=args.misp,
        misp_feed=args.misp_feed,
        per_article=args.per_article,
        max_file_bytes=max(1, int(args.max_file_mb * 1_000_000)),
        max_article_chars=args.max_article_chars,
        progress=sys.stderr.isatty() and not args.quiet,
        workers=args.workers,
        engine=args.engine,
        scheduler=args.scheduler,
        task_lines=args.task_lines,
        include_rejected=args.include_rejected,
    )
    try:
        check_paths(settings)
    except ConfigError as exc:
        _say(f"error: {exc}")
        return 2
    return _report(lambda: run(settings))


if __name__ == "__main__":
    sys.exit(main())
