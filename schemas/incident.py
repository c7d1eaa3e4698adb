"""The incident record: the sample schema's keys and types, plus typed extensions.

The header (`id` ... `explanation`) and the `incident` dict keep exactly the keys and the
JSON types of `seeds/sample_record.json`, so consumers of that format keep working; the
extensions beside them (`threat_actors`, `dates`, `sources`, `evidence`, ...) carry what
the sample cannot express.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "SCHEMA_VERSION",
    "AffectedEntity",
    "Attribution",
    "CompromisedSoftware",
    "DataBreach",
    "Evidence",
    "Impact",
    "IncidentDates",
    "IncidentDetail",
    "IncidentRecord",
    "Indicator",
    "IndicatorType",
    "JoinReason",
    "Reference",
    "Response",
    "Review",
    "ReviewState",
    "Source",
    "ThreatActor",
]

SCHEMA_VERSION = "1.1"

Attribution = Literal["claimed", "suspected", "confirmed"]
ReviewState = Literal["unreviewed", "confirmed", "corrected", "rejected"]
IndicatorType = Literal["ipv4", "ipv6", "domain", "url", "md5", "sha1", "sha256", "email", "cve"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AffectedEntity(_Strict):
    industry: str = "Unknown"
    name: str
    type: str = Field(description='"Company" (hit directly or through a vendor), "Vendor", "Government", ...')


class DataBreach(_Strict):
    sensitivity_of_data: str = "Unknown"
    type_of_data_compromised: str = "Unknown"


class Impact(_Strict):
    data_compromised: str = "Unknown"
    operational_impact: str = "Unknown"


class Reference(_Strict):
    source: str


class Response(_Strict):
    containment_measures: str = "Unknown"


class IncidentDetail(_Strict):
    """The sample's `incident` dict, key for key."""

    affected_entities: list[AffectedEntity] = Field(default_factory=list)
    data_breach: DataBreach = Field(default_factory=DataBreach)
    description: str = ""
    impact: Impact = Field(default_factory=Impact)
    investigation_status: str = "Unknown"
    references: list[Reference] = Field(default_factory=list)
    response: Response = Field(default_factory=Response)
    title: str = ""
    type: str = "Unknown"


class ThreatActor(_Strict):
    name: str
    aliases: list[str] = Field(default_factory=list)
    attribution: Attribution = "suspected"


class CompromisedSoftware(_Strict):
    name: str
    versions: list[str] = Field(default_factory=list)
    cves: list[str] = Field(default_factory=list)


class Indicator(_Strict):
    """An indicator of compromise the article names, re-fanged ("hxxp://x[.]com" -> "http://x.com")."""

    type: IndicatorType
    value: str
    defanged_in_text: bool = Field(False, description="the article wrote it de-fanged")


class IncidentDates(_Strict):
    """ISO dates (YYYY-MM-DD; a month-precision date is the first of its month)."""

    occurred: str | None = None
    discovered: str | None = None
    disclosed: str | None = None
    reported: str | None = None


class Source(_Strict):
    article_id: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: str | None = None


class Evidence(_Strict):
    """Where a value came from: `sentence` contains `article.text[start:end]`."""

    field: str
    value: str
    article_id: str
    start: int
    end: int
    sentence: str
    extractor: str = ""


class Review(_Strict):
    """What an analyst made of the record (`incidents serve`): the last reviewer and when."""

    state: ReviewState = "unreviewed"
    by: str | None = None
    at: str | None = Field(None, description="ISO 8601 UTC time of the last review action")


class JoinReason(_Strict):
    """Why a report joined its incident: the link that brought it in, read from the incident's
    earliest report outwards (so each reason leads back to that report)."""

    article_id: str = Field(description="the report that joined")
    joined: str = Field(description="the report of the incident it was linked to")
    score: float = Field(description="the link's score: the sum of the parts in `shared`")
    needed: float = Field(description="the score the link needed (more the further apart the reports)")
    shared: list[str] = Field(
        default_factory=list,
        description='what the two reports share, largest part first, each as "kind:value (part)": '
        "identity keys (name, party, malware, actor, cve, count) weighed by kind, prominence and "
        'rarity, and "text" (the similarity of their texts)',
    )


class IncidentRecord(_Strict):
    """One real-world incident, as written to JSONL, SQLite and the other sinks."""

    id: str
    linkid: str
    type: str
    date: str = Field(description='"M/YYYY" of the incident, or "" when unknown')
    severity: str = Field(description='"0".."100"')
    impact: str = Field(description='"1".."5"')
    explanation: str
    incident: IncidentDetail
    threat_actors: list[ThreatActor] = Field(default_factory=list)
    compromised_software: list[CompromisedSoftware] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    attack_vector: str = "unknown"
    data_categories: list[str] = Field(default_factory=list)
    data_not_compromised: list[str] = Field(default_factory=list)
    records_affected: int | None = None
    people_affected: int | None = None
    dates: IncidentDates = Field(default_factory=IncidentDates)
    sources: list[Source] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    disagreements: list[str] = Field(default_factory=list)
    absorbed_ids: list[str] = Field(default_factory=list)
    joins: list[JoinReason] = Field(default_factory=list)
    confidence: float = 0.0
    review: Review = Field(default_factory=Review)
    schema_version: str = SCHEMA_VERSION
