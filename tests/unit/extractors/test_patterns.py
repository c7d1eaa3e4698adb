"""_patterns.any_of: one prefilter pattern that matches exactly where one of several does."""

from __future__ import annotations

import re

import pytest

from extractors._patterns import any_of

CUES = [re.compile(r"\bransom"), re.compile(r"\bphish"), re.compile(r"encrypt(?:ed|ing)? files")]


@pytest.mark.parametrize(
    "text", ["a ransom note", "spear-phishing mail", "it encrypted files", "nothing here", "transom window"]
)
def test_any_of_searches_true_where_any_pattern_does(text: str) -> None:
    joined = any_of(CUES)
    assert joined is not None
    assert bool(joined.search(text)) == any(p.search(text) for p in CUES)


def test_any_of_refuses_what_it_cannot_join_unchanged() -> None:
    assert any_of([]) is None
    assert any_of([re.compile(r"(a)\1"), re.compile("b")]) is None  # a group: numbers would shift
    assert any_of([re.compile("a", re.IGNORECASE)]) is None  # a flag the join would spread or drop
