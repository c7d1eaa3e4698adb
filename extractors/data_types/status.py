"""Whether a breach cue tells of an actual event, a denied one or a hypothetical one: negation,
denial, modality and tense around the cue, and the `data_cues.json` word sets they use.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import cache
from typing import Any

from spacy.tokens import Span, Token

from extractors._gazetteer import load_vocabulary
from extractors._spans import doc_text, lemmas, lowers, poses

__all__ = [
    "LEFT_VERBS",
    "Status",
    "clause_status",
    "cue_sets",
    "denied_before",
    "has_breach_context",
    "is_breach_verb",
    "is_in",
    "lower_lemma",
    "negated_here",
    "noun_status",
]

_COUNTERFACTUAL = frozenset({"could", "would", "should"})  # "could have stolen" did not happen
_GOVERNING_DEPS = frozenset({"xcomp", "advcl", "pcomp", "pobj", "prep", "dobj", "ccomp", "dative"})
LEFT_VERBS = frozenset({"leave", "keep"})  # "left X exposed", "had X stolen"


class Status(Enum):
    ACTUAL = "actual"
    DENIED = "denied"
    IRREALIS = "irrealis"


@cache
def cue_sets() -> dict[str, frozenset[str]]:
    raw: dict[str, Any] = load_vocabulary("data_cues")
    return {key: frozenset(value) for key, value in raw.items() if isinstance(value, list)}


def lower_lemma(token: Token) -> str:
    return token.lemma_.lower()


def is_in(token: Token, key: str) -> bool:
    """`token`'s lemma or its lower-cased text is in vocabulary `key` (the lemmatizer maps
    "data" to "datum")."""
    words = cue_sets()[key]
    return token.lower_ in words or lower_lemma(token) in words


def is_breach_verb(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") and lower_lemma(token) in cue_sets()["breach_verbs"]


def has_breach_context(sent: Span, skip: Token | None = None) -> bool:
    """A breach cue in `sent`; with `skip` (a weak cue such as "posted") only a cue other than
    it, and neither another weak verb nor a word as loose as "attack" or "incident"."""
    cues = cue_sets()
    doc = sent.doc
    low, lem, pos = lowers(doc), lemmas(doc), poses(doc)
    for k in range(sent.start, sent.end):
        if skip is not None and k == skip.i:
            continue
        lemma, lower = lem[k], low[k]
        loose = lemma in cues["weak_breach_verbs"] or lemma in cues["generic_incident_nouns"]
        if skip is not None and loose:
            continue
        if pos[k] in ("VERB", "AUX") and lemma in cues["breach_verbs"]:
            return True
        if lower in cues["breach_adjectives"]:
            return True
        if pos[k] in ("NOUN", "PROPN") and lemma in cues["breach_nouns"]:
            return True
    return False


def _is_no(token: Token) -> bool:
    return token.lower_ in ("no", "none", "nothing", "neither", "nor", "never", "without")


def negated_here(token: Token) -> bool:
    """`token` carries a negation itself: "not", "no X", "in no way", "none of"."""
    for child in token.children:
        if child.dep_ == "neg" or (child.dep_ in ("advmod", "det", "preconj") and _is_no(child)):
            return True
        if child.dep_ in ("nsubj", "nsubjpass") and _is_no(child):
            return True
        if child.dep_ == "prep" and any(
            grand.dep_ == "pobj" and any(_is_no(det) for det in grand.children) for grand in child.children
        ):
            return True
    return False


def _has_modal(verb: Token) -> bool:
    """ "could steal", "would have allowed" (a counterfactual); not "may have stolen" (a hedge)."""
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    perfect = any(lower_lemma(a) == "have" for a in auxes)
    modals = [lower_lemma(a) for a in auxes if lower_lemma(a) in cue_sets()["modal_auxiliaries"]]
    return bool(modals) and (not perfect or any(m in _COUNTERFACTUAL for m in modals))


def _modal_status(verb: Token) -> Status | None:
    """IRREALIS for "could steal", "to steal", "if ... stolen", "often steal"; None otherwise."""
    cues = cue_sets()
    auxes = [child for child in verb.children if child.dep_ in ("aux", "auxpass")]
    modal = any(lower_lemma(a) in cues["modal_auxiliaries"] for a in auxes)
    perfect = any(lower_lemma(a) == "have" for a in auxes)
    if _has_modal(verb) or (modal and not perfect):
        return Status.IRREALIS
    if any(a.tag_ == "TO" for a in auxes) and not perfect:
        head = verb.head
        if lower_lemma(head) in cues["irrealis_heads"]:
            return Status.IRREALIS  # "was designed to steal", "tried to steal"
        if verb.dep_ in ("xcomp", "advcl") and head != verb and _is_past(head):
            return _modal_status(head)  # "managed to steal", "used the trojan to collect"
        return Status.IRREALIS
    for child in verb.children:
        if child.dep_ == "mark" and child.lower_ in cues["hypothetical_marks"]:
            return Status.IRREALIS
        if child.dep_ == "advmod" and child.lower_ in cues["generic_adverbs"]:
            return Status.IRREALIS
    if verb.tag_ in ("VBP", "VBZ") and not auxes and lower_lemma(verb) not in cues["list_verbs"]:
        subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        if subjects and all(
            s.tag_ == "NNS" and not any(c.dep_ in ("det", "poss") for c in s.children) for s in subjects
        ):
            return Status.IRREALIS  # "hackers steal passwords": a habit, not an event
    if verb.tag_ == "VBG" and verb.dep_ == "pcomp" and verb.head.lower_ in ("of", "for", "at"):
        return Status.IRREALIS  # "capable of stealing"
    if verb.tag_ == "VB" and not auxes:
        return Status.IRREALIS
    return None


def _is_past(token: Token) -> bool:
    """A past event: "stole", "was designed", "were able" (an adjective under a past copula)."""
    if token.tag_ in ("VBD", "VBN") or any(
        c.tag_ in ("VBD", "VBN") for c in token.children if c.dep_ in ("aux", "auxpass")
    ):
        return True
    return token.pos_ == "ADJ" and token.head.tag_ == "VBD"


def clause_status(verb: Token) -> Status:
    """Whether the event of `verb` happened, was denied, or is hypothetical/generic."""
    cues = cue_sets()
    anchor = verb
    while anchor.dep_ == "conj" and anchor.head.pos_ in ("VERB", "AUX") and anchor.head != anchor:
        if not any(c.dep_ in ("aux", "auxpass", "nsubj", "nsubjpass", "neg") for c in anchor.children):
            anchor = anchor.head
        else:
            break
    if negated_here(verb) or negated_here(anchor):
        return Status.DENIED
    modal = _modal_status(anchor)
    if modal is not None:
        return modal
    node = anchor
    for _ in range(6):
        if node.head == node:
            break
        parent = node.head
        if node.dep_ in ("ccomp", "acl", "advcl", "xcomp", "relcl", "pcomp", "pobj", "prep", "attr", "conj"):
            if lower_lemma(parent) in cues["denial_heads"] and negated_here(parent):
                return Status.DENIED
            if (
                node.dep_ in ("ccomp", "xcomp")
                and negated_here(parent)
                and parent.pos_ in ("VERB", "AUX", "ADJ")
            ):
                if any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in node.children):
                    return Status.IRREALIS  # "would not say whether files were taken"
                return Status.DENIED  # "does not believe passwords were taken"
            if parent.lower_ in ("whether", "if"):
                return Status.IRREALIS
        if node.dep_ in _GOVERNING_DEPS and parent.pos_ in ("VERB", "AUX") and _has_modal(parent):
            return Status.IRREALIS  # "could allow attackers to steal data"
        if node.dep_ in ("xcomp", "pcomp", "prep", "advcl") and lower_lemma(parent) in cues["irrealis_heads"]:
            return Status.IRREALIS  # "risked exposing tokens", "prevented them from stealing"
        node = parent
    return Status.ACTUAL


def noun_status(noun: Token) -> Status:
    """Status of a data noun reached through a participle or breach noun ("no stolen data")."""
    if negated_here(noun) or any(
        c.dep_ == "compound" and is_in(c, "denial_heads") and negated_here(c) for c in noun.children
    ):
        return Status.DENIED  # "no indication customer data ..." parsed as one compound
    node = noun
    for _ in range(6):
        if node.head == node:
            return Status.ACTUAL
        child, node = node, node.head
        if node.pos_ in ("VERB", "AUX"):
            if child.dep_ == "dobj" and lower_lemma(node) in cue_sets()["irrealis_heads"]:
                return Status.IRREALIS  # "prevented the theft of card data"
            return clause_status(node)
    return Status.ACTUAL


@cache
def _denial_pattern() -> re.Pattern[str]:
    heads = "|".join(sorted(cue_sets()["denial_heads"]))
    return re.compile(
        rf"\b(?:no|not any|not find any|not see any|nothing)\s+(?:\w+\s+)?(?:{heads})\b|\bin no way\b", re.I
    )


def denied_before(sent: Span, head: Token) -> bool:
    """ "no indication (that) customer data was accessed": a denial the parse did not link,
    earlier in the same clause (no "but" or ";" in between)."""
    before = doc_text(sent.doc)[sent.start_char : head.idx]
    clause = re.split(r";|\bbut\b|\bhowever\b|\balthough\b", before)[-1]
    return bool(_denial_pattern().search(clause))
