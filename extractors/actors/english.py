"""English words, to tell a capitalised common word from a name ("Malware targets banks").

They are the pinned model's WordNet lemma index plus spaCy's stop words. The index is read from
the installed model package's lemmatizer tables, the file the pipeline's lemmatizer loads: an
extractor never reaches into the pipeline, and loading the whole model again would cost a second.
"""

from __future__ import annotations

from functools import cache

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.lookups import Lookups
from spacy.util import get_model_meta, get_package_path

from schemas.settings import MODEL_NAME

__all__ = ["english_words"]


@cache
def english_words() -> frozenset[str]:
    """Lower-case English words: the lemmatizer's WordNet index plus spaCy's stop words."""
    package = get_package_path(MODEL_NAME)
    meta = get_model_meta(package)
    data = package / f"{meta['lang']}_{meta['name']}-{meta['version']}"  # as spaCy's package loader
    index = Lookups().from_disk(data / "lemmatizer" / "lookups").get_table("lemma_index")
    words = {word.lower() for pos in index for word in index[pos]}
    return frozenset(words | STOP_WORDS)
