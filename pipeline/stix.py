"""Write incident records as one STIX 2.1 bundle (`--stix bundle.json`), built with `stix2`.

Per incident: an `incident`; an `identity` per affected entity; a `threat-actor` per actor;
a `vulnerability` per CVE; a `report` per source article. Relationships:

- incident `attributed-to` threat-actor, with the attribution grade as `confidence`
  (STIX 2.1 suggests `attributed-to` only from campaigns and intrusion sets, so the
  validator warns; the spec allows any relationship type, and this is the one that says it);
- threat-actor `targets` identity (a relationship the spec suggests);
- incident `related-to` identity (the role, e.g. "Vendor", in its description) and
  incident `related-to` vulnerability: the 2.1 incident object defines no relationships
  of its own, and `related-to` is the one allowed between any two objects.

The header fields the vocabulary has no property for (record id, severity, impact, ...)
are `x_` properties of a top-level property extension, declared in the bundle.

Reruns give the same bytes: ids are UUIDv5 of the record id or the object's name (the
validator's strict mode prefers UUIDv4), and `created`/`modified` come from the record's
dates and articles' publication dates, never from the clock. Organisations and actors
named in several incidents are one object, dated by the earliest and latest of them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import stix2

from pipeline.errors import SinkError
from pipeline.sinks import write_atomic
from schemas.incident import Attribution, IncidentRecord

__all__ = ["ATTRIBUTION_CONFIDENCE", "build_bundle", "serialize_bundle", "stix_id", "write_stix"]

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:news-incident-pipeline:stix")
# STIX confidence (0-100) of an attribution grade: confirmed by investigators, claimed by
# the actor (unverified), suspected by researchers or the press.
ATTRIBUTION_CONFIDENCE: dict[Attribution, int] = {"confirmed": 85, "claimed": 50, "suspected": 30}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DEFINED = datetime(2025, 1, 1, tzinfo=UTC)  # when the pipeline identity and extension were defined
_EXTENSION_PROPERTIES = {
    "x_incident_id": "the record's id, stable across runs",
    "x_linkid": "the record's slug",
    "x_incident_type": "incident type (Data Breach, Ransomware, ...)",
    "x_severity": "severity 0-100 (README: severity rubric)",
    "x_impact": "impact 1-5",
    "x_attack_vector": "initial access vector, or 'unknown'",
    "x_records_affected": "number of records affected, when reported",
    "x_data_categories": "categories of data compromised",
    "x_compromised_software": "compromised software, with versions",
    "x_confidence": "the record's overall confidence 0-1",
    "x_review_state": "an analyst's review: unreviewed, confirmed, corrected or rejected",
    "x_review_by": "who reviewed it last",
    "x_review_at": "when it was last reviewed (ISO 8601, UTC)",
}


def stix_id(kind: str, key: str) -> str:
    """A deterministic STIX id: the same object type and key give the same id on every run."""
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{kind}:{key}')}"


_PIPELINE = stix_id("identity", "news-incident-pipeline")
_EXTENSION = stix_id("extension-definition", "news-incident-pipeline incident properties v1")


@cache
def _sectors() -> dict[str, str]:
    raw = json.loads(resources.files("pipeline").joinpath("data/stix_sectors.json").read_text("utf-8"))
    return {name.casefold(): sector for name, sector in raw["sectors"].items()}


def _instant(text: str | None) -> datetime | None:
    """A date or timestamp string as an aware UTC datetime; None when it is not one."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            when = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
        except ValueError:
            return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _span(record: IncidentRecord) -> tuple[datetime, datetime]:
    """(created, modified): the earliest date the record knows, and the latest publication."""
    dates = record.dates
    known = [_instant(d) for d in (dates.occurred, dates.discovered, dates.disclosed, dates.reported)]
    published = [_instant(s.published) for s in record.sources]
    instants = [d for d in (*known, *published) if d is not None]
    if not instants and record.date:
        month, _, year = record.date.partition("/")
        instants = [_instant(f"{year}-{int(month):02d}-01")] if month.isdigit() else []
    instants = [d for d in instants if d is not None]
    return (min(instants), max(instants)) if instants else (_EPOCH, _EPOCH)


_UNION = frozenset({"aliases", "sectors"})  # list properties merged across incidents; others: first seen


class _Objects:
    """STIX objects by id as property dicts; one named in several incidents is merged."""

    def __init__(self) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}

    def add(self, kind: str, oid: str, span: tuple[datetime, datetime], **props: Any) -> str:
        props = {k: v for k, v in props.items() if v not in (None, "", [])}
        known = self.by_id.get(oid)
        if known is None:
            self.by_id[oid] = {"type": kind, "id": oid, "created": span[0], "modified": span[1], **props}
            return oid
        known["created"] = min(known["created"], span[0])
        known["modified"] = max(known["modified"], span[1])
        for key, value in props.items():
            if key in _UNION and key in known:
                known[key] = sorted(set(known[key]) | set(value))
            else:
                known.setdefault(key, value)
        return oid

    def relate(
        self, source: str, kind: str, target: str, span: tuple[datetime, datetime], **props: Any
    ) -> str:
        oid = stix_id("relationship", f"{source}|{kind}|{target}")
        return self.add(
            "relationship", oid, span, relationship_type=kind, source_ref=source, target_ref=target, **props
        )


def _add_incident(objects: _Objects, record: IncidentRecord) -> None:
    span = _span(record)
    inc = record.incident
    incident = objects.add(
        "incident",
        stix_id("incident", record.id),
        span,
        name=inc.title or record.id,
        description=inc.description,
        extensions={_EXTENSION: {"extension_type": "toplevel-property-extension"}},
        x_incident_id=record.id,
        x_linkid=record.linkid,
        x_incident_type=inc.type,
        x_severity=int(record.severity),
        x_impact=int(record.impact),
        x_attack_vector=record.attack_vector,
        x_records_affected=record.records_affected,
        x_data_categories=record.data_categories,
        x_compromised_software=[" ".join([s.name, *s.versions]) for s in record.compromised_software],
        x_confidence=record.confidence,
        x_review_state=record.review.state,
        x_review_by=record.review.by,
        x_review_at=record.review.at,
    )
    refs = [incident]
    victims = []
    for entity in inc.affected_entities:
        sector = _sectors().get(entity.industry.casefold())
        victim = objects.add(
            "identity",
            stix_id("identity", entity.name.casefold()),
            span,
            name=entity.name,
            identity_class="organization",
            sectors=[sector] if sector else None,
        )
        victims.append(victim)
        refs += [victim, objects.relate(incident, "related-to", victim, span, description=entity.type)]
    for actor in record.threat_actors:
        oid = objects.add(
            "threat-actor",
            stix_id("threat-actor", actor.name.casefold()),
            span,
            name=actor.name,
            aliases=sorted(set(actor.aliases) - {actor.name}),
        )
        refs += [
            oid,
            objects.relate(
                incident,
                "attributed-to",
                oid,
                span,
                confidence=ATTRIBUTION_CONFIDENCE[actor.attribution],
                description=f"attribution: {actor.attribution}",
            ),
        ]
        refs += [objects.relate(oid, "targets", victim, span) for victim in victims]
    for cve in sorted({c for s in record.compromised_software for c in s.cves}):
        vuln = objects.add(
            "vulnerability",
            stix_id("vulnerability", cve.upper()),
            span,
            name=cve.upper(),
            external_references=[{"source_name": "cve", "external_id": cve.upper()}],
        )
        refs += [vuln, objects.relate(incident, "related-to", vuln, span)]
    for source in record.sources:
        published = _instant(source.published) or span[0]
        reference = {"source_name": source.publisher or urlsplit(source.url or "").hostname or "article"}
        reference |= {"url": source.url} if source.url else {"external_id": source.article_id}
        objects.add(
            "report",
            stix_id("report", f"{record.id}/{source.article_id}"),
            (published, published),
            name=source.title or source.article_id,
            published=published,
            report_types=["threat-report"],
            object_refs=sorted(set(refs)),
            external_references=[reference],
        )


def _preamble() -> Iterator[dict[str, Any]]:
    """The pipeline's own identity and the extension declaring the `x_` properties."""
    yield {
        "type": "identity",
        "id": _PIPELINE,
        "created": _DEFINED,
        "modified": _DEFINED,
        "name": "news-incident-pipeline",
        "identity_class": "system",
    }
    yield {
        "type": "extension-definition",
        "id": _EXTENSION,
        "created": _DEFINED,
        "modified": _DEFINED,
        "created_by_ref": _PIPELINE,
        "name": "news-incident-pipeline incident properties",
        "description": "Header fields of a news-incident-pipeline record on the STIX incident.",
        "schema": "; ".join(f"{name}: {what}" for name, what in _EXTENSION_PROPERTIES.items()),
        "version": "1.0.0",
        "extension_types": ["toplevel-property-extension"],
        "extension_properties": sorted(_EXTENSION_PROPERTIES),
    }


def build_bundle(records: Iterable[IncidentRecord]) -> stix2.Bundle:
    """One bundle for all `records`; the same records give the same bundle, in any order."""
    objects = _Objects()
    for record in sorted(records, key=lambda r: r.id):
        _add_incident(objects, record)
    made = [stix2.parse(props, allow_custom=True, version="2.1") for props in _preamble()]
    made += [
        stix2.parse(objects.by_id[oid] | {"created_by_ref": _PIPELINE}, allow_custom=True, version="2.1")
        for oid in sorted(objects.by_id)
    ]
    bundle_id = f"bundle--{uuid.uuid5(NAMESPACE, '|'.join(o.id for o in made))}"
    return stix2.Bundle(objects=made, id=bundle_id, allow_custom=True)


def _ordered(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Properties in stix2's spec order, then the custom ones sorted (stix2 leaves those in
    set order, which changes from one process to the next)."""
    return dict(
        [p for p in pairs if not p[0].startswith("x_")] + sorted(p for p in pairs if p[0].startswith("x_"))
    )


def serialize_bundle(bundle: stix2.Bundle) -> str:
    """The bundle as indented JSON, byte-identical for the same bundle in any process."""
    return json.dumps(json.loads(bundle.serialize(pretty=True), object_pairs_hook=_ordered), indent=4) + "\n"


def write_stix(records: Iterable[IncidentRecord], path: Path) -> int:
    """Replace `path` atomically with the bundle of `records`; returns the number of objects."""
    try:
        bundle = build_bundle(records)
    except (stix2.exceptions.STIXError, ValueError) as exc:
        raise SinkError(f"{path}: cannot build the STIX bundle ({exc})") from exc
    write_atomic(path, [serialize_bundle(bundle)])
    return len(bundle.objects)
