"""Small helpers every extractor uses to build a `Mention` from a spaCy span."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from schemas.entities import AttrValue, Mention, MentionLabel

__all__ = ["doc_text", "mention", "mention_chars", "sentence_of", "sentences"]

_SENTS = "extractors.sents"
_INDEX = "extractors.sent_index"
_TEXT = "extractors.text"


def doc_text(doc: Doc) -> str:
    """`doc.text`, joined once per Doc (spaCy rebuilds the string from the tokens on every access)."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = doc.text
    return text


def sentences(doc: Doc) -> list[Span]:
    """The Doc's sentences, computed once per Doc (spaCy walks the whole Doc on every
    `doc.sents` and every `span.sent`, which made extraction quadratic in article length)."""
    cached = doc.user_data.get(_SENTS)
    if cached is None:
        cached = list(doc.sents)
        index = [0] * len(doc)
        for n, sent in enumerate(cached):
            for i in range(sent.start, sent.end):
                index[i] = n
        doc.user_data[_SENTS] = cached
        doc.user_data[_INDEX] = index
    return cached


def sentence_of(item: Token | Span) -> Span:
    """The sentence a token or span (by its first token) belongs to."""
    doc = item.doc
    sents = sentences(doc)
    first = item.i if isinstance(item, Token) else item.start
    return sents[doc.user_data[_INDEX][min(first, len(doc) - 1)]]


def mention(
    label: MentionLabel,
    value: str,
    span: Span,
    extractor: str,
    attrs: dict[str, AttrValue] | None = None,
    score: float = 1.0,
) -> Mention:
    """A mention covering `span`, with the text of the sentence it sits in."""
    return Mention(
        label=label,
        value=value,
        text=span.text,
        start=span.start_char,
        end=span.end_char,
        sentence=sentence_of(span).text,
        extractor=extractor,
        attrs=attrs or {},
        score=score,
    )


def mention_chars(
    label: MentionLabel,
    value: str,
    doc: Doc,
    start: int,
    end: int,
    extractor: str,
    attrs: dict[str, AttrValue] | None = None,
    score: float = 1.0,
) -> Mention:
    """A mention for the characters `doc_text(doc)[start:end]` (e.g. a regex match)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    sentence = sentence_of(span).text if span is not None else doc_text(doc)[start:end]
    return Mention(
        label=label,
        value=value,
        text=doc_text(doc)[start:end],
        start=start,
        end=end,
        sentence=sentence,
        extractor=extractor,
        attrs=attrs or {},
        score=score,
    )
