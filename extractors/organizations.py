"""Organisations named in an article, each with its document-level role in the incident.

The small spaCy model finds most company names but misses some, tags words such as "AI"
as ORG and garbles title-case headlines. So names are gathered from three places: ORG
entities of body sentences (filtered through `org_cues.json`), the company gazetteer
(`companies.jsonl`), and descriptor patterns ("payroll vendor X", "X, a data firm").
Every name is then searched again through the whole text, with its variants (legal
suffix, possessive, first word of a multi-word name), so one organisation gets one
canonical value and every occurrence, even those the model missed.

Roles are decided per organisation, not per sentence: each occurrence votes with the
grammar around it (subject of "suffered a breach", owner of "systems" in a breach
sentence, object of "a breach at", "researchers at", "hacking group", "paused its work
with") and the article-level rules combine the votes: a breached party whose customers
are named is the vendor, an organisation that paused work with it is the customer, and
security firms, outlets and regulators stay "cited" unless the text clearly says they
were breached.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span, Token

from extractors._gazetteer import load_gazetteer, load_vocabulary
from extractors._registry import register
from extractors._spans import (
    doc_lemmas,
    doc_text,
    is_brief,
    line_bounds,
    lowers,
    mention_chars,
    sentence_of,
    sentence_words,
    sentences,
)
from schemas.document import Article
from schemas.entities import AttrValue, Mention

__all__ = ["EXTRACTOR", "ROLES", "extract_organizations"]

EXTRACTOR = "organizations.v1"
ROLES = ("victim", "vendor", "customer", "government", "cited", "attacker", "other")

_INCIDENT_NOUNS = {"breach", "breaches", "hack", "leak", "incident", "intrusion", "compromise", "outage"}
_MIN_SALIENCE = 5
_STRONG_CUE = re.compile(
    r"group|gang|called|itself|known as|researchers|analysts|experts|breach|attack|hack", re.I
)
_CITED_HINTS = {"security_vendor", "news_outlet", "regulator", "law_enforcement", "cited"}
_CONNECTORS = {"of", "and", "&", "for", "the", "de", "du", "la", "on", "in", "und", "-"}
_NAME = r"[A-Z][\w&.'’-]*[\w&]|[A-Z]"
_NAME_RUN = rf"(?:{_NAME})(?:\s(?:{_NAME}|of|&|and)(?=\s[A-Z]))*(?:\s(?:{_NAME}))?"
_POSSESSIVE = re.compile(r"['’]s?$")
_OWNED_NAME = re.compile(r"(.+?)['’]s\s+\S")
_WORD = re.compile(r"[\w&.'’$-]+")
_LOWER_WORD = re.compile(r"(?<![\w.])[a-z][a-z'-]+")
_ACRONYM_AFTER = re.compile(r"\s(?=\s*\([A-Z][A-Za-z&.]{1,9}\))")
_WORD_RUN = re.compile(r"\w+")
_HEADLINE_LINES = "organizations.headline_lines"
_DATELINES = "organizations.datelines"
_EXPOSURES = "organizations.exposures"
_NOT_BEFORE_NAME = re.compile(r"[\w&.-]")
_NOT_AFTER_NAME = re.compile(r"[\w&-]")
_MASTHEAD_AFTER = re.compile(r"\s*(?:[|–—]|$)")
_NOT_BEFORE_OWNER = re.compile(r"[\w&]")
_RUN_END = _NOT_BEFORE_OWNER  # the last character of a `_NAME_RUN`
_CAPITAL = re.compile(r"[A-Z]")
# A character no `_NAME_RUN` takes: one outside names, or a space not between a name's words.
_RUN_BREAK = re.compile(r"[^\w&.'’\s-]|(?<![\w&])\s|\s(?!(?:of\s|&\s|and\s)?[A-Z])")
_DATELINE = re.compile(r"[A-Z][A-Z .,'&]+(?:\([A-Z][\w .&/-]*\))?\s*[-–—]\s")


@dataclass(frozen=True)
class _Cues:
    """`org_cues.json` and `sectors.json`, as sets and compiled patterns."""

    words: dict[str, frozenset[str]]
    products: frozenset[str]
    gazetteer: dict[str, dict[str, Any]]
    aliases_by_id: dict[str, frozenset[str]]
    alias_re: re.Pattern[str] | None
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
    character instead of every phrase, which made the gazetteer scan ten times faster.
    """
    groups: dict[str, list[str]] = {}
    for phrase in sorted(set(phrases), key=len, reverse=True):
        groups.setdefault(phrase[:1], []).append(re.escape(phrase[1:]))
    return "|".join(f"{re.escape(first)}(?:{'|'.join(rest)})" for first, rest in groups.items())


@cache
def _any_word_re(words: frozenset[str]) -> re.Pattern[str]:
    """One pattern that matches where `\\b<word>\\b` matches for any of `words` (for `search` only)."""
    return re.compile(rf"\b(?:{_alternation(list(words))})\b")


@cache
def _load_cues() -> _Cues:
    raw: dict[str, Any] = load_vocabulary("org_cues")
    sectors: dict[str, Any] = load_vocabulary("sectors")
    words = {k: frozenset(v) for k, v in raw.items() if isinstance(v, list)}
    gazetteer = {entry["pattern"]: entry for entry in load_gazetteer("companies")}
    aliases_by_id: dict[str, set[str]] = {}
    for alias, entry in gazetteer.items():
        aliases_by_id.setdefault(entry["id"], set()).add(alias)
    aliases = _grouped_alternation(list(gazetteer))
    heads = _grouped_alternation(raw["org_heads"] + raw["product_heads"])
    # What must follow the name run of `appositive_re` and `name_after_re` (see `_run_matches`).
    appositive = (
        rf",\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,4}}?(?:{_grouped_alternation(raw['org_heads'])})"
        rf"(?=\s*[,.;:)]|\s+(?:based|headquartered|that|which|with|in|of|from|owned|known)\b)"
    )
    name_after = (
        rf"['’]?s?\s+(?:(?:has|have|had|also|now|recently|reportedly|publicly)\s+)*"
        rf"(?:{_grouped_alternation(raw['victim_after'] + raw['customer_verbs'])})\b"
    )
    return _Cues(
        words=words,
        products=frozenset(raw["products"]),
        gazetteer=gazetteer,
        aliases_by_id={key: frozenset(names) for key, names in aliases_by_id.items()},
        alias_re=re.compile(rf"(?<![\w&.-])(?:{aliases})(?![\w&-])") if aliases else None,
        product_re=re.compile(rf"(?<![\w&.-])(?:{_grouped_alternation(raw['products'])})(?![\w&-])"),
        descriptor_re=re.compile(rf"\b(?:{heads})\s+({_NAME_RUN})"),
        appositive_re=re.compile(rf"(?<![\w&.-])({_NAME_RUN}){appositive}"),
        appositive_tail_re=re.compile(rf"(?={appositive})"),
        name_before_re=re.compile(
            rf"\b(?:{_grouped_alternation(raw['name_cue_before'])})\s+(?:the\s+)?({_NAME_RUN})"
        ),
        name_after_re=re.compile(rf"({_NAME_RUN})(?={name_after})"),
        name_after_tail_re=re.compile(rf"(?={name_after})"),
        cited_before_re=re.compile(rf"\b(?:{_alternation(raw['cited_before'])})\s+(?:the\s+)?$", re.I),
        cited_after_re=re.compile(rf"^['’]?s?\s+(?:{_alternation(raw['cited_after'])})\b", re.I),
        attacker_before_re=re.compile(
            rf"\b(?:{_alternation(raw['attacker_before'])})\s+(?:(?:named|called|dubbed)\s+)?$", re.I
        ),
        attacker_after_re=re.compile(
            rf"^\s+(?:(?:has|have|had|also|reportedly)\s+)?(?:{_alternation(raw['attacker_after'])})\b"
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
        place_re=re.compile(
            rf"\b(?:{_grouped_alternation([h.title() for h in words['place_heads']])})"
            rf"\s+of\s+(?:the\s+)?(?:{_NAME_RUN})"
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


@dataclass
class _Org:
    """One organisation of the article, with the evidence gathered for it."""

    name: str
    key: tuple[str, ...]
    variants: set[str]
    entry: dict[str, Any] | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    votes: Counter[str] = field(default_factory=Counter)
    industries: list[str] = field(default_factory=list)
    partners: set[str] = field(default_factory=set)
    owners: Counter[str] = field(default_factory=Counter)


class _Others:
    """Where the article's organisations occur and by which names, for the votes that look at the
    other organisations around an occurrence: built once per article, where each occurrence looking
    through all the others made extraction quadratic in the length of the article."""

    def __init__(self, orgs: list[_Org]) -> None:
        self.orgs = orgs
        self.spans = sorted((start, end, n) for n, org in enumerate(orgs) for start, end in org.spans)
        self.starts = [start for start, _, _ in self.spans]
        self.ends = [end for _, end, _ in self.spans]  # sorted too: occurrences do not overlap
        self.by_variant: dict[str, list[int]] = {}
        for n, org in enumerate(orgs):
            for variant in org.variants:
                self.by_variant.setdefault(variant, []).append(n)

    def first_between(self, org: _Org, start: int, end: int) -> _Org | None:
        """The first other organisation occurring after `start` and before `end`."""
        i = bisect_right(self.starts, start)
        while i < len(self.spans) and self.spans[i][0] < end:
            other = self.orgs[self.spans[i][2]]
            if other is not org:
                return other
            i += 1
        return None

    def overlapping(self, start: int, end: int) -> _Org | None:
        """The first organisation (in list order) with an occurrence overlapping `start`..`end`."""
        i = bisect_right(self.ends, start)
        hits = []
        while i < len(self.spans) and self.spans[i][0] < end:
            hits.append(self.spans[i][2])
            i += 1
        return self.orgs[min(hits)] if hits else None

    def next_to(self, text: str, end: int) -> _Org | None:
        """The organisation whose occurrence follows `end` across spaces only."""
        i = bisect_right(self.starts, end)
        return (
            self.orgs[self.spans[i][2]]
            if i < len(self.spans) and _follows(text, end, self.starts[i])
            else None
        )

    def owners(self, org: _Org, before: str) -> list[str]:
        """The other organisations whose name (a variant, not preceded by a word character or "&")
        ends `before` with a possessive ("... Acme's "), in article order; `before` ends in "'s "."""
        cut = len(before.rstrip()) - 2
        found: set[int] = set()
        for k in range(cut):
            if k == 0 or not _NOT_BEFORE_OWNER.match(before, k - 1):
                found.update(self.by_variant.get(before[k:cut], ()))
        return [self.orgs[n].name for n in sorted(found) if self.orgs[n] is not org]


@register(EXTRACTOR)
def extract_organizations(doc: Doc, article: Article) -> list[Mention]:
    """One `organization` mention per occurrence, valued by the article's canonical name."""
    cues = _load_cues()
    orgs = _collect_orgs(doc, cues)
    _locate(doc, orgs, cues)
    orgs = [org for org in orgs if org.spans]
    lead_end = _lead_end(doc) if is_brief(doc) else 0
    others = _Others(orgs)
    for org in orgs:
        for start, end in org.spans:
            _vote(doc, org, start, end, others, cues)
            org.votes["lead"] += start < lead_end and not _hypothetical(doc, start, cues.words)
    extras = _struck_parties(doc, others, cues)
    title = _clean_title(article.title)
    brief = is_brief(doc)
    roles = _decide_roles(orgs, title, cues, brief)
    if any(role in ("victim", "vendor") for role in roles.values()):
        extras = [x for x in extras if not _stands_in(doc, x[3], x[4])]
    no_victim = not any(role in ("victim", "vendor", "government") for role in roles.values())
    if not extras and no_victim and is_brief(doc):
        extras = _lead_subject(doc, orgs, cues)
    spelling = _body_spellings(extras, doc_text(doc))
    mentions: list[Mention] = [
        mention_chars(
            "organization",
            spelling[value.casefold()],
            doc,
            start,
            end,
            EXTRACTOR,
            {"role": role, "kind": kind, "industry": "Unknown", "struck": True},
        )
        for value, kind, role, start, end in extras
    ]
    for org in orgs:
        role = roles[org.name]
        if role is None:
            continue
        attrs: dict[str, AttrValue] = {
            "role": role,
            "struck": _is_breached(org, brief),
            "headline": bool(org.votes["title"]),
            "kind": _kind(org, cues),
            "industry": _industry(org, cues),
            "mentions": len(org.spans),
        }
        for start, end in org.spans:
            mentions.append(mention_chars("organization", org.name, doc, start, end, EXTRACTOR, dict(attrs)))
    return sorted(mentions, key=lambda m: m.start)


def _lead_end(doc: Doc) -> int:
    """Where a brief's lead ends: its first two sentences, which name its main party. (A full
    article's lead names researchers, outlets and products as often: measured on news, the lead
    prior added more wrong victims than right ones there.)"""
    sents = sentences(doc)
    return sents[min(1, len(sents) - 1)].end_char if sents else 0


def _hypothetical(doc: Doc, start: int, words: dict[str, frozenset[str]]) -> bool:
    """The clause of the word at `start` tells of what could or may happen, or did not."""
    token = doc.char_span(start, start + 1, alignment_mode="expand")
    node = token.root if token is not None else doc[0]
    for _ in range(6):
        if node.pos_ in {"VERB", "AUX"}:
            return _modal_or_negated(node, words)
        if node.head is node:
            break
        node = node.head
    return False


def _body_spellings(extras: list[tuple[str, str, str, int, int]], text: str) -> dict[str, str]:
    """One spelling per party ("Acme Users" in a title-case headline, "Acme users" in the body): the
    body's first, else the headline's."""
    headline_end = text.find("\n")
    spelling: dict[str, str] = {}
    for value, *_ in sorted(extras, key=lambda x: (x[3] < headline_end, x[3])):
        spelling.setdefault(value.casefold(), value)
    return spelling


# -- names ---------------------------------------------------------------------------------------------


def _name_key(name: str, cues: _Cues) -> tuple[str, ...]:
    tokens = [_POSSESSIVE.sub("", tok).lower() for tok in _WORD.findall(name)]
    tokens = [tok for tok in tokens if tok]
    while tokens and tokens[0] in {"the", "a", "an"}:
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in cues.words["legal_suffixes"]:
        tokens = tokens[:-1]
    return tuple(tokens)


def _clean_name(text: str, cues: _Cues) -> str:
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


def _is_headline(doc: Doc, start: int, end: int) -> bool:
    """Whether the characters `start`..`end` are on a title-case line ("Acme Pauses Work With ..."),
    where NER guesses. Decided once per line (a long line asked about for every name was quadratic)."""
    line_start, line_end = line_bounds(doc, start, end)
    known: dict[tuple[int, int], bool] = doc.user_data.setdefault(_HEADLINE_LINES, {})
    if (line_start, line_end) not in known:
        words = re.findall(r"[A-Za-z][a-z]{3,}|[A-Z]{4,}", doc_text(doc)[line_start:line_end])
        title_case = len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) >= 0.6
        known[(line_start, line_end)] = title_case
    return known[(line_start, line_end)]


def _plausible(name: str, cues: _Cues) -> bool:
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
    return all(tok[0].isupper() or tok[0].isdigit() or tok.lower() in _CONNECTORS for tok in tokens)


def _collect_orgs(doc: Doc, cues: _Cues) -> list[_Org]:
    """Names from NER (body sentences only), the gazetteer and descriptor patterns, merged."""
    text = doc_text(doc)
    found: list[tuple[str, dict[str, Any] | None]] = []
    persons = _person_names(doc)
    for ent in doc.ents:
        if ent.label_ != "ORG" or _is_headline(doc, ent.start_char, ent.end_char):
            continue
        if any(t.pos_ in {"VERB", "AUX"} for t in ent) or _abbreviates_term(ent):
            continue
        ent = _complete(ent)
        for name in _split_pair(_clean_name(ent.text, cues)):
            if _plausible(name, cues) and name not in persons:
                found.append((name, None))
        for name in _untagged_conjuncts(ent):
            cleaned = _clean_name(name, cues)
            if _plausible(cleaned, cues) and name not in persons:
                found.append((cleaned, None))
    if cues.alias_re is not None:
        for m in cues.alias_re.finditer(text):
            found.append((m.group(), cues.gazetteer[m.group()]))
    for m in cues.descriptor_re.finditer(text):
        name = _clean_name(m.group(1), cues)
        # "booking firm Voyantra": the head noun outweighs NER calling a one-word name a person.
        person = (
            " " in name
            and (_is_person(doc, m.start(1), m.end(1)) or name in persons)
            and _name_key(name, cues)[-1] not in cues.words["org_name_endings"]
        )
        if _plausible(name, cues) and not person:
            found.append((name, None))
    for m in _run_matches(text, cues.appositive_re, cues.appositive_tail_re):  # "Acme Builders, a firm in"
        name = _drop_leading_stop_words(_clean_name(m.group(1), cues))
        if _plausible(name, cues) and not _is_headline(doc, m.start(), m.end()):
            found.append((name, None))  # whatever NER called it (often PERSON)
    lower_words = set(_LOWER_WORD.findall(text))
    name_before = cues.name_before_re.finditer(text)
    name_after = _run_matches(text, cues.name_after_re, cues.name_after_tail_re)
    for pattern, matches in ((cues.name_before_re, name_before), (cues.name_after_re, name_after)):
        for m in matches:
            name = _drop_leading_stop_words(_clean_name(m.group(1), cues))
            strong = pattern is cues.name_before_re and bool(_STRONG_CUE.search(m.group()))
            if _plausible(name, cues) and _looks_like_org(
                doc, m.start(1), m.end(1), name, strong, lower_words, cues
            ):
                found.extend((part, None) for part in _split_pair(name))
    for m in cues.place_re.finditer(text):
        name = _clean_name(m.group(), cues)
        if _plausible(name, cues) and not _is_headline(doc, m.start(), m.end()):
            found.append((name, None))  # "the Town of Harrowgate": NER tags it as a place or a title
    terms = _term_acronyms(doc)
    orgs = _merge(_owners_for_possessed([f for f in found if f[0] not in terms]), cues)
    _add_short_forms(orgs, lower_words, cues)
    return _add_acronyms(orgs, text)


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


def _owners_for_possessed(
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


def _abbreviates_term(ent: Span) -> bool:
    """ "incident response (IR)", "command and control (C2)": a bracketed acronym of the lower-case words
    before it stands for a term, not an organisation."""
    doc = ent.doc
    if len(ent) != 1 or not ent.text.isupper() or ent.start < 2 or doc[ent.start - 1].text != "(":
        return False
    letters = [ch for ch in ent.text.lower() if ch.isalpha()]
    words = [t.lower_ for t in doc[max(0, ent.start - 1 - 2 * len(letters)) : ent.start - 1] if t.is_alpha]
    initials = [w[0] for w in words if w not in {"and", "of", "&", "the"}]
    return (
        bool(letters)
        and initials[-len(letters) :] == letters
        and all(t.is_lower for t in doc[ent.start - 1 - len(letters) : ent.start - 1] if t.is_alpha)
    )


def _term_acronyms(doc: Doc) -> set[str]:
    """Every acronym the text defines for a term ("the covered entity (CE)"): wherever it stands
    later ("the CE notified patients"), it is that term, never an organisation's name."""
    return {ent.text for ent in _bracketed_acronyms(doc) if _abbreviates_term(ent)}


def _bracketed_acronyms(doc: Doc) -> Iterator[Span]:
    for tok in doc[1:]:
        if tok.text.isupper() and tok.is_alpha and doc[tok.i - 1].text == "(":
            yield doc[tok.i : tok.i + 1]


def _complete(ent: Span) -> Span:
    """ "Institute for Water and" + "Power": a name that NER cut after a connector runs on over the
    capitalised words that follow it."""
    end = ent.end
    doc = ent.doc
    if doc[end - 1].lower_ not in _CONNECTORS:
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


def _add_acronyms(orgs: list[_Org], text: str) -> list[_Org]:
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


def _drop_leading_stop_words(name: str) -> str:
    """ "When Acme" -> "Acme": a cue pattern's name run can start with a capitalised function word."""
    tokens = name.split()
    while len(tokens) > 1 and tokens[0].lower() in STOP_WORDS:
        tokens = tokens[1:]
    return " ".join(tokens)


def _looks_like_org(
    doc: Doc, start: int, end: int, name: str, strong: bool, lower_words: set[str], cues: _Cues
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
            _name_key(name, cues)[-1] in cues.words["org_name_endings"]
            or name.split()[-1].lower() in cues.words["legal_suffixes"]
        )
    return True


def _person_names(doc: Doc) -> set[str]:
    """Words of people's names ("Martin" of "John Martin") and names tagged PERSON more often than ORG."""
    labels: Counter[tuple[str, str]] = Counter((ent.text, ent.label_) for ent in doc.ents)
    names = {t.text for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1 for t in ent}
    names |= {text for (text, label), n in labels.items() if label == "PERSON" and n > labels[(text, "ORG")]}
    return names


def _split_pair(name: str) -> list[str]:
    """ "Acme and Globex" is two names; "Board of Water and Light" stays one."""
    parts = name.split(" and ")
    if (
        len(parts) == 2
        and not re.search(r"\b(?:of|for)\b|['’]s\b", name)
        and all(p[:1].isupper() for p in parts)
    ):
        return parts
    return [name]


def _is_person(doc: Doc, start: int, end: int) -> bool:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span is not None and any(t.ent_type_ in {"PERSON", "DATE"} for t in span)


def _merge(found: list[tuple[str, dict[str, Any] | None]], cues: _Cues) -> list[_Org]:
    """Group name variants: same key, or one key the start of the other ("Norrland" / "Norrland Freight")."""
    orgs: dict[str, _Org] = {}
    by_key: dict[tuple[str, ...], _Org] = {}
    by_prefix: dict[tuple[str, ...], list[_Org]] = {}  # organisations by every shorter start of their key
    ordered = sorted(found, key=lambda item: (item[1] is None, -len(item[0].split())))
    for name, entry in ordered:
        key = _name_key(name, cues)
        if not key:
            continue
        if name in cues.gazetteer and entry is None:
            entry = cues.gazetteer[name]
        org = orgs.get(entry["id"]) if entry else by_key.get(key)
        if org is None and entry is None:
            hits = by_prefix.get(key, [])
            org = hits[0] if len(hits) == 1 else None
        if org is None:
            canonical = entry["id"] if entry else _strip_suffix(name, cues)
            if canonical in orgs:
                org = orgs[canonical]
            else:
                org = _Org(name=canonical, key=_name_key(canonical, cues), variants={canonical}, entry=entry)
                orgs[canonical] = org
                by_key[org.key] = org
                for size in range(1, len(org.key)):
                    by_prefix.setdefault(org.key[:size], []).append(org)
        org.variants.add(name)
        by_key.setdefault(key, org)
    return list(orgs.values())


def _strip_suffix(name: str, cues: _Cues) -> str:
    tokens = name.split()
    while len(tokens) > 1 and tokens[-1].lower().rstrip(",") in cues.words["legal_suffixes"]:
        tokens = tokens[:-1]
    return " ".join(tokens).rstrip(",")


def _add_short_forms(orgs: list[_Org], lower_words: set[str], cues: _Cues) -> None:
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


def _locate(doc: Doc, orgs: list[_Org], cues: _Cues) -> None:
    """Every occurrence of every variant; the longest match wins and product names block matches."""
    text = doc_text(doc)
    org: _Org | None  # each organisation, then each match's (None: a product name)
    matches: list[tuple[int, int, int, _Org | None]] = []
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
        if org is None or cues.relation_re.match(text[end : end + 40]) or _in_dateline(doc, start):
            continue
        if _is_masthead(doc, start, end):
            org.votes["cited"] += 1
            continue
        org.spans.append((start, end))


def _variant_matches(text: str, orgs: list[_Org]) -> Iterator[tuple[int, int, _Org]]:
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


# -- votes ---------------------------------------------------------------------------------------------


def _vote(doc: Doc, org: _Org, start: int, end: int, others: _Others, cues: _Cues) -> None:
    """Add the role and industry evidence of one occurrence to `org.votes` / `org.industries`."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return
    sent = sentence_of(span)
    before = doc_text(doc)[max(sent.start_char, start - 60) : start]
    after = doc_text(doc)[end : min(sent.end_char, end + 80)]
    words = cues.words
    if cues.product_cue_re.search(before) or cues.product_after_re.match(after):
        org.votes["product"] += 1
    tells_own = is_brief(doc) and _reports_incident(span.root, words)  # in an article, a researcher's too
    if cues.cited_before_re.search(before) or (cues.cited_after_re.match(after) and not tells_own):
        org.votes["cited"] += 1
    if cues.attacker_before_re.search(before) or cues.attacker_after_re.match(after):
        org.votes["attacker"] += 1
    _vote_descriptors(doc, org, span, after, cues)
    if cues.malware_predicate_re.match(after):
        org.votes["product"] += 2
    if _acts_as_attacker(_climb(span.root), words):
        org.votes["attacker"] += 1
    if cues.vendor_predicate_re.match(after):
        org.votes["vendor"] += 1
    breachy = _breachy(sent, words)
    if breachy:
        org.votes["linked"] += 1
    slot = (
        _is_victim_slot(_climb(span.root), words)
        or _discloses_breach(span.root, words)
        or _is_struck(span.root, words)
    )
    victim_cue = slot or cues.victim_after_re.match(after) or cues.victim_before_re.search(before)
    if _in_its_role(org, span.root, words):
        org.votes["cited"] += 1  # "the FBI is investigating": an investigator at work, not breached
    elif (breachy and victim_cue) or tells_own or _paid_ransom(span.root, words):
        org.votes["victim"] += 1
        org.votes["background"] += bool(cues.background_re.search(doc_text(doc)[sent.start_char : start]))
    elif _discloses_breach(span.root, words, own=False):
        org.votes["told"] += 1
    if breachy and re.match(r"^['’]s?\s+(?:\w+\s+)?(?:customers|clients)\b", after):
        org.votes["vendor"] += 1
    _vote_customer(doc, org, span, sent, others, cues, breachy)
    if re.search(r"['’]s\s+$", before):
        org.owners.update(others.owners(org, before))


def _in_its_role(org: _Org, root: Token, words: dict[str, frozenset[str]]) -> bool:
    """An investigator, regulator, outlet or security firm (by its gazetteer hint) as the subject of
    what such bodies do: investigate, warn, fine, charge."""
    if (org.entry or {}).get("role_hint") not in _CITED_HINTS or root.dep_ != "nsubj":
        return False
    return _word_in(root.head, words["investigator_verbs"])


def _paid_ransom(root: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "X paid $9,500", "X agreed to pay the ransom", "forced X to pay 3 bitcoin": in a story that tells
    of a ransom, whoever paid one (or refused to) is a victim, though the sentence names no attack."""
    if doc_lemmas(root.doc).isdisjoint(words["ransom_words"]):
        return False
    node = _climb(root)
    head = node.head
    if node.dep_ == "nsubj":
        verbs = [head, *(c for c in head.children if c.dep_ in {"xcomp", "advcl"})]
        verbs += [g for c in head.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pcomp"]
    elif node.dep_ == "dobj":
        verbs = [c for c in head.children if c.dep_ == "xcomp"]
    else:
        return False
    for verb in verbs:
        if verb.lemma_.lower() != "pay" or any(c.lower_ in words["modal_words"] for c in verb.children):
            continue
        paid = [c for c in verb.children if c.dep_ in {"dobj", "dative"}]
        if any(c.ent_type_ == "MONEY" or c.lemma_.lower() in words["payment_nouns"] for c in paid):
            return True
    return False


def _acts_as_attacker(root: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "X encrypts files", "X targeted banks": the active subject of an attack verb is the attacker or
    its tool."""
    head = root.head
    return (
        root.dep_ == "nsubj"
        and head.lemma_.lower() in words["attacker_active_verbs"]
        and not any(c.dep_ in {"auxpass", "neg"} for c in head.children)
    )


def _discloses_breach(root: Token, words: dict[str, frozenset[str]], *, own: bool = True) -> bool:
    """ "X said (that) hackers stole its ...": the subject of a disclosure verb whose reported clause
    tells of a breach of its own is the breached party. Without `own` any breach will do: a
    commentator speaks so too ("Acme Labs said the attackers stole ..."), so that is weaker evidence."""
    head = root.head
    if root.dep_ != "nsubj" or head.lemma_.lower() not in words["disclosure_verbs"]:
        return False
    clauses = [c for c in head.children if c.dep_ in ("ccomp", "xcomp", "dobj")]
    told = [t for c in clauses for t in c.subtree]
    if not any(_word_in(t, words["breach_words"]) for t in told):
        return False
    return not own or any(
        t.lower_ in words["self_words"]
        and (t.dep_ != "nsubj" or t.head.lemma_.lower() in words["struck_nsubj_verbs"])
        for t in told
    )


def _reports_incident(root: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "X reports a data breach", "X discloses a ransomware attack", "X suffers a cyberattack": the
    subject of a disclosure verb whose object is an incident with no other target ("an attack on
    banks" is someone else's) tells of its own, in any tense (briefs are written in the present)."""
    head = root.head
    if root.dep_ != "nsubj" or not _word_in(head, words["disclosure_verbs"] | words["victim_verbs"]):
        return False
    if _modal_or_negated(head, words):
        return False
    objects = [c for c in head.children if c.dep_ == "dobj"]
    # "X reports a breach affecting 4,000 patients": the parser may make the object a clause's subject
    objects += [g for c in head.children if c.dep_ == "ccomp" for g in c.children if g.dep_ == "nsubj"]
    objects += [g for o in objects for g in o.conjuncts]
    return any(
        _word_in(o, words["incident_nouns"])
        and not any(c.dep_ == "prep" and c.lower_ in words["struck_prepositions"] for c in o.children)
        and not any(c.dep_ in {"poss", "compound"} and c.ent_type_ for c in o.children)
        for o in objects
    )


def _modal_or_negated(verb: Token, words: dict[str, frozenset[str]]) -> bool:
    return any(c.lower_ in words["modal_words"] or c.dep_ == "neg" for c in verb.children)


def _climb(root: Token) -> Token:
    """From a listed name to the slot of its list ("attacks on A, B and C", "firms including A")."""
    node = root
    for _ in range(4):
        if node.dep_ in {"conj", "appos"} and node.head is not node:
            node = node.head
        elif (
            node.dep_ == "pobj"
            and node.head.lower_ in {"including", "like", "as"}
            and node.head.head.pos_
            in {
                "NOUN",
                "PROPN",
            }
        ):
            node = node.head.head
        else:
            break
    return node


def _is_victim_slot(root: Token, words: dict[str, frozenset[str]]) -> bool:
    """The grammatical places of a breached party ("X suffered", "X's systems", "a breach at X")."""
    head = root.head
    lemma = head.lemma_.lower()
    if root.dep_ == "nsubjpass" or (root.dep_ == "nsubj" and any(c.dep_ == "auxpass" for c in head.children)):
        return lemma in words["victim_passive_verbs"] or lemma in words["breach_words"]
    if root.dep_ == "nsubj":
        return lemma in words["victim_verbs"] or _attr_is_victim(head, words)
    if root.dep_ == "poss":  # "X's servers", "leaked X's draft designs": what is taken is X's
        return (
            head.lower_ in words["victim_possessions"]
            or head.lower_ in words["breach_words"]
            or _is_taken(head, words)
        )
    if root.dep_ in {"compound", "nmod", "amod"}:
        node = head
        for _ in range(3):
            if (
                node.lower_ in _INCIDENT_NOUNS
                or node.lower_ in words["client_words"]
                or node.lower_ in words["group_people_heads"]
            ):
                return True  # "the Acme breach", "Acme customers", "Acme staff worked on paper for a week"
            if node.head is node or node.dep_ not in {"compound", "nmod", "amod"}:
                break
            node = node.head
        return node.lower_ in _INCIDENT_NOUNS
    if root.dep_ == "pobj" and head.lower_ in words["victim_prepositions"]:
        target = head.head
        if _word_in(target, words["breach_words"]):
            return True
        if target.lower_ in words["campaign_nouns"] or _incident_happened(target, words):
            return True  # "a hacking spree on X", "the breach occurred at X"
        return target.lower_ in words["victim_possessions"] and _is_taken(target, words)
    if root.dep_ == "dobj":
        if lemma == "include" and any(
            c.dep_ == "nsubj" and c.lemma_.lower() in {"victim", "target"} for c in head.children
        ):
            return True  # "victims of the attacks have included X"
        return lemma in words["victim_passive_verbs"] and lemma not in {"access", "leak", "dump", "steal"}
    return False


def _incident_happened(verb: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "the breach occurred", "the attack happened": a verb of happening with an incident as subject."""
    return verb.lemma_.lower() in {"occur", "happen"} and any(
        c.dep_ == "nsubj" and (c.lemma_.lower() in words["breach_words"] or c.lower_ in _INCIDENT_NOUNS)
        for c in verb.children
    )


def _is_taken(thing: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "broke into the networks of X", "stole the records of X", "the servers of X were hacked":
    the possession is the object of a breaking-in or taking verb (directly or through into/from)."""
    verb = thing.head
    if thing.dep_ == "pobj" and verb.lower_ in {"into", "from", "inside"}:
        verb = verb.head
    elif thing.dep_ not in {"dobj", "nsubjpass"}:
        return False
    lemma = verb.lemma_.lower()
    if any(c.lower_ in words["modal_words"] for c in verb.children):
        return False
    return lemma in words["victim_passive_verbs"] or lemma in words["taking_verbs"] or lemma == "break"


def _attr_is_victim(copula: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "X is a victim", "X is the latest firm to suffer a breach", "X became the latest to be hit"."""
    if copula.lemma_ in {"appear", "seem"}:
        copula = next((c for c in copula.children if c.dep_ == "xcomp" and c.lemma_ == "be"), copula)
    if copula.lemma_ not in {"be", "become"}:
        return False
    for attr in (c for c in copula.children if c.dep_ == "attr"):
        if attr.lemma_ in {"victim", "target"}:
            return True
        if any(t.lower_ in words["series_words"] for t in attr.children):
            for clause in attr.children:
                if clause.dep_ in {"relcl", "acl"} and any(c.lower_ == "to" for c in clause.children):
                    passive = any(c.dep_ == "auxpass" for c in clause.children)
                    lemma = clause.lemma_.lower()
                    if lemma in words["struck_nsubj_verbs"] | words["disclosure_verbs"] or (
                        passive and lemma in words["victim_passive_verbs"]
                    ):
                        return True
    return False


def _vote_descriptors(doc: Doc, org: _Org, span: Span, after: str, cues: _Cues) -> None:
    """Pre-modifiers ("payroll vendor X") and appositives ("X, a data firm") say what X is."""
    words = cues.words
    phrases: list[list[str]] = []
    pre: list[str] = []
    i = span.start - 1
    first = sentence_of(span).start
    descriptor_pos = {"NOUN", "ADJ", "PROPN", "VERB"}
    while i >= first:
        if _skip_acronym(doc, i, first):
            i -= 3  # "incident response (IR) firm X": the bracketed acronym is part of the descriptor
            continue
        if not (doc[i].is_alpha or "-" in doc[i].text) or doc[i].pos_ not in descriptor_pos:
            break
        if doc[i].text in org.variants or (
            doc[i].ent_type_ == "ORG" and doc[i].lower_ not in words["non_org_words"]
        ):
            break
        pre.insert(0, doc[i].text)
        i -= 1
    if pre and pre[-1].lower() in words["org_heads"] | words["product_heads"]:
        phrases.append(pre)
    appos = re.match(
        r"^['’]?s?,\s+(?:a|an|the)\s+([^,.;()]{2,90}?)(?=\s*(?:[,.;(]|\bthat\b|\bwhich\b|\bwho\b|$))", after
    )
    if appos:
        tokens = appos.group(1).split()
        if tokens[-1].lower() in words["person_role_nouns"]:
            org.votes["person"] += 1  # "X, a site administrator, said": X is a person
        if any(t.lower() in words["malware_heads"] for t in tokens[:4]):
            org.votes["product"] += 2
        for n, tok in enumerate(tokens):
            if tok.lower() in words["org_heads"] | words["product_heads"]:
                if not any(t[:1].isupper() for t in tokens[n + 1 :]):
                    phrases.append(tokens[: n + 1])
                break
    provides = re.match(
        r"^['’]?s?,?\s+(?:which|that)\s+(?:provides|makes|offers|sells|develops|builds)\s+([\w\s-]{3,40}?)\b(?:[,.;]|\sto\s|\sfor\s|$)",
        after,
    )
    if provides:
        org.industries.append(provides.group(1).strip().capitalize())
    for phrase in phrases:
        low = " ".join(phrase).lower()
        head = phrase[-1].lower()
        if head in words["product_heads"]:
            org.votes["product"] += 1
            continue
        if any(cue in low for cue in words["cited_descriptors"]) or (
            head in words["org_heads"] and not words["cited_modifiers"].isdisjoint(w.lower() for w in phrase)
        ):
            org.votes["cited"] += 1
        if _any_word_re(words["vendor_words"]).search(low):
            org.votes["vendor"] += 1
        if re.search(r"\b(?:hack|hacking|hacker|threat|ransomware|cybercrime|criminal|extortion)\b", low):
            org.votes["attacker"] += 1
        industry = _descriptor_industry(phrase, cues)
        if industry:
            org.industries.append(industry)


def _skip_acronym(doc: Doc, i: int, first: int) -> bool:
    """Whether doc[i] closes a bracketed acronym ("(IR)") inside a descriptor."""
    return doc[i].text == ")" and i - 2 >= first and doc[i - 2].text == "(" and doc[i - 1].text.isupper()


def _descriptor_industry(phrase: list[str], cues: _Cues) -> str | None:
    """ "payroll data vendor" -> "payroll data services"; "Swedish logistics company" -> "Logistics"."""
    skip = cues.words["descriptor_skip"]
    head = phrase[-1].lower()
    modifiers = []
    for tok in phrase[:-1]:
        low = tok.lower()
        if low in skip or low in cues.words["org_heads"] or any(ch.isdigit() for ch in tok) or "$" in tok:
            continue
        if tok[0].isupper() and not tok.isupper():
            continue  # nationality or place ("Swedish", "Texas-based")
        modifiers.append(tok)
    if modifiers:
        text = " ".join(modifiers)
        if head in cues.service_heads and not text.lower().endswith(("services", "service")):
            text += " services"
        elif head in cues.head_sectors and head not in text.lower():
            text = f"{text} {head}"
        return text[0].upper() + text[1:]
    return cues.head_sectors.get(head)


def _vote_customer(
    doc: Doc, org: _Org, span: Span, sent: Span, others: _Others, cues: _Cues, breachy: bool
) -> None:
    """ "X paused its work with Y (after a breach)": X is a customer, Y the breached one.

    Also "X is investigating whether its data..." (exposure through a vendor).
    """
    words = cues.words
    window = doc[span.end : min(sent.end, span.end + 8)]
    verb = next((t for t in window if t.lower_ in words["customer_verbs"]), None)
    negated = verb is not None and any(
        t.lower_ in {"not", "n't", "never", "no"} for t in doc[span.end : verb.i]
    )
    partner = others.first_between(org, span.end_char, sent.end_char) if verb is not None else None
    if verb is not None and partner is not None and not negated:
        rest = doc[verb.i + 1 : sent.end].text.lower()
        if re.search(r"\bwith\b|\bties\b|\bcontract|\bwork\b|\bcollaboration|\bpartnership", rest):
            org.votes["customer"] += 1
            org.partners.add(partner.name)
            if breachy:
                partner.votes["victim"] += 1
    if _last_exposure(doc, sent, cues) >= span.end_char and not org.votes["vendor"]:
        org.votes["exposure"] += 1


def _last_exposure(doc: Doc, sent: Span, cues: _Cues) -> int:
    """Where the sentence's last exposure cue starts (-1: none), found once per sentence: a cue
    follows a name when it starts after it (the cues are plain phrases, so a cue inside the rest
    of the sentence is a cue found in the sentence)."""
    known: dict[int, int] = doc.user_data.setdefault(_EXPOSURES, {})
    if sent.start_char not in known:
        text, last = doc_text(doc), -1
        match = cues.exposure_re.search(text, sent.start_char, sent.end_char)
        while match is not None:
            last = match.start()
            match = cues.exposure_re.search(text, last + 1, sent.end_char)
        known[sent.start_char] = last
    return known[sent.start_char]


# -- groups, people, places and sites -------------------------------------------------------------------


def _stands_in(doc: Doc, start: int, end: int) -> bool:
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


def _follows(text: str, end: int, start: int) -> bool:
    """Whether `start` comes right after `end`, across spaces only."""
    return start > end and not text[end:start].strip()


def _struck_parties(doc: Doc, others: _Others, cues: _Cues) -> list[tuple[str, str, str, int, int]]:
    """Affected parties that are not organisations: user groups ("Acme users", "Ruritanian banks"), people
    ("X's account was hacked"), places ("the city was hit") and sites ("acme.com was breached").

    Each must sit in a narrow victim slot of a breach sentence that tells of an actual event. A party
    that is one of the article's organisations becomes a victim vote for it instead, unless it is a group
    of organisations whose modifier the model took for a name ("Ruritanian banks").
    """
    words = cues.words
    found: list[tuple[str, str, str, int, int]] = []
    ents = {ent.start: ent for ent in doc.ents}
    for i in _party_candidates(doc, cues):
        party = _party_at(doc, doc[i], ents, cues)
        if party is None:
            continue
        span, kind = party
        if span.text in cues.products:
            continue  # "ransomware infecting Linux": NER calls the system a place
        if _in_dateline(doc, span.start_char) or _is_masthead(doc, span.start_char, span.end_char):
            continue
        if not _is_struck(span.root, words) or not _breachy(sentence_of(span), words):
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
        found.append((_clean_name(span.text, cues), kind, role, span.start_char, span.end_char))
    return found


def _lead_subject(doc: Doc, orgs: list[_Org], cues: _Cues) -> list[tuple[str, str, str, int, int]]:
    """With no victim found, the named subject of the lead's breach sentence: "Pellmark Outfitters
    discloses that its web shop was hacked", "Some Drayton College students receive a breach notice".

    The simplest reading of a news lead, taken only where the grammar found no one: a short brief's
    names are often missed by NER or tagged as people. The subject must be a proper name (or a
    group of people with one as modifier), not an attacker at work, a spokesperson or a cited source.
    """
    words = cues.words
    lead_end = _lead_end(doc)
    for sent in sentences(doc):
        if sent.start_char >= lead_end:
            break
        root = sent.root
        if not _breachy(sent, words) or _modal_or_negated(root, words):
            continue
        subject = next((c for c in root.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if subject is None or _acts_as_attacker(subject, words):
            continue
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
        name = _clean_name(span.text, cues)
        person = subject.ent_type_ == "PERSON"
        if (
            person
            and root.lemma_.lower() in words["disclosure_verbs"]
            and not (_discloses_breach(subject, words) or _reports_incident(subject, words))
        ):
            continue  # "Jane Roe said ...": a spokesperson
        after = doc_text(doc)[span.end_char : span.end_char + 40]
        cited = bool(cues.cited_after_re.match(after)) and not _reports_incident(subject, words)
        if cited or not _plausible(name, cues) or span.text in cues.products:
            continue
        if any(s < span.end_char and span.start_char < e for org in orgs for s, e in org.spans):
            continue  # an organisation the votes already judged
        kind = "Individuals" if person else "Government" if subject.ent_type_ == "GPE" else "Company"
        role = "government" if kind == "Government" else "victim"
        return [(name, kind, role, span.start_char, span.end_char)]
    return []


def _party_candidates(doc: Doc, cues: _Cues) -> list[int]:
    """The tokens `_party_at` may accept (a named entity's first token, a word with a dot, a party
    head word), in order: looking the words up in lists skips building a Token for every other one."""
    words = cues.words
    heads = words["group_people_heads"] | words["group_org_heads"] | words["website_heads"]
    heads |= words["single_party_heads"]
    found = {ent.start for ent in doc.ents if ent.label_ in {"PERSON", "GPE", "LOC", "NORP"}}
    found.update(i for i, low in enumerate(lowers(doc)) if low in heads or "." in low)
    return sorted(found)


def _party_at(doc: Doc, token: Token, ents: dict[int, Span], cues: _Cues) -> tuple[Span, str] | None:
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


def _in_dateline(doc: Doc, start: int) -> bool:
    """ "SPRINGFIELD, IL (KXYZ) - ...": the place and outlet that open a wire story are no parties.

    The dateline is read once per line (a long line asked about for every name was quadratic)."""
    line_start, _ = line_bounds(doc, start, start)
    datelines: dict[int, int] = doc.user_data.setdefault(_DATELINES, {})
    if line_start not in datelines:
        match = _DATELINE.match(doc_text(doc), line_start)
        wire = match is not None and any(ch in match.group() for ch in ",(")
        datelines[line_start] = match.end() if match is not None and wire else -1
    return start < datelines[line_start]


def _is_masthead(doc: Doc, start: int, end: int) -> bool:
    """ "Breach at Acme Hotels | Daily Wire |" or "... | Daily Wire | News that matters": a name that is a
    whole segment of a headline line after the first separator is the outlet that ran it.

    Before the name, on its line: a space, a separator and spaces; after it: spaces, then a separator
    or the line's end. Read from the name outwards, not over the whole line for every name."""
    text = doc_text(doc)
    line_start, line_end = line_bounds(doc, start, end)
    gap = start
    while gap > line_start and text[gap - 1].isspace():
        gap -= 1
    before = gap < start and gap - 2 >= line_start and text[gap - 1] in "|–—-" and text[gap - 2].isspace()
    return before and _MASTHEAD_AFTER.match(text, end, line_end) is not None


def _is_title_name(ent: Span) -> bool:
    """ "Mr Harrow": a one-word person name after a courtesy title."""
    return ent.start > 0 and ent.doc[ent.start - 1].text.rstrip(".") in {"Mr", "Mrs", "Ms", "Dr"}


def _is_domain(text: str, words: dict[str, frozenset[str]]) -> bool:
    match = re.fullmatch(r"(?:www\.)?[A-Za-z0-9][\w-]*(?:\.[\w-]+)*\.([a-z]{2,4})", text)
    return (
        match is not None and match.group(1) in words["website_tlds"] and any(ch.isalpha() for ch in text[:3])
    )


def _word_in(tok: Token, vocabulary: frozenset[str]) -> bool:
    """Whether the token's lower-case form or its lemma is in `vocabulary`."""
    return tok.lower_ in vocabulary or tok.lemma_.lower() in vocabulary


def _breachy(sent: Span, words: dict[str, frozenset[str]]) -> bool:
    return not sentence_words(sent).isdisjoint(words["breach_words"])


def _is_struck(root: Token, words: dict[str, frozenset[str]]) -> bool:
    """The narrow victim slots: passive subject of "hack", object of "target", "X's accounts", "attack on X",
    "stole $2m from X", "the records of X were leaked", "the Acme forum was hacked"; a clause with a modal,
    a condition or a negation tells of no actual event."""
    node = _climb(root)
    if node.dep_ == "pobj" and node.head.lower_ == "of" and node.head.head.lower_ in words["place_heads"]:
        node = _climb(node.head.head)
    taken = False
    for _ in range(4):
        if _names_victims(node, words):
            return True
        head = node.head
        lemma = head.lemma_.lower()
        if node.dep_ in {"compound", "poss"} and head.pos_ == "NOUN" and head.lower_ in words["party_heads"]:
            node = _climb(head)
            continue
        if node.dep_ == "compound" and head.pos_ == "NOUN" and head.lower_ in words["machine_heads"]:
            node = _climb(head)  # "the Acme servers were hacked": the machines stand for their owner
            continue
        if node.dep_ == "dobj" and lemma == "include":
            return any(c.dep_ == "nsubj" and _names_victims(c, words) for c in head.children)
        passive = node.dep_ == "nsubjpass" or (
            node.dep_ == "nsubj" and any(c.dep_ == "auxpass" for c in head.children)
        )
        if passive:
            verbs = words["victim_passive_verbs"] | (words["taking_verbs"] if taken else frozenset())
            return lemma in verbs and _actual(head, words)
        if _suffered_which(node, words):
            return True
        if node.dep_ == "nsubj" and lemma == "fall":
            return any(t.lemma_ in {"victim", "prey"} for t in head.subtree) and _actual(head, words)
        if node.dep_ == "nsubj":
            return (
                lemma in words["struck_nsubj_verbs"]
                or _attr_is_victim(head, words)
                or _among_victims(head, words)
                or any(
                    c.dep_ == "xcomp" and c.lemma_.lower() in words["struck_nsubj_verbs"]
                    for c in head.children
                )
            ) and _actual(head, words)
        if node.dep_ == "attr" and lemma == "be":
            return any(c.dep_ == "nsubj" and _names_victims(c, words) for c in head.children)
        if node.dep_ == "dobj":
            if taken:
                return lemma in words["victim_passive_verbs"] | words["taking_verbs"] and _actual(head, words)
            return (
                lemma in words["victim_passive_verbs"]
                and lemma not in {"access", "leak", "dump", "steal", "expose", "affect", "impact"}
                and _actual(head, words)
            )
        if (
            node.dep_ == "poss"
            and head.lower_ in words["victim_possessions"]
            and head.lower_ not in {"breach", "hack", "incident", "attack"}
        ):
            node, taken = _climb(head), True
            continue
        if node.dep_ == "pobj":
            target = head.head
            if head.lower_ == "from" and target.lemma_.lower() in words["taking_verbs"]:
                return _actual(target, words)
            if head.lower_ in {"of", "from", "at"} and target.lower_ in words["taken_nouns"]:
                node, taken = _climb(target), True
                continue
            if head.lower_ in {"of", "at", "from"} and target.lower_ in words["group_people_heads"]:
                node = _climb(target)
                continue
            if head.lower_ == "to" and target.lemma_.lower() == "belong" and target.dep_ == "acl":
                node, taken = _climb(target.head), True
                continue
            if head.lower_ in words["struck_prepositions"] and _is_campaign(target, words):
                return True
            if (
                head.lower_ in {"at", "into", "inside", "within"}
                and target.pos_ == "VERB"
                and target.lemma_.lower() in words["victim_passive_verbs"] | words["taking_verbs"]
            ):
                return _actual(target, words)
        if node.dep_ == "pobj" and head.lower_ in words["struck_prepositions"]:
            target = head.head
            if _word_in(target, words["breach_words"]):
                return head.lower_ != "of" or target.pos_ == "NOUN"
            if head.lower_ == "of" and target.lower_ in words["victim_possessions"]:
                node = _climb(target)
                continue
        return False
    return False


def _suffered_which(noun: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "Acme, which was breached in May", "Acme, which suffered a breach", "Acme, which decided to pay"."""
    for clause in noun.children:
        if clause.dep_ != "relcl" or not any(c.tag_ in {"WDT", "WP"} for c in clause.children):
            continue
        lemma = clause.lemma_.lower()
        if any(c.dep_ == "auxpass" for c in clause.children):
            return lemma in words["victim_passive_verbs"] and _actual(clause, words)
        paid = any(
            c.dep_ == "xcomp" and c.lemma_.lower() in words["struck_nsubj_verbs"] for c in clause.children
        )
        return (lemma in words["struck_nsubj_verbs"] or paid) and _actual(clause, words)
    return False


def _is_campaign(noun: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "a hacking campaign (against X)", "a phishing spree (on X)": an attack told as a campaign."""
    return (
        noun.pos_ == "NOUN"
        and noun.lemma_.lower() in words["campaign_nouns"]
        and any(c.lower_ in words["breach_words"] for c in noun.children if c.dep_ in {"compound", "amod"})
    )


def _among_victims(copula: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "X is among the victims", "X was among the firms hit"."""
    return copula.lemma_ == "be" and any(
        c.dep_ == "prep" and c.lower_ == "among" and any(_names_victims(o, words) for o in c.children)
        for c in copula.children
    )


def _names_victims(noun: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "victims", "the affected hotels", "companies hit by the attack", "sites that were hacked", "brands
    that disclosed breaches": a noun that lists struck parties."""
    if noun.pos_ not in {"NOUN", "PROPN"} or noun.ent_type_:
        return False
    if noun.lemma_.lower() in {"victim", "target"} and not any(c.dep_ == "neg" for c in noun.children):
        return True
    for c in noun.children:
        if c.i == noun.i or c.lemma_.lower() not in words["victim_passive_verbs"]:
            continue
        if c.dep_ in {"amod", "acl"}:
            return True
        if c.dep_ == "relcl" and any(g.dep_ == "auxpass" for g in c.children):
            return True
    admitting = words["struck_nsubj_verbs"] | words["disclosure_verbs"]
    for c in noun.children:
        if (
            c.dep_ == "relcl"
            and c.lemma_.lower() in admitting
            and any(g.dep_ == "dobj" and g.lower_ in words["breach_words"] for g in c.children)
        ):
            return True  # "chains that have reported card breaches (include X, Y)"
    return any(c.dep_ == "relcl" and _attr_is_victim(c, words) for c in noun.children)


def _actual(verb: Token, words: dict[str, frozenset[str]]) -> bool:
    """The verb tells of something that happened: no modal, condition or negation governs it."""
    for node in (verb, verb.head):
        if any(c.lower_ in words["modal_words"] or c.dep_ == "neg" for c in node.children):
            return False
        if node.dep_ not in {"conj", "xcomp", "advcl", "relcl"}:
            break
    return True


# -- roles ---------------------------------------------------------------------------------------------


def _clean_title(title: str | None) -> str:
    """The headline without the outlet after " | " or " - "."""
    if not title:
        return ""
    return re.split(r"\s+[|–—-]\s+", title)[0]


def _decide_roles(orgs: list[_Org], title: str, cues: _Cues, brief: bool) -> dict[str, str | None]:
    """Combine the votes of every occurrence into one role per organisation (None: not an org)."""
    title_breachy = any(w in cues.words["breach_words"] for w in re.findall(r"[a-z-]+", title.lower()))
    for org in orgs:
        names = org.variants | (cues.aliases_by_id.get(org.name, frozenset()) if org.entry else frozenset())
        if title_breachy and any(
            v in title and re.search(rf"(?<![\w&]){re.escape(v)}(?![\w&])", title) for v in names
        ):
            org.votes["victim"] += 1
            org.votes["title"] += 1
    roles: dict[str, str | None] = {}
    victims = {org.name for org in orgs if _is_breached(org, brief)}
    current = {
        org.name for org in orgs if org.name in victims and org.votes["victim"] > org.votes["background"]
    }
    if current:
        victims = current  # struck only in sentences of an earlier or other incident: not this one's victim
    customers_of: Counter[str] = Counter()
    for org in orgs:
        if org.votes["customer"] and org.partners & victims:
            customers_of.update(org.partners & victims)
    if not victims:
        victims = _main_victim(orgs)
    owned = set()
    for org in orgs:
        if org.name in victims and org.entry is None and org.owners:
            owned.add(org.name)  # "Acme's Widget OS was hacked": the product stands for its maker
            victims = (victims - {org.name}) | {org.owners.most_common(1)[0][0]}
    vendors = set(customers_of) | {org.name for org in orgs if org.name in victims and org.votes["vendor"]}
    for org in orgs:
        v = org.votes
        hint = (org.entry or {}).get("role_hint")
        product = v["product"] and v["product"] >= v["victim"] + v["vendor"] + v["customer"]
        if org.name in owned or product or (v["person"] and v["person"] >= v["victim"]):
            roles[org.name] = None
        elif org.entry is None and org.key[-1] in cues.words["product_name_endings"]:
            roles[org.name] = None  # "Acme Media Player", "Secure Transfer Protocol": software, not its maker
        elif v["attacker"] and v["attacker"] >= v["victim"]:
            roles[org.name] = "attacker"
        elif _is_customer(org, victims, vendors, customers_of):
            roles[org.name] = "customer"
        elif org.name in victims:
            if v["vendor"] or org.name in customers_of:
                roles[org.name] = "vendor"
            elif _kind(org, cues) == "Government":
                roles[org.name] = "government"
            else:
                roles[org.name] = "victim"
        elif hint in _CITED_HINTS or v["cited"]:
            roles[org.name] = "cited"
        else:
            roles[org.name] = "other"
    return roles


def _is_customer(org: _Org, victims: set[str], vendors: set[str], customers_of: Counter[str]) -> bool:
    """It cut work with a breached party, or checks whether its data was exposed at a breached vendor."""
    v = org.votes
    if v["customer"] and org.partners & victims and org.name not in customers_of:
        return True
    return bool(v["exposure"] and vendors - {org.name} and not v["vendor"])


def _main_victim(orgs: list[_Org]) -> set[str]:
    """With no grammatical victim, the most salient breach-linked organisation that is not cited."""
    candidates = [
        org
        for org in orgs
        if org.votes["linked"]
        and not (org.entry or {}).get("role_hint")
        and not (org.votes["cited"] or org.votes["attacker"] or org.votes["product"])
    ]
    if not candidates:
        return set()

    def salience(org: _Org) -> int:
        lead = 3 * bool(org.votes["lead"])  # the lead names the main party: one mention there is enough
        return 2 * org.votes["title"] + org.votes["linked"] + 2 * org.votes["told"] + len(org.spans) + lead

    best = max(candidates, key=salience)
    if salience(best) < _MIN_SALIENCE:
        return set()
    return {best.name}


def _is_breached(org: _Org, brief: bool) -> bool:
    v = org.votes
    hint = (org.entry or {}).get("role_hint")
    if v["victim"] == 0 or v["attacker"] >= v["victim"]:
        return False
    if v["victim"] <= v["title"] and len(org.spans) < 3:
        return False  # named once, in the headline only: the headline's grammar is too loose to trust
    if hint in _CITED_HINTS:
        return v["victim"] >= 2 and v["victim"] > v["cited"] + 1
    # In a brief a tie goes to the breach slot ("news website X confirms a hacker copied its
    # database"); in an article the cited descriptor wins it (researchers and outlets speak of breaches).
    return v["victim"] >= v["cited"] if brief else v["victim"] > v["cited"]


def _kind(org: _Org, cues: _Cues) -> str:
    if org.entry is not None:
        return str(org.entry.get("kind", "Company"))
    low = org.name.lower()
    company = bool(org.key) and org.key[-1] in cues.words["company_name_endings"]
    if org.key and org.key[-1] in cues.words["institution_name_endings"] and "of" not in org.key:
        return "Organization"
    if not company and _any_word_re(cues.words["government_words"]).search(low):
        return "Government"
    if _any_word_re(cues.words["organization_words"]).search(low):
        return "Organization"
    return "Company"


def _industry(org: _Org, cues: _Cues) -> str:
    """From descriptors ("payroll vendor X"), else the gazetteer, else the name's own words
    ("Ashford Federal Bank": Banking)."""
    if org.industries:
        return Counter(org.industries).most_common(1)[0][0]
    if org.entry is not None:
        return str(org.entry.get("industry", "Unknown"))
    low = org.name.lower()
    for word, sector in cues.name_sectors:
        if re.search(rf"\b{re.escape(word)}\b", low):
            return sector
    return "Unknown"
