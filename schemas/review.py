"""An analyst's review action: the contract between the review page, its store and the sinks.

Actions are kept in the order they were made and re-applied, in that order, on top of every
later clustering, so what an analyst said survives re-extraction.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ActionKind", "ReviewAction"]

ActionKind = Literal["confirm", "reject", "correct", "split", "merge"]


class ReviewAction(BaseModel):
    """One action on one incident.

    `incident_id` and `articles` say which incident it was made on (its id and article ids
    then), so it is found again when re-clustering gives the incident another id. `field` is
    the dotted path a correction sets; `target` names what the action acts on inside the
    incident: the list element's name at the time (a victim, an actor), the article split out,
    or the incident merged in.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int | None = None
    incident_id: str
    articles: list[str] = Field(default_factory=list)
    action: ActionKind
    field: str | None = None
    target: str | None = None
    old: Any = None
    new: Any = None
    reviewer: str
    at: str
