"""What the pages and the API share: the server's configuration, who is acting, running a
review action off the event loop, and the HTTP status of each kind of error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from pipeline.errors import ConflictError, PipelineError, ReviewError, UnknownIncidentError
from pipeline.review.actions import Outcome, perform
from pipeline.review.actions import Request as ActionRequest
from pipeline.review.database import Database
from pipeline.review.store import Conn

__all__ = ["ReviewConfig", "act", "config_of", "error_status", "read", "reviewer_of"]

T = TypeVar("T")


@dataclass(frozen=True)
class ReviewConfig:
    """One server: its database, the default reviewer name, the token (None: loopback, no token)."""

    db: Database
    reviewer: str
    token: str | None = None


def config_of(request: Request) -> ReviewConfig:
    config: ReviewConfig = request.app.state.config
    return config


def reviewer_of(request: Request) -> str:
    """Who acts: the `X-Reviewer` header (e.g. set by a signing-in proxy), else `--reviewer`."""
    named = " ".join(request.headers.get("x-reviewer", "").split())[:100]
    return named or config_of(request).reviewer


async def read(request: Request, job: Callable[[Conn], T]) -> T:
    """Run `job` with a database connection, off the event loop."""

    def run() -> T:
        with config_of(request).db.connect() as conn:
            return job(conn)

    return await run_in_threadpool(run)


async def act(request: Request, incident_id: str, action: ActionRequest) -> Outcome:
    """Check, store and apply one review action, off the event loop."""
    return await run_in_threadpool(perform, config_of(request).db, incident_id, action)


def error_status(exc: PipelineError) -> int:
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, UnknownIncidentError):
        return 404
    return 400 if isinstance(exc, ReviewError) else 500
