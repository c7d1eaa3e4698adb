"""The victim's response and the incident's effects: status, containment, operational impact,
and the outlets credited as sources.

Vocabularies live in `data/response_cues.json`. `status` mentions come from cue patterns
per state (Ongoing, Contained, Resolved); the normaliser keeps the strongest state stated
(see the JSON's `about`). `containment` and `operational_impact` mentions come from the
parse: a cue verb with a cue object ("suspended its contract with Example Corp",
"took its servers offline", "postponed surgeries"), a subject in a broken state ("the
portal was offline") or someone "unable to" do their work; the value is that clause cut out of the
sentence, not the sentence. `reference` mentions name the outlet credited with a report
("first reported by X", "X reported", "told X", "according to a report from X"); a bare
"according to X" is not enough, as X is as often the victim.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any, Literal

from spacy.tokens import Doc, Span, Token

from extractors._gazetteer import load_vocabulary
from extractors._patterns import any_of
from extractors._registry import register
from extractors._spans import (
    entity_of,
    lemmas,
    lowers,
    mention,
    mention_chars,
    poses,
    sentence_texts,
    sentences,
)
from schemas.document import Article
from schemas.entities import Mention

__all__ = ["STATUSES", "extract_response", "find_references"]

NAME = "response.v1"
STATUSES = ("Ongoing", "Contained", "Resolved")
_MAX_PHRASE_TOKENS = 16
_PHRASE_DEPS = {
    "dobj", "dative", "prt", "prep", "pobj", "pcomp", "det", "amod", "compound", "poss", "nummod",
    "quantmod", "nmod", "case", "acomp", "oprd", "xcomp", "aux", "neg", "predet", "advmod",
}  # fmt: skip
_PHRASE_ADVERBS = {"offline", "down", "indefinitely", "temporarily"}
_KEEP_PREPS = {"with", "to", "from", "for", "on", "of"}
_OUTLET_LABELS = {"ORG", "WORK_OF_ART", "PRODUCT", "GPE", "NORP"}
_REPORT_NOUNS = {"report", "reporting", "article", "story", "investigation", "interview", "piece"}
_SAY_LEMMAS = ("say", "confirm", "explain", "statement", "comment", "emphasize", "state")
_REFERENCE_LEMMAS = frozenset({"report", "tell", *_REPORT_NOUNS, *_SAY_LEMMAS})  # `find_references` reads


@cache
def _cues() -> dict[str, Any]:
    return load_vocabulary("response_cues")


@cache
def _status_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((state, re.compile(p)) for state in STATUSES for p in _cues()["status"][state])


@cache
def _any_status_pattern() -> re.Pattern[str] | None:
    """Any status pattern (see `any_of`)."""
    return any_of(pattern for _, pattern in _status_patterns())


def _negated(text: str, start: int) -> bool:
    before = " ".join(text[max(0, start - 25) : start].lower().split()[-3:])
    return any(re.search(rf"(?:^|\s){re.escape(n)}\s*$", before) for n in _cues()["negations"])


def _statuses(doc: Doc) -> Iterator[Mention]:
    joined = _any_status_pattern()
    for sent, sent_text in zip(sentences(doc), sentence_texts(doc), strict=True):
        text = sent_text.lower()
        if joined is not None and joined.search(text) is None:
            continue
        for state, pattern in _status_patterns():
            for m in pattern.finditer(text):
                if _negated(text, m.start()):
                    continue
                start, end = sent.start_char + m.start(), sent.start_char + m.end()
                yield mention_chars("status", state, doc, start, end, NAME, {"cue": m.group(0)})


def _is_time(prep: Token) -> bool:
    return any(t.ent_type_ in ("DATE", "TIME") for t in prep.subtree)


def _phrase_tokens(tok: Token, top: bool = True) -> list[Token]:
    """`tok` and the dependents that complete it, without clauses hanging off it (nor, at the
    top, its auxiliaries: "has suspended" reads "suspended")."""
    out = [tok]
    for child in tok.children:
        if child.dep_ in ("aux", "neg") and top:
            continue
        if child.dep_ not in _PHRASE_DEPS or (child.dep_ == "advmod" and child.lower_ not in _PHRASE_ADVERBS):
            continue
        if child.dep_ == "prep" and (child.lower_ not in _KEEP_PREPS or _is_time(child)):
            continue
        out.extend(_phrase_tokens(child, top=False))
    if not top and tok.pos_ in ("NOUN", "PROPN"):
        for child in tok.children:
            if child.dep_ in ("cc", "conj"):
                out.extend(_phrase_tokens(child, top=False))
    return out


def _clause(tok: Token, lead: list[Token] | None = None) -> Span | None:
    """The contiguous span of `tok`'s phrase (plus `lead`, e.g. a passive subject), capped in
    length; None when it would run past the cap."""
    tokens = [*(lead or []), *_phrase_tokens(tok)]
    start, end = min(t.i for t in tokens), max(t.i for t in tokens) + 1
    doc = tok.doc
    while end > start + 1 and (doc[end - 1].is_punct or doc[end - 1].dep_ in ("cc", "det", "case")):
        if doc[end - 1].text == ")" and _unclosed(doc[start : end - 1].text):
            break  # "the affected user(s)": the bracket closes what the phrase opened
        end -= 1
    if end < len(doc) and doc[end].text == ")" and _unclosed(doc[start:end].text):
        end += 1
    if end - start > _MAX_PHRASE_TOKENS:
        end = start + _MAX_PHRASE_TOKENS
        while end > start + 1 and doc[end - 1].dep_ in ("prep", "det", "cc", "punct", "compound", "amod"):
            end -= 1
    return doc[start:end]


def _unclosed(text: str) -> bool:
    return text.count("(") > text.count(")")


def _mentions_word(tokens: list[Token], words: list[str]) -> bool:
    if not words:
        return True
    text = " ".join(t.lower_ for t in tokens)
    lemmas = {t.lemma_.lower() for t in tokens}
    return any(w in lemmas or (" " in w and w in text) for w in words)


def _by_actor(verb: Token) -> bool:
    actors = set(_cues()["actor_subjects"])
    return any(c.dep_ == "nsubj" and c.lemma_.lower() in actors for c in verb.children)


def _stated(verb: Token, allow_bare: bool) -> bool:
    """A verb that states what happened: not negated, not under a modal ("should change"),
    and, unless `allow_bare`, not a bare form (advice: "change your password")."""
    if any(c.dep_ == "neg" or c.tag_ == "MD" for c in verb.children):
        return False
    return allow_bare or verb.tag_ != "VB"


def _verb_rules(
    doc: Doc, rules: list[dict[str, Any]], label: Literal["containment", "operational_impact"]
) -> Iterator[Mention]:
    verbs = {verb for rule in rules for verb in rule["verbs"]}
    pos, lem = poses(doc), lemmas(doc)
    for k in range(len(doc)):
        if pos[k] != "VERB" or lem[k] not in verbs:
            continue  # no rule can match: skip building the Token
        tok = doc[k]
        if _by_actor(tok) or not _stated(tok, allow_bare=label != "containment"):
            continue
        lemma = lem[k]
        for rule in rules:
            if lemma not in rule["verbs"]:
                continue
            args = [
                c for c in tok.children if c.dep_ in ("dobj", "nsubjpass", "prep", "prt", "advmod", "xcomp")
            ]
            arg_tokens = [t for a in args for t in a.subtree]
            particles = rule.get("particles")
            if particles and not any(t.lower_ in particles for t in arg_tokens):
                continue
            if not (arg_tokens and _mentions_word(arg_tokens, rule["objects"])):
                continue
            passive = [c for c in tok.children if c.dep_ == "nsubjpass"]
            lead = [t for p in passive for t in _phrase_tokens(p, top=False)]
            lead += [c for c in tok.children if c.dep_ == "auxpass"]
            span = _clause(tok, lead)
            if span is not None and len(span) > 1:
                yield mention(label, span.text, span, NAME, {"cue": lemma})
            break


def _unable(doc: Doc) -> Iterator[Mention]:
    """People "unable to" do something: "staff were unable to file claims"."""
    actors = set(_cues()["actor_subjects"])
    for k, low in enumerate(lowers(doc)):
        if low != "unable":
            continue
        tok = doc[k]
        if not any(c.dep_ == "xcomp" for c in tok.children):
            continue
        head = tok.head if tok.dep_ == "acomp" else tok
        subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None and (subj.lemma_.lower() in actors or subj.pos_ == "PRON"):
            continue
        lead = [*(_phrase_tokens(subj, top=False) if subj is not None else []), head]
        span = _clause(tok, lead)
        if span is not None:
            yield mention("operational_impact", span.text, span, NAME, {"cue": "unable"})


def _impact_states(doc: Doc) -> Iterator[Mention]:
    """A system or service in a broken state: "the portal was offline"."""
    spec = _cues()["impact_states"]
    subjects = set(spec["subjects"])
    heads = {
        doc[k].head.i
        for k, lemma in enumerate(lemmas(doc))
        if lemma in subjects and doc[k].dep_ in ("nsubj", "nsubjpass")
    }  # the tokens whose subject may be one of `subjects`
    for i in sorted(heads):
        tok = doc[i]
        subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None or subj.lemma_.lower() not in spec["subjects"] or not _stated(tok, allow_bare=True):
            continue
        states = [c for c in tok.children if c.dep_ in ("acomp", "advmod", "attr", "prt", "oprd")]
        if any(t.lower_ in spec["states"] for t in [tok, *states]):
            tokens = [
                *subj.subtree,
                *[c for c in tok.children if c.dep_ in ("aux", "auxpass", "neg")],
                tok,
                *states,
            ]
            start, end = min(t.i for t in tokens), max(t.i for t in tokens) + 1
            if end - start <= _MAX_PHRASE_TOKENS:
                span = doc[start:end]
                yield mention("operational_impact", span.text, span, NAME, {"cue": "state"})


def _outlet(tok: Token) -> Span | None:
    """The proper name `tok` heads (its entity, else it with its compound proper nouns)."""
    if tok.pos_ != "PROPN" or tok.ent_type_ == "PERSON":
        return None
    ent = entity_of(tok)
    if ent is not None:
        if ent.label_ not in _OUTLET_LABELS:
            return None
        end = ent.end - 1 if ent[-1].tag_ == "POS" else ent.end
        return tok.doc[ent.start : end]
    parts = [c for c in tok.children if c.dep_ == "compound" and c.pos_ == "PROPN"]
    start = min([tok.i, *(p.i for p in parts)])
    return tok.doc[start : tok.i + 1]


def _pobj(tok: Token, preps: tuple[str, ...]) -> Iterator[Token]:
    for child in tok.children:
        if child.dep_ in ("prep", "agent") and child.lower_ in preps:
            yield from (g for g in child.children if g.dep_ == "pobj")


def find_references(doc: Doc) -> Iterator[tuple[Span, str]]:
    """(outlet span, cue) for every outlet credited with a report in the text."""
    for k, lemma in enumerate(lemmas(doc)):
        if lemma not in _REFERENCE_LEMMAS:
            continue  # no branch below can apply
        tok = doc[k]
        found: list[tuple[Token, str]] = []
        if lemma == "report" and tok.pos_ == "VERB":
            found += [(p, "reported by") for p in _pobj(tok, ("by",))]
            credited = tok.tag_ in ("VBD", "VBZ", "VBN") and any(
                c.dep_ in ("advmod", "mark")
                and c.lower_ in ("first", "earlier", "previously", "originally", "as")
                for c in tok.children
            )
            if credited:
                found += [(c, "reported") for c in tok.children if c.dep_ == "nsubj"]
        elif lemma in _REPORT_NOUNS and tok.pos_ == "NOUN":
            found += [(p, f"{lemma} from") for p in _pobj(tok, ("from", "by", "in"))]
            found += [(c, f"{lemma} of") for c in tok.children if c.dep_ == "poss"]
        elif lemma == "tell" and tok.pos_ == "VERB":
            found += [
                (c, "told") for c in tok.children if c.dep_ in ("dobj", "dative") and c.ent_type_ == "ORG"
            ]
        elif lemma in _SAY_LEMMAS and tok.pos_ in ("VERB", "NOUN"):
            found += [(p, f"{lemma} to") for p in _pobj(tok, ("to",)) if p.ent_type_ == "ORG"]
        for head, cue in found:
            span = _outlet(head)
            if span is not None and len(span) <= 5:
                yield span, cue


@register(NAME)
def extract_response(doc: Doc, article: Article) -> list[Mention]:
    """Status, containment, operational impact and reference mentions of the article."""
    cues = _cues()
    out = list(_statuses(doc))
    out += _verb_rules(doc, cues["containment"], "containment")
    out += _verb_rules(doc, cues["impact"], "operational_impact")
    out += _impact_states(doc)
    out += _unable(doc)
    out += [mention("reference", span.text, span, NAME, {"cue": cue}) for span, cue in find_references(doc)]
    return out
