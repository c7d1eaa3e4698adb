"""Threat actors and how firmly each is tied to the incident (claimed / suspected / confirmed).

Names come from two places:

* the MISP galaxies (`data/threat_actors.jsonl`, every alias mapped to one canonical name),
  matched case-sensitively on their own unless marked `context_only`; a ransomware family
  counts as an actor only where the text speaks of its people ("the X gang", "X claimed");
* context rules for actors the galaxies do not know ("a hacking group called X", "the X gang",
  "hacking group X", "X claimed responsibility", "X, a threat actor", a person charged with a
  hacking crime). The name must look like one (capitalised, digits or `$`) and must not be a
  country, nationality, date or generic word, so "hackers" alone is no actor;
* descriptions by origin in a doer's place ("Iranian hackers broke in", "carried out by
  Moscow-backed hackers", "charged a Latvian man"), unless they only introduce a name
  ("a Russian group known as X"): often the only identification an article gives;
* states named as doers ("accused Iran of hacking", "backed by the Russian government").

Context-rule names are not read from headline lines, nor kept when the article introduces them
as a firm or outlet ("security firm X") or as a program ("a ransomware strain named X") without
speaking of its people.

Attribution is graded per mention from cues in the actor's own clause first, then in the
clauses that embed it ("researchers believe [X was behind it]"), so two actors in one sentence
keep their own grades. The record keeps the strongest grade over an actor's mentions.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from extractors._registry import register
from extractors._spans import mention, sentence_index
from extractors.actors.attribution import grade_attribution
from extractors.actors.candidates import DESCRIPTIVE_RULES, find_candidates
from extractors.actors.english import english_words
from extractors.actors.galaxy import aliases_of, canonical_actor
from extractors.actors.names import balanced
from schemas.document import Article
from schemas.entities import Mention

__all__ = ["NAME", "canonical_actor", "english_words", "extract_actors", "grade_attribution"]

NAME = "actors.v1"


@register(NAME)
def extract_actors(doc: Doc, article: Article) -> list[Mention]:
    """Named threat actors, each mention graded by the attribution cues of its own clause."""
    found = find_candidates(doc, article.title)
    by_sentence: dict[int, list[tuple[str, Token]]] = {}  # the others that matter share the sentence
    for g in found:
        by_sentence.setdefault(sentence_index(doc, g.anchor.i), []).append(
            (canonical_actor(g.span.text)[0], g.anchor)
        )
    out: list[Mention] = []
    for f in found:
        span = balanced(f.span)
        text = span.text.strip("\"'“”")
        value, entry = (text, None) if f.rule in DESCRIPTIVE_RULES else canonical_actor(text)
        kind = entry["kind"] if entry else f.kind
        others = [anchor for name, anchor in by_sentence[sentence_index(doc, f.anchor.i)] if name != value]
        grade, cue = grade_attribution(f.anchor, others)
        attrs = {
            "attribution": grade,
            "cue": cue,
            "kind": kind,
            "aliases": list(aliases_of().get(value, ())),
        }
        out.append(mention("threat_actor", value, span, NAME, attrs=attrs))
    return out
