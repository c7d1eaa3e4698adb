"""How many records or people an incident affected: "1.5 million", "more than 500,000", "57m".

A number counts only when the parse ties it to a noun that can be counted in a breach
(records, accounts, customers, patients, ...; vocabularies in `data_cues.json`) and that
noun sits in a sentence about the breach. Money, percentages, dates, versions, products and
sizes never count, nor do platform sizes ("has 100 million users") or hypotheticals ("could
affect 3,000 employees"). Each mention's `score` says how closely the noun is linked to a
breach word: 2 when a breach word governs or modifies it ("1.5 million users were
affected", "stolen accounts"), 1 when it only shares the sentence with one.
"""

from __future__ import annotations

import math
import re
from functools import cache

from spacy.tokens import Doc, Span, Token

from extractors._gazetteer import load_vocabulary
from extractors._registry import register
from extractors._spans import doc_text, mention_chars, sentence_of
from schemas.document import Article
from schemas.entities import AttrValue, Mention

__all__ = ["EXTRACTOR", "LINKED", "extract_counts", "parse_count", "pick_records_affected"]

EXTRACTOR = "counts.v1"
LINKED = 2.0  # the score of a count a breach word governs or modifies
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
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "hundred": 100, "half a": 0.5,
}  # fmt: skip
_NUMBER = re.compile(
    r"(?<![\w$£€¥.,/-])"
    r"(?:(?P<digits>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<scale>thousand|million|billion|mln|mn|bn|k|m|b)?"
    r"|(?P<word>half a|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|hundred)[\s-]+(?P<wscale>thousand|million|billion))"
    r"(?![\w%]|\.\d|,\d|\.x)",
    re.IGNORECASE,
)
_UNITS = re.compile(
    r"^[\s-]*(?:%|percent|per cent|years?|days?|hours?|minutes?|months?|weeks?|[kmgt]b|bytes?|gigabytes?|"
    r"terabytes?|dollars?|euros?|pounds?|usd|bitcoins?|btc|times|countries)\b",
    re.IGNORECASE,
)
_NOT_COUNT_ENTITIES = frozenset(
    {"MONEY", "PERCENT", "DATE", "TIME", "ORDINAL", "PRODUCT", "ORG", "LAW", "QUANTITY"}
)
_MODALS = frozenset({"can", "could", "would", "will", "should", "must", "might", "may", "shall"})
_COUNTERFACTUAL = frozenset({"could", "would", "should"})


@cache
def _cues() -> dict[str, frozenset[str]]:
    vocab = load_vocabulary("data_cues")
    keys = ("count_record_nouns", "count_people_nouns", "count_cues", "count_size_verbs", "owned_data_nouns")
    return {key: frozenset(vocab[key]) for key in keys}


_MAX_COUNT = 2**63  # BIGINT / SQLite INTEGER


def parse_count(text: str) -> int | None:
    """The integer a count phrase stands for ("1.5 million" -> 1500000, "57m" -> 57000000), or None."""
    match = _NUMBER.search(text)
    if not match:
        return None
    if match["digits"]:
        value = float(match["digits"].replace(",", ""))
        scale = _SCALE.get((match["scale"] or "").lower(), 1)
    else:
        value = _WORDS[match["word"].lower()]
        scale = _SCALE[match["wscale"].lower()]
    count = value * scale
    # A run of hundreds of digits is infinite as a float; past 64 bits no database column holds it.
    return round(count) if math.isfinite(count) and count < _MAX_COUNT else None


def _counted_noun(span: Span) -> Token | None:
    """The noun a number counts: its head ("1.5 million customers"), or the complement of
    "X of" ("2 million of its users")."""
    last = span[-1]
    if last.dep_ in ("nummod", "quantmod", "compound", "amod") and last.head.i > last.i:
        head = last.head
        while head.dep_ in ("nummod", "quantmod", "compound") and head.head.i > head.i and head.pos_ == "NUM":
            head = head.head
        return head if head.pos_ in ("NOUN", "PROPN") else None
    for child in last.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            return next((g for g in child.children if g.dep_ == "pobj" and g.pos_ == "NOUN"), None)
    return None


def _is_cue(token: Token) -> bool:
    cues = _cues()["count_cues"]
    return token.lemma_.lower() in cues or token.lower_ in cues


def _owns_data(noun: Token) -> bool:
    """ "the health information of 600 patients", "4,300 patients' records": the people whose data an
    incident article is about, though the sentence has no breach word ("a former employee emailed
    the health information of 600 patients to her own account")."""
    owned = _cues()["owned_data_nouns"]
    if noun.dep_ == "poss":
        return noun.head.lemma_.lower() in owned
    return (
        noun.dep_ == "pobj" and noun.head.lower_ in ("of", "for") and noun.head.head.lemma_.lower() in owned
    )


def _link_score(noun: Token) -> int:
    """2: a breach word governs or modifies `noun`, or it owns the data; 1: it shares the sentence
    with a breach word; 0: neither."""
    if any(_is_cue(child) for child in noun.children if child.dep_ in ("amod", "acl", "relcl", "compound")):
        return 2
    if _owns_data(noun):
        return 2
    node = noun
    for _ in range(4):
        if node.head == node:
            break
        node = node.head
        if _is_cue(node):
            return 2
        if node.pos_ in ("VERB", "AUX") and node.lemma_.lower() in _cues()["count_size_verbs"]:
            if any(_is_cue(c) for c in node.children):
                return 2  # "40,000 employees had their data stolen"
            return 0  # "has 100 million users", "serves 2,000 customers": a size, not a victim count
    return 1 if any(_is_cue(token) for token in sentence_of(noun)) else 0


def _is_size(noun: Token) -> bool:
    """ "companies with fewer than 50 employees": the people describe who is meant, they
    are not the ones affected."""
    return noun.dep_ == "pobj" and noun.head.lower_ == "with"


def _hypothetical(noun: Token) -> bool:
    """ "could affect 3,000 employees", "if 500 patients are affected"."""
    node = noun
    for _ in range(5):
        if node.head == node:
            return False
        node = node.head
        if node.pos_ not in ("VERB", "AUX"):
            continue
        auxes = [c for c in node.children if c.dep_ in ("aux", "auxpass")]
        modals = [a.lower_ for a in auxes if a.lower_ in _MODALS]
        perfect = any(a.lemma_.lower() == "have" for a in auxes)
        if modals and (not perfect or any(m in _COUNTERFACTUAL for m in modals)):
            return True
        if any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for c in node.children):
            return True
    return False


@register(EXTRACTOR)
def extract_counts(doc: Doc, article: Article) -> list[Mention]:
    """Counts of records or people tied to their noun, in sentences about the breach."""
    cues = _cues()
    out: list[Mention] = []
    text = doc_text(doc)
    for match in _NUMBER.finditer(text):
        start, end = match.span()
        if re.search(r"[$€£¥]\s*$", text[max(0, start - 2) : start]) or _UNITS.match(text[end : end + 14]):
            continue
        if text[end : end + 1] == "-" or re.search(r"\btop\s+$", text[max(0, start - 5) : start], re.I):
            continue  # "the 12-member board", "a 3,000-employee firm", "the top 5 strains": no victim count
        value = parse_count(match.group(0))
        if not value or value < 2 or (match["digits"] and not match["scale"] and 1900 <= value <= 2100):
            continue
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or any(t.ent_type_ in _NOT_COUNT_ENTITIES for t in span):
            continue
        noun = _counted_noun(span)
        if noun is None:
            continue
        lemma = noun.lemma_.lower()
        if lemma in cues["count_record_nouns"] or noun.lower_ in cues["count_record_nouns"]:
            kind = "records"
        elif lemma in cues["count_people_nouns"] or noun.lower_ in cues["count_people_nouns"]:
            kind = "people"
        else:
            continue
        score = _link_score(noun)
        if score == 0 or _hypothetical(noun) or (kind == "people" and _is_size(noun)):
            continue
        attrs: dict[str, AttrValue] = {"kind": kind, "noun": noun.text}
        out.append(mention_chars("count", str(value), doc, start, end, EXTRACTOR, attrs, score=float(score)))
    return out


def pick_records_affected(mentions: list[Mention]) -> Mention | None:
    """The count to report for the incident, or None.

    Only a count a breach word governs or modifies (score 2: "1.5 million users were
    affected", "57m stolen accounts") is reported: a number that merely shares a sentence
    with a breach word is as often a platform size or a comparison. Among those, the first
    in the article wins, because news leads with the headline figure and later numbers are
    breakdowns or older breaches (the largest number was measured worse on CASIE dev).
    """
    linked = [m for m in mentions if m.label == "count" and m.score >= LINKED]
    return min(linked, key=lambda m: m.start) if linked else None
