"""Merge the per-article records of one incident into one record.

Every value keeps its provenance: sources and evidence are the union of the reports', lists
are joined, the header is scored again from the merged fields, and where reports disagree on
a figure the record lists each report's value in `disagreements`. The anchor (the earliest
report, by publish date then article id) gives the id, so the id does not depend on input
order or on the reports that came later.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from pipeline.normalize import group_names, header_month, load_rubric, name_key, same_party, score_header
from schemas.incident import (
    AffectedEntity,
    CompromisedSoftware,
    DataBreach,
    Evidence,
    IncidentDates,
    IncidentRecord,
    Indicator,
    Reference,
    Source,
    ThreatActor,
)

__all__ = ["anchor_order", "merge_records"]


def anchor_order(record: IncidentRecord) -> tuple[str, str]:
    """Earliest publish date first (undated last), then article id."""
    return min((s.published or "9999", s.article_id) for s in record.sources)


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


def _indicators(records: Sequence[IncidentRecord]) -> list[Indicator]:
    """Each indicator once; de-fanged when any report wrote it so."""
    by_key: dict[tuple[str, str], Indicator] = {}
    for i in (i for r in records for i in r.indicators):
        known = by_key.setdefault((i.type, i.value), i)
        if i.defanged_in_text and not known.defanged_in_text:
            by_key[(i.type, i.value)] = i
    return list(by_key.values())


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
    records = sorted(records, key=anchor_order)
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
            "indicators": _indicators(records),
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
