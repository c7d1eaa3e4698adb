"""Clustering: same breached party, compatible type and dates -> one incident; else apart."""

from __future__ import annotations

import itertools

from pipeline.cluster import WINDOW_DAYS, cluster_records, merge_records
from schemas.incident import (
    AffectedEntity,
    IncidentDates,
    IncidentDetail,
    IncidentRecord,
    Source,
    ThreatActor,
)


def _rec(
    article: str,
    victim: str = "Harbor Mutual Inc.",
    published: str = "2026-03-02",
    rtype: str = "Breach",
    actors: tuple[tuple[str, str], ...] = (),
    count: int | None = None,
    disclosed: str | None = None,
) -> IncidentRecord:
    slug = "-".join(victim.lower().replace(".", "").split())
    return IncidentRecord(
        id=f"ID-{article}",
        linkid=slug,
        type=rtype,
        date="3/2026",
        severity="40",
        impact="3",
        explanation="",
        incident=IncidentDetail(
            title=f"story {article}",
            type="Data Breach" if rtype == "Breach" else rtype,
            affected_entities=[AffectedEntity(name=victim, type="Company", industry="Insurance")],
        ),
        threat_actors=[ThreatActor(name=n, attribution=a) for n, a in actors],  # type: ignore[arg-type]
        records_affected=count,
        dates=IncidentDates(disclosed=disclosed),
        sources=[Source(article_id=article, published=published)],
    )


def test_same_victim_name_variants_merge_whatever_the_order() -> None:
    records = [
        _rec("a", "Harbor Mutual Inc.", "2026-03-02", actors=(("Gray Lantern", "suspected"),), count=48000),
        _rec("b", "Harbor Mutual", "2026-03-04", actors=(("Gray Lantern", "claimed"),), count=50000),
        _rec(
            "c",
            "Harbor Mutual",
            "2026-03-05",
            actors=(("Gray Lantern", "suspected"),),
            disclosed="2026-02-27",
        ),
    ]
    outputs = {
        tuple(r.model_dump_json() for r in cluster_records(list(order)))
        for order in itertools.permutations(records)
    }
    assert len(outputs) == 1
    (merged,) = cluster_records(records)
    assert [s.article_id for s in merged.sources] == ["a", "b", "c"]
    assert merged.threat_actors[0].attribution == "claimed"
    assert merged.dates.disclosed == "2026-02-27"
    assert "48,000" in merged.disagreements[0] and "50,000" in merged.disagreements[0]
    assert set(merged.absorbed_ids) == {"ID-b", "ID-c"}
    assert merged.id == "ID-a"


def test_same_company_without_supporting_evidence_stays_apart() -> None:
    records = [_rec("a", actors=(("Gray Lantern", "claimed"),)), _rec("b", actors=(("Qilin", "claimed"),))]
    assert len(cluster_records(records)) == 2


def test_two_breaches_a_year_apart_stay_two_incidents() -> None:
    actor = (("Gray Lantern", "claimed"),)
    records = [
        _rec("a", published="2025-03-02", actors=actor),
        _rec("b", published="2026-03-10", actors=actor),
    ]
    assert len(cluster_records(records)) == 2
    assert WINDOW_DAYS < 365


def test_different_victims_or_incompatible_types_stay_apart() -> None:
    assert len(cluster_records([_rec("a", "Harbor Mutual"), _rec("b", "Calloway Health")])) == 2
    assert len(cluster_records([_rec("a"), _rec("b", rtype="Vulnerability")])) == 2


def test_single_record_is_returned_unchanged() -> None:
    record = _rec("a")
    assert merge_records([record]) == record


def test_one_actor_under_two_of_its_names_supports_a_merge() -> None:
    a = _rec("a", actors=(("Fancy Bear", "suspected"),))
    b = _rec("b")
    b = b.model_copy(
        update={"threat_actors": [ThreatActor(name="APT28", aliases=["Fancy Bear"], attribution="suspected")]}
    )
    assert len(cluster_records([a, b])) == 1


def test_an_actor_described_not_named_is_no_evidence() -> None:
    described = (("Russian hackers", "suspected"),)
    records = [
        _rec("a", published="2026-03-02", actors=described),
        _rec("b", published="2026-03-20", actors=described),
    ]
    assert len(cluster_records(records)) == 2


def test_reports_of_one_victim_in_the_same_week_merge_unless_they_name_other_actors() -> None:
    ransom = _rec("a", published="2026-04-13", rtype="Ransomware", actors=(("Gray Lantern", "claimed"),))
    breach = _rec("b", published="2026-04-16", count=86500)
    assert len(cluster_records([ransom, breach])) == 1
    later = _rec("c", published="2026-04-29", count=1200)
    assert len(cluster_records([ransom, later])) == 2
    rival = _rec("d", published="2026-04-14", actors=(("Qilin", "claimed"),))
    assert len(cluster_records([ransom, rival])) == 2


def test_phishing_reports_naming_one_brand_in_the_same_week_stay_apart() -> None:
    """A phishing report names the brand the scam impersonates; two scams using one brand in a
    week are two incidents, and a scam is not the brand's breach reported that week."""
    scam = _rec("a", victim="Orchard Phone", published="2026-05-04", rtype="Phishing")
    other_scam = _rec("b", victim="Orchard Phone", published="2026-05-06", rtype="Phishing")
    breach = _rec("c", victim="Orchard Phone", published="2026-05-05", actors=(("Gray Lantern", "claimed"),))
    assert len(cluster_records([scam, other_scam])) == 2
    assert len(cluster_records([scam, breach])) == 2
    same_actor = _rec(
        "d",
        victim="Orchard Phone",
        published="2026-05-06",
        rtype="Phishing",
        actors=(("Gray Lantern", "suspected"),),
    )
    assert (
        len(
            cluster_records(
                [
                    same_actor,
                    _rec(
                        "e",
                        victim="Orchard Phone",
                        published="2026-05-07",
                        rtype="Phishing",
                        actors=(("Gray Lantern", "claimed"),),
                    ),
                ]
            )
        )
        == 1
    )


def test_an_acronym_meets_the_one_full_name_with_its_initials() -> None:
    actor = (("Gray Lantern", "claimed"),)
    short = _rec("a", victim="ODOT", published="2026-02-22", rtype="Ransomware", actors=actor)
    full = _rec("b", victim="Oregon Department of Transportation", published="2026-03-01", actors=actor)
    merged = cluster_records([full, short])
    assert len(merged) == 1 and {s.article_id for s in merged[0].sources} == {"a", "b"}
    other = _rec("c", victim="Ohio Department of Transportation", published="2026-03-02", actors=actor)
    assert len(cluster_records([short, full, other])) == 3  # ODOT could be either: no guess


def _with(record: IncidentRecord, *names: str) -> IncidentRecord:
    extra = [AffectedEntity(name=n, type="Government", industry="Government") for n in names]
    detail = record.incident.model_copy(
        update={"affected_entities": [*record.incident.affected_entities, *extra]}
    )
    return record.model_copy(update={"incident": detail})


def test_merged_record_names_each_party_and_actor_once() -> None:
    actor = (("Gray Lantern", "suspected"),)
    a = _with(_rec("a", published="2026-03-02", actors=actor), "Foreign Office")
    b = _with(_rec("b", published="2026-03-03", actors=actor), "UK Foreign Office")
    c = _with(_rec("c", published="2026-03-04", actors=actor), "Foreign Office")
    c = c.model_copy(
        update={
            "threat_actors": [
                ThreatActor(name="GRAY LANTERN", aliases=["Gray Lantern"], attribution="claimed")
            ]
        }
    )
    for order in itertools.permutations([a, b, c]):
        (merged,) = cluster_records(order)
        assert [e.name for e in merged.incident.affected_entities] == ["Harbor Mutual Inc.", "Foreign Office"]
        assert [(t.name, t.attribution, t.aliases) for t in merged.threat_actors] == [
            ("Gray Lantern", "claimed", ["GRAY LANTERN"])
        ]


def test_a_party_one_report_names_as_the_attacker_is_not_affected_in_the_merge() -> None:
    actor = (("Gray Lantern", "claimed"),)
    a = _with(_rec("a", published="2026-03-02", actors=actor), "Gray Lantern")
    b = _rec("b", published="2026-03-03", actors=actor)
    (merged,) = cluster_records([a, b])
    assert [e.name for e in merged.incident.affected_entities] == ["Harbor Mutual Inc."]
