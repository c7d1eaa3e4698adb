"""A reviewer's action, as the server takes it: checked, stored, applied, in one transaction.

The incident is rebuilt the way every later run rebuilds it: `apply_reviews` over the
incident as it stands with the actions that concern it, the new one last. So what the page
shows after an action is what the next `extract` or `follow` run writes. A reviewer who
read version N of the incident and acts after someone else changed it gets a
`ConflictError`, not a silent overwrite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pipeline.errors import ConflictError, ReviewError, UnknownIncidentError
from pipeline.review.corrections import STRUCTURAL, apply_reviews
from pipeline.review.database import Database, write_incidents
from pipeline.review.fields import correction
from pipeline.review.store import Conn, insert_action, load_actions, load_per_article
from schemas.incident import IncidentRecord
from schemas.review import ActionKind, ReviewAction

__all__ = ["Outcome", "Request", "perform"]


@dataclass(frozen=True)
class Request:
    """What a reviewer asks: `field`/`value` for a correction, `target` the article to split
    out or the incident to merge in; `version` the incident's version the reviewer saw."""

    action: ActionKind
    reviewer: str
    field: str | None = None
    value: Any = None
    target: str | None = None
    version: int | None = None


@dataclass(frozen=True)
class Outcome:
    action: ReviewAction
    incident: IncidentRecord
    version: int
    others: tuple[IncidentRecord, ...] = ()


def _current(conn: Conn, incident_id: str) -> tuple[IncidentRecord, int]:
    row = conn.one("SELECT record, version FROM incidents WHERE id = ?", (incident_id,))
    if row is None:
        raise UnknownIncidentError(f"no incident {incident_id!r}")
    return conn.record(row[0]), int(row[1])


def _articles(record: IncidentRecord) -> list[str]:
    return [s.article_id for s in record.sources]


def _action(conn: Conn, record: IncidentRecord, request: Request, at: str) -> ReviewAction:
    if request.action == "correct":
        return correction(record, request.field or "", request.value, request.reviewer, at)
    target, old = None, None
    if request.action == "split":
        if request.target not in _articles(record):
            raise ReviewError(f"article {request.target!r} is not a source of {record.id}")
        if len(record.sources) < 2:
            raise ReviewError(f"{record.id} has one article only: nothing to split it from")
        target = request.target
    elif request.action == "merge":
        other, _ = _current(conn, request.target or "")
        if other.id == record.id:
            raise ReviewError("an incident cannot be merged with itself")
        target, old = other.id, _articles(other)
    return ReviewAction(
        incident_id=record.id,
        articles=_articles(record),
        action=request.action,
        target=target,
        old=old,
        reviewer=request.reviewer,
        at=at,
    )


def _concerned(
    conn: Conn, actions: Sequence[ReviewAction], subset: Sequence[IncidentRecord]
) -> list[ReviewAction]:
    """The stored actions that apply to `subset`: made on one of its ids (or ids it absorbed),
    or made on an incident that no longer exists and told of its articles."""
    ids = {r.id for r in subset} | {a for r in subset for a in r.absorbed_ids}
    articles = {a for r in subset for a in _articles(r)}
    gone = {a.incident_id for a in actions} - ids
    if gone:
        marks = ", ".join("?" * len(gone))
        gone -= {row[0] for row in conn.all(f"SELECT id FROM incidents WHERE id IN ({marks})", sorted(gone))}
    return [
        a
        for a in actions
        if a.incident_id in ids or (a.incident_id in gone and articles.intersection(a.articles))
    ]


def _check_articles(conn: Conn, records: Sequence[IncidentRecord]) -> None:
    wanted = [a for r in records for a in _articles(r)]
    missing = sorted(set(wanted) - set(load_per_article(conn, wanted)))
    if missing:
        raise ReviewError(
            f"the database holds no per-article record of {', '.join(missing)} (written with"
            " --per-article?), so the incident cannot be rebuilt"
        )


def perform(db: Database, incident_id: str, request: Request) -> Outcome:
    """Check, store and apply one action on `incident_id`; ReviewError when it is not valid,
    ConflictError when the incident is no longer at `request.version`."""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    with db.connect() as conn, conn.transaction():
        record, version = _current(conn, incident_id)
        if request.version is not None and request.version != version:
            raise ConflictError(
                f"{incident_id} changed since you read it (version {request.version}, now {version})"
                f", by {record.review.by or 'a re-extraction'}: look again, then act",
                version,
            )
        action = _action(conn, record, request, at)
        subset = [record]
        if action.action == "merge":
            subset.append(_current(conn, action.target or "")[0])
        if action.action in STRUCTURAL:
            _check_articles(conn, subset)
        action = insert_action(conn, action)
        concerned = _concerned(conn, load_actions(conn), subset)
        results = apply_reviews(subset, lambda ids: load_per_article(conn, ids), concerned)
        kept = {r.id for r in results}
        write_incidents(conn, results, [r.id for r in subset if r.id not in kept])
        main = next(r for r in results if r.id == record.id)
        row = conn.one("SELECT version FROM incidents WHERE id = ?", (record.id,))
        assert row is not None
        return Outcome(action, main, int(row[0]), tuple(r for r in results if r.id != record.id))
