"""`actor_cues.json` loaded once, as word sets and cue phrases grouped by their first word."""

from __future__ import annotations

from functools import cache
from typing import Any

from extractors._gazetteer import load_vocabulary

__all__ = ["actor_cues", "cue_words", "naming_firsts", "origin_endings", "phrases_by_first"]


@cache
def actor_cues() -> dict[str, Any]:
    return load_vocabulary("actor_cues")


@cache
def cue_words(key: str) -> frozenset[str]:
    return frozenset(actor_cues()[key])


@cache
def phrases_by_first(key: str) -> dict[str, tuple[list[str], ...]]:
    """The cue phrases of `key` grouped by their first word, so each token is checked only
    against the phrases that can start there."""
    out: dict[str, list[list[str]]] = {}
    for phrase in actor_cues()[key]:
        out.setdefault(phrase[0], []).append(phrase)
    return {first: tuple(phrases) for first, phrases in out.items()}


@cache
def naming_firsts() -> frozenset[str]:
    """The words a naming or handle phrase can start with: `naming_end` is None at any other."""
    return frozenset(phrases_by_first("naming_phrases")) | frozenset(phrases_by_first("handle_phrases"))


@cache
def origin_endings() -> tuple[str, ...]:
    return tuple(actor_cues()["demonym_endings"])
