"""A local HTTP server on 127.0.0.1 that answers like a partner portal, from recorded responses or from a
function: the tests of each source type and fault, the demo sources of ``make run`` (no internet needed) and
``benchmarks/harvest.py`` read sources through it.

A route is matched on the path and, when it names any, on query parameters (all named ones must be equal).
Routes may also be functions of the request, for faults (slow bodies, 429 then 200, redirect loops, pages
that change between calls).

Example::

    with Replay() as server:
        server.add("/api/3/action/package_search", body=b'{"success": true, ...}',
                   content_type="application/json", query={"start": "0"})
        server.add("/flaky", handler=lambda request: Reply(status=503) if request.calls == 1 else Reply(body=b"ok"))
        url = server.url("/api/3/action/package_search")   # 'http://127.0.0.1:41234/api/3/action/package_search'
        server.forbid(r"/data/?$")        # a field tool's submissions: asking for them is a violation
        server.check()                    # AssertionError naming every forbidden request made
"""
from __future__ import annotations

import contextlib
import dataclasses
import http.server
import pathlib
import re
import socketserver
import threading
import time
import urllib.parse
from typing import Callable, Iterable, Optional, Union

import yaml


@dataclasses.dataclass
class Reply:
    status: int = 200
    body: Union[bytes, Iterable[bytes]] = b""     # an iterable is sent in chunks (with chunk_delay between)
    content_type: str = "application/octet-stream"
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    chunk_delay: float = 0.0


@dataclasses.dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    calls: int                 # how many times this route has been asked, this one included
    method: str = "GET"        # GET or HEAD (a URL check asks HEAD first)


@dataclasses.dataclass
class _Route:
    path: str
    query: dict[str, str]
    handler: Callable[[Request], Reply]
    calls: int = 0

    def matches(self, path: str, query: dict[str, str]) -> bool:
        return path == self.path and all(query.get(k) == v for k, v in self.query.items())


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    replay: "Replay"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        pass

    def do_GET(self):
        parsed = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        reply = self.server.replay.answer(parsed.path, query, dict(self.headers.items()), self.command)
        self._send(reply)

    do_HEAD = do_GET

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        if isinstance(reply.body, (bytes, bytearray)):
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):   # the client stopped reading
                self.wfile.write(reply.body if self.command != "HEAD" else b"")
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for chunk in reply.body:
                if reply.chunk_delay:
                    time.sleep(reply.chunk_delay)
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (size cap, timeout): what the tests want


class Replay:
    """The server; a context manager that serves on a free port of 127.0.0.1 in a thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self._routes: list[_Route] = []
        self._lock = threading.Lock()
        self.log: list[str] = []          # request paths with query, in order
        self._forbidden: list[re.Pattern] = []
        self.violations: list[str] = []   # requests of forbidden paths, in order
        self._server = _Server((host, port), _Handler)
        self._server.replay = self
        self._thread: Optional[threading.Thread] = None

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes = b"", content_type: str = "application/octet-stream",
            status: int = 200, headers: Optional[dict[str, str]] = None, query: Optional[dict[str, str]] = None,
            handler: Optional[Callable[[Request], Reply]] = None) -> None:
        """Answer GET ``path`` (with ``query``) with the reply given, or with what ``handler`` returns. A later
        route for the same path and query replaces an earlier one."""
        fixed = Reply(status=status, body=body, content_type=content_type, headers=dict(headers or {}))
        route = _Route(path, dict(query or {}), handler or (lambda request: fixed))
        with self._lock:
            self._routes = [r for r in self._routes if (r.path, r.query) != (route.path, route.query)]
            self._routes.append(route)

    def add_recorded(self, folder: str, routes_file: str = "replay.yaml", recorded_base: Optional[str] = None) -> int:
        """Serve the recorded responses a folder lists in ``replay.yaml``: items ``{path, file, content_type,
        query (optional), status (optional)}``, ``file`` relative to the folder. ``recorded_base``: the address the
        responses name as their own (``http://127.0.0.1:8765``, in next-page links), replaced in their bodies by
        this server's. The number of routes."""
        root = pathlib.Path(folder)
        routes = yaml.safe_load((root / routes_file).read_text(encoding="utf-8")) or []
        for route in routes:
            body = (root / route["file"]).read_bytes()
            if recorded_base:
                body = body.replace(recorded_base.encode(), self.base.encode())
            self.add(route["path"], body=body,
                     content_type=route.get("content_type", "application/octet-stream"),
                     status=int(route.get("status", 200)), query=route.get("query"))
        return len(routes)

    def forbid(self, pattern: str) -> None:
        """Paths (a regular expression searched in the path) no client may ask for: each request of one is kept
        in ``violations`` and answered 403; ``check()`` fails on any."""
        with self._lock:
            self._forbidden.append(re.compile(pattern))

    def check(self) -> None:
        """AssertionError naming every request of a forbidden path made so far."""
        if self.violations:
            raise AssertionError(f"forbidden paths were requested: {self.violations}")

    def answer(self, path: str, query: dict[str, str], headers: dict[str, str], method: str = "GET") -> Reply:
        with self._lock:
            self.log.append(path + ("?" + urllib.parse.urlencode(query) if query else ""))
            if any(pattern.search(path) for pattern in self._forbidden):
                self.violations.append(self.log[-1])
                return Reply(status=403, body=b"forbidden path", content_type="text/plain")
            # the most specific route first: the one naming the most query parameters
            for route in sorted(self._routes, key=lambda r: -len(r.query)):
                if route.matches(path, query):
                    route.calls += 1
                    request = Request(path, query, headers, route.calls, method)
                    break
            else:
                return Reply(status=404, body=b"not found", content_type="text/plain")
        return route.handler(request)

    def start(self) -> "Replay":
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "Replay":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
