"""The ODK Central source type (metadata only): an ODK Central server's projects as initiatives and their
published forms as datasets in them; never a submission, an attachment, an entity or an export.

API (getodk/central-backend, docs/api.yaml): ``GET /v1/projects`` (every project the credentials may see, no
paging) and ``GET /v1/projects/{id}/forms`` (every form of a project, no paging), both with the header
``X-Extended-Metadata: true`` (projects then carry ``forms``, ``appUsers``, ``lastSubmission``, ``datasets``;
forms ``submissions``, ``reviewStates``, ``lastSubmission``, ``createdBy``). Nothing else is ever asked:
:data:`REFUSED_PATHS` lists every path that holds data (submissions, OData ``.svc``, attachments, draft test
submissions, entities, CSV exports, audits, app users' and public links' tokens), and the HTTP client refuses
them, asked directly or through a redirect (``jobs.client_for``).

Authentication (:func:`authorize`): HTTP Basic from the source's secrets ``email`` and ``password``, sent with
each request, so no ``POST /v1/sessions`` is needed and the harvester only ever GETs (Central accepts Basic only
over HTTPS, not when single sign-on is on, and checks the password on each request: slow, but a harvest asks
one request per project); or, when the source names a secret ``api_token``, ``Authorization: Bearer <token>``
with it as it is (a session token, or an App User's token). HTTP 401 / 403 make a failed page that names the
source and the secret (``api_token``, else ``password``) by its variable's name, never its value. Central answers
a client without credentials with an empty list of projects, not a refusal: an empty listing without credentials
is a failed page too (never a server emptied of everything).

Listing (:func:`pages`): the projects, less the archived ones (skipped without an error: the web application
keeps them out of view; their records are then withdrawn like any record gone from a complete listing), then
one page per project: the project's sighting first, then its published forms (``publishedAt`` set) in every state:
open, closing and closed, since a closed form documents a collection that took place (its status says
"completed"); a form that was never published (only a draft) is skipped. A project whose forms cannot be read
is left out and the listing ends with a failed page naming every such project (after the other projects, which
are then up to date): the listing is incomplete, and nothing is withdrawn. ``since`` is ignored (the API has no
modified-since filter: every run lists everything).

Mapping (pure: :func:`map_project`, :func:`map_form`): a project -> an initiative (``dataset_series``): guid
``project:{id}``, title (``name``), notes (``description``; without one the engine describes the record),
issued / modified (``createdAt`` / ``updatedAt``), engagement derived through the mapping table
harvesters/mappings/odk-central.yaml (table ``form state``: a project with published forms took part in data
collection) with its ``derived_from``. A form -> a dataset in that initiative (``series_guid``): guid
``project:{id}/form:{xmlFormId}``, title (``name``, else ``xmlFormId``), notes (what it is, its version, a
"Status: ..." section from the table ``state``, "N submissions at the time of harvest", whether its submissions
are encrypted), issued (``publishedAt``), modified (``updatedAt``, else ``publishedAt``), collection_methods
(table ``kind``), temporal_coverage from the ``publishedAt`` date to the ``lastSubmission`` date when the form
has any submission: the collection period as the server knows it (``publishedAt`` is the last publication, so
a form published again after its last submission has none, with a warning). Not kept: ``createdBy`` (a person),
``reviewStates``, ``hash``, ``enketoId``, ``publicLinks``, ``appUsers`` (the server's internals); the submission
count is not a ``sample_size`` (the source does not say they are respondents). ODK forms say nothing of personal
data: no ``ethics`` is set, and a warning asks for it. The source's ``defaults`` fill the keys a record leaves
empty (only those its kind's schema takes). A value that cannot be kept is dropped with a warning naming the
field and why; a project or form that cannot be mapped at all is a page error.

Example::

    for page in pages(spec, jobs.client_for(spec)):   # spec.url = "https://central.example.org"
        page.url                                      # 'https://central.example.org/v1/projects/1/forms'
        page.sightings[0].guid                        # 'project:1' (the initiative)
        page.sightings[1].series_guid                 # 'project:1' (a form: 'project:1/form:water-point-check')
"""
from __future__ import annotations

import base64
import dataclasses
import datetime
import urllib.parse
from typing import Any, Callable, Iterable, Iterator, Optional


from . import dcat_record, mapping, values
from .fetch import FetchError, HttpStatus
from .listing import DATASET, SERIES, Fetcher, Page, Sighting, SourceSpec, access_refused
from .values import MappingError, as_text, timestamps

PLATFORM = "odk-central"          # harvesters/mappings/odk-central.yaml
EXTENDED = {"X-Extended-Metadata": "true"}
ENGAGEMENT_TABLE, STATUS_TABLE, KIND_TABLE = "form state", "state", "kind"
FORM = "form"                     # the value of the ``kind`` table every form has
ETHICS_WARNING = ("ethics: the source does not state whether the form collects personal data: state personal_data "
                  "and informed consent before the record can meet the Copenhagen definition")

# every path that holds data, never asked (fetch.Client's refuse_paths, searched in a URL's path)
REFUSED_PATHS: tuple[str, ...] = (
    r"/submissions",                 # submissions (and their attachments, comments, audits, versions)
    r"\.svc(/|$)",                   # OData feeds of submissions and entities
    r"/attachments",                 # form and submission attachments
    r"/draft",                       # a draft form's test submissions
    r"/entities",                    # entities (datasets of records about people and places)
    r"/datasets/[^/]+/entities",     # ... including a dataset's
    r"\.csv",                        # exports (.csv, .csv.zip)
    r"/audits",                      # audit logs (who did what)
    r"/app-users",                   # app users (people) and their tokens
    r"/public-links",                # public links' tokens
    r"/assignments",                 # who has which role (people)
    r"/users",                       # web users (people, e-mail addresses)
    r"/key/",                        # requests made as an app user through its token in the path
)



# ---------------------------------------------------------------- authentication
def authorize(spec: SourceSpec) -> dict[str, str]:
    """The ``Authorization`` header of the source's secrets: ``Bearer <api_token>`` when the source names an
    ``api_token`` secret, else HTTP Basic from ``email`` and ``password``; {} without them."""
    if "api_token" in spec.secret_names or spec.secrets.get("api_token"):
        token = spec.secrets.get("api_token")
        return {"Authorization": f"Bearer {token}"} if token else {}
    email, password = spec.secrets.get("email"), spec.secrets.get("password")
    if not email or not password:
        return {}
    pair = base64.b64encode(f"{email}:{password}".encode("utf-8")).decode("ascii")
    return {"Authorization": f"Basic {pair}"}


def secret_option(spec: SourceSpec) -> str:
    """The secret a refusal names: ``api_token`` when the source names one, else ``password``."""
    return "api_token" if "api_token" in spec.secret_names or spec.secrets.get("api_token") else "password"


# ---------------------------------------------------------------- listing
def server_root(spec: SourceSpec) -> str:
    return spec.url.rstrip("/")


def projects_url(spec: SourceSpec) -> str:
    return server_root(spec) + "/v1/projects"


def forms_url(spec: SourceSpec, project_id: Any) -> str:
    return f"{projects_url(spec)}/{urllib.parse.quote(str(project_id), safe='')}/forms"


def read_list(spec: SourceSpec, fetcher: Fetcher, url: str, what: str) -> tuple[Optional[list[Any]], Optional[str]]:
    """(the JSON array at ``url``, None), else (None, why): a refusal of the credentials names the secret."""
    try:
        answer = fetcher.get_json(url, headers=dict(EXTENDED))
    except HttpStatus as err:
        if err.status in (401, 403):
            return None, access_refused(spec, err.status, secret_option(spec))
        return None, err.reason
    except FetchError as err:
        return None, err.reason
    if not isinstance(answer, list):
        return None, f"the answer is not a JSON array of {what}"
    return answer, None


def is_archived(project: Any) -> bool:
    """``archived: true`` (``null`` is false, as Central says)."""
    return isinstance(project, dict) and project.get("archived") is True


def is_published(form: Any) -> bool:
    """A form with a published version (``publishedAt`` set); a form that is only a draft is not."""
    return isinstance(form, dict) and form.get("publishedAt") not in (None, "")


@dataclasses.dataclass
class _Failures:
    """Projects whose forms could not be read: the listing ends with one failed page naming them all."""
    url: str = ""
    reasons: list[str] = dataclasses.field(default_factory=list)

    def add(self, url: str, why: str) -> None:
        self.url = self.url or url
        self.reasons.append(f"{url}: {why}")

    def page(self) -> Optional[Page]:
        if not self.reasons:
            return None
        return Page(url=self.url, failed=f"the forms of {len(self.reasons)} project(s) could not be read "
                                         f"({'; '.join(self.reasons)[:1500]})")


def pages(spec: SourceSpec, fetcher: Fetcher, since: Any = None) -> Iterator[Page]:
    """The server's projects and their published forms, a page per project (see the module's docstring);
    conforms to ``listing.Lister``. ``since`` is ignored: the API cannot list only what changed."""
    url = projects_url(spec)
    projects, failure = read_list(spec, fetcher, url, "projects")
    if not failure and not projects and not authorize(spec):
        failure = no_credentials(spec)
    if failure:
        yield Page(url=url, failed=failure)
        return
    failures = _Failures()
    for position, project in enumerate(projects, start=1):
        if is_archived(project):
            continue
        page = project_page(spec, fetcher, project, position, failures)
        if page is not None:
            yield page
    last = failures.page()
    if last is not None:
        yield last


def no_credentials(spec: SourceSpec) -> str:
    """Why an empty listing without credentials is no listing: Central shows an anonymous client no project."""
    return (f"source {spec.name}: the server lists no project to a client without credentials (ODK Central "
            f"answers an anonymous client with an empty list); name the secrets email and password, or api_token, "
            f"in {spec.file or 'the source file'}")


def project_page(spec: SourceSpec, fetcher: Fetcher, project: Any, position: int,
                 failures: _Failures) -> Optional[Page]:
    """The page of one project (its sighting, then its published forms'), None when its forms could not be read
    (kept in ``failures``)."""
    project_id = project.get("id") if isinstance(project, dict) else None
    if not _is_id(project_id):
        failures.add(projects_url(spec), f"project #{position} has no id: its forms cannot be listed")
        return None
    url = forms_url(spec, project_id)
    forms, failure = read_list(spec, fetcher, url, "forms")
    if failure:
        failures.add(url, failure)
        return None
    published = [form for form in forms if is_published(form)]
    page, guid = Page(url=url), project_guid(project_id)
    _add(page, guid, map_project, project, spec, published)
    for number, form in enumerate(published, start=1):
        _add(page, _form_where(guid, form, number), map_form, form, project, spec)
    return page


def _add(page: Page, where: str, mapper: Callable[..., Sighting], *args: Any) -> None:
    """The sighting ``mapper(*args)`` makes, on the page; a page error under ``where`` when it cannot."""
    try:
        page.sightings.append(mapper(*args))
    except MappingError as err:
        page.errors.append((where, str(err)))
    except (ValueError, TypeError, AttributeError, KeyError) as err:
        page.errors.append((where, f"the record could not be mapped ({type(err).__name__})"))


def _form_where(project: str, form: Any, number: int) -> str:
    form_id = form.get("xmlFormId") if isinstance(form, dict) else None
    return form_guid_of(project, form_id) if isinstance(form_id, str) and form_id.strip() else \
        f"{project}/form #{number}"


def _is_id(value: Any) -> bool:
    """A project id as Central gives it: a whole number (``1``, or ``1.0`` as the docs write numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return float(value).is_integer() and value >= 0


# ---------------------------------------------------------------- identities and addresses
def _id_text(project_id: Any) -> str:
    return str(int(project_id)) if _is_id(project_id) else str(project_id)


def project_guid(project_id: Any) -> str:
    return f"project:{_id_text(project_id)}"


def form_guid_of(project: str, xml_form_id: str) -> str:
    return f"{project}/form:{xml_form_id}"


def project_page_uri(spec: SourceSpec, project_id: Any) -> str:
    """The project's page in Central's web application: ``{server}/#/projects/{id}``."""
    return f"{server_root(spec)}/#/projects/{_id_text(project_id)}"


def form_page_uri(spec: SourceSpec, project_id: Any, xml_form_id: str) -> str:
    """The form's page: ``{server}/#/projects/{id}/forms/{xmlFormId}`` (the id percent-encoded)."""
    return f"{project_page_uri(spec, project_id)}/forms/{urllib.parse.quote(xml_form_id, safe='')}"


# ---------------------------------------------------------------- mapping: projects
def map_project(project: Any, spec: SourceSpec, published: Iterable[Any] = ()) -> Sighting:
    """A project as an initiative (pure). ``published``: its published forms (their states derive its engagement
    through the mapping table). Raises MappingError without an id or a name."""
    if not isinstance(project, dict) or not _is_id(project.get("id")):
        raise MappingError("the project has no id")
    warnings: list[str] = []
    title = as_text(project.get("name"), "title", warnings)
    if not title:
        raise MappingError("the project has no readable name")
    record: dict[str, Any] = {"title": title}
    notes = as_text(project.get("description"), "notes", warnings)
    if notes:
        record["notes"] = notes
    record.update(timestamps(project, (("createdAt", "issued"), ("updatedAt", "modified")), warnings))
    states = [form.get("state") for form in published if isinstance(form, dict)]
    entries, unknown = mapping.engagement(PLATFORM, {ENGAGEMENT_TABLE: states})
    warnings += unknown
    if entries:
        record["engagement"] = entries
    fill(record, spec.defaults, SERIES)
    return Sighting(guid=project_guid(project["id"]), record=record, kind=SERIES,
                    original_uri=project_page_uri(spec, project["id"]), identifier=_id_text(project["id"]),
                    upstream_modified=record.get("modified") or record.get("issued"), warnings=warnings)


# ---------------------------------------------------------------- mapping: forms
def map_form(form: Any, project: Any, spec: SourceSpec) -> Sighting:
    """A published form of ``project`` as a dataset in the project's initiative (pure). Raises MappingError
    without an xmlFormId."""
    if not isinstance(project, dict) or not _is_id(project.get("id")):
        raise MappingError("the form's project has no id")
    if not isinstance(form, dict):
        raise MappingError("the form is not a JSON object")
    warnings: list[str] = []
    form_id = as_text(form.get("xmlFormId"), "identifier", warnings)
    if not form_id:
        raise MappingError("the form has no xmlFormId")
    series = project_guid(project.get("id"))
    record: dict[str, Any] = {"title": as_text(form.get("name"), "title", warnings) or form_id}
    record["notes"] = form_notes(form, form_id, project, warnings)
    record.update(timestamps(form, (("publishedAt", "issued"), ("updatedAt", "modified")), warnings))
    if "modified" not in record and "issued" in record:
        record["modified"] = record["issued"]
    method, warning = mapping.concept(PLATFORM, KIND_TABLE, FORM)
    if method:
        record["collection_methods"] = [method]
    warnings += [warning] if warning else []
    record.update(collection_period(form, warnings))
    fill(record, spec.defaults, DATASET)
    if not record.get("ethics"):
        warnings.append(ETHICS_WARNING)
    return Sighting(guid=form_guid_of(series, form_id), record=record, kind=DATASET,
                    original_uri=form_page_uri(spec, project.get("id"), form_id), identifier=form_id,
                    upstream_modified=record.get("modified"), series_guid=series, warnings=warnings)


def form_notes(form: dict[str, Any], form_id: str, project: dict[str, Any], warnings: list[str]) -> str:
    """What the form is (its id, version, project), its status, its submissions, its encryption, as paragraphs."""
    version = as_text(form.get("version"), "notes", warnings)
    project_name = as_text(project.get("name"), "notes", []) or f"number {_id_text(project.get('id'))}"
    what = f"A form of the project {project_name} on an ODK Central server (form id {form_id}"
    paragraphs = [what + (f", version {version})." if version else ").")]
    paragraphs += [part for part in (status_section(form, warnings), submissions_sentence(form, warnings)) if part]
    if form.get("keyId") is not None:
        paragraphs.append("Its submissions are encrypted on the server (the form has an encryption key).")
    return "\n\n".join(paragraphs)


def status_section(form: dict[str, Any], warnings: list[str]) -> Optional[str]:
    """``Status: active (form state at the source: open)``, through the mapping table ``state``."""
    state = as_text(form.get("state"), "notes", warnings)
    if not state:
        warnings.append("notes: the form states no state; no status is given")
        return None
    status, warning = mapping.concept(PLATFORM, STATUS_TABLE, state)
    if warning:
        warnings.append(warning)
    return f"Status: {status} (form state at the source: {state})." if status else None


def submissions_sentence(form: dict[str, Any], warnings: list[str]) -> Optional[str]:
    """``N submissions at the time of harvest.``: a count, not a sample size."""
    count = form.get("submissions")
    if count is None:
        return None
    if isinstance(count, bool) or not isinstance(count, (int, float)) or count < 0 or not float(count).is_integer():
        warnings.append(f"notes: submissions {str(count)[:50]!r} is not a count; dropped")
        return None
    count = int(count)
    return f"{count} submission{'' if count == 1 else 's'} at the time of harvest."


def collection_period(form: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """``temporal_coverage`` from the ``publishedAt`` date to the ``lastSubmission`` date (the collection period as
    the server knows it), only when the form has a last submission."""
    if form.get("lastSubmission") in (None, ""):
        return {}
    found = timestamps(form, (("publishedAt", "start"), ("lastSubmission", "end")), warnings,
                   field="temporal_coverage")
    if set(found) != {"start", "end"}:
        return {}
    start, end = (datetime.datetime.fromisoformat(found[key]).date() for key in ("start", "end"))
    if start > end:
        warnings.append(f"temporal_coverage: the last submission ({end}) is before the form's last publication "
                        f"({start}); dropped")
        return {}
    return {"temporal_coverage": [{"start": start.isoformat(), "end": end.isoformat()}]}


# ---------------------------------------------------------------- values






def fill(record: dict[str, Any], defaults: dict[str, Any], kind: str) -> None:
    """The source's defaults for the keys the record leaves empty, only those the kind's schema takes."""
    shape = dcat_record.shape(kind)
    values.fill(record, {key: value for key, value in defaults.items() if key in shape.fields})
