"""A data phrase's category (`data_categories.json`) and a record's sensitivity by its categories."""

from __future__ import annotations

import re
from functools import cache

from extractors._gazetteer import load_vocabulary

__all__ = [
    "OTHER_CATEGORY",
    "categorize",
    "cue_hits",
    "data_category_cues",
    "phrase_words",
    "rate_sensitivity",
]

OTHER_CATEGORY = "other"
_SENSITIVITY_RANK = {"Unknown": 0, "Low": 1, "Medium": 2, "High": 3}


@cache
def _category_cues() -> tuple[tuple[tuple[str, ...], str], ...]:
    """(cue words, category), longest cue first so "payment card" beats "card"."""
    raw: dict[str, list[str]] = load_vocabulary("data_categories")["categories"]
    order = {cat: n for n, cat in enumerate(raw)}
    pairs = [(tuple(cue.split()), cat) for cat, cues in raw.items() for cue in cues]
    pairs.sort(key=lambda pair: (-len(pair[0]), order[pair[1]]))
    return tuple(pairs)


@cache
def _cue_table() -> dict[tuple[str, ...], tuple[int, str]]:
    """cue words -> (rank in `_category_cues`, category) of its first entry there."""
    table: dict[tuple[str, ...], tuple[int, str]] = {}
    for rank, (cue, category) in enumerate(_category_cues()):
        table.setdefault(cue, (rank, category))
    return table


@cache
def _cue_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(cue) for cue, _ in _category_cues()}))


@cache
def data_category_cues() -> frozenset[tuple[str, ...]]:
    """The cues with an entry whose category is not `OTHER_CATEGORY`."""
    return frozenset(cue for cue, category in _category_cues() if category != OTHER_CATEGORY)


def cue_hits(words: tuple[str, ...]) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The cues whose first occurrence in `words` ends them (the phrase's head), and the cues
    that occur anywhere: the word n-grams of `words` looked up in `_cue_table`, instead of
    searching `words` for every cue."""
    table = _cue_table()
    at_head: list[tuple[str, ...]] = []
    anywhere: list[tuple[str, ...]] = []
    size = len(words)
    for n in _cue_lengths():
        first: dict[tuple[str, ...], int] = {}
        for i in range(size - n + 1):
            first.setdefault(words[i : i + n], i)
        for gram, i in first.items():
            if gram in table:
                anywhere.append(gram)
                if i + n == size:
                    at_head.append(gram)
    return at_head, anywhere


def phrase_words(text: str) -> tuple[str, ...]:
    text = re.sub(r"\be\s*-\s*mail", "email", text.lower())
    return tuple(re.findall(r"[a-z0-9][a-z0-9'\-]*", text))


def categorize(phrase: str, lemmas: str = "") -> str:
    """The category of a data phrase: the longest cue that ends the phrase (its head names the
    data: "email accounts" are accounts, "SMS contacts" contacts), else the longest cue anywhere
    ("credit card numbers"); surface words or lemmas."""
    variants = [phrase_words(phrase)] + ([phrase_words(lemmas)] if lemmas else [])
    hits = [cue_hits(words) for words in variants]
    table = _cue_table()
    for at_head in (True, False):
        ranked = [table[cue] for found in hits for cue in found[0 if at_head else 1]]
        if ranked:
            return min(ranked)[1]
    return OTHER_CATEGORY


def rate_sensitivity(categories: list[str]) -> str:
    """Highest sensitivity of `categories` by the rubric in data_categories.json; "Unknown" if none."""
    rubric: dict[str, str] = load_vocabulary("data_categories")["sensitivity"]
    best = "Unknown"
    for category in categories:
        rating = rubric.get(category, rubric.get(OTHER_CATEGORY, "Unknown"))
        if _SENSITIVITY_RANK.get(rating, 0) > _SENSITIVITY_RANK[best]:
            best = rating
    return best
