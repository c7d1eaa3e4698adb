"""All candidate actors of an article: galaxy matches (a ransomware family only where the text
speaks of its people) and context-rule names (not from headline lines, not names introduced
as firms or programs), with every later occurrence of each, no two overlapping.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.attrs import IS_ALPHA, IS_STOP, LENGTH
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from extractors._gazetteer import gazetteer_matcher, tokenizer
from extractors._spans import doc_text, lowers, sentence_of, sentences, texts
from extractors.actors.cues import cue_words, naming_firsts
from extractors.actors.galaxy import entries_by_alias
from extractors.actors.names import Found, name_right
from extractors.actors.origins import described_by_origin, state_doers
from extractors.actors.rules import (
    named_by_charge,
    named_by_claim,
    named_by_deed,
    named_by_noun,
    named_by_phrase,
    named_in_list,
    naming_end,
)

__all__ = ["DESCRIPTIVE_RULES", "find_candidates"]

DESCRIPTIVE_RULES = frozenset({"described_by_origin", "state_doers"})  # never galaxy aliases


def _gazetteer_matches(doc: Doc) -> Iterator[Found]:
    table = entries_by_alias()
    group_nouns = cue_words("group_nouns")
    for _, start, end in gazetteer_matcher("threat_actors", doc.vocab)(doc):
        span = doc[start:end]
        entry = table.get(span.text.lower())
        if entry is None:
            continue
        if entry["kind"] == "ransomware" and not _speaks_of_people(span, group_nouns):
            continue
        yield Found(span, span.root, entry["kind"], True)


def _speaks_of_people(span: Span, group_nouns: frozenset[str]) -> bool:
    """A ransomware family named as its gang: "the X gang", "X ransomware operators", "X claimed"."""
    doc = span.doc
    after = [t.lower_ for t in doc[span.end : span.end + 2]]
    if after and (
        after[0] in group_nouns or (after[0] == "ransomware" and after[1:] and after[1] in group_nouns)
    ):
        return True
    root = span.root
    return root.dep_ == "nsubj" and root.head.lemma_.lower() in cue_words("people_verbs")


def _headline_tokens(doc: Doc, title: str | None) -> frozenset[int]:
    """Tokens of headline lines: the title line the cleaner puts first and any Title Case line.
    Headlines capitalise every word and drop "was" ("Acme Hacked; 200k Messages Leaked"), so
    the context rules would read names and doers into them."""
    out: set[int] = set()
    start = 0
    flags = doc.to_array([IS_ALPHA, IS_STOP, LENGTH]).tolist()
    words_of = texts(doc)
    for line in doc_text(doc).split("\n"):
        end = start + len(line)
        span = doc.char_span(start, end, alignment_mode="expand") if line.strip() else None
        if span is not None:
            words = [
                words_of[k]
                for k in range(span.start, span.end)
                if flags[k][0] and not flags[k][1] and flags[k][2] > 3
            ]
            capitals = sum(w[:1].isupper() for w in words)
            is_title = bool(title and start == 0 and line.strip() == title.strip())
            if is_title or (len(words) >= 3 and capitals >= 0.75 * len(words)):
                out.update(range(span.start, span.end))
        start = end + 1
    return frozenset(out)


def _firm_names(doc: Doc, found: list[Found]) -> set[str]:
    """Names the article introduces as a company or outlet ("security firm Quellwise")."""
    nouns = cue_words("organization_descriptors")
    low = lowers(doc)
    return {
        f.span.text
        for f in found
        if any(w in nouns for w in low[max(sentence_of(f.span).start, f.span.start - 2) : f.span.start])
    }


def _program_names(doc: Doc, found: list[Found]) -> set[str]:
    """Names the article introduces as software: "a ransomware strain named X", "the X malware"."""
    nouns = cue_words("software_nouns")
    out = {f.span.text for f in found if f.span.end < len(doc) and doc[f.span.end].lower_ in nouns}
    low, firsts = lowers(doc), naming_firsts()
    for sent in sentences(doc):
        for i in range(sent.start, sent.end):
            if low[i] not in firsts:
                continue
            j = naming_end(sent, i)
            if j is None or not any(t.lower_ in nouns for t in doc[max(sent.start, i - 4) : i]):
                continue
            name = name_right(doc, j, sent.end)
            if name is not None:
                out.add(name.text)
    return out


def find_candidates(doc: Doc, title: str | None = None) -> list[Found]:
    found = list(_gazetteer_matches(doc))
    headline = _headline_tokens(doc, title)
    for sent in sentences(doc):
        for rule in (
            named_by_phrase,
            named_by_noun,
            named_in_list,
            named_by_claim,
            named_by_deed,
            named_by_charge,
            described_by_origin,
            state_doers,
        ):
            found.extend(
                Found(f.span, f.anchor, f.kind, f.known, rule.__name__)
                for f in rule(sent)
                if f.known or not any(i in headline for i in range(f.span.start, f.span.end))
            )
    firms = _firm_names(doc, [f for f in found if not f.known])
    programs = _program_names(doc, found)
    as_people = {f.span.text for f in found if f.rule in ("named_by_noun", "named_by_claim")}
    found = [
        f
        for f in found
        if f.known or (f.span.text not in firms and (f.span.text not in programs or f.span.text in as_people))
    ]
    names = {f.span.text for f in found if not f.known}
    if names:
        matcher = PhraseMatcher(doc.vocab, attr="ORTH")
        matcher.add("NAMES", [tokenizer().make_doc(n) for n in names])
        first = {f.span.text: f for f in reversed(found)}
        for _, start, end in matcher(doc):
            span, origin = doc[start:end], first[doc[start:end].text]
            found.append(Found(span, span.root, origin.kind, False, origin.rule))
    chosen: dict[tuple[int, int], Found] = {}
    taken: set[int] = set()
    for f in sorted(found, key=lambda f: (not f.known, -len(f.span), f.span.start)):
        if any(i in taken for i in range(f.span.start, f.span.end)):
            continue
        taken.update(range(f.span.start, f.span.end))
        chosen[(f.span.start, f.span.end)] = f
    return [chosen[k] for k in sorted(chosen)]
