"""_gazetteer.gazetteer_matcher: the one matcher over a gazetteer's aliases."""

from __future__ import annotations

from spacy.util import filter_spans

from extractors._gazetteer import gazetteer_matcher, load_gazetteer


def test_every_alias_of_both_gazetteers_matches_itself_and_nothing_inside_a_longer_word(nlp) -> None:
    for name in ("companies", "threat_actors"):
        alias = next(e["pattern"] for e in load_gazetteer(name) if not e.get("context_only"))
        doc = nlp(f"Reporters asked {alias} about it, not {alias}ville or {alias}.example.")
        spans = gazetteer_matcher(name, doc.vocab)(doc, as_spans=True)
        assert [s.text for s in spans] == [alias]
        assert spans[0].label_ == alias


def test_the_longest_of_overlapping_aliases_is_one_name(nlp) -> None:
    patterns = {e["pattern"] for e in load_gazetteer("companies")}
    long = next(p for p in sorted(patterns, key=len, reverse=True) if p.split()[0] in patterns and " " in p)
    doc = nlp(f"Customers of {long} were told on Monday.")
    spans = filter_spans(gazetteer_matcher("companies", doc.vocab)(doc, as_spans=True))
    assert [s.text for s in spans] == [long]
