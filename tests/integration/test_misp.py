"""MISP: the events file and the feed load back with PyMISP, the STIX bundle converts into MISP with
misp-stix keeping victims, actors and indicators, and every fixture incident comes out in all three
formats (STIX, MISP JSON, MISP feed)."""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pymisp import MISPEvent
from pymisp.tools import feed_meta_generator

from pipeline.cli import main
from pipeline.errors import SinkError
from pipeline.misp import TAG_NAMESPACE, build_event, event_uuid, write_misp_events, write_misp_feed
from pipeline.stix import build_bundle, serialize_bundle
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
INDICATORS = [
    Indicator(type="url", value="https://login-check.example.com/a.php", defanged_in_text=True),
    Indicator(type="ipv4", value="203.0.113.80", defanged_in_text=True),
    Indicator(type="email", value="billing@example.net"),
    Indicator(type="md5", value="0123456789abcdef0123456789abcdef"),
    Indicator(type="cve", value="CVE-2026-20001"),
]


def _record(rid: str, victim: str) -> IncidentRecord:
    return IncidentRecord(
        id=rid,
        linkid=rid.lower(),
        type="Breach",
        date="4/2026",
        severity="85",
        impact="5",
        explanation="Severe: test",
        incident=IncidentDetail(
            title=f"{victim} loses customer files",
            type="Data Breach",
            investigation_status="Ongoing",
            description=f"Intruders copied files from {victim}.",
            affected_entities=[
                AffectedEntity(name=victim, type="Company", industry="Banking"),
                AffectedEntity(name="Norvale Systems", type="Vendor", industry="Unknown"),
            ],
        ),
        threat_actors=[
            ThreatActor(name="Qilin", attribution="claimed"),
            ThreatActor(name="Ashen Wren", attribution="suspected"),
        ],
        compromised_software=[
            CompromisedSoftware(name="Norvale Sync", versions=["5.1"], cves=["CVE-2026-20001"])
        ],
        indicators=INDICATORS,
        dates=IncidentDates(occurred="2026-04-02", disclosed="2026-04-09"),
        sources=[
            Source(
                article_id=f"{rid}-a",
                url="https://news.example/a",
                title="Bank hit",
                publisher="Example Wire",
                published="2026-04-10",
            )
        ],
    )


RECORDS = [_record("FEN2026", "Fenwick Mutual Bank"), _record("ORL2026", "Orland Savings")]


def _tags(item: Any) -> set[str]:
    return {t.name for t in item.tags}


def test_misp_event_says_what_the_record_says() -> None:
    event = build_event(RECORDS[0])
    assert (event.uuid, event.info, str(event.date)) == (
        event_uuid("FEN2026"),
        "Fenwick Mutual Bank loses customer files",
        "2026-04-02",
    )
    assert (event.threat_level_id, event.analysis, event.distribution) == (1, 1, 0)
    assert {'misp-galaxy:ransomware="Qilin"', 'misp-galaxy:sector="Bank"'} <= _tags(event)
    actors = {a.value: a for a in event.attributes if a.type == "threat-actor"}
    assert _tags(actors["Ashen Wren"]) == {f'{TAG_NAMESPACE}:attribution="suspected"'}
    assert f'{TAG_NAMESPACE}:attribution="claimed"' in _tags(actors["Qilin"])
    (incident,) = event.get_objects_by_name("incident")
    assert incident.get_attributes_by_relation("investigation_status")[0].value == "open"
    assert incident.get_attributes_by_relation("criticality")[0].value == "High"
    victims = {o.get_attributes_by_relation("name")[0].value for o in event.get_objects_by_name("victim")}
    assert victims == {"Fenwick Mutual Bank", "Norvale Systems"}
    assert event.get_objects_by_name("software")[0].get_attributes_by_relation("version")[0].value == "5.1"
    by_type = {(a.type, a.value): a for a in event.attributes}
    for kind, value in [
        ("url", "https://login-check.example.com/a.php"),
        ("ip-dst", "203.0.113.80"),
        ("email-src", "billing@example.net"),
        ("md5", "0123456789abcdef0123456789abcdef"),
        ("vulnerability", "CVE-2026-20001"),
        ("link", "https://news.example/a"),
    ]:
        assert by_type[(kind, value)].to_ids is False
    assert [a.type for a in event.attributes].count("vulnerability") == 1


def test_misp_events_file_loads_back_with_pymisp_and_is_stable(tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    assert write_misp_events(RECORDS, path) == 2
    first = path.read_bytes()
    assert write_misp_events(list(reversed(RECORDS)), path) == 2
    assert path.read_bytes() == first
    loaded = []
    for item in json.loads(first)["response"]:
        event = MISPEvent()
        event.load(item)
        loaded.append(event)
    assert [e.uuid for e in loaded] == sorted(event_uuid(r.id) for r in RECORDS)
    assert {e.info for e in loaded} == {r.incident.title for r in RECORDS}
    assert all(len(e.attributes) == len(build_event(RECORDS[0]).attributes) for e in loaded)


def _feed_meta(folder: Path) -> tuple[dict[str, Any], list[str]]:
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    return manifest, sorted((folder / "hashes.csv").read_text("utf-8").splitlines())


def test_misp_feed_reads_back_with_pymisp_feed_helpers(tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    assert write_misp_feed(RECORDS, feed) == 2
    manifest, hashes = _feed_meta(feed)
    assert set(manifest) == {event_uuid(r.id) for r in RECORDS}
    for uid, meta in manifest.items():
        event = MISPEvent()
        event.load_file(str(feed / f"{uid}.json"))
        assert (event.uuid, event.info) == (uid, meta["info"])
        assert event.manifest[uid]["timestamp"] == meta["timestamp"]
    # PyMISP's own helper, run on a copy, gives the same manifest and hashes
    copy = tmp_path / "copy"
    shutil.copytree(feed, copy)
    feed_meta_generator(copy)
    assert _feed_meta(copy) == (manifest, hashes)
    digest = hashlib.md5(b"203.0.113.80").hexdigest()  # MISP feeds index attributes by MD5
    assert f"{digest},{event_uuid('FEN2026')}" in hashes


def test_misp_feed_is_rewritten_whole_with_stable_uuids(tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    write_misp_feed(RECORDS, feed)
    first = {p.name: p.read_bytes() for p in feed.iterdir()}
    (feed / "notes.txt").write_text("kept", "utf-8")
    write_misp_feed(RECORDS[:1], feed)
    assert sorted(p.name for p in feed.iterdir()) == sorted(
        [f"{event_uuid('FEN2026')}.json", "hashes.csv", "manifest.json", "notes.txt"]
    )
    write_misp_feed(RECORDS, feed)
    assert {p.name: p.read_bytes() for p in feed.iterdir() if p.name != "notes.txt"} == first
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".feed.")]  # no staging left


def test_misp_feed_failure_leaves_the_old_feed(tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    write_misp_feed(RECORDS, feed)
    before = {p.name: p.read_bytes() for p in feed.iterdir()}
    broken = RECORDS[1].model_copy(update={"severity": "high"})  # no number: the event cannot be built
    with pytest.raises(SinkError, match=f"{feed}: cannot build the MISP events"):
        write_misp_feed([RECORDS[0], broken], feed)
    assert {p.name: p.read_bytes() for p in feed.iterdir()} == before
    taken = tmp_path / "taken"
    taken.write_text("not a folder", "utf-8")
    with pytest.raises(SinkError, match=f"{taken}: cannot write the MISP feed"):
        write_misp_feed(RECORDS, taken)
    assert taken.read_text("utf-8") == "not a folder"


def test_misp_output_downloads_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Object templates and attribute types ship inside PyMISP: building events opens no socket."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access while writing MISP output")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    write_misp_events(RECORDS, tmp_path / "events.json")
    write_misp_feed(RECORDS, tmp_path / "feed")


# misp-stix runs in its own process: its dependency mixbox installs an old `six` import hook
# that would turn every later failed import of the test session into an ImportWarning.
_CONVERT = """
import json, sys
from misp_stix_converter import ExternalSTIX2toMISPParser
from stix2.parsing import parse
parser = ExternalSTIX2toMISPParser()
parser.load_stix_bundle(parse(sys.stdin.read(), allow_custom=True))
parser.parse_stix_bundle()
events = parser.misp_events if isinstance(parser.misp_events, list) else [parser.misp_events]
print(json.dumps([json.loads(e.to_json()) for e in events]))
"""


def test_stix_bundle_converts_into_misp_keeping_victims_actors_and_indicators() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CONVERT],
        input=serialize_bundle(build_bundle(RECORDS[:1])),
        capture_output=True,
        text=True,
        check=True,
    )
    (converted,) = json.loads(done.stdout)
    event = MISPEvent()
    event.load(converted)
    victims = {
        o.get_attributes_by_relation("name")[0].value for o in event.get_objects_by_name("organization")
    }
    assert {"Fenwick Mutual Bank", "Norvale Systems"} <= victims
    actors = {c.value for g in event.galaxies if "Threat Actor" in g.name for c in g.clusters}
    assert actors == {"Qilin", "Ashen Wren"}
    values = {a.value for a in event.attributes} | {a.value for o in event.objects for a in o.attributes}
    for indicator in INDICATORS[:4]:
        assert indicator.value in values, indicator
    vulnerabilities = {c.value for g in event.galaxies if "Vulnerability" in g.name for c in g.clusters}
    assert "CVE-2026-20001" in vulnerabilities


def test_fixture_incidents_come_out_in_all_three_formats(tmp_path: Path) -> None:
    out, bundle, events, feed = (tmp_path / n for n in ("o.jsonl", "bundle.json", "events.json", "feed"))
    argv = ["extract", str(ROOT / "fixtures"), "-o", str(out), "--stix", str(bundle)]
    assert main([*argv, "--misp", str(events), "--misp-feed", str(feed), "-q"]) == 0
    records = [IncidentRecord.model_validate_json(line) for line in out.read_text("utf-8").splitlines()]
    ids = {r.id for r in records}
    stix = {
        o["x_incident_id"]
        for o in json.loads(bundle.read_text("utf-8"))["objects"]
        if o["type"] == "incident"
    }
    assert stix == ids
    wanted = {event_uuid(i) for i in ids}
    assert {e["Event"]["uuid"] for e in json.loads(events.read_text("utf-8"))["response"]} == wanted
    assert set(json.loads((feed / "manifest.json").read_text("utf-8"))) == wanted


def test_seed_incident_misp_event_names_actors_software_and_parties(tmp_path: Path, shared: Path) -> None:
    gold = json.loads((shared / "seeds" / "gold.json").read_text("utf-8"))["incident"]
    events = tmp_path / "events.json"
    argv = ["extract", str(shared / "seeds" / "articles"), "-o", str(tmp_path / "o.jsonl")]
    assert main([*argv, "--misp", str(events), "-q"]) == 0
    (item,) = json.loads(events.read_text("utf-8"))["response"]
    event = MISPEvent()
    event.load(item)
    actors = {a.value.casefold(): _tags(a) for a in event.attributes if a.type == "threat-actor"}
    for actor in gold["threat_actors"]:
        grades = {t.split('"')[1] for t in actors[actor["name"].casefold()] if t.startswith(TAG_NAMESPACE)}
        assert grades & set(actor["attribution_any_of"]), actor
    software = {o.get_attributes_by_relation("name")[0].value for o in event.get_objects_by_name("software")}
    assert {s.casefold() for s in software} & {s.casefold() for s in gold["compromised_software_any_of"]}
    victims = {o.get_attributes_by_relation("name")[0].value for o in event.get_objects_by_name("victim")}
    assert {e["name"] for e in gold["affected_entities"]} <= victims
