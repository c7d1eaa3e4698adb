"""Candidate names of an article: ORG entities of body sentences, the company gazetteer,
descriptor and cue patterns ("payroll vendor X", "X, a data firm", "hacking group X").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from typing import Any

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractors._gazetteer import gazetteer_matcher
from extractors._spans import doc_text
from extractors.organizations.cues import Cues
from extractors.organizations.evidence import NOT_BEFORE_OWNER, Org
from extractors.organizations.lines import is_headline
from extractors.organizations.names import (
    CONNECTORS,
    clean_name,
    drop_leading_stop_words,
    name_key,
    owners_for_possessed,
    plausible,
    split_pair,
)
from extractors.organizations.occurrences import add_acronyms, add_short_forms, merge
from extractors.organizations.terms import abbreviates_term, defined_names, term_acronyms

__all__ = ["collect_orgs"]

_STRONG_CUE = re.compile(
    r"group|gang|called|itself|known as|researchers|analysts|experts|breach|attack|hack", re.I
)
_LOWER_WORD = re.compile(r"(?<![\w.])[a-z][a-z'-]+")
_RUN_END = NOT_BEFORE_OWNER  # the last character of a `_NAME_RUN`
_CAPITAL = re.compile(r"[A-Z]")
# A character no `_NAME_RUN` takes: one outside names, or a space not between a name's words.
_RUN_BREAK = re.compile(r"[^\w&.'’\s-]|(?<![\w&])\s|\s(?!(?:of\s|&\s|and\s)?[A-Z])")


def collect_orgs(doc: Doc, cues: Cues) -> list[Org]:
    """Names from NER (body sentences only), the gazetteer and descriptor patterns, merged."""
    text = doc_text(doc)
    found: list[tuple[str, dict[str, Any] | None]] = []
    persons = _person_names(doc)
    for ent in doc.ents:
        if ent.label_ != "ORG" or is_headline(doc, ent.start_char, ent.end_char):
            continue
        if any(t.pos_ in {"VERB", "AUX"} for t in ent) or abbreviates_term(ent):
            continue
        ent = _complete(ent)
        for name in split_pair(clean_name(ent.text, cues)):
            if plausible(name, cues) and name not in persons:
                found.append((name, None))
        for name in _untagged_conjuncts(ent):
            cleaned = clean_name(name, cues)
            if plausible(cleaned, cues) and name not in persons:
                found.append((cleaned, None))
    aliases = gazetteer_matcher("companies", doc.vocab)(doc, as_spans=True)
    for alias in filter_spans(aliases):  # the longest of overlapping aliases, as one name
        found.append((alias.label_, cues.gazetteer[alias.label_]))
    for m in cues.descriptor_re.finditer(text):
        name = clean_name(m.group(1), cues)
        # "booking firm Voyantra": the head noun outweighs NER calling a one-word name a person.
        person = (
            " " in name
            and (_is_person(doc, m.start(1), m.end(1)) or name in persons)
            and name_key(name, cues)[-1] not in cues.words["org_name_endings"]
        )
        if plausible(name, cues) and not person:
            found.append((name, None))
    for m in _run_matches(text, cues.appositive_re, cues.appositive_tail_re):  # "Acme Builders, a firm in"
        name = drop_leading_stop_words(clean_name(m.group(1), cues))
        if plausible(name, cues) and not is_headline(doc, m.start(), m.end()):
            found.append((name, None))  # whatever NER called it (often PERSON)
    lower_words = set(_LOWER_WORD.findall(text))
    name_before = cues.name_before_re.finditer(text)
    name_after = _run_matches(text, cues.name_after_re, cues.name_after_tail_re)
    for pattern, matches in ((cues.name_before_re, name_before), (cues.name_after_re, name_after)):
        for m in matches:
            name = drop_leading_stop_words(clean_name(m.group(1), cues))
            strong = pattern is cues.name_before_re and bool(_STRONG_CUE.search(m.group()))
            if plausible(name, cues) and _looks_like_org(
                doc, m.start(1), m.end(1), name, strong, lower_words, cues
            ):
                found.extend((part, None) for part in split_pair(name))
    for m in cues.place_re.finditer(text):
        name = clean_name(m.group(), cues)
        if plausible(name, cues) and not is_headline(doc, m.start(), m.end()):
            found.append((name, None))  # "the Town of Harrowgate": NER tags it as a place or a title
    found.extend((name, None) for name in defined_names(doc, cues))  # "the covered entity (CE), X"
    terms = term_acronyms(doc, cues)
    orgs = merge(owners_for_possessed([f for f in found if f[0] not in terms]), cues)
    add_short_forms(orgs, lower_words, cues)
    return add_acronyms(orgs, text)


def _run_matches(text: str, pattern: re.Pattern[str], tail: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)` for a pattern made of a `_NAME_RUN` and what must follow it (`tail`, a
    lookahead of that alone), in linear time.

    `re` tried the pattern at every capital letter, each time running through the capitalised words
    that follow and back: quadratic in the length of a title-case line, minutes for a long headline.
    Here it is tried only where a tail is within reach: a run ends at a word or connector character
    before a tail (`_RUN_END`) and cannot cross a `_RUN_BREAK`; the matches are those of `finditer`.
    """
    breaks = [m.start() for m in _RUN_BREAK.finditer(text)]
    tails = [m.start() for m in tail.finditer(text) if m.start() and _RUN_END.match(text, m.start() - 1)]
    if not tails:
        return
    resume = 0
    for capital in _CAPITAL.finditer(text):
        start = capital.start()
        if start < resume:
            continue
        stop = bisect_left(breaks, start)
        reach = breaks[stop] if stop < len(breaks) else len(text)
        following = bisect_right(tails, start)
        if following == len(tails) or tails[following] > reach:
            continue
        match = pattern.match(text, start)
        if match is not None:
            yield match
            resume = match.end()


def _complete(ent: Span) -> Span:
    """ "Institute for Water and" + "Power": a name that NER cut after a connector runs on over the
    capitalised words that follow it."""
    end = ent.end
    doc = ent.doc
    if doc[end - 1].lower_ not in CONNECTORS:
        return ent
    while end < len(doc) and doc[end].text[:1].isupper() and doc[end].is_alpha:
        end += 1
    return doc[ent.start : end] if end > ent.end else ent


def _untagged_conjuncts(ent: Span) -> list[str]:
    """Proper-noun names listed with an organisation that NER left untagged ("Pellam Energy,
    Orchard Press and Velmora Labs": the model often tags only the first of a list)."""
    out: list[str] = []
    todo = [c for c in ent.root.children if c.dep_ == "conj"]
    while todo:
        tok = todo.pop(0)
        todo.extend(c for c in tok.children if c.dep_ == "conj")
        if tok.pos_ != "PROPN" or tok.ent_type_:
            continue
        left = tok.i
        while left > 0 and tok.doc[left - 1].dep_ == "compound" and tok.doc[left - 1].head.i == tok.i:
            left -= 1
        phrase = tok.doc[left : tok.i + 1]
        if not any(t.ent_type_ for t in phrase):
            out.append(phrase.text)
    return out


def _looks_like_org(
    doc: Doc, start: int, end: int, name: str, strong: bool, lower_words: set[str], cues: Cues
) -> bool:
    """A name found by a cue pattern: a proper noun (or an unknown capitalised word), not a person.

    A person-tagged name passes after an org-only cue ("hacking group X", "researchers at X") or when its
    last word is an organisation word ("Orchid Retail").
    """
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    rare = [t for t in span if t.tag_ == "NN" and not t.is_stop and t.lower_ not in lower_words]
    if not any(t.pos_ == "PROPN" for t in span) and not rare:
        return False
    if strong:
        return True
    if any(t.ent_type_ in {"DATE", "TIME", "GPE", "NORP", "LOC", "MONEY", "CARDINAL"} for t in span):
        return False
    if all(t.ent_type_ == "PERSON" for t in span):
        return (
            name_key(name, cues)[-1] in cues.words["org_name_endings"]
            or name.split()[-1].lower() in cues.words["legal_suffixes"]
        )
    return True


def _person_names(doc: Doc) -> set[str]:
    """Words of people's names ("Martin" of "John Martin") and names tagged PERSON more often than ORG."""
    labels: Counter[tuple[str, str]] = Counter((ent.text, ent.label_) for ent in doc.ents)
    names = {t.text for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1 for t in ent}
    names |= {text for (text, label), n in labels.items() if label == "PERSON" and n > labels[(text, "ORG")]}
    return names


def _is_person(doc: Doc, start: int, end: int) -> bool:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span is not None and any(t.ent_type_ in {"PERSON", "DATE"} for t in span)
