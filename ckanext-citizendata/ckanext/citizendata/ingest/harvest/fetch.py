"""Every request a harvest sends: bounded in time and size, retried, polite, and never to a private address.

- Addresses (``addresses.py``): only http(s); each host is resolved once per request and refused when any of its
  addresses is private, loopback, link-local, reserved, multicast or unspecified (unless the harvest
  ``allow_addresses`` option or ``Client(allow=...)`` lists it); the connection then goes to the address checked
  (no second lookup a DNS rebinding could answer), keeping the Host header and, for https, the TLS server name and
  certificate check on the host name. Redirects are followed here, each hop checked the same way; a loop is
  refused at once, a long chain after ``max_redirects``.
- Time: connect and read timeouts; timeouts, connection errors, 5xx and 429 are tried again with exponential backoff
  (or the source's Retry-After, up to a bound); other 4xx are not.
- Politeness: at most ``requests_per_second`` requests per client (one client per source).
- Size: bodies are read in chunks and refused as soon as they pass ``max_response_bytes`` (at once when
  Content-Length says so); ``Client.stream`` hands the chunks to parsers that read incrementally, under the same cap.
- Bodies: ``parse_json`` (bounded nesting) and ``parse_xml`` / ``check_xml_safe`` (no DTD internal subset, so no
  entity expansion or external entities; lxml without network, DTD loading or huge trees).

Every failure is a :class:`FetchError` whose ``reason`` is a plain sentence, safe to show (no library text).

Example::

    with Client() as client:
        page = client.get_json("https://data.example.org/api/3/action/package_search", params={"rows": 100})
        response = client.get("https://data.example.org/catalog.rdf")   # Response(url=..., status=200, body=b"...")
        root = parse_xml(response.body, response.url)                  # an lxml element; Malformed when unsafe
        with client.stream("https://data.example.org/dump.jsonl") as stream:
            for chunk in stream:
                ...
"""
from __future__ import annotations

import codecs
import contextlib
import dataclasses
import datetime
import email.utils
import json
import logging
import math
import re
import time
import urllib.parse
from typing import Any, Callable, Iterator, Optional, Sequence, Union

import requests
import urllib3.exceptions
from lxml import etree

from ckanext.citizendata import config as cd_config

from .addresses import PinnedAdapter, address_refused, networks, resolve

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
MAX_JSON_DEPTH = 64
REDIRECTS = frozenset({301, 302, 303, 307, 308})
SCHEMES = ("http", "https")
NOT_PUBLIC = "private, loopback, link-local, reserved and multicast addresses are not allowed"
DTD_REFUSED = "XML with a DTD entity declaration is not accepted"

__all__ = ["AddressRefused", "Client", "FetchError", "HttpStatus", "Malformed", "PathRefused", "RedirectLoop", "Response",
           "Stream", "TimedOut", "TooLarge", "TooManyRedirects", "address_refused", "check_xml_safe",
           "networks", "parse_json", "parse_xml", "resolve"]


# ---------------------------------------------------------------- errors
class FetchError(Exception):
    """A request that gave no usable answer; ``reason`` is safe to show (no library text). ``attempts``: tries of
    the call that failed (retries and redirect hops included; 0 when refused before any)."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason
        self.attempts = 0


class AddressRefused(FetchError):
    """A scheme other than http(s), or a host with a private, loopback, link-local, reserved or multicast address."""


class PathRefused(AddressRefused):
    """A path the source type never reads (a field tool's submissions: personal data), asked directly or through a
    redirect."""


class TooLarge(FetchError):
    """A body larger than the cap."""


class HttpStatus(FetchError):
    """An answer with a 4xx or 5xx status (after retries), or a Retry-After longer than allowed."""

    def __init__(self, url: str, status: int, reason: Optional[str] = None):
        super().__init__(url, reason or f"the source answered with HTTP status {status}")
        self.status = status


class RedirectLoop(FetchError):
    """A redirect to an address already seen in the same chain."""


class TooManyRedirects(FetchError):
    """A redirect chain longer than ``max_redirects``."""


class TimedOut(FetchError):
    """No connection, or no data, within the timeout."""


class Malformed(FetchError):
    """A body that is not what was asked for: not JSON, not well-formed or unsafe XML, too deeply nested."""


class _Interrupted(FetchError):
    """The connection broke off in the middle of a body (tried again by ``get``)."""


class _Unresolved(requests.ConnectionError):
    """A host name that did not resolve: tried again like a connection error."""


class _Retry(Exception):
    """A failure worth another try, with the wait the source asked for (Retry-After), if any."""

    def __init__(self, failure: FetchError, retry_after: Optional[float] = None):
        super().__init__(failure.reason)
        self.failure, self.retry_after = failure, retry_after


# ---------------------------------------------------------------- responses
class _Headed:
    headers: dict[str, str]

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclasses.dataclass
class Response(_Headed):
    url: str                      # after redirects
    status: int
    headers: dict[str, str]       # names in lower case
    body: bytes
    attempts: int = 1             # tries (retries and redirect hops included)


@dataclasses.dataclass
class Stream(_Headed):
    """An answer whose body is read by iterating over it (chunks of bytes, under the size cap)."""
    url: str
    status: int
    headers: dict[str, str]
    chunks: Iterator[bytes]
    attempts: int = 1

    def __iter__(self) -> Iterator[bytes]:
        return self.chunks


def _setting(value: Optional[float], name: str) -> float:
    return value if value is not None else cd_config.harvest_number(name)


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).hostname or ""


def _origin(url: str) -> tuple[str, str, Optional[int]]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.hostname or "", parts.port


def _retry_after(value: Optional[str], now: datetime.datetime) -> Optional[float]:
    """Seconds a Retry-After header asks to wait (a number of seconds or an HTTP date); None when unreadable."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _location(reply: requests.Response) -> Optional[str]:
    """Where a redirect points (as the server wrote it, UTF-8 read back from http.client's Latin-1), else None."""
    location = reply.headers.get("location") if reply.status_code in REDIRECTS else None
    if not location:
        return None
    try:
        return location.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return location


def _carry_headers(current: str, target: str, headers: Optional[dict[str, str]]) -> Optional[dict[str, str]]:
    """The caller's headers for the next hop: all on the same origin, only the Accept ones elsewhere (no token
    follows a redirect to another host)."""
    if not headers or _origin(current) == _origin(target):
        return headers
    return {key: value for key, value in headers.items() if key.lower().startswith("accept")}


class Client:
    """One client per source: its request rate, its connections. Options default to the harvest configuration;
    ``sleep``, ``clock`` and ``resolver`` can be replaced (tests record waits instead of waiting).

    ``requests_sent`` counts every try of this client (retries and redirect hops included; a try refused for its
    address is counted too)."""

    def __init__(self, max_bytes: Optional[int] = None, timeout: Optional[float] = None, *,
                 allow: Optional[Sequence[str]] = None, retries: Optional[int] = None,
                 backoff: Optional[float] = None, retry_after_max: Optional[float] = None,
                 rate: Optional[float] = None, max_redirects: Optional[int] = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 resolver: Callable[[str, int], list[str]] = resolve, headers: Optional[dict[str, str]] = None,
                 refuse_paths: Sequence[str] = ()):
        self.max_bytes = int(_setting(max_bytes, "max_response_bytes"))
        self.timeout = _setting(timeout, "timeout_seconds")
        self.retries = int(_setting(retries, "retries"))
        self.backoff = _setting(backoff, "backoff_seconds")
        self.retry_after_max = _setting(retry_after_max, "retry_after_max_seconds")
        self.rate = _setting(rate, "requests_per_second")
        self.max_redirects = int(_setting(max_redirects, "max_redirects"))
        self.allow = networks(cd_config.harvest_allow_addresses() if allow is None else allow)
        self.sleep, self.clock, self.resolver = sleep, clock, resolver
        self.requests_sent = 0
        # sent with every request as the caller's own (a source's token): never past a redirect to another origin
        self.headers = dict(headers or {})
        # paths (regular expressions, searched in the URL's path) never requested, not even through a redirect
        self.refuse_paths = [re.compile(pattern) for pattern in refuse_paths]
        self._next_at: Optional[float] = None
        self.session = requests.Session()
        self.session.trust_env = False            # no proxy, .netrc or CA bundle from the environment
        self.session.headers["User-Agent"] = cd_config.harvest_user_agent()
        adapter = PinnedAdapter(self.pinned_address)
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, adapter)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    # ------------------------------------------------------------ the public calls
    def get(self, url: str, params: Optional[dict[str, Any]] = None,
            headers: Optional[dict[str, str]] = None) -> Response:
        """The whole answer (2xx, or a 3xx that is not a redirect); FetchError for anything else."""
        start = self.requests_sent
        try:
            final, reply, body = self._follow(self.prepare(url, params), {**self.headers, **(headers or {})},
                                              read_body=True)
        except FetchError as err:
            err.attempts = self.requests_sent - start
            raise
        return Response(final, reply.status_code, {k.lower(): v for k, v in reply.headers.items()}, body or b"",
                        self.requests_sent - start)

    def head(self, url: str, headers: Optional[dict[str, str]] = None) -> Response:
        """A HEAD request (a URL check: is it there?), redirects followed and checked as ``get`` follows them; the
        answer without body. Its Content-Length is not held against ``max_bytes`` (no body is read)."""
        start = self.requests_sent
        try:
            final, reply, _ = self._follow(self.prepare(url), {**self.headers, **(headers or {})}, read_body=False,
                                           method="HEAD")
        except FetchError as err:
            err.attempts = self.requests_sent - start
            raise
        reply.close()
        return Response(final, reply.status_code, {k.lower(): v for k, v in reply.headers.items()}, b"",
                        self.requests_sent - start)

    def get_json(self, url: str, params: Optional[dict[str, Any]] = None,
                 headers: Optional[dict[str, str]] = None) -> Any:
        response = self.get(url, params=params, headers={"Accept": "application/json", **(headers or {})})
        return parse_json(response.body, response.url)

    @contextlib.contextmanager
    def stream(self, url: str, params: Optional[dict[str, Any]] = None,
               headers: Optional[dict[str, str]] = None) -> Iterator[Stream]:
        """``with client.stream(url) as stream: for chunk in stream: ...``; retries and redirects happen before the
        body; reading it raises TooLarge past the cap, TimedOut or FetchError when the connection stalls or breaks."""
        start = self.requests_sent
        try:
            final, reply, _ = self._follow(self.prepare(url, params), {**self.headers, **(headers or {})},
                                           read_body=False)
        except FetchError as err:
            err.attempts = self.requests_sent - start
            raise
        with reply:
            yield Stream(final, reply.status_code, {k.lower(): v for k, v in reply.headers.items()},
                         self._chunks(final, reply), self.requests_sent - start)

    def prepare(self, url: str, params: Optional[dict[str, Any]] = None) -> str:
        """``url`` with ``params``, normalised as sent, without fragment; AddressRefused unless http(s)."""
        try:
            prepared = requests.Request("GET", url, params=params).prepare().url or ""
        except (requests.RequestException, ValueError) as err:
            raise FetchError(url, "the address is not a valid URL") from err
        parts = urllib.parse.urlsplit(prepared)
        if parts.scheme.lower() not in SCHEMES:
            raise AddressRefused(url, "only http and https addresses can be harvested")
        if not parts.hostname:
            raise FetchError(url, "the address names no host")
        if any(pattern.search(parts.path) for pattern in self.refuse_paths):
            raise PathRefused(url, "this source type never reads this path (it holds submissions, not metadata)")
        return urllib.parse.urldefrag(prepared)[0]

    def pinned_address(self, url: str) -> str:
        """The address to connect to for ``url``: its host resolved, every address checked (AddressRefused)."""
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        try:
            addresses = self.resolver(host, parts.port or (443 if parts.scheme == "https" else 80))
        except (OSError, UnicodeError, ValueError) as err:
            raise _Unresolved(host) from err
        if not addresses:
            raise _Unresolved(host)
        if any(address_refused(address, self.allow) for address in addresses):
            raise AddressRefused(url, f"{host} is not a public address: {NOT_PUBLIC}")
        return addresses[0]

    # ------------------------------------------------------------ redirects, retries, one exchange
    def _follow(self, url: str, headers: Optional[dict[str, str]],
                read_body: bool, method: str = "GET") -> tuple[str, requests.Response, Optional[bytes]]:
        current, chain = url, [url]
        while True:
            reply, body = self._with_retries(current, headers, read_body, method)
            location = _location(reply)
            if location is None:
                return current, reply, body
            reply.close()
            target = self.prepare(urllib.parse.urljoin(current, location))
            if target in chain:
                raise RedirectLoop(url, f"the source redirects in a loop (back to {target})")
            if len(chain) > self.max_redirects:
                raise TooManyRedirects(url, f"the source redirects more than {self.max_redirects} times")
            headers = _carry_headers(current, target, headers)
            chain.append(target)
            current = target

    def _with_retries(self, url: str, headers: Optional[dict[str, str]],
                      read_body: bool, method: str = "GET") -> tuple[requests.Response, Optional[bytes]]:
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._exchange(url, headers, read_body, method)
            except _Retry as retry:
                self.sleep(self._wait(retry, attempt))

    def _wait(self, retry: _Retry, attempt: int) -> float:
        """Seconds before the next try, or the failure when there is none."""
        failure, asked = retry.failure, retry.retry_after
        if asked is not None and asked > self.retry_after_max:
            raise HttpStatus(failure.url, getattr(failure, "status", 503),
                             f"the source asks to wait {math.ceil(asked)} seconds before trying again, longer than "
                             f"the {self.retry_after_max:g} seconds allowed") from None
        if attempt > self.retries:
            raise failure from retry.__cause__
        wait = asked if asked is not None else self.backoff * 2 ** (attempt - 1)
        log.info("%s: %s; trying again in %gs", failure.url, failure.reason, wait)
        return wait

    def _exchange(self, url: str, headers: Optional[dict[str, str]],
                  read_body: bool, method: str = "GET") -> tuple[requests.Response, Optional[bytes]]:
        """One request. _Retry for what is worth another try; the reply open (body unread) unless ``read_body``."""
        self._pace()
        self.requests_sent += 1
        try:
            reply = self.session.request(method, url, headers=headers, timeout=(self.timeout, self.timeout),
                                         stream=True, allow_redirects=False)
        except requests.RequestException as err:
            raise self._failure(url, err) from err
        status = reply.status_code
        if status == 429 or status >= 500:
            reply.close()
            asked = reply.headers.get("retry-after") if status in (429, 503) else None
            raise _Retry(HttpStatus(url, status), _retry_after(asked, datetime.datetime.now(datetime.timezone.utc)))
        if status >= 400:
            reply.close()
            raise HttpStatus(url, status)
        if _location(reply) is not None or method == "HEAD":
            return reply, None
        self._check_length(url, reply)
        if not read_body:
            return reply, None
        with reply:
            try:
                return reply, b"".join(self._chunks(url, reply))
            except (TimedOut, _Interrupted) as err:
                raise _Retry(err) from err.__cause__

    def _failure(self, url: str, err: requests.RequestException) -> Union[_Retry, FetchError]:
        """What a request that got no answer is: a _Retry of a timeout or a connection error, else final."""
        host = _host(url)
        if isinstance(err, requests.Timeout):
            return _Retry(TimedOut(url, f"{host} did not answer within {self.timeout:g} seconds"))
        if isinstance(err, requests.exceptions.SSLError):
            return FetchError(url, f"a secure connection to {host} could not be made (TLS certificate or protocol)")
        if isinstance(err, _Unresolved):
            return _Retry(FetchError(url, f"the host {host} could not be found"))
        if isinstance(err, requests.ConnectionError):
            return _Retry(FetchError(url, f"could not connect to {host}"))
        return FetchError(url, "the request could not be sent")

    def _pace(self) -> None:
        """Wait until this client may send its next request (``rate`` per second; 0: no limit)."""
        if self.rate <= 0:
            return
        now = self.clock()
        if self._next_at is not None and self._next_at > now:
            self.sleep(self._next_at - now)
            now = max(self.clock(), self._next_at)
        self._next_at = now + 1 / self.rate

    # ------------------------------------------------------------ bodies
    def _check_length(self, url: str, reply: requests.Response) -> None:
        length = reply.headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > self.max_bytes:
            reply.close()
            raise TooLarge(url, f"the response is {int(length)} bytes, more than the {self.max_bytes} allowed")

    def _chunks(self, url: str, reply: requests.Response) -> Iterator[bytes]:
        size = 0
        try:
            for chunk in reply.iter_content(CHUNK):
                size += len(chunk)
                if size > self.max_bytes:
                    raise TooLarge(url, f"the response is larger than the {self.max_bytes} bytes allowed")
                yield chunk
        except requests.RequestException as err:
            raise self._body_failure(url, err) from err

    def _body_failure(self, url: str, err: requests.RequestException) -> FetchError:
        cause = err.args[0] if err.args else None
        if isinstance(err, requests.Timeout) or isinstance(cause, urllib3.exceptions.ReadTimeoutError):
            return TimedOut(url, f"{_host(url)} stopped sending for more than {self.timeout:g} seconds")
        if isinstance(err, requests.exceptions.ContentDecodingError):
            return Malformed(url, "the response's compression is broken")
        return _Interrupted(url, "the connection broke off before the response was complete")


# ---------------------------------------------------------------- JSON
def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` levels (``[[1]]`` is 2), checked without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def parse_json(body: Union[bytes, str], url: str) -> Any:
    """The JSON value of ``body``; Malformed when it is not JSON (NaN and Infinity included) or nests lists and
    objects more than MAX_JSON_DEPTH levels."""
    too_deep = Malformed(url, f"the JSON nests more than {MAX_JSON_DEPTH} levels")
    try:
        value = json.loads(body, parse_constant=_constant)
    except RecursionError:
        raise too_deep from None
    except ValueError as err:
        raise Malformed(url, "the response is not JSON") from err
    if isinstance(value, (dict, list)) and _deeper_than(value, MAX_JSON_DEPTH):
        raise too_deep
    return value


# ---------------------------------------------------------------- XML
_BOMS = ((codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF16_LE, "utf-16-le"))
_WIDE = ((b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"), (b"\x00<", "utf-16-be"),
         (b"<\x00", "utf-16-le"))
_UNREAD = (b"\x4c\x6f\xa7\x94", b"\x00\x00<\x00", b"\x00<\x00\x00")   # EBCDIC, UCS-4 in odd byte orders
_DECLARED = re.compile(rb"""<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._:-]*)["']""")
_SPACE = re.compile(r"[\s\ufeff]*")
_DOCTYPE = re.compile(r"""<!DOCTYPE(?:[^\[>"']+|"[^"]*"|'[^']*')*""")
_LONGEST_OPENING = len("<!DOCTYPE")


def _xml_encodings(body: bytes, url: str) -> list[str]:
    """The encodings a parser may read ``body`` in: its byte-order mark's, or UTF-16/32 by its first bytes, else
    Latin-1 (the bytes as they are, right for every ASCII-compatible encoding) and the one its declaration names
    (a UTF-7 document could hide its markup from a reading byte by byte). Malformed for EBCDIC, UCS-4 in unusual
    byte orders and encodings Python does not know."""
    if body.startswith(_UNREAD):
        raise Malformed(url, "the XML's encoding is not supported")
    for start, name in _BOMS + _WIDE:
        if body.startswith(start):
            return [name]
    found = ["latin-1"]
    declared = _DECLARED.match(body, 0, 1024)
    if declared:
        name = declared.group(1).decode("ascii")
        try:
            "<".encode(name)                                # LookupError: unknown, or not a text encoding
        except LookupError:
            raise Malformed(url, f"the XML's encoding {name} is not supported") from None
        found.append(name)
    return found


def _prolog_refused(text: str, complete: bool) -> Optional[bool]:
    """True when the prolog of ``text`` (what comes before the root element) holds a DOCTYPE with an internal
    subset or a declaration other than DOCTYPE; False when it ends without; None when ``text`` ends inside it and
    is not ``complete`` (more text is needed)."""
    pos = 0
    while True:
        pos = _SPACE.match(text, pos).end()
        if not complete and len(text) - pos < _LONGEST_OPENING:
            return None
        if text.startswith("<?", pos):
            end, close = text.find("?>", pos + 2), 2
        elif text.startswith("<!--", pos):
            end, close = text.find("-->", pos + 4), 3
        elif text.startswith("<!DOCTYPE", pos):
            end, close = _DOCTYPE.match(text, pos).end(), 1
            if text.startswith("[", end):
                return True
            end = end if end < len(text) else -1
        else:
            return text.startswith("<!", pos)
        if end < 0:
            return None if not complete else False   # unterminated: the parser says it is not well-formed
        pos = end + close


def _refused_in(body: bytes, encoding: str) -> bool:
    size = 4096
    while True:
        complete = size >= len(body)
        text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(body[:size], final=complete)
        verdict = _prolog_refused(text, complete)
        if verdict is not None:
            return verdict
        size *= 4


def check_xml_safe(body: Union[bytes, str], url: str) -> None:
    """Malformed when the XML's prolog declares entities or a DOCTYPE with an internal subset (what entity
    expansion and external entities need); for parsers other than :func:`parse_xml` (rdflib's RDF/XML)."""
    if isinstance(body, str):
        refused = _prolog_refused(body, complete=True)
    else:
        refused = any(_refused_in(body, encoding) for encoding in _xml_encodings(body, url))
    if refused:
        raise Malformed(url, DTD_REFUSED)


def parse_xml(body: bytes, url: str) -> Any:
    """The root element (lxml) of the XML ``body``, refused (Malformed) when unsafe (:func:`check_xml_safe`) or not
    well-formed; parsed without entity expansion, DTD loading, network access or huge trees."""
    check_xml_safe(body, url)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(body, parser, base_url=url)
    except (etree.XMLSyntaxError, ValueError) as err:
        line = f" (line {err.lineno})" if getattr(err, "lineno", None) else ""
        raise Malformed(url, f"the XML is not well-formed{line}") from err
