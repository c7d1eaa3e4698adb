"""normalize: the record assembled from findings (attacker and victim kept apart)."""

from __future__ import annotations

from pipeline.normalize import name_key, normalize
from schemas.document import Article
from schemas.entities import ArticleFindings, Mention
from schemas.incident import IncidentRecord

TEXT = (
    "Brambleton Hotels Group said hackers stole card data from its hotels. "
    "Researchers tied the attack to Grimwald Collective, a group known as GWC, "
    "which had also breached Tarnhollow Bank."
)


def _mention(label: str, value: str, *, text: str = TEXT, nth: int = 0, **attrs: object) -> Mention:
    """A mention of the `nth` occurrence of `value` in `text`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(value, start + 1)
    return Mention(
        label=label,  # type: ignore[arg-type]
        value=value,
        text=value,
        start=start,
        end=start + len(value),
        sentence=text,
        extractor="test.v1",
        attrs=attrs,  # type: ignore[arg-type]
    )


def _record(*mentions: Mention, text: str = TEXT) -> IncidentRecord:
    article = Article(id="t", origin="test", text=text)
    record = normalize(ArticleFindings(article=article, mentions=list(mentions), is_incident=True))
    assert record is not None
    return record


def test_a_party_named_as_victim_and_as_unfounded_group_stays_a_victim() -> None:
    record = _record(
        _mention("organization", "Brambleton Hotels Group", role="victim"),
        _mention("threat_actor", "Brambleton Hotels Group", kind="group", attribution="suspected"),
    )
    assert [e.name for e in record.incident.affected_entities] == ["Brambleton Hotels Group"]
    assert record.threat_actors == []


def test_a_well_founded_actor_is_never_listed_as_affected() -> None:
    record = _record(
        _mention("organization", "Brambleton Hotels Group", role="victim"),
        _mention("organization", "Grimwald Collective", role="victim"),
        _mention("organization", "GWC", role="victim"),
        _mention(
            "threat_actor",
            "Grimwald Collective",
            kind="group",
            attribution="suspected",
            cue="tied",
            aliases=["GWC"],
        ),
    )
    assert [e.name for e in record.incident.affected_entities] == ["Brambleton Hotels Group"]
    assert [a.name for a in record.threat_actors] == ["Grimwald Collective"]


def test_other_victims_of_the_same_actor_are_kept() -> None:
    record = _record(
        _mention("organization", "Tarnhollow Bank", role="victim"),
        _mention("threat_actor", "Grimwald Collective", kind="group", attribution="suspected", cue="tied"),
    )
    assert [e.name for e in record.incident.affected_entities] == ["Tarnhollow Bank"]


def test_name_key_drops_case_punctuation_and_legal_suffixes() -> None:
    assert name_key("The Brambleton Hotels Group, Inc.") == ("brambleton", "hotels")


PARTY_TEXT = (
    "Ransomware hits Harrowgate Council\n"
    "The Harrowgate Regional Transit Authority (HRTA) said HRTA systems were encrypted. "
    "HRTA staff worked offline; the Harrowgate Council and HRTA share a data centre. "
    "Harrowgate Council was hit as well."
)


def _party(value: str, nth: int = 0, **attrs: object) -> Mention:
    return _mention("organization", value, text=PARTY_TEXT, nth=nth, **attrs)


def test_an_acronym_and_its_full_name_are_one_entity_under_the_full_name() -> None:
    full = "Harrowgate Regional Transit Authority"
    record = _record(
        _party(full, role="victim"),
        *(_party("HRTA", n, role="victim") for n in range(3)),
        text=PARTY_TEXT,
    )
    assert [e.name for e in record.incident.affected_entities] == [full]


def test_the_victim_a_breach_headline_names_is_primary() -> None:
    record = _record(
        *(_party("HRTA", n, role="victim") for n in range(3)),
        _party("Harrowgate Council", 0, role="victim", headline=True),
        _party("Harrowgate Council", 1, role="victim", headline=True),
        text=PARTY_TEXT,
    )
    assert record.linkid == "harrowgate-council"


def test_without_a_publish_date_the_header_date_is_the_texts_first_date() -> None:
    text = (
        "On May 6, 2021, Brindle Clinic mailed 900 patient letters to the wrong addresses. "
        "It said so in June 2021."
    )
    first = _mention("date", "May 6, 2021", text=text, precision="day", role=None, statistic=False)
    first = first.model_copy(update={"value": "2021-05-06"})
    later = _mention("date", "June 2021", text=text, precision="month", role=None, statistic=False)
    later = later.model_copy(update={"value": "2021-06-01"})
    assert _record(first, later, text=text).date == "5/2021"


def test_a_statistics_date_never_dates_the_header() -> None:
    text = "A survey in March 2019 found 60 percent of clinics were hit. Brindle Clinic was breached."
    survey = _mention("date", "March 2019", text=text, precision="month", role=None, statistic=True)
    assert _record(survey.model_copy(update={"value": "2019-03-01"}), text=text).date == ""


def test_the_header_date_is_the_first_report_and_the_occurrence_stays_in_dates() -> None:
    text = "Brindle Clinic said on Tuesday that its records were stolen in March 2019."
    occurred = _mention("date", "March 2019", text=text, precision="month", role="occurred", statistic=False)
    article = Article(id="t", origin="test", text=text, published="2020-02-11")
    findings = ArticleFindings(
        article=article, mentions=[occurred.model_copy(update={"value": "2019-03-01"})], is_incident=True
    )
    record = normalize(findings)
    assert record is not None
    assert record.date == "2/2020"
    assert record.dates.occurred == "2019-03-01"
    undated = _record(occurred.model_copy(update={"value": "2019-03-01"}), text=text)
    assert undated.date == "3/2019"
