"""What extractors find: mentions with character spans into `Article.text`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.document import Article

__all__ = ["ArticleFindings", "AttrValue", "Mention", "MentionLabel"]

MentionLabel = Literal[
    "organization",  # value: canonical name; attrs: role, industry, mentions
    "threat_actor",  # value: canonical name; attrs: attribution, aliases
    "software",  # value: product/package name; attrs: versions, cves
    "attack_vector",  # value: a term of extractors/data/attack_vectors.json
    "data",  # value: the article's phrase for data stolen/exposed; attrs: category
    "data_not_compromised",  # value: phrase the article says was NOT affected
    "data_category",  # value: a term of extractors/data/data_categories.json
    "count",  # value: integer as text; attrs: kind ("records" | "people"), noun
    "date",  # value: ISO date; attrs: role (occurred|discovered|disclosed|reported), precision
    "status",  # value: Ongoing | Contained | Resolved
    "containment",  # value: the response phrase
    "operational_impact",  # value: the impact phrase
    "incident_type",  # value: a term of extractors/data/incident_types.json
    "reference",  # value: the outlet credited ("first reported by Wired")
    "indicator",  # value: the re-fanged indicator; attrs: type (ipv4, domain, url, sha256, ...), defanged
]

AttrValue = str | int | float | bool | list[str] | None


class Mention(BaseModel):
    """One finding: `text == article.text[start:end]`, inside `sentence`.

    `extractor` is the versioned name of the rule that made it (e.g. `actors.v1`), so a
    record's every value can be traced to the rule and the sentence behind it.
    """

    model_config = ConfigDict(frozen=True)

    label: MentionLabel
    value: str
    text: str
    start: int
    end: int
    sentence: str
    extractor: str
    attrs: dict[str, AttrValue] = Field(default_factory=dict)
    score: float = 1.0


class ArticleFindings(BaseModel):
    """Everything the extract stage learned from one article."""

    article: Article
    mentions: list[Mention] = Field(default_factory=list)
    is_incident: bool = True
    reason: str | None = Field(None, description="why the article is not an incident, if it is not")
