"""What the review pages read: the incident list (filtered, sorted, one page), its charts'
counts, and one incident with its articles and review history.

The list reads the `incidents` columns and child tables, never the JSON records of the rows
it does not show, so a page of 100,000 incidents costs a few indexed queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from pipeline.normalize import slugify
from pipeline.review.store import Conn, load_actions
from schemas.incident import IncidentRecord, ReviewState
from schemas.review import ReviewAction

__all__ = [
    "SORTS",
    "STATES",
    "ArticleText",
    "Detail",
    "Filters",
    "Row",
    "chart_counts",
    "incident_detail",
    "incident_types_present",
    "list_incidents",
]

STATES: tuple[ReviewState, ...] = ("unreviewed", "confirmed", "corrected", "rejected")
SORTS = {
    "date": "i.event_date",
    "severity": "i.severity",
    "type": "i.incident_type",
    "title": "i.title",
    "state": "i.review_state",
    "sources": "(SELECT count(*) FROM sources s WHERE s.incident_id = i.id)",
    "id": "i.id",
}
MAX_PER_PAGE = 200


def _int(text: str | None, low: int, high: int) -> int | None:
    try:
        return max(low, min(high, int(text or "")))
    except ValueError:
        return None


def _day(text: str | None) -> str:
    try:
        return date.fromisoformat((text or "").strip()).isoformat()
    except ValueError:
        return ""


@dataclass(frozen=True)
class Filters:
    """The list's query parameters; values that do not parse are ignored, not errors."""

    q: str = ""
    type: str = ""
    actor: str = ""
    victim: str = ""
    date_from: str = ""
    date_to: str = ""
    severity_min: int | None = None
    severity_max: int | None = None
    state: str = ""
    sort: str = "date"
    order: str = "desc"
    page: int = 1
    per_page: int = 50

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Filters:
        def text(key: str) -> str:
            return " ".join((params.get(key) or "").split())[:200]

        return cls(
            q=text("q"),
            type=text("type"),
            actor=text("actor"),
            victim=text("victim"),
            date_from=_day(params.get("date_from")),
            date_to=_day(params.get("date_to")),
            severity_min=_int(params.get("severity_min"), 0, 100),
            severity_max=_int(params.get("severity_max"), 0, 100),
            state=text("state") if text("state") in STATES else "",
            sort=text("sort") if text("sort") in SORTS else "date",
            order="asc" if params.get("order") == "asc" else "desc",
            page=_int(params.get("page"), 1, 10**6) or 1,
            per_page=_int(params.get("per_page"), 1, MAX_PER_PAGE) or 50,
        )

    def query(self, **changes: Any) -> str:
        """The query string of these filters with `changes`, defaults left out."""
        chosen = replace(self, **changes)
        defaults = Filters()
        pairs = {
            f.name: getattr(chosen, f.name)
            for f in fields(self)
            if getattr(chosen, f.name) not in (None, "", getattr(defaults, f.name))
        }
        return urlencode(pairs)


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(conn: Conn, f: Filters) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    named = "EXISTS (SELECT 1 FROM {table} x WHERE x.incident_id = i.id AND lower(x.name) LIKE ? ESCAPE '\\')"
    if f.q:  # the header's columns and child tables only: the JSON record would be a table scan
        clauses.append(
            "(lower(i.title) LIKE ? ESCAPE '\\' OR lower(i.id) LIKE ? ESCAPE '\\'"
            f" OR {named.format(table='entities')} OR {named.format(table='actors')})"
        )
        params += [_like(f.q)] * 4
    if f.type:
        clauses.append("i.incident_type = ?")
        params.append(f.type)
    if f.actor:
        clauses.append(named.format(table="actors"))
        params.append(_like(f.actor))
    if f.victim:
        clauses.append(named.format(table="entities"))
        params.append(_like(f.victim))
    if f.date_from:
        clauses.append("i.event_date >= ?")
        params.append(f.date_from)
    if f.date_to:
        clauses.append("i.event_date <= ?")
        params.append(f.date_to)
    if f.severity_min is not None:
        clauses.append("i.severity >= ?")
        params.append(f.severity_min)
    if f.severity_max is not None:
        clauses.append("i.severity <= ?")
        params.append(f.severity_max)
    if f.state:
        clauses.append("i.review_state = ?")
        params.append(f.state)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    type: str
    victim: str
    actors: list[str]
    date: str
    event_date: str | None
    severity: int
    sources: int
    review_state: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def list_incidents(conn: Conn, f: Filters) -> tuple[list[Row], int]:
    """One page of the incidents matching `f`, in its order, and how many match."""
    where, params = _where(conn, f)
    counted = conn.one(f"SELECT count(*) FROM incidents i{where}", params)
    total = int(counted[0]) if counted else 0
    column = SORTS[f.sort]
    order = "ASC" if f.order == "asc" else "DESC"
    rows = conn.all(
        "SELECT i.id, i.title, i.incident_type, i.date, i.event_date, i.severity, i.review_state, i.linkid,"
        " (SELECT count(*) FROM sources s WHERE s.incident_id = i.id)"
        f" FROM incidents i{where} ORDER BY {column} {order} NULLS LAST, i.id {order}"
        " LIMIT ? OFFSET ?",
        [*params, f.per_page, (f.page - 1) * f.per_page],
    )
    ids = [r[0] for r in rows]
    names = _names(conn, ids)
    out = []
    for rid, title, itype, month, day, severity, state, linkid, sources in rows:
        entities, actors = names.get(rid, ([], []))
        victim = next((n for n in entities if slugify(n) == linkid), entities[0] if entities else "")
        out.append(Row(rid, title, itype, victim, actors, month, day, int(severity), int(sources), state))
    return out, total


def _names(conn: Conn, ids: list[str]) -> dict[str, tuple[list[str], list[str]]]:
    """Entity and actor names of the incidents `ids`."""
    out: dict[str, tuple[list[str], list[str]]] = {rid: ([], []) for rid in ids}
    if not ids:
        return out
    marks = ", ".join("?" * len(ids))
    for slot, table in enumerate(("entities", "actors")):
        sql = (
            f"SELECT incident_id, name FROM {table} WHERE incident_id IN ({marks}) ORDER BY incident_id, name"
        )
        for rid, name in conn.all(sql, ids):
            out[rid][slot].append(name)
    return out


def chart_counts(conn: Conn, f: Filters) -> tuple[list[tuple[str, str, int]], list[int]]:
    """(YYYY-MM, type, incidents) of the matching incidents, by the header's month, and their
    count per severity tenth. Grouped by indexed columns, binned here: no table scan."""
    where, params = _where(conn, f)
    months: dict[tuple[str, str], int] = {}
    rows = conn.all(f"SELECT i.date, i.incident_type, count(*) FROM incidents i{where} GROUP BY 1, 2", params)
    for month, itype, n in rows:
        if "/" in month:
            number, year = month.split("/")
            key = (f"{year}-{int(number):02d}", itype)
            months[key] = months.get(key, 0) + int(n)
    bins = [0] * 10
    for severity, n in conn.all(f"SELECT i.severity, count(*) FROM incidents i{where} GROUP BY 1", params):
        bins[min(int(severity) // 10, 9)] += int(n)
    return [(m, t, n) for (m, t), n in sorted(months.items())], bins


def incident_types_present(conn: Conn) -> list[str]:
    return [row[0] for row in conn.all("SELECT DISTINCT incident_type FROM incidents ORDER BY incident_type")]


@dataclass(frozen=True)
class ArticleText:
    article_id: str
    url: str | None
    title: str | None
    publisher: str | None
    published: str | None
    text: str


@dataclass(frozen=True)
class Detail:
    record: IncidentRecord
    version: int
    articles: dict[str, ArticleText]
    actions: list[ReviewAction]


def incident_detail(conn: Conn, incident_id: str) -> Detail | None:
    """The incident, its version, the cleaned text of its articles and the actions made on it."""
    row = conn.one("SELECT record, version FROM incidents WHERE id = ?", (incident_id,))
    if row is None:
        return None
    record = conn.record(row[0])
    ids = [s.article_id for s in record.sources]
    marks = ", ".join("?" * len(ids))
    columns = "article_id, url, title, publisher, published, text"
    texts = conn.all(f"SELECT {columns} FROM articles WHERE article_id IN ({marks})", ids) if ids else []
    articles = {r[0]: ArticleText(*r) for r in texts}
    names = [record.id, *record.absorbed_ids]
    actions = [a for rid in names for a in load_actions(conn, rid)]
    return Detail(record, int(row[1]), articles, sorted(actions, key=lambda a: a.id or 0))
