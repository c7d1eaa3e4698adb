"""Merging one incident's reports: each party and actor once, provenance kept, header rescored.

Every name here is invented.
"""

from __future__ import annotations

import itertools

from pipeline.merge import merge_records
from schemas.incident import AffectedEntity, IncidentDetail, IncidentRecord, Source, ThreatActor


def _rec(article: str, published: str, parties: tuple[str, ...], actor: ThreatActor) -> IncidentRecord:
    return IncidentRecord(
        id=f"ID-{article}",
        linkid="harbor-mutual-inc",
        type="Breach",
        date="3/2026",
        severity="40",
        impact="3",
        explanation="",
        incident=IncidentDetail(
            title=f"story {article}",
            type="Data Breach",
            affected_entities=[
                AffectedEntity(name="Harbor Mutual Inc.", type="Company", industry="Insurance"),
                *(AffectedEntity(name=p, type="Government", industry="Government") for p in parties),
            ],
        ),
        threat_actors=[actor],
        sources=[Source(article_id=article, published=published)],
    )


def test_a_single_record_is_returned_unchanged() -> None:
    record = _rec("a", "2026-03-02", (), ThreatActor(name="Gray Lantern"))
    assert merge_records([record]) == record


def test_merged_record_names_each_party_and_actor_once_whatever_the_order() -> None:
    lantern = ThreatActor(name="Gray Lantern", attribution="suspected")
    a = _rec("a", "2026-03-02", ("Revenue Office",), lantern)
    b = _rec("b", "2026-03-03", ("Harlow Revenue Office",), lantern)
    c = _rec(
        "c",
        "2026-03-04",
        ("Revenue Office",),
        ThreatActor(name="GRAY LANTERN", aliases=["Gray Lantern"], attribution="claimed"),
    )
    for order in itertools.permutations([a, b, c]):
        merged = merge_records(order)
        assert merged.id == "ID-a"
        assert [e.name for e in merged.incident.affected_entities] == ["Harbor Mutual Inc.", "Revenue Office"]
        assert [(t.name, t.attribution, t.aliases) for t in merged.threat_actors] == [
            ("Gray Lantern", "claimed", ["GRAY LANTERN"])
        ]


def test_a_party_one_report_names_as_the_attacker_is_not_affected_in_the_merge() -> None:
    lantern = ThreatActor(name="Gray Lantern", attribution="claimed")
    merged = merge_records(
        [_rec("a", "2026-03-02", ("Gray Lantern",), lantern), _rec("b", "2026-03-03", (), lantern)]
    )
    assert [e.name for e in merged.incident.affected_entities] == ["Harbor Mutual Inc."]
