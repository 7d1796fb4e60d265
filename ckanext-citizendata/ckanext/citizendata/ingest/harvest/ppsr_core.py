"""The PPSR Core source type: a feed of citizen-science projects in PPSR Core's Project Metadata Model (PMM
2020.0), each mapped to an initiative (a DCAT dataset series).

Listing: one GET of the source's ``url``: one project, an array of them, or an object whose ``Project`` key holds
an array (the standard's JSON Schema's shape). Another shape, a body that is not JSON or an HTTP failure is a
failed page (401 / 403 name the secret missing or refused). The feed is the whole listing every time. Each
project is checked against the standard's JSON Schema first (``ppsr_schema.check``): one without a usable
projectId or projectName is a page error, other violating values are dropped with a warning each.

Mapping (``map_project``, pure): projectName -> title; projectAim, projectDescription, then the sections How to
participate, Intended outcomes, Locality and Status (the source's projectStatus: our record has no status field;
the table ``projectStatus`` must know it) -> notes; keyword (comma separated) and hasTag -> tags; projectUrl ->
url and original URI (http(s) only); projectStartDate / projectEndDate -> temporal_coverage (dates);
projectDateCreated / projectLastUpdatedDate -> issued / modified; language -> language (ISO 639-1; PMM's own
examples say "UTF-8", an encoding: dropped with a warning); unRegions (M49 codes of countries) and projectCountry
(ISO 3166 names as PMM spells them, or codes) -> countries, regions and unknown names dropped with a warning;
projectGeographicLocation -> a warning (an initiative has no spatial field); projectResponsiblePartyName / ...Email
and contactPoint -> contact, the responsible party -> publisher; projectAssociatedParty and projectFunding ->
partners, roles only from the mapping table (a role it maps to nothing or does not know drops the party, with a
warning); scientificProcessInvolved and projectTask -> engagement, only through ``mapping.engagement`` (each entry
says what derived it). Tables: ``harvesters/mappings/ppsr-core.yaml``. The source's ``defaults`` fill what is
left empty. PMM attributes with no field of ours (difficultyLevel, projectScienceType, projectDuration,
projectMedia, projectEquipment, participation fees and numbers, ...) are not mapped.

Identity: guid and identifier are the projectId. The source's ``registry`` option names the registry whose ids
they are (e.g. SciStarter): the sighting is also known as ``registry_key(registry, projectId)`` and its publisher
is the registry; projectOriginalRepository + projectExternalId add the key of the registry the project came from.
So the same project harvested from a registry that says where it came from (EU-Citizen.Science's originDatabase
and originUID) is one dataset.

Example::

    spec = SourceSpec(name="scistarter", type="ppsr", url="https://registry.example/ppsr/projects.json",
                      organization="citizen-science", options={"registry": "SciStarter"})
    [page] = pages(spec, Client())
    sighting = page.sightings[0]
    sighting.guid, sighting.kind                     # ('17000', 'dataset_series')
    sighting.record["engagement"][0]["stage"]        # 'collect'
    sighting.same_as                                 # ['id:scistarter\\x1f17000']
"""
from __future__ import annotations

import codecs
import datetime
import functools
import re
from typing import Any, Iterator, Optional

import pycountry

from ckanext.citizendata import text
from ckanext.citizendata.record.countries import from_m49

from . import mapping
from .fetch import FetchError, HttpStatus
from .listing import SERIES, Fetcher, Page, Sighting, SourceSpec, access_refused, registry_key
from .ppsr_schema import PMM, check, m49_code, shown
from .values import EMAIL, WEB, MappingError, as_text, fill, tag_list, web_address

PLATFORM = "ppsr-core"                       # harvesters/mappings/ppsr-core.yaml

_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}[-_][A-Za-z0-9][A-Za-z0-9_-]*$")
_PARENTHESIS = re.compile(r"^(.*?)\s*\((.*)\)$")
# ISO 3166 short names replaced since ISO 3166:2006 (which PMM's country list applies), as PMM may still say them
FORMER_NAMES = {"turkey": "TUR", "swaziland": "SWZ", "czech republic": "CZE", "cape verde": "CPV",
                "macedonia, the former yugoslav republic of": "MKD"}


# ---------------------------------------------------------------- listing


def projects_of(body: Any) -> tuple[Optional[list[Any]], Optional[str]]:
    """(the projects, None) of a feed's JSON body, or (None, why)."""
    if isinstance(body, list):
        return body, None
    if isinstance(body, dict) and "Project" in body:
        if isinstance(body["Project"], list):
            return body["Project"], None
        return None, "the feed's Project key does not hold an array of projects"
    if isinstance(body, dict) and ("projectId" in body or "projectName" in body):
        return [body], None
    what = "an object without projectId, projectName or Project" if isinstance(body, dict) \
        else f"a JSON {type(body).__name__}"
    return None, f"the feed is not a PPSR Core project, an array of projects or an object with a Project array ({what})"


def read_feed(fetcher: Fetcher, spec: SourceSpec) -> tuple[Optional[list[Any]], Optional[str]]:
    """(the feed's projects, None), or (None, why it cannot be read)."""
    try:
        body = fetcher.get_json(spec.url)
    except HttpStatus as err:
        if err.status in (401, 403):
            return None, access_refused(spec, err.status)
        return None, err.reason
    except FetchError as err:
        return None, err.reason
    return projects_of(body)


def pages(spec: SourceSpec, fetcher: Fetcher, since: Any = None) -> Iterator[Page]:
    """The feed as one page (the whole listing every time: ``since`` is not used); conforms to
    ``listing.Lister``."""
    projects, failure = read_feed(fetcher, spec)
    if failure:
        yield Page(url=spec.url, failed=failure)
        return
    yield read_page(spec.url, projects, spec)


def _guid_of(project: Any) -> Optional[str]:
    value = project.get("projectId") if isinstance(project, dict) else None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value).strip() or None


def read_page(url: str, projects: list[Any], spec: SourceSpec) -> Page:
    """A page of sightings; a project that cannot be mapped, or repeats an earlier projectId, is a page error."""
    page, seen = Page(url=url), set()
    for position, project in enumerate(projects, start=1):
        where = _guid_of(project) or f"#{position}"
        if where in seen:
            page.errors.append((where, f"projectId repeated at #{position}; only the first is kept"))
            continue
        try:
            sighting = map_project(project, spec)
        except MappingError as err:
            page.errors.append((where, str(err)))
            continue
        except (ValueError, TypeError, AttributeError, KeyError) as err:
            page.errors.append((where, f"the project could not be mapped ({type(err).__name__})"))
            continue
        seen.add(sighting.guid)
        page.sightings.append(sighting)
    return page


# ---------------------------------------------------------------- mapping


def map_project(project: Any, spec: SourceSpec) -> Sighting:
    """One PMM project as an initiative's sighting (pure). MappingError without a usable projectId or
    projectName."""
    project, warnings = check(project)
    guid = _essential_text(project, "projectId", warnings)
    record: dict[str, Any] = {"title": _essential_text(project, "projectName", warnings), "identifier": guid}
    record.update(_notes(project, warnings))
    record.update(_keywords(project, warnings))
    url = web_address(project.get("projectUrl"), "projectUrl", warnings)
    if url:
        record["url"] = url
    record.update(_dates(project, warnings))
    record.update(_temporal(project, warnings))
    record.update(_language(project, warnings))
    record.update(_countries(project, warnings))
    record.update(_geography(project, warnings))
    record.update(_contacts(project, warnings))
    record.update(_partners(project, warnings))
    record.update(_engagement(project, warnings))
    fill(record, spec.defaults)
    registry = as_text(spec.options.get("registry"), "registry", warnings)
    same_as = ([registry_key(registry, guid)] if registry else []) + _external_keys(project, warnings)
    return Sighting(guid=guid, record=record, kind=SERIES, original_uri=url, identifier=guid, publisher=registry,
                    upstream_modified=record.get("modified"), warnings=warnings,
                    same_as=list(dict.fromkeys(same_as)))


def _essential_text(project: dict[str, Any], field: str, warnings: list[str]) -> str:
    value = project.get(field)
    problem = text.unreadable(value) if isinstance(value, str) else None
    if problem:
        raise MappingError(f"{field}: {problem}; the project cannot be read without it")
    found = as_text(value, field, warnings)
    if not found:
        raise MappingError(f"{field}: empty; {PMM} requires it (required)")
    return found


def _texts(value: Any, field: str, warnings: list[str]) -> list[str]:
    """A text or a list of texts (PMM's 0:n attributes) as stripped texts."""
    items = value if isinstance(value, list) else [value]
    found = [as_text(item, field, warnings) for item in items]
    return [item for item in found if item]


def _notes(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    aim = as_text(project.get("projectAim"), "projectAim", warnings)
    description = as_text(project.get("projectDescription"), "projectDescription", warnings)
    status = _status(project, warnings)
    sections = [
        (None, aim),
        (None, description if description != aim else None),
        ("How to participate", as_text(project.get("projectHowToParticipate"), "projectHowToParticipate", warnings)),
        ("Intended outcomes", "; ".join(_texts(project.get("projectIntendedOutcomes"), "projectIntendedOutcomes",
                                               warnings))),
        ("Locality", as_text(project.get("projectLocality"), "projectLocality", warnings)),
        ("Status", status),
    ]
    body = "\n\n".join(f"{label}: {value}" if label else value for label, value in sections if value)
    return {"notes": body} if body else {}


def _status(project: dict[str, Any], warnings: list[str]) -> Optional[str]:
    """The source's status as it says it (our record has no status field); the table must know it."""
    status = as_text(project.get("projectStatus"), "projectStatus", warnings)
    if status:
        _mapped, warning = mapping.concept(PLATFORM, "projectStatus", status)
        if warning:
            warnings.append(warning)
    return status


def _keywords(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """keyword (comma separated) and hasTag, by CKAN's tag rules."""
    keywords = as_text(project.get("keyword"), "keyword", warnings) or ""
    names = [part.strip() for part in keywords.split(",") if part.strip()]
    names += _texts(project.get("hasTag"), "hasTag", warnings)
    return tag_list(names, warnings)




def _moment(project: dict[str, Any], field: str) -> Optional[datetime.datetime]:
    """The date-time of a field (the schema checked it); None when absent or "Unknown"."""
    value = project.get(field)
    try:
        return datetime.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _dates(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    found = {}
    for source, field in (("projectDateCreated", "issued"), ("projectLastUpdatedDate", "modified")):
        if _moment(project, source) is not None:
            found[field] = project[source].strip()
    return found


def _temporal(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """projectStartDate / projectEndDate as the dates of the temporal coverage."""
    start, end = _moment(project, "projectStartDate"), _moment(project, "projectEndDate")
    if start and end and start.date() > end.date():
        warnings.append(f"temporal_coverage: projectEndDate {project['projectEndDate']!r} is before "
                        f"projectStartDate {project['projectStartDate']!r}; dropped")
        return {}
    span = {key: moment.date().isoformat() for key, moment in (("start", start), ("end", end)) if moment}
    return {"temporal_coverage": [span]} if span else {}


def language_code(value: str) -> Optional[str]:
    """ISO 639-1 (else 639-3) code of a language code, tag or English name: ``"English"`` -> ``"en"``, ``"en-GB"``
    -> ``"en"``; None for anything else (a character encoding such as ``UTF-8`` included)."""
    value = value.strip()
    candidates = [value]
    if _LANGUAGE_TAG.match(value) and not _is_codec(value):
        candidates.append(value.replace("_", "-").split("-")[0])
    for candidate in candidates:
        found = _iso_language(candidate.casefold())
        if found is not None:
            return getattr(found, "alpha_2", None) or found.alpha_3
    return None


def _iso_language(name: str) -> Any:
    """A pycountry language by its code (two letters: ISO 639-1; three: 639-3 or 639-2/B), else by its name."""
    by_code = {2: ("alpha_2",), 3: ("alpha_3", "bibliographic")}.get(len(name), ())
    for key in by_code:
        found = pycountry.languages.get(**{key: name})
        if found is not None:
            return found
    try:
        return None if by_code else pycountry.languages.lookup(name)
    except LookupError:
        return None


def _is_codec(value: str) -> bool:
    try:
        codecs.lookup(value)
    except LookupError:
        return False
    return True


def _language(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    raw = as_text(project.get("language"), "language", warnings)
    codes = []
    for part in re.split(r"[,;]", raw or ""):
        if not part.strip():
            continue
        code = language_code(part)
        if code is None:
            warnings.append(f"language: {part.strip()[:100]!r} is not an ISO 639 language code or name ({PMM} "
                            "also uses this attribute for the character encoding); dropped")
        elif code not in codes:
            codes.append(code)
    return {"language": codes} if codes else {}


# ---------------------------------------------------------------- countries


@functools.lru_cache(maxsize=1)
def _base_names() -> dict[str, str]:
    """Country names without their parenthesis (``holy see`` for "Holy See (Vatican City State)") -> alpha-3."""
    return {country.name.split(" (")[0].casefold(): country.alpha_3 for country in pycountry.countries
            if " (" in country.name}


def _name_variants(value: str) -> Iterator[str]:
    """The spellings of PMM's ISO 3166 names that pycountry knows: ``Bahamas (the)``, ``Korea (the Republic
    of)``, ``Falkland Islands (the) [Malvinas]``, ``Tanzania, the United Republic of``, ``Western Sahara*``."""
    name = value.strip().rstrip("*").strip()
    yield name
    name = re.sub(r"\s*\(the\)", "", name).strip()
    yield name
    yield re.sub(r"\s*\[(.*?)\]", r" (\1)", name)
    match = _PARENTHESIS.match(name)
    if match:
        yield f"{match.group(1)}, {match.group(2)}"
        yield f"{match.group(1)}, {re.sub(r'^the ', '', match.group(2))}"
    yield re.sub(r", the ", ", ", name)


def country_code(value: str) -> Optional[str]:
    """ISO 3166-1 alpha-3 of a country name (ISO 3166 short names, as PMM's list spells them) or code."""
    for name in _name_variants(value):
        try:
            return pycountry.countries.lookup(name).alpha_3
        except LookupError:
            pass
        code = FORMER_NAMES.get(name.casefold()) or _base_names().get(name.casefold())
        if code:
            return code
    return None


def _regions(project: dict[str, Any], warnings: list[str]) -> list[str]:
    """The unRegions values that are the M49 code of a country, as alpha-3 codes; regions dropped, with a
    warning."""
    codes = []
    for position, value in enumerate(project.get("unRegions") or []):
        code = m49_code(value)
        country = from_m49(str(code)) if code is not None else None
        if country:
            codes.append(country)
        else:
            why = f"(M49 {code:03d}) is not a country (a region or an unknown code)" if code is not None \
                else "carries no M49 code"
            warnings.append(f"unRegions[{position}]: {shown(value)} {why}; dropped")
    return codes


def _countries(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """unRegions (M49 country codes) and projectCountry (names or codes) as alpha-3 codes, once each."""
    codes = _regions(project, warnings)
    stated = project.get("projectCountry")
    for position, name in enumerate(_texts(stated, "projectCountry", warnings)):
        code = country_code(name)
        if code is None:
            where = f"projectCountry[{position}]" if isinstance(stated, list) else "projectCountry"
            warnings.append(f"{where}: {name[:100]!r} is not an ISO 3166 country name or code; dropped")
        else:
            codes.append(code)
    codes = list(dict.fromkeys(codes))
    return {"countries": codes} if codes else {}


def _geography(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    location = project.get("projectGeographicLocation")
    if location not in (None, "", {}, []):
        warnings.append("projectGeographicLocation: an initiative has no spatial field, so the location is not kept "
                        "(its countries come from projectCountry and unRegions); dropped")
    return {}


# ---------------------------------------------------------------- contacts and partners


def _email(value: Any, field: str, warnings: list[str]) -> Optional[str]:
    email = as_text(value, field, warnings)
    if email and not EMAIL.match(email):
        warnings.append(f"{field}: {email[:100]!r} is not an e-mail address; dropped")
        return None
    return email


def _contact_point(point: Any, where: str, warnings: list[str]) -> Optional[dict[str, str]]:
    """A PMM contactPoint as a contact: its name, and its details as an e-mail address or a web page."""
    if not isinstance(point, dict):
        warnings.append(f"{where}: not an object; dropped")
        return None
    entry = {"name": as_text(point.get("contactName"), f"{where}.contactName", warnings)}
    means = (as_text(point.get("meansOfContact"), f"{where}.meansOfContact", warnings) or "").casefold()
    details = as_text(point.get("contactDetails"), f"{where}.contactDetails", warnings) or ""
    means = means or _means_of(details)
    if means == "email":
        entry["email"] = _email(details, f"{where}.contactDetails", warnings)
    elif means == "website":
        entry["url"] = web_address(details, f"{where}.contactDetails", warnings)
    elif details:
        warnings.append(f"{where}.contactDetails: a {means or 'contact detail'} is not kept (a contact point holds "
                        "a name, an e-mail address or a web page); dropped")
    entry = {key: value for key, value in entry.items() if value}
    return entry or None


def _means_of(details: str) -> str:
    """The means of contact details say by their shape, when the point does not say it."""
    if EMAIL.match(details):
        return "email"
    return "website" if details.lower().startswith(WEB) else ""


def _contact_points(project: dict[str, Any], warnings: list[str]) -> list[Optional[dict[str, str]]]:
    """contactPoint: one object (the schema's shape) or a list of them (PMM's multiplicity is 1:n)."""
    points = project.get("contactPoint")
    if isinstance(points, list):
        return [_contact_point(point, f"contactPoint[{n}]", warnings) for n, point in enumerate(points)]
    return [] if points in (None, "", {}) else [_contact_point(points, "contactPoint", warnings)]


def _once(items: list[Any]) -> list[Any]:
    """The items that are not empty, each once, in order (dicts compared by value)."""
    kept = []
    for item in items:
        if item and item not in kept:
            kept.append(item)
    return kept


def _contacts(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """The responsible party (contact and publisher) and the contact points."""
    party = as_text(project.get("projectResponsiblePartyName"), "projectResponsiblePartyName", warnings)
    email = _email(project.get("projectResponsiblePartyContactEmail"), "projectResponsiblePartyContactEmail",
                   warnings)
    responsible = {key: value for key, value in (("name", party), ("email", email)) if value}
    contacts = _once([responsible] + _contact_points(project, warnings))
    found: dict[str, Any] = {"contact": contacts} if contacts else {}
    if party:
        found["publisher"] = [{"name": party}]
    return found


def _partner(name: Optional[str], table: str, value: Optional[str], where: str,
             warnings: list[str]) -> Optional[dict[str, str]]:
    """A partner whose role the mapping table gives for ``value``; None, with a warning, otherwise."""
    if not name:
        warnings.append(f"{where}: a party without a name; dropped")
        return None
    if len(name) > 300:
        warnings.append(f"{where}: the name {name[:50]!r}... is longer than 300 characters; dropped")
        return None
    role, warning = mapping.concept(PLATFORM, table, value) if value else (None, None)
    if role is None:
        why = (warning or (f"{table}: {value!r} maps to no partner role (mapping table {PLATFORM}.yaml)" if value
                           else f"{table}: none stated"))
        warnings.append(f"{where}: {name!r} is not kept as a partner ({why})")
        return None
    return {"name": name, "role": role}


def _party(party: Any, where: str, warnings: list[str]) -> Optional[dict[str, str]]:
    name = (as_text(party.get("projectAssociatedPartyName"), f"{where}.projectAssociatedPartyName", warnings)
            or as_text(party.get("projectUsFederalSponsor"), f"{where}.projectUsFederalSponsor", warnings))
    role = as_text(party.get("projectAssociatedPartyRole"), f"{where}.projectAssociatedPartyRole", warnings)
    return _partner(name, "projectAssociatedParty.role", role, where, warnings)


def _funder(funding: Any, where: str, warnings: list[str]) -> Optional[dict[str, str]]:
    name = as_text(funding.get("projectFundingSource"), f"{where}.projectFundingSource", warnings)
    kinds = funding.get("projectFundingSourceType") or {}
    kind = (as_text(kinds.get("fundingSourceTypeSubsetA"), f"{where}.fundingSourceTypeSubsetA", warnings)
            or as_text(kinds.get("fundingSourceTypeSubsetB"), f"{where}.fundingSourceTypeSubsetB", warnings))
    return _partner(name, "projectFunding.projectFundingSourceType", kind, where, warnings)


def _partners(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """projectAssociatedParty and projectFunding as partners (each role from the mapping table), once each."""
    found = [_party(party, f"projectAssociatedParty[{n}]", warnings)
             for n, party in enumerate(project.get("projectAssociatedParty") or [])]
    found += [_funder(funding, f"projectFunding[{n}]", warnings)
              for n, funding in enumerate(project.get("projectFunding") or [])]
    kept = _once(found)
    return {"partners": kept} if kept else {}


# ---------------------------------------------------------------- engagement and identity


def _engagement(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """scientificProcessInvolved (terms; a text may list them with commas) and projectTask (free text: only its
    terms derive anything) through the mapping table."""
    processes = []
    for value in _texts(project.get("scientificProcessInvolved"), "scientificProcessInvolved", warnings):
        processes += [part.strip() for part in re.split(r"[,;]", value) if part.strip()]
    tasks = _texts(project.get("projectTask"), "projectTask", warnings)
    entries, notes = mapping.engagement(PLATFORM, {"scientificProcessInvolved": processes, "projectTask": tasks})
    warnings += notes
    return {"engagement": entries} if entries else {}


def _external_keys(project: dict[str, Any], warnings: list[str]) -> list[str]:
    """registry_key(projectOriginalRepository, projectExternalId): paired in order, or one repository for all."""
    repositories = _texts(project.get("projectOriginalRepository"), "projectOriginalRepository", warnings)
    ids = _texts(project.get("projectExternalId"), "projectExternalId", warnings)
    if not repositories and not ids:
        return []
    if not ids or len(repositories) not in (1, len(ids)):
        warnings.append(f"projectExternalId: {len(ids)} id(s) for {len(repositories)} projectOriginalRepository "
                        "value(s) cannot be paired; not used to recognise the project elsewhere")
        return []
    return [registry_key(repositories[min(n, len(repositories) - 1)], local) for n, local in enumerate(ids)]
