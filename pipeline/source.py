"""Read articles from files and folders: `.html`/`.htm`, `.txt` and `.jsonl`.

A source yields `RawDocument`s and, for inputs it cannot read, `InputFailure`s that name the
file (and line) and the reason; one bad file never stops the others.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipeline.errors import ParseError
from schemas.document import RawDocument

__all__ = ["SUFFIXES", "InputFailure", "article_id", "discover", "read_documents"]

SUFFIXES = {".html": "html", ".htm": "html", ".txt": "text", ".jsonl": "jsonl"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


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


def discover(paths: Iterable[Path]) -> Iterator[Path | InputFailure]:
    """Files to read, in a stable order: folders are walked recursively for known suffixes."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            yield path
        else:
            yield InputFailure(str(path), "no such file or folder")


def _decode(data: bytes, kind: str) -> str:
    if not data.strip():
        raise ParseError("empty file")
    if b"\x00" in data[:8192]:
        raise ParseError("binary file (contains NUL bytes), not text or HTML")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
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


def _from_jsonl(path: Path, max_bytes: int) -> Iterator[RawDocument | InputFailure]:
    """One article per line, streamed: a large batch file is fine, a huge line is refused."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if raw.strip():
                yield _jsonl_line(f"{path}:{number}", raw, max_bytes)


def _jsonl_line(origin: str, raw: bytes, max_bytes: int) -> RawDocument | InputFailure:
    if len(raw) > max_bytes:
        return InputFailure(origin, f"line too large ({len(raw):,} bytes; the limit is {max_bytes:,})")
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


def read_documents(paths: Iterable[Path], max_bytes: int) -> Iterator[RawDocument | InputFailure]:
    """Every article under `paths`, or a failure naming the input and the reason."""
    for item in discover(paths):
        if isinstance(item, InputFailure):
            yield item
            continue
        kind = SUFFIXES.get(item.suffix.lower())
        if kind is None:
            yield InputFailure(str(item), f"unsupported file type {item.suffix!r} (use .html, .txt, .jsonl)")
            continue
        try:
            size = item.stat().st_size
            if size == 0:
                raise ParseError("empty file")
            if kind == "jsonl":
                yield from _from_jsonl(item, max_bytes)
                continue
            if size > max_bytes:
                raise ParseError(f"file too large ({size:,} bytes; the limit is {max_bytes:,})")
            text = _decode(item.read_bytes(), kind)
        except ParseError as exc:
            yield InputFailure(str(item), str(exc))
            continue
        except OSError as exc:
            yield InputFailure(str(item), f"cannot read ({exc.strerror})")
            continue
        if kind == "html":
            yield _from_html(item, text)
        else:
            yield _from_text(item, text)
