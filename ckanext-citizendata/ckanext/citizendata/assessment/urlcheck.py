"""Background checks of the addresses a record's distributions name: does the address answer?

One check is a HEAD request, then a GET (streamed; its body is never read) when HEAD is refused (403, 405, 501)
or gets no answer; timeouts from ``ckanext.citizendata.quality.url_check_timeout_seconds``, redirects followed
up to the harvest's ``max_redirects``, a loop refused at once. The requests are those of the harvest's
``fetch.Client``: the same private-address guard (every host resolved once and refused when not public, unless
``ckanext.citizendata.harvest.allow_addresses`` lists it), never a proxy. A check is stored in
``citizendata_url_check`` (one row per address, shared by every record naming it) with its error in plain words;
an address checked within ``url_check_max_age_hours`` is not checked again. Checks run only in background jobs
(``logic/quality.py`` queues them), never during a request.

Example::

    with client() as http:
        check("https://data.example.org/a.csv", http)
    # {"url": ..., "ok": True, "status": 200, "method": "HEAD", "final_url": ..., "error": None, "checked_at": ...}
    check_and_store(["https://data.example.org/a.csv"])   # the addresses whose outcome changed
"""
from __future__ import annotations

import datetime
import json
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import insert

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.ingest.harvest import fetch
from ckanext.citizendata.model.assessment import url_check_table

from .mqa import stored_checks

# statuses by which a server refuses HEAD but may answer GET
HEAD_REFUSED = frozenset({403, 405, 501})
# no body is read, so no size cap applies to a checked file
UNBOUNDED = 2 ** 62


def client() -> fetch.Client:
    """The harvest's client, set for checks: the check timeout, no retries, no pacing, no size cap."""
    timeout = cd_config.quality_numbers()["url_check_timeout_seconds"]
    return fetch.Client(max_bytes=UNBOUNDED, timeout=timeout, retries=0, rate=0)


def _row(url: str, ok: bool, status: Optional[int], method: str, final_url: Optional[str],
         error: Optional[str]) -> dict[str, Any]:
    return {"url": url, "ok": ok, "status": status, "method": method, "final_url": final_url, "error": error,
            "checked_at": datetime.datetime.now(datetime.timezone.utc)}


def _failure(url: str, method: str, err: fetch.FetchError) -> dict[str, Any]:
    """A failed check, its reason in plain words: our own sentences (fetch's reasons never carry library text)."""
    if isinstance(err, fetch.HttpStatus):
        return _row(url, False, err.status, method, None, f"the address answered with HTTP status {err.status}")
    if isinstance(err, fetch.AddressRefused):
        return _row(url, False, None, method, None,
                    "the address is not a public web address (private, loopback and link-local addresses and "
                    "schemes other than http and https are not checked)")
    if isinstance(err, fetch.RedirectLoop):
        return _row(url, False, None, method, None, "the address redirects in a loop")
    if isinstance(err, fetch.TooManyRedirects):
        return _row(url, False, None, method, None, "the address redirects too many times")
    return _row(url, False, None, method, None, err.reason)


def check(url: str, http: fetch.Client) -> dict[str, Any]:
    """Check one address: HEAD, then GET when HEAD is refused or unanswered. A ``citizendata_url_check`` row."""
    try:
        reply = http.head(url)
        return _row(url, True, reply.status, "HEAD", reply.url, None)
    except (fetch.AddressRefused, fetch.RedirectLoop, fetch.TooManyRedirects) as err:
        return _failure(url, "HEAD", err)     # GET would meet the same refusal
    except fetch.HttpStatus as err:
        if err.status not in HEAD_REFUSED:
            return _failure(url, "HEAD", err)
    except fetch.FetchError:
        pass                                  # no answer to HEAD: some servers answer GET only
    try:
        with http.stream(url) as answer:      # headers only: the body is never read
            return _row(url, True, answer.status, "GET", answer.url, None)
    except fetch.FetchError as err:
        return _failure(url, "GET", err)


def due(urls: Iterable[str], now: Optional[datetime.datetime] = None) -> list[str]:
    """The addresses never checked or checked longer ago than the maximum age, in the order given."""
    urls = list(dict.fromkeys(urls))
    hours = cd_config.quality_numbers()["url_check_max_age_hours"]
    oldest = (now or datetime.datetime.now(datetime.timezone.utc)) - datetime.timedelta(hours=hours)
    stored = stored_checks(urls)
    return [u for u in urls if u not in stored or stored[u]["checked_at"] is None
            or stored[u]["checked_at"] <= oldest]


def store(rows: list[dict[str, Any]]) -> None:
    """Upsert check rows (one statement; not committed)."""
    if not rows:
        return
    statement = insert(url_check_table).values(rows)
    model.Session.execute(statement.on_conflict_do_update(
        index_elements=["url"], set_={c: statement.excluded[c] for c in rows[0] if c != "url"}))


def check_and_store(urls: Iterable[str], force: bool = False) -> list[str]:
    """Check the addresses that are due (all of them with ``force``), store the results and commit; the
    addresses whose outcome (answers or not, status) differs from the stored one."""
    urls = list(dict.fromkeys(urls))
    todo = urls if force else due(urls)
    before = stored_checks(todo)
    with client() as http:
        rows = [check(url, http) for url in todo]
    store(rows)
    model.Session.commit()
    return [r["url"] for r in rows
            if (before.get(r["url"], {}).get("ok"), before.get(r["url"], {}).get("status")) != (r["ok"], r["status"])]


def records_naming(urls: Iterable[str]) -> list[str]:
    """Ids of the active records with a distribution naming one of these addresses (access or download URL)."""
    urls = list(dict.fromkeys(urls))
    if not urls:
        return []
    r = model.resource_table
    named = [r.c.url.in_(urls)] + [r.c.extras.contains(json.dumps(u), autoescape=True) for u in urls]
    rows = model.Session.execute(sa.select(r.c.package_id).distinct().where(
        r.c.state == "active", sa.or_(*named))).scalars().all()
    return sorted(rows)
