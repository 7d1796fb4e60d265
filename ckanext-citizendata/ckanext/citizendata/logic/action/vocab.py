"""Actions of the vocabulary registry.

Example (API)::

    GET /api/3/action/citizendata_concept_search?q=particip&scheme=initiative-types&lang=fr
"""
from __future__ import annotations

from ckan.plugins import toolkit

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.vocab import registry

from ..registry import register_action
from . import boolean, text, whole_number

ID_CHARS = 200      # scheme ids, notations, languages
IRI_CHARS = 2000


def _schemes_param(data_dict) -> list[str]:
    value = data_dict.get("scheme")
    if not value:
        return []
    values = value if isinstance(value, list) else [v for v in str(value).split(",") if v]
    return [text({"scheme": v}, "scheme", ID_CHARS) for v in values]


@register_action
@toolkit.side_effect_free
def citizendata_vocabulary_list(context, data_dict):
    """List the concept schemes of the registry: id, IRI, titles, version, SDMX agency/id, concept count."""
    toolkit.check_access("citizendata_vocabulary_list", context, data_dict)
    return registry.list_schemes()


@register_action
@toolkit.side_effect_free
def citizendata_vocabulary_show(context, data_dict):
    """One concept scheme with its concepts (``include_concepts=false`` to leave them out).

    :param id: the scheme id, e.g. ``engagement-levels``
    """
    toolkit.check_access("citizendata_vocabulary_show", context, data_dict)
    scheme_id = text(data_dict, "id", ID_CHARS, required=True)
    include_concepts = boolean(data_dict, "include_concepts", True)
    scheme = registry.get_scheme(scheme_id)
    if scheme is None:
        raise toolkit.ObjectNotFound(f"No concept scheme {scheme_id!r}")
    if include_concepts:
        scheme["concepts"] = registry.concepts(scheme_id)
    return scheme


@register_action
@toolkit.side_effect_free
def citizendata_concept_show(context, data_dict):
    """One concept, by ``scheme`` and ``notation`` or by ``iri``, with its narrower concepts."""
    toolkit.check_access("citizendata_concept_show", context, data_dict)
    if data_dict.get("iri"):
        concept = registry.get_concept(iri=text(data_dict, "iri", IRI_CHARS))
    else:
        toolkit.get_or_bust(data_dict, ["scheme", "notation"])
        concept = registry.get_concept(text(data_dict, "scheme", ID_CHARS), text(data_dict, "notation", ID_CHARS))
    if concept is None:
        raise toolkit.ObjectNotFound("No such concept")
    return concept


@register_action
@toolkit.side_effect_free
def citizendata_concept_search(context, data_dict):
    """Concepts whose notation or label (any language) starts with ``q``, for form autocompletion.

    :param q: the prefix, e.g. ``particip`` or ``16.6``
    :param scheme: optional scheme id, or several separated by commas
    :param lang: language of the returned ``label`` (default en)
    :param limit: at most this many (1-100, default 10)
    """
    toolkit.check_access("citizendata_concept_search", context, data_dict)
    q = text(data_dict, "q", cd_config.query_limits()["q_chars"], required=True)
    limit = whole_number(data_dict, "limit", 10, 1, 100)
    return registry.search(q, _schemes_param(data_dict), text(data_dict, "lang", ID_CHARS) or None, limit)
