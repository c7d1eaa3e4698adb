"""One id, one article: a reused id never makes one article replace another.

An article's id is its JSONL `id` when given, else a hash of its URL or text, and a re-read
article replaces its earlier record. A JSONL batch can give one id to two different texts
(two feeds numbering from 1, a copy-paste slip): the second replaced the first in silence, in
the run and, through `--db`, across runs. Each article's text is fingerprinted; an id already
held by another text is made unique with the text's fingerprint (`wire-7~3fa9c2d1`) and the
summary says so, and a second copy of the same article in one run is read once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.errors import ParseError
from schemas.document import RawDocument

__all__ = ["ArticleIds", "fingerprint"]


def fingerprint(raw: RawDocument) -> str:
    """What tells two articles apart: the SHA-256 of the text as read (before cleaning)."""
    return hashlib.sha256(raw.content.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class _Holder:
    fingerprint: str
    origin: str | None  # where this run read it; None for an article stored by an earlier run


class ArticleIds:
    """The ids of one run's articles, and of those a database holds from earlier runs."""

    def __init__(self, stored: Mapping[str, str] | None = None) -> None:
        self._held = {key: _Holder(value, None) for key, value in (stored or {}).items()}
        self.fingerprints: dict[str, str] = {}  # article id -> fingerprint, for this run's articles

    def admit(self, raw: RawDocument) -> tuple[RawDocument | None, str | None]:
        """`(document, None)` for an article whose id is its own; `(renamed, note)` when the id
        is held by another text; `(None, reason)` for a second copy of an article of this run.
        `ParseError` when even the id with the text's whole fingerprint is held (deliberately)."""
        mark = fingerprint(raw)
        first = self._held.get(raw.id)
        for key in (raw.id, f"{raw.id}~{mark[:8]}", f"{raw.id}~{mark[:16]}", f"{raw.id}~{mark}"):
            holder = self._held.get(key)
            if holder is not None and holder.fingerprint != mark:
                continue  # another article has it: try a longer fingerprint
            if holder is not None and holder.origin is not None:
                return None, f"{raw.origin}: the same article as {holder.origin} (id {key!r})"
            self._held[key] = _Holder(mark, raw.origin)
            self.fingerprints[key] = mark
            if key == raw.id:
                return raw, None
            where = first.origin if first is not None and first.origin else "an article in the database"
            note = f"{raw.origin}: id {raw.id!r} is already used by {where} for another text; kept as {key!r}"
            return raw.model_copy(update={"id": key}), note
        raise ParseError(
            f"{raw.origin}: id {raw.id!r} and its fingerprinted forms are all held by other texts"
        )
