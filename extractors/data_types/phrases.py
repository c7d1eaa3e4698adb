"""From an argument's head token to the phrase a reader sees: list items split, determiners and
quantities dropped, meaningful modifiers kept, vague or non-data phrases refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.tokens import Span, Token

from extractors.data_types.categories import cue_hits, data_category_cues, phrase_words
from extractors.data_types.status import cue_sets, is_in, lower_lemma

__all__ = [
    "ARG_DEPS",
    "QUANTITIES",
    "clean_value",
    "expand_items",
    "is_partitive",
    "is_vague",
    "looks_like_data",
    "phrase_span",
    "surface_items",
]

ARG_DEPS = frozenset({"dobj", "nsubjpass", "obj", "attr", "oprd"})
_KEEP_LEFT = frozenset({"compound", "amod", "nmod", "advmod", "punct"})
_DROP_LEADING_POS = frozenset({"DET", "PRON", "NUM", "PUNCT", "CCONJ", "ADP", "PART", "SYM", "X", "ADV"})
_PARTITIVES = frozenset(
    {
        "million", "billion", "thousand", "hundred", "millions", "billions", "thousands", "hundreds",
        "dozens", "some", "all", "part", "portion", "batch", "set", "collection", "trove", "cache",
        "lot", "number", "amount", "kind", "type", "variety", "range", "sort", "piece", "bunch",
        "handful", "form", "many", "most", "much", "none", "any", "each", "one", "copy", "copies", "list",
        "database", "archive", "dump", "file", "files", "store", "wealth", "host", "slew", "series",
    }
)  # fmt: skip
_DROP_LEADING_WORDS = frozenset(
    {"other", "more", "certain", "additional", "various", "such", "same", "own", "many", "much", "few",
     "several", "numerous", "all", "some", "any", "both", "each", "most", "alleged", "purported", "only"}
)  # fmt: skip
QUANTITIES = frozenset(
    {"number", "amount", "form", "kind", "type", "types", "variety", "range", "sort", "piece", "part"}
)
_NAME_ENTITIES = frozenset({"ORG", "PERSON", "GPE", "LOC", "FAC", "NORP", "EVENT"})


def _list_children(token: Token) -> Iterator[Token]:
    """Items hung on `token` by "such as", "including", "like" or apposition."""
    for child in token.children:
        lower = child.lower_
        marker = lower in ("including", "like", "include", "namely") or (
            lower == "as" and any(c.lower_ == "such" for c in child.children)
        )
        if lower == "as" and child.i > 0 and child.doc[child.i - 1].lower_ == "such":
            marker = True
        if marker:
            items = [c for c in child.children if c.dep_ in ("pobj", "dobj")]
            yield from items
            if items:
                last = max((t for item in items for t in (item, *item.conjuncts)), key=lambda t: t.i)
                yield from surface_items(last)
        elif child.dep_ == "appos":
            yield child


def surface_items(last: Token) -> Iterator[Token]:
    """List items the parser split off after `last`: in "including X, routing tables, and
    pricing models" it reads "routing" as a verb and loses the rest of the list."""
    doc = last.doc
    j = last.i + 1
    while j < len(doc) and doc[j].lower_ in (",", "and", "or"):
        k = j
        while k < len(doc) and doc[k].lower_ in (",", "and", "or"):
            k += 1
        if k < len(doc) and doc[k].tag_ in ("DT", "PRP$"):
            k += 1
        m = k
        while m < len(doc) and m - k < 5 and doc[m].tag_ in ("VBG", "VBN", "VBD", "RB", "JJ", "NN", "NNS"):
            m += 1
        nouns = [t for t in doc[k:m] if t.pos_ == "NOUN"]
        if not nouns:
            return
        yield nouns[-1]
        j = m


def expand_items(head: Token) -> list[Token]:
    """`head`, its conjuncts, partitive complements and list items, in text order."""
    out: list[Token] = []
    todo = [head]
    while todo and len(out) < 40:
        token = todo.pop()
        if token in out:
            continue
        out.append(token)
        todo.extend(token.conjuncts)
        todo.extend(_list_children(token))
        if not is_in(token, "data_nouns") and not is_partitive(token):
            for child in token.children:  # "the contents of messages": the data is the complement
                if child.dep_ == "prep" and child.lower_ == "of":
                    todo.extend(g for g in child.children if g.dep_ == "pobj" and g.pos_ == "NOUN")
        if is_partitive(token):
            for child in token.children:
                if child.dep_ == "prep" and child.lower_ == "of":
                    todo.extend(g for g in child.children if g.dep_ in ("pobj", "pcomp"))
        elif is_in(token, "data_nouns"):  # "dates of birth, bank details": the list went on
            for child in token.children:  # from the complement
                if child.dep_ == "prep" and child.lower_ == "of":
                    todo.extend(
                        c for g in child.children if g.dep_ == "pobj" for c in g.conjuncts if c.i > g.i
                    )
        if token.lower_ in _PARTITIVES or lower_lemma(token) in _PARTITIVES:
            for child in token.children:
                if child.dep_ == "acl" and lower_lemma(child) in ("contain", "include", "hold"):
                    todo.extend(g for g in child.children if g.dep_ == "dobj")
    return sorted(out, key=lambda t: t.i)


def _left_edge(token: Token) -> int:
    """First index of the modifiers that stay with `token` ("credit card" in "credit card
    numbers"), contiguous and through compound/adjective links only."""
    start = token.i
    for child in sorted((c for c in token.children if c.i < token.i), key=lambda c: -c.i):
        if child.dep_ not in _KEEP_LEFT or child.right_edge.i != start - 1:
            break
        if child.dep_ == "punct" and child.text != "-":
            break
        start = _left_edge(child)
        if start != child.left_edge.i:
            break  # "no indication customer data": what lies further left is not ours
    return start


def is_partitive(token: Token) -> bool:
    """ "millions of records", "a list of emails": the data is the complement."""
    if token.lower_ not in _PARTITIVES and lower_lemma(token) not in _PARTITIVES:
        return False
    has_of = any(c.dep_ == "prep" and c.lower_ == "of" for c in token.children)
    return has_of and (
        not any(c.dep_ == "compound" for c in token.children) or token.lower_ in ("copies", "copy")
    )


def phrase_span(head: Token, depth: int = 0) -> tuple[int, int] | None:
    """Token range [start, end) of the clean noun phrase headed by `head`."""
    doc = head.doc
    start = _left_edge(head)
    end = head.i + 1
    if depth == 0:
        for child in (c for c in head.children if c.i > head.i):
            if child.dep_ == "prep" and child.lower_ == "of" and child.i == end:
                pobj = next((g for g in child.children if g.dep_ == "pobj"), None)
                if pobj is None or not _short_complement(pobj):
                    break
                inner = phrase_span(pobj, depth + 1)
                if inner is None:
                    break
                end = inner[1]
            break
    cues = cue_sets()
    while start < end - 1 and (
        doc[start].pos_ in _DROP_LEADING_POS
        or doc[start].pos_ == "VERB"
        or doc[start].lower_ in cues["breach_adjectives"]
        or doc[start].lower_ in _DROP_LEADING_WORDS
        or doc[start].lower_ in cues["empty_modifiers"]
        or doc[start].dep_ == "case"
        or doc[start].tag_ == "POS"
    ):
        start += 1
    while end - 1 > start and doc[end - 1].pos_ == "PUNCT":
        end -= 1
    gerund = doc[start - 1] if start > 1 else None
    if (  # "routing tables" in a list: a gerund the parser made the head of its noun
        gerund is not None
        and gerund.tag_ == "VBG"
        and head.head == gerund
        and head.dep_ == "dobj"
        and doc[start - 2].lower_ in (",", "and", "or")
        and not is_in(gerund, "breach_verbs")  # "..., stealing data": the verb, not a list item
        and not is_in(gerund, "list_verbs")  # "..., containing payroll records"
    ):
        start -= 1
    return (start, end) if head.i >= start else None


def _short_complement(pobj: Token) -> bool:
    """ "dates of birth" keeps its "of"; "records of 2 million customers" does not."""
    if pobj.pos_ == "PROPN" or pobj.ent_type_ in ("ORG", "PERSON", "GPE", "NORP"):
        return False
    if is_in(pobj, "count_people_nouns") or pobj.pos_ == "PRON":
        return False
    if pobj.like_num or pobj.pos_ == "NUM" or pobj.lower_ in _PARTITIVES:
        return False
    return not any(c.dep_ in ("nummod", "det", "poss") for c in pobj.children) and pobj.n_lefts <= 2


def looks_like_data(head: Token, phrase: str) -> bool:
    """The head noun names data, not systems or people ("servers", "customers")."""
    cues = cue_sets()
    # "selling 2 million X accounts": a plural noun the tagger read as a verb
    mistagged = head.pos_ == "VERB" and head.tag_ == "VBZ" and head.dep_ in ARG_DEPS
    if (head.pos_ not in ("NOUN", "PROPN", "X") and not mistagged) or head.like_num:
        return False
    lemma, lower = lower_lemma(head), head.lower_
    if lemma in cues["count_people_nouns"] or lower in cues["count_people_nouns"]:
        return False
    if lemma in cues["data_nouns"] or lower in cues["data_nouns"]:
        return True
    if head.pos_ == "PROPN" and head.ent_type_ in _NAME_ENTITIES:
        return False  # "Kestrel Health": an organisation's name, whatever words it contains
    data_cues = data_category_cues()
    return any(cue in data_cues for cue in cue_hits(phrase_words(phrase))[0])


def is_vague(words: tuple[str, ...]) -> bool:
    """ "data", "the information": nothing a reader could act on."""
    vague = cue_sets()["vague_nouns"]
    return all(word in vague for word in words)


def clean_value(span: Span) -> str:
    """Whitespace collapsed, "e - mail" joined, a sentence-initial capital lowered."""
    text = re.sub(r"\s+", " ", span.text).strip()
    text = re.sub(r"\s*-\s*", "-", text)
    first = span[0]
    if first.is_sent_start and first.pos_ != "PROPN" and not first.is_upper and text:
        text = text[0].lower() + text[1:]
    return text
