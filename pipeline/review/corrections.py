"""Review actions applied on top of the clusterer's incidents, the same way on every run.

`apply_reviews` takes what clustering made and every action stored so far: first the splits
and merges, in the order they were made (each rebuilds incidents from the per-article records
with `merge_records`, as clustering does), then the confirmations, rejections and field
corrections. An action finds its incident by id, else by an id the incident absorbed, else
by the articles it was made on, so it holds when a later run gives the incident another id.
An action whose incident or element is gone is left waiting, not an error.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from pipeline.cluster import merge_records
from pipeline.errors import ReviewError
from pipeline.normalize import incident_id
from pipeline.review.fields import correct
from schemas.incident import IncidentRecord, Review
from schemas.review import ReviewAction

__all__ = [
    "STRUCTURAL",
    "PerArticle",
    "apply_reviews",
    "exported",
    "folded",
    "merged",
    "split",
]

log = logging.getLogger(__name__)

STRUCTURAL = ("split", "merge")

# Per-article records by article id, for the articles asked (some may be missing).
PerArticle = Callable[[Sequence[str]], Mapping[str, IncidentRecord]]


def folded(review: Review, action: ReviewAction) -> Review:
    """The review after `action`: a rejection holds until a confirmation; any correction, split
    or merge of a record not rejected makes it corrected."""
    state = review.state
    if action.action == "confirm":
        state = "confirmed"
    elif action.action == "reject":
        state = "rejected"
    elif state != "rejected":
        state = "corrected"
    return Review(state=state, by=action.reviewer, at=action.at)


class _Book:
    """The incidents being reviewed, findable by id, absorbed id and article."""

    def __init__(self, records: Iterable[IncidentRecord]) -> None:
        self.records: dict[str, IncidentRecord] = {}
        self.applied: dict[str, list[ReviewAction]] = {}
        self.absorbed: dict[str, set[str]] = defaultdict(set)
        self.holding: dict[str, set[str]] = defaultdict(set)
        for record in records:
            self.put(record, [])

    def put(self, record: IncidentRecord, applied: list[ReviewAction]) -> None:
        self.records[record.id] = record
        self.applied[record.id] = applied
        for rid in record.absorbed_ids:
            self.absorbed[rid].add(record.id)
        for article in _articles(record):
            self.holding[article].add(record.id)

    def drop(self, record: IncidentRecord) -> list[ReviewAction]:
        del self.records[record.id]
        for rid in record.absorbed_ids:
            self.absorbed[rid].discard(record.id)
        for article in _articles(record):
            self.holding[article].discard(record.id)
        return self.applied.pop(record.id)

    def find(self, rid: str, articles: Sequence[str]) -> IncidentRecord | None:
        if rid in self.records:
            return self.records[rid]
        if self.absorbed.get(rid):
            return self.records[min(self.absorbed[rid])]
        overlap = Counter(i for a in set(articles) for i in self.holding.get(a, ()))
        if not overlap:
            return None
        best = max(overlap.values())
        return self.records[min(i for i, n in overlap.items() if n == best)]


def _articles(record: IncidentRecord) -> list[str]:
    return [s.article_id for s in record.sources]


def merged(
    into: IncidentRecord, other: IncidentRecord, per_article: Mapping[str, IncidentRecord]
) -> IncidentRecord | None:
    """One incident of both, rebuilt from their articles' records, keeping `into`'s id."""
    parts = [per_article.get(a) for a in [*_articles(into), *_articles(other)]]
    if any(p is None for p in parts):
        return None
    whole = merge_records([p for p in parts if p is not None])
    absorbed = {*whole.absorbed_ids, whole.id, *into.absorbed_ids, *other.absorbed_ids, other.id}
    return whole.model_copy(update={"id": into.id, "absorbed_ids": sorted(absorbed - {into.id})})


def split(
    record: IncidentRecord, article: str, per_article: Mapping[str, IncidentRecord]
) -> tuple[IncidentRecord, IncidentRecord] | None:
    """The incident without `article`, keeping its id, and the article's own record (a new id
    when its own was the incident's); None when it cannot be split so."""
    rest_ids = [a for a in _articles(record) if a != article]
    alone = per_article.get(article)
    rest = [per_article.get(a) for a in rest_ids]
    if alone is None or not rest_ids or any(r is None for r in rest):
        return None
    whole = merge_records([r for r in rest if r is not None])
    absorbed = ({*record.absorbed_ids, *whole.absorbed_ids, whole.id}) - {alone.id, record.id}
    remaining = whole.model_copy(update={"id": record.id, "absorbed_ids": sorted(absorbed)})
    if alone.id == record.id:
        victim = next((e.name for e in alone.incident.affected_entities), "Unknown")
        alone = alone.model_copy(update={"id": incident_id(victim, f"{article}#split")})
    return remaining, alone


def _restructure(book: _Book, action: ReviewAction, per_article: PerArticle) -> None:
    record = book.find(action.incident_id, action.articles)
    if record is None:
        return
    if action.action == "merge":
        other = book.find(action.target or "", action.old or [])
        if other is None or other.id == record.id:
            return
        whole = merged(record, other, per_article([*_articles(record), *_articles(other)]))
        if whole is not None:
            history = book.drop(record) + book.drop(other)
            book.put(whole, [*history, action])
        return
    if action.target not in _articles(record):
        return
    parts = split(record, action.target, per_article(_articles(record)))
    if parts is not None:
        history = book.drop(record)
        book.put(parts[0], [*history, action])
        book.put(parts[1], [action])


def apply_reviews(
    incidents: Iterable[IncidentRecord], per_article: PerArticle, actions: Sequence[ReviewAction]
) -> list[IncidentRecord]:
    """The incidents with every action applied (see the module docstring), sorted by id."""
    book = _Book(incidents)
    ordered = sorted(actions, key=lambda a: a.id or 0)
    for action in ordered:
        if action.action in STRUCTURAL:
            _restructure(book, action, per_article)
    for action in ordered:
        if action.action in STRUCTURAL:
            continue
        record = book.find(action.incident_id, action.articles)
        if record is None:
            continue
        try:
            changed = correct(record, action) if action.action == "correct" else record
        except ReviewError as exc:  # checked when made; a record that changed shape may refuse it
            log.warning("review action %s on %s left waiting: %s", action.id, action.incident_id, exc)
            continue
        if changed is not None:
            book.put(changed, [*book.drop(record), action])
    out = []
    for rid, record in sorted(book.records.items()):
        review = Review()
        for action in sorted(book.applied[rid], key=lambda a: a.id or 0):
            review = folded(review, action)
        out.append(record if record.review == review else record.model_copy(update={"review": review}))
    return out


def exported(records: Iterable[IncidentRecord], include_rejected: bool = False) -> list[IncidentRecord]:
    """The records the files (JSONL, STIX) get: those an analyst rejected only when asked."""
    return [r for r in records if include_rejected or r.review.state != "rejected"]
