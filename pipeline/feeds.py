"""Feeds to items: RSS 0.9x/1.0/2.0 and Atom (feedparser) and JSON Feed, plus feed lists.

Parsing works on bytes the fetcher already got: feedparser is never handed a URL, so it
never fetches anything itself. Each `FeedItem` carries the keys that say whether it was seen
before, chosen to survive real feeds' habits:

- `link:` the item's link made canonical (scheme and host lower-case, default port, fragment
  and tracking parameters such as `utm_*`, `fbclid`, `gclid` dropped, query sorted);
- `guid:` the GUID/id, scoped to its feed (feeds number items "1", "2", ...);
- `hash:` a hash of the title and summary text (only when both exist), so an item whose link
  and GUID both changed is still recognised.

An item is new only when none of its keys was seen, so a reused pubDate (never a key) or a
changed GUID neither repeats nor drops it. The canonical link is only a key: what is fetched is
the link as the feed gave it (made absolute), since signed or picky URLs break when their
query is reordered or `?id` becomes `?id=`.

`is_relevant` is the optional keyword gate for general news feeds, with its vocabulary in
`pipeline/data/relevance.json`.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from xml.sax import SAXParseException

import feedparser

from pipeline.errors import ConfigError, ParseError

__all__ = [
    "TRACKING_PARAMS",
    "FeedItem",
    "canonical_url",
    "content_hash",
    "is_relevant",
    "link_key",
    "parse_feed",
    "plain_text",
    "read_feed_list",
    "relevance_score",
]

log = logging.getLogger(__name__)

# Query parameters that only say where a click came from: the URL names the same article without them.
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid", "mc_cid",
     "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref_src", "oly_anon_id", "oly_enc_id", "vero_id",
     "__twitter_impression", "cmpid", "sr_share"}
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_",)
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
_JSON_FEED = "https://jsonfeed.org/version/"


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed: where its article lives and what identifies it."""

    feed: str
    link: str | None  # as the feed gave it, made absolute: the address to fetch
    guid: str | None
    title: str | None
    summary: str
    content: str | None = None
    published: date | None = None

    @property
    def canonical(self) -> str | None:
        """The link as a deduplication key (see `link_key`); never fetched."""
        return link_key(self.link) if self.link else None

    @property
    def guid_key(self) -> str | None:
        return f"guid:{self.feed}#{self.guid}" if self.guid else None

    def keys(self) -> list[str]:
        """Every key this item can be recognised by (at least one for a usable item)."""
        keys = []
        if self.link:
            keys.append(f"link:{self.canonical}")
        if self.guid_key:
            keys.append(self.guid_key)
        digest = content_hash(self.title, self.summary)
        if digest:
            keys.append(f"hash:{digest}")
        return keys


def canonical_url(url: str, base: str | None = None) -> str:
    """`url` (resolved against `base`) without fragment, tracking parameters or default port."""
    parts = urlsplit(urljoin(base, url.strip()) if base else url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and (scheme, parts.port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(_TRACKING_PREFIXES)
    )
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))


def link_key(link: str) -> str:
    """`canonical_url(link)`, or the link itself when it is too malformed to parse."""
    try:
        return canonical_url(link)
    except ValueError:
        return link


def plain_text(text: str | None) -> str:
    """HTML or text as one line of plain text: tags dropped, entities decoded, spaces collapsed."""
    return _SPACES.sub(" ", html.unescape(_TAGS.sub(" ", text or ""))).strip()


def content_hash(title: str | None, summary: str | None) -> str | None:
    """A hash of the normalised title and summary, or None when either is missing."""
    title, summary = plain_text(title).lower(), plain_text(summary).lower()
    if not title or not summary:
        return None
    return hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()[:32]


def _date(value: Any) -> date | None:
    if isinstance(value, tuple) and len(value) >= 3:
        try:
            return date(*value[:3])
        except ValueError:
            return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            return None
    return None


def _item(
    feed: str, link: Any, guid: Any, title: Any, summary: Any, content: Any, published: Any
) -> FeedItem:
    def text(value: Any) -> str | None:
        return value.strip() or None if isinstance(value, str) else None

    href = text(link)
    if href:
        with contextlib.suppress(ValueError):  # e.g. a broken IPv6 host: kept as given, refused later
            href = urljoin(feed, href)
    return FeedItem(
        feed=feed,
        link=href,
        guid=text(str(guid)) if guid is not None else None,
        title=plain_text(text(title)) or None,
        summary=plain_text(text(summary)),
        content=text(content),
        published=_date(published),
    )


def _json_feed(data: bytes, url: str) -> list[FeedItem]:
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"{url}: not a JSON Feed ({exc})") from exc
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(_JSON_FEED):
        raise ParseError(f"{url}: JSON without a JSON Feed version ({_JSON_FEED}...)")
    items = doc.get("items")
    if not isinstance(items, list):
        raise ParseError(f"{url}: JSON Feed without an items list")
    return [
        _item(
            url,
            entry.get("url") or entry.get("external_url"),
            str(entry["id"]) if entry.get("id") is not None else None,
            entry.get("title"),
            entry.get("summary") or entry.get("content_text") or entry.get("content_html"),
            entry.get("content_html") or entry.get("content_text"),
            entry.get("date_published") or entry.get("date_modified"),
        )
        for entry in items
        if isinstance(entry, dict)
    ]


def _xml_error(exc: Exception | None) -> str:
    if exc is None:
        return "no feed found"
    where = ""
    if isinstance(exc, SAXParseException):
        where = f" at line {exc.getLineNumber()}, column {exc.getColumnNumber()}"
    return f"{getattr(exc, 'getMessage', lambda: str(exc))()}{where}"


def parse_feed(data: bytes, url: str, content_type: str | None = None) -> list[FeedItem]:
    """Items of the RSS, Atom or JSON feed in `data` fetched from `url`; `ParseError` names the URL.

    What the body starts with decides JSON or XML; the Content-Type only breaks a tie (servers
    label RSS as application/json, and JSON as text/plain).

    XML that is not well-formed is read leniently (real feeds often have a stray `&`); it is an
    error only when no usable item comes out of it.
    """
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"{" or (head != b"<" and "json" in (content_type or "").lower()):  # the body over the label
        return _json_feed(data, url)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=False)
    error = parsed.get("bozo_exception") if parsed.get("bozo") else None
    items = [
        _item(
            url,
            entry.get("link"),
            entry.get("id"),
            entry.get("title"),
            entry.get("summary"),
            (entry.get("content") or [{}])[0].get("value"),
            entry.get("published_parsed") or entry.get("updated_parsed"),
        )
        for entry in parsed.entries
    ]
    usable = [item for item in items if item.keys()]
    if len(usable) < len(items):
        log.warning("%s: %d items without link, id or text ignored", url, len(items) - len(usable))
    malformed = isinstance(error, SAXParseException)  # what feedparser's strict parser raised
    if not usable and (malformed or not parsed.get("version")):
        kind = "malformed feed XML" if malformed else "not an RSS, Atom or JSON feed"
        raise ParseError(f"{url}: {kind} ({_xml_error(error)})")
    if malformed:
        log.warning("%s: malformed XML read leniently (%s)", url, _xml_error(error))
    return usable


def read_feed_list(path: Path) -> list[str]:
    """Feed URLs from an OPML export or a text file (one URL a line, `#` comments)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read feed list ({exc.strerror})") from exc
    if b"<opml" in data[:2048].lower():
        try:
            root = ET.fromstring(data)
        except ET.ParseError as exc:
            raise ConfigError(f"{path}: malformed OPML ({exc})") from exc
        urls = [o.get("xmlUrl") or o.get("xmlurl") or "" for o in root.iter("outline")]
        lines = [(0, u) for u in urls if u]
    else:
        text = data.decode("utf-8", errors="replace")
        lines = [(n, line.split("#", 1)[0].strip()) for n, line in enumerate(text.splitlines(), 1)]
    feeds: list[str] = []
    for number, url in lines:
        if not url:
            continue
        if urlsplit(url).scheme not in ("http", "https"):
            where = f"{path}:{number}" if number else str(path)
            raise ConfigError(f"{where}: not an http(s) feed URL: {url!r}")
        feeds.append(url)
    return list(dict.fromkeys(feeds))


@dataclass(frozen=True)
class _Vocabulary:
    threshold: float
    rules: tuple[tuple[re.Pattern[str], float], ...]


@cache
def _vocabulary() -> _Vocabulary:
    """The gate's vocabulary, compiled once from `pipeline/data/relevance.json`."""
    try:
        raw = json.loads(resources.files("pipeline").joinpath("data/relevance.json").read_text("utf-8"))
        rules = [(re.compile(rf"\b{re.escape(t)}\b", re.I), float(w)) for t, w in raw["terms"].items()]
        rules += [(re.compile(p, re.I), float(w)) for p, w in raw.get("patterns", {}).items()]
        return _Vocabulary(float(raw["threshold"]), tuple(rules))
    except (OSError, KeyError, TypeError, ValueError, re.error) as exc:
        raise ConfigError(f"pipeline/data/relevance.json is unusable: {exc}") from exc


def relevance_score(text: str) -> float:
    """Sum of the weights of the distinct security terms that occur in `text`."""
    return sum(weight for pattern, weight in _vocabulary().rules if pattern.search(text))


def is_relevant(text: str) -> bool:
    """Whether an article is worth extracting: its score reaches the vocabulary's threshold."""
    return relevance_score(text) >= _vocabulary().threshold
