"""Run every registered extractor over an article: `Article` in, `ArticleFindings` out.

Parsing dominates the cost of a run (the spaCy pipeline takes most of each article's time), so
articles are parsed in batches (`nlp.pipe`); `pipeline.outcomes` spreads the batches over
processes or a Dask cluster, each loading the pipeline once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from spacy.language import Language
from spacy.tokens import Doc

import extractors
from pipeline.errors import ExtractionError
from pipeline.nlp import load_nlp
from schemas.document import Article
from schemas.entities import ArticleFindings, Mention
from schemas.settings import MAX_ARTICLE_CHARS

__all__ = ["extract_article", "extract_articles", "extract_batch"]

_BATCH = 16

Result = ArticleFindings | ExtractionError
_STRUCK_ROLES = ("victim", "vendor", "government")
_OVERRULED = "a named party is struck, though the article's cues read as talk about threats in general"


def _findings(doc: Doc, article: Article) -> ArticleFindings:
    mentions: list[Mention] = []
    for name, extractor in extractors.EXTRACTORS.items():
        try:
            mentions.extend(extractor(doc, article))
        except Exception as exc:  # one rule's bug must not lose the batch; report it by name
            raise ExtractionError(f"extractor {name} failed: {type(exc).__name__}: {exc}") from exc
    mentions.sort(key=lambda m: (m.start, m.end, m.label, m.value))
    verdict = next((m for m in mentions if m.label == "incident_type"), None)
    if verdict is not None and _victim_outweighs(verdict, mentions):
        overruled = verdict.model_copy(
            update={
                "value": verdict.attrs["best_type"],
                "attrs": {**verdict.attrs, "is_incident": True, "reason": _OVERRULED},
            }
        )
        mentions = [overruled if m is verdict else m for m in mentions]
        verdict = overruled
    is_incident = verdict is None or bool(verdict.attrs.get("is_incident", True))
    reason = None if is_incident or verdict is None else str(verdict.attrs.get("reason") or verdict.value)
    return ArticleFindings(article=article, mentions=mentions, is_incident=is_incident, reason=reason)


def _victim_outweighs(verdict: Mention, mentions: list[Mention]) -> bool:
    """A "not an incident" verdict with incident cues, in an article whose grammar names a party
    struck by the attack ("Acme users extorted a second time"): the struck party wins, the verdict
    takes its best-scored type."""
    if verdict.attrs.get("is_incident", True) or not verdict.attrs.get("best_type"):
        return False
    return any(
        m.label == "organization" and m.attrs.get("struck") and m.attrs.get("role") in _STRUCK_ROLES
        for m in mentions
    )


def extract_article(article: Article, nlp: Language | None = None) -> ArticleFindings:
    """Findings for one article (parses it with the pinned spaCy pipeline)."""
    nlp = nlp or load_nlp()
    return _findings(nlp(article.text), article)


def extract_batch(
    batch: list[Article], nlp: Language | None = None, max_chars: int = MAX_ARTICLE_CHARS
) -> list[Result]:
    """Findings for one batch; an article that is too long, or whose parse or extractors fail,
    gives its error instead and the others their findings."""
    nlp = nlp or load_nlp()
    refused = [_too_long(article, max_chars) for article in batch]
    todo = [article for article, error in zip(batch, refused, strict=True) if error is None]
    try:
        parsed: list[Doc | ExtractionError] = list(nlp.pipe([article.text for article in todo]))
    except Exception:  # one article's parse failed: parse them one by one to name it
        parsed = [_parse_one(nlp, article) for article in todo]
    docs = iter(parsed)
    out: list[Result] = []
    for article, error in zip(batch, refused, strict=True):
        doc = error or next(docs)
        if isinstance(doc, ExtractionError):
            out.append(doc)
            continue
        try:
            out.append(_findings(doc, article))
        except ExtractionError as exc:
            out.append(ExtractionError(f"{article.origin}: {exc}"))
    return out


def _too_long(article: Article, max_chars: int) -> ExtractionError | None:
    if len(article.text) <= max_chars:
        return None
    return ExtractionError(
        f"{article.origin}: article too long to extract ({len(article.text):,} characters after "
        f"cleaning; the limit is {max_chars:,}, --max-article-chars)"
    )


def _parse_one(nlp: Language, article: Article) -> Doc | ExtractionError:
    try:
        return nlp(article.text)
    except Exception as exc:  # spaCy's own limits and bugs: this article fails, not the batch
        return ExtractionError(f"{article.origin}: the parser failed: {type(exc).__name__}: {exc}")


def _batches(articles: Iterable[Article]) -> Iterator[list[Article]]:
    it = iter(articles)
    while batch := list(islice(it, _BATCH)):
        yield batch


def extract_articles(
    articles: Iterable[Article],
    nlp: Language | None = None,
    max_chars: int = MAX_ARTICLE_CHARS,
) -> Iterator[Result]:
    """Findings for many articles, parsed in batches, in input order; a failing article, or one
    longer than `max_chars`, yields its error."""
    nlp = nlp or load_nlp()
    for batch in _batches(articles):
        yield from extract_batch(batch, nlp, max_chars)
