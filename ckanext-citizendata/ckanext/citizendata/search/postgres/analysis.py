"""Text analysis of queries: each free-text term as the accent-free words as written, OR-ed with its forms under
every configured stemmer, analysed for a whole query in one round trip.

Example::

    analyse_words(session, lucene.parse("water quality"))   # {("plain", "water"): "('water') | ('water' | 'wat')", ...}
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import REGCONFIG

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.text import fold

from .. import fields as F
from ..interface import Bool, Node, Phrase, Term


def _text_terms(node: Node):
    """("plain" | "phrase", text) of every free-text term of a query tree."""
    if isinstance(node, Bool):
        for child in node.must + node.should + node.must_not:
            yield from _text_terms(child)
    elif isinstance(node, Term) and F.kind(node.field) == F.TEXT:
        yield "plain", node.value
    elif isinstance(node, Phrase) and F.kind(node.field) == F.TEXT:
        yield "phrase", node.text


def _stemmers() -> list[str]:
    return [name for name in cd_config.query_configs() if name != cd_config.text_search_config()]


def combined_query_sql(kind: str, text: str):
    """The query of one term in SQL: the accent-free words as written, OR-ed with each stemmer's forms."""
    make = sa.func.plainto_tsquery if kind == "plain" else sa.func.phraseto_tsquery
    query = make(sa.literal_column("'simple'::regconfig"), sa.literal(fold(text), sa.Text))
    for name in [cd_config.text_search_config()] + _stemmers():
        query = query.op("||")(make(sa.cast(sa.literal(name), REGCONFIG), sa.literal(text, sa.Text)))
    return query


# each term (as written; accent-free for the simple configuration) under each configuration, in one statement
_ANALYSE = sa.text("""
    SELECT t.n, c.m,
           CASE WHEN t.kind = 'phrase'
                THEN phraseto_tsquery(c.cfg::regconfig, CASE WHEN c.cfg = 'simple' THEN t.folded ELSE t.text END)
                ELSE plainto_tsquery(c.cfg::regconfig, CASE WHEN c.cfg = 'simple' THEN t.folded ELSE t.text END)
           END::text
    FROM unnest(CAST(:texts AS text[]), CAST(:folded AS text[]), CAST(:kinds AS text[]))
         WITH ORDINALITY AS t(text, folded, kind, n)
    CROSS JOIN unnest(CAST(:configs AS text[])) WITH ORDINALITY AS c(cfg, m)
""")


def analyse_words(session, node: Node) -> dict[tuple, str]:
    """One round trip for all free-text terms: each term's query text, with duplicate forms removed
    ('water' | 'wat' instead of six copies, which would skew the planner's estimate); "" when the term has
    only stop words of the default language."""
    terms = sorted(set(_text_terms(node)))
    if not terms:
        return {}
    forms = _forms(session, terms)
    return {key: _query_text(forms.get(number, {})) for number, key in enumerate(terms, 1)}


#: position (from 1) of the default language's configuration in :func:`_configs`
_DEFAULT = 2


def _configs() -> list[str]:
    """The configurations each term is analysed with: "simple" (the words as written), the default language
    (at position :data:`_DEFAULT`), the other stemmers."""
    return ["simple", cd_config.text_search_config()] + _stemmers()


def _forms(session, terms: list[tuple[str, str]]) -> dict[int, dict[int, str]]:
    """{term number: {configuration number: query text}}, numbers from 1 in the order of ``terms`` and
    :func:`_configs`."""
    rows = session.execute(_ANALYSE, {"texts": [t for _, t in terms], "folded": [fold(t) for _, t in terms],
                                      "kinds": [k for k, _ in terms], "configs": _configs()})
    forms: dict[int, dict[int, str]] = {}
    for n, m, query_text in rows:
        forms.setdefault(n, {})[m] = query_text or ""
    return forms


def _query_text(by_config: dict[int, str]) -> str:
    """One term's forms OR-ed, each once, in configuration order: ``"('water') | ('wat')"``; "" when nothing is
    left in the default language (stop words only)."""
    if not by_config.get(_DEFAULT):
        return ""
    parts: list[str] = []
    for m in sorted(by_config):
        if by_config[m] and by_config[m] not in parts:
            parts.append(by_config[m])
    return " | ".join(f"({p})" for p in parts)
