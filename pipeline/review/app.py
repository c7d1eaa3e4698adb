"""`incidents serve`: the review application (Starlette, pages rendered on the server with
Jinja2, every asset served by the app itself) and the server that runs it."""

from __future__ import annotations

import ipaddress
import sys
from dataclasses import dataclass
from importlib import resources

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from pipeline.errors import ConfigError
from pipeline.review import api, pages
from pipeline.review.database import Database
from pipeline.review.security import LOOPBACK_HOSTS, guard
from pipeline.review.web import ReviewConfig

__all__ = ["ServeOptions", "create_app", "is_loopback", "serve"]


def create_app(config: ReviewConfig) -> Starlette:
    """The application for one database. Without a token it answers loopback host names only."""
    base = resources.files("pipeline") / "review"
    middleware = [] if config.token else [Middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_HOSTS)]
    middleware.append(Middleware(BaseHTTPMiddleware, dispatch=guard))
    app = Starlette(
        routes=[
            *api.routes(),
            *pages.routes(),
            Mount("/static", StaticFiles(directory=str(base / "static")), name="static"),
        ],
        middleware=middleware,
    )
    app.state.config = config
    app.state.templates = Jinja2Templates(directory=str(base / "templates"))
    return app


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServeOptions:
    db: str
    host: str = "127.0.0.1"
    port: int = 8700
    token: str | None = None
    reviewer: str = "reviewer"


def serve(options: ServeOptions) -> None:
    """Serve until interrupted; ConfigError when the address needs a token or the db is absent."""
    if not is_loopback(options.host) and not options.token:
        raise ConfigError(f"--token is required to serve on {options.host} (not a loopback address)")
    config = ReviewConfig(Database(options.db), options.reviewer, options.token)
    where = f"[{options.host}]" if ":" in options.host else options.host
    print(f"reviewing {config.db.name} at http://{where}:{options.port}/", file=sys.stderr, flush=True)
    uvicorn.run(
        create_app(config), host=options.host, port=options.port, log_level="warning", server_header=False
    )
