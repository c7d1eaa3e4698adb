"""`org_cues.json` and `sectors.json` compiled once: the word sets and cue patterns every
step of the extractor reads, so the vocabularies stay data and are loaded in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from extractors._gazetteer import load_gazetteer, load_vocabulary

__all__ = ["CITED_HINTS", "NAME_RUN", "Cues", "any_word_re", "load_cues"]

CITED_HINTS = {"security_vendor", "news_outlet", "regulator", "law_enforcement", "cited"}
_NAME = r"[A-Z][\w&.'’-]*[\w&]|[A-Z]"
NAME_RUN = rf"(?:{_NAME})(?:\s(?:{_NAME}|of|&|and)(?=\s[A-Z]))*(?:\s(?:{_NAME}))?"


@dataclass(frozen=True)
class Cues:
    """`org_cues.json` and `sectors.json`, as sets and compiled patterns."""

    words: dict[str, frozenset[str]]
    products: frozenset[str]
    gazetteer: dict[str, dict[str, Any]]
    aliases_by_id: dict[str, frozenset[str]]
    product_re: re.Pattern[str]
    descriptor_re: re.Pattern[str]
    appositive_re: re.Pattern[str]
    appositive_tail_re: re.Pattern[str]
    name_before_re: re.Pattern[str]
    name_after_re: re.Pattern[str]
    name_after_tail_re: re.Pattern[str]
    cited_before_re: re.Pattern[str]
    cited_after_re: re.Pattern[str]
    attacker_before_re: re.Pattern[str]
    attacker_after_re: re.Pattern[str]
    product_cue_re: re.Pattern[str]
    product_after_re: re.Pattern[str]
    relation_re: re.Pattern[str]
    vendor_predicate_re: re.Pattern[str]
    malware_predicate_re: re.Pattern[str]
    victim_after_re: re.Pattern[str]
    victim_before_re: re.Pattern[str]
    exposure_re: re.Pattern[str]
    background_re: re.Pattern[str]
    response_re: re.Pattern[str]
    place_re: re.Pattern[str]
    sector_keywords: tuple[tuple[str, str], ...]
    head_sectors: dict[str, str]
    name_sectors: tuple[tuple[str, str], ...]
    service_heads: frozenset[str]


def _alternation(phrases: list[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))


def _grouped_alternation(phrases: list[str]) -> str:
    """`_alternation`, with the phrases grouped by first character ("A(?:cme|lpha)|B(?:eta)").

    For case-sensitive patterns only. At any position just the group of that character can match and
    it keeps the longest-first order, so the matches are the same; but `re` tries one branch per
    character instead of every phrase, which made a scan over hundreds of phrases ten times faster.
    """
    groups: dict[str, list[str]] = {}
    for phrase in sorted(set(phrases), key=len, reverse=True):
        groups.setdefault(phrase[:1], []).append(re.escape(phrase[1:]))
    return "|".join(f"{re.escape(first)}(?:{'|'.join(rest)})" for first, rest in groups.items())


@cache
def any_word_re(words: frozenset[str]) -> re.Pattern[str]:
    """One pattern that matches where `\\b<word>\\b` matches for any of `words` (for `search` only)."""
    return re.compile(rf"\b(?:{_alternation(list(words))})\b")


@cache
def load_cues() -> Cues:
    raw: dict[str, Any] = load_vocabulary("org_cues")
    sectors: dict[str, Any] = load_vocabulary("sectors")
    words = {k: frozenset(v) for k, v in raw.items() if isinstance(v, list)}
    gazetteer = {entry["pattern"]: entry for entry in load_gazetteer("companies")}
    aliases_by_id: dict[str, set[str]] = {}
    for alias, entry in gazetteer.items():
        aliases_by_id.setdefault(entry["id"], set()).add(alias)
    heads = _grouped_alternation(raw["org_heads"] + raw["product_heads"])
    # What must follow the name run of `appositive_re` and `name_after_re` (see `candidates._run_matches`).
    appositive = (
        rf",\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,4}}?(?:{_grouped_alternation(raw['org_heads'])})"
        rf"(?=\s*[,.;:)]|\s+(?:based|headquartered|that|which|with|in|of|from|owned|known)\b)"
    )
    name_after = (
        rf"['’]?s?\s+(?:(?:has|have|had|also|now|recently|reportedly|publicly)\s+)*"
        rf"(?:{_grouped_alternation(raw['victim_after'] + raw['customer_verbs'])})\b"
    )
    return Cues(
        words=words,
        products=frozenset(raw["products"]),
        gazetteer=gazetteer,
        aliases_by_id={key: frozenset(names) for key, names in aliases_by_id.items()},
        product_re=re.compile(rf"(?<![\w&.-])(?:{_grouped_alternation(raw['products'])})(?![\w&-])"),
        descriptor_re=re.compile(rf"\b(?:{heads})\s+({NAME_RUN})"),
        appositive_re=re.compile(rf"(?<![\w&.-])({NAME_RUN}){appositive}"),
        appositive_tail_re=re.compile(rf"(?={appositive})"),
        name_before_re=re.compile(
            rf"\b(?:{_grouped_alternation(raw['name_cue_before'])})\s+(?:the\s+)?({NAME_RUN})"
        ),
        name_after_re=re.compile(rf"({NAME_RUN})(?={name_after})"),
        name_after_tail_re=re.compile(rf"(?={name_after})"),
        cited_before_re=re.compile(rf"\b(?:{_alternation(raw['cited_before'])})\s+(?:the\s+)?$", re.I),
        cited_after_re=re.compile(rf"^['’]?s?\s+(?:{_alternation(raw['cited_after'])})\b", re.I),
        attacker_before_re=re.compile(
            rf"\b(?:{_alternation(raw['attacker_before'])})\s+(?:(?:named|called|dubbed)\s+)?$", re.I
        ),
        attacker_after_re=re.compile(
            rf"^\s+(?:(?:has|have|had|also|reportedly)\s+)?(?:{_alternation(raw['attacker_after'])})\b"
            rf"(?!\s+(?:(?:a|an|the|its|their)\s+)?(?:{_alternation(raw['notice_nouns'])})\b)"
        ),
        product_cue_re=re.compile(
            rf"\b(?:{_alternation(raw['product_cues'])})\s+(?:(?:[A-Z][\w.-]*\s?)+(?:,\s*|\s+(?:and|or)\s+))*$"
        ),
        product_after_re=re.compile(rf"^\s+(?:{_alternation(raw['product_heads'])})\b", re.I),
        relation_re=re.compile(rf"^['’]?s?\s*(?:{_alternation(raw['relation_nouns'])})\s+(?=[A-Z])", re.I),
        vendor_predicate_re=re.compile(
            r"^['’]?\s*(?:,[^,]{0,60},\s*)?(?:\w+\s+){0,2}?"
            r"(?:is|was|serves as|served as|acts as|operates as|works as|has been|became)\s+"
            r"(?:a|an|the|one of the)\s+(?:[\w-]+\s+){0,4}?"
            rf"(?:{_alternation(raw['vendor_words'])})s?\b",
            re.I,
        ),
        malware_predicate_re=re.compile(
            r"^['’]?\s*(?:,[^,]{0,60},\s*)?(?:is|was|are|were)\s+(?:a|an|the)\s+"
            r"(?:(?!(?:of|by|with|from|victim|target|hit)\b)[\w-]+\s+){0,3}?"
            rf"(?:{_alternation(raw['malware_heads'])})\b",
            re.I,
        ),
        victim_after_re=re.compile(
            rf"^['’]?s?\s+(?:(?:has|have|had|also|now|recently|reportedly|publicly|quietly|itself)\s+)*"
            rf"(?:{_alternation(raw['victim_after'])})\b"
        ),
        victim_before_re=re.compile(rf"\b(?:{_alternation(raw['victim_before'])})\s+(?:the\s+)?$", re.I),
        exposure_re=re.compile(rf"(?:{_alternation(raw['customer_exposure'])})", re.I),
        background_re=re.compile(rf"\b(?:{_alternation(raw['background_cues'])})\b", re.I),
        response_re=re.compile(rf"\b(?:{_alternation(raw['response_cues'])})\b", re.I),
        place_re=re.compile(
            rf"\b(?:{_grouped_alternation([h.title() for h in words['place_heads']])})"
            rf"\s+of\s+(?:the\s+)?(?:{NAME_RUN})"
        ),
        sector_keywords=tuple(
            (kw, sector["term"])
            for sector in sectors["sectors"]
            for kw in sorted(sector["keywords"], key=len, reverse=True)
        ),
        head_sectors=sectors["head_nouns"],
        name_sectors=tuple(sectors["name_words"].items()),
        service_heads=frozenset(sectors["service_heads"]),
    )
