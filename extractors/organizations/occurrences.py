"""Candidate names grouped into organisations (variants, short forms, acronyms) and every
occurrence of each found again in the whole text, so one organisation has one canonical name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from spacy.tokens import Doc

from extractors._spans import doc_text
from extractors.organizations.cues import Cues
from extractors.organizations.evidence import Org
from extractors.organizations.lines import in_dateline, is_masthead
from extractors.organizations.names import name_key, strip_suffix

__all__ = ["add_acronyms", "add_short_forms", "locate", "merge"]

_ACRONYM_AFTER = re.compile(r"\s(?=\s*\([A-Z][A-Za-z&.]{1,9}\))")
_WORD_RUN = re.compile(r"\w+")
_NOT_BEFORE_NAME = re.compile(r"[\w&.-]")
_NOT_AFTER_NAME = re.compile(r"[\w&-]")


def add_acronyms(orgs: list[Org], text: str) -> list[Org]:
    """ "Harlow County Hospital (HCH)": the acronym is the same organisation from then on."""
    absorbed: set[str] = set()
    # Where an acronym in brackets follows: a variant must end at one of them to match, so the
    # other variants (most, and all of them in most articles) skip compiling a pattern of their own.
    ends = [m.start() for m in _ACRONYM_AFTER.finditer(text)]
    if not ends:
        return orgs
    for org in orgs:
        for variant in sorted(org.variants, key=len, reverse=True):
            if not any(text.endswith(variant, 0, end) for end in ends):
                continue
            for m in re.finditer(rf"(?<![\w&]){re.escape(variant)}\s+\(([A-Z][A-Za-z&.]{{1,9}})\)", text):
                acronym = m.group(1)
                if acronym != org.name and sum(ch.isupper() for ch in acronym) >= 2:
                    org.variants.add(acronym)
                    absorbed.add(acronym)
    return [org for org in orgs if org.name not in absorbed or org.entry is not None]


def merge(found: list[tuple[str, dict[str, Any] | None]], cues: Cues) -> list[Org]:
    """Group name variants: same key, or one key the start of the other ("Norrland" / "Norrland Freight")."""
    orgs: dict[str, Org] = {}
    by_key: dict[tuple[str, ...], Org] = {}
    by_prefix: dict[tuple[str, ...], list[Org]] = {}  # organisations by every shorter start of their key
    ordered = sorted(found, key=lambda item: (item[1] is None, -len(item[0].split())))
    for name, entry in ordered:
        key = name_key(name, cues)
        if not key:
            continue
        if name in cues.gazetteer and entry is None:
            entry = cues.gazetteer[name]
        org = orgs.get(entry["id"]) if entry else by_key.get(key)
        if org is None and entry is None:
            hits = by_prefix.get(key, [])
            org = hits[0] if len(hits) == 1 else None
        if org is None:
            canonical = entry["id"] if entry else strip_suffix(name, cues)
            if canonical in orgs:
                org = orgs[canonical]
            else:
                org = Org(name=canonical, key=name_key(canonical, cues), variants={canonical}, entry=entry)
                orgs[canonical] = org
                by_key[org.key] = org
                for size in range(1, len(org.key)):
                    by_prefix.setdefault(org.key[:size], []).append(org)
        org.variants.add(name)
        by_key.setdefault(key, org)
    return list(orgs.values())


def add_short_forms(orgs: list[Org], lower_words: set[str], cues: Cues) -> None:
    """The first word of a multi-word name stands for it when no other organisation shares it
    (nor the text as a lowercase word: `lower_words`)."""
    firsts = Counter(org.key[0] for org in orgs if org.key)
    for org in orgs:
        if org.entry is not None or len(org.key) < 2:
            continue
        first = org.name.split()[0]
        low = first.lower()
        if (
            firsts[low] > 1
            or low in cues.words["generic_first_tokens"]
            or len(first) < 3
            or low in lower_words
        ):
            continue
        if low in cues.words["non_org_words"] or low in cues.words["organization_words"]:
            continue
        org.variants.add(first)


def locate(doc: Doc, orgs: list[Org], cues: Cues) -> None:
    """Every occurrence of every variant; the longest match wins and product names block matches."""
    text = doc_text(doc)
    org: Org | None  # each organisation, then each match's (None: a product name)
    matches: list[tuple[int, int, int, Org | None]] = []
    for m in cues.product_re.finditer(text):
        matches.append((m.start(), m.end(), 1, None))
    for start, end, org in _variant_matches(text, orgs):
        matches.append((start, end, 0, org))
    matches.sort(key=lambda item: (item[0], -(item[1] - item[0]), -item[2]))
    taken_end = -1
    for start, end, _, org in matches:
        if start < taken_end:
            continue
        taken_end = end
        if org is None or cues.relation_re.match(text[end : end + 40]) or in_dateline(doc, start):
            continue
        if is_masthead(doc, start, end):
            org.votes["cited"] += 1
            continue
        org.spans.append((start, end))


def _variant_matches(text: str, orgs: list[Org]) -> Iterator[tuple[int, int, Org]]:
    r"""Each organisation's matches, as `re.finditer` of the pattern
    `(?<![\w&.-])(?:variant|...)(?![\w&-])` gives them (at each place the longest variant, no two
    overlapping), organisation by organisation: found in one pass over the text's words, where one
    pattern per organisation read the whole text once per organisation (quadratic in its length)."""
    by_word: dict[str, list[tuple[str, int]]] = {}
    by_char: dict[str, list[tuple[str, int]]] = {}  # variants that start with no word character
    for n, org in enumerate(orgs):
        for variant in org.variants:
            if variant:
                word = _WORD_RUN.match(variant)
                bucket = by_word.setdefault(word.group(), []) if word else by_char.setdefault(variant[0], [])
                bucket.append((variant, n))
    longest: list[dict[int, int]] = [{} for _ in orgs]  # per organisation: start -> end
    starts = [(m.start(), by_word.get(m.group())) for m in _WORD_RUN.finditer(text)]
    if by_char:
        firsts = re.compile("|".join(re.escape(ch) for ch in by_char))
        starts += [(m.start(), by_char[m.group()]) for m in firsts.finditer(text)]
    for start, candidates in starts:
        if not candidates or (start and _NOT_BEFORE_NAME.match(text, start - 1)):
            continue
        for variant, n in candidates:
            end = start + len(variant)
            if text.startswith(variant, start) and not _NOT_AFTER_NAME.match(text, end):
                longest[n][start] = max(end, longest[n].get(start, end))
    for n, org in enumerate(orgs):
        last = 0
        for start in sorted(longest[n]):
            if start >= last:
                last = longest[n][start]
                yield start, last, org
