"""`incidents follow` against real feeds and pages served on 127.0.0.1, with a real state database."""

from __future__ import annotations

import fcntl
import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from httpserver import LoopbackServer, send

from pipeline.cli import main
from pipeline.fetch import FetchOptions
from pipeline.follow import FollowLocked, FollowOptions, FollowSummary, follow
from pipeline.source import article_id
from schemas.incident import IncidentRecord

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = ("127.0.0.0/8",)
FAST = FetchOptions(
    allowed_networks=LOOPBACK, delay=0.0, retries=0, backoff=0.05, read_timeout=1.0, total_timeout=5.0
)
COMPANIES = [
    ("Hollowbrook Logistics", "logistics", "42,000"),
    ("Marrow Peak Savings Bank", "banking", "18,500"),
    ("Tesselgrain Foods", "food", "7,300"),
    ("Ombrell Health Partners", "healthcare", "96,000"),
    ("Vantry Mutual Insurance", "insurance", "12,900"),
    ("Quillon Freight Lines", "transport", "3,400"),
    ("Sorrelridge Credit Union", "banking", "61,000"),
    ("Pendlewick Marine Supply", "retail", "5,250"),
]
PUBDATE = "Tue, 04 Mar 2025 10:00:00 GMT"


def article(n: int) -> str:
    """A fictional incident report page (one per company)."""
    name, sector, count = COMPANIES[n]
    title = f"{name} discloses ransomware attack"
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>{title}</h1>
<p>{name}, a {sector} company, said on Monday that a ransomware gang broke into its network on
March 1, 2025 and stole files holding the names and email addresses of {count} customers.</p>
<p>The company discovered the intrusion on March 2 after staff could not open shared files. It has
notified regulators, reset employee passwords and hired an outside forensic firm.</p>
<p>{name} said the investigation is ongoing and that it will contact affected customers by post.</p>
</article><footer>Copyright Example News</footer></body></html>"""


def rss(server: LoopbackServer, items: list[tuple[int, str, str]]) -> str:
    """An RSS 2.0 feed of (company number, GUID, link path) items, all with the same pubDate."""
    entries = "".join(
        f"<item><title>{COMPANIES[n][0]} discloses ransomware attack</title>"
        f"<link>{server.url(path)}</link><guid isPermaLink='false'>{guid}</guid>"
        f"<pubDate>{PUBDATE}</pubDate><description>Report number {n}.</description></item>"
        for n, guid, path in items
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Desk</title>{entries}</channel></rss>"


def serve_feed(server: LoopbackServer, path: str, body: str, etag: str = '"1"') -> None:
    """A feed that answers 304 when the client already has `etag`."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        if request.headers.get("If-None-Match") == etag:
            send(request, 304, headers={"ETag": etag})
        else:
            send(request, 200, body.encode(), {"Content-Type": "application/rss+xml", "ETag": etag})

    server.route(path, handler)


def serve_articles(server: LoopbackServer, numbers: range) -> None:
    for n in numbers:
        server.serve(f"/a/{n}.html", article(n), {"Content-Type": "text/html; charset=utf-8"})


def options(tmp_path: Path, *feeds: str, **kwargs: object) -> FollowOptions:
    defaults: dict[str, object] = {
        "state": tmp_path / "state.sqlite",
        "output": tmp_path / "incidents.jsonl",
        "changed": tmp_path / "changed.jsonl",
        "fetch": FAST,
    }
    return FollowOptions(feeds=feeds, **{**defaults, **kwargs})  # type: ignore[arg-type]


def statuses(state: Path) -> dict[str, str]:
    with sqlite3.connect(state) as conn:
        return dict(conn.execute("SELECT link, status FROM items ORDER BY id").fetchall())


def stored_articles(state: Path) -> list[str]:
    with sqlite3.connect(state) as conn:
        return [row[0] for row in conn.execute("SELECT article_id FROM article_records ORDER BY article_id")]


def records(path: Path) -> list[IncidentRecord]:
    return [IncidentRecord.model_validate_json(line) for line in path.read_text("utf-8").splitlines()]


def source_ids(path: Path) -> list[str]:
    return sorted(s.article_id for r in records(path) for s in r.sources)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        yield srv


def test_new_items_picked_up_then_second_run_fetches_nothing(server: LoopbackServer, tmp_path: Path) -> None:
    serve_articles(server, range(3))
    serve_feed(server, "/feed.xml", rss(server, [(n, f"g{n}", f"/a/{n}.html") for n in range(3)]))
    opts = options(tmp_path, server.url("/feed.xml"))

    first = follow(opts)
    assert (first.ok, first.new_items, first.processed, first.articles) == (True, 3, 3, 3)
    assert set(statuses(opts.state).values()) == {"done"}
    stored = stored_articles(opts.state)
    assert stored and source_ids(opts.output) == stored
    assert records(opts.changed) == records(opts.output)
    output = opts.output.read_bytes()

    second = follow(opts)
    assert (second.ok, second.unchanged, second.new_items, second.processed, second.changed) == (
        True,
        1,
        0,
        0,
        0,
    )
    assert [server.hits[f"/a/{n}.html"] for n in range(3)] == [1, 1, 1]
    assert opts.output.read_bytes() == output and opts.changed.read_text() == ""
    feed_requests = [headers for path, headers in server.requests if path == "/feed.xml"]
    assert feed_requests[-1].get("If-None-Match") == '"1"'


def test_repeated_pubdate_changed_guid_and_tracking_link(server: LoopbackServer, tmp_path: Path) -> None:
    serve_articles(server, range(3))
    serve_feed(server, "/feed.xml", rss(server, [(0, "g0", "/a/0.html"), (1, "g1", "/a/1.html")]), '"1"')
    opts = options(tmp_path, server.url("/feed.xml"))
    assert follow(opts).new_items == 2

    republished = [
        (0, "renamed-guid-0", "/a/0.html"),
        (1, "g1", "/a/1.html?utm_source=feed"),
        (2, "g2", "/a/2.html"),
    ]
    serve_feed(server, "/feed.xml", rss(server, republished), '"2"')
    summary = follow(opts)
    assert (summary.ok, summary.new_items, summary.processed) == (True, 1, 1)
    assert [server.hits[f"/a/{n}.html"] for n in range(3)] == [1, 1, 1]
    assert server.hits["/a/1.html?utm_source=feed"] == 0
    assert len(stored_articles(opts.state)) == len(set(stored_articles(opts.state)))


def test_failed_page_retried_on_later_runs_then_reported(server: LoopbackServer, tmp_path: Path) -> None:
    serve_articles(server, range(1))
    server.serve("/a/1.html", b"oops", status=500)
    server.sequence(
        "/a/2.html", [lambda r: send(r, 503, b"busy"), lambda r: send(r, 200, article(2).encode())]
    )
    items = [(0, "g0", "/a/0.html"), (1, "g1", "/a/1.html"), (2, "g2", "/a/2.html")]
    serve_feed(server, "/feed.xml", rss(server, items))
    opts = options(tmp_path, server.url("/feed.xml"))

    runs: list[FollowSummary] = [follow(opts) for _ in range(4)]
    assert [r.ok for r in runs] == [False, False, False, True]
    assert f"{server.url('/a/1.html')}: HTTP 500 (attempt 1 of 3, retried next run)" in runs[0].failed
    assert any("gave up after 3 attempts" in f and "/a/1.html" in f for f in runs[2].failed)
    assert runs[3].gave_up_before == 1 and runs[3].processed == 0
    assert server.hits["/a/1.html"] == 3 and server.hits["/a/2.html"] == 2
    assert statuses(opts.state) == {
        server.url("/a/0.html"): "done",
        server.url("/a/1.html"): "gave_up",
        server.url("/a/2.html"): "done",
    }


def test_robots_disallowed_item_is_skipped_and_reported(server: LoopbackServer, tmp_path: Path) -> None:
    server.serve("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    server.serve("/private/1.html", article(1))
    serve_articles(server, range(1))
    serve_feed(server, "/feed.xml", rss(server, [(0, "g0", "/a/0.html"), (1, "g1", "/private/1.html")]))
    summary = follow(options(tmp_path, server.url("/feed.xml")))
    assert summary.ok and server.hits["/private/1.html"] == 0
    assert summary.skipped == [f"{server.url('/private/1.html')}: disallowed by {server.url('')}/robots.txt"]
    assert statuses(tmp_path / "state.sqlite")[server.url("/private/1.html")] == "skipped"


def test_bad_feeds_reported_and_the_rest_go_on(server: LoopbackServer, tmp_path: Path) -> None:
    serve_articles(server, range(1))
    serve_feed(server, "/good.xml", rss(server, [(0, "g0", "/a/0.html")]))
    server.serve("/broken.xml", "<rss><channel><item><title>cut", {"Content-Type": "application/rss+xml"})
    server.route("/stalled.xml", server.stall(30))
    feeds = [server.url(p) for p in ("/broken.xml", "/stalled.xml", "/good.xml")]
    start = time.monotonic()
    summary = follow(options(tmp_path, *feeds))
    assert time.monotonic() - start < 10
    assert not summary.ok and summary.processed == 1 and summary.articles == 1
    broken, stalled = sorted(summary.failed)
    assert broken.startswith(f"feed {feeds[0]}: malformed feed XML")
    assert stalled.startswith(f"feed {feeds[1]}: read timed out")
    with sqlite3.connect(tmp_path / "state.sqlite") as conn:
        failing = conn.execute("SELECT url, failures FROM feeds WHERE last_status = 'failed' ORDER BY url")
        assert failing.fetchall() == [(feeds[0], 1), (feeds[1], 1)]


def test_relevance_gate_skips_off_topic_pages(server: LoopbackServer, tmp_path: Path) -> None:
    serve_articles(server, range(1))
    bakery = "<p>The bakery on Harbour Street reopened today with a new sourdough oven and longer hours.</p>"
    server.serve(
        "/a/bakery.html", f"<html><head><title>Bakery reopens</title></head><body>{bakery}</body></html>"
    )
    feed = rss(server, [(0, "g0", "/a/0.html")]).replace(
        "</channel>",
        f"<item><title>Bakery reopens</title><link>{server.url('/a/bakery.html')}</link></item></channel>",
    )
    serve_feed(server, "/feed.xml", feed)
    summary = follow(options(tmp_path, server.url("/feed.xml"), relevance=True))
    assert (summary.irrelevant, summary.articles, summary.processed) == (1, 1, 2)
    assert statuses(tmp_path / "state.sqlite")[server.url("/a/bakery.html")] == "skipped"


def test_signed_link_fetched_as_given_canonical_only_the_key(server: LoopbackServer, tmp_path: Path) -> None:
    """A page that checks its query string byte for byte (signed URLs do) is fetched as linked;
    before, the canonical form (`?id` as `?id=`, parameters sorted) was fetched and refused."""
    given = "/a/0.html?sig=Zx9q&id&b=2&utm_source=feed"

    def signed(request: BaseHTTPRequestHandler) -> None:
        if request.path == given:
            send(request, 200, article(0).encode(), {"Content-Type": "text/html; charset=utf-8"})
        else:
            send(request, 403, b"bad signature")

    server.route("/a/0.html", signed)
    serve_feed(server, "/feed.xml", rss(server, [(0, "g0", given.replace("&", "&amp;"))]))
    opts = options(tmp_path, server.url("/feed.xml"))
    summary = follow(opts)
    assert (summary.ok, summary.articles) == (True, 1), summary.failed
    assert [path for path, _ in server.requests if path.startswith("/a/")] == [given]
    assert statuses(opts.state) == {server.url(given): "done"}
    canonical = server.url("/a/0.html?b=2&id=&sig=Zx9q")
    assert stored_articles(opts.state) == [article_id(canonical)]  # the key: same id as before the change
    with sqlite3.connect(opts.state) as conn:
        keys = {row[0] for row in conn.execute("SELECT key FROM item_keys WHERE key LIKE 'link:%'")}
    assert keys == {f"link:{canonical}"}


def test_rss_served_as_application_json_is_read_as_rss(server: LoopbackServer, tmp_path: Path) -> None:
    serve_articles(server, range(1))
    server.serve("/feed", rss(server, [(0, "g0", "/a/0.html")]), {"Content-Type": "application/json"})
    summary = follow(options(tmp_path, server.url("/feed")))
    assert (summary.ok, summary.new_items, summary.articles) == (True, 1, 1), summary.failed


def test_lock_refuses_an_overlapping_run(tmp_path: Path) -> None:
    opts = options(tmp_path, "http://127.0.0.1:9/feed.xml")
    with (tmp_path / "state.sqlite.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("4242")
        held.flush()
        with pytest.raises(FollowLocked, match=r"another follow run \(pid 4242\) is running"):
            follow(opts)
    assert not opts.output.exists()


def test_cli_follow_with_opml_feed_list(server: LoopbackServer, tmp_path: Path) -> None:
    serve_articles(server, range(2))
    serve_feed(server, "/feed.xml", rss(server, [(0, "g0", "/a/0.html"), (1, "g1", "/a/1.html")]))
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        f'<opml version="2.0"><body><outline type="rss" xmlUrl="{server.url("/feed.xml")}"/></body></opml>'
    )
    out, db = tmp_path / "incidents.jsonl", tmp_path / "incidents.sqlite"
    args = ["follow", "--feeds", str(opml), "--state", str(tmp_path / "s.sqlite"), "-o", str(out)]
    assert main([*args, "--db", str(db), "--allow-network", "127.0.0.0/8", "--delay", "0", "-q"]) == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == len(records(out)) > 0


def test_cli_follow_refuses_loopback_without_allow_network(server: LoopbackServer, tmp_path: Path) -> None:
    serve_feed(server, "/feed.xml", rss(server, [(0, "g0", "/a/0.html")]))
    out = tmp_path / "incidents.jsonl"
    code = main(
        ["follow", server.url("/feed.xml"), "--state", str(tmp_path / "s.sqlite"), "-o", str(out), "-q"]
    )
    assert code == 1 and server.hits["/feed.xml"] == 0 and out.read_text() == ""


def test_cli_follow_trusting_loopback_still_refuses_a_redirect_to_metadata(
    server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--allow-network 127.0.0.0/8 trusts loopback only: the metadata address stays refused."""
    serve_articles(server, range(1))
    server.serve("/a/1.html", b"", {"Location": "http://169.254.169.254/latest/meta-data/"}, status=302)
    serve_feed(server, "/feed.xml", rss(server, [(0, "g0", "/a/0.html"), (1, "g1", "/a/1.html")]))
    args = ["follow", server.url("/feed.xml"), "--state", str(tmp_path / "s.sqlite"), "-o"]
    args += [str(tmp_path / "out.jsonl"), "--delay", "0", "--allow-network", "10.9.0.0/16"]
    assert main([*args, "--allow-network", "127.0.0.0/8"]) == 1
    err = capsys.readouterr().err
    assert "169.254.169.254 is a link-local address" in err and "1 articles extracted" in err
    assert server.hits["/a/0.html"] == 1


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--allow-network", "0.0.0.0/0"], "0.0.0.0/0 reaches public addresses"),
        (["--allow-network", "::/0"], "::/0 reaches public addresses"),
        (["--allow-network", "127.0.0.0/8", "--allow-network", "100.0.0.0/6"], "100.0.0.0/6 reaches public"),
        (["--allow-private"], "--allow-private is gone: give the networks to trust with --allow-network"),
    ],
)
def test_cli_follow_refuses_all_addresses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["follow", "http://127.0.0.1:9/feed.xml", "-o", str(tmp_path / "out.jsonl"), *option])
    assert exited.value.code == 2 and message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_kill_9_mid_run_then_resume_processes_every_item_once(server: LoopbackServer, tmp_path: Path) -> None:
    """Killed while a page stalls (others done or in flight), then run again: each item exactly once."""
    count = len(COMPANIES)
    serve_articles(server, range(count - 1))
    stalled = f"/a/{count - 1}.html"
    server.sequence(stalled, [server.stall(60), lambda r: send(r, 200, article(count - 1).encode())])
    serve_feed(server, "/feed.xml", rss(server, [(n, f"g{n}", f"/a/{n}.html") for n in range(count)]))
    state, out = tmp_path / "state.sqlite", tmp_path / "incidents.jsonl"
    command = [sys.executable, "-m", "pipeline.cli", "follow", server.url("/feed.xml"), "--state", str(state)]
    command += ["-o", str(out), "--allow-network", "127.0.0.0/8", "--delay", "0", "-q"]

    victim = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and victim.poll() is None:
        done = statuses(state) if state.exists() and server.hits[stalled] else {}
        if sum(s == "done" for s in done.values()) >= 2:
            break
        time.sleep(0.05)
    assert victim.poll() is None, victim.stderr.read().decode() if victim.stderr else ""
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    if victim.stderr:
        victim.stderr.close()
    before = statuses(state)
    assert "pending" in before.values() and "done" in before.values() and not out.exists()

    resumed = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=60)
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert set(statuses(state).values()) == {"done"} and len(statuses(state)) == count
    stored = stored_articles(state)
    assert len(stored) == len(set(stored)) and source_ids(out) == stored
    refetched = [n for n in range(count - 1) if server.hits[f"/a/{n}.html"] > 1]
    assert all(before[server.url(f"/a/{n}.html")] != "done" for n in refetched)
    with sqlite3.connect(state) as conn:
        runs = conn.execute("SELECT finished IS NOT NULL, ok, summary FROM runs ORDER BY id").fetchall()
    assert [tuple(r[:2]) for r in runs] == [(0, None), (1, 1)]
    assert json.loads(runs[1][2])["new_items"] == 0


def test_feed_carried_article_without_link_and_max_items(server: LoopbackServer, tmp_path: Path) -> None:
    serve_articles(server, range(3))
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Desk",
        "items": [
            {"id": "inline-3", "title": "Inline report", "content_html": article(3)},
            *({"id": f"j{n}", "url": server.url(f"/a/{n}.html"), "title": f"Report {n}"} for n in range(3)),
        ],
    }
    server.serve("/feed.json", json.dumps(feed), {"Content-Type": "application/feed+json"})
    opts = options(tmp_path, server.url("/feed.json"), max_items=2)
    first = follow(opts)
    assert (first.new_items, first.processed, first.pending) == (4, 2, 2)
    second = follow(opts)
    assert (second.new_items, second.processed, second.pending, second.articles) == (0, 2, 0, 2)
    assert first.articles + second.articles == 4
    assert [server.hits[f"/a/{n}.html"] for n in range(3)] == [1, 1, 1]
    assert len(stored_articles(opts.state)) == len(source_ids(opts.output))


def test_follow_and_extract_sharing_one_sqlite_keep_each_others_incidents(
    server: LoopbackServer, tmp_path: Path
) -> None:
    db = tmp_path / "incidents.sqlite"
    earlier = [ROOT / "fixtures" / "text" / "ransomware-riverbend-health.txt"]
    assert (
        main(["extract", *map(str, earlier), "-o", str(tmp_path / "earlier.jsonl"), "--db", str(db), "-q"])
        == 0
    )
    extracted = source_ids(tmp_path / "earlier.jsonl")
    assert len(extracted) == 1
    serve_articles(server, range(2))
    serve_feed(server, "/feed.xml", rss(server, [(n, f"g{n}", f"/a/{n}.html") for n in range(2)]))
    opts = options(tmp_path, server.url("/feed.xml"), db=str(db))
    assert follow(opts).ok

    with sqlite3.connect(db) as conn:
        in_db = sorted(row[0] for row in conn.execute("SELECT article_id FROM sources"))
    assert set(extracted) < set(in_db) and len(in_db) == len(extracted) + 2
    assert source_ids(opts.output) == in_db
    again = tmp_path / "again.jsonl"
    assert main(["extract", *map(str, earlier), "-o", str(again), "--db", str(db), "-q"]) == 0
    assert source_ids(again) == in_db  # and extract, in turn, keeps what follow stored


def test_non_http_links_skipped_once_with_a_reason(server: LoopbackServer, tmp_path: Path) -> None:
    """javascript:, file:, data: and mailto: links: skipped on the first run (were failed 3 runs)."""
    links = [
        "javascript:alert(1)",
        "file:///etc/hostname",
        "data:text/html,<p>hi</p>",
        "http://[broken/host",  # before: a ValueError that ended the whole run
        "mailto:desk@example.org",
    ]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [{"id": f"odd{n}", "url": link, "title": f"Odd {n}"} for n, link in enumerate(links)],
    }
    server.serve("/feed.json", json.dumps(feed), {"Content-Type": "application/feed+json"})
    opts = options(tmp_path, server.url("/feed.json"))
    first = follow(opts)
    assert (first.ok, first.processed, len(first.skipped), first.failed) == (True, 5, 5, [])
    assert sum("not an http(s) link" in reason for reason in first.skipped) == 4
    assert any(reason.startswith("http://[broken/host: malformed link") for reason in first.skipped)
    assert any(reason.startswith("javascript:alert(1): not an http(s) link") for reason in first.skipped)
    assert set(statuses(opts.state).values()) == {"skipped"}
    second = follow(opts)
    assert (second.ok, second.processed, second.skipped) == (True, 0, [])


def test_max_items_is_per_feed_and_defaults_to_100(
    server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A big feed no longer makes a run of every item: each feed gives at most N per run."""
    for name, count in (("big", 101), ("small", 2)):
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "items": [{"id": f"{name}{n}", "url": f"mailto:{name}{n}@example.org"} for n in range(count)],
        }
        server.serve(f"/{name}.json", json.dumps(feed), {"Content-Type": "application/feed+json"})
    feeds = [server.url("/big.json"), server.url("/small.json")]
    args = ["follow", *feeds, "--state", str(tmp_path / "s.sqlite"), "-o", str(tmp_path / "out.jsonl")]
    args += ["--allow-network", "127.0.0.0/8", "--delay", "0"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "103 new items; processed 102: " in err and "; 1 left for the next run" in err
    summary = follow(options(tmp_path, *feeds, state=tmp_path / "t.sqlite", max_items=1))
    assert (summary.new_items, summary.processed, summary.pending) == (103, 2, 101)


def test_changed_content_under_a_seen_guid_is_processed_again(server: LoopbackServer, tmp_path: Path) -> None:
    """The same GUID with a new link and text: fetched again, its old record replaced, in --changed
    (before: ignored without a word)."""
    serve_articles(server, range(8))
    serve_feed(server, "/feed.xml", rss(server, [(0, "g0", "/a/0.html"), (1, "g1", "/a/1.html")]), '"1"')
    opts = options(tmp_path, server.url("/feed.xml"))
    assert follow(opts).articles == 2
    serve_feed(server, "/feed.xml", rss(server, [(5, "g0", "/a/5.html"), (1, "g1", "/a/1.html")]), '"2"')
    second = follow(opts)
    assert (second.ok, second.new_items, second.changed_items, second.processed) == (True, 0, 1, 1)
    assert any("changed under a GUID seen before" in line for line in second.lines())
    changed = opts.changed.read_text("utf-8")
    assert COMPANIES[5][0] in changed and COMPANIES[0][0] not in changed
    everything = opts.output.read_text("utf-8")
    assert COMPANIES[5][0] in everything and COMPANIES[0][0] not in everything
    assert len(stored_articles(opts.state)) == 2 and len(statuses(opts.state)) == 2
    assert [server.hits[f"/a/{n}.html"] for n in (0, 1, 5)] == [1, 1, 1]
    serve_feed(server, "/feed.xml", rss(server, [(5, "g0", "/a/5.html"), (1, "g1", "/a/1.html")]), '"3"')
    third = follow(opts)  # served again in full, nothing changed: nothing processed
    assert (third.changed_items, third.processed, third.changed) == (0, 0, 0)


def test_lock_holds_through_a_symlinked_state(server: LoopbackServer, tmp_path: Path) -> None:
    """A real process holds the lock; runs that name its state through symlinks are refused."""
    server.route("/feed.xml", server.stall(30))
    real = tmp_path / "real"
    real.mkdir()
    state = real / "state.sqlite"
    (tmp_path / "alias").symlink_to(real, target_is_directory=True)
    (tmp_path / "state-link.sqlite").symlink_to(state)
    command = [sys.executable, "-m", "pipeline.cli", "follow", server.url("/feed.xml"), "--state", str(state)]
    command += ["-o", str(tmp_path / "held.jsonl"), "--allow-network", "127.0.0.0/8", "--delay", "0", "-q"]
    holder = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 40
        while not server.hits["/feed.xml"] and time.monotonic() < deadline and holder.poll() is None:
            time.sleep(0.05)
        assert server.hits["/feed.xml"] == 1 and holder.poll() is None
        for alias in (tmp_path / "state-link.sqlite", tmp_path / "alias" / "state.sqlite"):
            with pytest.raises(FollowLocked, match=rf"another follow run \(pid {holder.pid}\)"):
                follow(options(tmp_path, server.url("/feed.xml"), state=alias))
        assert server.hits["/feed.xml"] == 1
    finally:
        holder.kill()
        holder.wait(timeout=10)


@pytest.mark.parametrize("flag", ["--db", "-o", "--changed"])
def test_state_that_is_also_an_output_is_refused_before_anything_runs(
    server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    serve_articles(server, range(1))
    serve_feed(server, "/feed.xml", rss(server, [(0, "g0", "/a/0.html")]))
    state = tmp_path / "state.sqlite"
    args = ["follow", server.url("/feed.xml"), "--state", str(state), "--allow-network", "127.0.0.0/8"]
    args += ["--delay", "0", "-q"]
    assert main([*args, "-o", str(tmp_path / "out.jsonl")]) == 0
    hits, before = server.hits["/feed.xml"], state.read_bytes()
    (tmp_path / "same.sqlite").symlink_to(state)
    outputs = {"-o": str(tmp_path / "out.jsonl")} | {flag: str(tmp_path / "same.sqlite")}
    capsys.readouterr()
    assert main([*args, *(part for pair in outputs.items() for part in pair)]) == 1
    assert f"given as --state and as {flag}" in capsys.readouterr().err
    assert server.hits["/feed.xml"] == hits and state.read_bytes() == before


def test_run_deadline_stops_a_dripping_run_and_the_items_wait(server: LoopbackServer, tmp_path: Path) -> None:
    """Before: no run deadline, each dripping page cost its whole request budget."""
    for n in range(3):
        server.route(f"/a/{n}.html", server.drip())
    serve_feed(server, "/feed.xml", rss(server, [(n, f"g{n}", f"/a/{n}.html") for n in range(3)]))
    slow_budget = FetchOptions(
        allowed_networks=LOOPBACK, delay=0, retries=0, read_timeout=2, total_timeout=30
    )
    opts = options(tmp_path, server.url("/feed.xml"), fetch=slow_budget, max_run_seconds=1.0)
    start = time.monotonic()
    summary = follow(opts)
    assert time.monotonic() - start < 4
    assert (summary.ok, summary.deadline, summary.processed, summary.pending) == (True, 1.0, 0, 3)
    assert any(line.startswith("run deadline of 1 s reached") for line in summary.lines())
    with sqlite3.connect(opts.state) as conn:
        assert conn.execute("SELECT status, attempts FROM items").fetchall() == [("pending", 0)] * 3
    serve_articles(server, range(3))
    later = follow(opts)
    assert (later.ok, later.deadline, later.articles, later.pending) == (True, None, 3, 0)


def test_run_deadline_during_polls(server: LoopbackServer, tmp_path: Path) -> None:
    server.route("/slow.xml", server.drip())
    serve_articles(server, range(1))
    serve_feed(server, "/fast.xml", rss(server, [(0, "g0", "/a/0.html")]))
    slow_budget = FetchOptions(
        allowed_networks=LOOPBACK, delay=0, retries=0, read_timeout=2, total_timeout=30
    )
    opts = options(
        tmp_path, server.url("/fast.xml"), server.url("/slow.xml"), fetch=slow_budget, max_run_seconds=1.0
    )
    summary = follow(opts)
    assert (summary.ok, summary.deadline, summary.not_polled, summary.new_items) == (True, 1.0, 1, 1)
    assert summary.lines()[0].startswith("polled 1 of 2 feeds")
    with sqlite3.connect(opts.state) as conn:
        assert conn.execute("SELECT url, last_status FROM feeds").fetchall() == [
            (server.url("/fast.xml"), "new items")
        ]


@pytest.mark.parametrize(
    ("option", "value"),
    [("--max-run-seconds", "0"), ("--max-run-seconds", "nan"), ("--max-run-seconds", "inf"),
     ("--max-run-seconds", "-5"), ("--max-items", "-1"), ("--max-items", "many")],
)  # fmt: skip
def test_cli_follow_refuses_meaningless_limits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["follow", "http://127.0.0.1:9/feed.xml", "-o", str(tmp_path / "out.jsonl"), option, value])
    assert exited.value.code == 2 and f"argument {option}" in capsys.readouterr().err


def test_retry_after_is_kept_in_the_state(tmp_path: Path) -> None:
    """A host that asks for an hour is not asked again by the next run (before: it was, and the
    item spent an attempt each time); another host is not held up; the item waits, then is done."""
    with LoopbackServer() as busy, LoopbackServer() as calm:
        busy.sequence(
            "/a/0.html",
            [
                lambda r: send(r, 429, b"", {"Retry-After": "3600"}),
                lambda r: send(r, 200, article(0).encode()),
            ],
        )
        serve_feed(busy, "/feed.xml", rss(busy, [(0, "g0", "/a/0.html")]))
        serve_articles(calm, range(1, 2))
        serve_feed(calm, "/feed.xml", rss(calm, [(1, "g1", "/a/1.html")]))
        opts = options(tmp_path, busy.url("/feed.xml"), calm.url("/feed.xml"))
        first = follow(opts)
        assert (first.ok, first.articles, first.pending) == (True, 1, 1)
        assert list(first.waiting) == [busy.url("")]
        assert f"waiting: {busy.url('')} asked (Retry-After) not to be contacted before" in "\n".join(
            first.lines()
        )

        serve_feed(calm, "/feed.xml", rss(calm, [(1, "g1", "/a/1.html"), (2, "g2", "/a/2.html")]), '"2"')
        serve_articles(calm, range(2, 3))
        second = follow(opts)
        assert (second.ok, second.articles, second.pending, list(second.waiting)) == (
            True,
            1,
            1,
            [busy.url("")],
        )
        assert busy.hits["/feed.xml"] == 1 and busy.hits["/a/0.html"] == 1
        with sqlite3.connect(opts.state) as conn:
            assert conn.execute("SELECT status, attempts FROM items WHERE guid = 'g0'").fetchone() == (
                "pending",
                0,
            )
            conn.execute("UPDATE hosts SET retry_after = '2000-01-01T00:00:00+00:00'")  # the hour has passed

        third = follow(opts)
        assert (third.ok, third.articles, third.pending, third.waiting) == (True, 1, 0, {})
        assert busy.hits["/feed.xml"] == 2 and busy.hits["/a/0.html"] == 2
        assert set(statuses(opts.state).values()) == {"done"}


def test_remote_guids_links_and_titles_cannot_forge_summary_lines(
    server: LoopbackServer, tmp_path: Path
) -> None:
    """Newlines, escape sequences and U+2028 from a feed are printed as escapes, on one line."""
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [
            {
                "id": "q1\nfailed: forged by the feed\u001b[2J",
                "content_html": "<p>Hi.</p>",
                "title": "T\u2028x",
            },
            {"id": "q2", "url": "javascript:\u001b]0;owned\u0007\rfailed: forged too", "title": "Two"},
            {"title": "Desk\u2028failed: forged three", "content_html": "<p>Hello.</p>"},
        ],
    }
    server.serve("/feed.json", json.dumps(feed), {"Content-Type": "application/feed+json"})
    command = [sys.executable, "-m", "pipeline.cli", "follow", server.url("/feed.json"), "--delay", "0"]
    command += ["--state", str(tmp_path / "s.sqlite"), "-o", str(tmp_path / "out.jsonl")]
    command += ["--allow-network", "127.0.0.0/8"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=120)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 0, err
    lines = err.splitlines()
    assert not any(line.startswith("failed:") for line in lines), err
    assert not any(c in err for c in "\x1b\x07\r\u2028"), err
    assert "q1\\nfailed: forged by the feed\\x1b[2J" in err
    assert "javascript:\\x1b]0;owned\\x07\\rfailed: forged too: not an http(s) link" in err
    assert "item Desk failed: forged three" in err  # a title's line separators are spaces
