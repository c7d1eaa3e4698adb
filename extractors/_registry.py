"""Extractors registered by versioned name, as spaCy registers its components.

An extractor is a pure function `(doc, article) -> list[Mention]`: it reads a parsed
spaCy `Doc` of `article.text` (and the article's metadata, e.g. its publish date) and
returns findings with character spans. It never mutates the Doc or touches I/O.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from schemas.document import Article
from schemas.entities import Mention

__all__ = ["EXTRACTORS", "Extractor", "register"]

Extractor = Callable[[Doc, Article], list[Mention]]

EXTRACTORS: dict[str, Extractor] = {}


def register(name: str) -> Callable[[Extractor], Extractor]:
    """Register an extractor as `name` (e.g. `"actors.v1"`); names are unique."""

    def wrap(func: Extractor) -> Extractor:
        if name in EXTRACTORS:
            raise ValueError(f"extractor {name!r} registered twice")
        EXTRACTORS[name] = func
        return func

    return wrap
