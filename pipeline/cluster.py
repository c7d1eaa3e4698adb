"""Group per-article records into incidents, and say why each report joined its incident.

Two reports tell of one incident when they share enough of what the incident is known by
(`pipeline.identity`: names in headline and lead, the breached party, a malware or campaign
family, an actor, a CVE, a record count) and their text reads alike (TF-IDF cosine), weighed
against how far apart they were published: reports of one week need a score of `WEEK_SCORE`,
reports up to `WINDOW_DAYS` apart `MONTH_SCORE`, and beyond that only a follow-up joins (a
headline about an arrest, a charge, an attribution, new figures, on the subject of the earlier
headline), within `FOLLOW_UP_DAYS`. What keeps incidents apart:

* a flaw's report and an attack's report join only through a shared malware family, CVE or
  count (a flaw and a later campaign that exploits it stay apart), and two flaws' reports more
  than a week apart only through a shared CVE (one vendor's patch releases are many incidents);
* reports whose headlines each name a rare subject the other report never mentions need more;
* links are made strongest first, and a link never joins two groups whose headlines each name
  a breached party the other group never mentions (two victims of one ransomware family), nor
  a single report to a group of `LONE_LINKS_FROM` or more it resembles in only one report, nor
  groups less than `LINKAGE` of the smaller of which links to the other (no chains).

Candidate pairs come from an inverted index of the headline and lead keys within
`FOLLOW_UP_DAYS`; a key more than `MAX_POSTINGS` records carry in such a span makes no
candidates, so the work grows with the number of records, not its square. Every step runs in
the records' anchor order with ties broken by it, so any input order gives the same incidents.
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

WEEK_DAYS = 7
WINDOW_DAYS = 45
FOLLOW_UP_DAYS = 400
MAX_POSTINGS = 60
KIND_WEIGHT = {"name": 1.0, "party": 1.0, "malware": 2.0, "actor": 0.7, "cve": 1.5, "count": 1.0}
KEY_FACTORS = (1.0, 0.5, 0.25)  # the strongest shared key counts fully, the next two less
COSINE_WEIGHT = 2.0
WEEK_SCORE = 1.0
MONTH_SCORE = 2.0
UNDATED_SCORE = 1.5  # a report without a date may be of any week
FOLLOW_UP_SCORE = 1.3
OTHER_TYPE_SCORE = 0.2  # added when the reports' incident types differ and no malware is shared
FOREIGN_SUBJECTS_SCORE = 0.5  # added when each headline names a rare subject the other lacks
SUBJECT_RARITY = 0.3  # the weight from which a headline subject counts as rare
LONE_LINKS_FROM = 3
LINKAGE = 0.5
_IDENTITY_KINDS = ("malware", "cve", "count")  # what may join a flaw's report to an attack's
_SUBJECT_KINDS = ("name", "party", "malware", "cve")
_FOREIGN_KINDS = ("name", "party", "malware")

Parts = list[tuple[str, float]]
Scored = dict[tuple[int, int], tuple[float, float, Parts]]  # score, needed, parts
Link = tuple[float, int, float, Parts]  # score, the other report, needed, parts


@dataclass
class _Node:
    """What clustering needs of a record (its profile's text is dropped once weighed)."""

    record: IncidentRecord
    day: int | None
    keys: dict[str, float]  # the keys `Batch` keeps, with their salience
    vector: dict[str, float]
    kinds: dict[str, set[str]]  # keys by kind
    words: frozenset[str]  # the words of all its keys
    subjects: list[str]  # headline keys as written that may be foreign to another report
    headline_parties: frozenset[str]
    vulnerability: bool
    follow_up: bool


def _node(record: IncidentRecord, p: Profile, batch: Batch) -> _Node:
    keys = batch.kept(p)
    kinds: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        kinds[key.split(":", 1)[0]].add(key)
    subjects = [
        key
        for key, salience in p.keys.items()
        if salience == HEADLINE
        and key in keys
        and (kind := key.split(":", 1)[0]) in _FOREIGN_KINDS
        and not (kind == "name" and " " in key)
    ]
    return _Node(
        record=record,
        day=p.day,
        keys=keys,
        vector=batch.vector(p),
        kinds=dict(kinds),
        words=frozenset(w for key in keys for w in key.split(":", 1)[1].split()),
        subjects=subjects,
        headline_parties=p.headline_parties,
        vulnerability=p.vulnerability,
        follow_up=p.follow_up,
    )


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


def _span(a: _Node, b: _Node) -> tuple[int | None, int | None, int | None]:
    """First and last day of the pair and the days between (None where undated)."""
    days = [d for d in (a.day, b.day) if d is not None]
    if not days:
        return None, None, None
    return min(days), max(days), max(days) - min(days) if len(days) == 2 else None


def _shares(a: _Node, b: _Node, *kinds: str) -> bool:
    return any(a.kinds.get(kind, set()) & b.kinds.get(kind, set()) for kind in kinds)


def _score(a: _Node, b: _Node, batch: Batch) -> tuple[float, Parts]:
    """The pair's score and its parts, largest first: the three strongest shared keys that at
    least one report carries in headline or lead (by kind x the lower salience x rarity),
    and "text", the cosine of the two text vectors."""
    first, last, _ = _span(a, b)
    shared = sorted(
        (
            (
                KIND_WEIGHT[key.split(":", 1)[0]]
                * min(a.keys[key], b.keys[key])
                * batch.weight(key, first, last),
                key,
            )
            for key in a.keys.keys() & b.keys.keys()
            if max(a.keys[key], b.keys[key]) >= LEAD
        ),
        key=lambda part: (-part[0], part[1]),
    )
    parts = [(key, value * factor) for (value, key), factor in zip(shared, KEY_FACTORS, strict=False)]
    parts.append(("text", COSINE_WEIGHT * _cosine(a.vector, b.vector)))
    parts = sorted((p for p in parts if p[1] > 0.005), key=lambda p: (-p[1], p[0]))
    return sum(v for _, v in parts), parts


def _headline_subject(a: _Node, b: _Node) -> bool:
    """Both headlines carry one name, party, malware or CVE."""
    return any(
        salience == HEADLINE and key.split(":", 1)[0] in _SUBJECT_KINDS and b.keys.get(key) == HEADLINE
        for key, salience in a.keys.items()
    )


def _foreign_subject(a: _Node, b: _Node, batch: Batch, first: int | None, last: int | None) -> bool:
    """`a`'s headline names a rare subject (a one-word name, a breached party, a malware family;
    as the report writes it, not as an acronym's expansion) none of whose words any key of `b`
    has."""
    return any(
        b.words.isdisjoint(key.split(":", 1)[1].split()) and batch.weight(key, first, last) >= SUBJECT_RARITY
        for key in a.subjects
    )


def _needed(a: _Node, b: _Node, batch: Batch) -> float | None:
    """The score that joins the pair, or None when nothing may (see the module's docstring)."""
    first, last, gap = _span(a, b)
    flaws = a.vulnerability + b.vulnerability
    if flaws == 1 and not _shares(a, b, *_IDENTITY_KINDS):
        return None
    needed = OTHER_TYPE_SCORE if a.record.type != b.record.type and not _shares(a, b, "malware") else 0.0
    if _foreign_subject(a, b, batch, first, last) and _foreign_subject(b, a, batch, first, last):
        needed += FOREIGN_SUBJECTS_SCORE
    if gap is None:
        return needed + UNDATED_SCORE
    if gap <= WEEK_DAYS:
        return needed + WEEK_SCORE
    if flaws == 1 or (flaws == 2 and not _shares(a, b, "cve")):
        return None
    if gap <= WINDOW_DAYS:
        return needed + MONTH_SCORE
    later = a if (a.day or 0) > (b.day or 0) else b
    if gap <= FOLLOW_UP_DAYS and later.follow_up and _headline_subject(a, b):
        return needed + FOLLOW_UP_SCORE
    return None


def _candidates(nodes: Sequence[_Node]) -> set[tuple[int, int]]:
    """Pairs sharing a headline or lead key, within `FOLLOW_UP_DAYS` of each other (a report
    without date pairs with the others of a key of at most `MAX_POSTINGS` records); a key more
    than `MAX_POSTINGS` records carry in such a span makes no candidates."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        for key, salience in node.keys.items():
            if salience >= LEAD:
                postings[key].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in postings.values():
        if len(members) <= MAX_POSTINGS:
            undated = [i for i in members if nodes[i].day is None]
            pairs.update((min(i, j), max(i, j)) for i in undated for j in members if i != j)
        dated = sorted((day, i) for i in members if (day := nodes[i].day) is not None)
        days = [d for d, _ in dated]
        for n, (day, i) in enumerate(dated):
            end = bisect_right(days, day + FOLLOW_UP_DAYS)
            if end - n > MAX_POSTINGS:
                continue
            pairs.update((min(i, j), max(i, j)) for _, j in dated[n + 1 : end])
    return pairs


class _Groups:
    """Union-find over record indexes, with each group's members, the breached parties its
    headlines name, and the words of its headline and lead keys."""

    def __init__(self, nodes: Sequence[_Node], links: dict[int, set[int]]) -> None:
        self.parent = list(range(len(nodes)))
        self.members = [[i] for i in range(len(nodes))]
        self.parties = [set(n.headline_parties) for n in nodes]
        self.words = [
            {w for key, s in n.keys.items() if s >= LEAD for w in key.split(":", 1)[1].split()} for n in nodes
        ]
        self.links = links

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def joinable(self, i: int, j: int) -> bool:
        """Roots `i` and `j` may join (see the module's docstring)."""
        if self._apart(i, j) and self._apart(j, i):
            return False
        small, large = sorted((i, j), key=lambda g: (len(self.members[g]), g))
        inside = set(self.members[large])
        if len(self.members[small]) == 1 and len(inside) >= LONE_LINKS_FROM:
            return len(self.links[self.members[small][0]] & inside) >= 2
        linked = sum(1 for m in self.members[small] if self.links[m] & inside)
        return linked >= LINKAGE * len(self.members[small])

    def _apart(self, i: int, j: int) -> bool:
        """Group `i`'s headlines name a breached party and group `j` mentions none of them."""
        return bool(self.parties[i]) and not any(set(p.split()) <= self.words[j] for p in self.parties[i])

    def union(self, i: int, j: int) -> None:
        keep, gone = min(i, j), max(i, j)
        self.parent[gone] = keep
        self.parties[keep] |= self.parties[gone]
        self.words[keep] |= self.words[gone]
        self.members[keep] += self.members[gone]
        self.members[gone] = []


def _link(nodes: Sequence[_Node], batch: Batch) -> tuple[_Groups, Scored]:
    """The groups, and the links that made them (a tree per group) with score, needed, parts."""
    scored: Scored = {}
    for i, j in _candidates(nodes):
        needed = _needed(nodes[i], nodes[j], batch)
        if needed is not None:
            score, parts = _score(nodes[i], nodes[j], batch)
            if score >= needed:
                scored[(i, j)] = (score, needed, parts)
    links: dict[int, set[int]] = defaultdict(set)
    for i, j in scored:
        links[i].add(j)
        links[j].add(i)
    groups = _Groups(nodes, links)
    used: Scored = {}
    for pair, link in sorted(scored.items(), key=lambda item: (-item[1][0], item[0])):
        ri, rj = groups.find(pair[0]), groups.find(pair[1])
        if ri != rj and groups.joinable(ri, rj):
            groups.union(ri, rj)
            used[pair] = link
    return groups, used


def _reasons(members: list[int], nodes: Sequence[_Node], tree: dict[int, list[Link]]) -> list[JoinReason]:
    """Why each report but the anchor joined, in report order: the link that brought it into
    the group, read from the anchor outwards, so every reason leads back to the anchor."""
    reasons: dict[int, JoinReason] = {}
    todo = [members[0]]
    while todo:
        i = todo.pop(0)
        for score, j, needed, parts in sorted(tree[i], key=lambda link: link[1]):
            if j == members[0] or j in reasons:
                continue
            todo.append(j)
            reasons[j] = JoinReason(
                article_id=nodes[j].record.sources[0].article_id,
                joined=nodes[i].record.sources[0].article_id,
                score=round(score, 3),
                needed=round(needed, 3),
                shared=[f"{key} ({value:.2f})" for key, value in parts],
            )
    return [reasons[i] for i in members[1:]]


def cluster_records(records: Iterable[IncidentRecord]) -> list[IncidentRecord]:
    """One record per incident, each absorbed report with the reason it joined."""
    ordered = sorted(records, key=anchor_order)
    batch = Batch(WINDOW_DAYS)
    profiles = [batch.add(profile(r)) for r in ordered]
    batch.close(profiles)
    nodes = [_node(r, p, batch) for r, p in zip(ordered, profiles, strict=True)]
    del profiles
    groups, used = _link(nodes, batch)
    tree: dict[int, list[Link]] = defaultdict(list)
    for (i, j), (score, needed, parts) in used.items():
        tree[i].append((score, j, needed, parts))
        tree[j].append((score, i, needed, parts))
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(nodes)):
        members[groups.find(i)].append(i)
    merged = []
    for group in members.values():
        record = merge_records([nodes[i].record for i in group])
        if len(group) > 1:
            record = record.model_copy(update={"joins": _reasons(group, nodes, tree)})
        merged.append(record)
    return sorted(merged, key=lambda r: r.id)
