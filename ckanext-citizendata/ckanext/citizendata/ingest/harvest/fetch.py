"""Every request a harvest sends: bounded in time and size, retried, polite, and never to a private address.

(First version: timeouts, the size cap and JSON. Being extended with the SSRF guard, retries with backoff,
Retry-After, a request rate per source, redirect loops and defused XML.)

Example::

    client = Client()
    page = client.get_json("https://data.example.org/api/3/action/package_search", params={"rows": 100})
    response = client.get("https://data.example.org/catalog.ttl")   # Response(url=..., status=200, body=b"...")
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any, Optional

import requests

from ckanext.citizendata import config as cd_config

CHUNK = 64 * 1024


class FetchError(Exception):
    """A request that gave no usable answer; ``reason`` is safe to show (no library text)."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


@dataclasses.dataclass
class Response:
    url: str                      # after redirects
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class Client:
    def __init__(self, max_bytes: Optional[int] = None, timeout: Optional[float] = None):
        self.max_bytes = max_bytes or cd_config.harvest_number("max_response_bytes")
        self.timeout = timeout or cd_config.harvest_number("timeout_seconds")
        self.session = requests.Session()
        self.session.headers["User-Agent"] = cd_config.harvest_user_agent()

    def get(self, url: str, params: Optional[dict[str, Any]] = None,
            headers: Optional[dict[str, str]] = None) -> Response:
        try:
            with self.session.get(url, params=params, headers=headers, timeout=self.timeout, stream=True) as reply:
                body = self._read(url, reply)
                if reply.status_code >= 400:
                    raise FetchError(url, f"HTTP {reply.status_code}")
                return Response(reply.url, reply.status_code, {k.lower(): v for k, v in reply.headers.items()}, body)
        except requests.Timeout as err:
            raise FetchError(url, "timed out") from err
        except requests.RequestException as err:
            raise FetchError(url, "could not connect") from err

    def _read(self, url: str, reply: requests.Response) -> bytes:
        parts, size = [], 0
        for chunk in reply.iter_content(CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(url, f"response larger than {self.max_bytes} bytes")
            parts.append(chunk)
        return b"".join(parts)

    def get_json(self, url: str, params: Optional[dict[str, Any]] = None,
                 headers: Optional[dict[str, str]] = None) -> Any:
        response = self.get(url, params=params, headers={"Accept": "application/json", **(headers or {})})
        try:
            return json.loads(response.body)
        except ValueError as err:
            raise FetchError(response.url, "the response is not JSON") from err
