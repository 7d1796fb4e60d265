"""SDMX structure messages for :class:`~.structures.Scheme` lists, written by SDMX libraries.

Formats (``fmt``) and who writes them:

``xml``
    SDMX-ML 3.0 structure message, written by **pysdmx** (``Format.STRUCTURE_SDMX_ML_3_0``).
``json``
    SDMX-JSON 2.0 structure message, written by **pysdmx** (``Format.STRUCTURE_SDMX_JSON_2_0_0``).
``xml21``
    SDMX-ML 2.1 structure message, written by **sdmx1** (``sdmx.to_xml``), which has no
    SDMX-ML 3.0 nor SDMX-JSON writer.

pysdmx's model holds one name and one description per artefact and its writers label that
text ``xml:lang="en"``; it has no item parent either. So after pysdmx has written the message,
:func:`_localise_xml` / :func:`_localise_json` put back, through lxml / json (never string
templates), what the model could not carry: every language of ``com:Name`` /
``com:Description`` (JSON ``names`` / ``descriptions``), ``str:Parent`` (JSON ``parent``) and
``meta.contentLanguages``. sdmx1 carries all of that natively, so ``xml21`` needs no such step.

SDMX-ML 3.0.0's schema types a code's ``str:Parent`` as an NCName (a leading letter; erratum
fixed in 3.1, where it is an IDType), so a parent id such as ``_T`` or ``16`` would make the
document invalid, and strict readers (pysdmx) refuse it. For such a parent the ``xml`` format
writes a ``PARENT`` annotation (title = the parent id) instead of ``str:Parent``; ``json`` and
``xml21`` always write the real parent.

Error messages: neither library writes a schema-valid one. sdmx1 writes ``mes:Error`` with a
``mes:Header`` and a footer, which the SDMX-ML 2.1 schema rejects (``ErrorType`` holds only
``mes:ErrorMessage``) and which no SDMX-ML 3.0 writer exists for; pysdmx only reads SDMX-ML
2.1 errors. :func:`write_error` therefore builds the small ``mes:Error`` tree with lxml and
the SDMX-JSON ``errors`` member with json.

Example::

    body, media_type = write_structure([sex_codelist], "xml")
    body, media_type = write_error(404, "No code list CL_FOO", "json")
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import sdmx
from lxml import etree
from pysdmx.io import write_sdmx
from pysdmx.io.format import Format
from pysdmx.model import (
    Annotation,
    Code,
    Codelist,
    Concept,
    ConceptScheme,
    Organisation,
)
from pysdmx.model.message import Header
from sdmx import message as sdmx1_message
from sdmx.model import common as sdmx1_common
from sdmx.model import v21 as sdmx1_v21

from ckanext.citizendata.sdmx_io.structures import (
    NCNAME_PATTERN,
    NOTATION_ANNOTATION,
    Item,
    Scheme,
    best_text,
    names_or_id,
    validate_scheme,
)

FORMATS: tuple[str, ...] = ("xml", "json", "xml21")
MEDIA_TYPES: dict[str, str] = {
    "xml": "application/vnd.sdmx.structure+xml;version=3.0.0",
    "json": "application/vnd.sdmx.structure+json;version=2.0.0",
    "xml21": "application/vnd.sdmx.structure+xml;version=2.1",
}
ERROR_MEDIA_TYPES: dict[str, str] = {
    "xml": "application/vnd.sdmx.error+xml;version=3.0.0",
    "json": MEDIA_TYPES["json"],  # SDMX-JSON carries errors in the structure message itself
    "xml21": "application/vnd.sdmx.error+xml;version=2.1",
}
DEFAULT_SENDER = "CITIZENDATA"
#: Annotation type carrying a parent id that SDMX-ML 3.0.0 cannot hold in str:Parent.
PARENT_ANNOTATION = "PARENT"

# SDMX error codes (SDMX REST "Error handling") for HTTP statuses; others get 1000 + status.
SDMX_ERROR_CODES: dict[int, int] = {404: 100, 401: 110, 413: 130, 400: 140, 403: 150,
                                    500: 500, 501: 501, 503: 503}
SDMX_ERROR_TITLES: dict[int, str] = {
    100: "No results found", 110: "Unauthorized", 130: "Response too large due to client request",
    140: "Syntax error", 150: "Semantic error", 500: "Internal Server error",
    501: "Not implemented", 503: "Service unavailable",
}

_XML_NS = "http://www.w3.org/XML/1998/namespace"
_V30 = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/"
_V21 = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/"
_COM30, _STR30 = _V30 + "common", _V30 + "structure"
_TAGS30 = {"codelist": ("Codelist", "Code"), "conceptscheme": ("ConceptScheme", "Concept")}
_JSON_KEYS = {"codelist": ("codelists", "codes"), "conceptscheme": ("conceptSchemes", "concepts")}


class UnknownFormat(ValueError):
    """A ``fmt`` this module does not write."""


def write_structure(schemes: list[Scheme], fmt: str = "xml", *, sender: str = DEFAULT_SENDER,
                    message_id: str | None = None,
                    prepared: datetime | None = None) -> tuple[bytes, str]:
    """The structure message holding ``schemes``, and its media type.

    ``fmt`` is ``"xml"`` (SDMX-ML 3.0), ``"json"`` (SDMX-JSON 2.0) or ``"xml21"`` (SDMX-ML
    2.1). ``message_id`` and ``prepared`` default to a fresh UUID and now (UTC).

    Example::

        body, media_type = write_structure([sex], "json")
        # media_type == 'application/vnd.sdmx.structure+json;version=2.0.0'

    Raises UnknownFormat for another fmt, ValueError for no schemes (SDMX REST answers an
    empty result with :func:`write_error` 404; pysdmx refuses an empty SDMX-JSON message),
    for a scheme SDMX would reject (see :func:`~.structures.validate_scheme`) or for two
    schemes with the same key.
    """
    _check_format(fmt)
    _check_schemes(schemes)
    message_id = message_id or str(uuid.uuid4())
    prepared = prepared or datetime.now(timezone.utc)
    if fmt == "xml21":
        return _write_xml21(schemes, sender, message_id, prepared), MEDIA_TYPES[fmt]
    header = Header(id=message_id, prepared=prepared, sender=Organisation(id=sender))
    artefacts = [_pysdmx_scheme(scheme, parent_annotations=fmt == "xml") for scheme in schemes]
    if fmt == "xml":
        text = write_sdmx(artefacts, Format.STRUCTURE_SDMX_ML_3_0, header=header)
        return _localise_xml(text, schemes), MEDIA_TYPES[fmt]
    text = write_sdmx(artefacts, Format.STRUCTURE_SDMX_JSON_2_0_0, header=header)
    return _localise_json(text, schemes), MEDIA_TYPES[fmt]


def write_error(status: int, message: str, fmt: str = "xml", *, sender: str = DEFAULT_SENDER,
                lang: str = "en") -> tuple[bytes, str]:
    """An SDMX error message for an HTTP ``status``, and its media type.

    The SDMX error code comes from :data:`SDMX_ERROR_CODES` (404 -> 100 "No results found");
    ``message`` is the detail. XML: ``mes:Error/mes:ErrorMessage[@code]/com:Text`` (SDMX-ML
    3.0, or 2.1 for ``xml21``); JSON: an SDMX-JSON 2.0 message with ``meta`` and ``errors``.

    Example::

        >>> body, media_type = write_error(404, "No code list CL_FOO", "xml")
        >>> b'code="100"' in body, media_type
        (True, 'application/vnd.sdmx.error+xml;version=3.0.0')
    """
    _check_format(fmt)
    code = sdmx_error_code(status)
    if fmt == "json":
        return _json_error(code, message, sender, lang), ERROR_MEDIA_TYPES[fmt]
    return _xml_error(code, message, _V30 if fmt == "xml" else _V21, lang), ERROR_MEDIA_TYPES[fmt]


def sdmx_error_code(status: int) -> int:
    """The SDMX error code for an HTTP status: the standard mapping, else 1000 + status
    (SDMX leaves codes from 1000 up to the service).

    Example::

        >>> sdmx_error_code(404), sdmx_error_code(406)
        (100, 1406)
    """
    return SDMX_ERROR_CODES.get(status, 1000 + status)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UnknownFormat(f"unknown SDMX format {fmt!r}, expected one of {FORMATS}")


def _check_schemes(schemes: list[Scheme]) -> None:
    if not schemes:
        raise ValueError("no schemes to write; answer an empty result with write_error(404, ...)")
    seen: set[tuple[str, str, str, str]] = set()
    for scheme in schemes:
        validate_scheme(scheme)
        if scheme.key in seen:
            raise ValueError(f"scheme {scheme.key} given twice")
        seen.add(scheme.key)


# --- pysdmx (SDMX-ML 3.0, SDMX-JSON 2.0) -------------------------------------------------


def _pysdmx_scheme(scheme: Scheme, parent_annotations: bool) -> Codelist | ConceptScheme:
    cls = Codelist if scheme.kind == "codelist" else ConceptScheme
    items = [_pysdmx_item(scheme.kind, item, parent_annotations) for item in scheme.items]
    return cls(id=scheme.id, agency=scheme.agency, version=scheme.version,
               name=_one_text(names_or_id(scheme.names, scheme.id)),
               description=_one_text(scheme.descriptions), items=items)


def _pysdmx_item(kind: str, item: Item, parent_annotation: bool) -> Code | Concept:
    cls = Code if kind == "codelist" else Concept
    annotations = []
    if item.changed_notation:
        annotations.append(Annotation(type=NOTATION_ANNOTATION, title=item.changed_notation))
    if parent_annotation and item.parent and not _xml30_parent_ok(item.parent):
        annotations.append(Annotation(type=PARENT_ANNOTATION, title=item.parent))
    return cls(id=item.id, name=_one_text(names_or_id(item.names, item.id)),
               description=_one_text(item.descriptions), annotations=annotations)


def _xml30_parent_ok(parent: str) -> bool:
    return NCNAME_PATTERN.fullmatch(parent) is not None


def _one_text(texts: dict[str, str]) -> str | None:
    best = best_text(texts)
    return best[1] if best else None


def _localise_xml(text: str, schemes: list[Scheme]) -> bytes:
    """pysdmx's SDMX-ML 3.0 with every language and the item parents put in by lxml."""
    parser = etree.XMLParser(remove_blank_text=True)
    root = etree.fromstring(text.encode("utf-8"), parser)
    for scheme in schemes:
        scheme_tag, item_tag = _TAGS30[scheme.kind]
        element = _find_scheme_element(root, scheme, scheme_tag)
        _set_texts(element, names_or_id(scheme.names, scheme.id), scheme.descriptions)
        items = {item.id: item for item in scheme.items}
        for item_element in element.iterchildren(f"{{{_STR30}}}{item_tag}"):
            item = items[item_element.get("id")]
            _set_texts(item_element, names_or_id(item.names, item.id), item.descriptions)
            _set_parent(item_element, item.parent)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _find_scheme_element(root: etree._Element, scheme: Scheme, tag: str) -> etree._Element:
    for element in root.iter(f"{{{_STR30}}}{tag}"):
        if (element.get("agencyID"), element.get("id"), element.get("version")) == (
                scheme.agency, scheme.id, scheme.version):
            return element
    raise LookupError(f"pysdmx wrote no {tag} for {scheme.key}")  # pragma: no cover


def _set_texts(element: etree._Element, names: dict[str, str], descriptions: dict[str, str]) -> None:
    """Replace pysdmx's single com:Name / com:Description by one per language, in place."""
    old = [child for child in element
           if child.tag in (f"{{{_COM30}}}Name", f"{{{_COM30}}}Description")]
    position = element.index(old[0])
    for child in old:
        element.remove(child)
    new = _lang_elements(f"{{{_COM30}}}Name", names)
    new += _lang_elements(f"{{{_COM30}}}Description", descriptions)
    for offset, child in enumerate(new):
        element.insert(position + offset, child)


def _lang_elements(tag: str, texts: dict[str, str]) -> list[etree._Element]:
    elements = []
    for lang, value in texts.items():
        child = etree.Element(tag)
        child.set(f"{{{_XML_NS}}}lang", lang)
        child.text = value
        elements.append(child)
    return elements


def _set_parent(element: etree._Element, parent: str | None) -> None:
    """Add str:Parent after the names and descriptions (SDMX-ML 3.0 Code and Concept), when
    the 3.0.0 schema allows that id there (else _pysdmx_item wrote a PARENT annotation)."""
    if not parent or not _xml30_parent_ok(parent):
        return
    texts = [child for child in element
             if child.tag in (f"{{{_COM30}}}Name", f"{{{_COM30}}}Description")]
    child = etree.Element(f"{{{_STR30}}}Parent")
    child.text = parent
    element.insert(element.index(texts[-1]) + 1, child)


def _localise_json(text: str, schemes: list[Scheme]) -> bytes:
    """pysdmx's SDMX-JSON 2.0 with ``names``/``descriptions``, ``parent`` and
    ``meta.contentLanguages`` put in through the json module."""
    document = json.loads(text)
    data = document.get("data", {})
    for scheme in schemes:
        list_key, items_key = _JSON_KEYS[scheme.kind]
        artefact = _find_json_artefact(data.get(list_key, []), scheme)
        _set_json_texts(artefact, names_or_id(scheme.names, scheme.id), scheme.descriptions)
        by_id = {entry["id"]: entry for entry in artefact.get(items_key, [])}
        for item in scheme.items:
            _set_json_texts(by_id[item.id], names_or_id(item.names, item.id), item.descriptions)
            if item.parent:
                by_id[item.id]["parent"] = item.parent
    languages = _languages(schemes)
    if languages:
        document.setdefault("meta", {})["contentLanguages"] = languages
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _find_json_artefact(artefacts: list[dict], scheme: Scheme) -> dict:
    for artefact in artefacts:
        if (artefact.get("agencyID"), artefact.get("id"), artefact.get("version")) == (
                scheme.agency, scheme.id, scheme.version):
            return artefact
    raise LookupError(f"pysdmx wrote no JSON artefact for {scheme.key}")  # pragma: no cover


def _set_json_texts(entry: dict, names: dict[str, str], descriptions: dict[str, str]) -> None:
    entry["name"] = _one_text(names)
    entry["names"] = dict(names)
    if descriptions:
        entry["description"] = _one_text(descriptions)
        entry["descriptions"] = dict(descriptions)


def _languages(schemes: list[Scheme]) -> list[str]:
    """Every language used, the main one (:data:`DEFAULT_LANG` when used) first."""
    seen: dict[str, None] = {}
    for scheme in schemes:
        for texts in [scheme.names, scheme.descriptions]:
            seen.update(dict.fromkeys(texts))
        for item in scheme.items:
            seen.update(dict.fromkeys(item.names))
            seen.update(dict.fromkeys(item.descriptions))
    languages = list(seen)
    main = best_text(dict.fromkeys(languages, ""))
    if main:
        languages.remove(main[0])
        languages.insert(0, main[0])
    return languages


# --- sdmx1 (SDMX-ML 2.1) ------------------------------------------------------------------


def _write_xml21(schemes: list[Scheme], sender: str, message_id: str, prepared: datetime) -> bytes:
    header = sdmx1_message.Header(id=message_id, prepared=prepared,
                                  sender=sdmx1_common.Agency(id=sender))
    msg = sdmx1_message.StructureMessage(header=header)
    for scheme in schemes:
        msg.add(_sdmx1_scheme(scheme))
    return sdmx.to_xml(msg, pretty_print=True)


def _sdmx1_scheme(scheme: Scheme) -> sdmx1_common.Codelist | sdmx1_common.ConceptScheme:
    is_codelist = scheme.kind == "codelist"
    cls = sdmx1_common.Codelist if is_codelist else sdmx1_common.ConceptScheme
    artefact = cls(id=scheme.id, version=scheme.version,
                   maintainer=sdmx1_common.Agency(id=scheme.agency),
                   name=names_or_id(scheme.names, scheme.id), description=dict(scheme.descriptions),
                   is_final=False, is_external_reference=False)
    item_cls = sdmx1_common.Code if is_codelist else sdmx1_common.Concept
    items = {item.id: _sdmx1_item(item_cls, item) for item in scheme.items}
    for item in scheme.items:
        if item.parent:
            items[item.parent].append_child(items[item.id])
        artefact.append(items[item.id])
    return artefact


def _sdmx1_item(cls: type, item: Item) -> sdmx1_common.Item:
    notation = item.changed_notation
    annotations = [sdmx1_v21.Annotation(type=NOTATION_ANNOTATION, title=notation)] if notation else []
    return cls(id=item.id, name=names_or_id(item.names, item.id),
               description=dict(item.descriptions), annotations=annotations)


# --- errors (lxml / json: no library writes a valid SDMX error message) ------------------


def _xml_error(code: int, message: str, base: str, lang: str) -> bytes:
    mes, com = base + "message", base + "common"
    root = etree.Element(f"{{{mes}}}Error", nsmap={"mes": mes, "com": com})
    error = etree.SubElement(root, f"{{{mes}}}ErrorMessage", code=str(code))
    text = etree.SubElement(error, f"{{{com}}}Text")
    text.set(f"{{{_XML_NS}}}lang", lang)
    text.text = message
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _json_error(code: int, message: str, sender: str, lang: str) -> bytes:
    meta = {
        "schema": "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/develop/"
                  "structure-message/tools/schemas/2.0.0/sdmx-json-structure-schema.json",
        "id": str(uuid.uuid4()), "test": False,
        "prepared": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "sender": {"id": sender}, "contentLanguages": [lang],
    }
    error = {"code": code, "title": SDMX_ERROR_TITLES.get(code, "Error"), "detail": message}
    return json.dumps({"meta": meta, "errors": [error]}, ensure_ascii=False, indent=2).encode("utf-8")
