"""Bounds on what a search may ask, checked before any backend compiles a query (``ckanext.citizendata.limits.*``).

Two places check them. ``before_dataset_search`` (CKAN's package_search, so the API, the dataset pages and the
DCAT catalog) checks the parameters as the client sent them: ``q`` and ``fq`` (characters, terms, nesting),
``sort`` and ``facet.field`` (text), the ``include_*`` flags (booleans). The seam (:mod:`.request`) checks every
query string it is handed, CKAN's own filters included, for nesting and unreadable characters, so no caller can
make a backend recurse past Python's stack. Each refusal names the parameter, the limit's key and the rule.

Example::

    >>> check_text("q", "water", max_chars=2000)
    'water'
    >>> check_text("q", "a\\x00b")
    Traceback (most recent call last):
    ckanext.citizendata.search.limits.LimitExceeded: q: a NUL character (U+0000) at position 2, which no query can hold
"""
from __future__ import annotations

from typing import Any, Optional

from ckan.lib.search.common import SearchQueryError
from ckan.plugins import toolkit
from luqum import tree

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.record.coerce import CKAN_BOOLEAN_WORDS
from ckanext.citizendata.text import unreadable

from . import lucene

FLAGS = ("include_private", "include_drafts", "include_deleted")
BOOLEAN_WORDS = CKAN_BOOLEAN_WORDS | {""}   # an empty flag is CKAN's false


class LimitExceeded(ValueError):
    """A search parameter over one of the bounds, or text no query can hold; the message says which."""


def key(name: str) -> str:
    """The configuration key of a limit: ``key("q_chars") == "ckanext.citizendata.limits.q_chars"``."""
    return cd_config.LIMITS + name


def check_text(name: str, value: Any, max_chars: Optional[int] = None, limit: str = "") -> str:
    """``value`` as text, refused when it holds a NUL or a lone surrogate or, with ``max_chars``, is longer (the
    message names ``limit``, the limit's short name)."""
    text = "" if value is None else str(value)
    bad = unreadable(text)
    if bad:
        raise LimitExceeded(f"{name}: {bad}, which no query can hold")
    if max_chars and len(text) > max_chars:
        raise LimitExceeded(f"{name}: {len(text)} characters, more than the limit of {max_chars} ({key(limit)})")
    return text


def tree_check(name: str, max_depth: Optional[int], max_clauses: Optional[int] = None) -> lucene.Check:
    """A check for :func:`.lucene.parse`: the parsed ``name`` is at most ``max_depth`` deep and has at most
    ``max_clauses`` terms (a bound of 0 or None is no bound)."""

    def check(ast: tree.Item) -> None:
        depth, clauses = lucene.shape(ast, stop_at_depth=(max_depth + 1) if max_depth else None)
        if max_depth and depth > max_depth:
            raise LimitExceeded(f"{name}: nested more than {max_depth} deep (parentheses, NOT, +/-, fields and "
                                f"operators each add one), the limit ({key('query_depth')})")
        if max_clauses and clauses > max_clauses:
            raise LimitExceeded(f"{name}: {clauses} terms, more than the limit of {max_clauses} "
                                f"({key('query_clauses')})")

    return check


def check_query(name: str, value: Any, limits: dict[str, int]) -> None:
    """``q`` or one ``fq`` as the client sent it: its characters (``q_chars`` / ``fq_chars``), terms and nesting."""
    chars = "q_chars" if name == "q" else "fq_chars"
    text = check_text(name, value, limits[chars], chars)
    try:
        lucene.check_syntax(text, tree_check(name, limits["query_depth"], limits["query_clauses"]))
    except lucene.QuerySyntaxError:
        pass  # the syntax is the seam's to report, with the rest of the request


def _texts(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [] if value is None else [value]


def check_search_params(data_dict: dict[str, Any]) -> dict[str, Any]:
    """IPackageController.before_dataset_search: refuse what the client sent beyond the bounds (SearchQueryError,
    answered 400) and flags that are not booleans (ValidationError, answered 409, as CKAN answers ``rows=abc``).
    Returns ``data_dict`` unchanged."""
    errors = {flag: [f"{data_dict[flag]!r} is not true or false"] for flag in FLAGS
              if flag in data_dict and not _is_boolean(data_dict[flag])}
    if errors:
        raise toolkit.ValidationError(errors)
    limits = cd_config.query_limits()
    try:
        for name in ("q", "fq"):
            for value in _texts(data_dict.get(name)):
                check_query(name, value, limits)
        for value in _texts(data_dict.get("fq_list")):
            check_query("fq_list", value, limits)
        for name in ("sort", "facet.field", "fl", "defType", "q.op", "mm"):
            for value in _texts(data_dict.get(name)):
                check_text(name, value)
    except LimitExceeded as err:
        raise SearchQueryError(str(err)) from err
    return data_dict


def _is_boolean(value: Any) -> bool:
    return isinstance(value, bool) or (isinstance(value, (str, int)) and str(value).strip().lower() in BOOLEAN_WORDS)
