"""Threat actors and how firmly each is tied to the incident (claimed / suspected / confirmed).

Names come from the MISP threat-actor and ransomware galaxies (`data/threat_actors.jsonl`,
every alias mapped to one canonical name) and from patterns for actors the galaxies do not
know yet ("a hacking group called X", "X claimed responsibility"). Generic words
("hackers", "the group") are never actors. Each mention is graded by the attribution cue
nearest to it in its sentence, so two actors in one sentence keep their own grades.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from typing import Any

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extractors._gazetteer import load_gazetteer, load_vocabulary
from extractors._registry import register
from extractors._spans import doc_text, mention_chars
from schemas.document import Article
from schemas.entities import Mention

__all__ = ["canonical_actor", "extract_actors", "grade_attribution"]

NAME = "actors.v1"
_NAME = r"(?P<name>[A-Z0-9][\w$@.&()\-]*(?:\s+[A-Z0-9][\w$@.&()\-]*){0,3})"
_STRENGTH = {"suspected": 1, "claimed": 2, "confirmed": 3}
_NON_NAME_ENTS = {"GPE", "NORP", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "LOC"}


@cache
def _cues() -> dict[str, Any]:
    return load_vocabulary("actor_cues")


@cache
def _aliases() -> dict[str, dict[str, Any]]:
    """alias -> gazetteer entry, for the aliases that may be matched on their own."""
    return {e["pattern"]: e for e in load_gazetteer("threat_actors") if not e.get("context_only")}


@cache
def _lower_aliases() -> dict[str, str]:
    """lower-cased alias -> canonical id, to canonicalise names found by the patterns."""
    return {e["pattern"].lower(): e["id"] for e in load_gazetteer("threat_actors")}


@cache
def _display_names() -> dict[str, str]:
    """canonical id -> the name to show: the id, or an alias that is the id plus a symbol
    ("LAPSUS" -> "LAPSUS$"), since the symbol is part of how the group names itself."""
    out: dict[str, str] = {}
    for entry in load_gazetteer("threat_actors"):
        cid, alias = entry["id"], entry["pattern"]
        out.setdefault(cid, cid)
        if alias.upper().startswith(cid.upper()) and alias[len(cid) :] and not alias[len(cid) :].isalnum():
            out[cid] = cid + alias[len(cid) :]
    return out


@cache
def _matcher(vocab: Vocab) -> PhraseMatcher:
    matcher = PhraseMatcher(vocab, attr="ORTH")
    tokenizer_vocab = vocab
    patterns = [Doc(tokenizer_vocab, words=alias.split()) for alias in _aliases()]
    matcher.add("THREAT_ACTOR", patterns)
    return matcher


@cache
def _intro_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A name after an introducing phrase, and a name before a claiming phrase; two patterns,
    so one cannot hide the other's match ("The hacking group X" is both)."""
    cues = _cues()
    before = "|".join(re.escape(c) for c in sorted(cues["name_before"], key=len, reverse=True))
    after = "|".join(re.escape(c) for c in sorted(cues["name_after"], key=len, reverse=True))
    return (
        re.compile(rf"(?i:\b(?:{before}))\s+(?:of\s+)?['\"“]?{_NAME}"),
        re.compile(rf"{_NAME}['\"”]?\s+(?i:(?:{after})\b)"),
    )


def canonical_actor(name: str) -> str:
    """The canonical name of an actor: the galaxy's, when the name is one of its aliases."""
    cid = _lower_aliases().get(name.lower())
    return _display_names().get(cid, cid) if cid else name


def grade_attribution(sentence: str, start: int, end: int) -> str:
    """claimed / suspected / confirmed from the cue nearest to `sentence[start:end]`."""
    best, distance = "suspected", None
    for grade, words in _cues()["attribution"].items():
        for word in words:
            for match in re.finditer(rf"\b{re.escape(word)}\b", sentence, re.IGNORECASE):
                gap = match.start() - end if match.start() >= end else start - match.end()
                if distance is None or gap < distance:
                    best, distance = grade, gap
    return best


def _clean_name(raw: str) -> str | None:
    words = raw.split()
    not_names = set(_cues()["not_names"])
    while words and words[-1].lower().strip(".,") in not_names | {"ransomware", "gang", "group", "crew"}:
        words.pop()
    while words and words[0].lower() in not_names:
        words.pop(0)
    name = " ".join(words).strip(".,;:'\"()")
    if not name or name.lower() in not_names or len(name) < 3:
        return None
    return name


@register(NAME)
def extract_actors(doc: Doc, article: Article) -> list[Mention]:
    """Named threat actors, each mention graded by its sentence's attribution cues."""
    text = doc_text(doc)
    found: dict[tuple[int, int], str] = {}
    aliases = _aliases()
    for _, start, end in _matcher(doc.vocab)(doc):
        span = doc[start:end]
        entry = aliases.get(span.text)
        if entry:
            found[(span.start_char, span.end_char)] = _display_names().get(entry["id"], entry["id"])
    matches = [m for pattern in _intro_res() for m in pattern.finditer(text)]
    for match in matches:
        name = _clean_name(match.group("name"))
        if not name:
            continue
        start = match.start("name")
        end = start + len(name)
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or any(t.ent_type_ in _NON_NAME_ENTS for t in span):
            continue
        if any(s <= start < e or start <= s < end for s, e in found):
            continue
        found[(start, end)] = canonical_actor(name)
    out: list[Mention] = []
    per_actor: dict[str, list[str]] = defaultdict(list)
    for (start, end), value in sorted(found.items()):
        m = mention_chars("threat_actor", value, doc, start, end, NAME)
        offset = m.sentence.find(m.text)
        grade = grade_attribution(m.sentence, offset, offset + len(m.text)) if offset >= 0 else "suspected"
        per_actor[value].append(text[start:end])
        out.append(m.model_copy(update={"attrs": {"attribution": grade}}))
    galaxy_aliases = _galaxy_aliases()
    return [
        m.model_copy(
            update={"attrs": {**m.attrs, "aliases": sorted(set(galaxy_aliases.get(m.value, [])) - {m.value})}}
        )
        for m in out
    ]


@cache
def _galaxy_aliases() -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for entry in load_gazetteer("threat_actors"):
        out[_display_names().get(entry["id"], entry["id"])].append(entry["pattern"])
    return {k: sorted(set(v))[:20] for k, v in out.items()}
