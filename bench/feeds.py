"""`make bench` (feeds): polling and end-to-end rates of `incidents follow` on loopback.

A feed server runs in a separate process on 127.0.0.1 (nothing else is contacted): `--feeds`
RSS feeds of `--items` items each, answering 304 to a matching `If-None-Match`, and article
pages made from the bundled fixtures (each copy made unique). The follower runs in this process
with the politeness delay off and 16 concurrent requests to the one host, so the figures are
the follower's own cost, not a crawl rate a real site would allow.

1. first poll: every feed is new; its items are parsed and recorded (none fetched: `max_items=0`);
2. unchanged poll: every feed answers 304 (the figure the issue asks for: feeds per minute);
3. end to end: a fresh state, `--e2e-feeds` feeds whose items are all new, fetched, cleaned,
   extracted, clustered and written (spaCy loaded beforehand, its load time shown apart); then
   `incidents extract` on the same pages as files, the rate follow is held to.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipeline.fetch import FetchOptions
from pipeline.follow import FollowOptions, FollowSummary, follow
from pipeline.nlp import load_nlp
from pipeline.run import run
from schemas.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FETCH = FetchOptions(allowed_networks=("127.0.0.0/8",), delay=0.0, per_host=16, max_concurrency=16)


def _pages() -> list[tuple[str, bytes]]:
    files = [p for p in sorted((ROOT / "fixtures").rglob("*")) if p.suffix in (".html", ".htm", ".txt")]
    if not files:
        raise SystemExit("bench/feeds.py needs article fixtures under fixtures/ (html or txt)")
    return [("text/plain" if p.suffix == ".txt" else "text/html", p.read_bytes()) for p in files]


def serve(items: int) -> None:
    """The feed server (child process): prints its port, serves until stdin closes."""
    pages = _pages()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            if parts[0] == "feed" and len(parts) == 2:
                feed = parts[1].removesuffix(".xml")
                etag = f'"{feed}-v1"'
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304, b"", {"ETag": etag})
                entries = "".join(
                    f"<item><title>Story {feed}-{n}</title><link>/a/{feed}/{n}.html</link>"
                    f"<guid isPermaLink='false'>{feed}-{n}</guid>"
                    f"<pubDate>Tue, 04 Mar 2025 10:00:00 GMT</pubDate>"
                    f"<description>Summary of story {feed}-{n}.</description></item>"
                    for n in range(items)
                )
                channel = f"<channel><title>{feed}</title>{entries}</channel>"
                body = f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>"
                return self._send(200, body.encode(), {"ETag": etag, "Content-Type": "application/rss+xml"})
            if parts[0] == "a" and len(parts) == 3:
                number = int(parts[1]) * items + int(parts[2].removesuffix(".html"))
                kind, content = pages[number % len(pages)]
                marker = f"\n<!-- copy {number} -->\n" if kind == "text/html" else "\n" + " " * (number + 1)
                headers = {"Content-Type": f"{kind}; charset=utf-8"}
                return self._send(200, content + marker.encode(), headers)
            return self._send(404, b"not found", {})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            """A client closing its idle keep-alive connection is normal here, not an error."""
            if not isinstance(sys.exc_info()[1], ConnectionError):
                super().handle_error(request, client_address)  # type: ignore[arg-type]

    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()


def _same_pages(folder: Path, count: int) -> Path:
    """The pages the server gives for the first `count` items, as files for `incidents extract`."""
    folder.mkdir()
    pages = _pages()
    for number in range(count):
        kind, content = pages[number % len(pages)]
        marker = f"\n<!-- copy {number} -->\n" if kind == "text/html" else "\n" + " " * (number + 1)
        suffix = ".html" if kind == "text/html" else ".txt"
        (folder / f"{number:05d}{suffix}").write_bytes(content + marker.encode())
    return folder


def _rate(label: str, feeds: int, seconds: float, what: str, summary: FollowSummary) -> None:
    print(
        f"{label:<15}{feeds:>6} feeds     {seconds:7.2f} s  {feeds / seconds * 60:9.0f} feeds/min"
        f"  ({what}, {len(summary.failed)} failures)"
    )


def _timed(options: FollowOptions) -> tuple[FollowSummary, float]:
    start = time.perf_counter()
    summary = follow(options)
    return summary, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--e2e-feeds", type=int, default=10, help="feeds for the end-to-end part")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.items)
        return 0
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--items", str(args.items)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        base = f"http://127.0.0.1:{child.stdout.readline().strip()}"
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            feeds = tuple(f"{base}/feed/{n}.xml" for n in range(args.feeds))
            poll = FollowOptions(
                feeds=feeds,
                state=folder / "poll.sqlite",
                output=folder / "poll.jsonl",
                max_items=0,
                fetch=FETCH,
            )
            first, seconds = _timed(poll)
            _rate("first poll", len(feeds), seconds, f"{first.new_items} new items recorded", first)
            again, seconds = _timed(poll)
            _rate("unchanged poll", len(feeds), seconds, f"{again.unchanged} answered 304", again)
            start = time.perf_counter()
            load_nlp()
            print(f"spaCy load     {time.perf_counter() - start:7.2f} s (not counted below)")
            e2e = FollowOptions(
                feeds=tuple(f"{base}/feed/{n}.xml" for n in range(args.e2e_feeds)),
                state=folder / "e2e.sqlite",
                output=folder / "e2e.jsonl",
                fetch=FETCH,
            )
            done, seconds = _timed(e2e)
            rate = done.processed / seconds
            print(
                f"end to end     {done.processed:>6} articles  {seconds:7.2f} s  {rate:9.1f} articles/s"
                f"  ({done.articles} extracted, {done.incidents} incidents, {len(done.failed)} failures)"
            )
            pages = _same_pages(folder / "pages", args.e2e_feeds * args.items)
            start = time.perf_counter()
            batch = run(Settings(inputs=[pages], output=folder / "extract.jsonl"))
            extract_rate = batch.read / (time.perf_counter() - start)
            print(
                f"extract        {batch.read:>6} articles  (the same pages as files) {extract_rate:9.1f} "
                f"articles/s; follow reaches x{rate / extract_rate:.2f} of it"
            )
    finally:
        child.terminate()
        child.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
