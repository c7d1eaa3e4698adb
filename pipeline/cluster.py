"""Group per-article records into incidents, and say why each report joined its incident.

Two reports tell of one incident when they share enough of what the incident is known by
(`pipeline.identity`: names in headline and lead, the breached party, a malware or campaign
family, an actor, a CVE, a record count) and their headlines and leads read alike (TF-IDF
cosine), weighed against how far apart they were published: reports of one week need less
than reports a month apart, and beyond `WINDOW_DAYS` only a follow-up (an arrest, a charge,
an attribution, new figures) joins, within `FOLLOW_UP_DAYS`.

Links are made strongest first; a link never joins two groups whose headlines name different
breached parties (two victims of one ransomware family are two incidents), nor a flaw's reports
to a later attack's (a flaw and the campaign exploiting it stay apart).

Candidate pairs come from an inverted index of the keys, within the time window, and keys that
a large share of the batch carries make no candidates (`MAX_POSTINGS`), so the work grows with
the number of records, not its square. Every step is ordered by the records' anchor order,
so any input order gives the same incidents.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.identity import HEADLINE, LEAD, Batch, Profile, profile
from pipeline.merge import anchor_order, merge_records
from schemas.incident import IncidentRecord, JoinReason

__all__ = ["FOLLOW_UP_DAYS", "WINDOW_DAYS", "cluster_records", "merge_records"]

WINDOW_DAYS = 45
WEEK_DAYS = 7
FOLLOW_UP_DAYS = 400
MAX_POSTINGS = 60
KIND_WEIGHT = {"name": 1.0, "party": 1.0, "malware": 2.0, "actor": 0.7, "cve": 1.5, "count": 1.0}
KEY_FACTORS = (1.0, 0.5, 0.25)  # the strongest shared key counts fully, the next ones less
COSINE_WEIGHT = 2.0
OFF_HEADLINE = 1.0  # factor of a key neither headline carries
WEEK_SCORE = 1.0
MONTH_SCORE = 2.0
FOLLOW_UP_SCORE = 1.3
SUBJECT_DISCOUNT = 0.0  # taken off MONTH_SCORE when both headlines name one subject
OTHER_TYPE_SCORE = 0.4
SUBJECT_RARITY = 0.3
SUBJECT_RARE = 0.8
FOREIGN_KINDS = ("name:", "party:", "malware:")
FOREIGN_SUBJECTS_SCORE = 0.5  # added when each headline names a rare subject the other report lacks  # added when the two reports' incident types differ
LINKAGE = 0.5  # two groups join when this share of the smaller one links to the other
_SUBJECT_KINDS = ("name:", "party:", "malware:", "cve:")


@dataclass
class _Node:
    record: IncidentRecord
    profile: Profile
    keys: dict[str, float]
    vector: dict[str, float]


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


def _span(a: _Node, b: _Node) -> tuple[int | None, int | None, int | None]:
    days = [d for d in (a.profile.day, b.profile.day) if d is not None]
    if len(days) < 2:
        return None, None, None
    return min(days), max(days), max(days) - min(days)


def _score(a: _Node, b: _Node, batch: Batch) -> tuple[float, list[tuple[str, float]]]:
    """The pair's score and its parts, largest first: the shared keys (at least one report
    has it in headline or lead), weighed by kind, salience and rarity, and "text"."""
    first, last, _ = _span(a, b)
    shared = sorted(
        (
            (
                KIND_WEIGHT[key.split(":", 1)[0]]
                * min(a.keys[key], b.keys[key])
                * (1.0 if max(a.keys[key], b.keys[key]) == HEADLINE else OFF_HEADLINE)
                * batch.weight(key, first, last),
                key,
            )
            for key in a.keys.keys() & b.keys.keys()
            if max(a.keys[key], b.keys[key]) >= LEAD
        ),
        reverse=True,
    )
    parts = [(key, value * factor) for (value, key), factor in zip(shared, KEY_FACTORS, strict=False)]
    parts.append(("text", COSINE_WEIGHT * _cosine(a.vector, b.vector)))
    parts = sorted((p for p in parts if p[1] > 0.005), key=lambda p: (-p[1], p[0]))
    return sum(v for _, v in parts), parts


def _headline_subject(a: _Node, b: _Node, batch: Batch | None = None) -> bool:
    """Both headlines carry one name, party, malware or CVE (with `batch`: a rare one)."""
    first, last, _ = _span(a, b)
    return any(
        key.startswith(_SUBJECT_KINDS)
        and b.keys.get(key) == HEADLINE
        and (batch is None or batch.weight(key, first, last) >= SUBJECT_RARE)
        for key, salience in a.keys.items()
        if salience == HEADLINE
    )


def _foreign_subject(a: _Node, b: _Node, batch: Batch, first: int | None, last: int | None) -> bool:
    """`a`'s headline names a rare subject (a single-word name, a breached party or a malware
    family) none of whose words `b` uses in any key."""
    words = {w for key in b.keys for w in key.split(":", 1)[1].split()}
    for key, salience in a.keys.items():
        if salience < HEADLINE or not key.startswith(FOREIGN_KINDS):
            continue
        kind, value = key.split(":", 1)
        if kind == "name" and " " in value:
            continue
        if not set(value.split()) & words and batch.weight(key, first, last) >= SUBJECT_RARITY:
            return True
    return False


def _needed(a: _Node, b: _Node, batch: Batch | None = None) -> float | None:
    """The score that joins the pair, or None when nothing may: a flaw's report and an
    attack's apart by more than a week, two flaws' reports more than a week apart without a
    shared CVE, or reports more than `WINDOW_DAYS` apart unless the later one's headline
    follows up on the subject of the earlier one's."""
    _, _, gap = _span(a, b)
    vulnerable = a.profile.vulnerability + b.profile.vulnerability
    other = OTHER_TYPE_SCORE if a.record.type != b.record.type and not _shares(a, b, "malware:") else 0.0
    if gap is None or gap <= WEEK_DAYS:
        return (WEEK_SCORE if gap is not None else MONTH_SCORE) + other
    if vulnerable == 1 or (vulnerable == 2 and not _shares(a, b, "cve:")):
        return None
    if gap <= WINDOW_DAYS:
        return MONTH_SCORE + other - (SUBJECT_DISCOUNT if _headline_subject(a, b, batch) else 0.0)
    later = a if (a.profile.day or 0) > (b.profile.day or 0) else b
    if gap <= FOLLOW_UP_DAYS and later.profile.follow_up and _headline_subject(a, b):
        return FOLLOW_UP_SCORE + other
    return None


def _shares(a: _Node, b: _Node, kind: str) -> bool:
    return any(key.startswith(kind) and key in b.keys for key in a.keys)


def _candidates(nodes: Sequence[_Node]) -> set[tuple[int, int]]:
    """Pairs sharing a headline or lead key, within `FOLLOW_UP_DAYS` of each other; a key
    carried by more than `MAX_POSTINGS` records in such a span makes no candidates."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        for key, salience in node.keys.items():
            if salience >= LEAD:
                postings[key].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in postings.values():
        dated = sorted((nodes[i].profile.day or 0, i) for i in members)
        days = [d for d, _ in dated]
        for n, (day, i) in enumerate(dated):
            end = bisect_right(days, day + FOLLOW_UP_DAYS)
            if end - n > MAX_POSTINGS:
                continue
            for _, j in dated[n + 1 : end]:
                pairs.add((min(i, j), max(i, j)))
    return pairs


class _Groups:
    """Union-find over record indexes, keeping each group's members, the breached parties
    its headlines name and the names its headlines and leads carry."""

    def __init__(self, nodes: Sequence[_Node], links: dict[int, set[int]]) -> None:
        self.parent = list(range(len(nodes)))
        self.members = [[i] for i in range(len(nodes))]
        self.parties = [set(n.profile.headline_parties) for n in nodes]
        self.words = [{w for k, s in n.keys.items() if s >= LEAD for w in k.split(":", 1)[1].split()} for n in nodes]
        self.links = links

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def joinable(self, i: int, j: int) -> bool:
        """Groups `i` and `j` may join: unless each group's headlines name a breached party the
        other's headlines and leads never mention (two victims of one ransomware family are
        two incidents), and when enough of the smaller group links to the other (no chains of
        weak links)."""
        if self._apart(i, j) and self._apart(j, i):
            return False
        small, large = sorted((i, j), key=lambda g: len(self.members[g]))
        inside = set(self.members[large])
        linked = sum(1 for m in self.members[small] if self.links[m] & inside)
        return linked >= LINKAGE * len(self.members[small])

    def _apart(self, i: int, j: int) -> bool:
        """Group `i`'s headlines name a party and group `j` mentions none of them."""
        return bool(self.parties[i]) and not any(set(p.split()) <= self.words[j] for p in self.parties[i])

    def union(self, i: int, j: int) -> None:
        keep, gone = min(i, j), max(i, j)
        self.parent[gone] = keep
        self.parties[keep] |= self.parties[gone]
        self.words[keep] |= self.words[gone]
        self.members[keep] += self.members[gone]
        self.members[gone] = []


def _same(a: str, b: str) -> bool:
    """Two party keys name one party: equal, or one's words run inside the other's."""
    short, long = sorted((f" {a} ", f" {b} "), key=len)
    return short in long


Scored = dict[tuple[int, int], tuple[float, list[tuple[str, float]]]]


def _link(nodes: Sequence[_Node], batch: Batch) -> tuple[_Groups, Scored]:
    scored: Scored = {}
    for i, j in _candidates(nodes):
        needed = _needed(nodes[i], nodes[j], batch)
        if needed is None:
            continue
        first, last, _ = _span(nodes[i], nodes[j])
        if _foreign_subject(nodes[i], nodes[j], batch, first, last) and _foreign_subject(
            nodes[j], nodes[i], batch, first, last
        ):
            needed += FOREIGN_SUBJECTS_SCORE
        score, parts = _score(nodes[i], nodes[j], batch)
        if score >= needed:
            scored[(i, j)] = (score, parts)
    links: dict[int, set[int]] = defaultdict(set)
    for i, j in scored:
        links[i].add(j)
        links[j].add(i)
    groups = _Groups(nodes, links)
    for (i, j), _ in sorted(scored.items(), key=lambda item: (-item[1][0], item[0])):
        ri, rj = groups.find(i), groups.find(j)
        if ri != rj and groups.joinable(ri, rj):
            groups.union(ri, rj)
    return groups, scored


def _reasons(members: list[int], nodes: Sequence[_Node], scored: Scored) -> list[JoinReason]:
    """For each report but the anchor, its strongest link to another report of the group."""
    inside = set(members)
    links: dict[int, list[tuple[float, int, list[tuple[str, float]]]]] = defaultdict(list)
    for (a, b), (score, parts) in scored.items():
        if a in inside and b in inside:
            links[a].append((score, -b, parts))
            links[b].append((score, -a, parts))
    out = []
    for i in members[1:]:
        score, other, parts = max(links[i], key=lambda link: link[:2])
        other = -other
        out.append(
            JoinReason(
                article_id=nodes[i].record.sources[0].article_id,
                joined=nodes[other].record.sources[0].article_id,
                score=round(score, 3),
                shared=[f"{key} ({value:.2f})" for key, value in parts[:6]],
            )
        )
    return out


def cluster_records(records: Iterable[IncidentRecord]) -> list[IncidentRecord]:
    """One record per incident, each absorbed report with the reason it joined."""
    ordered = sorted(records, key=anchor_order)
    profiles = [profile(r) for r in ordered]
    batch = Batch(profiles, WINDOW_DAYS)
    nodes = [_Node(r, p, batch.kept(p), batch.vector(p)) for r, p in zip(ordered, profiles, strict=True)]
    groups, scored = _link(nodes, batch)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(nodes)):
        members[groups.find(i)].append(i)
    merged = []
    for group in members.values():
        record = merge_records([nodes[i].record for i in group])
        if len(group) > 1:
            record = record.model_copy(update={"joins": _reasons(group, nodes, scored)})
        merged.append(record)
    return sorted(merged, key=lambda r: r.id)
