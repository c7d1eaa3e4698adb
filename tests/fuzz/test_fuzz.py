"""Generated files through read -> clean -> extract -> normalize: nothing crashes, and every
failure is a named one-line error (issue 13, "Fuzzing").

Four generators: raw bytes under every suffix (also gzip-compressed), random HTML, random
Unicode text with very long tokens and lines, and JSONL batches of odd objects and garbage.
An extractor or parser exception is a crash even though the pipeline reports it by name: it
is a bug in a rule, and the generator found an input that shows it.

`make test` runs a time-boxed slice: FUZZ_SECONDS (default 60) shared by the four tests, at
most FUZZ_EXAMPLES (default 200) inputs each, with a fixed seed so every CI run sees the same.
`make fuzz` runs 2,800 examples per test, a fresh seed and no time box (FUZZ_EXAMPLES=2800
FUZZ_SECONDS=0): over 10,000 distinct inputs, as Hypothesis repeats a few; the count is printed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.clean import clean
from pipeline.errors import ExtractionError, SkipArticle
from pipeline.extract import extract_articles
from pipeline.nlp import load_nlp
from pipeline.normalize import normalize
from pipeline.sinks import record_json
from pipeline.source import InputFailure, read_documents

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))  # per test
SECONDS = float(os.environ.get("FUZZ_SECONDS", "60")) / 4  # per test; 0: no time box
FULL = os.environ.get("FUZZ_SECONDS") == "0"
MAX_BYTES = 1_000_000
_BUG = re.compile(r"extractor \S+ failed|the parser failed")

settings.register_profile(
    "fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not FULL,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
settings.load_profile("fuzz")

COUNTS: dict[str, int] = {}


class _TimeBox:
    """Once a test's seconds are spent, the new inputs Hypothesis makes are not run (an input
    run before still is, so a failure found in time replays the same when it is reported)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.end = 0.0
        self.run: set[bytes] = set()

    def admits(self, data: bytes) -> bool:
        if not self.end:
            self.end = time.monotonic() + SECONDS if SECONDS else float("inf")
        key = hashlib.sha256(data).digest()
        if key not in self.run and time.monotonic() > self.end:
            return False
        if key not in self.run:
            self.run.add(key)
            COUNTS[self.name] = COUNTS.get(self.name, 0) + 1
        return True


def _through_the_pipeline(path: Path) -> list[str]:
    """Read, clean, extract and normalize every article in `path`; returns the named failures.
    Any exception is a crash and fails the test."""
    failures: list[str] = []
    articles = []
    for item in read_documents([path], MAX_BYTES):
        if isinstance(item, InputFailure):
            failures.append(str(item))
            continue
        try:
            articles.append(clean(item))
        except SkipArticle as exc:
            failures.append(f"{item.origin}: {exc}")
    for result in extract_articles(articles, nlp=load_nlp()):
        if isinstance(result, ExtractionError):
            failures.append(str(result))
            continue
        record = normalize(result)
        if record is not None:
            assert "\n" not in record_json(record)
    for failure in failures:
        assert "\n" not in failure and failure.startswith(str(path)), failure
        assert not _BUG.search(failure), failure
    return failures


def _run(box: _TimeBox, name: str, data: bytes) -> None:
    if not box.admits(name.encode() + b"\0" + data):
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        _through_the_pipeline(path)


# -- generators --------------------------------------------------------------------------------

# fmt: off
_WORDS = [
    "Quistel", "Bank", "Tamsin", "Logistics", "Harlow", "Dental", "Group", "Velmora", "hackers", "stole",
    "breach", "ransomware", "gang", "attack", "data", "records", "customers", "employees", "million",
    "1.5", "48,000", "$2.4", "March", "3", "2026", "last", "week", "on", "Monday", "said", "confirmed",
    "disclosed", "the", "of", "and", "a", "in", "at", "by", "it", "its", "CVE-2026-1234", "v2.4.1", "npm",
    "package", "phishing", "email", "passwords", "Social", "Security", "numbers", "investigation",
    "ongoing", "FBI", "Inc.", "Ltd.", "LLC", "(", ")", ",", ".", ";", ":", "'", "\"", "—", "-", "|", "/",
    "%", "&", "www.quistel.example", "https://news.example/a?b=c", "Mr.", "Dr.", "U.S.", "ACME'S",
    "O'Hanlon's",
]
# fmt: on
_TOKEN = st.one_of(
    st.sampled_from(_WORDS),
    st.sampled_from(_WORDS),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=12),
    st.builds(lambda ch, n: ch * n, st.characters(codec="utf-8"), st.integers(50, 2_000)),  # very long tokens
)
_LINE = st.lists(_TOKEN, max_size=40).map(" ".join)
_LONG_LINE = st.lists(st.sampled_from(_WORDS), min_size=200, max_size=1_500).map(" ".join)
_TEXT = st.lists(st.one_of(*[_LINE] * 7, _LONG_LINE), min_size=1, max_size=20).map("\n".join)

# fmt: off
_TAGS = [
    "p", "div", "article", "main", "section", "span", "a", "h1", "h2", "li", "ul", "table", "td", "tr",
    "script", "style", "nav", "footer", "header", "aside", "noscript", "template", "b", "i", "pre", "code",
    "blockquote", "figure", "figcaption", "time",
]
# fmt: on
_ATTRS = st.sampled_from(
    [
        "",
        ' class="story-body"',
        ' id="main"',
        ' href="javascript:alert(1)"',
        ' style="display:none"',
        ' lang="en"',
        " hidden",
        ' data-x="&#0;&#x110000;"',
    ]
)
_LEAF = st.one_of(
    _LINE.map(lambda s: s.replace("<", "&lt;")),
    st.sampled_from(
        ["&amp;", "&nbsp;", "&#8232;", "&#xd800;", "&bogus;", "<br>", "<!-- c -->", "<![CDATA[x]]>"]
    ),
    st.sampled_from(
        ["<p>", "</div>", "<", ">", "</", "<script>", "<?xml version='1.0'?>", "<!DOCTYPE html>"]
    ),
)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda tag, attrs, kids: f"<{tag}{attrs}>{''.join(kids)}</{tag}>",
        st.sampled_from(_TAGS),
        _ATTRS,
        st.lists(children, max_size=6),
    )


_HEAD = st.builds(
    lambda title, charset, meta: f"<head><title>{title}</title><meta charset='{charset}'>{meta}</head>",
    _LINE.map(lambda s: s.replace("<", "")),
    st.sampled_from(["utf-8", "latin-1", "windows-1252", "utf-16", "x-unknown", "", "shift_jis"]),
    st.sampled_from(
        [
            "",
            '<meta property="og:title" content="Quistel Bank breach">',
            '<meta name="author" content="Jo Tamsin">',
            '<meta property="article:published_time" content="2026-13-45T99:00">',
            '<meta property="og:site_name" content="">',
        ]
    ),
)
_HTML = st.builds(
    lambda head, body: f"<html>{head}<body>{body}</body></html>",
    _HEAD,
    st.recursive(_LEAF, _element, max_leaves=60).map(str),
)

_JSON_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    _LINE,
    st.lists(st.integers(), max_size=3),
)
_JSON_ROW = st.fixed_dictionaries(
    {},
    optional={
        "id": _JSON_VALUE,
        "text": st.one_of(_TEXT, _JSON_VALUE),
        "title": _JSON_VALUE,
        "url": st.one_of(_JSON_VALUE, st.sampled_from(["https://news.example/a", "javascript:x", ""])),
        "published": st.one_of(_JSON_VALUE, st.sampled_from(["2026-03-05", "2026-02-30", "9999-99-99"])),
    },
)
_JSONL = st.lists(
    st.one_of(_JSON_ROW.map(json.dumps), _JSON_ROW.map(lambda r: json.dumps(r, ensure_ascii=False)), _LINE),
    min_size=1,
    max_size=8,
).map(lambda lines: "\n".join(lines) + "\n")

_SUFFIXES = [".txt", ".html", ".htm", ".jsonl", ".txt.gz", ".html.gz", ".jsonl.gz"]
_BOMS = [b"", b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00"]


def _gzipped(name: str, data: bytes, cut: int) -> bytes:
    """Compress for a .gz name; `cut` > 0 truncates the stream (a broken download)."""
    if not name.endswith(".gz"):
        return data
    packed = gzip.compress(data)
    return packed[: max(1, len(packed) - cut)] if cut else packed


def _encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, "surrogatepass") if encoding != "utf-8-sig" else text.encode("utf-8-sig")


_ENCODINGS = st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1"])
_TIMEBOXES: dict[str, _TimeBox] = {}


def _box(test: Callable[..., None]) -> _TimeBox:
    return _TIMEBOXES.setdefault(test.__name__, _TimeBox(test.__name__))


# -- properties --------------------------------------------------------------------------------


@given(
    name=st.sampled_from(_SUFFIXES).map(lambda suffix: f"input{suffix}"),
    bom=st.sampled_from(_BOMS),
    data=st.binary(max_size=4_096),
    cut=st.sampled_from([0, 0, 1, 10]),
)
def test_random_bytes_under_any_suffix(name: str, bom: bytes, data: bytes, cut: int) -> None:
    _run(_box(test_random_bytes_under_any_suffix), name, _gzipped(name, bom + data, cut))


@given(html=_HTML, encoding=_ENCODINGS, suffix=st.sampled_from([".html", ".htm", ".html.gz"]))
def test_random_html(html: str, encoding: str, suffix: str) -> None:
    name = f"page{suffix}"
    data = html.encode(encoding, "replace") if encoding == "latin-1" else _encoded(html, encoding)
    _run(_box(test_random_html), name, _gzipped(name, data, 0))


@given(text=_TEXT, encoding=_ENCODINGS, suffix=st.sampled_from([".txt", ".txt.gz"]))
def test_random_unicode_text_with_long_tokens_and_lines(text: str, encoding: str, suffix: str) -> None:
    name = f"story{suffix}"
    data = text.encode(encoding, "replace") if encoding == "latin-1" else _encoded(text, encoding)
    _run(_box(test_random_unicode_text_with_long_tokens_and_lines), name, _gzipped(name, data, 0))


@given(batch=_JSONL, encoding=_ENCODINGS)
def test_random_jsonl_batches(batch: str, encoding: str) -> None:
    data = batch.encode(encoding, "replace") if encoding == "latin-1" else _encoded(batch, encoding)
    _run(_box(test_random_jsonl_batches), "batch.jsonl", data)
