"""The KoboToolbox source type (metadata only): the deployed surveys of a KoboToolbox server (KPI API v2) as dataset
records. It reads the asset list and nothing else: never a submission, an attachment, an export or a report (the
client refuses those paths, ``REFUSED_PATHS``, even through a redirect).

Listing: ``GET {url}/api/v2/assets/?q=asset_type:survey&limit=N&start=M&ordering=-date_modified&format=json`` with
``Authorization: Token <key>`` (the source's ``api_token`` secret, ``authorize``); ``limit`` = the ``page_size``
option (default 100, at most 1000, KPI's MAX_API_PAGE_SIZE). Pages are asked by ``start`` on the source's own
address; the answer's ``next`` link is never followed (it could name another host). The listing ends when
``start`` reaches ``count``. It starts again from the first page, at most 5 times (as ckan_portal does), when
``count`` changes between pages (surveys added or deleted meanwhile) or when a survey comes twice in one pass (a
survey edited meanwhile moves to the top of the ``-date_modified`` order and pushes the others down one place: the
one that slid onto the next page is seen twice, and without a new pass the edited one would be missed); a survey
already listed in this run is not listed again. Then a failed page: the listing is incomplete and nothing is
withdrawn. HTTP 401 / 403 is a failed page naming the source and the secret (its variable, never its value). The
source type lists everything every run (``since`` is ignored); ``listing_hash`` reads ``/api/v2/assets/hash/``, the
server's hash of all its surveys' versions, so that a caller can tell whether anything changed at all.

Which assets: surveys that are deployed (``deployment_status`` "deployed"; on servers without it,
``deployment__active`` true). Drafts and archived surveys are not listed, so a survey archived upstream is
withdrawn after a complete listing.

Mapping (``map_asset``, pure): guid and identifier ``uid``; ``original_uri`` the asset's ``url`` (its API address;
the form's summary page ``{url}/#/forms/{uid}/summary`` when that is not an http(s) address or is a data path);
``name`` -> title; ``settings.description`` -> notes, with the operational purpose and the sector as labelled
sections; the sector's label and ``tag_string`` -> tags (characters a CKAN tag cannot hold become spaces);
``settings.country`` (ISO 3166-1 alpha-3 values, checked with pycountry) -> countries; ``settings.organization``
-> publisher; ``date_created`` / ``date_modified`` -> issued / modified; ``summary.languages`` ("English (en)")
-> language (ISO 639-1 codes, else 639-3, in the form's order; a language without a code is a warning);
engagement, collection_methods and initiative_type only through the mapping table
``harvesters/mappings/kobotoolbox.yaml`` (the asset type ``survey``); ``deployment__submission_count`` ->
sample_size only when the source's ``submissions_are_respondents`` option is true; ``settings.collects_pii`` ->
``ethics.personal_data`` (absent: true, to be safe, with a warning). A harvested record with personal data is kept
without stated consent, with a warning, and does not meet the Copenhagen definition until informed consent or an
ethics review is stated (record/derive.safeguarded; a source file may state it in ``defaults``). No ``url``
(landing page): a form's pages at the server open only to accounts it is shared with. A form private at the
server (``status`` neither shared nor public) is a private record of the source's organization, unless the source
file's ``publish_private_forms`` option says the partner agreed to publish its forms' metadata.

Left out on purpose: ``date_deployed`` is the survey's latest (re)deployment (KPI sets it at every deployment), not
the start of its collection, and ``deployment__last_submission_time`` is only the latest submission so far; the two
do not bound the collection period, so no ``temporal_coverage`` is stated (a warning says so). ``owner__username``,
``permissions`` and every link (``data``, ``downloads``, ``export_settings``) are never copied: they name accounts
or lead to submissions. The source's ``defaults`` fill the keys a survey leaves empty, and the sub-keys of an
``ethics`` the survey states (a source file may state ``ethics.informed_consent`` for all its partner's forms).

Example::

    spec = SourceSpec(name="kobo-cso", type="kobo", url="https://kf.kobotoolbox.org", organization="cso",
                      options={"page_size": 100}, secrets={"api_token": "<key>"})
    with jobs.client_for(spec) as client:     # sends authorize(spec), refuses REFUSED_PATHS
        for page in pages(spec, client):
            page.sightings[0].record["collection_methods"]   # ['digital-form-survey']
        listing_hash(spec, client)                           # '5d0e3c...' (None when it cannot be read)
"""
from __future__ import annotations

import re
import urllib.parse
from typing import Any, Generator, Iterator, Optional

import pycountry

from ckanext.citizendata.record import derive

from . import mapping
from .fetch import FetchError, HttpStatus
from .listing import DATASET, Fetcher, Page, Sighting, SourceSpec, access_refused
from .values import NOT_IN_TAG, WEB, MappingError, as_text, fill, timestamps

PLATFORM = "kobotoolbox"                    # harvesters/mappings/kobotoolbox.yaml
API = "/api/v2/assets/"
HASH = "/api/v2/assets/hash/"
SURVEY = "survey"
ORDERING = "-date_modified"                 # KPI's own default order, asked for explicitly
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000                            # KPI's MAX_API_PAGE_SIZE
MAX_RESTARTS = 5
SECRET = "api_token"

ENGAGEMENT_TABLE = "asset_type"
METHOD_TABLE = "asset_type.collection_method"
INITIATIVE_TABLE = "asset_type.initiative_type"

CONSENT_WARNING = ("ethics: the form collects personal data: informed consent must be stated "
                   "(ethics.informed_consent) before the record can meet the Copenhagen definition")

# Paths never requested (searched in a URL's path by fetch.Client, also for every redirect hop): submissions and
# what is made of them. KPI v2: /api/v2/assets/<uid>/data/ (and data.json, data.xml, data/<id>/attachments/,
# export-settings/<uid>/data.csv), attachments, exports and export settings, reports (answers aggregated per
# question), paired data (another project's submissions), hook logs (submissions sent on); KoboCAT and API v1:
# /api/v1/data, /api/v1/stats, /api/v1/media, submissions, exports, attachments; stored files (/private-media/,
# /media/); and every download of a data file.
REFUSED_PATHS: tuple[str, ...] = (
    r"/api/v2/assets/[^/]+/(?:.*/)?data(?:/|\.|$)",
    r"/attachments?(?:/|\.|$)",
    r"/submissions?(?:/|\.|$)",
    r"/exports?(?:/|\.|$)",
    r"/export-settings(?:/|$)",
    r"/reports?(?:/|$)",
    r"/paired-data(?:/|$)",
    r"/hooks/[^/]+/logs(?:/|$)",
    r"/api/v1/(?:data|stats|media)(?:/|\.|$)",
    r"/(?:private-)?media/",
    r"\.(?:csv|xlsx?|zip|kml|geojson|sav)$",
)
_REFUSED = tuple(re.compile(pattern) for pattern in REFUSED_PATHS)

_LANGUAGE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\)\s*$")
_YES, _NO = frozenset({"yes", "true", "y", "1"}), frozenset({"no", "false", "n", "0"})
_DONE, _RESTART = "done", "restart"



# ---------------------------------------------------------------- the client's settings


def authorize(spec: SourceSpec) -> dict[str, str]:
    """The ``Authorization`` header of the source's ``api_token`` secret: ``Token <key>`` (a value that already
    starts with ``Token`` is sent as it is); {} without a token."""
    token = str(spec.secrets.get(SECRET) or "").strip()
    if not token:
        return {}
    return {"Authorization": token if token.lower().startswith("token ") else f"Token {token}"}


def refused(url: str) -> bool:
    """Whether a URL's path is one the source type never reads (``REFUSED_PATHS``)."""
    path = urllib.parse.urlsplit(url).path
    return any(pattern.search(path) for pattern in _REFUSED)


# ---------------------------------------------------------------- listing


def page_size(spec: SourceSpec) -> int:
    """The ``limit`` of each request: the ``page_size`` option, 1 to 1000 (default 100)."""
    try:
        limit = int(spec.options.get("page_size", DEFAULT_LIMIT))
    except (TypeError, ValueError):
        limit = DEFAULT_LIMIT
    return max(1, min(limit, MAX_LIMIT))


def list_url(spec: SourceSpec, limit: int, start: int) -> str:
    params = {"q": f"asset_type:{SURVEY}", "limit": limit, "start": start, "ordering": ORDERING, "format": "json"}
    return spec.url.rstrip("/") + API + "?" + urllib.parse.urlencode(params)


def check_answer(answer: Any) -> tuple[Optional[dict[str, Any]], Optional[str]]:
    """(answer, None) for a usable asset list (``{count, next, previous, results}``), else (None, why)."""
    if not isinstance(answer, dict):
        return None, "the answer is not a JSON object"
    count = answer.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        return None, "the answer has no count"
    if not isinstance(answer.get("results"), list):
        return None, "the answer has no list of results"
    return answer, None


def read_answer(spec: SourceSpec, fetcher: Fetcher, url: str) -> tuple[Optional[dict[str, Any]], Optional[str]]:
    """(asset list, None), or (None, why): 401 / 403 name the source and its secret (never the secret's value)."""
    try:
        answer = fetcher.get_json(url)
    except HttpStatus as err:
        if err.status in (401, 403):
            return None, access_refused(spec, err.status, SECRET)
        return None, err.reason
    except FetchError as err:
        return None, err.reason
    return check_answer(answer)


def pages(spec: SourceSpec, fetcher: Fetcher, since: Any = None) -> Iterator[Page]:
    """The server's deployed surveys, a page per request (see the module's docstring); conforms to
    ``listing.Lister``. ``since`` is ignored: every run lists everything."""
    limit, emitted = page_size(spec), set()
    url = list_url(spec, limit, 0)
    for _attempt in range(MAX_RESTARTS + 1):
        outcome, url = yield from _listing(spec, fetcher, limit, emitted)
        if outcome == _DONE:
            return
    yield Page(url=url, failed=f"the listing kept changing: surveys were added, deleted or edited while it was "
                              f"read, {MAX_RESTARTS + 1} times in a row")


def _listing(spec: SourceSpec, fetcher: Fetcher, limit: int,
             emitted: set[str]) -> Generator[Page, None, tuple[str, str]]:
    """One pass from the first page; returns (_DONE or _RESTART, the last URL asked)."""
    start, expected, this_pass = 0, None, set()
    while True:
        url = list_url(spec, limit, start)
        answer, failure = read_answer(spec, fetcher, url)
        if failure:
            yield Page(url=url, failed=failure)
            return _DONE, url
        if _shifted(answer, expected, this_pass):
            return _RESTART, url
        expected, results = answer["count"], answer["results"]
        if not results and start < expected:
            yield Page(url=url, failed=f"an empty page at start {start} of {expected} surveys")
            return _DONE, url
        yield read_page(url, results, spec, emitted, start)
        start += limit
        if start >= expected:
            return _DONE, url


def _shifted(answer: dict[str, Any], expected: Optional[int], this_pass: set[str]) -> bool:
    """Whether the listing changed under this pass: its count changed, or a survey of this page was on an earlier
    one (the order shifted); else the page's uids are added to ``this_pass``."""
    if expected is not None and answer["count"] != expected:
        return True
    uids = {asset.get("uid") for asset in answer["results"] if isinstance(asset, dict)
            and isinstance(asset.get("uid"), str)}
    if this_pass & uids:
        return True
    this_pass.update(uids)
    return False


def is_deployed(asset: dict[str, Any]) -> bool:
    """A survey whose form is deployed: ``deployment_status`` "deployed" (drafts and archived ones are not), or,
    from a server that does not give it, ``deployment__active`` true."""
    status = asset.get("deployment_status")
    if status in ("deployed", "draft", "archived"):
        return status == "deployed"
    return asset.get("deployment__active") is True


def read_page(url: str, results: list[Any], spec: SourceSpec, emitted: set[str], start: int = 0) -> Page:
    """A page of sightings from an asset list; uids in ``emitted`` are skipped and the page's are added to it."""
    page = Page(url=url)
    for position, asset in enumerate(results, start=start + 1):
        uid = asset.get("uid") if isinstance(asset, dict) else None
        if not isinstance(uid, str) or not uid.strip():
            page.errors.append((f"#{position}", "the asset has no uid"))
            continue
        if uid in emitted or asset.get("asset_type", SURVEY) != SURVEY or not is_deployed(asset):
            continue
        emitted.add(uid)
        try:
            page.sightings.append(map_asset(asset, spec))
        except MappingError as err:
            page.errors.append((uid, str(err)))
        except (ValueError, TypeError, AttributeError, KeyError) as err:
            page.errors.append((uid, f"the survey could not be mapped ({type(err).__name__})"))
    return page


def listing_hash(spec: SourceSpec, fetcher: Fetcher) -> Optional[str]:
    """The server's hash of the versions of every survey the token may see (``/api/v2/assets/hash/``): equal
    hashes, nothing changed. None when it cannot be read (the caller then lists everything)."""
    try:
        answer = fetcher.get_json(spec.url.rstrip("/") + HASH, params={"format": "json"})
    except FetchError:
        return None
    found = answer.get("hash") if isinstance(answer, dict) else None
    return found if isinstance(found, str) else None


# ---------------------------------------------------------------- mapping


def map_asset(asset: dict[str, Any], spec: SourceSpec) -> Sighting:
    """One deployed survey as a sighting (pure). Raises MappingError without a uid or a name."""
    if not isinstance(asset, dict):
        raise MappingError("the asset is not a JSON object")
    warnings: list[str] = []
    uid = as_text(asset.get("uid"), "uid", warnings)
    if not uid:
        raise MappingError("the asset has no uid")
    title = as_text(asset.get("name"), "title", warnings)
    if not title:
        raise MappingError("the survey has no readable name")
    settings = asset.get("settings") if isinstance(asset.get("settings"), dict) else {}
    record: dict[str, Any] = {"title": title, "identifier": uid}
    for part in (_notes(settings, warnings), _tags(asset, settings, warnings), _countries(settings, warnings),
                 _dates(asset, warnings), _languages(asset, warnings), _classified(warnings),
                 _sample_size(asset, spec, warnings), _ethics(settings, warnings), _visibility(asset, spec)):
        record.update(part)
    publisher, entry = _publisher(settings, warnings)
    record.update(entry)
    _temporal_left_out(asset, warnings)
    fill(record, spec.defaults)
    _consent_warning(record, warnings)
    return Sighting(guid=uid, record=record, kind=DATASET, original_uri=original_uri(asset, spec, uid, warnings),
                    identifier=uid, publisher=publisher, upstream_modified=record.get("modified"),
                    warnings=warnings)


SHARED = ("shared", "public", "public-discoverable")   # KPI's asset statuses of a form others may see


def _visibility(asset: dict[str, Any], spec: SourceSpec) -> dict[str, Any]:
    """A form private at the server (or of unknown status) is a private record, seen by the owning organization's
    members only, unless the source file's ``publish_private_forms`` says its partner agreed to publish their
    metadata (never their data)."""
    shared = str(asset.get("status") or "").strip().lower() in SHARED
    return {"private": not (shared or spec.options.get("publish_private_forms") is True)}


def original_uri(asset: dict[str, Any], spec: SourceSpec, uid: str, warnings: list[str]) -> str:
    """The asset's ``url`` (its address at the server's API), else its form's summary page."""
    page = f"{spec.url.rstrip('/')}/#/forms/{urllib.parse.quote(uid, safe='')}/summary"
    url = as_text(asset.get("url"), "url", warnings)
    if url and not url.lower().startswith(WEB):
        warnings.append(f"url: {url[:200]!r} is not an http(s) address; the form's page at the server is used")
        return page
    if url and refused(url):
        warnings.append("url: the asset's address is a data path (submissions), never linked; the form's page "
                        "at the server is used")
        return page
    return url or page




def _choice(value: Any, field: str, warnings: list[str]) -> tuple[Optional[str], Optional[str]]:
    """(label, value) of a KPI choice setting (``{"label": ..., "value": ...}``, or a plain text on older
    servers)."""
    if isinstance(value, dict):
        return (as_text(value.get("label"), field, warnings) or as_text(value.get("value"), field, warnings),
                as_text(value.get("value"), field, warnings))
    plain = as_text(value, field, warnings)
    return plain, plain


def _notes(settings: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """The form's description, then its operational purpose and sector as labelled sections."""
    sections = [
        (None, as_text(settings.get("description"), "notes", warnings)),
        ("Operational purpose", _choice(settings.get("operational_purpose"), "notes", warnings)[0]),
        ("Sector", _choice(settings.get("sector"), "notes", warnings)[0]),
    ]
    body = "\n\n".join(f"{label}: {value}" if label else value for label, value in sections if value)
    return {"notes": body} if body else {}


def _tag(value: Optional[str], warnings: list[str]) -> Optional[str]:
    """A CKAN tag of a keyword: characters a tag cannot hold become spaces; shorter than 2 characters, or longer
    than 100, it is dropped with a warning."""
    if not value:
        return None
    name = " ".join(NOT_IN_TAG.sub(" ", value).split())
    if not 2 <= len(name) <= 100:
        warnings.append(f"tags: {value[:200]!r} cannot be a CKAN tag (2-100 letters, digits, spaces, - _ .); "
                        "dropped")
        return None
    return name


def _tags(asset: dict[str, Any], settings: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """The sector's label and the tags of ``tag_string`` (comma-separated), once each."""
    sector = _choice(settings.get("sector"), "tags", warnings)[0]
    keywords = [sector] + (as_text(asset.get("tag_string"), "tags", warnings) or "").split(",")
    names = [_tag(keyword.strip() if keyword else None, warnings) for keyword in keywords]
    unique = list(dict.fromkeys(name for name in names if name))
    return {"tags": [{"name": name} for name in unique]} if unique else {}


def _country(entry: Any, warnings: list[str]) -> Optional[str]:
    label, value = _choice(entry, "countries", warnings)
    code = (value or "").upper()
    if len(code) == 3 and code.isalpha() and pycountry.countries.get(alpha_3=code) is not None:
        return code
    if value or label:
        warnings.append(f"countries: {value!r}{f' ({label})' if label and label != value else ''} is not an "
                        "ISO 3166-1 alpha-3 country; dropped")
    return None


def _countries(settings: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """``settings.country`` (a list of ``{label, value}``, one such object on older servers; else
    ``country_codes``) as ISO 3166-1 alpha-3 codes, in their order, once each."""
    stated = settings.get("country") or settings.get("country_codes")
    entries = stated if isinstance(stated, list) else [stated] if stated else []
    codes = list(dict.fromkeys(code for code in (_country(entry, warnings) for entry in entries) if code))
    return {"countries": codes} if codes else {}


def _dates(asset: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    return timestamps(asset, (("date_created", "issued"), ("date_modified", "modified")), warnings)


def _language_code(code: str) -> Optional[str]:
    """The ISO 639-1 code of a language code (639-3 when it has none), None when it is no language."""
    found = (pycountry.languages.get(alpha_2=code.lower()) if len(code) == 2
             else pycountry.languages.get(alpha_3=code.lower()))
    if found is None:
        return None
    return getattr(found, "alpha_2", None) or found.alpha_3


def _language(entry: Any, warnings: list[str]) -> Optional[str]:
    if entry is None:
        warnings.append("language: the form has a language without a name or code (its default); not stated")
        return None
    named = as_text(entry, "language", warnings)
    match = _LANGUAGE.match(named or "")
    code = _language_code(match.group("code")) if match else None
    if named and code is None:
        warnings.append(f"language: {named[:100]!r} has no ISO 639 code (the form names its languages as "
                        "\"English (en)\"); not stated")
    return code


def _languages(asset: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """``summary.languages`` (the form's translations, "English (en)") as ISO 639 codes, in the form's order."""
    summary = asset.get("summary") if isinstance(asset.get("summary"), dict) else {}
    stated = summary.get("languages")
    if not isinstance(stated, list):
        return {}
    codes = list(dict.fromkeys(code for code in (_language(entry, warnings) for entry in stated) if code))
    return {"language": codes} if codes else {}


def _classified(warnings: list[str]) -> dict[str, Any]:
    """Engagement, collection method and initiative type: only what the mapping table derives from the asset type
    (every listed asset is a survey)."""
    found: dict[str, Any] = {}
    entries, table_warnings = mapping.engagement(PLATFORM, {ENGAGEMENT_TABLE: [SURVEY]})
    warnings.extend(table_warnings)
    if entries:
        found["engagement"] = entries
    for table, field in ((METHOD_TABLE, "collection_methods"), (INITIATIVE_TABLE, "initiative_type")):
        concept, warning = mapping.concept(PLATFORM, table, SURVEY)
        if warning:
            warnings.append(warning)
        if concept:
            found[field] = [concept] if field == "collection_methods" else concept
    return found


def _sample_size(asset: dict[str, Any], spec: SourceSpec, warnings: list[str]) -> dict[str, Any]:
    """The submission count, only when the source says each submission is one respondent."""
    if spec.options.get("submissions_are_respondents") is not True:
        return {}
    count = asset.get("deployment__submission_count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        warnings.append("sample_size: the server gives no submission count for this survey (the token may not "
                        "view its submissions); not stated")
        return {}
    return {"sample_size": count}


def _pii(value: Any) -> Optional[bool]:
    """``collects_pii`` ({label, value} "Yes"/"No", a text or a boolean) as a boolean; None when not stated."""
    if isinstance(value, dict):
        value = value.get("value") if value.get("value") not in (None, "") else value.get("label")
    if isinstance(value, bool):
        return value
    folded = str(value).strip().casefold() if isinstance(value, (str, int)) else ""
    return True if folded in _YES else False if folded in _NO else None


def _ethics(settings: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """``ethics.personal_data`` from ``settings.collects_pii``; not stated (or not yes/no): true, to be safe."""
    personal = _pii(settings.get("collects_pii"))
    if personal is None:
        stated = settings.get("collects_pii")
        why = "does not state" if stated in (None, "", {}) else f"states {str(stated)[:60]!r}, not yes or no, for"
        warnings.append(f"ethics: the form {why} whether it collects personal data (settings.collects_pii); "
                        "personal_data is set to true, to be safe")
        personal = True
    return {"ethics": {"personal_data": personal}}


def _consent_warning(record: dict[str, Any], warnings: list[str]) -> None:
    if not derive.safeguarded(record.get("ethics")):
        warnings.append(CONSENT_WARNING)


def _publisher(settings: dict[str, Any], warnings: list[str]) -> tuple[Optional[str], dict[str, Any]]:
    name = as_text(settings.get("organization"), "publisher", warnings)
    return (name, {"publisher": [{"name": name}]}) if name else (None, {})


def _temporal_left_out(asset: dict[str, Any], warnings: list[str]) -> None:
    if asset.get("date_deployed") or asset.get("deployment__last_submission_time"):
        warnings.append("temporal_coverage: date_deployed is the survey's latest deployment, not the start of its "
                        "collection, and deployment__last_submission_time its latest submission so far: they "
                        "do not bound the collection period; not stated")



