"""A real HTTP server on 127.0.0.1 for integration tests, in a daemon thread.

Routes are plain functions of the request handler, so a test can misbehave exactly as a web
server does: stall, cut a body short, stream 60 MB, send a gzip bomb, drip a body. Every request is
recorded (`hits`, `requests`) so a test can assert what was, or was not, fetched.
"""

from __future__ import annotations

import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

__all__ = ["Handler", "LoopbackServer", "gzip_bomb", "send"]

Handler = Callable[[BaseHTTPRequestHandler], None]


def send(
    request: BaseHTTPRequestHandler,
    status: int = 200,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> None:
    """Answer with `status`, `headers` and `body` (Content-Length set unless given)."""
    headers = dict(headers or {})
    headers.setdefault("Content-Length", str(len(body)))
    request.send_response(status)
    for name, value in headers.items():
        request.send_header(name, value)
    request.end_headers()
    request.wfile.write(body)


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes gzip-compressed, built in 1 MB steps (the result is ~1/1000 the size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1_000_000)
    parts = [packer.compress(block) for _ in range(size // len(block))]
    return b"".join([*parts, packer.flush()])


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LoopbackServer

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-body is what several tests do on purpose: stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        owner = self.server.owner
        path = self.path
        with owner.lock:
            owner.hits[path] += 1
            owner.requests.append((path, dict(self.headers.items())))
        route = owner.routes.get(path) or owner.routes.get(path.split("?", 1)[0])
        try:
            if route is None:
                send(self, 404, b"not found", {"Content-Type": "text/plain"})
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        """No access log on the test output."""


class LoopbackServer:
    """`with LoopbackServer() as srv: srv.serve("/feed", body, headers); srv.url("/feed")`."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.released = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(
        self, path: str, body: bytes | str = b"", headers: dict[str, str] | None = None, status: int = 200
    ) -> None:
        """A static route."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = lambda request: send(request, status, data, headers)

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def sequence(self, path: str, handlers: list[Handler]) -> None:
        """Answer the n-th request with `handlers[n]` (the last one repeats)."""
        calls: Iterator[int] = iter(range(1_000_000))

        def pick(request: BaseHTTPRequestHandler) -> None:
            handlers[min(next(calls), len(handlers) - 1)](request)

        self.routes[path] = pick

    def stall(self, seconds: float) -> Handler:
        """A handler that answers nothing for `seconds` (or until the server closes)."""

        def handler(request: BaseHTTPRequestHandler) -> None:
            self.released.wait(seconds)
            request.close_connection = True

        return handler

    def drip(self, length: int = 1000, every: float = 0.2) -> Handler:
        """A handler that sends a `length`-byte body one byte every `every` seconds: never a
        read timeout, and never done in time."""

        def handler(request: BaseHTTPRequestHandler) -> None:
            request.send_response(200)
            request.send_header("Content-Length", str(length))
            request.end_headers()
            for _ in range(length):
                request.wfile.write(b"x")
                request.wfile.flush()
                if self.released.wait(every):
                    return

        return handler

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
