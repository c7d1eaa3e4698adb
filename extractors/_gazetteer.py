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

__all__ = ["load_gazetteer", "load_vocabulary"]


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
