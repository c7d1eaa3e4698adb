"""What data was stolen or exposed, in the article's own words, with a controlled category.

Noun phrases about data ("email addresses", "proprietary training datasets") count when
their sentence talks about this breach (a breach verb, adjective or noun). A denial ("no
user data was affected", "payment card data was not accessed") is kept apart as
`data_not_compromised`, never as exposure. Statements about breaches in general ("hackers
often steal passwords") are skipped.
"""

from __future__ import annotations

import re
from functools import cache

from spacy.tokens import Doc, Span, Token

from extractors._gazetteer import load_vocabulary
from extractors._registry import register
from extractors._spans import doc_text, mention_chars, sentence_of, sentences
from schemas.document import Article
from schemas.entities import Mention

__all__ = ["categorize", "extract_data_types", "rate_sensitivity"]

NAME = "data_types.v1"
_RANK = {"High": 3, "Medium": 2, "Low": 1}
_LEADING = {"det", "poss", "predet", "nummod", "quantmod", "case", "cc", "punct", "advmod"}


@cache
def _vocab() -> dict[str, frozenset[str]]:
    cues = load_vocabulary("data_cues")
    keys = (
        "breach_verbs",
        "breach_nouns",
        "breach_adjectives",
        "data_nouns",
        "vague_nouns",
        "generic_adverbs",
        "modal_auxiliaries",
        "denial_heads",
        "list_verbs",
        "list_markers",
        "count_people_nouns",
    )
    return {key: frozenset(cues[key]) for key in keys}


@cache
def _categories() -> tuple[tuple[str, str], ...]:
    """(cue, category) pairs, longest cue first, so "credit card number" beats "number"."""
    cats = load_vocabulary("data_categories")["categories"]
    pairs = [(cue.lower(), cat) for cat, cues in cats.items() for cue in cues]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def categorize(phrase: str) -> str | None:
    """The category of a data phrase, by its longest cue (whole words), or None."""
    low = f" {phrase.lower()} "
    for cue, category in _categories():
        if f" {cue} " in low or f" {cue}s " in low:
            return category
    return None


def rate_sensitivity(categories: list[str]) -> str:
    """High / Medium / Low: the highest sensitivity of the categories (rubric in the data file)."""
    table = load_vocabulary("data_categories")["sensitivity"]
    ratings = [table.get(c, table.get("other", "Low")) for c in categories]
    return max(ratings, key=lambda r: _RANK.get(r, 0)) if ratings else "Unknown"


def _about_breach(sent: Span) -> bool:
    v = _vocab()
    return any(
        (t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in v["breach_verbs"])
        or t.lower_ in v["breach_adjectives"]
        or (t.pos_ == "NOUN" and t.lemma_.lower() in v["breach_nouns"])
        for t in sent
    )


def _generic(sent: Span) -> bool:
    """Breaches in general: "attackers often steal passwords", "data can be sold"."""
    v = _vocab()
    has_modal = any(t.lower_ in v["modal_auxiliaries"] and t.lower_ not in ("may", "might") for t in sent)
    return any(t.lower_ in v["generic_adverbs"] for t in sent) and (
        has_modal or not any(t.tag_ in ("VBD", "VBN") for t in sent)
    )


def _phrase(chunk: Span) -> Span:
    """The chunk without leading determiners/possessives, extended over an "of" complement."""
    doc = chunk.doc
    start, end = chunk.start, chunk.end
    while start < end and (doc[start].dep_ in _LEADING or (doc[start].is_stop and doc[start].pos_ != "NOUN")):
        start += 1
    before = doc[start - 1] if start > 0 else None
    if (  # "labeling protocols": a gerund the parser split off the noun it modifies
        before is not None
        and before.tag_ == "VBG"
        and chunk.root.head == before
        and chunk.root.dep_ == "dobj"
        and (
            before.dep_ in ("conj", "appos", "pobj", "amod", "compound", "dobj")
            or (before.i > 0 and doc[before.i - 1].lower_ in (",", "and", "or"))
        )
    ):
        start -= 1
    for child in chunk.root.children:
        if child.dep_ == "prep" and child.lower_ == "of" and child.i >= end:
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                end = max(end, objects[0].i + 1)
    return doc[start:end]


def _is_data(phrase: Span, root: Token) -> bool:
    v = _vocab()
    lemma = root.lemma_.lower()
    if root.pos_ != "NOUN" or lemma in v["count_people_nouns"]:
        return False
    if lemma in v["vague_nouns"]:
        return len(phrase) > 1 and any(t.pos_ in ("ADJ", "NOUN", "PROPN") for t in phrase if t != root)
    return lemma in v["data_nouns"] or categorize(phrase.text) is not None


def _linked(chunk: Span) -> bool:
    """The chunk is what a breach word acts on: its object, its "of" complement, an item of
    an "including ..." list, not the subject doing it ("sources disclosed")."""
    v = _vocab()
    token = chunk.root
    if token.lemma_.lower() in v["breach_nouns"]:
        return False
    via = ""
    for _ in range(5):
        head = token.head
        if head is token:
            return False
        if head.dep_ in ("prep", "agent", "dative"):
            via = head.lower_
        if token.dep_ in ("nsubj", "csubj") and head.lemma_.lower() not in v["list_verbs"]:
            return False
        lemma = head.lemma_.lower()
        if via not in ("", "of"):
            return head.lower_ in v["list_markers"] or (via == "like" and head.pos_ == "NOUN")
        if (
            lemma in v["breach_verbs"]
            or head.lower_ in v["breach_adjectives"]
            or (head.pos_ == "NOUN" and lemma in v["breach_nouns"])
            or head.lower_ in v["list_markers"]
            or (head.pos_ in ("VERB", "AUX") and lemma in v["list_verbs"] and lemma != "be")
        ):
            return True
        token = head
    return False


def _denied(chunk: Span, sent: Span) -> bool:
    """The sentence denies this data was hit: a negated governing verb, "no X", "in no way"."""
    if any(t.lower_ in ("no", "none") for t in chunk):
        return True
    head: Token = chunk.root
    for _ in range(4):
        if head.head == head:
            break
        head = head.head
        if any(c.dep_ == "neg" or c.lower_ == "no" for c in head.children):
            return True
    before = doc_text(sent.doc)[sent.start_char : chunk.start_char]
    return bool(re.search(r"\bin no way\b|\bno (?:evidence|indication|sign)\b", before, re.I))


@register(NAME)
def extract_data_types(doc: Doc, article: Article) -> list[Mention]:
    """Data phrases said to be stolen or exposed (or, kept apart, said not to be)."""
    out: list[Mention] = []
    chunks_by_sent: dict[int, list[Span]] = {}
    for chunk in doc.noun_chunks:  # once per Doc: Span.noun_chunks re-walks the whole Doc
        chunks_by_sent.setdefault(sentence_of(chunk).start, []).append(chunk)
    for sent in sentences(doc):
        if sent.start not in chunks_by_sent or not _about_breach(sent) or _generic(sent):
            continue
        for chunk in chunks_by_sent[sent.start]:
            phrase = _phrase(chunk)
            if not len(phrase) or not _is_data(phrase, chunk.root) or not _linked(chunk):
                continue
            text = phrase.text.strip(" ,.;:'\"")
            if len(text) < 3:
                continue
            start = phrase.start_char
            label = "data_not_compromised" if _denied(chunk, sent) else "data"
            category = categorize(text) or "other"
            out.append(
                mention_chars(label, text, doc, start, start + len(text), NAME, {"category": category})
            )
    return out
