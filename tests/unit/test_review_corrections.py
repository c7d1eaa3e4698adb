"""Review actions on records: checked corrections, the review state, and re-application on top
of a later clustering (by id, absorbed id or articles; splits and merges rebuilt)."""

from __future__ import annotations

import pytest

from pipeline.cluster import cluster_records
from pipeline.errors import ReviewError
from pipeline.normalize import incident_id, slugify
from pipeline.review.corrections import apply_reviews, exported, folded
from pipeline.review.fields import correction
from schemas.incident import AffectedEntity, IncidentDetail, IncidentRecord, Review, Source, ThreatActor
from schemas.review import ReviewAction

AT = "2026-01-02T03:04:05+00:00"


def _article(
    aid: str, victim: str, actor: str | None = None, published: str = "2025-04-01"
) -> IncidentRecord:
    """A per-article record about a fictional victim."""
    return IncidentRecord(
        id=incident_id(victim, aid),
        linkid=slugify(victim),
        type="Breach",
        date="4/2025",
        severity="40",
        impact="2",
        explanation="test",
        incident=IncidentDetail(
            title=f"{victim} breach",
            type="Data Breach",
            affected_entities=[AffectedEntity(name=victim, type="Company", industry="Retail")],
        ),
        threat_actors=[ThreatActor(name=actor, attribution="claimed")] if actor else [],
        sources=[Source(article_id=aid, published=published)],
    )


def _action(record: IncidentRecord, kind: str, n: int, **extra: object) -> ReviewAction:
    return ReviewAction(
        id=n,
        incident_id=record.id,
        articles=[s.article_id for s in record.sources],
        action=kind,  # type: ignore[arg-type]
        reviewer="Odile Varga",
        at=AT,
        **extra,  # type: ignore[arg-type]
    )


PER_ARTICLE = [
    _article("a1", "Mossgiel Outfitters", "Pewter Finch"),
    _article("a2", "Mossgiel Outfitters", "Pewter Finch", "2025-04-03"),
    _article("b1", "Tarn Valley Credit Union"),
]
BY_ARTICLE = {r.sources[0].article_id: r for r in PER_ARTICLE}


def _lookup(ids: object) -> dict[str, IncidentRecord]:
    return BY_ARTICLE


def _applied(record: IncidentRecord, action: ReviewAction) -> IncidentRecord:
    return apply_reviews([record], _lookup, [action.model_copy(update={"id": 1})])[0]


def _incidents() -> list[IncidentRecord]:
    incidents = cluster_records(PER_ARTICLE)
    assert len(incidents) == 2
    return incidents


def _by_victim(records: list[IncidentRecord], victim: str) -> IncidentRecord:
    return next(r for r in records if any(e.name == victim for e in r.incident.affected_entities))


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("id", "X", "cannot be corrected"),
        ("dates.occurred", "March 3", "YYYY-MM-DD"),
        ("records_affected", "-5", "whole number"),
        ("threat_actors.0.attribution", "rumoured", "attribution is one of"),
        ("incident.type", "Alien Invasion", "type is one of"),
        ("incident.affected_entities.3.name", "X", "no such element"),
        ("incident.affected_entities.0.name", "  ", "empty"),
        ("incident.affected_entities.0.name", "Mossgiel Outfitters", "already"),
    ],
)
def test_a_correction_is_checked_when_made(path: str, value: object, message: str) -> None:
    record = _by_victim(_incidents(), "Mossgiel Outfitters")
    with pytest.raises(ReviewError, match=message):
        correction(record, path, value, "Odile Varga", AT)


def test_a_correction_keeps_the_old_value_and_names_the_element() -> None:
    record = _by_victim(_incidents(), "Mossgiel Outfitters")
    made = correction(record, "threat_actors.0.attribution", "confirmed", "Odile Varga", AT)
    assert (made.old, made.new, made.target) == ("claimed", "confirmed", "Pewter Finch")
    assert made.articles == ["a1", "a2"]
    counted = correction(record, "records_affected", "12,500", "Odile Varga", AT)
    assert (counted.old, counted.new, counted.target) == (None, 12500, None)


def test_correcting_the_primary_victim_renames_its_slug_but_keeps_the_id_and_rescores() -> None:
    record = _by_victim(_incidents(), "Tarn Valley Credit Union")
    renamed = _applied(
        record, correction(record, "incident.affected_entities.0.name", "Tarn Credit", "o", AT)
    )
    assert renamed is not None
    assert (renamed.id, renamed.linkid) == (record.id, "tarn-credit")
    retyped = _applied(record, correction(record, "incident.type", "Ransomware", "o", AT))
    assert retyped is not None
    assert (retyped.type, retyped.incident.type) == ("Ransomware", "Ransomware")
    assert int(retyped.severity) > int(record.severity)
    assert retyped.review == Review(state="corrected", by="o", at=AT)


def test_review_state_follows_the_actions_in_order() -> None:
    record = _incidents()[0]
    state = Review()
    steps = [
        ("correct", "corrected"),
        ("reject", "rejected"),
        ("correct", "rejected"),
        ("confirm", "confirmed"),
    ]
    for n, (kind, expected) in enumerate(steps):
        state = folded(state, _action(record, kind, n))
        assert state.state == expected and state.by == "Odile Varga"


def test_corrections_find_their_element_by_name_after_it_moved() -> None:
    record = _by_victim(_incidents(), "Mossgiel Outfitters")
    made = correction(record, "incident.affected_entities.0.industry", "Outdoor Retail", "o", AT)
    moved = record.model_copy(
        update={
            "incident": record.incident.model_copy(
                update={
                    "affected_entities": [
                        AffectedEntity(name="Kestle Freight", type="Company"),
                        *record.incident.affected_entities,
                    ]
                }
            )
        }
    )
    fixed = apply_reviews([moved], _lookup, [made.model_copy(update={"id": 1})])[0]
    assert [e.industry for e in fixed.incident.affected_entities] == ["Unknown", "Outdoor Retail"]
    gone = moved.model_copy(update={"incident": moved.incident.model_copy(update={"affected_entities": []})})
    waiting = apply_reviews([gone], _lookup, [made.model_copy(update={"id": 1})])[0]
    assert waiting.review.state == "unreviewed"  # nothing to apply it to: it waits, nothing breaks


def test_actions_find_their_incident_when_clustering_gives_it_another_id() -> None:
    incidents = _incidents()
    mossgiel = _by_victim(incidents, "Mossgiel Outfitters")
    # made when the incident was the second article alone, under that article's record id
    alone = BY_ARTICLE["a2"]
    by_absorbed = _action(alone, "reject", 1)
    assert alone.id in mossgiel.absorbed_ids
    assert _by_victim(
        apply_reviews(incidents, _lookup, [by_absorbed]), "Mossgiel Outfitters"
    ).review.state == ("rejected")
    by_articles = _action(alone, "confirm", 2).model_copy(update={"incident_id": "GONE000000000"})
    reviewed = apply_reviews(incidents, _lookup, [by_articles])
    assert _by_victim(reviewed, "Mossgiel Outfitters").review.state == "confirmed"
    assert _by_victim(reviewed, "Tarn Valley Credit Union").review.state == "unreviewed"


def test_split_and_merge_are_rebuilt_from_the_articles_and_keep_the_ids() -> None:
    incidents = _incidents()
    mossgiel = _by_victim(incidents, "Mossgiel Outfitters")
    tarn = _by_victim(incidents, "Tarn Valley Credit Union")
    split = _action(mossgiel, "split", 1, target="a1")  # a1 is the incident's anchor
    rename = correction(mossgiel, "threat_actors.0.attribution", "confirmed", "o", AT).model_copy(
        update={"id": 2}
    )
    after = apply_reviews(incidents, _lookup, [split, rename])
    assert len(after) == 3
    kept = next(r for r in after if r.id == mossgiel.id)
    assert [s.article_id for s in kept.sources] == ["a2"]
    assert kept.threat_actors[0].attribution == "confirmed"  # the correction follows the id
    assert mossgiel.id == BY_ARTICLE["a1"].id  # so the article split out needs an id of its own
    out = next(r for r in after if r.sources[0].article_id == "a1")
    assert out.id == incident_id("Mossgiel Outfitters", "a1#split") and out.review.state == "corrected"
    merge = _action(tarn, "merge", 3, target=mossgiel.id, old=["a1", "a2"])
    merged = apply_reviews(incidents, _lookup, [merge])
    assert [r.id for r in merged] == [tarn.id]
    assert {s.article_id for s in merged[0].sources} == {"a1", "a2", "b1"}
    assert mossgiel.id in merged[0].absorbed_ids and merged[0].review.state == "corrected"
    # the same actions on the same clustering give the same records: a re-run changes nothing
    assert apply_reviews(incidents, _lookup, [merge]) == merged


def test_exports_leave_rejected_incidents_out_unless_asked() -> None:
    incidents = _incidents()
    reviewed = apply_reviews(incidents, _lookup, [_action(incidents[0], "reject", 1)])
    assert [r.id for r in exported(reviewed)] == [incidents[1].id]
    assert len(exported(reviewed, include_rejected=True)) == 2
