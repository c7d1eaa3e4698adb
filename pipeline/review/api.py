"""The JSON API under `/api/`: the pages' reads and actions for scripts (docs/review.md).

Errors are `{"error": "..."}` with 400 (not a valid action), 404 (no such incident), 409 (the
incident changed since `version`; the body gives the current `version`) or 415/401/403 from
the security checks.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pipeline.errors import ConflictError, PipelineError, ReviewError
from pipeline.review.actions import Request as ActionRequest
from pipeline.review.queries import Filters, incident_detail, list_incidents
from pipeline.review.web import act, error_status, read, reviewer_of

__all__ = ["routes"]


def _error(exc: PipelineError) -> JSONResponse:
    body: dict[str, Any] = {"error": str(exc)}
    if isinstance(exc, ConflictError):
        body["version"] = exc.version
    return JSONResponse(body, error_status(exc))


async def incidents(request: Request) -> Response:
    f = Filters.parse(request.query_params)
    rows, total = await read(request, lambda conn: list_incidents(conn, f))
    return JSONResponse(
        {"total": total, "page": f.page, "per_page": f.per_page, "incidents": [r.as_json() for r in rows]}
    )


async def incident(request: Request) -> Response:
    incident_id = request.path_params["incident_id"]
    detail = await read(request, lambda conn: incident_detail(conn, incident_id))
    if detail is None:
        return JSONResponse({"error": f"no incident {incident_id!r}"}, 404)
    return JSONResponse(
        {
            "incident": detail.record.model_dump(mode="json"),
            "version": detail.version,
            "actions": [a.model_dump(mode="json") for a in detail.actions],
            "articles": {k: vars(v) for k, v in detail.articles.items()},
        }
    )


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ReviewError(f"the body is not JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise ReviewError("the body is a JSON object")
    version = body.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise ReviewError("version is the incident's version number, as GET gave it")
    return body


async def _act(request: Request, make: Any) -> Response:
    try:
        body = await _body(request)
        outcome = await act(request, request.path_params["incident_id"], make(body, reviewer_of(request)))
    except PipelineError as exc:
        return _error(exc)
    return JSONResponse(
        {
            "incident": outcome.incident.model_dump(mode="json"),
            "version": outcome.version,
            "action": outcome.action.model_dump(mode="json"),
            "other_incidents": [r.model_dump(mode="json") for r in outcome.others],
        }
    )


def _review(body: dict[str, Any], reviewer: str) -> ActionRequest:
    action = body.get("action")
    if action not in ("confirm", "reject"):
        raise ReviewError('action is "confirm" or "reject"')
    return ActionRequest(action, reviewer, version=body.get("version"))


def _correction(body: dict[str, Any], reviewer: str) -> ActionRequest:
    if not isinstance(body.get("field"), str) or "value" not in body:
        raise ReviewError('a correction is {"field": "<dotted path>", "value": ...}')
    return ActionRequest(
        "correct", reviewer, field=body["field"], value=body["value"], version=body.get("version")
    )


def _split(body: dict[str, Any], reviewer: str) -> ActionRequest:
    if not isinstance(body.get("article"), str):
        raise ReviewError('a split is {"article": "<article id>"}')
    return ActionRequest("split", reviewer, target=body["article"], version=body.get("version"))


def _merge(body: dict[str, Any], reviewer: str) -> ActionRequest:
    if not isinstance(body.get("incident"), str):
        raise ReviewError('a merge is {"incident": "<id of the incident to merge into this one>"}')
    return ActionRequest("merge", reviewer, target=body["incident"], version=body.get("version"))


def routes() -> list[Route]:
    def post(make: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            return await _act(request, make)

        return endpoint

    return [
        Route("/api/incidents", incidents),
        Route("/api/incidents/{incident_id}", incident),
        Route("/api/incidents/{incident_id}/review", post(_review), methods=["POST"]),
        Route("/api/incidents/{incident_id}/corrections", post(_correction), methods=["POST"]),
        Route("/api/incidents/{incident_id}/split", post(_split), methods=["POST"]),
        Route("/api/incidents/{incident_id}/merge", post(_merge), methods=["POST"]),
    ]
