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
        key, note = self.admit_key(raw.id, fingerprint(raw), raw.origin)
        if key is None:
            return None, note
        return (raw if key == raw.id else raw.model_copy(update={"id": key})), note

    def admit_key(self, given: str, mark: str, origin: str) -> tuple[str | None, str | None]:
        """`admit` for an article known by its id, fingerprint and origin: `(id to use, note)`,
        or `(None, reason)` for a second copy (the Dask engine settles ids after extraction)."""
        first = self._held.get(given)
        for key in (given, f"{given}~{mark[:8]}", f"{given}~{mark[:16]}", f"{given}~{mark}"):
            holder = self._held.get(key)
            if holder is not None and holder.fingerprint != mark:
                continue  # another article has it: try a longer fingerprint
            if holder is not None and holder.origin is not None:
                return None, f"{origin}: the same article as {holder.origin} (id {key!r})"
            self._held[key] = _Holder(mark, origin)
            self.fingerprints[key] = mark
            if key == given:
                return key, None
            where = first.origin if first is not None and first.origin else "an article in the database"
            return key, f"{origin}: id {given!r} is already used by {where} for another text; kept as {key!r}"
        raise ParseError(f"{origin}: id {given!r} and its fingerprinted forms are all held by other texts")
