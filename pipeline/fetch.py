"""Get bytes from the web politely and safely: one `httpx.AsyncClient` behind every guard.

A `Fetcher` holds one client for a whole run and applies, to every request it makes:

- limits: a global and a per-host concurrency cap, and a politeness delay between requests
  to one host (raised by the site's robots.txt `Crawl-delay`, capped);
- robots.txt (RFC 9309, read by protego: wildcards, `$`, the longest matching rule wins):
  fetched once per origin; a 4xx means no rules, a 5xx or network failure means "do not
  crawl" for this run; a disallowed URL raises `RobotsDisallowed`;
- timeouts: connect and read per request, and a total budget per request (from the moment
  it may start, to its last body byte), so one stalling or dripping site cannot hang a run;
- retries with exponential backoff on network errors and 5xx; `Retry-After` on 429/503 is
  honoured (it also holds back every request to that host) up to a cap;
- conditional GET: pass the stored `ETag`/`Last-Modified`, get a `Page` with status 304;
- size caps: `Content-Length` is checked first, the body is streamed and abandoned once it
  passes the cap, and gzip/deflate are decoded here with a bounded output buffer, so a
  gzip bomb never inflates beyond the cap;
- redirects are followed by hand (at most `max_redirects`), each hop re-checked: scheme,
  robots.txt and the SSRF guard;
- the SSRF guard of `pipeline.guard`: every address a host resolves to is checked before
  connecting, and only public addresses or the networks the operator trusts are reached.

Text is decoded by `decode_text`: BOM, then the Content-Type charset, then `<meta>` or the
XML declaration, then UTF-8 with a windows-1252 fallback.
"""

from __future__ import annotations

import asyncio
import codecs
import logging
import random
import re
import time
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from pipeline.errors import FetchError
from pipeline.guard import guarded_transport

__all__ = [
    "USER_AGENT",
    "FetchOptions",
    "Fetcher",
    "Page",
    "RetryLater",
    "RobotsDisallowed",
    "StatusError",
    "decode_text",
]

log = logging.getLogger(__name__)

USER_AGENT = "news-incident-pipeline/0.1 (+https://github.com/news-incident-pipeline/news-incident-pipeline)"
_REDIRECTS = {301, 302, 303, 307, 308}
_RETRY_STATUSES = {429, 500, 502, 503, 504}
_ROBOTS_MAX_BYTES = 512_000
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
# WHATWG: these labels are decoded as windows-1252 by every browser, and pages rely on it.
_AS_CP1252 = {"ascii", "us-ascii", "latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1", "cp819"}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


class StatusError(FetchError):
    """The server answered with an error status (after retries, for 5xx)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class RetryLater(FetchError):
    """The host asked (Retry-After on 429/503) to be left alone longer than a run waits."""

    def __init__(self, message: str, origin: str, until: float) -> None:
        super().__init__(message)
        self.origin = origin
        self.until = until  # epoch seconds


class RobotsDisallowed(FetchError):
    """robots.txt asks us not to fetch this URL: a reason to skip, not a failure to retry."""


@dataclass(frozen=True)
class FetchOptions:
    """Limits for one run; the defaults suit a cron job reading news sites."""

    user_agent: str = USER_AGENT
    max_concurrency: int = 16
    per_host: int = 2
    delay: float = 1.0
    max_crawl_delay: float = 30.0
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    retries: int = 2
    backoff: float = 1.0
    max_retry_after: float = 30.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    robots: bool = True
    allowed_networks: tuple[str, ...] = ()  # non-public CIDRs to trust, e.g. an intranet feed


@dataclass(frozen=True)
class Page:
    """A response: status 200 (with `content`) or 304 (not modified since the validators)."""

    url: str
    status: int
    content: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        return decode_text(self.content, self.content_type)


def _codec(label: str | bytes | None) -> str | None:
    if not label:
        return None
    name = (label.decode("ascii", "ignore") if isinstance(label, bytes) else label).strip().lower()
    if name in _AS_CP1252:
        return "cp1252"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_text(content: bytes, content_type: str | None = None) -> str:
    """Decode a page as a browser would: BOM, header charset, `<meta>`/XML declaration, else UTF-8."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(name, errors="replace")
    header = _HEADER_CHARSET.search(content_type or "")
    head = content[:4096]
    declared = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    for label in (header and header.group(1), declared and declared.group(1)):
        codec = _codec(label)
        if codec:
            return content.decode(codec, errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


class _Decoder:
    """Content-Encoding decoder whose output never exceeds `limit` bytes (gzip bombs)."""

    def __init__(self, encoding: str | None, limit: int, url: str) -> None:
        self._name = (encoding or "identity").strip().lower()
        if self._name not in ("identity", "gzip", "x-gzip", "deflate", ""):
            raise FetchError(f"{url}: unsupported Content-Encoding {encoding!r}")
        self._zlib = None if self._name in ("identity", "") else zlib.decompressobj(zlib.MAX_WBITS | 32)
        self._left = limit
        self._limit = limit
        self._url = url
        self._started = False

    def feed(self, data: bytes) -> bytes:
        if self._zlib is None:
            out = data
        else:
            try:
                out = self._zlib.decompress(data, self._left + 1)
            except zlib.error as exc:
                if self._name != "deflate" or self._started:
                    raise FetchError(f"{self._url}: corrupt {self._name} body ({exc})") from exc
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
                out = self._zlib.decompress(data, self._left + 1)
            self._started = True
        if len(out) > self._left:
            raise FetchError(f"{self._url}: body larger than {self._limit:,} bytes once decompressed")
        self._left -= len(out)
        return out


@dataclass
class _Host:
    slots: asyncio.Semaphore
    delay: float
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_at: float = 0.0


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _describe(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timed out"
    if isinstance(exc, httpx.TimeoutException):
        return "read timed out"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"truncated or malformed response ({exc})"
    return f"network error ({type(exc).__name__}: {exc})"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


class Fetcher:
    """One HTTP client with every guard; use as `async with Fetcher(options) as f: await f.fetch(u)`.

    `held` maps origins to the time (epoch seconds) before which they asked not to be contacted
    (an earlier run's Retry-After); a request to one raises `RetryLater` without being sent, and
    this run's long Retry-After answers are added to it.
    """

    def __init__(self, options: FetchOptions | None = None, held: dict[str, float] | None = None) -> None:
        self.options = options or FetchOptions()
        self.held = dict(held or {})
        o = self.options
        self._client = httpx.AsyncClient(
            transport=guarded_transport(o.max_concurrency, o.allowed_networks),
            timeout=httpx.Timeout(o.read_timeout, connect=o.connect_timeout, pool=o.total_timeout),
            headers={"User-Agent": o.user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=False,
            trust_env=False,
        )
        self._global = asyncio.Semaphore(o.max_concurrency)
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, Protego | FetchError] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
    ) -> Page:
        """GET `url` (conditionally when validators are given); raises `FetchError` naming the URL."""
        try:
            return await self._follow(url, etag, last_modified, max_bytes or self.options.max_bytes, True)
        except (httpx.HTTPError, httpx.InvalidURL, ValueError, OSError) as exc:  # a malformed link or hop
            raise FetchError(f"{url}: cannot fetch ({type(exc).__name__}: {exc})") from exc

    def _host(self, url: str) -> _Host:
        key = _origin(url)
        if key not in self._hosts:
            self._hosts[key] = _Host(asyncio.Semaphore(self.options.per_host), self.options.delay)
        return self._hosts[key]

    @asynccontextmanager
    async def _slot(self, url: str) -> AsyncIterator[None]:
        """Hold a per-host slot, wait out the host's politeness delay, then a global slot."""
        host = self._host(url)
        loop = asyncio.get_running_loop()
        async with host.slots:
            async with host.lock:
                wait = host.next_at - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                host.next_at = loop.time() + host.delay
            async with self._global:
                yield

    def _check_held(self, url: str) -> None:
        origin = _origin(url)
        until = self.held.get(origin, 0.0)
        if until > time.time():
            when = datetime.fromtimestamp(until, UTC).isoformat(timespec="seconds")
            raise RetryLater(
                f"{url}: {origin} asked (Retry-After) to be left alone until {when}", origin, until
            )

    def _retry_later(self, url: str, status: int, wait: float) -> RetryLater:
        """The host asked to wait longer than this run waits (or has retries left): hold it."""
        origin, until = _origin(url), time.time() + wait
        self.held[origin] = max(self.held.get(origin, 0.0), until)
        why = (
            f"more than {self.options.max_retry_after:g} s"
            if wait > self.options.max_retry_after
            else "no retry left"
        )
        return RetryLater(
            f"{url}: HTTP {status} asks to retry after {wait:.0f} s ({why}; left for the next run)",
            origin,
            until,
        )

    def _hold_host(self, url: str, seconds: float) -> None:
        host = self._host(url)
        host.next_at = max(host.next_at, asyncio.get_running_loop().time() + seconds)

    async def _follow(
        self, url: str, etag: str | None, last_modified: str | None, max_bytes: int, robots: bool
    ) -> Page:
        current = url
        for _ in range(self.options.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.port == 0:
                raise FetchError(f"{url}: refused non-HTTP URL or URL without a host: {current!r}")
            self._check_held(current)
            if robots and self.options.robots:
                await self._check_robots(current)
            result = await self._attempts(current, etag, last_modified, max_bytes)
            if isinstance(result, Page):
                return result
            current = result
        raise FetchError(f"{url}: more than {self.options.max_redirects} redirects")

    async def _attempts(
        self, url: str, etag: str | None, last_modified: str | None, max_bytes: int
    ) -> Page | str:
        """One hop with retries: a `Page`, or the absolute URL a redirect points to."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        o = self.options
        for attempt in range(o.retries + 1):
            last = attempt == o.retries
            try:
                async with (
                    self._slot(url),
                    asyncio.timeout(o.total_timeout),
                    self._client.stream("GET", url, headers=headers) as response,
                ):
                    status = response.status_code
                    if status in _REDIRECTS:
                        location = response.headers.get("location")
                        if not location:
                            raise StatusError(f"{url}: HTTP {status} redirect without Location", status)
                        return urljoin(url, location)
                    if status == 304:
                        return Page(url, 304, etag=etag, last_modified=last_modified)
                    if 200 <= status < 300:
                        return await self._page(url, response, max_bytes)
                    wait = _retry_after(response.headers.get("retry-after")) if status in (429, 503) else None
                    if wait is not None and (wait > o.max_retry_after or last):
                        raise self._retry_later(url, status, wait)
                    if status not in _RETRY_STATUSES or last:
                        raise StatusError(f"{url}: HTTP {status}", status)
                    reason = f"HTTP {status}"
            except TimeoutError as exc:  # the budget, not a socket timeout: a slow drip, not worth a retry
                raise FetchError(f"{url}: no complete response within {o.total_timeout:g} s") from exc
            except httpx.TransportError as exc:
                if last:
                    raise FetchError(f"{url}: {_describe(exc)}") from exc
                wait, reason = None, _describe(exc)
            if wait is None:
                wait = o.backoff * 2**attempt * (0.75 + random.random() / 2)
            log.info("%s: %s, retry %d in %.1f s", url, reason, attempt + 1, wait)
            self._hold_host(url, wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _page(self, url: str, response: httpx.Response, max_bytes: int) -> Page:
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise FetchError(f"{url}: body of {int(length):,} bytes is larger than {max_bytes:,}")
        decoder = _Decoder(response.headers.get("content-encoding"), max_bytes, url)
        body = bytearray()
        received = 0
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > max_bytes:
                raise FetchError(f"{url}: body larger than {max_bytes:,} bytes")
            body += decoder.feed(chunk)
        return Page(
            url,
            response.status_code,
            bytes(body),
            response.headers.get("content-type"),
            response.headers.get("etag"),
            response.headers.get("last-modified"),
        )

    async def _check_robots(self, url: str) -> None:
        origin = _origin(url)
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._robots:
                self._robots[origin] = await self._load_robots(origin)
        rules = self._robots[origin]
        if isinstance(rules, RetryLater):
            raise RetryLater(f"{url}: {rules}", rules.origin, rules.until)
        if isinstance(rules, FetchError):
            raise FetchError(f"{url}: robots.txt unavailable, not crawling {origin} this run ({rules})")
        if not rules.can_fetch(url, self.options.user_agent):
            raise RobotsDisallowed(f"{url}: disallowed by {origin}/robots.txt")

    async def _load_robots(self, origin: str) -> Protego | FetchError:
        try:
            page = await self._follow(f"{origin}/robots.txt", None, None, _ROBOTS_MAX_BYTES, False)
            rules = Protego.parse(page.text())
        except StatusError as exc:
            if exc.status >= 500:
                return exc
            rules = Protego.parse("")  # RFC 9309: 4xx (none, or not for us) means no restrictions
        except FetchError as exc:
            return exc
        delay = rules.crawl_delay(self.options.user_agent)
        if delay:
            host = self._hosts.setdefault(
                origin, _Host(asyncio.Semaphore(self.options.per_host), self.options.delay)
            )
            host.delay = max(host.delay, min(float(delay), self.options.max_crawl_delay))
        return rules
