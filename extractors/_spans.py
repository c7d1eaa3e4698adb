"""Small helpers every extractor uses to build a `Mention` from a spaCy span."""

from __future__ import annotations

import re
from bisect import bisect_right

from spacy.attrs import LEMMA, LOWER, ORTH, POS, TAG
from spacy.tokens import Doc, Span, Token

from schemas.entities import AttrValue, Mention, MentionLabel

__all__ = [
    "doc_lemmas",
    "doc_text",
    "entity_of",
    "lemmas",
    "line_bounds",
    "lowers",
    "mention",
    "mention_chars",
    "poses",
    "sentence_ents",
    "sentence_index",
    "sentence_of",
    "sentence_text",
    "sentence_texts",
    "sentence_words",
    "sentences",
    "tags",
    "texts",
]

_SENTS = "extractors.sents"
_INDEX = "extractors.sent_index"
_TEXT = "extractors.text"
_LOWERS = "extractors.lowers"
_LEMMAS = "extractors.lemmas"
_LEMMA_SET = "extractors.lemma_set"
_SENT_WORDS = "extractors.sent_words"
_SENT_TEXTS = "extractors.sent_texts"
_TAGS = "extractors.tags"
_POSES = "extractors.poses"
_TEXTS = "extractors.texts"
_ENTS = "extractors.ents"
_LINE_STARTS = "extractors.line_starts"
_LINE_BREAK = re.compile("\n")


def doc_text(doc: Doc) -> str:
    """`doc.text`, joined once per Doc (spaCy rebuilds the string from the tokens on every access)."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = doc.text
    return text


BRIEF_SENTENCES = 10


def is_brief(doc: Doc) -> bool:
    """A short report (a feed summary, an incident database's entry) rather than a news article:
    it tells its event in the present tense and names its main party in the lead, with few of the
    cues a full article repeats."""
    return len(sentences(doc)) <= BRIEF_SENTENCES


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


def sentence_index(doc: Doc, i: int) -> int:
    """The number (in `sentences(doc)`) of the sentence token `i` belongs to."""
    sentences(doc)
    return doc.user_data[_INDEX][min(i, len(doc) - 1)]


def sentence_texts(doc: Doc) -> list[str]:
    """`sent.text` of every sentence of `sentences(doc)`, sliced once from `doc_text`
    (`Span.text` joins the tokens again on every access)."""
    cached = doc.user_data.get(_SENT_TEXTS)
    if cached is None:
        text = doc_text(doc)
        cached = doc.user_data[_SENT_TEXTS] = [text[s.start_char : s.end_char] for s in sentences(doc)]
    return cached


def _entity_index(doc: Doc) -> tuple[list[Span], list[int], list[list[Span]]]:
    """`doc.ents`; per token, the number of its entity (-1 for none); per sentence of
    `sentences(doc)`, the entities wholly inside it. One pass over the entities, once per Doc."""
    cached = doc.user_data.get(_ENTS)
    if cached is None:
        ents = list(doc.ents)
        owner = [-1] * len(doc)
        per_sent: list[list[Span]] = [[] for _ in sentences(doc)]
        index = doc.user_data[_INDEX]
        for n, ent in enumerate(ents):
            owner[ent.start : ent.end] = [n] * len(ent)
            if index[ent.start] == index[ent.end - 1]:
                per_sent[index[ent.start]].append(ent)
        cached = doc.user_data[_ENTS] = (ents, owner, per_sent)
    return cached


def entity_of(tok: Token) -> Span | None:
    """The entity of `doc.ents` that `tok` is part of, if any: a lookup (scanning `doc.ents` for
    every token asked about made extraction quadratic in the length of the article)."""
    ents, owner, _ = _entity_index(tok.doc)
    return ents[owner[tok.i]] if owner[tok.i] >= 0 else None


def sentence_ents(sent: Span) -> list[Span]:
    """`sent.ents` (the entities wholly inside it) for a sentence of `sentences(doc)`, looked up:
    spaCy walks all the Doc's entities on every `Span.ents`."""
    doc = sent.doc
    if sent.start >= sent.end:
        return []
    n = sentence_index(doc, sent.start)
    own = sentences(doc)[n]
    if own.start != sent.start or own.end != sent.end:
        return list(sent.ents)
    return _entity_index(doc)[2][n]


def line_bounds(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Start and end of the line of `doc_text(doc)` around the characters `start`..`end` (the end
    is the next line break, else the text's length), by bisection in the Doc's line starts:
    searching the text for line breaks around every name made a long line quadratic."""
    starts = doc.user_data.get(_LINE_STARTS)
    if starts is None:
        starts = doc.user_data[_LINE_STARTS] = [0] + [m.end() for m in _LINE_BREAK.finditer(doc_text(doc))]
    following = bisect_right(starts, end)
    line_end = starts[following] - 1 if following < len(starts) else len(doc_text(doc))
    return starts[bisect_right(starts, start) - 1], line_end


def _column(doc: Doc, key: str, attr: int, lower: bool = False) -> list[str]:
    """A string attribute of every token, read once per Doc from one array: iterating the Doc
    builds a Token object per token, which was most of the extractors' time."""
    cached = doc.user_data.get(key)
    if cached is None:
        strings = doc.vocab.strings
        names: dict[int, str] = {}
        cached = []
        for value in doc.to_array(attr).tolist():
            name = names.get(value)
            if name is None:
                name = names[value] = strings[value].lower() if lower else strings[value]
            cached.append(name)
        doc.user_data[key] = cached
    return cached


def tags(doc: Doc) -> list[str]:
    """`token.tag_` of every token."""
    return _column(doc, _TAGS, TAG)


def texts(doc: Doc) -> list[str]:
    """`token.text` of every token."""
    return _column(doc, _TEXTS, ORTH)


def poses(doc: Doc) -> list[str]:
    """`token.pos_` of every token."""
    return _column(doc, _POSES, POS)


def lowers(doc: Doc) -> list[str]:
    """`token.lower_` of every token."""
    return _column(doc, _LOWERS, LOWER)


def lemmas(doc: Doc) -> list[str]:
    """`token.lemma_.lower()` of every token."""
    return _column(doc, _LEMMAS, LEMMA, lower=True)


def doc_lemmas(doc: Doc) -> frozenset[str]:
    """The set of lowercased lemmas of the Doc, so "does the story use word X" is one set lookup."""
    cached = doc.user_data.get(_LEMMA_SET)
    if cached is None:
        cached = doc.user_data[_LEMMA_SET] = frozenset(lemmas(doc))
    return cached


def sentence_words(sent: Span) -> frozenset[str]:
    """The lowercased forms and lemmas of a sentence's tokens, computed once per sentence of
    `sentences(doc)` (rules ask "is this a breach sentence" for every name in it)."""
    doc = sent.doc
    start, end = sent.start, sent.end
    n = sentence_index(doc, start) if start < end else -1
    own = n >= 0 and sentences(doc)[n].start == start and sentences(doc)[n].end == end
    per_sent: dict[int, frozenset[str]] = doc.user_data.setdefault(_SENT_WORDS, {})
    cached = per_sent.get(n) if own else None
    if cached is None:
        cached = frozenset(lowers(doc)[start:end]) | frozenset(lemmas(doc)[start:end])
        if own:
            per_sent[n] = cached
    return cached


def sentence_text(span: Span) -> str:
    """`sentence_of(span).text`, from the per-Doc `sentence_texts` (not joined again each time)."""
    return sentence_texts(span.doc)[sentence_index(span.doc, span.start)]


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
        sentence=sentence_text(span),
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
    sentence = sentence_text(span) if span is not None else doc_text(doc)[start:end]
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
