"""Shared test fixtures: the spaCy pipeline (loaded once) and paths to the shared data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.nlp import load_nlp
from schemas.document import Article

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_nlp()


@pytest.fixture(scope="session")
def parse(nlp: Language) -> Callable[..., tuple[Doc, Article]]:
    """`parse(text, published=date(...), title=...)` -> (Doc, Article) for extractor tests."""

    def _parse(text: str, published: date | None = None, title: str | None = None) -> tuple[Doc, Article]:
        article = Article(id="test", origin="test", text=text, published=published, title=title)
        return nlp(text), article

    return _parse


@pytest.fixture(scope="session")
def shared() -> Path:
    """`../shared` (seeds, eval data, scorers); tests that need it skip when it is absent."""
    if not (SHARED / "seeds" / "gold.json").is_file():
        pytest.skip(f"{SHARED} is absent (seed articles and eval data live outside the repo)")
    return SHARED
