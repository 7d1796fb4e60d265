"""ckanext-dcat's catalog and dataset actions, served from ready fragments (rdf/cache.py).

Each action is chained on ckanext-dcat's own: requests for other profiles than the configured ones, or for
formats we do not assemble, go to the original action untouched. Search, paging, ``modified_since`` and
``q``/``fq`` are ckanext-dcat's own helpers, called as they are.

Example::

    toolkit.get_action("dcat_catalog_show")({}, {"format": "ttl", "page": 2})
    toolkit.get_action("dcat_dataset_show")({}, {"id": "appdiversa", "format": "jsonld"})
"""
from __future__ import annotations

import logging

from ckan.plugins import toolkit
from ckanext.dcat import logic as dcat_logic

from ckanext.citizendata.rdf import cache
from ckanext.citizendata.rdf.assemble import AssemblyError

from ..registry import register_action

log = logging.getLogger(__name__)


# context key: the index fields package_search returns instead of whole decoded dicts (see package_search)
SEARCH_FIELDS = "citizendata_search_fields"
TEXT_FIELDS = ("id", "validated_data_dict")


def _catalog(name: str, up_func, context, data_dict):
    if not cache.serves(data_dict):
        return up_func(context, data_dict)
    toolkit.check_access(name, context, data_dict)
    # ckanext-dcat builds the query (paging, modified_since, q/fq, excluded types); the page's datasets come
    # back as the index's JSON text, decoded only for fragments that must be (re)built
    query = dcat_logic._search_ckan_datasets(dict(context, **{SEARCH_FIELDS: TEXT_FIELDS}), data_dict)
    pagination_info = dcat_logic._pagination_info(query, data_dict)
    if not all(row.get("validated_data_dict") for row in query["results"]):  # an index without dicts
        return up_func(context, data_dict)
    sources = [cache.Source(row["id"], row["validated_data_dict"]) for row in query["results"]]
    return _assembled(lambda: cache.catalog_document(sources, data_dict.get("format"), pagination_info,
                                                     cache.configured_profiles()), up_func, context, data_dict)


def _assembled(build, up_func, context, data_dict):
    """``build()``'s document; never wrong output: where fragments cannot be joined, the original action
    serializes directly."""
    try:
        return build()
    except AssemblyError as error:
        log.warning("DCAT document not assembled (%s), serialized directly", error)
        return up_func(context, data_dict)


@register_action
@toolkit.chained_action
@toolkit.side_effect_free
def dcat_catalog_show(up_func, context, data_dict):
    """A catalog page (``/catalog.<fmt>``) assembled from the datasets' ready fragments."""
    return _catalog("dcat_catalog_show", up_func, context, data_dict)


@register_action
@toolkit.chained_action
@toolkit.side_effect_free
def dcat_catalog_search(up_func, context, data_dict):
    """Like dcat_catalog_show (ckanext-dcat keeps both names)."""
    return _catalog("dcat_catalog_search", up_func, context, data_dict)


@register_action
@toolkit.chained_action
@toolkit.side_effect_free
def dcat_dataset_show(up_func, context, data_dict):
    """One dataset (``/dataset/<id>.<fmt>``) from its ready fragment."""
    if not cache.serves(data_dict):
        return up_func(context, data_dict)
    toolkit.check_access("dcat_dataset_show", context, data_dict)
    dataset_dict = toolkit.get_action("package_show")(context, data_dict)
    return _assembled(lambda: cache.dataset_document(dataset_dict, data_dict.get("format"),
                                                     cache.configured_profiles()), up_func, context, data_dict)


@register_action
@toolkit.chained_action
@toolkit.side_effect_free
def package_search(up_func, context, data_dict):
    """Given ``context[SEARCH_FIELDS]`` (our DCAT catalog actions set it around ckanext-dcat's own search), ask
    the index for those fields (``fl``) instead of whole decoded dicts; any other call is untouched."""
    fields = context.get(SEARCH_FIELDS)
    if fields and not data_dict.get("fl"):
        data_dict = dict(data_dict, fl=list(fields))
    return up_func(context, data_dict)
