"""Load the data files under `extractors/data/` once, lazily.

Gazetteers are JSONL, one `{"label", "pattern", "id", ...}` per line (the format spaCy's
`entity_ruler` reads; `id` maps every alias to one canonical entity). Vocabularies are
JSON objects. Both ship as package data so an installed wheel carries them.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from spacy.lang.en import English
from spacy.matcher import PhraseMatcher
from spacy.vocab import Vocab

__all__ = ["gazetteer_matcher", "load_gazetteer", "load_vocabulary", "tokenizer"]


def _read(name: str) -> str:
    return resources.files("extractors").joinpath("data", name).read_text(encoding="utf-8")


@cache
def load_gazetteer(name: str) -> tuple[dict[str, Any], ...]:
    """Entries of `data/<name>.jsonl`; blank lines and `#` comments are skipped."""
    entries = []
    for line in _read(f"{name}.jsonl").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            entries.append(json.loads(line))
    return tuple(entries)


@cache
def load_vocabulary(name: str) -> Any:
    """The JSON document `data/<name>.json`."""
    return json.loads(_read(f"{name}.json"))


@cache
def tokenizer() -> English:
    """A blank English pipeline whose tokenizer splits phrases as the parsing model does."""
    return English()


@cache
def gazetteer_matcher(name: str, vocab: Vocab) -> PhraseMatcher:
    """The one matcher of a gazetteer: case-sensitive token sequences of its aliases (those not
    marked `context_only`), each match labelled with the alias itself, so the span's label leads
    back to its entry. Token matching keeps a name from matching inside a longer word or an
    address ("Acme" in "Acme.io" or "Acmeville"), which a pattern over raw text must guard by hand."""
    matcher = PhraseMatcher(vocab, attr="ORTH")
    for entry in load_gazetteer(name):
        if not entry.get("context_only"):
            matcher.add(entry["pattern"], [tokenizer().make_doc(entry["pattern"])])
    return matcher
