"""How many records or people an incident affected: "1.5 million", "more than 500,000", "57m".

A number counts only when it is tied to a noun that can be counted in a breach (records,
accounts, customers, patients, ...) in a sentence that talks about the breach; money,
percentages, years, versions and sizes never count.
"""

from __future__ import annotations

import re
from functools import cache

from spacy.tokens import Doc, Span, Token

from extractors._gazetteer import load_vocabulary
from extractors._registry import register
from extractors._spans import doc_text, mention_chars, sentence_of
from schemas.document import Article
from schemas.entities import Mention

__all__ = ["extract_counts", "parse_count", "pick_records_affected"]

NAME = "counts.v1"
_SCALE = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
}
_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a": 1,
    "half a": 0.5,
    "dozens of": 24,
    "hundreds of": 100,
}
_NUMBER = re.compile(
    r"(?<![\w$£€¥.,/-])"
    r"(?:(?P<digits>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<scale>thousand|million|billion|mln|mn|bn|k|m|b)?"
    r"|(?P<word>half a|one|two|three|four|five|six|seven|eight|nine|ten|a)\s+"
    r"(?P<wscale>thousand|million|billion))"
    r"(?![\w%]|\.\d|,\d)",
    re.IGNORECASE,
)
_NOT_COUNTS = re.compile(
    r"^\s*(?:%|percent|per cent|years?|days?|hours?|minutes?|months?|weeks?|gb|tb|mb|"
    r"dollars?|euros?|pounds?|usd|bitcoin|btc|times)\b",
    re.IGNORECASE,
)


@cache
def _cues() -> dict[str, frozenset[str]]:
    vocab = load_vocabulary("data_cues")
    return {key: frozenset(vocab[key]) for key in ("count_record_nouns", "count_people_nouns", "count_cues")}


def parse_count(text: str) -> int | None:
    """The integer a count phrase stands for ("1.5 million" -> 1500000), or None."""
    match = _NUMBER.search(text)
    if not match:
        return None
    if match["digits"]:
        value = float(match["digits"].replace(",", ""))
        scale = _SCALE.get((match["scale"] or "").lower(), 1)
    else:
        value = _WORDS[match["word"].lower()]
        scale = _SCALE[match["wscale"].lower()]
    return round(value * scale)


def _counted_noun(doc: Doc, start: int, end: int) -> Token | None:
    """The noun the number at `doc_text(doc)[start:end]` counts: its syntactic head, or the next noun."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    last = span[-1]
    if last.dep_ in ("nummod", "quantmod", "compound") and last.head.pos_ in ("NOUN", "PROPN"):
        head = last.head
        if head.i > last.i:
            return head
    for token in doc[last.i + 1 : min(len(doc), last.i + 5)]:
        if token.pos_ == "NOUN":
            return token
        if token.pos_ not in ("ADJ", "NOUN", "PROPN", "ADP", "DET", "NUM") or token.is_punct:
            return None
    return None


def _is_breach_sentence(sent: Span, cues: frozenset[str]) -> bool:
    return any(t.lemma_.lower() in cues or t.lower_ in cues for t in sent)


@register(NAME)
def extract_counts(doc: Doc, article: Article) -> list[Mention]:
    """Counts of records or people tied to their noun, in sentences about the breach."""
    cues = _cues()
    out: list[Mention] = []
    text = doc_text(doc)
    for match in _NUMBER.finditer(text):
        start, end = match.span()
        before = text[max(0, start - 2) : start]
        if "$" in before or "€" in before or "£" in before or _NOT_COUNTS.match(text[end : end + 12]):
            continue
        value = parse_count(match.group(0))
        if not value or value < 2 or (match["digits"] and not match["scale"] and 1900 <= value <= 2100):
            continue
        noun = _counted_noun(doc, start, end)
        if noun is None or not _is_breach_sentence(sentence_of(noun), cues["count_cues"]):
            continue
        lemma = noun.lemma_.lower()
        if lemma in cues["count_record_nouns"]:
            kind = "records"
        elif lemma in cues["count_people_nouns"]:
            kind = "people"
        else:
            continue
        out.append(
            mention_chars("count", str(value), doc, start, end, NAME, {"kind": kind, "noun": noun.text})
        )
    return out


def pick_records_affected(mentions: list[Mention]) -> Mention | None:
    """The count to report: the first one in the article (the lead states the headline figure),
    preferring a count of records over one of people when both are given."""
    counts = [m for m in mentions if m.label == "count"]
    records = [m for m in counts if m.attrs.get("kind") == "records"]
    return (records or counts or [None])[0]
