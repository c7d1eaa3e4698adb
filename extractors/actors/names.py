"""What an actor's name looks like and where it ends; `Found` is one candidate name with the
token its clause is read from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeGuard

from spacy.tokens import Doc, Span, Token

from extractors._spans import texts
from extractors.actors.cues import cue_words
from extractors.actors.english import english_words
from extractors.actors.galaxy import canonical_actor

__all__ = [
    "MAX_NAME_TOKENS",
    "Found",
    "balanced",
    "common_word",
    "distinctive",
    "is_english",
    "name_left",
    "name_right",
    "quoted_right",
    "valid",
]

_TOKEN_TEXTS = "actors.token_texts"
MAX_NAME_TOKENS = 5


@dataclass(frozen=True)
class Found:
    """A candidate actor: its token span, the token its clause is read from, and its kind."""

    span: Span
    anchor: Token
    kind: str
    known: bool
    rule: str = ""


def _is_name_token(tok: Token, first: bool) -> bool:
    text = tok.text
    if tok.lower_ in cue_words("name_stopwords") or (tok.is_punct and text != "$"):
        return False
    if not first and (tok.like_num or text in ("$", "-")):
        return True
    if not first and tok.tag_ == "POS" and tok.ent_iob_ == "I" and tok.ent_type_ == "ORG":
        return True  # "People's Liberation Army": a possessive inside an organisation's name
    return text[:1].isupper() or any(ch.isdigit() for ch in text) or "$" in text


def name_right(doc: Doc, i: int, end: int) -> Span | None:
    """The name starting at token `i` (an opening quote is skipped), within `end`."""
    while i < end and (doc[i].is_quote or doc[i].is_space or doc[i].lower_ == "the"):
        i += 1
    j = i
    while j < end and j - i < MAX_NAME_TOKENS and _is_name_token(doc[j], j == i):
        if doc[j].text == "-" and (j + 1 >= end or doc[j - 1].whitespace_ or doc[j].whitespace_):
            break
        j += 1
    return _trim(doc[i:j]) if j > i else None


def name_left(doc: Doc, j: int, start: int) -> Span | None:
    """The name ending just before token `j`, not before `start`."""
    while j > start and doc[j - 1].is_quote:
        j -= 1
    i = j
    while i > start and j - i < MAX_NAME_TOKENS and _is_name_token(doc[i - 1], False):
        i -= 1
    while i < j and not _is_name_token(doc[i], True):
        i += 1
    return _trim(doc[i:j]) if j > i else None


def _trim(span: Span) -> Span | None:
    """The span without leading nationality/place words when what is left is itself a name
    ("Chinese APT10" -> "APT10"); "Turkish Crime Family" stays whole."""
    skip = cue_words("non_actor_entity_types")
    doc = span.doc
    start = span.start
    while start < span.end and doc[start].ent_type_ in skip:
        start += 1
    if start == span.end:
        return span
    rest = doc[start : span.end]
    return rest if start == span.start or distinctive(rest) or canonical_actor(rest.text)[1] else span


def is_english(span: Span) -> bool:
    words = english_words()
    return all(t.lower_ in words or t.lemma_.lower() in words for t in span)


def common_word(span: Span) -> bool:
    """An English word, or one the article also writes in lower case ("Malware" / "malware")."""
    lower = span.text.lower()
    return is_english(span) or lower in _token_texts(span.doc)


def _token_texts(doc: Doc) -> frozenset[str]:
    """The Doc's token texts, as a set made once per Doc (scanning the Doc for every name asked
    about was quadratic in the length of the article)."""
    cached = doc.user_data.get(_TOKEN_TEXTS)
    if cached is None:
        cached = doc.user_data[_TOKEN_TEXTS] = frozenset(texts(doc))
    return cached


def distinctive(span: Span) -> bool:
    """A digit, `$` or an inner capital after a small letter ("APT10", "LAPSUS$", "TheDarkOverlord")."""
    return any(re.search(r"[0-9$]|[a-z][A-Z]", t.text) for t in span)


def valid(span: Span | None) -> TypeGuard[Span]:
    """A span that can be an actor's name (so, for the type checker, not None)."""
    if span is None or len(span.text) < 2:
        return False
    if span.text.lower() in cue_words("name_stopwords") or span[0].is_stop:
        return False
    return not all(t.ent_type_ in cue_words("non_actor_entity_types") for t in span)


def quoted_right(doc: Doc, i: int, end: int) -> Span | None:
    """The quoted name at token `i` ("Grey Lantern Crew", in quotes after "the pseudonym"): a name
    the text gives explicitly, whatever its words or its entity type."""
    if i >= end or not doc[i].is_quote:
        return None
    j = i + 1
    while j < end and j - i <= MAX_NAME_TOKENS and not doc[j].is_quote:
        j += 1
    last = j
    while last > i + 1 and doc[last - 1].is_punct:
        last -= 1
    if j >= end or last == i + 1 or j - i > MAX_NAME_TOKENS or not doc[i + 1].text[:1].isupper():
        return None
    return doc[i + 1 : last]


def balanced(span: Span) -> Span:
    """The span with its closing parenthesis: the tokenizer splits "NoName057(16)" before ")"."""
    doc = span.doc
    if span.text.count("(") > span.text.count(")") and span.end < len(doc) and doc[span.end].text == ")":
        return doc[span.start : span.end + 1]
    return span
