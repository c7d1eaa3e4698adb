"""The HTML pages: the incident list, one incident, and the forms that review it.

A form posts, the action is applied, and the browser is sent back to the incident (303): a
reload never repeats an action. A refused action shows the page again with why (400), and
one made on a version someone else has since changed shows the current record (409).
"""

from __future__ import annotations

import hmac
from math import ceil
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from pipeline.errors import PipelineError, UnknownIncidentError
from pipeline.review.actions import Request as ActionRequest
from pipeline.review.charts import months_chart, severity_chart
from pipeline.review.queries import (
    SORTS,
    STATES,
    Filters,
    chart_counts,
    incident_detail,
    incident_types_present,
    list_incidents,
)
from pipeline.review.security import SESSION_COOKIE, session_value
from pipeline.review.store import Conn
from pipeline.review.views import article_html, field_rows, safe_url
from pipeline.review.web import act, config_of, error_status, read, reviewer_of
from schemas.review import ActionKind

__all__ = ["routes"]

DONE = {
    "confirm": "Confirmed.",
    "reject": "Rejected: left out of the exports unless --include-rejected.",
    "correct": "Correction saved; it is re-applied after every later run.",
    "split": "Article split out into an incident of its own.",
    "merge": "Incidents merged.",
}


def _render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    templates = request.app.state.templates
    context |= {"csrf": request.state.csrf, "token": bool(config_of(request).token)}
    response: Response = templates.TemplateResponse(request, template, context, status_code=status)
    return response


async def home(request: Request) -> Response:
    return RedirectResponse("/incidents", 303)


async def incident_list(request: Request) -> Response:
    f = Filters.parse(request.query_params)

    def load(conn: Conn) -> dict[str, Any]:
        rows, total = list_incidents(conn, f)
        months, bins = chart_counts(conn, f)
        return {
            "rows": rows,
            "total": total,
            "types": incident_types_present(conn),
            "months": months,
            "bins": bins,
        }

    data = await read(request, load)
    pages = max(1, ceil(data["total"] / f.per_page))
    return _render(
        request,
        "list.html",
        f=f,
        rows=data["rows"],
        total=data["total"],
        pages=pages,
        types=data["types"],
        states=STATES,
        sorts=SORTS,
        months_svg=months_chart(data["months"]),
        severity_svg=severity_chart(data["bins"]),
    )


async def _incident_page(
    request: Request, incident_id: str, status: int = 200, error: str | None = None
) -> Response:
    detail = await read(request, lambda conn: incident_detail(conn, incident_id))
    if detail is None:
        return _render(request, "missing.html", 404, incident_id=incident_id)
    record = detail.record
    try:
        active = int(request.query_params.get("ev", ""))
    except ValueError:
        active = None
    articles = []
    for source in record.sources:
        text = detail.articles.get(source.article_id)
        spans = [(n, e) for n, e in enumerate(record.evidence) if e.article_id == source.article_id]
        articles.append(
            {
                "source": source,
                "url": safe_url(source.url),
                "html": article_html(text.text, spans, active) if text else None,
            }
        )
    return _render(
        request,
        "incident.html",
        status,
        record=record,
        version=detail.version,
        rows=field_rows(record),
        articles=articles,
        actions=detail.actions,
        active=active,
        error=error,
        done=DONE.get(request.query_params.get("done", "")),
    )


async def incident_page(request: Request) -> Response:
    return await _incident_page(request, request.path_params["incident_id"])


def _version(form: Any) -> int | None:
    try:
        return int(form.get("version", ""))
    except ValueError:
        return None


async def _act(request: Request, action: ActionRequest) -> Response:
    incident_id = request.path_params["incident_id"]
    try:
        outcome = await act(request, incident_id, action)
    except UnknownIncidentError:
        return _render(request, "missing.html", 404, incident_id=incident_id)
    except PipelineError as exc:
        return await _incident_page(request, incident_id, error_status(exc), str(exc))
    return RedirectResponse(f"/incidents/{quote(outcome.incident.id)}?done={action.action}", 303)


async def _posted(request: Request, kind: ActionKind, **names: str) -> Response:
    """Apply the action a form posted; `names` maps ActionRequest fields to form fields."""
    form = await request.form()
    values = {name: str(form.get(key, "")).strip() for name, key in names.items()}
    version = _version(form)
    return await _act(request, ActionRequest(kind, reviewer_of(request), version=version, **values))


async def review(request: Request) -> Response:
    kind = str((await request.form()).get("action", ""))
    if kind == "confirm":
        return await _posted(request, "confirm")
    if kind == "reject":
        return await _posted(request, "reject")
    return await _incident_page(request, request.path_params["incident_id"], 400, "unknown review action")


async def corrections(request: Request) -> Response:
    return await _posted(request, "correct", field="field", value="value")


async def split(request: Request) -> Response:
    return await _posted(request, "split", target="article")


async def merge(request: Request) -> Response:
    return await _posted(request, "merge", target="other")


async def login(request: Request) -> Response:
    token = config_of(request).token
    target = request.query_params.get("next", "/incidents")
    target = target if target.startswith("/") and not target.startswith("//") else "/incidents"
    if request.method == "POST" and token:
        form = await request.form()
        if hmac.compare_digest(str(form.get("token", "")).encode(), token.encode()):
            response = RedirectResponse(target, 303)
            response.set_cookie(SESSION_COOKIE, session_value(token), httponly=True, samesite="strict")
            return response
        return _render(request, "login.html", 403, target=target, error="wrong token")
    return _render(request, "login.html", target=target, error=None)


def routes() -> list[Route]:
    return [
        Route("/", home),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/incidents", incident_list),
        Route("/incidents/{incident_id}", incident_page),
        Route("/incidents/{incident_id}/review", review, methods=["POST"]),
        Route("/incidents/{incident_id}/corrections", corrections, methods=["POST"]),
        Route("/incidents/{incident_id}/split", split, methods=["POST"]),
        Route("/incidents/{incident_id}/merge", merge, methods=["POST"]),
    ]
