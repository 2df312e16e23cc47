"""Serve recorded (or hand-written) HTTP replies on 127.0.0.1, so the real clients can read them.

The clients under test make real HTTP requests through requests/urllib3 to this server: nothing
inside them is mocked. Each route is a raw path (percent-encoding kept, so tests can check how a
title was encoded) and a list of replies served in order, the last one repeating.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Reply:
    """One HTTP reply: status, headers, body (bytes, text, or JSON-able), and a delay."""

    body: Any = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


@dataclass
class Seen:
    """A request the server received."""

    method: str
    raw_path: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class _Route:
    path: str
    replies: list[Reply]
    match: dict[str, str]
    served: int = 0


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1, in a thread of the test process."""

    httpd: ThreadingHTTPServer
    port: int

    def serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        """Start serving requests with ``handler`` on a free port."""
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "") -> str:
        return self.base_url + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class RecordedServer(LoopbackServer):
    """A threaded HTTP server on 127.0.0.1 with routes added by the test."""

    def __init__(self) -> None:
        self.routes: list[_Route] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw_body = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                query = dict(parse_qsl(split.query, keep_blank_values=True))
                form = {}
                if raw_body and "urlencoded" in (self.headers.get("Content-Type") or ""):
                    form = dict(parse_qsl(raw_body.decode("utf-8"), keep_blank_values=True))
                seen = Seen(
                    self.command, self.path, split.path, query, dict(self.headers.items()), form
                )
                reply = server._reply_for(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.payload()
                try:
                    self.send_response(reply.status)
                    headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = _handle  # noqa: N815 - http.server's naming
            do_POST = _handle  # noqa: N815

        self.serve(Handler)

    def add(self, path: str, *replies: Reply, match: dict[str, str] | None = None) -> None:
        """Serve these replies, in order, for requests to ``path`` (raw, percent-encoded).

        ``match``: query or form parameters the request must have (e.g. ``{"prop": "imageinfo"}``).
        Later routes win over earlier ones for the same request.
        """
        with self._lock:
            self.routes.insert(0, _Route(path, list(replies) or [Reply()], match or {}))

    def _reply_for(self, seen: Seen) -> Reply:
        params = {**seen.query, **seen.form}
        with self._lock:
            self.seen.append(seen)
            for route in self.routes:
                if route.path != urlsplit(seen.raw_path).path:
                    continue
                if any(params.get(k) != v for k, v in route.match.items()):
                    continue
                reply = route.replies[min(route.served, len(route.replies) - 1)]
                route.served += 1
                return reply
        return Reply({"detail": f"no route for {seen.raw_path}"}, status=599)


class FakeClock:
    """A clock and a sleep function that advance together, instantly."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
