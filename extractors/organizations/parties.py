"""Struck parties that are not organisations (user groups, people, places, sites) and, in a brief
where the grammar found no victim, the named subject of the lead's breach sentence.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from extractors._spans import doc_text, lowers, sentence_of, sentences
from extractors.organizations.cues import Cues
from extractors.organizations.evidence import Org, Others
from extractors.organizations.grammar import (
    acts_as_attacker,
    discloses_breach,
    is_breachy,
    is_struck,
    modal_or_negated,
    reports_incident,
)
from extractors.organizations.lines import find_lead_end, in_dateline, is_masthead
from extractors.organizations.names import clean_name, plausible
from extractors.organizations.terms import term_acronyms

__all__ = ["body_spellings", "lead_subject", "stands_in", "struck_parties"]


def body_spellings(extras: list[tuple[str, str, str, int, int]], text: str) -> dict[str, str]:
    """One spelling per party ("Acme Users" in a title-case headline, "Acme users" in the body): the
    body's first, else the headline's."""
    headline_end = text.find("\n")
    spelling: dict[str, str] = {}
    for value, *_ in sorted(extras, key=lambda x: (x[3] < headline_end, x[3])):
        spelling.setdefault(value.casefold(), value)
    return spelling


def stands_in(doc: Doc, start: int, end: int) -> bool:
    """A headline's party described by one common noun ("Construction firm loses $2.4 million"):
    where the article names its victim, this is that victim described, not a second party."""
    text = doc_text(doc)
    headline_end = text.find("\n")
    if headline_end < 0 or start > headline_end:
        return False
    span = doc.char_span(start, end, alignment_mode="expand")
    return (
        span is not None and span.root.tag_ == "NN" and not any(t.pos_ == "PROPN" or t.like_url for t in span)
    )


def struck_parties(doc: Doc, others: Others, cues: Cues) -> list[tuple[str, str, str, int, int]]:
    """Affected parties that are not organisations: user groups ("Acme users", "Ruritanian banks"), people
    ("X's account was hacked"), places ("the city was hit") and sites ("acme.com was breached").

    Each must sit in a narrow victim slot of a breach sentence that tells of an actual event. A party
    that is one of the article's organisations becomes a victim vote for it instead, unless it is a group
    of organisations whose modifier the model took for a name ("Ruritanian banks").
    """
    words = cues.words
    found: list[tuple[str, str, str, int, int]] = []
    ents = {ent.start: ent for ent in doc.ents}
    terms = term_acronyms(doc, cues)
    for i in _party_candidates(doc, cues):
        party = _party_at(doc, doc[i], ents, cues)
        if party is None:
            continue
        span, kind = party
        if span.text in cues.products or span.text in terms:
            continue  # "ransomware infecting Linux": NER calls the system a place; "the CE" is a term
        if in_dateline(doc, span.start_char) or is_masthead(doc, span.start_char, span.end_char):
            continue
        if not is_struck(span.root, words) or not is_breachy(sentence_of(span), words):
            continue
        org = others.overlapping(span.start_char, span.end_char)
        if org is not None and kind != "Organization":
            org.votes["victim"] += 1
            continue
        named = others.next_to(doc_text(doc), span.end_char)
        if named is not None:
            named.votes["victim"] += 1  # "Mortgage lender Quidly suffers a breach": a descriptor of the name
            continue
        role = "government" if kind == "Government" else "victim"
        found.append((clean_name(span.text, cues), kind, role, span.start_char, span.end_char))
    return found


def lead_subject(doc: Doc, orgs: list[Org], cues: Cues) -> list[tuple[str, str, str, int, int]]:
    """With no victim found, the named subject of the lead's breach sentence: "Pellmark Outfitters
    discloses that its web shop was hacked", "Some Drayton College students receive a breach notice".

    The simplest reading of a news lead, taken only where the grammar found no one: a short brief's
    names are often missed by NER or tagged as people. The subject must be a proper name (or a
    group of people with one as modifier), not an attacker at work, a spokesperson or a cited source.
    """
    words = cues.words
    lead_end = find_lead_end(doc)
    terms = term_acronyms(doc, cues)
    for sent in sentences(doc):
        if sent.start_char >= lead_end:
            break
        root = sent.root
        if not is_breachy(sent, words) or modal_or_negated(root, words):
            continue
        subject = next((c for c in root.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if subject is None or acts_as_attacker(subject, words):
            continue
        named = next((c for c in subject.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
        if subject.pos_ != "PROPN" and named is not None:
            subject = named  # "The covered entity (CE), Harlow Clinic, reported that ...": the name's
        if subject.pos_ != "PROPN" and subject.lower_ in words["group_people_heads"]:
            subject = next(
                (c for c in subject.children if c.dep_ == "compound" and c.pos_ == "PROPN"), subject
            )
        if subject.pos_ != "PROPN":
            continue
        start = subject.i
        while start > sent.start and doc[start - 1].dep_ == "compound" and doc[start - 1].pos_ == "PROPN":
            start -= 1
        span = doc[start : subject.i + 1]
        name = clean_name(span.text, cues)
        person = subject.ent_type_ == "PERSON"
        if (
            person
            and root.lemma_.lower() in words["disclosure_verbs"]
            and not (discloses_breach(subject, words) or reports_incident(subject, words))
        ):
            continue  # "Jane Roe said ...": a spokesperson
        after = doc_text(doc)[span.end_char : span.end_char + 40]
        cited = bool(cues.cited_after_re.match(after)) and not reports_incident(subject, words)
        if cited or not plausible(name, cues) or span.text in cues.products or name in terms:
            continue
        if any(s < span.end_char and span.start_char < e for org in orgs for s, e in org.spans):
            continue  # an organisation the votes already judged
        kind = "Individuals" if person else "Government" if subject.ent_type_ == "GPE" else "Company"
        role = "government" if kind == "Government" else "victim"
        return [(name, kind, role, span.start_char, span.end_char)]
    return []


def _party_candidates(doc: Doc, cues: Cues) -> list[int]:
    """The tokens `_party_at` may accept (a named entity's first token, a word with a dot, a party
    head word), in order: looking the words up in lists skips building a Token for every other one."""
    words = cues.words
    heads = words["group_people_heads"] | words["group_org_heads"] | words["website_heads"]
    heads |= words["single_party_heads"]
    found = {ent.start for ent in doc.ents if ent.label_ in {"PERSON", "GPE", "LOC", "NORP"}}
    found.update(i for i, low in enumerate(lowers(doc)) if low in heads or "." in low)
    return sorted(found)


def _party_at(doc: Doc, token: Token, ents: dict[int, Span], cues: Cues) -> tuple[Span, str] | None:
    """The party whose head word is `token`, with its kind, or None."""
    words = cues.words
    low = token.lower_
    if token.ent_iob_ == "B" and token.ent_type_ in {"PERSON", "GPE", "LOC", "NORP"}:
        ent = ents[token.i]
        if ent.label_ in {"GPE", "LOC"} and _qualifies_place(doc, token.i):
            return None  # "Brookfield, Ore.", "Hallam, Victoria": where the place is, no second party
        if ent.label_ == "NORP" and ent.root.tag_ not in {"NNS", "NNPS"}:
            return None
        if ent.label_ == "PERSON" and len(ent) < 2 and not _is_title_name(ent):
            return None
        kind = "Individuals" if ent.label_ in {"PERSON", "NORP"} else "Government"
        return (ent, kind) if ent.text[:1].isupper() else None
    if "." in token.text and _is_domain(token.text, words):
        return doc[token.i : token.i + 1], "Website"
    if token.tag_ in {"NNS", "NNPS", "NN"} and (
        low in words["group_people_heads"]
        or low in words["group_org_heads"]
        or low in words["website_heads"]
        or low in words["single_party_heads"]
    ):
        start = token.i
        while (
            start > 0
            and doc[start - 1].dep_ in {"compound", "amod", "nmod", "nummod"}
            and (doc[start - 1].head.i >= token.i or doc[start - 1].head.i > start - 1)
            and not doc[start - 1].is_punct
        ):
            start -= 1
        named = [t for t in doc[start : token.i] if _names_party(t) and not _capitalised_common(t, words)]
        if not named or (
            token.tag_ == "NN"
            and low not in words["website_heads"]
            and low not in words["single_party_heads"]
        ):
            return None
        while not _names_party(doc[start]):
            start += 1
        kind = (
            "Website"
            if low in words["website_heads"]
            else "Individuals"
            if low in words["group_people_heads"]
            else "Organization"
        )
        return doc[start : token.i + 1], kind
    return None


def _capitalised_common(token: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "State officials said": a common word capitalised only by opening the sentence."""
    return (
        bool(token.is_sent_start)  # None only before a parse sets the boundaries
        and token.lower_ in words["generic_first_tokens"]
        and token.ent_type_ not in {"NORP", "GPE"}
    )


def _qualifies_place(doc: Doc, i: int) -> bool:
    """Whether the place at token `i` follows another place and a comma ("Springfield, Ill.")."""
    return i >= 2 and doc[i - 1].text == "," and doc[i - 2].ent_type_ in {"GPE", "LOC"}


def _names_party(token: Token) -> bool:
    """A word that makes a group named ("Estonian", "Acme"), not a capitalised count ("Dozen", "Million")."""
    if token.like_num or token.ent_type_ in {"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}:
        return False
    return token.text[:1].isupper() or token.ent_type_ in {"NORP", "GPE"}


def _is_title_name(ent: Span) -> bool:
    """ "Mr Harrow": a one-word person name after a courtesy title."""
    return ent.start > 0 and ent.doc[ent.start - 1].text.rstrip(".") in {"Mr", "Mrs", "Ms", "Dr"}


def _is_domain(text: str, words: dict[str, frozenset[str]]) -> bool:
    match = re.fullmatch(r"(?:www\.)?[A-Za-z0-9][\w-]*(?:\.[\w-]+)*\.([a-z]{2,4})", text)
    return (
        match is not None and match.group(1) in words["website_tlds"] and any(ch.isalpha() for ch in text[:3])
    )
