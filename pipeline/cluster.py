"""Group per-article records into incidents and merge each group into one record.

Two records are the same incident when they name the same breached party (after name
normalisation: case, punctuation and company suffixes dropped; an acronym stands for the one
name of the batch with those initials), their types are compatible,
their dates lie within `WINDOW_DAYS` of each other, and something beyond the name supports
it: a shared threat actor, compromised software, record count, second affected party,
distinctive data words, or reports published within `NEAR_DAYS` of each other (a company in
the news often is several different incidents, but rarely two in the same week; not for
vulnerability, DDoS and phishing reports, see `_NOT_BY_WEEK`).
Blocking by that name keeps the work linear in the number of records; the result does not
depend on input order.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from pipeline.normalize import (
    group_names,
    header_month,
    load_rubric,
    name_key,
    same_party,
    score_header,
    slugify,
)
from schemas.incident import (
    AffectedEntity,
    CompromisedSoftware,
    DataBreach,
    Evidence,
    IncidentDates,
    IncidentRecord,
    Reference,
    Source,
    ThreatActor,
)

__all__ = ["NEAR_DAYS", "WINDOW_DAYS", "cluster_records", "merge_records", "victim_key"]

WINDOW_DAYS = 60
NEAR_DAYS = 7
_ALONE_TYPES = {"Vulnerability", "DDoS"}
# Reports for which being in the news the same week is no evidence of one incident: a vendor
# discloses several flaws in a week, and a phishing report names the brand the scam
# impersonates, which many scams do at once.
_NOT_BY_WEEK = _ALONE_TYPES | {"Phishing"}
_FUNCTION_WORDS = {"of", "the", "and", "for", "in", "on", "at"}
_COMMON_DATA_WORDS = {
    "data",
    "information",
    "unknown",
    "personal",
    "sensitive",
    "details",
    "records",
    "files",
    "customer",
    "customers",
    "user",
    "users",
    "their",
    "other",
    "some",
}


def victim_key(record: IncidentRecord) -> str | None:
    """The normalised name of the record's primary breached party, or None when unnamed."""
    name = _victim_name(record)
    return " ".join(name_key(name)) or None if name else None


def _victim_name(record: IncidentRecord) -> str | None:
    return next((e.name for e in record.incident.affected_entities if slugify(e.name) == record.linkid), None)


def _initials(key: str) -> set[str]:
    """Initials of a name of three words or more, with and without its short function words
    ("harlow department of transport" -> HDOT, HDT)."""
    words = key.split()
    if len(words) < 3:
        return set()
    return {"".join(w[0] for w in words), "".join(w[0] for w in words if w not in _FUNCTION_WORDS)}


def _block_keys(records: Sequence[IncidentRecord]) -> list[str | None]:
    """Each record's victim key, an acronym ("HDOT") replaced by the one full name of the batch
    with those initials ("Harlow Department of Transport"), so both reports meet."""
    keys = [victim_key(r) for r in records]
    expansions: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        for initials in _initials(key or ""):
            expansions[initials].add(key or "")
    out: list[str | None] = []
    for record, key in zip(records, keys, strict=True):
        name = (_victim_name(record) or "").strip()
        full = expansions.get(key or "", set())
        is_acronym = name.isupper() and " " not in name and 3 <= len(name) <= 6
        out.append(next(iter(full)) if is_acronym and len(full) == 1 else key)
    return out


def _when(record: IncidentRecord) -> date | None:
    d = record.dates
    value = d.occurred or d.disclosed or d.discovered or d.reported or record.sources[0].published
    return date.fromisoformat(value[:10]) if value else None


def _data_words(record: IncidentRecord) -> set[str]:
    text = record.incident.data_breach.type_of_data_compromised.lower()
    return {w for w in re.findall(r"[a-z]{4,}", text) if w not in _COMMON_DATA_WORDS}


def _actor_keys(record: IncidentRecord) -> set[str]:
    """Names and aliases of the record's named actors ("Fancy Bear" meets "APT28"); a
    description ("Russian hackers", "a Latvian man") is no evidence of one incident."""
    return {
        name
        for actor in record.threat_actors
        if not any(word.islower() for word in actor.name.split())
        for name in _actor_names(actor)
    }


def _published_together(a: IncidentRecord, b: IncidentRecord) -> bool:
    pa, pb = a.sources[0].published, b.sources[0].published
    if not (pa and pb):
        return False
    return abs((date.fromisoformat(pa[:10]) - date.fromisoformat(pb[:10])).days) <= NEAR_DAYS


def _supported(a: IncidentRecord, b: IncidentRecord) -> bool:
    """Evidence beyond the victim's name that two records tell of one incident: a shared
    actor, compromised software, count, second affected party, distinctive data words, or
    reports of that victim published the same week (unless they name different actors, or
    are vulnerability, DDoS or phishing reports: see `_NOT_BY_WEEK`)."""
    actors_a, actors_b = _actor_keys(a), _actor_keys(b)
    if actors_a & actors_b:
        return True
    same_week = _published_together(a, b) and not {a.type, b.type} & _NOT_BY_WEEK
    if same_week and not (actors_a and actors_b):
        return True
    if {x.name.lower() for x in a.compromised_software} & {x.name.lower() for x in b.compromised_software}:
        return True
    if a.records_affected and a.records_affected == b.records_affected:
        return True
    names_a = {e.name for e in a.incident.affected_entities} - {a.linkid}
    names_b = {e.name for e in b.incident.affected_entities}
    if len((names_a & names_b) - {n for n in names_a if slugify(n) == a.linkid}) >= 1:
        return True
    return len(_data_words(a) & _data_words(b)) >= 2


def _compatible(a: IncidentRecord, b: IncidentRecord) -> bool:
    if (a.type in _ALONE_TYPES or b.type in _ALONE_TYPES) and a.type != b.type:
        return False
    da, db = _when(a), _when(b)
    if da is not None and db is not None and abs((da - db).days) > WINDOW_DAYS:
        return False
    return _supported(a, b)


def _order(record: IncidentRecord) -> tuple[str, str]:
    first = min((s.published or "9999", s.article_id) for s in record.sources)
    return first


def cluster_records(records: Iterable[IncidentRecord]) -> list[IncidentRecord]:
    """One record per incident; records naming no breached party are left on their own."""
    ordered = sorted(records, key=_order)
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(_block_keys(ordered)):
        if key:
            blocks[key].append(i)
    parent = list(range(len(ordered)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for members in blocks.values():
        for n, i in enumerate(members):
            for j in members[:n]:
                if _compatible(ordered[i], ordered[j]):
                    parent[find(i)] = find(j)
    groups: dict[int, list[IncidentRecord]] = defaultdict(list)
    for i, record in enumerate(ordered):
        groups[find(i)].append(record)
    merged = [merge_records(group) for _, group in sorted(groups.items())]
    return sorted(merged, key=lambda r: r.id)


def _majority(values: Iterable[str], default: str, skip: str = "Unknown") -> str:
    counts = Counter(v for v in values if v and v != skip)
    if not counts:
        return default
    top = max(counts.values())
    return min(v for v, c in counts.items() if c == top)


def _entities(records: Sequence[IncidentRecord], actor_names: set[str]) -> list[AffectedEntity]:
    """One entity per party however each report named it ("Revenue Office" / "Harlow Revenue Office",
    "HDOT" / "Harlow Department of Transport"): the name most reports use, the longer on a
    tie. A party another report names as the attacker is not affected (the attacker is never a
    victim)."""
    by_name: dict[str, list[AffectedEntity]] = {}
    for r in records:
        for e in r.incident.affected_entities:
            by_name.setdefault(e.name, []).append(e)
    out = []
    for group in group_names(list(by_name), same_party):
        if any(name_key(n) == name_key(a) for n in group for a in actor_names):
            continue
        name = max(group, key=lambda n: (len(by_name[n]), len(n), n))
        es = [e for n in group for e in by_name[n]]
        out.append(
            AffectedEntity(
                name=name,
                type=_majority((e.type for e in es), "Company"),
                industry=_majority((e.industry for e in es), "Unknown"),
            )
        )
    return out


def _actor_names(actor: ThreatActor) -> set[str]:
    return {n.lower() for n in (actor.name, *actor.aliases)}


def _actors(records: Sequence[IncidentRecord]) -> list[ThreatActor]:
    """One actor per group of names that share a name or alias ("Fancy Bear", "APT28" and "Pawn
    Storm" are one galaxy entry; "SamSam" / "Samsam"): the name most reports use (on a tie, the
    earliest report's), the strongest
    attribution any report gives, every other name kept as an alias."""
    strength = load_rubric()["attribution_strength"]
    found = [a for r in records for a in r.threat_actors]
    names = list(dict.fromkeys(a.name for a in found))
    by_name = {n: [a for a in found if a.name == n] for n in names}
    out = []
    for group in group_names(
        names, lambda x, y: bool(_actor_names(by_name[x][0]) & _actor_names(by_name[y][0]))
    ):
        actors = [a for n in group for a in by_name[n]]
        name = max(group, key=lambda n: (len(by_name[n]), -names.index(n)))
        best = max(actors, key=lambda a: strength[a.attribution])
        aliases = {alias for a in actors for alias in (a.name, *a.aliases)} - {name}
        out.append(best.model_copy(update={"name": name, "aliases": sorted(aliases)}))
    return out


def _software(records: Sequence[IncidentRecord]) -> list[CompromisedSoftware]:
    by_name: dict[str, tuple[set[str], set[str]]] = {}
    for r in records:
        for s in r.compromised_software:
            versions, cves = by_name.setdefault(s.name, (set(), set()))
            versions.update(s.versions)
            cves.update(s.cves)
    return [CompromisedSoftware(name=n, versions=sorted(v), cves=sorted(c)) for n, (v, c) in by_name.items()]


def _joined(parts: Iterable[str], sep: str) -> str:
    seen: dict[str, str] = {}
    for part in parts:
        for piece in part.split(sep):
            piece = piece.strip()
            if piece and piece != "Unknown":
                seen.setdefault(piece.lower(), piece)
    return sep.join(seen.values()) or "Unknown"


def _count(records: Sequence[IncidentRecord], disagreements: list[str]) -> int | None:
    values = [(r.records_affected, r.sources[0].article_id) for r in records if r.records_affected]
    if len({v for v, _ in values}) > 1:
        disagreements.append("records_affected: " + ", ".join(f"{v:,} ({art})" for v, art in values))
    counts = Counter(v for v, _ in values)
    return max(counts, key=lambda v: (counts[v], v)) if counts else None


def _earliest(values: Iterable[str | None]) -> str | None:
    found = sorted(v for v in values if v)
    return found[0] if found else None


def merge_records(records: Sequence[IncidentRecord]) -> IncidentRecord:
    """Merge records of one incident: union with provenance, header recomputed."""
    records = sorted(records, key=_order)
    anchor = records[0]
    if len(records) == 1:
        return anchor
    disagreements: list[str] = []
    sensitivity_rank = {"Unknown": 0, "Low": 1, "Medium": 2, "High": 3}
    status_rank = load_rubric()["status_strength"]
    incs = [r.incident for r in records]
    actors = _actors(records)
    entities = _entities(records, {n for a in actors for n in (a.name, *a.aliases)})
    itype = _majority((i.type for i in incs), "Unknown")
    sensitivity = max(
        (i.data_breach.sensitivity_of_data for i in incs), key=lambda s: sensitivity_rank.get(s, 0)
    )
    data_text = _joined((i.data_breach.type_of_data_compromised for i in incs), ", ")
    operational = _joined((i.impact.operational_impact for i in incs), "; ")
    records_affected = _count(records, disagreements)
    dates = IncidentDates(
        **{k: _earliest(getattr(r.dates, k) for r in records) for k in IncidentDates.model_fields}
    )
    severity, level, explanation = score_header(
        itype,
        sensitivity,
        records_affected,
        operational != "Unknown",
        any(e.type == "Vendor" for e in entities),
    )
    references = {ref.source.lower(): ref for i in incs for ref in i.references}
    sources: dict[str, Source] = {s.article_id: s for r in records for s in r.sources}
    evidence: list[Evidence] = [e for r in records for e in r.evidence]
    descriptions = max(incs, key=lambda i: (len(i.description), i.title)).description
    statuses = [i.investigation_status for i in incs]
    return anchor.model_copy(
        update={
            "type": _majority((r.type for r in records), anchor.type),
            "date": header_month(dates, _earliest(s.published for s in sources.values())),
            "severity": str(severity),
            "impact": str(level),
            "explanation": explanation,
            "incident": anchor.incident.model_copy(
                update={
                    "affected_entities": entities,
                    "data_breach": DataBreach(
                        sensitivity_of_data=sensitivity, type_of_data_compromised=data_text
                    ),
                    "description": descriptions,
                    "impact": anchor.incident.impact.model_copy(
                        update={"data_compromised": data_text, "operational_impact": operational}
                    ),
                    "investigation_status": max(statuses, key=lambda s: status_rank.get(s, 0)),
                    "references": [Reference(source=r.source) for r in references.values()],
                    "response": anchor.incident.response.model_copy(
                        update={
                            "containment_measures": _joined(
                                (i.response.containment_measures for i in incs), "; "
                            )
                        }
                    ),
                    "type": itype,
                }
            ),
            "threat_actors": actors,
            "compromised_software": _software(records),
            "attack_vector": _majority((r.attack_vector for r in records), "unknown", skip="unknown"),
            "data_categories": sorted({c for r in records for c in r.data_categories}),
            "data_not_compromised": sorted({d for r in records for d in r.data_not_compromised}),
            "records_affected": records_affected,
            "people_affected": max((r.people_affected or 0 for r in records), default=0) or None,
            "dates": dates,
            "sources": sorted(sources.values(), key=lambda s: (s.published or "9999", s.article_id)),
            "evidence": evidence,
            "disagreements": disagreements,
            "absorbed_ids": sorted({r.id for r in records[1:]} - {anchor.id}),
            "confidence": round(min(1.0, max(r.confidence for r in records) + 0.05 * (len(records) - 1)), 2),
        }
    )
