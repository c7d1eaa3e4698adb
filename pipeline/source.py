"""Read articles from files and folders: `.html`/`.htm`, `.txt` and `.jsonl`, plain or gzip-compressed.

A source yields `RawDocument`s and, for inputs it cannot read, `InputFailure`s that name the
file (and line) and the reason; one bad file never stops the others. A compressed file is
inflated through a bounded read, so the size limit holds for what it expands to (gzip bombs).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipeline.errors import ParseError
from schemas.document import RawDocument

__all__ = [
    "SUFFIXES",
    "InputFailure",
    "Span",
    "article_id",
    "discover",
    "jsonl_spans",
    "read_documents",
    "read_span",
]

SUFFIXES = {".html": "html", ".htm": "html", ".txt": "text", ".jsonl": "jsonl"}
_SUPPORTED = ".html, .htm, .txt, .jsonl, each also as .gz"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# Byte-order marks of the encodings whose text is full of NUL bytes; UTF-32's first (it starts
# with UTF-16's little-endian mark).
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_UTF8_BOM = b"\xef\xbb\xbf"
_PIECE = 1 << 20  # how much of a refused line is read at a time
_Binary = gzip.GzipFile | io.BufferedReader
Span = tuple[int, int, int]  # first byte, byte after the last, number of the first line


@dataclass(frozen=True)
class InputFailure:
    """An input that could not be read: `origin` is `path` or `path:line`."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


def article_id(*parts: str | None) -> str:
    """A stable id from the article's URL or, without one, its text: same input, same id."""
    key = "\n".join(p for p in parts if p)
    return "art-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _kind(path: Path) -> tuple[str | None, bool]:
    """The article kind by suffix, and whether the file is gzip-compressed (`a.html.gz`)."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        return (SUFFIXES.get(suffixes[0]) if len(suffixes) == 2 else None), True
    return SUFFIXES.get(suffixes[-1] if suffixes else ""), False


def discover(paths: Iterable[Path]) -> Iterator[Path | InputFailure]:
    """Files to read, in a stable order: folders are walked recursively for known suffixes.

    A folder with nothing to read is a failure, not an empty success: a mistyped folder or
    the wrong suffix must not pass as "no incidents". So is a folder that cannot be listed
    (its articles would go unread in silence) and a path that cannot even be looked at.
    """
    for path in paths:
        try:
            is_dir, is_file = path.is_dir(), path.is_file()
        except OSError as exc:
            yield InputFailure(str(path), f"cannot read ({_os_reason(exc)})")
            continue
        if is_dir:
            found, unreadable = _walk(path)
            yield from unreadable
            if not found and not unreadable:
                yield InputFailure(str(path), f"no article files in this folder ({_SUPPORTED})")
            yield from found
        elif is_file:
            yield path
        else:
            yield InputFailure(str(path), "no such file or folder")


def _walk(folder: Path) -> tuple[list[Path], list[InputFailure]]:
    """The article files under `folder` (symlinked folders are not followed), sorted, and a
    failure for each folder or file that could not be listed or looked at."""
    unreadable: list[InputFailure] = []

    def cannot_list(exc: OSError) -> None:
        reason = f"cannot list this folder ({_os_reason(exc)}); the articles in it were not read"
        unreadable.append(InputFailure(str(exc.filename or folder), reason))

    found: list[Path] = []
    for root, _, names in os.walk(folder, onerror=cannot_list):
        for name in names:
            candidate = Path(root, name)
            if _kind(candidate)[0] is None:
                continue
            try:
                if candidate.is_file():
                    found.append(candidate)
            except OSError as exc:
                unreadable.append(InputFailure(str(candidate), f"cannot read ({_os_reason(exc)})"))
    return sorted(found), sorted(unreadable, key=lambda failure: failure.origin)


def _wide_encoding(head: bytes) -> str | None:
    """ "utf-16" or "utf-32" when `head` opens with that encoding's byte-order mark."""
    return next((name for bom, name in _WIDE_BOMS if head.startswith(bom)), None)


def _decode(data: bytes, kind: str) -> str:
    if not data.strip():
        raise ParseError("empty file")
    wide = _wide_encoding(data)
    if wide:  # a UTF-16 text is full of NUL bytes, but its byte-order mark says what it is
        try:
            return data.decode(wide)
        except UnicodeDecodeError as exc:
            raise ParseError(f"not valid {wide.upper()} (byte {exc.start})") from exc
    if b"\x00" in data[:8192]:
        raise ParseError("binary file (contains NUL bytes), not text or HTML")
    data = data.removeprefix(_UTF8_BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        declared = _META_CHARSET.search(data[:4096]) if kind == "html" else None
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass
        raise ParseError(f"not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r})") from exc


def _parse_date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.search(value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _from_text(path: Path, text: str) -> RawDocument:
    lines = text.splitlines()
    title = next((line.strip() for line in lines if line.strip()), None)
    return RawDocument(id=article_id(text), origin=str(path), kind="text", content=text, title=title)


def _from_html(path: Path, text: str) -> RawDocument:
    return RawDocument(id=article_id(text), origin=str(path), kind="html", content=text)


def _from_jsonl(
    path: Path, max_bytes: int, compressed: bool, span: Span | None = None
) -> Iterator[RawDocument | InputFailure]:
    """One article per line, streamed: a large batch file is fine, a huge line is refused
    without being held whole. UTF-8 (with or without a byte-order mark), or UTF-16 or UTF-32
    with one. `span` limits it to the lines of one byte range (UTF-8 files only)."""
    start, stop, first = span or (0, None, 1)
    with gzip.open(path, "rb") if compressed else path.open("rb") as handle:
        head = handle.read(4)
        wide = _wide_encoding(head)
        handle.seek(max(start, 3 if head.startswith(_UTF8_BOM) else 0))
        lines = _wide_lines(handle, wide, max_bytes) if wide else _lines(handle, max_bytes, stop)
        number = first - 1
        try:
            for number, raw in enumerate(lines, first):
                origin = f"{path}:{number}"
                if isinstance(raw, int):
                    yield InputFailure(origin, f"line too large ({raw:,} bytes; the limit is {max_bytes:,})")
                elif raw.strip():
                    yield _jsonl_line(origin, raw)
        except UnicodeDecodeError as exc:
            reason = f"not valid {wide} ({exc.reason}); the rest of the file is not read"
            yield InputFailure(f"{path}:{number + 1}", reason)


def jsonl_spans(path: Path, lines: int) -> list[Span] | None:
    """A plain UTF-8 JSONL file cut into byte ranges of `lines` lines each, so its parts can be
    read apart (`read_span`); None for a file that is read whole: another kind, compressed,
    UTF-16/32, empty or unreadable (`read_documents` then says why)."""
    kind, compressed = _kind(path)
    if kind != "jsonl" or compressed:
        return None
    spans: list[Span] = []
    start = offset = count = 0
    try:
        with path.open("rb") as handle:
            if _wide_encoding(handle.read(4)):
                return None
            handle.seek(0)
            while block := handle.read(_PIECE):
                at = block.find(b"\n")
                while at != -1:
                    count += 1
                    if count % lines == 0:
                        spans.append((start, offset + at + 1, count - lines + 1))
                        start = offset + at + 1
                    at = block.find(b"\n", at + 1)
                offset += len(block)
    except OSError:
        return None
    if offset > start:
        spans.append((start, offset, len(spans) * lines + 1))
    return spans or None


def read_span(path: Path, max_bytes: int, span: Span) -> Iterator[RawDocument | InputFailure]:
    """The articles of one span of a JSONL file (`jsonl_spans`), as `read_documents` gives them."""
    try:
        yield from _from_jsonl(path, max_bytes, False, span)
    except OSError as exc:
        yield InputFailure(str(path), f"cannot read ({_os_reason(exc)})")


def _lines(handle: _Binary, max_bytes: int, stop: int | None = None) -> Iterator[bytes | int]:
    """Each line (up to byte `stop`), or for a line longer than `max_bytes` its length, read
    past in pieces."""
    while (stop is None or handle.tell() < stop) and (line := handle.readline(max_bytes + 1)):
        if len(line) <= max_bytes:
            yield line
            continue
        size = len(line)
        while not line.endswith(b"\n") and (line := handle.readline(_PIECE)):
            size += len(line)
        yield size


def _wide_lines(handle: _Binary, encoding: str, max_bytes: int) -> Iterator[bytes | int]:
    """`_lines` of a UTF-16 or UTF-32 file, each line re-encoded as UTF-8."""
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    while line := text.readline(max_bytes + 1):
        if len(line) <= max_bytes:
            yield line.encode("utf-8")
            continue
        size = len(line.encode("utf-8"))
        while not line.endswith(("\n", "\r")) and (line := text.readline(_PIECE)):
            size += len(line.encode("utf-8"))
        yield size


def _inflate(path: Path, max_bytes: int) -> bytes:
    """A gzip file's content, refused once it expands past `max_bytes`."""
    with gzip.open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ParseError(f"file too large once decompressed (over {max_bytes:,} bytes)")
    return data


def _jsonl_line(origin: str, raw: bytes) -> RawDocument | InputFailure:
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return InputFailure(origin, f"not valid UTF-8 (byte {exc.start})")
    except json.JSONDecodeError as exc:
        return InputFailure(origin, f"not a JSON object ({exc.msg} at column {exc.colno})")
    if not isinstance(obj, dict):
        return InputFailure(origin, "not a JSON object")
    body = obj.get("text")
    if not isinstance(body, str) or not body.strip():
        return InputFailure(origin, 'no "text" field with the article')
    url = next((obj[k] for k in ("url", "source_url", "link") if isinstance(obj.get(k), str)), None)
    given = obj.get("id")
    return RawDocument(
        id=str(given) if given not in (None, "") else article_id(url, body),
        origin=origin,
        kind="text",
        content=body,
        url=url,
        title=obj["title"] if isinstance(obj.get("title"), str) else None,
        published=_parse_date(obj.get("published")),
    )


def _os_reason(exc: Exception) -> str:
    """The short reason of a read error: the OS message, or a gzip stream's own."""
    strerror = exc.strerror if isinstance(exc, OSError) else None
    return strerror or str(exc) or type(exc).__name__


def read_documents(paths: Iterable[Path], max_bytes: int) -> Iterator[RawDocument | InputFailure]:
    """Every article under `paths`, or a failure naming the input and the reason."""
    for item in discover(paths):
        if isinstance(item, InputFailure):
            yield item
            continue
        kind, compressed = _kind(item)
        if kind is None:
            yield InputFailure(str(item), f"unsupported file type {item.suffix!r} (use {_SUPPORTED})")
            continue
        try:
            size = item.stat().st_size
            if size == 0:
                raise ParseError("empty file")
            if kind == "jsonl":
                yield from _from_jsonl(item, max_bytes, compressed)
                continue
            if size > max_bytes:
                raise ParseError(f"file too large ({size:,} bytes; the limit is {max_bytes:,})")
            text = _decode(_inflate(item, max_bytes) if compressed else item.read_bytes(), kind)
        except ParseError as exc:
            yield InputFailure(str(item), str(exc))
            continue
        except (OSError, EOFError, zlib.error) as exc:
            yield InputFailure(str(item), f"cannot read ({_os_reason(exc)})")
            continue
        if kind == "html":
            yield _from_html(item, text)
        else:
            yield _from_text(item, text)
