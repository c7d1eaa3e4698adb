"""Documents as they move through the first stages: a raw input, then a cleaned article."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Article", "RawDocument"]

RawKind = Literal["html", "text"]


class RawDocument(BaseModel):
    """What a source yields: the bytes of one article, decoded, before any cleaning.

    `origin` says where it came from (a file path, `file.jsonl:12`, or a URL) so every
    error and every record can point back to it.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    origin: str
    kind: RawKind
    content: str
    url: str | None = None
    title: str | None = None
    published: date | None = None


class Article(BaseModel):
    """A cleaned article: the text every extractor reads and every evidence span points into."""

    model_config = ConfigDict(frozen=True)

    id: str
    origin: str
    text: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    published: date | None = None
    language: str = "en"
    removed_blocks: int = Field(0, description="boilerplate blocks the cleaner dropped")
