"""The MISP galaxies of `threat_actors.jsonl`: every alias mapped to its canonical name and display
name (the aliases are matched by `_gazetteer.gazetteer_matcher`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from extractors._gazetteer import load_gazetteer

__all__ = ["aliases_of", "canonical_actor", "entries_by_alias"]


@cache
def entries_by_alias() -> dict[str, dict[str, Any]]:
    """lower-cased alias -> gazetteer entry (every alias, context-only ones too)."""
    out: dict[str, dict[str, Any]] = {}
    for entry in load_gazetteer("threat_actors"):
        out.setdefault(entry["pattern"].lower(), entry)
    return out


@cache
def aliases_of() -> dict[str, tuple[str, ...]]:
    """canonical id -> its aliases that may be matched directly."""
    out: dict[str, list[str]] = {}
    for entry in load_gazetteer("threat_actors"):
        if not entry.get("context_only") and entry["pattern"] != entry["id"]:
            out.setdefault(entry["id"], []).append(entry["pattern"])
    return {k: tuple(v) for k, v in out.items()}


@cache
def _display_names() -> dict[str, str]:
    """canonical id -> the name to show: the id, or an alias that is the id plus a symbol
    ("LAPSUS" -> "LAPSUS$"), since the symbol is part of how the group names itself."""
    out: dict[str, str] = {}
    for entry in load_gazetteer("threat_actors"):
        cid, alias = entry["id"], entry["pattern"]
        tail = alias[len(cid) :]
        if (
            alias.upper().startswith(cid.upper())
            and tail
            and not any(c.isalnum() or c.isspace() for c in tail)
        ):
            out[cid] = cid + tail
    return out


def canonical_actor(name: str) -> tuple[str, dict[str, Any] | None]:
    """The galaxy's canonical name and entry for `name` ("Fancy Bear" -> "APT28"), also without
    or with a trailing "group"; otherwise `name` itself and None."""
    table = entries_by_alias()
    words = name.split()
    candidates = [name, f"{name} group"]
    if len(words) > 1 and words[-1].lower() in ("group", "team", "gang", "crew"):
        candidates.append(" ".join(words[:-1]))
    for candidate in candidates:
        entry = table.get(candidate.lower())
        if entry:
            return _display_names().get(entry["id"], entry["id"]), entry
    return name, None
