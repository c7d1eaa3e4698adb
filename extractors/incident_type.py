"""The article's incident type, and whether it reports an incident at all.

Each type of `data/incident_types.json` has cue patterns. A cue counts fully in a sentence
that reads as an actual event (a past or perfect verb and a named organisation, place,
person or product) and much less in one that reads as general talk (present tense, modal
verbs, statistics): "ransomware attacks are rising" is not an incident, "Acme was hit by
ransomware last week" is; the headline's cues count twice (it names the main event: "Council hit
by ransomware" over the body's many breach words); the type with the highest weighted score
wins. The article is an
incident when an event sentence (or the headline) carries a cue, a sentence names a victim
or a flawed product (`event_signals`), or cues are plentiful (`is_incident`); otherwise it
gets "Not an incident" with the reason (no vocabulary, general threat talk, advice, a
survey, business news).

Measured on CASIE dev (705 articles, `tools/score_casie.py`): type accuracy 0.936, detection
F1 0.919 (with the struck-party rule of `pipeline/extract.py`). Detection is no better than
calling every article an incident (0.918): CASIE's
articles without an actual event (malware research, scam warnings, trend pieces) use the
same words, tenses and names as those with one.

One mention is emitted per article, the verdict, so the runner's "first incident_type
mention" and the normaliser's "most common value" agree; the other types found are listed
in `attrs["types"]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.tokens import Doc, Span, Token

from extractors._gazetteer import load_vocabulary
from extractors._patterns import any_of
from extractors._registry import register
from extractors._spans import (
    doc_text,
    is_brief,
    lemmas,
    lowers,
    mention_chars,
    sentence_ents,
    sentence_texts,
    sentences,
)
from schemas.document import Article
from schemas.entities import AttrValue, Mention

__all__ = [
    "NOT_INCIDENT",
    "TypeRule",
    "TypeScores",
    "cyber_context",
    "event_signals",
    "extract_incident_type",
    "is_incident",
    "load_type_rules",
    "score_types",
]

NAME = "incident_type.v1"
NOT_INCIDENT = "Not an incident"

_NAMED = {"ORG", "GPE", "PERSON", "FAC", "PRODUCT", "LOC"}
_MODALS = {"can", "could", "may", "might", "should", "would", "will", "must"}
_PERFECT_AUX = {"have", "has", "had", "was", "were", "been"}
# How much a cue counts in a sentence: an event sentence, one with only a tense or only a
# name, and general talk; the thresholds of `is_incident`.
_W_EVENT, _W_PARTIAL, _W_GENERIC = 1.0, 0.35, 0.1
_MODAL_FACTOR, _REPORT_FACTOR = 0.5, 0.3
_HEADLINE_FACTOR = 2.0
_MIN_EVENT_SCORE = 1.0
_MIN_SCORE = 1.5


@dataclass(frozen=True)
class TypeRule:
    term: str
    priority: int
    weight: float
    cues: tuple[re.Pattern[str], ...]
    outranks: frozenset[str] = frozenset()


@cache
def load_type_rules() -> tuple[TypeRule, ...]:
    """The types of `data/incident_types.json`, with compiled cue patterns."""
    vocab = load_vocabulary("incident_types")
    return tuple(
        TypeRule(
            t["term"],
            int(t["priority"]),
            float(t["weight"]),
            tuple(re.compile(r"\b" + c) for c in t["cues"]),
            frozenset(t.get("outranks", ())),
        )
        for t in vocab["types"]
    )


def _outranking(top: str, scores: dict[str, float]) -> str:
    """The type that outranks the top-scored one (ransomware over the data breach it caused)
    when its own cues carry enough weight beside the top type's; else the top type."""
    vocab = load_vocabulary("incident_types")
    floor = max(float(vocab["min_outrank_score"]), float(vocab["outrank_share"]) * scores[top])
    over = [r for r in load_type_rules() if top in r.outranks and scores.get(r.term, 0.0) >= floor]
    return max(over, key=lambda r: (scores[r.term], r.priority)).term if over else top


@cache
def _not_incident() -> dict[str, Any]:
    spec = dict(load_vocabulary("incident_types")["not_incident"])
    for key in ("advice_cues", "report_cues", "business_cues"):
        spec[key] = tuple(re.compile(c) for c in spec[key])
    return spec


@cache
def _present_forms() -> frozenset[str]:
    """Third-person present forms of the attack and report verbs ("notifies", "discloses",
    "hacks"): after a company name the tagger often reads a brief's verb as a plural noun
    ("Acme Reciprocal notifies 900 drivers of a breach")."""
    words = _signal_words()

    def third_person(verb: str) -> str:
        if verb.endswith("y") and verb[-2:-1] not in "aeiou":
            return verb[:-1] + "ies"
        return verb + ("es" if verb.endswith(("s", "sh", "ch", "x", "z")) else "s")

    return frozenset(third_person(v) for v in words["attack_verbs"] | words["report_verbs"])


def _is_past(sent: Span, brief: bool) -> bool:
    """A past or perfect verb; in a brief, any finite verb ("Acme suffers a ransomware attack":
    incident databases and feed summaries report events in the present tense)."""
    for tok in sent:
        if tok.tag_ == "VBD" or (brief and tok.tag_ in ("VBZ", "VBP")):
            return True
        if brief and tok.tag_ in ("NNS", "NNPS") and tok.lower_ in _present_forms():
            return True
        if tok.tag_ == "VBN" and any(
            c.dep_ in ("aux", "auxpass") and c.lower_ in _PERFECT_AUX for c in tok.children
        ):
            return True
    return False


def _is_named(sent: Span, brief: bool) -> bool:
    """A named organisation, place, person or product; in a brief, any proper noun too (the
    small model leaves many names in a short, headline-less text untagged)."""
    words = _signal_words()
    generic = words["incident_nouns"] | words["flaw_nouns"]

    def common(tok: Token) -> bool:  # "Ransomware attacks are rising": NER's ORG, no name
        return tok.lower_ in generic or tok.lemma_.lower() in generic

    if any(ent.label_ in _NAMED and not all(map(common, ent)) for ent in sentence_ents(sent)):
        return True
    return brief and any(t.pos_ == "PROPN" and not common(t) for t in sent)


def _weight(sent: Span, report_cues: tuple[re.Pattern[str], ...], brief: bool) -> tuple[float, bool]:
    """The sentence's weight for cue counting, and whether it reads as an actual event."""
    past, named = _is_past(sent, brief), _is_named(sent, brief)
    event = past and named
    weight = _W_EVENT if event else _W_PARTIAL if past or named else _W_GENERIC
    if any(tok.tag_ == "MD" and tok.lower_ in _MODALS for tok in sent):
        weight *= _MODAL_FACTOR
    text = sent.text.lower()
    if any(p.search(text) for p in report_cues):
        weight *= _REPORT_FACTOR
    return weight, event


@cache
def _signal_words() -> dict[str, frozenset[str]]:
    spec = load_vocabulary("incident_types")["event_signals"]
    return {key: frozenset(words) for key, words in spec.items() if isinstance(words, list)}


_CVE = re.compile(r"cve-\d{4}-\d+")


def _named(tok: Token) -> bool:
    """Whether the phrase under `tok` names someone or something (an entity or proper noun);
    a capitalised incident word ("Ransomware attacks are rising") is not a name."""
    words = _signal_words()
    generic = words["incident_nouns"] | words["flaw_nouns"]
    return any(
        (t.ent_type_ in _NAMED or t.pos_ == "PROPN")
        and t.lower_ not in generic
        and t.lemma_.lower() not in generic
        for t in tok.subtree
    )


def _modal(tok: Token) -> bool:
    return any(c.tag_ == "MD" and c.lower_ in _MODALS for c in tok.children)


def _named_pobjs(tok: Token, preps: tuple[str, ...]) -> bool:
    return any(
        p.dep_ == "pobj" and _named(p)
        for c in tok.children
        if c.dep_ == "prep" and c.lower_ in preps
        for p in c.children
    )


def _verb_signal(tok: Token, words: dict[str, frozenset[str]]) -> str | None:
    lemma = tok.lemma_.lower()
    objs = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")]
    subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
    if lemma in words["attack_verbs"] and any(_named(o) for o in objs):
        return "victim"
    incident_obj = any(o.lemma_.lower() in words["incident_nouns"] for o in objs)
    if lemma in words["report_verbs"] and incident_obj and any(_named(s) for s in subj):
        return "victim"
    flaw_obj = any(o.lemma_.lower() in words["flaw_nouns"] or "patch" in o.lower_ for o in objs)
    if lemma in words["fix_verbs"] and flaw_obj and any(_named(a) for a in [*subj, *objs]):
        return "vulnerability"
    return None


def _noun_signal(tok: Token, words: dict[str, frozenset[str]]) -> str | None:
    lemma = tok.lemma_.lower()
    named_mod = any(c.dep_ in ("compound", "poss") and _named(c) for c in tok.children)
    if lemma in words["incident_nouns"] and (named_mod or _named_pobjs(tok, ("on", "against", "at", "of"))):
        return "victim"
    if _CVE.match(tok.lower_):
        return "vulnerability"
    if lemma in words["flaw_nouns"] and (named_mod or _named_pobjs(tok, ("in", "affecting", "of"))):
        return "vulnerability"
    return None


@cache
def _signal_lemmas() -> frozenset[str]:
    """Every lemma a signal can start from: a token outside them yields no signal."""
    words = _signal_words()
    keys = ("attack_verbs", "report_verbs", "fix_verbs", "incident_nouns", "flaw_nouns")
    return frozenset().union(*(words[k] for k in keys))


def event_signals(sent: Span) -> set[str]:
    """ "victim" when a named party undergoes an attack, "vulnerability" when a flaw of a named
    product is found or fixed; general talk ("ransomware attacks are rising") yields nothing."""
    words = _signal_words()
    found: set[str] = set()
    doc = sent.doc
    doc_lemmas, doc_lowers, starts = lemmas(doc), lowers(doc), _signal_lemmas()
    for i in range(sent.start, sent.end):
        if doc_lemmas[i] not in starts and not _CVE.match(doc_lowers[i]):
            continue
        tok = doc[i]
        if tok.pos_ in ("VERB", "AUX") and not _modal(tok):
            signal = _verb_signal(tok, words)
        elif tok.pos_ in ("NOUN", "PROPN"):
            signal = _noun_signal(tok, words)
        else:
            continue
        if signal:
            found.add(signal)
    return found


@dataclass(frozen=True)
class _Context:
    strong: re.Pattern[str]
    weak: re.Pattern[str]
    min_weak: int


@cache
def _context_spec() -> _Context:
    spec = load_vocabulary("incident_types")["cyber_context"]

    def words(key: str) -> re.Pattern[str]:
        return re.compile(r"\b(?:" + "|".join(spec[key]) + r")\b", re.I)

    return _Context(words("strong"), words("weak"), int(spec["min_weak"]))


def cyber_context(text: str) -> bool:
    """Whether the text is about cyber security at all: one term only security writing uses, or
    a few that ordinary news uses now and then. Without it, "attack", "hit" or "breach" are a
    politician's, a storm's or a contract's, and no cue of theirs makes an incident."""
    spec = _context_spec()
    if spec.strong.search(text):
        return True
    return len({m.lower() for m in spec.weak.findall(text)}) >= spec.min_weak


@cache
def _any_cue_re() -> re.Pattern[str] | None:
    """Any type's cue (see `any_of`)."""
    return any_of(c for r in load_type_rules() for c in r.cues)


@cache
def _any_other_re() -> re.Pattern[str] | None:
    """Any advice, report or business cue."""
    spec = _not_incident()
    return any_of(c for k in ("advice_cues", "report_cues", "business_cues") for c in spec[k])


def _count(patterns: tuple[re.Pattern[str], ...], text: str) -> int:
    return sum(len(p.findall(text)) for p in patterns)


@dataclass(frozen=True)
class TypeScores:
    """What the verdict is made from: weighted cue scores per type, the part of them carried
    by event sentences, sentences naming a victim or a flawed product, and the counts of
    advice / report / business cues (which explain a "Not an incident" verdict)."""

    scores: dict[str, float]
    event_score: float
    signals: int
    others: dict[str, int]


def score_types(doc: Doc, title: str | None = None) -> TypeScores:
    """Score every type of the vocabulary over the article, and over its title when the text
    does not start with it (a headline's cues count as an event sentence's)."""
    spec = _not_incident()
    rules = load_type_rules()
    scores = dict.fromkeys((r.term for r in rules), 0.0)
    event_score = 0.0
    signals = 0
    others = {"advice": 0, "report": 0, "business": 0}
    any_cue, any_other = _any_cue_re(), _any_other_re()
    headline_end = doc_text(doc).find("\n")
    brief = is_brief(doc)
    for sent, sent_text in zip(sentences(doc), sentence_texts(doc), strict=True):
        text = sent_text.lower()
        if any_cue is None or any_cue.search(text):  # most sentences carry no cue: skip counting each one
            weight, event = _weight(sent, spec["report_cues"], brief)
            if sent.start == 0 and 0 < headline_end <= sent.end_char:
                weight = max(weight, _W_EVENT) * _HEADLINE_FACTOR  # the headline names the main event
            for rule in rules:
                found = _count(rule.cues, text)
                scores[rule.term] += found * weight * rule.weight
                if event and found:
                    event_score += found * weight
        signals += bool(event_signals(sent))
        if any_other is None or any_other.search(text):
            for key in others:
                others[key] += _count(spec[f"{key}_cues"], text)
    if title and not doc_text(doc).lstrip().startswith(title.strip()):
        low = title.lower()
        for rule in rules:
            found = _count(rule.cues, low)
            scores[rule.term] += found * _W_EVENT * _HEADLINE_FACTOR * rule.weight
            event_score += found * _W_EVENT
    return TypeScores(scores, event_score, signals, others)


def is_incident(found: TypeScores) -> bool:
    """An event sentence with cues, a named victim or flawed product, or plenty of cues.

    On CASIE's dev split the articles without an actual event (malware research, scam
    warnings, trend pieces) use the same words, tenses and names as those with one, so
    only articles that lack all three signs are turned away.
    """
    return (
        found.event_score >= _MIN_EVENT_SCORE or found.signals > 0 or sum(found.scores.values()) >= _MIN_SCORE
    )


def _reason(scores: dict[str, float], others: dict[str, int]) -> str:
    reasons = _not_incident()["reasons"]
    if not any(scores.values()):
        return str(reasons["no_cue"])
    key = max(others, key=lambda k: others[k])
    return str(reasons[key] if others[key] >= 3 else reasons["generic"])


def _anchor(doc: Doc, term: str) -> tuple[int, int]:
    """The first cue of `term` in an event sentence (else anywhere): the verdict's evidence."""
    rule = next((r for r in load_type_rules() if r.term == term), None)
    spec = _not_incident()
    fallback: tuple[int, int] | None = None
    for sent in sentences(doc):
        if rule is None:
            break
        text = sent.text.lower()
        for pattern in rule.cues:
            match = pattern.search(text)
            if match:
                span = (sent.start_char + match.start(), sent.start_char + match.end())
                if _weight(sent, spec["report_cues"], is_brief(doc))[1]:
                    return span
                fallback = fallback or span
    if fallback:
        return fallback
    first = next(iter(sentences(doc)), None)
    return (first.start_char, first.end_char) if first is not None else (0, len(doc_text(doc)))


@register(NAME)
def extract_incident_type(doc: Doc, article: Article) -> list[Mention]:
    """One `incident_type` mention: the article's type, or "Not an incident" with a reason."""
    if not doc_text(doc).strip():
        return []
    if not cyber_context(f"{article.title or ''}\n{doc_text(doc)}"):
        start, end = _anchor(doc, "")
        attrs: dict[str, AttrValue] = {
            "is_incident": False,
            "reason": _not_incident()["reasons"]["no_context"],
            "best_type": None,
        }
        return [mention_chars("incident_type", NOT_INCIDENT, doc, start, end, NAME, attrs, score=0.5)]
    found = score_types(doc, article.title)
    scores = found.scores
    priority = {r.term: r.priority for r in load_type_rules()}
    ranked = sorted(scores, key=lambda t: (-scores[t], -priority[t]))
    shown = str({t: round(v, 2) for t, v in scores.items() if v})
    if not is_incident(found):
        start, end = _anchor(doc, ranked[0] if scores[ranked[0]] else "")
        attrs = {
            "is_incident": False,
            "reason": _reason(scores, found.others),
            "scores": shown,
            "best_type": ranked[0] if scores[ranked[0]] else None,
        }
        return [mention_chars("incident_type", NOT_INCIDENT, doc, start, end, NAME, attrs, score=0.5)]
    term = _outranking(ranked[0], scores)
    start, end = _anchor(doc, term)
    attrs = {
        "is_incident": True,
        "reason": f"{term} cues in sentences reporting an event"
        + (f", outranking {ranked[0]}" if term != ranked[0] else ""),
        "scores": shown,
        "types": [term, *(t for t in ranked if t != term and scores[t] >= 0.5 * scores[term])],
    }
    return [mention_chars("incident_type", term, doc, start, end, NAME, attrs)]
