"""Defined terms: "the covered entity (CE), Harlow Dental Group, reported ..." or "Harlow Dental
Group, the covered entity (CE), ..." names a party once and then calls it by its term ("the CE
notified patients", "the retailer said"). The name takes over the term: the term's later uses are
occurrences of the named organisation, so their grammar (subject of a report, owner of the records)
votes for it, and an acronym that stands for a term is never an organisation of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from extractors._spans import doc_text
from extractors.organizations.cues import NAME_RUN, Cues
from extractors.organizations.evidence import Org
from extractors.organizations.names import CONNECTORS, clean_name, plausible

__all__ = ["abbreviates_term", "defined_names", "refer_to_names", "term_acronyms"]

_TERMS = "organizations.terms"
_WORD = r"(?!(?:the|an?|of|to|for|in|on|at|by|with|from|and|or)\b)[a-z][a-z-]*"
_TERM = rf"((?:{_WORD}\s+){{0,3}}?{_WORD})"  # lower-case words, no article or preposition among them
# "(CE)", "(BAs)", "(the Provider)": how the text will call the term from then on.
_SHORT = r"(?:\s*\(((?:the\s+)?[A-Z][A-Za-z]{0,11})\))?"
# "the covered entity (CE), NAME", "its payroll provider (the Provider), NAME", "Acme's vendor, NAME"
_TERM_THEN_NAME = re.compile(
    rf"(?<![\w&-])(?:[Tt]he|[Aa]n?|[Ii]ts|[Tt]heir|[Oo]ur|[\w&.-]+['’]s)\s+{_TERM}{_SHORT},\s+(?=[A-Z])"
)
# "the CE, NAME, ...": an acronym used as the term itself
_ACRONYM_THEN_NAME = re.compile(r"(?<![\w&-])[Tt]he\s+([A-Z]{2,5}),\s+(?=[A-Z])")
# "NAME, the covered entity (CE), ...", "NAME, a retailer, said"
_NAME_THEN_TERM = re.compile(rf",\s+(?:[Tt]he|[Aa]n?)\s+{_TERM}{_SHORT}\s*(?=[,;])")
_NAME_RUN_RE = re.compile(NAME_RUN)
_SUFFIX_AFTER = re.compile(r",\s+([\w.]+)")
_BREAK = re.compile(r"\s*[,;.]")


@dataclass(frozen=True)
class Definition:
    """A named party and the term the text defines for it."""

    name: str
    start: int  # where the name is written
    end: int  # where the definition ends: later uses of the term start after it
    refs: tuple[re.Pattern[str], ...]  # the term's later uses; group 1 is the span to credit
    acronym: str | None = None  # "CE" of "the CE, Harlow Clinic,": a term, not a name


def defined_names(doc: Doc, cues: Cues) -> list[str]:
    """The names the text gives its defined terms ("the covered entity (CE), Bay Park Clinic"):
    whatever NER called them, a name in that place is a party's."""
    return [d.name for d in _definitions(doc, cues)]


def refer_to_names(doc: Doc, orgs: list[Org], cues: Cues) -> None:
    """Add each later use of a defined term to the spans of the organisation named in its definition.

    A term defined for two different organisations is ambiguous and credited to neither; a use
    that overlaps a name already found stays that name's."""
    text = doc_text(doc)
    owners: dict[str, set[str]] = {}
    bound: list[tuple[Definition, Org]] = []
    for definition in _definitions(doc, cues):
        org = _named(orgs, definition)
        if org is not None:
            bound.append((definition, org))
            for ref in definition.refs:
                owners.setdefault(ref.pattern, set()).add(org.name)
    taken = sorted(span for org in orgs for span in org.spans)
    for definition, org in bound:
        for ref in definition.refs:
            if len(owners[ref.pattern]) > 1:
                continue
            for m in ref.finditer(text, definition.end):
                start, end = m.span(1)
                if not any(s < end and start < e for s, e in taken):
                    org.spans.append((start, end))
                    taken.append((start, end))
    for org in orgs:
        org.spans.sort()


def term_acronyms(doc: Doc, cues: Cues) -> set[str]:
    """Every acronym the text defines for a term ("the covered entity (CE)") or uses as one ("the CE,
    Harlow Clinic,"): wherever it stands later ("the CE notified patients"), it is that term, never an
    organisation's own name."""
    found = {ent.text for ent in _bracketed_acronyms(doc) if abbreviates_term(ent)}
    return found | {d.acronym for d in _definitions(doc, cues) if d.acronym}


def abbreviates_term(ent: Span) -> bool:
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


def _bracketed_acronyms(doc: Doc) -> Iterator[Span]:
    for tok in doc[1:]:
        if tok.text.isupper() and tok.is_alpha and doc[tok.i - 1].text == "(":
            yield doc[tok.i : tok.i + 1]


def _named(orgs: list[Org], definition: Definition) -> Org | None:
    """The organisation with an occurrence where the definition writes its name."""
    for org in orgs:
        if any(s <= definition.start < e for s, e in org.spans):
            return org
    return next((org for org in orgs if definition.name in org.variants), None)


def _definitions(doc: Doc, cues: Cues) -> list[Definition]:
    cached: list[Definition] | None = doc.user_data.get(_TERMS)
    if cached is None:
        text = doc_text(doc)
        cached = [*_terms_then_names(text, cues), *_names_then_terms(doc, text, cues)]
        doc.user_data[_TERMS] = cached
    return cached


def _terms_then_names(text: str, cues: Cues) -> Iterator[Definition]:
    for m in _TERM_THEN_NAME.finditer(text):
        term, short = m.group(1), m.group(2)
        run = _NAME_RUN_RE.match(text, m.end())
        if run is None or not _defines(term, short, cues) or not (short or _closed(text, run.end(), cues)):
            continue
        name = clean_name(run.group(), cues)
        if plausible(name, cues):
            yield Definition(name, run.start(), run.end(), _references(term, short))
    for m in _ACRONYM_THEN_NAME.finditer(text):
        run = _NAME_RUN_RE.match(text, m.end())
        if run is None or not _closed(text, run.end(), cues):
            continue
        name = clean_name(run.group(), cues)
        initials = "".join(w[0] for w in name.split() if w[0].isupper())
        if " " in name and initials != m.group(1) and plausible(name, cues):
            yield Definition(name, run.start(), run.end(), _references(None, m.group(1)), m.group(1))


def _names_then_terms(doc: Doc, text: str, cues: Cues) -> Iterator[Definition]:
    for m in _NAME_THEN_TERM.finditer(text):
        term, short = m.group(1), m.group(2)
        if not _defines(term, short, cues):
            continue
        span = _name_before(doc, m.start(), cues)
        if span is None:
            continue
        name = clean_name(span.text, cues)
        if plausible(name, cues):
            yield Definition(name, span.start_char, m.end(), _references(term, short))


def _name_before(doc: Doc, comma: int, cues: Cues) -> Span | None:
    """The capitalised run of words that ends at `comma` ("Access Clinic Partners, LLC")."""
    last = doc.char_span(comma - 1, comma, alignment_mode="expand")
    if last is None:
        return None
    start = end = last.end
    while start > 0 and not doc[start].is_sent_start:
        tok = doc[start - 1]
        suffix = tok.text == "," and start < end and _is_suffix(doc[start].text, cues)
        if not (tok.text[:1].isupper() or tok.lower_ in CONNECTORS or suffix):
            break
        start -= 1
    while start < end and (doc[start].lower_ in CONNECTORS or doc[start].text == ","):
        start += 1
    return doc[start:end] if start < end else None


def _closed(text: str, end: int, cues: Cues) -> bool:
    """The name ends its appositive (", Inc." may follow): "the retailer, Brightwater Stores, said"."""
    m = _SUFFIX_AFTER.match(text, end)
    return _BREAK.match(text, m.end() if m and _is_suffix(m.group(1), cues) else end) is not None


def _is_suffix(word: str, cues: Cues) -> bool:
    return word.lower().rstrip(".") in cues.words["legal_suffixes"]


def _defines(term: str, short: str | None, cues: Cues) -> bool:
    """The bracketed short form abbreviates the term ("covered entity (CE)") or repeats its head
    ("payroll provider (the Provider)"); without one, the term must be a kind of organisation."""
    words = term.split()
    if short is None:
        return words[-1] in cues.words["org_heads"]
    if short.startswith("the "):
        return short[4:].lower() == words[-1]
    letters = [ch for ch in short.rstrip("s").lower()]
    initials = [w[0] for w in words if w not in {"and", "of"}]
    return short.rstrip("s").isupper() and initials[-len(letters) :] == letters


def _references(term: str | None, short: str | None) -> tuple[re.Pattern[str], ...]:
    """ "the covered entity", and "CE" or "the Provider": how the text uses the term later."""
    refs = []
    if term is not None:
        phrase = r"\s+".join(re.escape(w) for w in term.split())
        refs.append(re.compile(rf"\b[Tt]he\s+({phrase})\b(?!\s*\()"))
    if short is not None and short.startswith("the "):
        refs.append(re.compile(rf"\b[Tt]he\s+({re.escape(short[4:])})\b(?!\s*\()"))
    elif short is not None:
        refs.append(re.compile(rf"(?<![\w&.-])({re.escape(short)})(?![\w&-])(?!\s*\))"))
    return tuple(refs)
