"""MISP output, built with PyMISP: one `MISPEvent` per incident, written as one import file
(`--misp events.json`) or as a static feed a MISP server subscribes to (`--misp-feed DIR`).

An event holds:

- `info` = the title, `date` = the first date the record knows, threat level from the impact level,
  analysis from the investigation status, distribution 0 (your organisation only) by default
  (`data/threat_intel.json`): news-derived events are shared on purpose, not by accident;
- an `incident` object (the closest template: STIX incident with its core extension) and a
  `victim` object per affected entity, a `software` object per compromised software;
- a `threat-actor` attribute per actor, tagged with its galaxy cluster
  (`misp-galaxy:threat-actor="LAPSUS"`, also on the event) when the galaxies know it, and with the
  attribution grade (`news-incident-pipeline:attribution="claimed"`);
- sector galaxy tags (`misp-galaxy:sector="Bank"`), a `link` attribute per source article;
- each indicator as an attribute with `to_ids` false (news, not vetted detection content), its
  evidence sentence as the comment.

UUIDs derive from the record id and the content, timestamps from the record's dates, so a rerun
writes the same bytes and a feed subscriber sees an event change only when its record did.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from pymisp import MISPEvent, MISPObject, MISPOrganisation, PyMISPError
from pymisp.tools import feed_meta_generator

from pipeline.errors import SinkError
from pipeline.intel import galaxy_cluster, record_span, sector_galaxy, type_terms, vocabulary
from pipeline.sinks import write_atomic
from schemas.incident import IncidentRecord

__all__ = ["TAG_NAMESPACE", "build_event", "event_uuid", "write_misp_events", "write_misp_feed"]

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:news-incident-pipeline:misp")
TAG_NAMESPACE = "news-incident-pipeline"
_EVENT_FILE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json$")


def event_uuid(record_id: str) -> str:
    """The event's UUID: the same record id gives the same event on every run."""
    return str(uuid.uuid5(NAMESPACE, f"event:{record_id}"))


def _uuid(parent: str, key: str) -> str:
    return str(uuid.uuid5(uuid.UUID(parent), key))


def _organisation() -> MISPOrganisation:
    org = MISPOrganisation()
    org.name = TAG_NAMESPACE
    org.uuid = str(uuid.uuid5(NAMESPACE, "organisation"))
    return org


def _criticality(severity: int) -> str:
    return next(label for floor, label in vocabulary()["misp_criticality"] if severity >= floor)


class _Builder:
    """Adds attributes and objects to one event with content-derived UUIDs and the record's time."""

    def __init__(self, event: MISPEvent, stamp: datetime) -> None:
        self.event, self.stamp = event, stamp

    def attribute(self, kind: str, value: str, **extra: Any) -> Any:
        key = f"attribute:{kind}:{value}"
        return self.event.add_attribute(
            kind, value, uuid=_uuid(self.event.uuid, key), timestamp=self.stamp, **extra
        )

    def object(self, name: str, key: str, values: Iterable[tuple[str, Any]]) -> MISPObject:
        obj = MISPObject(name, standalone=False)
        obj.uuid = _uuid(self.event.uuid, f"object:{name}:{key}")
        obj.timestamp = self.stamp
        for relation, value in values:
            if value not in (None, ""):
                attr_uuid = _uuid(obj.uuid, f"{relation}:{value}")
                obj.add_attribute(relation, value=value, uuid=attr_uuid, timestamp=self.stamp)
        self.event.add_object(obj)
        return obj


def _incident_object(build: _Builder, record: IncidentRecord) -> None:
    inc, terms = record.incident, type_terms(record)
    values: list[tuple[str, Any]] = [
        ("name", inc.title or record.id),
        ("description", inc.description),
        ("investigation_status", vocabulary()["investigation_status"].get(inc.investigation_status, "open")),
        ("determination", terms["determination"]),
        ("criticality", _criticality(int(record.severity))),
        ("score", f"severity {record.severity}/100, impact {record.impact}/5: {record.explanation}"),
    ]
    values += [("incident_type", t) for t in terms["misp"]]
    build.object("incident", record.id, values)


def _parties(build: _Builder, record: IncidentRecord) -> None:
    for entity in record.incident.affected_entities:
        sector = sector_galaxy(entity.industry)
        build.object(
            "victim",
            entity.name.casefold(),
            [
                ("name", entity.name),
                ("classification", "organization"),
                ("roles", entity.type.lower()),
                ("sectors", sector),
                ("description", f"{entity.type}; industry: {entity.industry}"),
            ],
        )
        if sector:
            build.event.add_tag(f'misp-galaxy:sector="{sector}"')
    for software in record.compromised_software:
        values = [("name", software.name), *(("version", v) for v in software.versions)]
        build.object("software", software.name.casefold(), values)
        for cve in software.cves:
            build.attribute("vulnerability", cve, category="External analysis", to_ids=False)


def _actors(build: _Builder, record: IncidentRecord) -> None:
    for actor in record.threat_actors:
        tags = [f'{TAG_NAMESPACE}:attribution="{actor.attribution}"']
        cluster = galaxy_cluster(actor)
        if cluster:
            galaxy_tag = f'misp-galaxy:{cluster[0]}="{cluster[1]}"'
            tags.insert(0, galaxy_tag)
            build.event.add_tag(galaxy_tag)
        aliases = ", ".join(a for a in actor.aliases if a != actor.name)
        comment = f"attribution: {actor.attribution}" + (f"; aliases: {aliases}" if aliases else "")
        attribute = build.attribute("threat-actor", actor.name, category="Attribution", comment=comment)
        for tag in tags:
            attribute.add_tag(tag)


def _sources_and_indicators(build: _Builder, record: IncidentRecord) -> None:
    for source in record.sources:
        if source.url:
            comment = " - ".join(p for p in (source.publisher, source.title, source.published) if p)
            build.attribute("link", source.url, category="External analysis", to_ids=False, comment=comment)
    sentences = {e.value: e.sentence for e in record.evidence if e.field == "indicators"}
    mapping = vocabulary()["indicators"]
    known = {(a.type, a.value) for a in build.event.attributes}
    for indicator in record.indicators:
        kind = mapping[indicator.type]
        if (kind["misp"], indicator.value) in known:
            continue  # a CVE already added with its software
        comment = sentences.get(indicator.value, "")
        if indicator.defanged_in_text:
            comment = f"(written de-fanged) {comment}"
        build.attribute(
            kind["misp"], indicator.value, category=kind["category"], to_ids=False, comment=comment
        )


def build_event(record: IncidentRecord) -> MISPEvent:
    """The MISP event of one incident record (module docstring)."""
    first, last = record_span(record)
    event = MISPEvent()
    event.uuid = event_uuid(record.id)
    event.info = record.incident.title or record.id
    event.date = first.date()
    event.threat_level_id = vocabulary()["misp_threat_level"].get(record.impact, 4)
    event.analysis = vocabulary()["misp_analysis"].get(record.incident.investigation_status, 0)
    event.distribution = vocabulary()["misp_distribution"]
    event.published = True
    event.timestamp = last
    event.publish_timestamp = last
    event.Orgc = _organisation()
    build = _Builder(event, last)
    event.add_tag(f'{TAG_NAMESPACE}:incident-id="{record.id}"')
    _incident_object(build, record)
    _parties(build, record)
    _actors(build, record)
    _sources_and_indicators(build, record)
    return event


def _events(records: Iterable[IncidentRecord], target: Path) -> list[MISPEvent]:
    try:
        return [build_event(r) for r in sorted(records, key=lambda r: r.id)]
    except (PyMISPError, ValueError, KeyError) as exc:
        raise SinkError(f"{target}: cannot build the MISP events ({exc})") from exc


def _dumps(data: Any) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def write_misp_events(records: Iterable[IncidentRecord], path: Path) -> int:
    """Replace `path` atomically with the events of `records`, in the shape of MISP's own JSON export
    (`{"response": [{"Event": ...}, ...]}`, which MISP's "Import from... MISP JSON" reads); returns
    the number of events."""
    events = _events(records, path)
    write_atomic(path, [_dumps({"response": [{"Event": json.loads(e.to_json())} for e in events]})])
    return len(events)


def write_misp_feed(records: Iterable[IncidentRecord], folder: Path) -> int:
    """Write the feed of `records` to `folder`: one `<event uuid>.json` per incident, `hashes.csv`
    and `manifest.json` (PyMISP's feed helpers). The whole feed is built in a staging folder first;
    each file then replaces its old version atomically, the manifest last, and events no longer in
    the manifest are removed after it, so a subscriber never reads a manifest naming a missing file."""
    events = _events(records, folder)
    names = {f"{e.uuid}.json" for e in events}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder.parent, prefix=f".{folder.name}.") as tmp:
            staging = Path(tmp)
            for event in events:
                write_atomic(staging / f"{event.uuid}.json", [_dumps(event.to_feed())])
            feed_meta_generator(staging)
            manifest = json.loads((staging / "manifest.json").read_text("utf-8"))
            hashes = sorted((staging / "hashes.csv").read_text("utf-8").splitlines())
            write_atomic(staging / "manifest.json", [_dumps(manifest)])
            write_atomic(staging / "hashes.csv", [line + "\n" for line in hashes])
            for name in [*sorted(names), "hashes.csv", "manifest.json"]:
                os.replace(staging / name, folder / name)
        for stale in folder.iterdir():
            if _EVENT_FILE.match(stale.name) and stale.name not in names:
                stale.unlink()
    except (OSError, PyMISPError) as exc:
        raise SinkError(f"{folder}: cannot write the MISP feed ({exc})") from exc
    return len(events)
