"""Small helpers every extractor uses to build a `Mention` from a spaCy span."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from schemas.entities import AttrValue, Mention, MentionLabel

__all__ = ["mention", "mention_chars"]


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
        sentence=span.sent.text,
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
    """A mention for the characters `doc.text[start:end]` (e.g. a regex match)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    sentence = span.sent.text if span is not None else doc.text[start:end]
    return Mention(
        label=label,
        value=value,
        text=doc.text[start:end],
        start=start,
        end=end,
        sentence=sentence,
        extractor=extractor,
        attrs=attrs or {},
        score=score,
    )
