"""The fetcher against a real misbehaving HTTP server on 127.0.0.1 (no other traffic)."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import time
import tracemalloc
from collections.abc import Coroutine
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeVar

import pytest
from httpserver import LoopbackServer, gzip_bomb, send

from pipeline.errors import ConfigError, FetchError
from pipeline.fetch import USER_AGENT, Fetcher, FetchOptions, Page, RetryLater, RobotsDisallowed, decode_text
from pipeline.guard import BlockedAddress, refusal_reason, trusted_network

T = TypeVar("T")
LOOPBACK = ("127.0.0.0/8",)
FAST = FetchOptions(
    allowed_networks=LOOPBACK,
    delay=0.0,
    backoff=0.05,
    connect_timeout=2.0,
    read_timeout=0.5,
    total_timeout=5.0,
    max_bytes=1_000_000,
)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 20))


async def _get(url: str, options: FetchOptions = FAST, **kwargs: Any) -> Page:
    async with Fetcher(options) as fetcher:
        return await fetcher.fetch(url, **kwargs)


@pytest.fixture
def server() -> Any:
    with LoopbackServer() as srv:
        yield srv


def test_fetch_sends_honest_user_agent_and_returns_validators(server: LoopbackServer) -> None:
    server.serve("/a", "<p>hello</p>", {"Content-Type": "text/html", "ETag": '"v1"'})
    page = _run(_get(server.url("/a")))
    assert (page.status, page.text(), page.etag) == (200, "<p>hello</p>", '"v1"')
    headers = dict(server.requests)["/a"]
    assert headers["User-Agent"] == USER_AGENT and "news-incident-pipeline" in USER_AGENT


def test_fetch_conditional_get_gets_304(server: LoopbackServer) -> None:
    def conditional(request: BaseHTTPRequestHandler) -> None:
        if request.headers.get("If-None-Match") == '"v1"':
            send(request, 304, headers={"ETag": '"v1"'})
        else:
            send(request, 200, b"<rss/>", {"ETag": '"v1"'})

    server.route("/feed", conditional)
    first = _run(_get(server.url("/feed")))
    second = _run(_get(server.url("/feed"), etag=first.etag))
    assert (first.status, second.status, second.not_modified, second.content) == (200, 304, True, b"")


def test_fetch_retries_500_then_succeeds(server: LoopbackServer) -> None:
    server.sequence("/flaky", [lambda r: send(r, 500, b"oops"), lambda r: send(r, 200, b"ok")])
    assert _run(_get(server.url("/flaky"))).content == b"ok"
    assert server.hits["/flaky"] == 2


def test_fetch_gives_up_after_bounded_retries(server: LoopbackServer) -> None:
    server.serve("/down", b"oops", status=503)
    with pytest.raises(FetchError, match="HTTP 503"):
        _run(_get(server.url("/down")))
    assert server.hits["/down"] == FAST.retries + 1


def test_fetch_waits_for_retry_after_on_429(server: LoopbackServer) -> None:
    server.sequence(
        "/busy", [lambda r: send(r, 429, b"", {"Retry-After": "1"}), lambda r: send(r, 200, b"ok")]
    )
    start = time.monotonic()
    assert _run(_get(server.url("/busy"))).content == b"ok"
    assert 0.9 <= time.monotonic() - start < 4


def test_fetch_refuses_retry_after_beyond_cap(server: LoopbackServer) -> None:
    server.serve("/later", b"", {"Retry-After": "3600"}, status=429)
    start = time.monotonic()
    with pytest.raises(FetchError, match="retry after 3600 s"):
        _run(_get(server.url("/later")))
    assert time.monotonic() - start < 2


def test_long_retry_after_holds_the_host_for_the_rest_of_the_run(server: LoopbackServer) -> None:
    server.serve("/busy", b"", {"Retry-After": "3600"}, status=429)
    server.serve("/other", b"ok")

    async def both(held: dict[str, float]) -> tuple[Fetcher, list[Page | BaseException]]:
        async with Fetcher(FAST, held=held) as fetcher:
            first = await asyncio.gather(fetcher.fetch(server.url("/busy")), return_exceptions=True)
            second = await asyncio.gather(fetcher.fetch(server.url("/other")), return_exceptions=True)
            return fetcher, first + second

    fetcher, (busy, other) = _run(both({}))
    assert isinstance(busy, RetryLater) and isinstance(other, RetryLater)
    assert other.origin == server.url("") and 3590 < other.until - time.time() <= 3600
    assert fetcher.held == {server.url(""): other.until} and server.hits["/other"] == 0
    passed = FetchOptions(allowed_networks=LOOPBACK, delay=0)
    held = {server.url(""): time.time() - 1}  # a hold that has passed holds nothing

    async def other() -> Page:
        async with Fetcher(passed, held=held) as fetcher:
            return await fetcher.fetch(server.url("/other"))

    assert _run(other()).content == b"ok" and server.hits["/other"] == 1


def test_stalling_server_times_out_and_others_go_on(server: LoopbackServer) -> None:
    server.route("/stall", server.stall(30))
    server.serve("/fine", b"fine")

    async def both() -> list[Page | BaseException]:
        async with Fetcher(FAST) as fetcher:
            return await asyncio.gather(
                fetcher.fetch(server.url("/stall")),
                fetcher.fetch(server.url("/fine")),
                return_exceptions=True,
            )

    start = time.monotonic()
    stalled, fine = _run(both())
    assert isinstance(stalled, FetchError) and "timed out" in str(stalled)
    assert isinstance(fine, Page) and fine.content == b"fine"
    assert time.monotonic() - start < FAST.total_timeout + 1


def test_total_budget_bounds_a_slow_drip(server: LoopbackServer) -> None:
    server.route("/drip", server.drip(100))
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"within 1\.5 s"):
        _run(_get(server.url("/drip"), FetchOptions(allowed_networks=LOOPBACK, delay=0, total_timeout=1.5)))
    assert time.monotonic() - start < 3


def test_truncated_body_is_an_error(server: LoopbackServer) -> None:
    def truncated(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Length", "5000")
        request.end_headers()
        request.wfile.write(b"only a little")
        request.close_connection = True

    server.route("/cut", truncated)
    with pytest.raises(FetchError, match="truncated"):
        _run(_get(server.url("/cut")))


def _stream_zeros(total: int, chunk: int = 65536) -> Any:
    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Connection", "close")
        request.end_headers()
        block = bytes(chunk)
        for _ in range(total // chunk):
            request.wfile.write(block)
        request.close_connection = True

    return handler


def test_60mb_body_refused_by_content_length_without_reading(server: LoopbackServer) -> None:
    def announced(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Length", str(60_000_000))
        request.end_headers()
        request.wfile.write(bytes(65536))
        request.close_connection = True

    server.route("/huge", announced)
    with pytest.raises(FetchError, match="60,000,000 bytes is larger than 1,000,000"):
        _run(_get(server.url("/huge")))


def test_60mb_body_without_length_is_streamed_and_abandoned(server: LoopbackServer) -> None:
    server.route("/huge", _stream_zeros(60_000_000))
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="larger than 1,000,000 bytes"):
            _run(_get(server.url("/huge")))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000


def test_gzip_bomb_refused_by_decompressed_size(server: LoopbackServer) -> None:
    bomb = gzip_bomb(100_000_000)
    assert len(bomb) < 200_000
    server.serve("/bomb", bomb, {"Content-Encoding": "gzip", "Content-Type": "text/html"})
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="larger than 1,000,000 bytes once decompressed"):
            _run(_get(server.url("/bomb")))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000


def test_gzip_body_is_decoded(server: LoopbackServer) -> None:
    server.serve("/gz", gzip.compress(b"<p>packed</p>"), {"Content-Encoding": "gzip"})
    assert _run(_get(server.url("/gz"))).content == b"<p>packed</p>"
    assert dict(server.requests)["/gz"]["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"Content-Type": "text/html; charset=windows-1252"}, "<p>Café “quoted” – dash</p>"),
        ({"Content-Type": "text/html"}, '<meta charset="iso-8859-1"><p>Café “quoted” – dash</p>'),
        (
            {"Content-Type": "text/html"},
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
            "<p>Café “quoted” – dash</p>",
        ),
        ({}, "<p>Café “quoted” – dash</p>"),
    ],
)
def test_non_utf8_pages_decoded(server: LoopbackServer, headers: dict[str, str], body: str) -> None:
    server.serve("/latin", body.encode("cp1252"), headers)
    text = _run(_get(server.url("/latin"))).text()
    assert "Café “quoted” – dash" in text


def test_decode_text_prefers_bom_then_header() -> None:
    assert decode_text("naïve".encode("utf-8-sig"), "text/html; charset=iso-8859-1") == "naïve"
    assert decode_text("naïve".encode("utf-16"), None) == "naïve"
    assert decode_text("Zoë".encode("cp1252"), "text/plain; charset=ISO-8859-1") == "Zoë"
    assert (
        decode_text(b"<?xml version='1.0' encoding='ISO-8859-1'?><t>\xe9</t>")
        == "<?xml version='1.0' encoding='ISO-8859-1'?><t>é</t>"
    )


def test_ssrf_guard_refuses_loopback_without_allow_network(server: LoopbackServer) -> None:
    server.serve("/a", b"secret")
    with pytest.raises(BlockedAddress, match=r"127\.0\.0\.1 is a loopback address"):
        _run(_get(server.url("/a"), FetchOptions(delay=0, robots=False)))
    assert server.hits["/a"] == 0


def test_ssrf_guard_rechecks_every_redirect_hop(server: LoopbackServer) -> None:
    server.serve("/go", b"", {"Location": f"http://127.0.0.2:{server.port}/inside"}, status=302)
    trusted_here = FetchOptions(delay=0, robots=False, allowed_networks=("127.0.0.1/32",))
    with pytest.raises(BlockedAddress, match=r"127\.0\.0\.2 is a loopback address"):
        _run(_get(server.url("/go"), trusted_here))
    assert server.hits["/go"] == 1 and server.hits["/inside"] == 0


@pytest.mark.parametrize(
    "address", ["10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1", "fc00::1", "0.0.0.0",
                "224.0.0.1", "100.64.0.1", "::ffff:10.0.0.1", "240.0.0.1", "fe80::1%eth0"]
)  # fmt: skip
def test_refusal_reason_refuses_non_public(address: str) -> None:
    assert refusal_reason(address) is not None


@pytest.mark.parametrize(
    ("address", "leads_to"),
    [
        ("2002:a9fe:a9fe::1", "169.254.169.254, a link-local"),  # 6to4
        ("2002:7f00:1::", "127.0.0.1"),
        ("2002:c0a8:101:5::9", "192.168.1.1"),
        ("64:ff9b::a9fe:a9fe", "169.254.169.254, a link-local"),  # NAT64 well-known prefix
        ("64:ff9b::a00:1", "10.0.0.1"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "192.0.2.45"),  # Teredo: obfuscated client
        ("2001:0:a00:1:8000:63bf:a247:27dd", "10.0.0.1"),  # Teredo: private server
    ],
)
def test_ipv6_forms_judged_by_their_embedded_ipv4(address: str, leads_to: str) -> None:
    """Before: 6to4 of the metadata address passed (Python calls 2002::/16 global)."""
    reason = refusal_reason(address)
    assert reason is not None and f"leads to {leads_to}" in reason


@pytest.mark.parametrize(
    "address",
    ["2002:5db8:d822::1", "64:ff9b::5db8:d822", "2001:0:4136:e378:8000:63bf:a247:27dd"],
)
def test_ipv6_forms_of_a_public_ipv4_are_allowed(address: str) -> None:
    """6to4, NAT64 and Teredo addresses that lead to 93.184.216.34 (public) are not refused."""
    assert refusal_reason(address) is None


def test_refusal_reason_allows_public_and_trusted() -> None:
    assert refusal_reason("93.184.216.34") is None and refusal_reason("2606:4700::1111") is None
    ten = [trusted_network("10.1.0.0/16")]
    assert refusal_reason("10.1.2.3", ten) is None and refusal_reason("10.2.0.1", ten) is not None
    assert refusal_reason("2002:a01:203::1", ten) is None  # 6to4 of a trusted 10.1.2.3


@pytest.mark.parametrize(
    "cidr", ["0.0.0.0/0", "::/0", "0.0.0.0/1", "10.0.0.0/7", "8.8.8.0/24", "2002::/16", "64:ff9b::/96", "x"]
)
def test_trusted_network_never_reaches_public_addresses(cidr: str) -> None:
    with pytest.raises(ValueError, match=r"reaches public addresses|not an address or CIDR"):
        trusted_network(cidr)
    with pytest.raises(ConfigError, match="allowed network"):
        Fetcher(FetchOptions(allowed_networks=(cidr,)))


def test_trusted_network_accepts_non_public_networks() -> None:
    assert [str(trusted_network(c)) for c in ("127.0.0.0/8", "10.2.3.4", "192.168.7.0/24", "fd00::/8")] == [
        "127.0.0.0/8",
        "10.2.3.4/32",
        "192.168.7.0/24",
        "fd00::/8",
    ]


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", r"169\.254\.169\.254 is a link-local address"),
        (
            "http://[2002:a9fe:a9fe::1]/latest/meta-data/",
            r"leads to 169\.254\.169\.254, a link-local address",
        ),
        (
            "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
            r"leads to 169\.254\.169\.254, a link-local address",
        ),
    ],
)
def test_redirect_to_metadata_refused_with_loopback_trusted(
    server: LoopbackServer, target: str, reason: str
) -> None:
    """Trusting the loopback network does not trust the metadata address (it did with --allow-private)."""
    server.serve("/go", b"", {"Location": target}, status=302)
    start = time.monotonic()
    with pytest.raises(BlockedAddress, match=reason):
        _run(_get(server.url("/go"), FetchOptions(delay=0, robots=False, allowed_networks=LOOPBACK)))
    assert server.hits["/go"] == 1 and time.monotonic() - start < 2


def test_non_http_scheme_refused(server: LoopbackServer) -> None:
    server.serve("/go", b"", {"Location": "file:///etc/passwd"}, status=301)
    with pytest.raises(FetchError, match="non-HTTP"):
        _run(_get(server.url("/go")))


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:99999/a", "http:///nohost"])
def test_malformed_urls_are_fetch_errors(url: str) -> None:
    with pytest.raises(FetchError, match=r"cannot fetch \(ValueError|URL without a host"):
        _run(_get(url))


def test_redirects_followed_then_limited(server: LoopbackServer) -> None:
    server.serve("/r1", b"", {"Location": "/r2"}, status=301)
    server.serve("/r2", b"", {"Location": server.url("/end")}, status=307)
    server.serve("/end", b"arrived")
    page = _run(_get(server.url("/r1")))
    assert (page.content, page.url) == (b"arrived", server.url("/end"))
    server.serve("/loop", b"", {"Location": "/loop"}, status=302)
    with pytest.raises(FetchError, match="more than 5 redirects"):
        _run(_get(server.url("/loop")))
    assert server.hits["/loop"] == 6


def test_robots_disallow_skips_url(server: LoopbackServer) -> None:
    server.serve("/robots.txt", "User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
    server.serve("/private/a", b"no")
    server.serve("/public/a", b"yes")

    async def both() -> list[Page | BaseException]:
        async with Fetcher(FAST) as fetcher:
            return await asyncio.gather(
                fetcher.fetch(server.url("/private/a")),
                fetcher.fetch(server.url("/public/a")),
                return_exceptions=True,
            )

    private, public = _run(both())
    assert isinstance(private, RobotsDisallowed)
    assert isinstance(public, Page) and public.content == b"yes"
    assert server.hits["/private/a"] == 0 and server.hits["/robots.txt"] == 1


def _fetch_all(urls: list[str], options: FetchOptions = FAST) -> list[Page | BaseException]:
    async def every() -> list[Page | BaseException]:
        async with Fetcher(options) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(u) for u in urls), return_exceptions=True)

    return _run(every())


def test_robots_longest_rule_wins_and_wildcards_match(server: LoopbackServer) -> None:
    """RFC 9309: the most specific rule decides, `*` and `$` are patterns (urllib.robotparser
    took the first matching rule and read `*` literally, so both answers below were wrong)."""
    rules = "User-agent: *\nDisallow: /reports/\nAllow: /reports/public/\n"
    rules += "Disallow: /*/draft-\nDisallow: /*.pdf$\n"
    server.serve("/robots.txt", rules, {"Content-Type": "text/plain"})
    paths = [
        "/reports/public/q1",
        "/reports/internal/q1",
        "/news/draft-7",
        "/files/plan.pdf",
        "/files/plan.pdf?v=2",
    ]
    for path in paths:
        server.serve(path.split("?")[0], b"page")
    results = dict(zip(paths, _fetch_all([server.url(p) for p in paths]), strict=True))
    allowed = {p for p, r in results.items() if isinstance(r, Page)}
    refused = {p for p, r in results.items() if isinstance(r, RobotsDisallowed)}
    assert allowed == {"/reports/public/q1", "/files/plan.pdf?v=2"}
    assert refused == {"/reports/internal/q1", "/news/draft-7", "/files/plan.pdf"}
    assert server.hits["/reports/internal/q1"] == server.hits["/news/draft-7"] == 0


def test_robots_group_for_our_agent_and_its_crawl_delay(server: LoopbackServer) -> None:
    stamps: list[float] = []

    def stamp(request: BaseHTTPRequestHandler) -> None:
        stamps.append(time.monotonic())
        send(request, 200, b"ok")

    rules = "User-agent: *\nDisallow: /\n\nUser-agent: News-Incident-Pipeline\nAllow: /\nCrawl-delay: 0.3\n"
    server.serve("/robots.txt", rules)
    for path in ("/1", "/2", "/3"):
        server.route(path, stamp)
    options = FetchOptions(allowed_networks=LOOPBACK, delay=0, per_host=3)
    assert all(isinstance(r, Page) for r in _fetch_all([server.url(p) for p in ("/1", "/2", "/3")], options))
    assert len(stamps) == 3 and min(b - a for a, b in itertools.pairwise(stamps)) >= 0.25


def test_robots_server_error_means_do_not_crawl(server: LoopbackServer) -> None:
    server.serve("/robots.txt", b"", status=500)
    server.serve("/a", b"page")
    with pytest.raises(FetchError, match=r"robots\.txt unavailable"):
        _run(_get(server.url("/a")))
    assert server.hits["/a"] == 0


def test_politeness_delay_spaces_requests_to_one_host(server: LoopbackServer) -> None:
    stamps: list[float] = []

    def stamp(request: BaseHTTPRequestHandler) -> None:
        stamps.append(time.monotonic())
        send(request, 200, b"ok")

    for path in ("/1", "/2", "/3"):
        server.route(path, stamp)

    async def three() -> None:
        async with Fetcher(
            FetchOptions(allowed_networks=LOOPBACK, robots=False, delay=0.3, per_host=3)
        ) as fetcher:
            await asyncio.gather(*(fetcher.fetch(server.url(p)) for p in ("/1", "/2", "/3")))

    _run(three())
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert len(stamps) == 3 and min(gaps) >= 0.25
