"""A name's text: cleaned of articles, possessives and descriptors, keyed for merging, judged
plausible, split when it is two names joined by "and".
"""

from __future__ import annotations

import re
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from extractors.organizations.cues import Cues

__all__ = [
    "CONNECTORS",
    "clean_name",
    "drop_leading_stop_words",
    "name_key",
    "owners_for_possessed",
    "plausible",
    "split_pair",
    "strip_suffix",
]

CONNECTORS = {"of", "and", "&", "for", "the", "de", "du", "la", "on", "in", "und", "-"}
_POSSESSIVE = re.compile(r"['’]s?$")
_OWNED_NAME = re.compile(r"(.+?)['’]s\s+\S")
_WORD = re.compile(r"[\w&.'’$-]+")


def name_key(name: str, cues: Cues) -> tuple[str, ...]:
    tokens = [_POSSESSIVE.sub("", tok).lower() for tok in _WORD.findall(name)]
    tokens = [tok for tok in tokens if tok]
    while tokens and tokens[0] in {"the", "a", "an"}:
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in cues.words["legal_suffixes"]:
        tokens = tokens[:-1]
    return tuple(tokens)


def clean_name(text: str, cues: Cues) -> str:
    """The name without a leading article, trailing possessive or punctuation."""
    text = " ".join(text.split())
    text = re.sub(r"^(?:the|The|THE)\s+", "", text)
    words = text.split()
    if len(words) > 1 and words[0].lower() in cues.words["title_heads"] and words[1][:1].isupper():
        text = " ".join(words[1:])  # "Retailer Granger & Pike said ...": the descriptor, not the name
    words = text.split()
    if len(words) > 1 and words[-1].lower() in cues.words["person_role_nouns"]:
        text = " ".join(words[:-1])  # "posted by Acme CISO Jane Roe": the role is no part of the name
    text = _POSSESSIVE.sub("", text) if re.search(r"['’]s$", text) else text.rstrip("'’")
    return text.strip(' ,.;:-–—"“”()')


def plausible(name: str, cues: Cues) -> bool:
    if not name or len(name) < 2 or "\n" in name or len(name) > 60:
        return False
    low = name.lower()
    if low in cues.words["non_org_words"] or name in cues.products:
        return False
    tokens = name.split()
    if len(tokens) > 6 or (len(tokens) == 1 and low in cues.words["generic_first_tokens"]):
        return False  # too long for a name, or one common word ("State officials said")
    generic = cues.words["generic_name_words"] | cues.words["breach_words"] | cues.words["non_org_words"]
    if all(tok.lower() in generic | cues.words["org_heads"] | cues.words["product_heads"] for tok in tokens):
        return False
    if not tokens[0][0].isupper() and not tokens[0][0].isdigit():
        return False
    if any(tok.lower() in cues.words["breach_words"] for tok in tokens[1:]):
        return False  # a headline read as a name ("Acme Hacked", "Acme Ransomware Variants Surge")
    if re.fullmatch(r"v?\d+(?:\.\d+)+", tokens[-1]) or re.match(r"CVE-\d", name):
        return False  # a versioned product ("Routerly 2.0") or a vulnerability id
    return all(tok[0].isupper() or tok[0].isdigit() or tok.lower() in CONNECTORS for tok in tokens)


def owners_for_possessed(
    found: list[tuple[str, dict[str, Any] | None]],
) -> list[tuple[str, dict[str, Any] | None]]:
    """ "Acme's Billing Portal" read as one name: where Acme is found on its own too, the thing
    is Acme's and the name stands for Acme."""
    names = {name for name, _ in found}
    out = []
    for name, entry in found:
        m = _OWNED_NAME.match(name)
        out.append((m.group(1), None) if m and entry is None and m.group(1) in names else (name, entry))
    return out


def drop_leading_stop_words(name: str) -> str:
    """ "When Acme" -> "Acme": a cue pattern's name run can start with a capitalised function word."""
    tokens = name.split()
    while len(tokens) > 1 and tokens[0].lower() in STOP_WORDS:
        tokens = tokens[1:]
    return " ".join(tokens)


def split_pair(name: str) -> list[str]:
    """ "Acme and Globex" is two names; "Board of Water and Light" stays one."""
    parts = name.split(" and ")
    if (
        len(parts) == 2
        and not re.search(r"\b(?:of|for)\b|['’]s\b", name)
        and all(p[:1].isupper() for p in parts)
    ):
        return parts
    return [name]


def strip_suffix(name: str, cues: Cues) -> str:
    tokens = name.split()
    while len(tokens) > 1 and tokens[-1].lower().rstrip(",") in cues.words["legal_suffixes"]:
        tokens = tokens[:-1]
    return " ".join(tokens).rstrip(",")
