"""What an incident is known by: the identity keys of a per-article record, weighed in its batch.

Reports of one incident rarely agree on the victim's name, and many name none: the incident is
known by a malware or campaign family, an actor, a CVE, a product, a count, or a word only its
reports use. A `Profile` gathers these keys from the record's headline, lead (its description)
and evidence sentences, each with a salience (headline 1, lead 0.6, body 0.3), and a TF-IDF
vector of headline and lead. `Batch` weighs keys by how many records of the batch share them:
a key most reports carry (a vendor's name, a country) says little about which incident this is.

Names are the words a report writes capitalised inside a sentence (or with inner capitals or
digits: "WannaCry", "0day"), unless the batch mostly writes them in lower case (a capitalised
word at a clause start). The publisher's own name (from the URL's host) is never a key.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from extractors._gazetteer import load_gazetteer
from pipeline.normalize import name_key
from schemas.incident import IncidentRecord

__all__ = ["Batch", "Profile", "profile"]

HEADLINE, LEAD, BODY = 1.0, 0.6, 0.3
RARITY_POWER = 1.5
UNIGRAMS_AFTER_FIRST = True
VECTOR_TERMS = 60  # a report's text vector keeps its heaviest terms: bounded memory per record
_WORD = re.compile(r"[A-Za-z0-9$][A-Za-z0-9$&'’.\-]*[A-Za-z0-9$]|[A-Za-z0-9$]")
_CVE = re.compile(r"\bCVE-\d{4}-\d{4,7}\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n+")
_TITLE_TAIL = re.compile(r"\s+(?:[|•–—]|-|::)\s+[^|•–—]*$")


@cache
def _vocabulary() -> dict[str, Any]:
    text = resources.files("pipeline").joinpath("data", "identity.json").read_text("utf-8")
    return json.loads(text)


@cache
def _families() -> dict[str, str]:
    """Galaxy names that stand on their own, lower-cased, to their typed canonical key
    ("wannacrypt" -> "malware:wannacry", "fancy bear" -> "actor:apt28"); matched against a
    report's names, so only where the report writes them as one."""
    return {
        e["pattern"].lower(): ("malware:" if e.get("kind") == "ransomware" else "actor:") + e["id"].lower()
        for e in load_gazetteer("threat_actors")
        if not e.get("context_only")
    }


@cache
def _reporters() -> frozenset[str]:
    """Names of those who report on incidents rather than suffer them (outlets, security firms,
    regulators, police: the gazetteer's role hints), lower-cased: no identity of an incident."""
    roles = set(_vocabulary()["reporter_roles"])
    return frozenset(
        " ".join(_plain(w) for w in _WORD.findall(e["pattern"]))
        for e in load_gazetteer("companies")
        if e.get("role_hint") in roles
    )


def _title_case(words: Sequence[str]) -> bool:
    """A line written in title case (a headline repeated in the text): its capitals name nothing."""
    long = [w for w in words if len(w) > 3 and w.isalpha()]
    return len(long) >= 3 and sum(w[0].isupper() for w in long) > 0.6 * len(long)


def headline(record: IncidentRecord) -> str:
    """The article's title without the outlet's tail ("... | Outlet"), else its URL's last words."""
    source = record.sources[0]
    if source.title:
        return _TITLE_TAIL.sub("", source.title.strip())
    slug = (source.url or "").rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"[-_+]+", " ", re.sub(r"\.\w+$", "", slug))


def _host_words(record: IncidentRecord) -> set[str]:
    match = re.match(r"\w+://(?:www\.)?([^/:]+)", record.sources[0].url or "")
    return set(match.group(1).lower().split(".")) if match else set()


def _words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(text)]


def _plain(word: str) -> str:
    return re.sub(r"'s$", "", word.lower())


def _is_name(word: str, first: bool) -> bool:
    """Written as a name: capitalised after a sentence's first word, or with inner capitals or
    digits anywhere ("WannaCry", "0day")."""
    rest = word[1:]
    if rest != rest.lower():
        return True
    if not word.isalpha() and not word.isdigit() and any(c.isdigit() for c in word):
        return any(c.isalpha() for c in word)
    return not first and word[0].isupper()


@dataclass(frozen=True)
class Profile:
    """A record's identity keys (typed, `kind:value`, with salience) and text."""

    day: int | None
    keys: dict[str, float]
    text: Counter[str]
    headline_parties: frozenset[str]
    vulnerability: bool
    follow_up: bool
    names_written: frozenset[str] = field(default_factory=frozenset)
    lower_written: frozenset[str] = field(default_factory=frozenset)


def _day(record: IncidentRecord) -> int | None:
    d = record.dates
    value = record.sources[0].published or d.disclosed or d.reported or d.discovered or d.occurred
    return date.fromisoformat(value[:10]).toordinal() if value else None


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s.strip()]


def _parts(record: IncidentRecord, title: str) -> list[tuple[float, list[str]]]:
    """The record's text by salience: headline, lead sentences, other evidence sentences. The
    headline line the text may open with is cut from them (its capitals are no names)."""
    lines = sorted({t.strip() for t in (record.sources[0].title, title) if t and len(t.strip()) > 10}, key=len)[::-1]

    def cut(sentence: str) -> str:
        for line in lines:
            sentence = sentence.replace(line, " ")
        return sentence.strip()

    lead = [s for s in map(cut, _sentences(record.incident.description)) if s]
    seen = set(lead)
    body = []
    for e in sorted(record.evidence, key=lambda e: e.start):
        sentence = cut(e.sentence)
        if sentence and sentence not in seen:
            seen.add(sentence)
            body.append(sentence)
    return [(HEADLINE, [title] if title else []), (LEAD, lead), (BODY, body)]


def _runs(words: Sequence[str], written: set[str] | None, excluded: frozenset[str]) -> list[list[str]]:
    """Maximal runs of name words in a sentence ("Google Play", "Colorado DOT"). In a title-case
    headline (`written` given: the names the report's own sentences write) capitals say little,
    so a word there is a name where the text writes it as one, or with inner capitals or digits."""
    runs: list[list[str]] = []
    current: list[str] = []
    for n, w in enumerate(words):
        p = _plain(w)
        named = p in written or _is_name(w, True) if written is not None else _is_name(w, n == 0)
        if named and p not in excluded and not p.isdigit():
            current.append(p)
            continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    return runs


def _name_keys(run: list[str], salience: float, put: Callable[[str, float], None]) -> None:
    """Keys of one run of names: each galaxy family or actor in it (typed), and the words
    between them, as a phrase and one by one; a reporter's name in it is no key."""
    families = _families()
    reporters = _reporters()
    plain: list[str] = []

    def flush() -> None:
        if len(plain) > 1:
            put("name:" + " ".join(plain), salience)
        for n, w in enumerate(plain):
            if n == 0 or UNIGRAMS_AFTER_FIRST:
                put("name:" + w, salience)
        plain.clear()

    start = 0
    while start < len(run):
        end, phrase = next(
            (
                (e, phrase)
                for e in range(min(len(run), start + 4), start, -1)
                if (phrase := " ".join(run[start:e])) in families or phrase in reporters
            ),
            (None, ""),
        )
        if end is None:
            plain.append(run[start])
            start += 1
            continue
        flush()
        if phrase in families:
            put(families[phrase], salience)
        start = end
    flush()


def profile(record: IncidentRecord) -> Profile:
    """The record's keys before batch weighing: names are confirmed later by `Batch`."""
    vocab = _vocabulary()
    stop = frozenset(vocab["stop_words"])
    generic = frozenset(vocab["generic_terms"])
    title = headline(record)
    parts = [
        (salience, [w for w in map(_words, sentences) if salience == HEADLINE or not _title_case(w)])
        for salience, sentences in _parts(record, title)
    ]
    written: set[str] = set()
    lower: set[str] = set()
    for _, sentences in parts[1:]:
        for words in sentences:
            written.update(_plain(w) for n, w in enumerate(words) if _is_name(w, n == 0))
            lower.update(w for w in words if w.islower())
    excluded = stop | generic | _host_words(record)
    keys: dict[str, float] = {}

    def put(key: str, salience: float) -> None:
        if salience > keys.get(key, 0.0):
            keys[key] = salience

    text: Counter[str] = Counter()
    for salience, sentences in parts:
        for words in sentences:
            for w in words:
                p = _plain(w)
                if p.startswith("cve-") and _CVE.fullmatch(w):
                    put("cve:" + w.upper(), salience)
                if len(p) > 2 and p not in stop and not p.isdigit():
                    text[p] += 2 if salience == HEADLINE else 1
            in_title_case = salience == HEADLINE and _title_case(words)
            for run in _runs(words, written if in_title_case else None, excluded):
                _name_keys(run, salience, put)
    for actor in record.threat_actors:
        if not any(w.islower() for w in actor.name.split()):
            put(_families().get(actor.name.lower(), "actor:" + actor.name.lower()), LEAD)
    for software in record.compromised_software:
        for cve in software.cves:
            put("cve:" + cve.upper(), LEAD)
    parties = set()
    title_key = f" {' '.join(name_key(title))} "
    for n, entity in enumerate(record.incident.affected_entities):
        key = " ".join(name_key(entity.name))
        if not key:
            continue
        in_title = f" {key} " in title_key
        if in_title and not any(w.islower() and w not in stop for w in entity.name.split()):
            parties.add(key)
        put("party:" + key, HEADLINE if in_title else LEAD if n == 0 else BODY)
    if record.records_affected and record.records_affected >= vocab["min_count"]:
        put(f"count:{record.records_affected}", LEAD)
    lowered = f" {title.lower()} "
    return Profile(
        day=_day(record),
        keys=keys,
        text=text,
        headline_parties=frozenset(parties),
        vulnerability=record.type == "Vulnerability",
        follow_up=any(f" {cue}" in lowered for cue in vocab["follow_up_cues"]),
        names_written=frozenset(written),
        lower_written=frozenset(lower),
    )


class Batch:
    """Key and word weights over one batch of profiles (the same for any order of it).

    A key's weight in a pair is its rarity outside the pair's time span: how many records
    carry it more than `span_days` before or after. A name every report of one outbreak
    carries in the same weeks stays rare by that measure, while a vendor's name that turns up
    all year does not, so the reports of big incidents still meet on their name.
    """

    def __init__(self, profiles: Sequence[Profile], span_days: int) -> None:
        self.size = max(len(profiles), 2)
        self.span = span_days
        capital: Counter[str] = Counter()
        lower: Counter[str] = Counter()
        for p in profiles:
            capital.update(p.names_written)
            lower.update(p.lower_written)
        share = _vocabulary()["lower_share"]
        self.common = frozenset(w for w, n in lower.items() if n > capital.get(w, 0) * share)
        days: dict[str, list[int]] = {}
        undated: Counter[str] = Counter()
        for p in profiles:
            for key in self.kept(p):
                if p.day is None:
                    undated[key] += 1
                else:
                    days.setdefault(key, []).append(p.day)
        self.days = {k: sorted(v) for k, v in days.items()}
        self.undated = undated
        self.word_df = Counter(w for p in profiles for w in p.text)

    def kept(self, p: Profile) -> dict[str, float]:
        """The profile's keys that count: names the batch mostly writes in lower case do not."""
        return {
            key: salience
            for key, salience in p.keys.items()
            if not (key.startswith("name:") and key[5:] in self.common)
        }

    def weight(self, key: str, first: int | None, last: int | None) -> float:
        """1 for a key no record outside the span [first - span, last + span] carries, falling
        to 0 for one every record carries (to a power, so keys of many records count for
        little); measured as a share of the information, so it is steady across batch sizes.
        A party weighs no more than its name does ("Google" breached is no rarer than Google)."""
        if key.startswith("party:") and "name:" + key[6:] in self.days:
            return min(self._weight(key, first, last), self._weight("name:" + key[6:], first, last))
        return self._weight(key, first, last)

    def _weight(self, key: str, first: int | None, last: int | None) -> float:
        days = self.days.get(key, [])
        inside = 0
        if first is not None and last is not None:
            inside = bisect_right(days, last + self.span) - bisect_left(days, first - self.span)
        outside = len(days) - inside + self.undated.get(key, 0)
        return max(0.0, 1.0 - math.log1p(outside) / math.log(self.size)) ** RARITY_POWER

    def vector(self, p: Profile) -> dict[str, float]:
        """Unit TF-IDF vector of the report's text, headline twice (sublinear term counts)."""
        v = {w: (1 + math.log(n)) * math.log(self.size / self.word_df[w]) for w, n in p.text.items()}
        top = sorted(v.items(), key=lambda item: (-item[1], item[0]))[:VECTOR_TERMS]
        norm = math.sqrt(sum(x * x for _, x in top)) or 1.0
        return {w: x / norm for w, x in top if x > 0}
