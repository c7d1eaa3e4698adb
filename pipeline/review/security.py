"""Who may do what, checked before any route (docs/review.md, "Security"):

- Pages and forms. Without `--token`, whoever reaches the loopback address may; with it, a
  browser signs in once (`/login`) and gets a session cookie derived from the token. Every
  form carries a CSRF token that must match its cookie (SameSite=Strict, double submit), and
  a state-changing request whose `Origin` (or `Sec-Fetch-Site`) says another site is refused.
- API. With `--token`, every `/api/` request needs `Authorization: Bearer <token>`. Without
  it (loopback only), a state-changing API request must carry a JSON body: a cross-site form
  cannot send one, and a cross-site script cannot without a CORS preflight, never answered.
- Bound to loopback without a token, the `Host` header must name the loopback (the app adds
  Starlette's TrustedHostMiddleware), so a DNS-rebound page cannot reach it either.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, quote, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from pipeline.review.web import config_of

__all__ = ["CSRF_COOKIE", "LOOPBACK_HOSTS", "SESSION_COOKIE", "guard", "session_value"]

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
CSRF_COOKIE = "review_csrf"
SESSION_COOKIE = "review_session"
_SAFE = {"GET", "HEAD", "OPTIONS"}
_FORM = "application/x-www-form-urlencoded"

Next = Callable[[Request], Awaitable[Response]]


def session_value(token: str) -> str:
    """The session cookie's value: derived from the token, so the cookie does not hold it."""
    return hmac.new(token.encode(), b"incidents-review-session", "sha256").hexdigest()


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _cross_site(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin:
        return origin == "null" or urlsplit(origin).netloc != request.headers.get("host", "")
    return request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none")


async def _api(request: Request, call_next: Next) -> Response:
    token = config_of(request).token
    changing = request.method not in _SAFE
    if token and not _same(request.headers.get("authorization", ""), f"Bearer {token}"):
        return JSONResponse({"error": "Authorization: Bearer <token> required"}, 401)
    if changing and not token and _media_type(request) != "application/json":
        return JSONResponse({"error": "a JSON body (Content-Type: application/json) is required"}, 415)
    if changing and _cross_site(request):
        return JSONResponse({"error": "cross-site request refused"}, 403)
    return await call_next(request)


async def _page(request: Request, call_next: Next) -> Response:
    token = config_of(request).token
    signed_in = not token or _same(request.cookies.get(SESSION_COOKIE, ""), session_value(token))
    if not signed_in and request.url.path != "/login":
        return RedirectResponse(f"/login?next={quote(request.url.path)}", 303)
    if request.method not in _SAFE:
        if _media_type(request) != _FORM:
            return PlainTextResponse("forms are sent as application/x-www-form-urlencoded", 415)
        sent = parse_qs((await request.body()).decode("utf-8", "replace")).get("csrf", [""])[0]
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if _cross_site(request) or not cookie or not _same(cookie, sent):
            return PlainTextResponse("CSRF check failed: reload the page and try again", 403)
    response = await call_next(request)
    if request.cookies.get(CSRF_COOKIE) != request.state.csrf:
        response.set_cookie(CSRF_COOKIE, request.state.csrf, httponly=True, samesite="strict")
    return response


async def guard(request: Request, call_next: Next) -> Response:
    """The checks above, by kind of request; pages get `request.state.csrf` for their forms."""
    request.state.csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    if request.url.path.startswith("/static/"):
        return await call_next(request)
    if request.url.path.startswith("/api/"):
        return await _api(request, call_next)
    return await _page(request, call_next)
