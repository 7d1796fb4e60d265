"""The CKAN-portal source type: lists a CKAN 2.x portal (the Humanitarian Data Exchange, HDX, included) through
``package_search`` and maps each dataset to a record of our scheming schema.

Listing: ``package_search`` sorted ``metadata_created asc, id asc`` (a dataset created during the run lands at the
end, so the pages before it do not shift), ``rows`` = the source's ``page_size`` option (default 100, at most
1000, CKAN's ``ckan.search.rows_max``), ``fq`` = the source's ``fq`` option. When ``count`` changes between two
pages (datasets added or deleted meanwhile) the listing starts again from the first page, at most 5 times (as
HDX's own client does); a dataset already listed in this run is never listed twice (only ids are kept). A page
that cannot be read ends the listing with a failed page: the listing is then incomplete, and the engine withdraws
nothing.

Deletions: ``pages(spec, fetcher)`` without ``since`` is the full listing (every public dataset the ``fq``
selects), so the engine compares the guids it saw with those it holds. With ``since`` (an incremental run) it
lists only datasets modified since then, less one hour (for clocks and writes in flight, as ckanext-harvest
does), and is no ground for withdrawals. A dataset that cannot be mapped is a page error under its id, so that
the engine can count it as seen.

Mapping (``map_dataset``): title, notes, url (the dataset's landing page, else its page at the portal), tags,
license_id (as the source states it), issued / modified (``metadata_created`` / ``metadata_modified``), identifier
(an ``identifier`` field or extra, else the source's id), contact (maintainer, else author), publisher (the
organization), resources (url, name, description, format). HDX's fields: ``methodology`` (+
``methodology_other``), ``caveats`` and ``dataset_source`` become sections of the notes, because our fields for
them take concepts (``collection_methods``; ``partners`` need a role) that free text cannot safely give;
``data_update_frequency`` (days) -> ``frequency`` as an EU frequency IRI; ``dataset_date`` ->
``temporal_coverage``; ``groups`` (locations keyed by lowercase ISO3) -> ``countries``, only for HDX (the
source's ``profile`` option: ``hdx``, ``ckan`` or ``auto``, which reads a dataset with any HDX field as HDX),
since a plain portal's groups are themes. A value that cannot be kept is dropped with a warning naming the field
and why; the dataset is kept. The source's ``defaults`` fill the keys the dataset leaves empty.

Example::

    for page in pages(spec, Client()):            # spec.url = "https://data.humdata.org"
        page.url                                  # '.../api/3/action/package_search?rows=100&start=0&sort=...'
        page.sightings[0].record["countries"]     # ['GHA']
"""
from __future__ import annotations

import datetime
import re
import urllib.parse
from typing import Any, Generator, Iterator, Optional

import pycountry

from ckanext.citizendata.ingest.harvest.fetch import FetchError
from ckanext.citizendata.ingest.harvest.listing import Fetcher, Page, Sighting, SourceSpec
from ckanext.citizendata.ingest.harvest.values import EMAIL, WEB, MappingError, as_text, fill, is_empty, tag_list, \
    timestamps

API = "/api/3/action/package_search"
SORT = "metadata_created asc, id asc"
DEFAULT_ROWS = 100
MAX_ROWS = 1000                      # CKAN's ckan.search.rows_max default
MAX_RESTARTS = 5
SINCE_MARGIN = datetime.timedelta(hours=1)

EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
# HDX's expected update frequencies, in days (-2 as needed, -1 never, 0 live)
HDX_FREQUENCY = {-2: "IRREG", -1: "NEVER", 0: "UPDATE_CONT", 1: "DAILY", 7: "WEEKLY", 14: "BIWEEKLY",
                 30: "MONTHLY", 90: "QUARTERLY", 180: "BIANNUAL", 365: "ANNUAL"}
HDX_FIELDS = ("dataset_source", "data_update_frequency", "dataset_date", "methodology")

_RANGE = re.compile(r"^\[\s*(\S+)\s+TO\s+(\S+)\s*\]$")
_ACCOUNT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_DOWNLOAD = ("http://", "https://", "ftp://")

_DONE, _RESTART = "done", "restart"



# ---------------------------------------------------------------- listing


def page_size(spec: SourceSpec) -> int:
    """The ``rows`` of each request: the ``page_size`` option, 1 to 1000 (default 100)."""
    try:
        rows = int(spec.options.get("page_size", DEFAULT_ROWS))
    except (TypeError, ValueError):
        rows = DEFAULT_ROWS
    return max(1, min(rows, MAX_ROWS))


def since_clause(since: datetime.datetime) -> str:
    """``metadata_modified:[<since - 1 h, UTC> TO *]``; a naive ``since`` is taken as UTC."""
    moment = since if since.tzinfo else since.replace(tzinfo=datetime.timezone.utc)
    moment = moment.astimezone(datetime.timezone.utc) - SINCE_MARGIN
    return f"metadata_modified:[{moment:%Y-%m-%dT%H:%M:%SZ} TO *]"


def filter_query(spec: SourceSpec, since: Optional[datetime.datetime] = None) -> Optional[str]:
    """The ``fq`` sent: the source's ``fq`` option and, for an incremental run, the modified-since clause (both
    required)."""
    fq = str(spec.options.get("fq") or "").strip()
    if since is None:
        return fq or None
    clause = since_clause(since)
    return f"+({fq}) +{clause}" if fq else clause


def search_url(spec: SourceSpec, rows: int, start: int, fq: Optional[str]) -> str:
    params: dict[str, Any] = {"rows": rows, "start": start, "sort": SORT}
    if fq:
        params["fq"] = fq
    return spec.url.rstrip("/") + API + "?" + urllib.parse.urlencode(params)


def check_answer(answer: Any) -> tuple[Optional[dict[str, Any]], Optional[str]]:
    """(result, None) for a usable ``package_search`` answer, else (None, why)."""
    if not isinstance(answer, dict):
        return None, "the answer is not a JSON object"
    if answer.get("success") is not True:
        error = answer.get("error")
        kind = error.get("__type") if isinstance(error, dict) else None
        return None, "the portal answered success: false" + (f" ({str(kind)[:80]})" if kind else "")
    result = answer.get("result")
    if not isinstance(result, dict):
        return None, "the answer has no result"
    count = result.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        return None, "the result has no count"
    if not isinstance(result.get("results"), list):
        return None, "the result has no list of results"
    return result, None


def read_result(fetcher: Fetcher, url: str) -> tuple[Optional[dict[str, Any]], Optional[str]]:
    try:
        answer = fetcher.get_json(url)
    except FetchError as err:
        return None, err.reason
    return check_answer(answer)


def pages(spec: SourceSpec, fetcher: Fetcher, since: Optional[datetime.datetime] = None) -> Iterator[Page]:
    """The source's datasets, a page per request (see the module's docstring); conforms to ``listing.Lister``."""
    rows, fq = page_size(spec), filter_query(spec, since)
    seen: set[str] = set()
    for _attempt in range(MAX_RESTARTS + 1):
        outcome, url = yield from _listing(spec, fetcher, rows, fq, seen)
        if outcome == _DONE:
            return
    yield Page(url=url, failed=f"the listing kept changing: its count changed between pages "
                              f"{MAX_RESTARTS + 1} times in a row")


def _listing(spec: SourceSpec, fetcher: Fetcher, rows: int, fq: Optional[str],
             seen: set[str]) -> Generator[Page, None, tuple[str, str]]:
    """One pass from the first page; returns (_DONE or _RESTART, the last URL asked)."""
    start, expected = 0, None
    while True:
        url = search_url(spec, rows, start, fq)
        result, failure = read_result(fetcher, url)
        if failure:
            yield Page(url=url, failed=failure)
            return _DONE, url
        if expected is not None and result["count"] != expected:
            return _RESTART, url
        expected, results = result["count"], result["results"]
        if not results and start < expected:
            yield Page(url=url, failed=f"an empty page at start {start} of {expected} datasets")
            return _DONE, url
        yield read_page(url, results, spec, seen, start)
        start += rows
        if start >= expected:
            return _DONE, url


def read_page(url: str, results: list[Any], spec: SourceSpec, seen: set[str], start: int = 0) -> Page:
    """A page of sightings from ``package_search`` results; ids in ``seen`` are skipped and added to it."""
    page = Page(url=url)
    for position, package in enumerate(results, start=start + 1):
        guid = package.get("id") if isinstance(package, dict) else None
        if not isinstance(guid, str) or not guid.strip():
            page.errors.append((f"#{position}", "the dataset has no id"))
            continue
        if guid in seen:
            continue
        seen.add(guid)
        try:
            page.sightings.append(map_dataset(package, spec))
        except MappingError as err:
            page.errors.append((guid, str(err)))
        except (ValueError, TypeError, AttributeError, KeyError) as err:
            page.errors.append((guid, f"the dataset could not be mapped ({type(err).__name__})"))
    return page


# ---------------------------------------------------------------- mapping


def map_dataset(package: dict[str, Any], spec: SourceSpec) -> Sighting:
    """One ``package_search`` result as a sighting (pure). Raises MappingError without an id or a title."""
    if not isinstance(package, dict):
        raise MappingError("the dataset is not a JSON object")
    warnings: list[str] = []
    guid = as_text(package.get("id"), "id", warnings)
    if not guid:
        raise MappingError("the dataset has no id")
    title = as_text(package.get("title"), "title", warnings)
    if not title:
        raise MappingError("the dataset has no readable title")
    page_uri = dataset_page(spec, package, guid)
    record: dict[str, Any] = {"title": title}
    record.update(_notes(package, warnings))
    record.update(_landing(package, page_uri, warnings))
    record.update(tag_list(package.get("tags"), warnings))
    record.update(_dates(package, warnings))
    record.update(_contact(package, warnings))
    record.update(_resources(package, warnings))
    publisher, entry = _publisher(package, warnings)
    record.update(entry)
    record.update(_hdx(package, spec, warnings))
    identifier = _identifier(package, warnings) or guid
    record["identifier"] = identifier
    license_id = as_text(package.get("license_id"), "license_id", warnings)
    if license_id:
        record["license_id"] = license_id
    fill(record, spec.defaults)
    return Sighting(guid=guid, record=record, original_uri=page_uri, identifier=identifier, publisher=publisher,
                    upstream_modified=record.get("modified"), warnings=warnings)


def dataset_page(spec: SourceSpec, package: dict[str, Any], guid: str) -> str:
    """``{portal}/dataset/{name}`` (the id when the dataset has no name)."""
    name = package.get("name") if isinstance(package.get("name"), str) and package["name"].strip() else guid
    return f"{spec.url.rstrip('/')}/dataset/{urllib.parse.quote(name.strip(), safe='')}"


def is_hdx(package: dict[str, Any], spec: SourceSpec) -> bool:
    """HDX's reading of ``groups`` (countries): the ``profile`` option, or ``auto``: any HDX field present."""
    profile = str(spec.options.get("profile") or "auto").lower()
    if profile in ("hdx", "ckan"):
        return profile == "hdx"
    return any(key in package for key in HDX_FIELDS)








def _notes(package: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """The description, then HDX's methodology, caveats and source as sections of it."""
    methodology = as_text(package.get("methodology"), "methodology", warnings)
    if methodology and methodology.lower() == "other":
        methodology = None
    other = as_text(package.get("methodology_other"), "methodology_other", warnings)
    sections = [
        (None, as_text(package.get("notes"), "notes", warnings)),
        ("Methodology", " - ".join(part for part in (methodology, other) if part)),
        ("Caveats", as_text(package.get("caveats"), "caveats", warnings)),
        ("Source", as_text(package.get("dataset_source"), "dataset_source", warnings)),
    ]
    body = "\n\n".join(f"{label}: {value}" if label else value for label, value in sections if value)
    return {"notes": body} if body else {}


def _landing(package: dict[str, Any], page_uri: str, warnings: list[str]) -> dict[str, Any]:
    url = as_text(package.get("url"), "url", warnings)
    if url and not url.lower().startswith(WEB):
        warnings.append(f"url: {url[:200]!r} is not an http(s) address; the portal's page is used")
        url = None
    return {"url": url or page_uri}


def _dates(package: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    return timestamps(package, (("metadata_created", "issued"), ("metadata_modified", "modified")), warnings)


def _person(package: dict[str, Any], who: str, warnings: list[str]) -> dict[str, str]:
    name = as_text(package.get(who), "contact", warnings)
    email = as_text(package.get(who + "_email"), "contact", warnings)
    if name and _ACCOUNT_ID.match(name):
        warnings.append(f"contact: {who} {name!r} is an account id at the source, not a name; dropped")
        name = None
    if email and not EMAIL.match(email):
        warnings.append(f"contact: {who}_email {email[:200]!r} is not an email address; dropped")
        email = None
    return {key: value for key, value in (("name", name), ("email", email)) if value}


def _contact(package: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """The maintainer, else the author, as the contact point."""
    for who in ("maintainer", "author"):
        entry = _person(package, who, warnings)
        if entry:
            return {"contact": [entry]}
    return {}


def _publisher(package: dict[str, Any], warnings: list[str]) -> tuple[Optional[str], dict[str, Any]]:
    """(the publisher's name, the record's ``publisher``) from the dataset's organization."""
    org = package.get("organization")
    if not isinstance(org, dict):
        return None, {}
    name = as_text(org.get("title"), "publisher", warnings) or as_text(org.get("name"), "publisher", warnings)
    if not name:
        return None, {}
    entry = {"name": name}
    url = as_text(org.get("url"), "publisher", warnings)
    if url and url.lower().startswith(WEB):
        entry["url"] = url
    return name, {"publisher": [entry]}


def _resource(resource: Any, position: int, warnings: list[str]) -> Optional[dict[str, str]]:
    if not isinstance(resource, dict):
        warnings.append(f"resources: resource {position} is not an object; dropped")
        return None
    fields = {key: as_text(resource.get(key), f"resources[{position}].{key}", warnings)
              for key in ("url", "name", "description", "format")}
    url = fields["url"]
    if not url:
        warnings.append(f"resources: resource {position} ({fields['name'] or 'unnamed'}) has no URL; dropped")
        return None
    if not url.lower().startswith(_DOWNLOAD):
        warnings.append(f"resources: resource {position} URL {url[:200]!r} is not http(s) or ftp; dropped")
        return None
    return {key: value for key, value in fields.items() if value}


def _resources(package: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    resources = package.get("resources")
    if not isinstance(resources, list):
        return {}
    kept = [_resource(resource, n, warnings) for n, resource in enumerate(resources, start=1)]
    kept = [resource for resource in kept if resource]
    return {"resources": kept} if kept else {}


def _identifier(package: dict[str, Any], warnings: list[str]) -> Optional[str]:
    """An ``identifier`` field, else an ``identifier`` (or ``dct:identifier``) extra."""
    value = package.get("identifier")
    extras = package.get("extras")
    if is_empty(value) and isinstance(extras, list):
        value = next((extra.get("value") for extra in extras if isinstance(extra, dict)
                      and extra.get("key") in ("identifier", "dct:identifier")), None)
    return as_text(value, "identifier", warnings)


# ---------------------------------------------------------------- HDX


def _hdx(package: dict[str, Any], spec: SourceSpec, warnings: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    found.update(_frequency(package, warnings))
    found.update(_temporal(package, warnings))
    if is_hdx(package, spec):
        found.update(_countries(package, warnings))
    return found


def _frequency(package: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """HDX's ``data_update_frequency`` (days, as text) as an EU frequency IRI."""
    raw = as_text(package.get("data_update_frequency"), "frequency", warnings)
    if raw is None:
        return {}
    try:
        code = HDX_FREQUENCY.get(int(raw))
    except ValueError:
        code = None
    if code is None:
        warnings.append(f"frequency: an update frequency of {raw[:50]!r} days has no EU frequency; dropped")
        return {}
    return {"frequency": EU_FREQUENCY + code}


def _span(raw: str) -> tuple[Optional[datetime.date], Optional[datetime.date]]:
    """The dates of ``[start TO end]`` (``*``: open); ValueError when it is not such a range."""
    match = _RANGE.match(raw)
    if not match:
        raise ValueError(raw)
    start, end = (None if part == "*" else datetime.datetime.fromisoformat(part).date() for part in match.groups())
    return start, end


def _temporal(package: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """HDX's ``dataset_date`` (``[2019-01-01T00:00:00 TO 2024-12-31T23:59:59]``, ``*`` for open) as dates."""
    raw = as_text(package.get("dataset_date"), "temporal_coverage", warnings)
    if raw is None:
        return {}
    try:
        start, end = _span(raw)
    except ValueError:
        warnings.append(f"temporal_coverage: dataset_date {raw[:100]!r} is not a range [start TO end] of dates; "
                        "dropped")
        return {}
    if start and end and start > end:
        warnings.append(f"temporal_coverage: dataset_date {raw!r} ends before it starts; dropped")
        return {}
    span = {key: day.isoformat() for key, day in (("start", start), ("end", end)) if day}
    return {"temporal_coverage": [span]} if span else {}


def _country(group: Any, warnings: list[str]) -> Optional[str]:
    """The alpha-3 code of an HDX location group (``{"name": "gha", "title": "Ghana"}``), None with a warning."""
    name = as_text(group.get("name") if isinstance(group, dict) else group, "countries", warnings)
    code = (name or "").upper()
    if len(code) == 3 and code.isalpha() and pycountry.countries.get(alpha_3=code) is not None:
        return code
    label = group.get("title") if isinstance(group, dict) else None
    warnings.append(f"countries: the location {name!r}{f' ({label})' if label else ''} is not an ISO 3166-1 "
                    "alpha-3 country; dropped")
    return None


def _countries(package: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """HDX's location groups (lowercase ISO3) as ISO 3166-1 alpha-3 codes, in their order, once each."""
    groups = package.get("groups")
    if not isinstance(groups, list):
        return {}
    codes = [_country(group, warnings) for group in groups]
    codes = list(dict.fromkeys(code for code in codes if code))
    return {"countries": codes} if codes else {}
