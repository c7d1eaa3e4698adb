"""The way in: compromised software (packages, products, versions, CVE ids) and the attack vector.

Software counts when a sentence says it was the route of the attack ("compromised updates
to X", "malicious versions of X", "a vulnerability in X", "CVE-2026-1234 in X"). The
vector is a term of `data/attack_vectors.json`, chosen by its cues in the article's
sentences, weighted up where the sentence is about this attack.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Any

from spacy.tokens import Doc

from extractors._gazetteer import load_vocabulary
from extractors._registry import register
from extractors._spans import doc_text, mention_chars, sentences
from schemas.document import Article
from schemas.entities import Mention

__all__ = ["extract_software", "pick_vector"]

NAME = "software.v1"
_PRODUCT = r"(?P<name>[A-Za-z0-9][\w.+\-]*[A-Za-z0-9](?:\s+[A-Z][\w.+\-]*){0,2})"
_ROUTES = [
    rf"(?i:compromised|malicious|poisoned|tampered|trojani[sz]ed|backdoored|rogue)\s+"
    rf"(?i:updates?|versions?|releases?|builds?)\s+(?i:of|to|for)\s+(?:the\s+)?(?:popular\s+)?(?:open-source\s+)?"
    rf"{_PRODUCT}",
    rf"(?i:a|the)\s+(?i:compromised|malicious|poisoned|tampered|trojani[sz]ed|backdoored)\s+"
    rf"{_PRODUCT}\s+(?i:package|library|plugin|extension|update|module|dependency|tool|app)",
    rf"(?i:vulnerability|vulnerabilities|flaw|flaws|bug|zero-day|exploit)\s+(?i:in|affecting)\s+(?:the\s+)?"
    rf"{_PRODUCT}",
]
_CVE = re.compile(r"\bCVE-\d{4}-\d{4,7}\b")
_VERSION = re.compile(r"\b(?:v|version\s+|versions\s+)?(\d+\.\d+(?:\.\d+){0,2})\b", re.IGNORECASE)
_GENERIC = {
    "the",
    "its",
    "their",
    "a",
    "an",
    "software",
    "package",
    "library",
    "tool",
    "update",
    "updates",
    "system",
    "systems",
    "server",
    "servers",
    "code",
    "product",
    "products",
    "app",
    "application",
    "platform",
    "version",
    "versions",
    "open-source",
    "popular",
    "widely",
    "used",
    "an ai",
    "ai",
}


@cache
def _vectors() -> dict[str, Any]:
    return load_vocabulary("attack_vectors")["terms"]


@cache
def _vector_res() -> dict[str, re.Pattern[str]]:
    return {
        term: re.compile(r"\b(?:" + "|".join(re.escape(c) for c in spec["cues"]) + r")\b", re.IGNORECASE)
        for term, spec in _vectors().items()
    }


def _name(raw: str) -> str | None:
    words = raw.split()
    while words and words[-1].lower() in _GENERIC:
        words.pop()
    name = " ".join(words).strip(".,")
    return name if name and name.lower() not in _GENERIC and not _CVE.fullmatch(name) else None


def _software(doc: Doc) -> list[Mention]:
    text = doc_text(doc)
    out: list[Mention] = []
    for pattern in _ROUTES:
        for match in re.finditer(pattern, text):
            name = _name(match.group("name"))
            if not name or not (name[0].isupper() or any(c.isdigit() for c in name) or "-" in name):
                continue
            start = match.start("name")
            m = mention_chars("software", name, doc, start, start + len(name), NAME)
            versions = sorted({v for v in _VERSION.findall(m.sentence) if v not in name})
            cves = sorted(set(_CVE.findall(m.sentence)))
            out.append(m.model_copy(update={"attrs": {"versions": versions, "cves": cves}}))
    for match in _CVE.finditer(text):
        if not any(match.group(0) in (m.attrs.get("cves") or []) for m in out):
            m = mention_chars("software", match.group(0), doc, match.start(), match.end(), NAME)
            out.append(m.model_copy(update={"attrs": {"versions": [], "cves": [match.group(0)]}}))
    return out


def _vector_mentions(doc: Doc) -> list[Mention]:
    """One mention per vector cue, scored up in sentences that speak of an actual attack."""
    out: list[Mention] = []
    for sent in sentences(doc):
        past = any(t.tag_ in ("VBD", "VBN") for t in sent)
        advice = any(t.lower_ in ("should", "can", "could", "tips", "how") for t in sent)
        for term, regex in _vector_res().items():
            for match in regex.finditer(sent.text):
                start = sent.start_char + match.start()
                weight = (1.0 if past else 0.5) * (0.3 if advice else 1.0)
                out.append(
                    mention_chars(
                        "attack_vector", term, doc, start, start + len(match.group(0)), NAME, score=weight
                    )
                )
    return out


def pick_vector(mentions: list[Mention]) -> Mention | None:
    """The article's vector: most weighted cue hits, ties to the term's priority."""
    votes: Counter[str] = Counter()
    first: dict[str, Mention] = {}
    for m in mentions:
        if m.label == "attack_vector":
            votes[m.value] += m.score
            first.setdefault(m.value, m)
    if not votes:
        return None
    terms = _vectors()
    best = max(votes, key=lambda t: (votes[t], terms[t]["priority"]))
    return first[best]


@register(NAME)
def extract_software(doc: Doc, article: Article) -> list[Mention]:
    """Compromised software (with versions and CVEs) and attack-vector cues."""
    return _software(doc) + _vector_mentions(doc)
