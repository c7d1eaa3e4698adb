"""Compromised data: the article's own phrases for what was stolen, exposed or left alone.

A data phrase is an argument of a breach cue in the dependency parse: the object or passive
subject of a breach verb ("hackers stole names"), the noun a breach participle modifies
("the stolen passwords"), the complement of a breach noun ("theft of card data"), or an
item of an "including"/"such as" list or an "included"/"contained" clause in a sentence
about a breach. Coordinated lists are split into items, determiners and possessives are
dropped, meaningful modifiers kept ("unreleased product designs").

A cue under negation or denial ("no card data was accessed", "in no way affected customer
data", "no evidence that passwords were taken") yields `data_not_compromised`, never
`data`. A cue that is hypothetical or generic ("could steal", "hackers often steal",
"designed to steal") yields nothing: the incident, not breaches in general, is the subject.

Each `data` mention carries `attrs["category"]`, a term of `data_categories.json`;
`rate_sensitivity` turns a record's categories into High/Medium/Low/Unknown.
"""

from __future__ import annotations

from spacy.tokens import Doc

from extractors._registry import register
from extractors._spans import mention_chars, sentences
from extractors.data_types.arguments import find_arguments
from extractors.data_types.categories import OTHER_CATEGORY, categorize, phrase_words, rate_sensitivity
from extractors.data_types.phrases import (
    QUANTITIES,
    clean_value,
    expand_items,
    is_partitive,
    is_vague,
    looks_like_data,
    phrase_span,
)
from extractors.data_types.status import Status, cue_sets, denied_before, is_in
from schemas.document import Article
from schemas.entities import AttrValue, Mention, MentionLabel

__all__ = ["EXTRACTOR", "OTHER_CATEGORY", "categorize", "extract_data_types", "rate_sensitivity"]

EXTRACTOR = "data_types.v1"


@register(EXTRACTOR)
def extract_data_types(doc: Doc, article: Article) -> list[Mention]:
    """`data` / `data_not_compromised` mentions for every compromised-data phrase in `doc`."""
    mentions: list[Mention] = []
    seen: set[tuple[int, int]] = set()
    covered: set[int] = set()  # tokens inside a phrase already taken ("birth" of "dates of birth")
    for sent in sentences(doc):
        for head, status, cue in find_arguments(sent):
            if status is Status.IRREALIS:
                continue
            if status is Status.ACTUAL and denied_before(sent, head):
                status = Status.DENIED
            label: MentionLabel = "data" if status is Status.ACTUAL else "data_not_compromised"
            for item in expand_items(head):
                bounds = phrase_span(item)
                if (
                    bounds is None
                    or bounds in seen
                    or item.i in covered
                    or (is_partitive(item) and (not is_in(item, "data_nouns") or item.lower_ in QUANTITIES))
                ):
                    continue
                span = doc[bounds[0] : bounds[1]]
                value = clean_value(span)
                up_to_head = doc[bounds[0] : item.i + 1].text
                if not value or not looks_like_data(item, up_to_head) or is_vague(phrase_words(value)):
                    continue
                if any(word in cue_sets()["attacker_made_modifiers"] for word in phrase_words(value)):
                    continue  # "a malicious message", "the ransom demand": made by the attacker, not taken
                if cue == "access" and is_in(item, "access_only_nouns"):
                    continue  # "gained access to Gmail accounts": an account taken over, no data named
                seen.add(bounds)
                covered.update(range(*bounds))
                lemmas = " ".join(t.lemma_ for t in span)
                category = categorize(value, lemmas)
                attrs: dict[str, AttrValue] = {"category": category, "cue": cue}
                mentions.append(
                    mention_chars(label, value, doc, span.start_char, span.end_char, EXTRACTOR, attrs)
                )
    return mentions
