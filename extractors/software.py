"""The way in: compromised software (packages, products, versions, CVE ids) and the attack vector.

Software counts when a sentence names it as the route of the attack ("compromised updates to
X", "malicious versions of X", "a poisoned X package", "a vulnerability in X", "X versions
2.4.1 and 2.4.2", "X, an open-source library"); its versions are read next to the name and the
sentence's CVE ids are attached to it. A CVE id with no product near it is a mention of its own.

The vector is a term of `data/attack_vectors.json`, from its cue phrases in sentences about
this incident: negated cues ("no evidence of phishing") and advice or trend sentences
("companies should watch out for phishing") are skipped, past-tense sentences weigh more.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from typing import Any

from spacy.tokens import Doc

from extractors._gazetteer import load_vocabulary
from extractors._registry import register
from extractors._spans import doc_text, mention_chars, sentence_texts, sentences, tags
from schemas.document import Article
from schemas.entities import Mention

__all__ = ["extract_software", "find_versions", "pick_vector"]

NAME = "software.v1"
_PRODUCT = r"(?P<name>[A-Za-z0-9][\w.+\-]*[A-Za-z0-9](?:\s+[A-Z0-9][\w.+\-]*){0,2})"
_KIND = r"(?:package|library|plugin|extension|module|dependency|tool|framework|app|application|sdk|project)"
_TAINTED = r"(?:compromised|malicious|poisoned|tampered|trojani[sz]ed|backdoored|rogue|infected|hijacked)"
_ROUTES = tuple(
    re.compile(p)
    for p in (
        rf"(?i:{_TAINTED}\s+(?:updates?|versions?|releases?|builds?|copies)\s+(?:of|to|for)\s+(?:an?\s+|the\s+)?"
        rf"(?:[\w-]+\s+){{0,2}}?{_KIND}\s+(?:known\s+as|called|named|dubbed)\s+){_PRODUCT}",
        rf"(?i:{_TAINTED}\s+(?:updates?|versions?|releases?|builds?|copies)\s+(?:of|to|for)\s+(?:the\s+)?"
        rf"(?:popular\s+|widely[- ]used\s+)?(?:open[- ]source\s+)?(?:{_KIND}\s+)?){_PRODUCT}",
        rf"(?i:an?|the)\s+(?i:{_TAINTED})\s+{_PRODUCT}\s+(?i:{_KIND}|updates?)",
        rf"(?i:(?:vulnerabilit(?:y|ies)|flaws?|bugs?|zero-days?|exploits?|weakness(?:es)?)\s+(?:in|affecting|within)\s+"
        rf"(?:the\s+|its\s+|their\s+)?(?:popular\s+|widely[- ]used\s+)?(?:open[- ]source\s+)?){_PRODUCT}",
        rf"(?i:open[- ]source\s+{_KIND})\s+{_PRODUCT}",
        rf"{_PRODUCT},\s+(?i:an?|the)\s+(?i:(?:popular|widely[- ]used|free)\s+)?"
        rf"(?i:open[- ]source\s+)?(?i:{_KIND})\b",
        rf"{_PRODUCT}\s+(?i:versions?)\s+v?\d+\.\d+",
        rf"(?i:through|via)\s+(?:an?\s+|the\s+)?(?i:{_TAINTED}|vulnerable|unpatched)\s+(?:version\s+of\s+)?{_PRODUCT}",
    )
)
# A part every match of the route above must contain (what follows its product name), for the routes
# that start with a name and so try a match at every word: an article without it skips the route.
_ANCHORS = (
    None,
    None,
    None,
    None,
    None,
    re.compile(
        r",\s+(?i:an?|the)\s+(?i:(?:popular|widely[- ]used|free)\s+)?(?i:open[- ]source\s+)?"
        rf"(?i:{_KIND})\b"
    ),
    re.compile(r"\s(?i:versions?)\s+v?\d+\.\d+"),
    None,
)
_CVE = re.compile(r"\bCVE-\d{4}-\d{4,7}\b", re.IGNORECASE)
_VERSION = re.compile(
    r"(?P<pre>\b(?:versions?|v|release|build)\s*)?\b(?P<v>v?\d+\.\d+(?:\.\d+){0,2}(?:-?(?:rc|beta|alpha)\d*)?)\b"
    r"(?!\s*(?:million|billion|thousand|percent|%))",
    re.IGNORECASE,
)
_WINDOW = 80


@cache
def _vocabulary() -> dict[str, Any]:
    return load_vocabulary("attack_vectors")


@cache
def _generic() -> frozenset[str]:
    return frozenset(load_vocabulary("software_cues")["generic_words"])


def _term_alternatives(spec: dict[str, list[str]]) -> list[str]:
    """A term's cue phrases (literal) and cue patterns (regular expressions), as alternatives."""
    return [re.escape(c) for c in spec["cues"]] + list(spec.get("patterns", []))


@cache
def _vector_res() -> dict[str, re.Pattern[str]]:
    return {
        term: re.compile(r"\b(?:" + "|".join(_term_alternatives(spec)) + r")\b", re.IGNORECASE)
        for term, spec in _vocabulary()["terms"].items()
        if spec["cues"]
    }


@cache
def _any_vector_re() -> re.Pattern[str]:
    """Matches in a sentence iff some pattern of `_vector_res` does (alternatives under one `\\b...\\b`),
    so the sentences with no cue at all take one scan instead of one per term."""
    cues = [c for spec in _vocabulary()["terms"].values() for c in _term_alternatives(spec)]
    return re.compile(r"\b(?:" + "|".join(cues) + r")\b", re.IGNORECASE)


@cache
def _phrase_re(key: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(c) for c in _vocabulary()[key]) + r")\b", re.IGNORECASE)


def _clean_name(raw: str) -> str | None:
    words = raw.split()
    while words and words[-1].lower().strip(".,") in _generic():
        words.pop()
    while words and words[0].lower() in _generic():
        words.pop(0)
    name = " ".join(words).strip(".,;:")
    if not name or name.lower() in _generic() or _CVE.fullmatch(name) or not any(ch.isalpha() for ch in name):
        return None  # generic, a CVE id (kept apart), or a bare number ("flaws in 80,000 routers")
    looks_named = name[0].isupper() or any(ch.isdigit() for ch in name) or re.search(r"[a-z][-_.][a-z]", name)
    return name if looks_named else None


def find_versions(text: str, name: str) -> list[str]:
    """Version numbers in `text` (the name's window): dotted triples, or pairs after "version"."""
    out: list[str] = []
    for match in _VERSION.finditer(text):
        value = match.group("v")
        if value in name or any(value in cve for cve in _CVE.findall(text)):
            continue
        listed = bool(re.search(r"\bversions?\b", text[: match.start()], re.IGNORECASE))
        if match.group("pre") or value.count(".") >= 2 or listed or value.lower().startswith("v"):
            out.append(value.lstrip("vV"))
    return list(dict.fromkeys(out))


def _software(doc: Doc) -> list[Mention]:
    text = doc_text(doc)
    found: dict[tuple[int, int], str] = {}
    for pattern, anchor in zip(_ROUTES, _ANCHORS, strict=True):
        if anchor is not None and anchor.search(text) is None:
            continue
        for match in pattern.finditer(text):
            name = _clean_name(match.group("name"))
            if not name:
                continue
            start = match.start("name") + match.group("name").find(name)
            if not any(s <= start < e for s, e in found):
                found[(start, start + len(name))] = name
    out: list[Mention] = []
    attached: set[str] = set()
    for (start, end), name in sorted(found.items()):
        m = mention_chars("software", name, doc, start, end, NAME)
        window = text[start : min(len(text), end + _WINDOW, start + len(name) + _WINDOW)]
        window = window.split("\n", 1)[0]
        cves = sorted({c.upper() for c in _CVE.findall(m.sentence)})
        attached.update(cves)
        attrs: dict[str, Any] = {"versions": find_versions(window, name), "cves": cves}
        out.append(m.model_copy(update={"attrs": attrs}))
    for match in _CVE.finditer(text):
        cve = match.group(0).upper()
        if cve not in attached:
            attached.add(cve)
            m = mention_chars("software", cve, doc, match.start(), match.end(), NAME)
            out.append(m.model_copy(update={"attrs": {"versions": [], "cves": [cve]}}))
    return out


def _sentence_weight(sent_tags: list[str], sent_text: str) -> float:
    """1 for a past-tense sentence about the incident, 0.5 otherwise, 0 for advice or trends."""
    past = "VBD" in sent_tags or "VBN" in sent_tags
    generic = bool(_phrase_re("generic_cues").search(sent_text))
    if generic:
        return 0.3 if past and "MD" not in sent_tags else 0.0
    return 1.0 if past else 0.5


def _negated(sent_text: str, start: int) -> bool:
    before = sent_text[max(0, start - 30) : start]
    return bool(_phrase_re("negations").search(before))


def _vector_mentions(doc: Doc) -> list[Mention]:
    """One mention per vector cue, scored by how surely its sentence speaks of this incident."""
    out: list[Mention] = []
    doc_tags, any_vector = tags(doc), _any_vector_re()
    for sent, sent_text in zip(sentences(doc), sentence_texts(doc), strict=True):
        if any_vector.search(sent_text) is None:
            continue
        weight = _sentence_weight(doc_tags[sent.start : sent.end], sent_text)
        if not weight:
            continue
        for term, regex in _vector_res().items():
            for match in regex.finditer(sent_text):
                if _negated(sent_text, match.start()):
                    continue
                start = sent.start_char + match.start()
                end = start + len(match.group(0))
                out.append(mention_chars("attack_vector", term, doc, start, end, NAME, score=weight))
    return out


def pick_vector(mentions: list[Mention]) -> Mention | None:
    """The article's vector: most weighted cue hits, ties to the term's priority."""
    votes: defaultdict[str, float] = defaultdict(float)
    first: dict[str, Mention] = {}
    for m in mentions:
        if m.label == "attack_vector":
            votes[m.value] += m.score
            first.setdefault(m.value, m)
    if not votes:
        return None
    terms = _vocabulary()["terms"]
    best = max(votes, key=lambda t: (votes[t], terms[t]["priority"]))
    return first[best]


@register(NAME)
def extract_software(doc: Doc, article: Article) -> list[Mention]:
    """Compromised software (with versions and CVEs) and attack-vector cues."""
    return _software(doc) + _vector_mentions(doc)
