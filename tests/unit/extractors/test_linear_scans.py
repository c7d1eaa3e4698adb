"""The linear-time scans that replaced quadratic ones find exactly what the old scans found.

Each test compares a rewritten lookup with the straightforward code it replaced, on random
texts built from the pieces the patterns care about (names, connectors, cue words, spaces).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest
from spacy.tokens import Doc

from extractors._spans import entity_of, line_bounds, sentence_ents, sentences
from extractors.organizations.candidates import _run_matches
from extractors.organizations.cues import _grouped_alternation, load_cues
from extractors.organizations.evidence import Org, Others
from extractors.organizations.occurrences import _variant_matches

# fmt: off
_PIECES = [
    "Velmora", "Bank", "of", "and", "&", "Co.", "O'Hanlon", "Velmora's", "Quist'", "said", "confirmed",
    "also", ",", ", a", "the", "company", "firm", "based", "Tarn-", "X", "has", "suffered", "\n", "’s",
    "McBrisk", "in", ".", "Inc", "retailer", "an", "bank", "A.B.", "offer", "and Co", "-", "(", ")",
    "Quist Bank, a payroll company based in", "Tarn of Velmora, the retailer,", "A.B., an insurer that",
]
# fmt: on
_GAPS = [" ", " ", " ", "", "  ", "\t"]


def _texts(count: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    return [
        "".join(rnd.choice(_PIECES) + rnd.choice(_GAPS) for _ in range(rnd.randint(1, 25)))
        for _ in range(count)
    ]


@pytest.mark.parametrize("which", ["appositive", "name_after"])
def test_run_matches_are_those_of_finditer(which: str) -> None:
    cues = load_cues()
    pattern = getattr(cues, f"{which}_re")
    tail = getattr(cues, f"{which}_tail_re")
    found = 0
    for text in _texts(4000, seed=13):
        expected = [(m.span(), m.group(1)) for m in pattern.finditer(text)]
        assert [(m.span(), m.group(1)) for m in _run_matches(text, pattern, tail)] == expected, text
        found += len(expected)
    assert found > 100, "the random texts exercise the patterns"


def test_variant_matches_are_those_of_one_pattern_per_organisation() -> None:
    rnd = random.Random(5)
    names = ["Velmora", "Velmora Bank", "Bank", "A.B.", "&Co", "Quist", "O'Hanlon", "X", "-Tarn", "McBrisk"]
    for text in _texts(1500, seed=7):
        orgs = [
            Org(name=f"org{n}", key=(str(n),), variants=set(rnd.sample(names, rnd.randint(1, 3))))
            for n in range(rnd.randint(1, 4))
        ]
        expected = [
            (m.start(), m.end(), org)
            for org in orgs
            for m in re.finditer(
                rf"(?<![\w&.-])(?:{_grouped_alternation(list(org.variants))})(?![\w&-])", text
            )
        ]
        assert list(_variant_matches(text, orgs)) == expected, (text, [o.variants for o in orgs])


def test_owners_are_the_organisations_named_before_a_possessive() -> None:
    def old(before: str, variants: set[str]) -> bool:
        return any(v in before and re.search(rf"(?<![\w&]){re.escape(v)}['’]s\s+$", before) for v in variants)

    rnd = random.Random(3)
    orgs = [
        Org(name="a", key=("a",), variants={"Velmora", "Velmora Bank"}),
        Org(name="b", key=("b",), variants={"Bank", "&Co"}),
        Org(name="c", key=("c",), variants={"O'Hanlon", "X"}),
    ]
    others = Others(orgs)
    checked = 0
    for text in _texts(3000, seed=11):
        before = text[-60:] + rnd.choice(["'s ", "’s  ", "'s\n", "'s"])
        if not re.search(r"['’]s\s+$", before):
            continue
        checked += 1
        for org in orgs:
            assert others.owners(org, before) == [
                o.name for o in orgs if o is not org and old(before, o.variants)
            ]
    assert checked > 1000


_ARTICLE = (
    "Brisel Foods said on Monday that Hollow Pine Clinic in Dorrel, Ontario, was hit.\n"
    "Officials at Telmark Savings Bank and the Ministry of Harbours declined to comment. "
    "Jane Okafor of Nimbel Systems said the attack began on March 3, 2026.\n\n"
    "Quorvane Logistics | Daily Ledger\n"
)


def test_span_helpers_agree_with_spacy(parse: Callable[..., tuple[Doc, object]]) -> None:
    doc, _ = parse(_ARTICLE)
    assert doc.ents, "the article has entities to look up"
    for sent in sentences(doc):
        assert sentence_ents(sent) == list(sent.ents)
    assert sentence_ents(doc[2:9]) == list(doc[2:9].ents)
    for tok in doc:
        assert entity_of(tok) == next((e for e in doc.ents if e.start <= tok.i < e.end), None)
        start, end = tok.idx, tok.idx + len(tok)
        line_end = _ARTICLE.find("\n", end)
        expected = (_ARTICLE.rfind("\n", 0, start) + 1, line_end if line_end >= 0 else len(_ARTICLE))
        assert line_bounds(doc, start, end) == expected
