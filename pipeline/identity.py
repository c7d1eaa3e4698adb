"""What an incident is known by: the identity keys of a per-article record, weighed in its batch.

Reports of one incident rarely agree on the victim's name, and many name none: the incident is
known by a malware or campaign family, an actor, a CVE, a product, a count, or a word only its
reports use. A `Profile` gathers these keys, typed `kind:value`, from the record's headline,
lead (its description) and first evidence sentences, each with a salience (headline 1, lead
0.6, body 0.3), and the counts of the words of that text. `Batch` weighs them: a key by how
many reports carry it outside the time span in question (a vendor's name, a country turn up
all year; an outbreak's name crowds one month), a word by TF-IDF.

Names are the words a report writes capitalised inside a sentence (or with inner capitals or
digits: "DarkVole", "0day"), unless the batch mostly writes them in lower case (a capitalised
word at a clause start); runs of them are phrases ("Tessaly Foods"). A galaxy name (case as
written) or a name the text calls malware ("X ransomware") is a typed `malware:` or `actor:`
key. Never keys: the publisher (the URL's host), outlets, security firms and authorities that
report incidents (gazetteer role hints), calendar words and generic tech terms
(`data/identity.json`).
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import Any, NamedTuple

from extractors._gazetteer import load_gazetteer
from pipeline.normalize import name_key
from schemas.incident import IncidentRecord

__all__ = ["Batch", "Profile", "profile"]

HEADLINE, LEAD, BODY = 1.0, 0.6, 0.3
RARITY_POWER = 1.5
NOMINAL_BATCH = 1000  # key counts are taken as in a batch of at least this many records ...
SCALED_FROM = 300  # ... scaled up from batches of at least this many (tinier ones say too little)
BODY_SENTENCES = 10  # evidence sentences read beyond the lead: the article's first ones
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
    """Galaxy names that stand on their own, as written (matched case-sensitively, as the actor
    extractor does: a galaxy may list a common word in odd capitals), to their typed canonical
    key (an alias -> "malware:<family id>" or "actor:<group id>")."""
    excluded = {name.lower() for name in _vocabulary()["not_families"]}
    return {
        e["pattern"]: ("malware:" if e.get("kind") == "ransomware" else "actor:") + e["id"].lower()
        for e in load_gazetteer("threat_actors")
        if not e.get("context_only") and e["pattern"].lower() not in excluded
    }


@cache
def _reporters() -> frozenset[str]:
    """Names of those who report on incidents rather than suffer them (outlets, security firms,
    regulators, police: the gazetteer's role hints), lower-cased: no identity of an incident."""
    roles = set(_vocabulary()["reporter_roles"])
    return frozenset(
        " ".join(t.plain for t in _tokens(e["pattern"]))
        for e in load_gazetteer("companies")
        if e.get("role_hint") in roles
    )


def _title_case(tokens: Sequence[_Token]) -> bool:
    """A line written in title case (a headline repeated in the text): its capitals name nothing."""
    long = [t for t in tokens if len(t.word) > 3 and t.word.isalpha()]
    return len(long) >= 3 and sum(t.capital for t in long) > 0.6 * len(long)


def headline(record: IncidentRecord) -> str:
    """The article's title without the outlet's tail ("... | Outlet"), else its URL's last words."""
    source = record.sources[0]
    title = source.title or record.incident.title
    if title:
        return _TITLE_TAIL.sub("", title.strip())
    slug = (source.url or "").rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"[-_+]+", " ", re.sub(r"\.\w+$", "", slug))


def _host_words(record: IncidentRecord) -> set[str]:
    match = re.match(r"\w+://(?:www\.)?([^/:]+)", record.sources[0].url or "")
    return set(match.group(1).lower().split(".")) if match else set()


class _Token(NamedTuple):
    word: str  # as written
    plain: str  # lower-cased, without a possessive 's
    inner: bool  # inner capitals, or digits with letters ("DarkVole", "0day"): a name anywhere
    capital: bool


@lru_cache(maxsize=1 << 18)
def _token(word: str) -> _Token:
    lower = word.lower()
    rest = word[1:]
    inner = rest != rest.lower() or (
        not word.isalpha() and any(c.isdigit() for c in word) and any(c.isalpha() for c in word)
    )
    return _Token(word, lower[:-2] if lower.endswith("'s") else lower, inner, word[0].isupper())


def _tokens(text: str) -> list[_Token]:
    return [_token(word) for word in _WORD.findall(text.replace("’", "'"))]


def _is_name(token: _Token, first: bool) -> bool:
    """Written as a name: capitalised after a sentence's first word, or with inner capitals or
    digits anywhere."""
    return token.inner or (token.capital and not first)


@dataclass(frozen=True)
class Profile:
    """A record's identity keys (typed, `kind:value`, with salience) and text."""

    day: int | None
    keys: dict[str, float]
    text: Counter[str]
    headline_parties: frozenset[str]
    acronyms: dict[str, float]  # names written in capitals ("HDOT"), with their salience
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
    found = {t.strip() for t in (record.sources[0].title, title) if t and len(t.strip()) > 10}
    lines = sorted(found, key=lambda line: (-len(line), line))

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
            if len(body) == BODY_SENTENCES:
                break
    return [(HEADLINE, [title] if title else []), (LEAD, lead), (BODY, body)]


def _runs(
    tokens: Sequence[_Token], title_case: bool, written: set[str], excluded: frozenset[str]
) -> list[tuple[list[str], str]]:
    """Maximal runs of name words, as written, in a sentence ("Tessaly Foods", "Harlow DOT"),
    each with the word after it. In a title-case line capitals say little: a word there is a
    name where the report's own sentences write it as one (`written`), or with inner capitals
    or digits. (A sentence's first word is no name: measured on CASIE dev, taking it as one
    when a name or "ransomware" follows joined more different incidents than it found.)"""
    runs: list[tuple[list[str], str]] = []
    current: list[str] = []
    for n, t in enumerate(tokens):
        named = (t.inner or t.plain in written) if title_case else _is_name(t, n == 0)
        if named and t.plain not in excluded and not t.plain.isdigit():
            current.append(t.word[:-2] if t.word.endswith("'s") else t.word)
            continue
        if current:
            runs.append((current, t.plain))
        current = []
    if current:
        runs.append((current, ""))
    return runs


@cache
def _aliases() -> dict[str, str]:
    """Every galaxy name, lower-cased, to its typed canonical key: for a name the text itself
    calls malware ("DVole ransomware"), where a name that is no family on its own may be one."""
    excluded = {name.lower() for name in _vocabulary()["not_families"]}
    out: dict[str, str] = {}
    for e in load_gazetteer("threat_actors"):
        if e["pattern"].lower() not in excluded:
            kind = "malware:" if e.get("kind") == "ransomware" else "actor:"
            out.setdefault(e["pattern"].lower(), kind + e["id"].lower())
    return out


def _name_keys(run: list[str], salience: float, put: Callable[[str, float], None]) -> None:
    """Keys of one run of names: each galaxy family or actor in it (typed), and the words
    between them, as a phrase and one by one; a reporter's name in it is no key."""
    families = _families()
    reporters = _reporters()
    plain: list[str] = []

    def flush() -> None:
        if len(plain) > 1:
            put("name:" + " ".join(plain), salience)
        for w in plain:
            put("name:" + w, salience)
        plain.clear()

    start = 0
    while start < len(run):
        end, phrase = next(
            (
                (e, phrase)
                for e in range(min(len(run), start + 4), start, -1)
                if (phrase := " ".join(run[start:e])) in families or phrase.lower() in reporters
            ),
            (None, ""),
        )
        if end is None:
            plain.append(run[start].lower())
            start += 1
            continue
        flush()
        if phrase in families:
            put(families[phrase], salience)
        start = end
    flush()


def profile(record: IncidentRecord) -> Profile:
    """The record's keys and text, before batch weighing (`Batch` confirms the names)."""
    vocab = _vocabulary()
    stop = frozenset(vocab["stop_words"])
    malware_nouns = frozenset(vocab["malware_nouns"])
    title = headline(record)
    parts = [
        (salience, [t for t in map(_tokens, sentences) if salience == HEADLINE or not _title_case(t)])
        for salience, sentences in _parts(record, title)
    ]
    written: set[str] = set()
    lower: set[str] = set()
    for _, sentences in parts[1:]:
        for tokens in sentences:
            written.update(t.plain for n, t in enumerate(tokens) if _is_name(t, n == 0))
            lower.update(t.word for t in tokens if t.word.islower())
    excluded = stop | frozenset(vocab["generic_terms"]) | _host_words(record)
    keys: dict[str, float] = {}

    def put(key: str, salience: float) -> None:
        if salience > keys.get(key, 0.0):
            keys[key] = salience

    text: Counter[str] = Counter()
    acronyms: dict[str, float] = {}
    for salience, sentences in parts:
        weight = 2 if salience == HEADLINE else 1
        for tokens in sentences:
            for t in tokens:
                if len(t.plain) > 2 and t.plain not in stop and not t.plain.isdigit():
                    text[t.plain] += weight
                if 3 <= len(t.word) <= 6 and t.word.isupper() and t.word.isalpha():
                    acronyms[t.plain] = max(acronyms.get(t.plain, 0.0), salience)
                if t.plain.startswith("cve-") and _CVE.fullmatch(t.word):
                    put("cve:" + t.word.upper(), salience)
            title_case = salience == HEADLINE and _title_case(tokens)
            for run, after in _runs(tokens, title_case, written, excluded):
                _name_keys(run, salience, put)
                if after in malware_nouns:
                    name = " ".join(run[-2:]).lower()
                    put(_aliases().get(name, "malware:" + name), salience)
    for actor in record.threat_actors:
        if not any(w.islower() for w in actor.name.split()):
            put(_families().get(actor.name, "actor:" + actor.name.lower()), LEAD)
    for software in record.compromised_software:
        for cve in software.cves:
            put("cve:" + cve.upper(), BODY)
    parties = _parties(record, title, stop, put)
    if record.records_affected and record.records_affected >= vocab["min_count"]:
        put(f"count:{record.records_affected}", LEAD)
    lowered = f" {title.lower()} "
    return Profile(
        day=_day(record),
        keys=keys,
        text=text,
        headline_parties=frozenset(parties),
        acronyms=acronyms,
        vulnerability=record.type == "Vulnerability",
        follow_up=any(f" {cue}" in lowered for cue in vocab["follow_up_cues"]),
        names_written=frozenset(written),
        lower_written=frozenset(lower),
    )


def _parties(
    record: IncidentRecord, title: str, stop: frozenset[str], put: Callable[[str, float], None]
) -> set[str]:
    """Put the breached parties' keys (headline, else lead for the first, else body); return
    those the headline names by a proper name (not "Harlow hospital")."""
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
    return parties


def _initials(party: str) -> set[str]:
    """Initials of a party's name of three words or more, with and without its function words
    ("harlow department of transport" -> "hdot", "hdt")."""
    words = party.split()
    if len(words) < 3:
        return set()
    function = frozenset(_vocabulary()["stop_words"])
    return {"".join(w[0] for w in words), "".join(w[0] for w in words if w not in function)}


class Batch:
    """Key and word weights over one batch of profiles (the same for any order of it): `add`
    each profile, then `close`.

    A key's weight in a pair is its rarity outside the pair's time span: how many records
    carry it more than `span_days` before or after. A name every report of one outbreak
    carries in the same weeks stays rare by that measure, while a vendor's name that turns up
    all year does not, so the reports of big incidents still meet on their name.
    """

    def __init__(self, span_days: int) -> None:
        self.span = span_days
        self.size = 0
        self.capital: Counter[str] = Counter()
        self.lower: Counter[str] = Counter()
        self.word_df: Counter[str] = Counter()
        self.parties: dict[str, set[str]] = {}

    def add(self, p: Profile) -> Profile:
        """Count `p` in; returns it without what only the counts need (memory grows with the
        batch, so each profile keeps only what pairs are weighed with)."""
        self.size += 1
        self.capital.update(p.names_written)
        self.lower.update(p.lower_written)
        self.word_df.update(p.text.keys())
        for key in p.keys:
            if key.startswith("party:"):
                for initials in _initials(key[6:]):
                    self.parties.setdefault(initials, set()).add(key)
        return replace(p, names_written=frozenset(), lower_written=frozenset())

    def close(self, profiles: Sequence[Profile]) -> None:
        """Settle the weights once every profile of the batch is added."""
        self.scale = math.log(max(self.size, NOMINAL_BATCH))
        self.per_record = max(1.0, NOMINAL_BATCH / max(self.size, SCALED_FROM))
        share = _vocabulary()["lower_share"]
        self.common = frozenset(w for w, n in self.lower.items() if n > self.capital.get(w, 0) * share)
        self.expansions = {a: next(iter(full)) for a, full in self.parties.items() if len(full) == 1}
        del self.capital, self.lower, self.parties
        days: dict[str, list[int]] = {}
        for p in profiles:
            if p.day is not None:
                for key in self.kept(p):
                    days.setdefault(key, []).append(p.day)
        self.days = {k: sorted(v) for k, v in days.items()}

    def kept(self, p: Profile) -> dict[str, float]:
        """The profile's keys that count: names the batch mostly writes in lower case do not;
        an acronym stands for the one breached party of the batch with those initials too
        ("HDOT": "Harlow Department of Transport")."""
        keys = {
            key: salience
            for key, salience in p.keys.items()
            if not (key.startswith("name:") and key[5:] in self.common)
        }
        for acronym, salience in p.acronyms.items():
            full = self.expansions.get(acronym)
            if full and salience > keys.get(full, 0.0):
                keys[full] = salience
        return keys

    def weight(self, key: str, first: int | None, last: int | None) -> float:
        """1 for a key no dated record outside the span [first - span, last + span] carries,
        falling to 0 for one that all of `NOMINAL_BATCH` records carry: a share of the
        information, to a power so that keys of many records count for little, with the count
        scaled as if the batch had `NOMINAL_BATCH` records, so a smaller batch weighs a key as
        a larger one would. Without a span (undated reports) every dated record counts. A party
        weighs no more than its name ("Google" breached is no rarer than Google)."""
        if key.startswith("party:") and "name:" + key[6:] in self.days:
            return min(self._weight(key, first, last), self._weight("name:" + key[6:], first, last))
        return self._weight(key, first, last)

    def _weight(self, key: str, first: int | None, last: int | None) -> float:
        days = self.days.get(key, [])
        inside = 0
        if first is not None and last is not None:
            inside = bisect_right(days, last + self.span) - bisect_left(days, first - self.span)
        outside = (len(days) - inside) * self.per_record
        return max(0.0, 1.0 - math.log1p(outside) / self.scale) ** RARITY_POWER

    def vector(self, p: Profile) -> dict[str, float]:
        """Unit TF-IDF vector of the report's text, headline twice (sublinear term counts)."""
        size = max(self.size, NOMINAL_BATCH)
        v = {w: (1 + math.log(n)) * math.log(size / self.word_df[w]) for w, n in p.text.items()}
        top = sorted(v.items(), key=lambda item: (-item[1], item[0]))[:VECTOR_TERMS]
        norm = math.sqrt(sum(x * x for _, x in top)) or 1.0
        return {w: x / norm for w, x in top if x > 0}
