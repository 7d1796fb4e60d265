"""A search box query that does not parse, read as its plain words (the search pages' fallback; the API keeps
refusing it with 400).

CKAN reads ``q`` as free text (dismax) when it holds no colon and as Lucene syntax otherwise; :func:`unreadable`
asks the same parser the backends use (:func:`.request.parse_q`) in the same mode. :func:`plain_words` keeps
the words, numbers and codes of the query and drops operators (AND, OR, NOT, ``+``, ``-``, ``!``, ``&&``,
``||``), quotes, parentheses, brackets, field prefixes' colons and boosts.

Example::

    >>> unreadable('"unclosed', {}) is not None
    True
    >>> plain_words('16.6.2 OR (women')
    ['16.6.2', 'women']
"""
from __future__ import annotations

import re
from typing import Any, Optional

from . import lucene
from .request import parse_q

# a word: letters or digits, joined inside by dots, hyphens or apostrophes (16.6.2, co-design, l'eau)
_WORD = re.compile(r"\w+(?:[.\-'’]\w+)*")
OPERATORS = frozenset({"AND", "OR", "NOT", "TO"})
DISMAX = "dismax"


def mode(q: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters CKAN's query step adds that change how ``q`` is read (``defType``, ``q.op``)."""
    def_type = params.get("defType") or DISMAX
    chosen = def_type if ":" not in q or def_type == "edismax" else None
    return {"defType": chosen, "mm": params.get("mm"), "q.op": params.get("q.op", "AND")}


def unreadable(q: Optional[str], params: dict[str, Any]) -> Optional[str]:
    """Why ``q`` cannot be read as a query (the parser's words, for the log), or None when it can."""
    text = (q or "").strip()
    if not text:
        return None
    try:
        parse_q(text, mode(text, params))
    except lucene.QuerySyntaxError as err:
        return str(err)
    return None


def plain_words(q: Optional[str]) -> list[str]:
    """The words of ``q``, in order, without operators and syntax."""
    return [w for w in _WORD.findall(q or "") if w not in OPERATORS]
