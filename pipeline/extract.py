"""Run every registered extractor over an article: `Article` in, `ArticleFindings` out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

import extractors
from pipeline.errors import ExtractionError
from pipeline.nlp import load_nlp
from schemas.document import Article
from schemas.entities import ArticleFindings, Mention

__all__ = ["extract_article", "extract_articles"]

_BATCH = 16


def _findings(doc: Doc, article: Article) -> ArticleFindings:
    mentions: list[Mention] = []
    for name, extractor in extractors.EXTRACTORS.items():
        try:
            mentions.extend(extractor(doc, article))
        except Exception as exc:  # one rule's bug must not lose the batch; report it by name
            raise ExtractionError(f"extractor {name} failed: {type(exc).__name__}: {exc}") from exc
    mentions.sort(key=lambda m: (m.start, m.end, m.label, m.value))
    verdict = next((m for m in mentions if m.label == "incident_type"), None)
    is_incident = verdict is None or bool(verdict.attrs.get("is_incident", True))
    reason = None if is_incident or verdict is None else str(verdict.attrs.get("reason") or verdict.value)
    return ArticleFindings(article=article, mentions=mentions, is_incident=is_incident, reason=reason)


def extract_article(article: Article, nlp: Language | None = None) -> ArticleFindings:
    """Findings for one article (parses it with the pinned spaCy pipeline)."""
    nlp = nlp or load_nlp()
    return _findings(nlp(article.text), article)


def extract_articles(
    articles: Iterable[Article], nlp: Language | None = None
) -> Iterator[ArticleFindings | ExtractionError]:
    """Findings for many articles, parsed in batches; a failing article yields its error."""
    nlp = nlp or load_nlp()
    batch: list[Article] = []

    def flush() -> Iterator[ArticleFindings | ExtractionError]:
        for doc, article in zip(nlp.pipe([a.text for a in batch]), batch, strict=True):
            try:
                yield _findings(doc, article)
            except ExtractionError as exc:
                yield ExtractionError(f"{article.origin}: {exc}")
        batch.clear()

    for article in articles:
        batch.append(article)
        if len(batch) >= _BATCH:
            yield from flush()
    yield from flush()
