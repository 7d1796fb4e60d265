"""The EU-Citizen.Science source type: the approved projects of the EU-Citizen.Science platform (Ibercivis/
EU-CS_platform) as initiatives (``dataset_series``).

Listing: ``GET {url}/api/projects/`` answers every approved project in one unpaginated JSON array (Django REST
framework's ``ProjectSerializer``, ``fields = '__all__'``), read once under the client's size cap. The detail
``/api/project/<id>`` uses the same serializer, so the list holds every field and no project costs a second
request; the vocabularies (topic, status, participationTask, hasTag, difficultyLevel, geographicextend) come
nested as objects (``{"id": 3, "participationTask": "Observation", "participationTask_en": ..., ...}``), so the
vocabulary endpoints (``/api/projects/participationTask/`` ...) are not read either. There is no modified-since
filter: each run lists everything, and the engine's content hash of the mapped record tells what changed (the
list's counters, such as ``totalAccesses``, are not mapped, so they change nothing). A listing that cannot be read
(HTTP failure, too large, not JSON, not an array) is one failed page, so nothing is withdrawn; 401 / 403 says
which secret is missing or refused. Django-modeltranslation adds ``<field>_<lang>`` copies: the English one is
read first (the mapping tables are in English) and the request asks for English.

Mapping (``map_project``, pure): ``name`` -> title; ``description`` (HTML from the platform's editor, as plain
text), ``aim``, ``howToParticipate``, ``equipment``, the project's custom sections, ``difficultyLevel``,
``projectlocality``, the other organisations (when the mapping table gives them no partner role),
``fundingProgram`` and the status (through the table ``status``) -> sections of notes; ``keywords``, ``topic``
and ``hasTag`` -> tags (CKAN's tag rules; "&" becomes "and"); ``start_date`` / ``end_date`` ->
temporal_coverage; ``dateCreated`` / ``dateUpdated`` -> issued / modified; ``projectCountry`` and ``country`` ->
countries (ISO 3166-1 alpha-3); ``url`` -> url (else the project's page on the platform); ``author`` /
``author_email`` (the platform's "public contact point") -> contact; ``mainOrganisation`` -> publisher, and
with ``organisation`` and ``fundingBody`` -> partners, each with the role its mapping table gives;
``participationTask`` -> engagement through the mapping table (``mapping.engagement``); ``originDatabase`` +
``originUID`` / ``originURL`` -> ``same_as`` (the same project harvested from the registry it was copied from is
one dataset). Values the record cannot hold (geographic extent, the project's MultiPolygon, translations, the
moderation-only ``citizen_science_aspects_description``) are dropped with a warning each.

Example::

    spec = SourceSpec(name="eucs", type="eucs", url="https://eu-citizen.science", organization="ecsa")
    for page in pages(spec, fetch.Client()):
        page.url                                      # 'https://eu-citizen.science/api/projects/'
        page.sightings[0].kind                        # 'dataset_series'
        page.sightings[0].original_uri                # 'https://eu-citizen.science/project/17'
        page.sightings[0].same_as                     # ['id:scistarter\\x1f17000', 'uri:https://scistarter.org/...']
"""
from __future__ import annotations

import datetime
import html.parser
import re
from typing import Any, Iterator, Optional

import pycountry


from . import fetch, mapping
from .listing import SERIES, Fetcher, Page, Sighting, SourceSpec, access_refused, registry_key
from .values import EMAIL, NOT_IN_TAG, TAG, WEB, MappingError, as_text, fill, web_address

PLATFORM = "eu-citizen-science"           # harvesters/mappings/eu-citizen-science.yaml
API = "/api/projects/"
PROJECT_PAGE = "/project/{id}"
LANGUAGE = "en"
TRANSLATED = ("description", "aim", "howToParticipate", "equipment")
SECTIONS = (("aim", "Aim"), ("howToParticipate", "How to participate"), ("equipment", "Equipment"))
PARTIES = ("mainOrganisation", "organisation", "fundingBody")     # the tables of their partner roles
NO_DIFFICULTY = "not indicated"
CAP_OPTION = "ckanext.citizendata.harvest.max_response_bytes"

_BLOCKS = frozenset({"p", "div", "br", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote",
                     "table", "hr"})



# ---------------------------------------------------------------- listing


def list_url(spec: SourceSpec) -> str:
    """``{platform}/api/projects/``."""
    return spec.url.rstrip("/") + API


def pages(spec: SourceSpec, fetcher: Fetcher, since: Any = None) -> Iterator[Page]:
    """The platform's approved projects: one page (the whole array); conforms to ``listing.Lister``. ``since`` is
    ignored (the API has no modified-since filter)."""
    url = list_url(spec)
    answer, failure = read_listing(spec, fetcher, url)
    if failure:
        yield Page(url=url, failed=failure)
        return
    yield read_page(url, answer, spec)


def read_listing(spec: SourceSpec, fetcher: Fetcher, url: str) -> tuple[Any, Optional[str]]:
    """(the projects array, None), or (None, why the listing cannot be read)."""
    try:
        answer = fetcher.get_json(url, headers={"Accept-Language": LANGUAGE})
    except fetch.HttpStatus as err:
        return None, access_refused(spec, err.status) if err.status in (401, 403) else err.reason
    except fetch.TooLarge as err:
        return None, f"{err.reason} ({CAP_OPTION}): the platform lists every project in one response"
    except fetch.FetchError as err:
        return None, err.reason
    if not isinstance(answer, list):
        return None, "the answer is not a JSON array of projects"
    return answer, None


def read_page(url: str, projects: list[Any], spec: SourceSpec) -> Page:
    """The page of sightings of the array; a project that cannot be mapped is a page error (its id, why)."""
    page, seen = Page(url=url), set()
    for position, project in enumerate(projects, start=1):
        guid = _guid(project)
        if guid is None:
            page.errors.append((f"#{position}", "the project has no id"))
            continue
        if guid in seen:
            page.errors.append((guid, "listed twice; this copy is skipped"))
            continue
        seen.add(guid)
        try:
            page.sightings.append(map_project(project, spec))
        except mapping.MappingTableError as err:
            return Page(url=url, failed=f"the mapping table cannot be read: {err}")
        except MappingError as err:
            page.errors.append((guid, str(err)))
        except (ValueError, TypeError, AttributeError, KeyError) as err:
            page.errors.append((guid, f"the project could not be mapped ({type(err).__name__})"))
    return page


def _guid(project: Any) -> Optional[str]:
    value = project.get("id") if isinstance(project, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip():
        return None
    return str(value).strip()


# ---------------------------------------------------------------- mapping


def map_project(project: dict[str, Any], spec: SourceSpec) -> Sighting:
    """One project of the array as a sighting of an initiative (pure). Raises MappingError without an id or a
    name."""
    if not isinstance(project, dict):
        raise MappingError("the project is not a JSON object")
    guid = _guid(project)
    if guid is None:
        raise MappingError("the project has no id")
    warnings: list[str] = []
    title = as_text(project.get("name"), "name", warnings)
    if not title:
        raise MappingError("the project has no readable name")
    page_uri = spec.url.rstrip("/") + PROJECT_PAGE.format(id=guid)
    record: dict[str, Any] = {"title": title, "identifier": guid}
    parties, party_sections = _parties(project, warnings)
    record.update(_notes(project, party_sections, warnings))
    record["url"] = _landing(project, page_uri, warnings)
    record.update(_tags(project, warnings))
    record.update(_dates(project, warnings))
    record.update(_temporal(project, warnings))
    record.update(_countries(project, warnings))
    record.update(_contact(project, warnings))
    record.update(parties)
    record.update(_engagement(project, warnings))
    _dropped(project, warnings)
    fill(record, spec.defaults)
    return Sighting(guid=guid, record=record, kind=SERIES, original_uri=page_uri, identifier=guid,
                    upstream_modified=record.get("modified"), warnings=warnings,
                    same_as=_same_as(project, warnings))




def _translated(project: dict[str, Any], field: str, warnings: list[str]) -> Optional[str]:
    """The English copy of a translated field (``aim_en``), else the field as the platform served it."""
    return (as_text(project.get(f"{field}_{LANGUAGE}"), field, warnings)
            or as_text(project.get(field), field, warnings))


def _name(entry: Any, key: str, field: str, warnings: list[str]) -> Optional[str]:
    """The name of a nested vocabulary entry (``{"id": 3, "topic": "Birds", "topic_en": "Birds"}``)."""
    if isinstance(entry, dict):
        return as_text(entry.get(f"{key}_{LANGUAGE}"), field, warnings) or as_text(entry.get(key), field, warnings)
    if _is_id(entry):
        warnings.append(f"{field}: {entry} is an id of the platform's {key} table, not its name; dropped")
        return None
    return as_text(entry, field, warnings)


def _names(project: dict[str, Any], field: str, key: str, warnings: list[str]) -> list[str]:
    """The names of a list of nested vocabulary entries (one entry, or none, taken as a list)."""
    value = project.get(field)
    entries = value if isinstance(value, list) else [] if value in (None, "") else [value]
    names = [_name(entry, key, field, warnings) for entry in entries]
    return list(dict.fromkeys(name for name in names if name))




# ---------------------------------------------------------------- notes


class _PlainText(html.parser.HTMLParser):
    """The text of the platform's rich-text HTML: blocks on lines of their own, list items as "- "."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n- " if tag == "li" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def plain_text(value: str) -> str:
    """The text of an HTML fragment, paragraphs apart: ``plain_text("<p>Count&nbsp;stars</p><p>Report</p>")``
    -> ``'Count stars\\n\\nReport'``."""
    if "<" not in value and "&" not in value:
        return value.strip()
    parser = _PlainText()
    parser.feed(value)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _rich(value: Any, field: str, warnings: list[str]) -> Optional[str]:
    found = as_text(value, field, warnings)
    return (plain_text(found) or None) if found else None


def _notes(project: dict[str, Any], party_sections: list[tuple[str, str]],
           warnings: list[str]) -> dict[str, Any]:
    """The description, then the labelled sections: aim, how to participate, equipment, the custom sections,
    difficulty, locality, what the parties leave (other organisations, funding programme), status."""
    sections: list[tuple[Optional[str], Optional[str]]] = [
        (None, _rich(_translated(project, "description", warnings), "description", warnings))]
    sections += [(label, _rich(_translated(project, field, warnings), field, warnings)) for field, label in SECTIONS]
    sections += _custom_sections(project, warnings)
    sections.append(("Difficulty level", _difficulty(project, warnings)))
    sections.append(("Locality", as_text(project.get("projectlocality"), "projectlocality", warnings)))
    sections += party_sections
    sections.append(("Status", _status(project, warnings)))
    body = "\n\n".join(_section(label, value) for label, value in sections if value)
    return {"notes": body} if body else {}


def _section(label: Optional[str], value: str) -> str:
    """``Label: text``; a list starts on the line after its label."""
    if not label:
        return value
    return f"{label}:\n{value}" if value.startswith("- ") else f"{label}: {value}"


def _custom_sections(project: dict[str, Any], warnings: list[str]) -> list[tuple[Optional[str], Optional[str]]]:
    """The project's own sections (``customField``: ``[{"title": ..., "paragraph": <HTML>}]``)."""
    fields = project.get("customField")
    found: list[tuple[Optional[str], Optional[str]]] = []
    for entry in fields if isinstance(fields, list) else []:
        if not isinstance(entry, dict):
            warnings.append("customField: a section that is not an object; dropped")
            continue
        title = as_text(entry.get("title"), "customField", warnings)
        body = _rich(entry.get("paragraph"), "customField", warnings)
        if body:
            found.append((title, body))
    return found


def _difficulty(project: dict[str, Any], warnings: list[str]) -> Optional[str]:
    level = _name(project.get("difficultyLevel"), "difficultyLevel", "difficultyLevel", warnings)
    return None if level is None or mapping.fold(level) == NO_DIFFICULTY else level


def _status(project: dict[str, Any], warnings: list[str]) -> Optional[str]:
    """The project's status as the table ``status`` maps it (the platform's own word after it when it differs)."""
    stated = _name(project.get("status"), "status", "status", warnings)
    if stated is None:
        return None
    mapped, warning = mapping.concept(PLATFORM, "status", stated)
    if warning:
        warnings.append(warning)
    if mapped is None:
        return None
    return mapped if mapping.fold(mapped) == mapping.fold(stated) else f"{mapped} ({stated})"


# ---------------------------------------------------------------- fields


def _landing(project: dict[str, Any], page_uri: str, warnings: list[str]) -> str:
    url = as_text(project.get("url"), "url", warnings)
    if url and not url.lower().startswith(WEB):
        warnings.append(f"url: {url[:200]!r} is not an http(s) address; the project's page on the platform is used")
        url = None
    return url or page_uri


def tag_name(value: str, field: str, warnings: list[str]) -> Optional[str]:
    """A CKAN tag of a keyword, topic or tag: "&" as "and"; other characters CKAN refuses become spaces (with a
    warning); None (with a warning) when nothing of 2-100 characters is left."""
    wanted = " ".join(value.replace("&", " and ").split())
    name = " ".join(NOT_IN_TAG.sub(" ", wanted).split())
    if not TAG.match(name):
        warnings.append(f"tags: {field} {value[:200]!r} is not a CKAN tag (2-100 letters, digits, spaces, - _ .); "
                        "dropped")
        return None
    if name != wanted:
        warnings.append(f"tags: {field} {value[:200]!r} is kept as {name!r} (CKAN tags take letters, digits, "
                        "spaces and - _ .)")
    return name


def _keywords(project: dict[str, Any], warnings: list[str]) -> list[str]:
    """The keywords: nested entries (``{"id", "keyword"}``), or text separated by commas."""
    value = project.get("keywords")
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return _names(project, "keywords", "keyword", warnings)


def _tags(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """Keywords, then topics, then the platform's tags, once each (case folded)."""
    stated = [("keywords", k) for k in _keywords(project, warnings)]
    stated += [("topic", t) for t in _names(project, "topic", "topic", warnings)]
    stated += [("hasTag", t) for t in _names(project, "hasTag", "hasTag", warnings)]
    names: dict[str, str] = {}
    for field, value in stated:
        name = tag_name(value, field, warnings)
        if name:
            names.setdefault(name.casefold(), name)
    return {"tags": [{"name": name} for name in names.values()]} if names else {}


def _date(project: dict[str, Any], source: str, field: str, warnings: list[str]) -> Optional[str]:
    value = as_text(project.get(source), field, warnings)
    if value is None:
        return None
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        warnings.append(f"{field}: {source} {value[:100]!r} is not an ISO 8601 date; dropped")
        return None
    return value


def _dates(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    found = {field: _date(project, source, field, warnings)
             for source, field in (("dateCreated", "issued"), ("dateUpdated", "modified"))}
    return {field: value for field, value in found.items() if value}


def _temporal(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """``start_date`` / ``end_date`` (``YYYY-MM-DD``) as one period, either end open."""
    span = {key: _date(project, source, "temporal_coverage", warnings)
            for source, key in (("start_date", "start"), ("end_date", "end"))}
    span = {key: value for key, value in span.items() if value}
    if len(span) == 2 and span["end"][:10] < span["start"][:10]:
        warnings.append(f"temporal_coverage: the project ends ({span['end']}) before it starts ({span['start']}); "
                        "dropped")
        return {}
    return {"temporal_coverage": [span]} if span else {}


def _country(value: Any, field: str, warnings: list[str]) -> Optional[str]:
    """The alpha-3 code of a country as the platform states it (an alpha-2 code, a name, ``{"country": "ES",
    "country_name": "Spain"}``), None with a warning."""
    if isinstance(value, dict):
        value = value.get("country") or value.get("code") or value.get("country_name")
    name = as_text(value, field, warnings)
    if name is None:
        return None
    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        warnings.append(f"{field}: {name[:100]!r} is not an ISO 3166-1 country; dropped")
        return None


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _countries(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """``projectCountry`` (the countries involved; the API serves the ids of its rows, which no endpoint
    describes), then the older ``country`` (an alpha-2 code); in order, once each."""
    involved = project.get("projectCountry")
    stated = involved if isinstance(involved, list) else [involved]
    ids = [str(value) for value in stated if _is_id(value)]
    if ids:
        warnings.append(f"projectCountry: {', '.join(ids)}: ids of the platform's country table, which its API "
                        "does not describe; dropped")
    named = [("projectCountry", value) for value in stated if not _is_id(value)]
    named.append(("country", project.get("country")))
    codes = [_country(value, field, warnings) for field, value in named if value not in (None, "")]
    codes = list(dict.fromkeys(code for code in codes if code))
    return {"countries": codes} if codes else {}


def _contact(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """The platform's public contact point (``author``, ``author_email``)."""
    name = as_text(project.get("author"), "contact", warnings)
    email = as_text(project.get("author_email"), "contact", warnings)
    if email and not EMAIL.match(email):
        warnings.append(f"contact: author_email {email[:200]!r} is not an email address; dropped")
        email = None
    entry = {key: value for key, value in (("name", name), ("email", email)) if value}
    return {"contact": [entry]} if entry else {}




# ---------------------------------------------------------------- parties


def _organisations(project: dict[str, Any], field: str, warnings: list[str]) -> list[dict[str, str]]:
    """The organisations of a party field as ``{name, uri}``: ``{"name", "url", "country"}`` objects, or a
    funding body's ``{"id", "body"}``."""
    value = project.get(field)
    entries = value if isinstance(value, list) else [] if value in (None, "") else [value]
    found = []
    for entry in entries:
        if isinstance(entry, dict):
            name = as_text(entry.get("name") or entry.get("body"), field, warnings)
            uri = web_address(entry.get("url"), f"{field}.url", warnings)
        else:
            name, uri = _name(entry, field, field, warnings), None
        if name:
            found.append({"name": name, **({"uri": uri} if uri else {})})
    return found


def _roles(field: str, organisations: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    """(the partners of a party field, with the role its table gives), or, when the table gives none, (no
    partner, a notes section naming them)."""
    if not organisations:
        return [], []
    role = mapping.concept(PLATFORM, field, field)[0]
    if role:
        return [{"name": o["name"], "role": role, **({"uri": o["uri"]} if "uri" in o else {})}
                for o in organisations], []
    label = mapping.table(PLATFORM, field).label
    return [], [(label[:1].upper() + label[1:], ", ".join(o["name"] for o in organisations))]


def _parties(project: dict[str, Any], warnings: list[str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """(publisher and partners, the notes sections of the parties that have no partner role in the tables and of
    the funding programme)."""
    found: dict[str, Any] = {}
    partners: list[dict[str, str]] = []
    sections: list[tuple[str, str]] = []
    for field in PARTIES:
        organisations = _organisations(project, field, warnings)
        given, unnamed = _roles(field, organisations)
        partners, sections = partners + given, sections + unnamed
        if field == "mainOrganisation" and organisations:
            main = organisations[0]
            found["publisher"] = [{"name": main["name"], **({"url": main["uri"]} if "uri" in main else {})}]
    programme = as_text(project.get("fundingProgram"), "fundingProgram", warnings)
    if programme:
        sections.append(("Funding programme", programme))
    if partners:
        found["partners"] = partners
    return found, sections


# ---------------------------------------------------------------- engagement, identity, what is dropped


def _engagement(project: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """The stages the participation tasks derive through the table ``participationTask``; none without them."""
    tasks = _names(project, "participationTask", "participationTask", warnings)
    if not tasks:
        return {}
    entries, unknown = mapping.engagement(PLATFORM, {"participationTask": tasks})
    warnings.extend(unknown)
    return {"engagement": entries} if entries else {}


def _same_as(project: dict[str, Any], warnings: list[str]) -> list[str]:
    """The project's identity in the registry it was copied from (``originDatabase`` + ``originUID``) and its
    address there (``originURL``)."""
    database = _name(project.get("originDatabase"), "originDatabase", "originDatabase", warnings)
    uid = as_text(project.get("originUID"), "originUID", warnings)
    keys = []
    if database and uid:
        keys.append(registry_key(database, uid))
    elif uid:
        warnings.append(f"originUID: {uid[:100]!r} names no originDatabase, so no registry to recognise it in; "
                        "dropped")
    origin = web_address(project.get("originURL"), "originURL", warnings)
    if origin:
        keys.append("uri:" + origin)
    return keys


def _dropped(project: dict[str, Any], warnings: list[str]) -> None:
    """A warning for each value the platform states that the record cannot hold."""
    if as_text(project.get("citizen_science_aspects_description"), "citizen_science_aspects_description", []):
        warnings.append("citizen_science_aspects_description: the platform asks it for moderation only and tells "
                        "its authors it does not appear on the platform; not published")
    for extent in _names(project, "geographicextend", "geographicextend", warnings):
        warnings.append(f"geographicextend: {extent!r} has no field in the initiative schema; dropped")
    if project.get("projectGeographicLocation") not in (None, ""):
        warnings.append("projectGeographicLocation: the initiative schema has no field for an area (spatial); the "
                        "project's MultiPolygon is dropped")
    languages = sorted({key.rsplit("_", 1)[1] for key in project for field in TRANSLATED
                        if key.startswith(field + "_") and key.rsplit("_", 1)[1] != LANGUAGE
                        and as_text(project.get(key), key, [])})
    if languages:
        warnings.append(f"{', '.join(TRANSLATED)}: the translations ({', '.join(languages)}) are dropped; the "
                        "record holds one language (English where the project gives it)")
