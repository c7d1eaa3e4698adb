"""Build `extractors/data/threat_actors.jsonl` from the MISP galaxies shipped in `pymispgalaxies`.

Offline and deterministic: the galaxies are package data of the pinned `pymispgalaxies`, so the
generated file is data from a pinned package and is committed; its header names the versions.
Run: `.venv/bin/python scripts/build_gazetteers.py`.

One JSONL line per alias: `{"label": "THREAT_ACTOR", "pattern", "id", "source", "kind"}` where
`id` is the canonical name every synonym maps to (`Fancy Bear`, `Sofacy` -> `APT28`) and `kind`
is `group` (threat-actor galaxies) or `ransomware` (a ransomware family; the gang behind it is
named after it). Entries of the Microsoft and 360 galaxies join the threat-actor entry they are
related to (by uuid) or share an alias with; a ransomware family joins a group the same way.

The alias filter is a rule, not a list of exceptions:

* dropped: shorter than 3 or longer than 40 characters, characters outside printable ASCII
  letters/digits and ` .-_$&'!@`, or no letter at all (noise such as ransom-note strings);
* `context_only: true`: the alias could be an ordinary word or another thing's name, so it is
  never matched on its own, only used to canonicalise a name that a context rule found ("the
  Silence group"). That is an alias of one token, without a digit, `$` or inner capital
  ("LockBit", "REvil"), that is an English word (WordNet lemma index of the spaCy lemmatizer, or a
  spaCy stop word), also once a common inflection is stripped ("Hacked", "Losers"), or has at
  most 4 letters; or any alias written all in lower case; or one listed in
  `extractors/data/actor_alias_stoplist.json` (countries, agencies, big vendors, products).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from pymispgalaxies import Clusters

from extractors.actors import english_words

__all__ = ["build_entries", "is_context_only", "main"]

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "extractors" / "data" / "threat_actors.jsonl"
STOPLIST = ROOT / "extractors" / "data" / "actor_alias_stoplist.json"

GROUP_GALAXIES = ("threat-actor", "microsoft-activity-group", "360net-threat-actor")
RANSOMWARE_GALAXY = "ransomware"
ALLOWED = re.compile(r"^[A-Za-z0-9 .\-_$&'!@]+$")
RANSOMWARE_SUFFIX = re.compile(r"\s+(?:ransomware|ransom)$", re.IGNORECASE)
INNER_CAPITAL = re.compile(r"[a-z][A-Z]|^[A-Z]{2,}[a-z]")
INFLECTIONS = ("s", "es", "ed", "d", "ing", "er", "ers")


@dataclass
class Actor:
    """One canonical actor gathered from one or more galaxy entries."""

    name: str
    kind: str
    source: str
    uuids: set[str] = field(default_factory=set)
    aliases: list[str] = field(default_factory=list)

    def add(self, alias: str) -> None:
        if alias not in self.aliases:
            self.aliases.append(alias)


def clean_alias(alias: str) -> str | None:
    """The alias with whitespace collapsed, or None when it is noise."""
    alias = " ".join(alias.split())
    if not 3 <= len(alias) <= 40 or not ALLOWED.match(alias) or not re.search(r"[A-Za-z]", alias):
        return None
    return alias


def is_context_only(alias: str, words: frozenset[str], stoplist: frozenset[str]) -> bool:
    """True when `alias` may be an ordinary word or another thing's name (see module docstring)."""
    if alias.lower() in stoplist or alias == alias.lower():
        return True
    tokens = alias.split()
    if len(tokens) > 1:
        return False
    distinctive = bool(re.search(r"[0-9$]", alias) or INNER_CAPITAL.search(alias))
    letters = sum(ch.isalpha() for ch in alias)
    return not distinctive and (is_english(alias.lower(), words) or letters <= 4)


def is_english(word: str, words: frozenset[str]) -> bool:
    """`word` or its stem without a common inflection ("hacked", "losers") is an English word."""
    stems = [word] + [word[: -len(end)] for end in INFLECTIONS if word.endswith(end)]
    return any(stem in words or stem + "e" in words for stem in stems if len(stem) >= 3)


def entry_aliases(value: str, synonyms: Iterable[str]) -> Iterator[str]:
    """Aliases of one galaxy entry; 360 names like `<chinese> - APT-C-00` split on ` - `."""
    for raw in (value, *synonyms):
        for part in raw.split(" - "):
            alias = clean_alias(part)
            if alias:
                yield alias


def gather(clusters: Clusters) -> list[Actor]:
    """Actors from the threat-actor galaxy, then the others joined to them by uuid or alias.

    Entries of one galaxy are never merged with each other (their aliases overlap where
    vendors disagree); an entry of a later galaxy joins the actor most of its related uuids and
    aliases point to, a ransomware family only when its own name is a known alias.
    """
    actors: list[Actor] = []
    by_uuid: dict[str, Actor] = {}
    by_alias: dict[str, Actor] = {}
    for galaxy in (*GROUP_GALAXIES, RANSOMWARE_GALAXY):
        kind = "ransomware" if galaxy == RANSOMWARE_GALAXY else "group"
        known_uuid, known_alias = dict(by_uuid), dict(by_alias)
        for entry in sorted(clusters[galaxy].values(), key=lambda e: e.value):
            synonyms = (entry.meta.to_dict().get("synonyms") or []) if entry.meta else []
            aliases = list(entry_aliases(entry.value, synonyms))
            if kind == "ransomware":
                aliases = [RANSOMWARE_SUFFIX.sub("", a) for a in aliases]
                aliases = [a for a in aliases if clean_alias(a)]
            if not aliases:
                continue
            related = [r.get("dest-uuid") for r in (entry.related or []) if isinstance(r, dict)]
            keys = aliases[:1] if kind == "ransomware" else aliases
            votes = Counter(
                [id(known_uuid[u]) for u in related if u in known_uuid]
                + [id(known_alias[a.lower()]) for a in keys if a.lower() in known_alias]
            )
            owners = {id(a): a for a in (*known_uuid.values(), *known_alias.values())}
            owner = owners[votes.most_common(1)[0][0]] if votes else None
            if owner is None:
                owner = Actor(name=aliases[0], kind=kind, source=f"misp:{galaxy}")
                actors.append(owner)
            owner.uuids.add(entry.uuid)
            by_uuid[entry.uuid] = owner
            for alias in aliases:
                owner.add(alias)
                by_alias.setdefault(alias.lower(), owner)
    return actors


def build_entries(clusters: Clusters, stoplist: frozenset[str]) -> list[dict[str, object]]:
    """JSONL entries, one per alias: an actor's own name stays its own, else the first actor wins."""
    words = english_words()
    actors = gather(clusters)
    owner = {actor.name: actor for actor in reversed(actors)}
    seen: set[str] = set()
    entries: list[dict[str, object]] = []
    for actor in actors:
        for alias in actor.aliases:
            if alias in seen or owner.get(alias, actor) is not actor:
                continue
            seen.add(alias)
            entry: dict[str, object] = {
                "label": "THREAT_ACTOR",
                "pattern": alias,
                "id": actor.name,
                "source": actor.source,
                "kind": actor.kind,
            }
            if is_context_only(alias, words, stoplist):
                entry["context_only"] = True
            entries.append(entry)
    return entries


def main() -> int:
    clusters = Clusters()
    stoplist = frozenset(a.lower() for a in json.loads(STOPLIST.read_text(encoding="utf-8"))["aliases"])
    entries = build_entries(clusters, stoplist)
    versions = ", ".join(f"{g} v{clusters[g].version}" for g in (*GROUP_GALAXIES, RANSOMWARE_GALAXY))
    header = (
        f"# generated by scripts/build_gazetteers.py from pymispgalaxies {metadata.version('pymispgalaxies')}"
        f" (MISP galaxies: {versions}); do not edit by hand\n"
    )
    lines = [json.dumps(e, ensure_ascii=False) for e in entries]
    OUT.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    direct = sum(1 for e in entries if not e.get("context_only"))
    print(f"wrote {len(entries)} aliases ({direct} matched directly) to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
