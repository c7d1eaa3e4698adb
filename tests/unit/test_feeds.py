"""Feed parsing (RSS 0.91/1.0/2.0, Atom, JSON Feed), item keys, feed lists, relevance gate."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pipeline.errors import ConfigError, ParseError
from pipeline.feeds import (
    canonical_url,
    content_hash,
    is_relevant,
    parse_feed,
    read_feed_list,
    relevance_score,
)

URL = "http://127.0.0.1:8000/feed.xml"

RSS20 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Quillmoor Security Desk</title>
<item><title>Quillmoor Freight reports intrusion</title><link>/news/1?utm_source=rss&amp;id=7</link>
<guid isPermaLink="false">qm-1</guid><pubDate>Tue, 04 Mar 2025 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Attackers reached the &lt;b&gt;billing&lt;/b&gt; system.&lt;/p&gt;</description></item>
<item><title>Second story</title><link>http://127.0.0.1:8000/news/2#comments</link>
<pubDate>Tue, 04 Mar 2025 10:00:00 GMT</pubDate><description>More.</description></item>
</channel></rss>"""

RSS091 = b"""<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title>
<item><title>Legacy item</title><link>http://127.0.0.1:8000/old/1</link><description>Text.</description></item>
</channel></rss>"""

RSS10 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://127.0.0.1:8000/"><title>RDF feed</title><link>http://127.0.0.1:8000/</link>
<description>d</description></channel>
<item rdf:about="http://127.0.0.1:8000/rdf/1"><title>RDF item</title><link>http://127.0.0.1:8000/rdf/1</link>
<description>Body.</description><dc:date>2025-02-01T08:00:00Z</dc:date></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom desk</title><id>urn:feed</id>
<updated>2025-03-01T00:00:00Z</updated>
<entry><title>Atom entry</title><id>urn:uuid:1225c695</id>
<link rel="alternate" href="http://127.0.0.1:8000/atom/1?fbclid=abc"/>
<updated>2025-03-01T09:30:00Z</updated><summary>Short summary.</summary>
<content type="html">&lt;p&gt;Full text of the entry.&lt;/p&gt;</content></entry>
</feed>"""

JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON desk",
        "items": [
            {
                "id": "42",
                "url": "http://127.0.0.1:8000/json/42?gclid=x&page=2",
                "title": "JSON item",
                "content_text": "Plain body.",
                "date_published": "2025-01-15T12:00:00+00:00",
            }
        ],
    }
).encode()


def test_rss20_items_links_resolved_and_canonical() -> None:
    first, second = parse_feed(RSS20, URL, "application/rss+xml")
    assert first.link == "http://127.0.0.1:8000/news/1?utm_source=rss&id=7"
    assert first.canonical == "http://127.0.0.1:8000/news/1?id=7"
    assert (first.guid, first.title, first.published) == (
        "qm-1",
        "Quillmoor Freight reports intrusion",
        date(2025, 3, 4),
    )
    assert first.summary == "Attackers reached the billing system."
    assert second.canonical == "http://127.0.0.1:8000/news/2" and second.guid is None


@pytest.mark.parametrize(
    ("data", "link", "published"),
    [
        (RSS091, "http://127.0.0.1:8000/old/1", None),
        (RSS10, "http://127.0.0.1:8000/rdf/1", date(2025, 2, 1)),
        (ATOM, "http://127.0.0.1:8000/atom/1", date(2025, 3, 1)),
        (JSON_FEED, "http://127.0.0.1:8000/json/42?page=2", date(2025, 1, 15)),
    ],
)
def test_every_feed_format_parses(data: bytes, link: str, published: date | None) -> None:
    (item,) = parse_feed(data, URL)
    assert (item.canonical, item.published) == (link, published)


def test_atom_and_json_carry_content() -> None:
    assert "Full text of the entry." in (parse_feed(ATOM, URL)[0].content or "")
    assert parse_feed(JSON_FEED, URL, "application/feed+json")[0].content == "Plain body."


def test_malformed_xml_is_an_error_naming_the_feed() -> None:
    expected = r"http://127\.0\.0\.1:8000/feed\.xml: malformed feed XML \(.* at line \d+"
    with pytest.raises(ParseError, match=expected):
        parse_feed(b"<rss><channel><item><title>cut sh", URL)


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(ParseError, match="not an RSS, Atom or JSON feed"):
        parse_feed(b"<html><body><p>Welcome</p></body></html>", URL, "text/html")


def test_stray_ampersand_read_leniently() -> None:
    data = RSS20.replace(b"<title>Second story</title>", b"<title>Q & A</title>")
    assert [i.title for i in parse_feed(data, URL)] == ["Quillmoor Freight reports intrusion", "Q & A"]


@pytest.mark.parametrize("content_type", ["application/json", "application/feed+json; charset=utf-8"])
def test_xml_body_labelled_json_is_read_as_xml(content_type: str) -> None:
    assert [i.guid for i in parse_feed(RSS20, URL, content_type)] == ["qm-1", None]
    assert parse_feed(JSON_FEED, URL, "text/xml")[0].guid == "42"  # and JSON labelled XML is JSON


def test_json_without_jsonfeed_version_refused() -> None:
    with pytest.raises(ParseError, match="JSON Feed version"):
        parse_feed(b'{"items": []}', URL)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://Example.ORG:80/a?utm_source=x&utm_medium=y&b=2&a=1#top", "http://example.org/a?a=1&b=2"),
        ("https://example.org:443/a?fbclid=1&gclid=2&mc_cid=3", "https://example.org/a"),
        ("https://example.org:8443", "https://example.org:8443/"),
        ("https://example.org/p?id=5&ref_src=twsrc", "https://example.org/p?id=5"),
    ],
)
def test_canonical_url_strips_tracking(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_keys_survive_guid_change_and_reused_pubdate() -> None:
    before = parse_feed(RSS20, URL)[0]
    after = parse_feed(
        RSS20.replace(b"qm-1", b"qm-1-renamed").replace(b"utm_source=rss", b"utm_source=mail"), URL
    )[0]
    assert set(before.keys()) & set(after.keys()) == {
        "link:http://127.0.0.1:8000/news/1?id=7",
        f"hash:{content_hash(before.title, before.summary)}",
    }
    moved = parse_feed(RSS20.replace(b"/news/1?", b"/archive/1?").replace(b"qm-1", b"qm-9"), URL)[0]
    assert set(before.keys()) & set(moved.keys()) == {f"hash:{content_hash(before.title, before.summary)}"}


def test_content_hash_needs_title_and_summary() -> None:
    assert content_hash("Title", "") is None and content_hash(None, "text") is None
    assert content_hash("A <b>title</b>", "Same  text") == content_hash("a title", "same text")


def test_read_feed_list_text_and_opml(tmp_path: Path) -> None:
    text = tmp_path / "feeds.txt"
    text.write_text(
        "# my feeds\nhttp://127.0.0.1:1/a.xml\n\nhttp://127.0.0.1:1/b.xml  # second\nhttp://127.0.0.1:1/a.xml\n"
    )
    assert read_feed_list(text) == ["http://127.0.0.1:1/a.xml", "http://127.0.0.1:1/b.xml"]
    opml = tmp_path / "export.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="Security">'
        '<outline type="rss" text="A" xmlUrl="http://127.0.0.1:1/a.xml"/>'
        '<outline type="rss" text="B" xmlUrl="http://127.0.0.1:1/b.xml"/></outline></body></opml>'
    )
    assert read_feed_list(opml) == ["http://127.0.0.1:1/a.xml", "http://127.0.0.1:1/b.xml"]


def test_read_feed_list_rejects_bad_lines(tmp_path: Path) -> None:
    bad = tmp_path / "feeds.txt"
    bad.write_text("http://127.0.0.1:1/a.xml\nfile:///etc/passwd\n")
    with pytest.raises(ConfigError, match=r"feeds\.txt:2: not an http\(s\) feed URL"):
        read_feed_list(bad)


@pytest.mark.parametrize(
    "text",
    [
        "Larkfield Dental said ransomware encrypted its scheduling servers last week.",
        "Hackers stole the personal information of 9,000 Ternway Bank customers.",
        "Admins should apply the fix for CVE-2025-12345 in the Orlo gateway.",
        "Attackers compromised the vendor's build server and pushed a poisoned update.",
    ],
)
def test_relevance_gate_lets_incidents_through(text: str) -> None:
    assert is_relevant(text)


@pytest.mark.parametrize(
    "text",
    [
        "The city council approved a new bike lane on Harbour Street after a long debate.",
        "Pellham United won the derby 2-1 with a late goal from their young striker.",
        "The bakery's new sourdough recipe uses a starter that is forty years old.",
    ],
)
def test_relevance_gate_stops_general_news(text: str) -> None:
    assert not is_relevant(text) and relevance_score(text) < 3
