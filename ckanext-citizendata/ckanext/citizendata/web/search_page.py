"""The search pages forgive: what a search page's address asks that the search cannot read never costs the
visitor the page (its search box with their text, its filters).

Where: CKAN's dataset search view (and the organization and group pages, which search their datasets) turns a
``SearchQueryError`` into a bare 400 page with the parser's words. A ``before_request`` hook marks those pages
(``g.citizendata_search_page``); the ``before_dataset_search`` hook, when the page is marked and the search is
the one the page's address asks for (its ``q``), then

- reads a ``q`` that does not parse as its plain words (:mod:`..search.forgive`) and leaves a notice for the
  page ("Your search could not be read as a query; showing results for the words: ..."), status 200;
- for a ``sort`` or a filter (``fq``, built by CKAN from the address) that cannot be read, or a ``q`` beyond the
  search limits, runs no search (``abort_search``: no results) and leaves a plain message; the page answers 400.

Calls of ``package_search`` not marked (the API, the DCAT catalog, helpers) are unchanged: the API still refuses
such a ``q`` with 400 and a message naming it.

Example::

    GET /dataset/?q=%22unclosed   -> 200, results for "unclosed", the notice, the search box holding "unclosed
    GET /dataset/?sort=bad        -> 400, the search page: "The sort order in this address cannot be used ..."
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from ckan.lib.search.common import SearchQueryError
from ckan.plugins import toolkit
from flask import current_app, g, request

from ckanext.citizendata.search import forgive, lucene
from ckanext.citizendata.search.request import RequestError, parse_sort

log = logging.getLogger(__name__)

# (module, name) of the views that search datasets with the visitor's q and filters
SEARCH_VIEWS = {("ckan.views.dataset", "search"), ("ckan.views.group", "read")}
PAGE = "citizendata_search_page"
NOTICE = "citizendata_search_notice"      # the fallback's words (a list), for the page
REFUSED = "citizendata_search_refused"    # a plain message: what in the address was not used


def install(app: Any) -> None:
    app.before_request(mark_search_page)
    app.after_request(refused_status)


def mark_search_page() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if (getattr(view, "__module__", None), getattr(view, "__name__", None)) in SEARCH_VIEWS:
        setattr(g, PAGE, True)


def refused_status(response: Any) -> Any:
    """A search page that refused part of its address answers 400 (the page itself is whole)."""
    if getattr(g, REFUSED, None) and response.status_code == 200:
        response.status_code = 400
    return response


def _is_page_search(data_dict: dict[str, Any]) -> bool:
    try:
        marked = bool(getattr(g, PAGE, False))
    except RuntimeError:  # outside a request (CLI, jobs)
        return False
    return marked and (data_dict.get("q") or "") == request.args.get("q", "")


def before_dataset_search(data_dict: dict[str, Any], check: Callable[[dict], dict]) -> dict[str, Any]:
    """IPackageController.before_dataset_search: ``check`` (the search limits) for every caller; on a marked
    search page, the fallback and the refusals described above."""
    if not _is_page_search(data_dict):
        return check(data_dict)
    _forgive_q(data_dict)
    try:
        data_dict = check(data_dict)
    except SearchQueryError as err:
        return _refuse(data_dict, toolkit._("Your search is too long or too complex to run; shorten it."), err)
    message = _unreadable_sort_or_filter(data_dict)
    return _refuse(data_dict, message, None) if message else data_dict


def _forgive_q(data_dict: dict[str, Any]) -> None:
    q = data_dict.get("q") or ""
    why = forgive.unreadable(q, data_dict)
    if why is None:
        return
    words = forgive.plain_words(q)
    log.info("search page: q %r read as the words %r (%s)", q, words, why)
    data_dict["q"] = " ".join(words)
    setattr(g, NOTICE, words)


def _unreadable_sort_or_filter(data_dict: dict[str, Any]) -> str:
    sort = data_dict.get("sort")
    try:
        parse_sort(None if sort == "rank" else sort)
    except RequestError:
        return toolkit._("The sort order in this address cannot be used; choose one from the list.")
    for fq in [data_dict.get("fq"), *(data_dict.get("fq_list") or [])]:
        try:
            lucene.parse(fq)
        except lucene.QuerySyntaxError:
            return toolkit._("A filter in this address cannot be read; remove it to search again.")
    return ""


def _refuse(data_dict: dict[str, Any], message: str, err: Any) -> dict[str, Any]:
    log.info("search page: nothing searched: %s (%s)", message, err)
    setattr(g, REFUSED, message)
    data_dict["abort_search"] = True
    return data_dict
