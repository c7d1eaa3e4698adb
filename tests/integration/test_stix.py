"""The STIX 2.1 bundle: valid for stix2-validator, deterministic, and saying what the records say.

Strict validation is run too: it may only raise the warnings the design accepts (see
`pipeline.stix` and docs/sinks.md): UUIDv5 ids (103), relationships the spec permits but does not
suggest, such as incident `targets` / `attributed-to` / `uses` (202), URLs without hashes (302).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from stix2validator import ValidationOptions, validate_string

from pipeline.cli import main
from pipeline.sinks import record_json
from pipeline.stix import (
    ATTRIBUTION_CONFIDENCE,
    INCIDENT_EXTENSION,
    build_bundle,
    serialize_bundle,
    stix_id,
    write_stix,
)
from schemas.incident import (
    AffectedEntity,
    CompromisedSoftware,
    IncidentDates,
    IncidentDetail,
    IncidentRecord,
    Indicator,
    Source,
    ThreatActor,
)

ROOT = Path(__file__).resolve().parents[2]
ACCEPTED_WARNINGS = {"103", "202", "302"}


def _record(rid: str, victim: str, published: str, **extra: Any) -> IncidentRecord:
    return IncidentRecord(
        id=rid,
        linkid=rid.lower(),
        type="Data Breach",
        date="3/2025",
        severity="70",
        impact="4",
        explanation="test record",
        incident=IncidentDetail(
            title=f"{victim} customer data stolen",
            type="Data Breach",
            description=f"Intruders copied customer files from {victim}.",
            investigation_status="Ongoing",
            affected_entities=[
                AffectedEntity(name=victim, type="Company", industry="Retail"),
                AffectedEntity(name="Tallyway Software", type="Vendor", industry="Unknown"),
            ],
        ),
        threat_actors=[ThreatActor(name="Quartz Heron", aliases=["QH Crew"], attribution="claimed")],
        compromised_software=[
            CompromisedSoftware(name="Tallyway Ledger", versions=["4.2"], cves=["CVE-2025-10001"])
        ],
        indicators=[
            Indicator(type="domain", value="drop-box.example.net", defanged_in_text=True),
            Indicator(type="sha256", value="a" * 64),
            Indicator(type="cve", value="CVE-2025-10001"),
        ],
        data_categories=["contact details", "credentials"],
        records_affected=12000,
        people_affected=9000,
        attack_vector="credential stuffing",
        dates=IncidentDates(occurred="2025-02-20", disclosed="2025-03-03"),
        sources=[
            Source(
                article_id=f"{rid}-a", url="https://news.example/a", title="Retailer hit", published=published
            ),
            Source(article_id=f"{rid}-b", publisher="Example Wire", published="2025-03-09T10:00:00+02:00"),
        ],
        **extra,
    )


RECORDS = [
    _record("GLN2025", "Glenmoor Outfitters", "2025-03-04"),
    _record("PIK2025", "Pike Valley Dairy", "2025-03-12"),
]


def _messages(text: str) -> tuple[list[str], list[str]]:
    """(errors, strict-only warnings) of stix2-validator for a serialized bundle."""
    loose = validate_string(text, ValidationOptions(version="2.1"))
    strict = validate_string(text, ValidationOptions(version="2.1", strict=True))
    errors = [str(e) for e in loose.errors] if not loose.is_valid else []
    return errors, [str(e) for e in strict.errors]


def _assert_valid(text: str) -> None:
    errors, warnings = _messages(text)
    assert errors == []
    codes = {w.split("{", 1)[1].split("}", 1)[0] for w in warnings}
    assert codes <= ACCEPTED_WARNINGS, warnings


def _objects(text: str) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in json.loads(text)["objects"]}


def test_stix_bundle_validates_and_holds_each_incident() -> None:
    text = build_bundle(RECORDS).serialize(pretty=True)
    _assert_valid(text)
    objects = _objects(text)
    incident = objects[stix_id("incident", "GLN2025")]
    assert incident["name"] == "Glenmoor Outfitters customer data stolen"
    assert incident["x_incident_id"] == "GLN2025"
    assert incident["created"] == "2025-02-20T00:00:00.000Z"  # the earliest date of the record
    assert incident["modified"] == "2025-03-09T08:00:00.000Z"  # the latest publication, in UTC
    assert (incident["incident_type"], incident["first_seen"]) == ("data-leak", "2025-02-20T00:00:00Z")
    victim = objects[stix_id("identity", "glenmoor outfitters")]
    assert (victim["identity_class"], victim["sectors"]) == ("organization", ["retail"])
    assert "sectors" not in objects[stix_id("identity", "tallyway software")]
    actor = objects[stix_id("threat-actor", "quartz heron")]
    assert actor["aliases"] == ["QH Crew"]


def test_stix_incident_core_extension_holds_status_severity_and_impacts() -> None:
    incident = _objects(build_bundle(RECORDS).serialize())[stix_id("incident", "GLN2025")]
    core = incident["extensions"][INCIDENT_EXTENSION]
    assert core["extension_type"] == "property-extension"
    assert (core["investigation_status"], core["determination"]) == ("open", "successful-attempt")
    assert core["incident_types"] == ["supply-chain-customer", "unauthorized-access", "unauthorized-release"]
    assert core["criticality"] == 70
    assert core["impacted_entity_counts"] == {"organization": 2, "individual": 9000}
    assert core["confidentiality_impacts"] == [
        {"information_type": kind, "loss_type": "confirmed-loss", "record_count": 12000}
        for kind in ("credentials", "pii")
    ]
    assert {s["name"]: s["value"] for s in core["scores"]} == {
        "news-incident-pipeline severity": 70,
        "news-incident-pipeline impact level": 4,
    }
    assert {key for key in incident if key.startswith("x_")} == {
        "x_incident_id",
        "x_linkid",
        "x_review_state",
    }


def test_stix_indicators_are_patterns_based_on_observables() -> None:
    objects = _objects(build_bundle(RECORDS).serialize())
    incident = stix_id("incident", "GLN2025")
    domain = objects[stix_id("indicator", "domain:drop-box.example.net")]
    assert domain["pattern"] == "[domain-name:value = 'drop-box.example.net']"
    assert domain["pattern_type"] == "stix" and "de-fanged" in domain["description"]
    digest = objects[stix_id("indicator", "sha256:" + "a" * 64)]
    assert digest["pattern"] == f"[file:hashes.'SHA-256' = '{'a' * 64}']"
    links = {
        (o["source_ref"], o["relationship_type"], o["target_ref"])
        for o in objects.values()
        if o["type"] == "relationship"
    }
    (based_on,) = [target for source, kind, target in links if (source, kind) == (domain["id"], "based-on")]
    assert (objects[based_on]["type"], objects[based_on]["value"]) == ("domain-name", "drop-box.example.net")
    assert (domain["id"], "indicates", incident) in links
    assert stix_id("indicator", "cve:CVE-2025-10001") not in objects  # a CVE is a vulnerability


def test_stix_relationships_link_incident_actor_and_victims() -> None:
    objects = _objects(build_bundle(RECORDS).serialize())
    incident, actor = stix_id("incident", "GLN2025"), stix_id("threat-actor", "quartz heron")
    victim = stix_id("identity", "glenmoor outfitters")
    links = {
        (o["source_ref"], o["relationship_type"], o["target_ref"]): o
        for o in objects.values()
        if o["type"] == "relationship"
    }
    attributed = links[(incident, "attributed-to", actor)]
    assert attributed["confidence"] == ATTRIBUTION_CONFIDENCE["claimed"]
    assert (actor, "targets", victim) in links
    assert links[(incident, "targets", victim)]["description"] == "Company"
    assert (incident, "targets", stix_id("vulnerability", "CVE-2025-10001")) in links
    assert (incident, "uses", stix_id("attack-pattern", "credential stuffing")) in links
    sector = stix_id("identity", "sector:retail")
    assert (victim, "part-of", sector) in links
    assert _objects(build_bundle(RECORDS).serialize())[sector]["identity_class"] == "class"


def test_stix_ransomware_family_is_malware_the_incident_uses() -> None:
    record = RECORDS[0].model_copy(
        update={"threat_actors": [ThreatActor(name="Qilin", attribution="claimed")]}
    )
    objects = _objects(build_bundle([record]).serialize())
    malware = objects[stix_id("malware", "qilin")]
    assert (malware["is_family"], malware["malware_types"]) == (True, ["ransomware"])
    links = {
        (o["source_ref"], o["relationship_type"], o["target_ref"])
        for o in objects.values()
        if o["type"] == "relationship"
    }
    assert (stix_id("incident", "GLN2025"), "uses", malware["id"]) in links
    assert (stix_id("threat-actor", "qilin"), "uses", malware["id"]) in links


def test_stix_report_per_source_article() -> None:
    objects = _objects(build_bundle(RECORDS).serialize())
    reports = [o for o in objects.values() if o["type"] == "report"]
    assert len(reports) == 4
    first = objects[stix_id("report", "GLN2025/GLN2025-a")]
    assert first["published"] == "2025-03-04T00:00:00Z"
    assert first["external_references"] == [{"source_name": "news.example", "url": "https://news.example/a"}]
    assert stix_id("incident", "GLN2025") in first["object_refs"]
    assert stix_id("incident", "PIK2025") not in first["object_refs"]
    second = objects[stix_id("report", "GLN2025/GLN2025-b")]
    assert second["external_references"][0]["source_name"] == "Example Wire"


def test_stix_shared_objects_are_merged_and_dated_by_all_their_incidents() -> None:
    objects = _objects(build_bundle(RECORDS).serialize())
    assert [o["type"] for o in objects.values()].count("threat-actor") == 1
    vendor = objects[stix_id("identity", "tallyway software")]
    assert vendor["created"] == "2025-02-20T00:00:00.000Z"
    assert vendor["modified"] == "2025-03-12T00:00:00.000Z"


def test_stix_bundle_is_the_same_for_the_same_records_in_any_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    count = write_stix(RECORDS, first)
    write_stix(list(reversed(RECORDS)), second)
    assert first.read_bytes() == second.read_bytes()
    assert count == len(json.loads(first.read_text("utf-8"))["objects"])
    changed = [RECORDS[0].model_copy(update={"severity": "90"}), RECORDS[1]]  # criticality 90
    assert build_bundle(changed).serialize() != first.read_text("utf-8").rstrip("\n")


_BUILD = """
import sys
from pipeline.stix import build_bundle, serialize_bundle
from schemas.incident import IncidentRecord
records = [IncidentRecord.model_validate_json(line) for line in open(sys.argv[1], encoding="utf-8")]
sys.stdout.write(serialize_bundle(build_bundle(records)))
"""


def test_stix_bundle_is_the_same_bytes_in_another_process(tmp_path: Path) -> None:
    """String hashing differs between processes (PYTHONHASHSEED); the bytes must not."""
    path = tmp_path / "records.jsonl"
    path.write_text("".join(record_json(r) + "\n" for r in RECORDS), encoding="utf-8")
    outputs = [
        subprocess.run(
            [sys.executable, "-c", _BUILD, str(path)],
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1] == serialize_bundle(build_bundle(RECORDS)).encode()


def test_stix_record_without_dates_or_actors_still_validates() -> None:
    bare = IncidentRecord(
        id="UNK0001",
        linkid="unk",
        type="Unknown",
        date="",
        severity="0",
        impact="1",
        explanation="",
        incident=IncidentDetail(),
        sources=[Source(article_id="x1")],
    )
    text = build_bundle([bare]).serialize()
    _assert_valid(text)
    incident = _objects(text)[stix_id("incident", "UNK0001")]
    assert incident["name"] == "UNK0001" and incident["created"] == "1970-01-01T00:00:00.000Z"


def test_stix_bundle_of_the_fixtures_validates(tmp_path: Path) -> None:
    out, bundle = tmp_path / "incidents.jsonl", tmp_path / "bundle.json"
    assert main(["extract", str(ROOT / "fixtures"), "-o", str(out), "--stix", str(bundle), "-q"]) == 0
    records = [IncidentRecord.model_validate_json(line) for line in out.read_text("utf-8").splitlines()]
    text = bundle.read_text("utf-8")
    _assert_valid(text)
    objects = list(_objects(text).values())
    assert sorted(o["x_incident_id"] for o in objects if o["type"] == "incident") == sorted(
        r.id for r in records
    )
    assert sum(o["type"] == "report" for o in objects) == sum(len(r.sources) for r in records)
    assert serialize_bundle(build_bundle(records)) == text


@pytest.mark.parametrize("industry", ["Unknown", "AI data services"])
def test_stix_industry_outside_the_vocabulary_gives_no_sector(industry: str) -> None:
    record = RECORDS[0].model_copy(deep=True)
    record.incident.affected_entities[0].industry = industry
    victim = _objects(build_bundle([record]).serialize())[stix_id("identity", "glenmoor outfitters")]
    assert "sectors" not in victim
