"""Write incident records as one STIX 2.1 bundle (`--stix bundle.json`), built with `stix2`.

Per incident:

- an `incident` carrying the OASIS Incident Core Extension (`determination`, `investigation_status`,
  `incident_types`, `criticality` = severity, `impacted_entity_counts`, `scores`, and
  `confidentiality_impacts`: one per kind of data lost, with the record count) and,
  declared by this pipeline's top-level property extension, the fields OpenCTI reads from an incident
  (`incident_type`, `first_seen`, `last_seen`, `source`; not `severity`, a name STIX 2.1 reserves)
  and the record's own id;
- an `identity` per affected entity, `part-of` an identity of class `class` for its sector;
- a `threat-actor` per actor, a `malware` for a ransomware family, an `attack-pattern` for the vector,
  a `vulnerability` per CVE, a `software` observable per compromised software;
- an `indicator` (STIX pattern) per indicator, `based-on` its observable (`ipv4-addr`, `domain-name`,
  `url`, `email-addr`, `file`);
- a `report` per source article, referring to all of them.

Relationships: incident `targets` identity and vulnerability, incident `attributed-to` threat-actor
(the attribution grade as `confidence`), incident and threat-actor `uses` malware, incident `uses`
attack-pattern, threat-actor `targets` identity, indicator `indicates` incident, incident
`related-to` software. The STIX 2.1 incident object defines no relationships of its own: the core
extension lists `targets` and `attributed-to` for it, and `stix2-validator` warns (202) on the ones
the spec does not suggest; docs/sinks.md lists the accepted warnings.

Reruns give the same bytes: ids are UUIDv5 of the record id or the object's name (observables:
the spec's own deterministic ids), and `created`/`modified` come from the record's dates, never
from the clock. An object named in several incidents is one object, dated by all of them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import stix2

from pipeline.errors import SinkError
from pipeline.intel import galaxy_cluster, instant, record_span, type_terms, vocabulary
from pipeline.sinks import write_atomic
from schemas.incident import Attribution, IncidentRecord

__all__ = [
    "ATTRIBUTION_CONFIDENCE",
    "INCIDENT_EXTENSION",
    "build_bundle",
    "serialize_bundle",
    "stix_id",
    "write_stix",
]

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:news-incident-pipeline:stix")
INCIDENT_EXTENSION = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"  # OASIS Incident Core
# STIX confidence (0-100) of an attribution grade: confirmed by investigators, claimed by
# the actor (unverified), suspected by researchers or the press.
ATTRIBUTION_CONFIDENCE: dict[Attribution, int] = {"confirmed": 85, "claimed": 50, "suspected": 30}
_DEFINED = datetime(2025, 1, 1, tzinfo=UTC)  # when the pipeline identity and extension were defined
_EXTENSION_PROPERTIES = {
    "x_incident_id": "the record's id, stable across runs",
    "x_linkid": "the record's slug",
    "incident_type": "OpenCTI incident type (incident_type_ov), from the record's type",
    "first_seen": "the earliest date the record knows",
    "last_seen": "the latest publication of a source article",
    "source": "the publishers of the source articles",
    "x_review_state": "an analyst's review: unreviewed, confirmed, corrected or rejected",
    "x_review_by": "who reviewed it last",
    "x_review_at": "when it was last reviewed (ISO 8601, UTC)",
}


def stix_id(kind: str, key: str) -> str:
    """A deterministic STIX id: the same object type and key give the same id on every run."""
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{kind}:{key}')}"


_PIPELINE = stix_id("identity", "news-incident-pipeline")
_EXTENSION = stix_id("extension-definition", "news-incident-pipeline incident properties v2")


@cache
def _sectors() -> dict[str, str]:
    raw = json.loads(resources.files("pipeline").joinpath("data/stix_sectors.json").read_text("utf-8"))
    return {name.casefold(): sector for name, sector in raw["sectors"].items()}


_UNION = frozenset({"aliases", "sectors"})  # list properties merged across incidents; others: first seen


class _Objects:
    """STIX objects by id as property dicts; one named in several incidents is merged."""

    def __init__(self) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}

    def add(self, kind: str, oid: str, span: tuple[datetime, datetime], **props: Any) -> str:
        props = {k: v for k, v in props.items() if v not in (None, "", [], {})}
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

    def observable(self, kind: str, **props: Any) -> str:
        """A cyber observable; stix2 derives its id from its value, as the spec prescribes."""
        made = stix2.parse({"type": kind, **props}, version="2.1")
        self.by_id.setdefault(made.id, json.loads(made.serialize()))
        return str(made.id)

    def relate(
        self, source: str, kind: str, target: str, span: tuple[datetime, datetime], **props: Any
    ) -> str:
        oid = stix_id("relationship", f"{source}|{kind}|{target}")
        return self.add(
            "relationship", oid, span, relationship_type=kind, source_ref=source, target_ref=target, **props
        )


class _Incident:
    """Adds one record's objects; `refs` collects what its reports refer to."""

    def __init__(self, objects: _Objects, record: IncidentRecord) -> None:
        self.objects, self.record, self.span = objects, record, record_span(record)
        self.id = stix_id("incident", record.id)
        self.refs: list[str] = [self.id]

    def add(self, kind: str, key: str, **props: Any) -> str:
        oid = self.objects.add(kind, stix_id(kind, key), self.span, **props)
        self.refs.append(oid)
        return oid

    def relate(self, source: str, kind: str, target: str, **props: Any) -> str:
        oid = self.objects.relate(source, kind, target, self.span, **props)
        self.refs.append(oid)
        return oid

    def victims(self) -> list[str]:
        out = []
        for entity in self.record.incident.affected_entities:
            sector = _sectors().get(entity.industry.casefold())
            victim = self.add(
                "identity",
                entity.name.casefold(),
                name=entity.name,
                identity_class="organization",
                sectors=[sector] if sector else None,
            )
            out.append(victim)
            self.relate(self.id, "targets", victim, description=entity.type)
            if sector:
                sector_id = self.add(
                    "identity",
                    f"sector:{sector}",
                    name=entity.industry,
                    identity_class="class",
                    sectors=[sector],
                    description=f"Industry sector ({sector})",
                )
                self.relate(victim, "part-of", sector_id)
        return out

    def actors(self, victims: list[str]) -> None:
        for actor in self.record.threat_actors:
            oid = self.add(
                "threat-actor",
                actor.name.casefold(),
                name=actor.name,
                aliases=sorted(set(actor.aliases) - {actor.name}),
            )
            confidence = ATTRIBUTION_CONFIDENCE[actor.attribution]
            self.relate(
                self.id,
                "attributed-to",
                oid,
                confidence=confidence,
                description=f"attribution: {actor.attribution}",
            )
            for victim in victims:
                self.relate(oid, "targets", victim)
            cluster = galaxy_cluster(actor)
            if cluster and cluster[2] == "ransomware":
                malware = self.add(
                    "malware",
                    cluster[1].casefold(),
                    name=cluster[1],
                    is_family=True,
                    malware_types=["ransomware"],
                )
                self.relate(self.id, "uses", malware)
                self.relate(oid, "uses", malware)

    def way_in(self) -> None:
        record = self.record
        if record.attack_vector != "unknown":
            pattern = self.add("attack-pattern", record.attack_vector, name=record.attack_vector)
            self.relate(self.id, "uses", pattern)
        for software in record.compromised_software:
            sco = self.objects.observable(
                "software", name=software.name, version=", ".join(software.versions) or None
            )
            self.refs.append(sco)
            self.relate(self.id, "related-to", sco, description="compromised software")
        cves = {c.upper() for s in record.compromised_software for c in s.cves}
        cves |= {i.value.upper() for i in record.indicators if i.type == "cve"}
        for cve in sorted(cves):
            vuln = self.add(
                "vulnerability",
                cve,
                name=cve,
                external_references=[{"source_name": "cve", "external_id": cve}],
            )
            self.relate(self.id, "targets", vuln)

    def indicators(self) -> None:
        mapping = vocabulary()["indicators"]
        for indicator in self.record.indicators:
            kind = mapping[indicator.type]
            if kind["path"] is None:
                continue  # a CVE: a vulnerability, added with the way in
            value = indicator.value.replace("\\", "\\\\").replace("'", "\\'")
            if kind["stix"] == "file":
                sco = self.objects.observable(
                    "file", hashes={kind["path"].split(".", 1)[1].strip("'"): indicator.value}
                )
            else:
                sco = self.objects.observable(kind["stix"], value=indicator.value)
            oid = self.add(
                "indicator",
                f"{indicator.type}:{indicator.value}",
                name=indicator.value,
                pattern=f"[{kind['stix']}:{kind['path']} = '{value}']",
                pattern_type="stix",
                valid_from=self.span[0],
                indicator_types=["unknown"],
                description="Named in a news article; not vetted for detection."
                + (" Written de-fanged." if indicator.defanged_in_text else ""),
            )
            self.refs.append(sco)
            self.relate(oid, "based-on", sco)
            self.relate(oid, "indicates", self.id)

    def impacts(self) -> list[dict[str, Any]]:
        """Confidentiality impacts: one per kind of information lost, with the record count."""
        kinds = vocabulary()["information_types"]
        info = sorted({kinds.get(c, "other") for c in self.record.data_categories})
        if not info and self.record.records_affected:
            info = ["unknown"]
        count = {"record_count": self.record.records_affected} if self.record.records_affected else {}
        return [{"information_type": kind, "loss_type": "confirmed-loss", **count} for kind in info]

    def incident(self) -> None:
        record, terms = self.record, type_terms(self.record)
        inc = record.incident
        types = list(terms["oasis"])
        if any(e.type == "Vendor" for e in inc.affected_entities) and len(inc.affected_entities) > 1:
            types += ["supply-chain-customer"]
        counts = {"organization": len(inc.affected_entities)} if inc.affected_entities else {}
        if record.people_affected:
            counts["individual"] = record.people_affected
        core = {
            "extension_type": "property-extension",
            "determination": terms["determination"],
            "investigation_status": vocabulary()["investigation_status"].get(
                inc.investigation_status, "open"
            ),
            "criticality": int(record.severity),
            "scores": [
                {
                    "name": "news-incident-pipeline severity",
                    "value": int(record.severity),
                    "description": record.explanation,
                },
                {"name": "news-incident-pipeline impact level", "value": int(record.impact)},
            ],
        }
        core |= {
            k: v
            for k, v in (
                ("incident_types", sorted(set(types))),
                ("impacted_entity_counts", counts),
                ("confidentiality_impacts", self.impacts()),
            )
            if v
        }
        publishers = sorted({s.publisher for s in record.sources if s.publisher})
        self.objects.add(
            "incident",
            self.id,
            self.span,
            name=inc.title or record.id,
            description=inc.description,
            confidence=round(record.confidence * 100),
            labels=[inc.type] if inc.type != "Unknown" else None,
            extensions={
                INCIDENT_EXTENSION: core,
                _EXTENSION: {"extension_type": "toplevel-property-extension"},
            },
            x_incident_id=record.id,
            x_linkid=record.linkid,
            incident_type=terms["opencti"],
            first_seen=self.span[0],
            last_seen=self.span[1],
            source=", ".join(publishers),
            x_review_state=record.review.state,
            x_review_by=record.review.by,
            x_review_at=record.review.at,
        )

    def reports(self) -> None:
        for source in self.record.sources:
            published = instant(source.published) or self.span[0]
            reference = {"source_name": source.publisher or urlsplit(source.url or "").hostname or "article"}
            reference |= {"url": source.url} if source.url else {"external_id": source.article_id}
            self.objects.add(
                "report",
                stix_id("report", f"{self.record.id}/{source.article_id}"),
                (published, published),
                name=source.title or source.article_id,
                published=published,
                report_types=["threat-report"],
                object_refs=sorted(set(self.refs)),
                external_references=[reference],
            )


def _add_incident(objects: _Objects, record: IncidentRecord) -> None:
    build = _Incident(objects, record)
    victims = build.victims()
    build.actors(victims)
    build.way_in()
    build.indicators()
    build.incident()
    build.reports()


def _preamble() -> Iterator[dict[str, Any]]:
    """The pipeline's own identity and the extension declaring its top-level properties."""
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
        "description": "Fields of a news-incident-pipeline record on the STIX incident that the Incident "
        "Core Extension has no property for, under the names OpenCTI reads.",
        "schema": "; ".join(f"{name}: {what}" for name, what in _EXTENSION_PROPERTIES.items()),
        "version": "2.0.0",
        "extension_types": ["toplevel-property-extension"],
        "extension_properties": sorted(_EXTENSION_PROPERTIES),
    }


def build_bundle(records: Iterable[IncidentRecord]) -> stix2.Bundle:
    """One bundle for all `records`; the same records give the same bundle, in any order."""
    objects = _Objects()
    for record in sorted(records, key=lambda r: r.id):
        _add_incident(objects, record)
    made = [stix2.parse(props, allow_custom=True, version="2.1") for props in _preamble()]
    for oid in sorted(objects.by_id):
        props = objects.by_id[oid]
        if not props.get("spec_version"):  # an observable carries no created_by_ref
            props = props | {"created_by_ref": _PIPELINE}
        made.append(stix2.parse(props, allow_custom=True, version="2.1"))
    bundle_id = f"bundle--{uuid.uuid5(NAMESPACE, '|'.join(o['id'] for o in made))}"
    return stix2.Bundle(objects=made, id=bundle_id, allow_custom=True)


def _ordered(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Properties in stix2's spec order, then the custom ones sorted (stix2 leaves those in
    set order, which changes from one process to the next)."""
    custom = set(_EXTENSION_PROPERTIES)
    return dict([p for p in pairs if p[0] not in custom] + sorted(p for p in pairs if p[0] in custom))


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
