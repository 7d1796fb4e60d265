"""Solr/Lucene query syntax, parsed with luqum into the neutral nodes of :mod:`.interface`.

Covers what CKAN core, ckanext-dcat and ckanext-harvest send: words, phrases, ``field:value``,
AND / OR / NOT, ``+`` / ``-``, groups and field groups, ranges with ``*`` and ``NOW`` date math, prefix and
wildcard terms, ``*:*`` and ``field:*``; plus dismax's ``mm`` (minimum should match) for free-text ``q``.
Boosts, fuzziness and proximity are accepted and ignored (they only change ranking in Solr).

Example::

    >>> parse('name:"x" OR id:"x"')
    Bool(must=(), should=(Phrase(field='name', text='x'), Phrase(field='id', text='x')), must_not=(), minimum_should_match=1)
"""
from __future__ import annotations

import datetime
import math
import re
import threading
from typing import Callable, Optional

from dateutil.relativedelta import relativedelta
from luqum import tree
from luqum.exceptions import ParseError
from luqum.parser import parser as _luqum_parser

from .interface import (
    Bool,
    Exists,
    MatchAll,
    Node,
    Phrase,
    Prefix,
    Range,
    Term,
    Wildcard,
)


class QuerySyntaxError(ValueError):
    """A query string that cannot be parsed or uses syntax we do not support; the message says which."""


# luqum's parser is one PLY parser with one module-level lexer, both stateful: two threads parsing at once (gunicorn's
# gthread workers, `ckan run --threaded`) corrupt each other's tokens ("unexpected end of expression" on valid queries)
_PARSING = threading.Lock()
_ESCAPED = re.compile(r"\\(.)")
_DATE_MATH = re.compile(r"^NOW((?:[+-]\d+[A-Z]+|/[A-Z]+)*)$")
_DATE_STEP = re.compile(r"([+-])(\d+)([A-Z]+)|/([A-Z]+)")
_UNITS = {
    "YEAR": "years", "YEARS": "years", "MONTH": "months", "MONTHS": "months",
    "DAY": "days", "DAYS": "days", "DATE": "days", "HOUR": "hours", "HOURS": "hours",
    "MINUTE": "minutes", "MINUTES": "minutes", "SECOND": "seconds", "SECONDS": "seconds",
    "MILLI": "milliseconds", "MILLIS": "milliseconds", "MILLISECOND": "milliseconds",
    "MILLISECONDS": "milliseconds",
}


def unescape(value: str) -> str:
    """``foo\\:bar`` -> ``foo:bar``."""
    return _ESCAPED.sub(r"\1", value)


#: called with the parsed luqum tree before it is converted (e.g. to refuse a query nested too deep)
Check = Optional[Callable[[tree.Item], None]]


def parse(query: Optional[str], default_and: bool = True, now: Optional[datetime.datetime] = None,
          check: Check = None) -> Node:
    """Parse a Lucene query string; implicit operators mean AND when ``default_and`` (CKAN sends q.op=AND)."""
    ast = _luqum(query, check)
    if ast is None:
        return MatchAll()
    return _Converter(default_and, now).convert(ast, None)


def parse_dismax(query: Optional[str], mm: Optional[str], now: Optional[datetime.datetime] = None,
                 check: Check = None) -> Node:
    """Parse free text the way Solr's (e)dismax does: top-level plain clauses are optional and
    ``mm`` says how many must match (CKAN's default ``2<-1 5<80%``)."""
    if mm:
        min_should_match(mm, 1)  # a malformed mm is an error even when the query has one word
    ast = _luqum(query, check)
    if ast is None:
        return MatchAll()
    node = _Converter(False, now).convert(ast, None)
    if isinstance(ast, tree.UnknownOperation) and isinstance(node, Bool) and node.should:
        required = min_should_match(mm or "100%", len(node.should))
        return Bool(node.must, node.should, node.must_not, max(required, 0 if node.must else 1))
    return node


def check_syntax(query: Optional[str], check: Check) -> None:
    """Parse ``query`` and run ``check`` on its luqum tree without converting it (a bound checked before the
    search, which parses again): ``check_syntax("a AND b", refuse_deep)``."""
    _luqum(query, check)


def _luqum(query: Optional[str], check: Check = None) -> Optional[tree.Item]:
    text = "" if query is None else str(query).strip()
    if text in ("", '""', "''"):
        return None
    try:
        with _PARSING:
            ast = _luqum_parser.parse(text)
    except (ParseError, TypeError, ValueError) as err:
        raise QuerySyntaxError(f"cannot parse query {query!r}: {err}") from err
    if check is not None:
        check(ast)
    return ast


_LEAVES = (tree.Word, tree.Phrase, tree.Regex, tree.Range, tree.From, tree.To)


def shape(ast: tree.Item, stop_at_depth: Optional[int] = None) -> tuple[int, int]:
    """(nesting depth, number of terms) of a parsed query, walked without recursion (a query 10,000 deep is
    measured, not a RecursionError). A term (word, phrase, range) is depth 0, each node above it one more:
    ``shape(parser.parse("a AND (b OR NOT c)")) == (4, 3)``. With ``stop_at_depth`` the walk stops at the first
    node that deep (the depth returned is then that bound)."""
    depth = clauses = 0
    stack = [(ast, 0)]  # (node, how many nodes above it)
    while stack:
        node, above = stack.pop()
        if isinstance(node, _LEAVES):
            clauses += 1
            depth = max(depth, above + (1 if isinstance(node, (tree.Range, tree.From, tree.To)) else 0))
            continue
        children = list(node.children)
        depth = max(depth, above + (1 if children else 0))
        if stop_at_depth is not None and depth >= stop_at_depth:
            return stop_at_depth, clauses
        stack.extend((child, above + 1) for child in children)
    return depth, clauses


def min_should_match(spec: str, clauses: int) -> int:
    """Solr's mm rule: ``min_should_match("2<-1 5<80%", 4) == 3``."""
    spec = spec.strip()
    if "<" not in spec:
        return _mm_value(spec, clauses)
    required = clauses
    for part in spec.split():
        threshold, _, value = part.partition("<")
        if not threshold.isdigit():
            raise QuerySyntaxError(f"invalid mm (minimum should match) spec {spec!r}")
        if clauses > int(threshold):
            required = _mm_value(value, clauses)
    return required


def _mm_value(value: str, clauses: int) -> int:
    try:
        if value.endswith("%"):
            pct = int(value[:-1])
            count = math.floor(clauses * abs(pct) / 100)
            result = count if pct >= 0 else clauses - count
        else:
            number = int(value)
            result = number if number >= 0 else clauses + number
    except ValueError as err:
        raise QuerySyntaxError(f"invalid mm (minimum should match) value {value!r}") from err
    return max(0, min(clauses, result))


def resolve_date(value: str, now: datetime.datetime) -> datetime.datetime:
    """An ISO date or Solr date math (``NOW-1DAY/DAY``) as an aware datetime."""
    match = _DATE_MATH.match(value)
    if not match:
        try:
            parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as err:
            raise QuerySyntaxError(f"{value!r} is not a date (ISO 8601 or NOW date math)") from err
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)
    result = now
    for sign, amount, unit, round_unit in _DATE_STEP.findall(match.group(1)):
        if round_unit:
            result = _round_down(result, _unit(round_unit))
            continue
        try:
            delta = _delta(_unit(unit), int(amount))
            result = result + delta if sign == "+" else result - delta
        except (OverflowError, ValueError) as err:  # beyond year 1 or 9999
            raise QuerySyntaxError(f"{value!r} is outside the calendar (years 1 to 9999)") from err
    return result


def _delta(unit: str, amount: int) -> relativedelta:
    """``amount`` of a date math unit (relativedelta counts no milliseconds: they are 1000 microseconds)."""
    if unit == "milliseconds":
        return relativedelta(microseconds=amount * 1000)
    return relativedelta(**{unit: amount})


def _unit(name: str) -> str:
    if name not in _UNITS:
        raise QuerySyntaxError(f"unknown date math unit {name!r}")
    return _UNITS[name]


def _round_down(value: datetime.datetime, unit: str) -> datetime.datetime:
    order = ["years", "months", "days", "hours", "minutes", "seconds", "milliseconds"]
    keep = order.index(unit)
    fields = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "microsecond": 0}
    names = ["month", "day", "hour", "minute", "second", "microsecond"]
    return value.replace(**{name: fields[name] for name in names[keep:]})


def is_date_field(field: Optional[str]) -> bool:
    return bool(field) and (field in ("metadata_modified", "metadata_created", "indexed_ts")
                            or field.endswith("_date"))


class _Converter:
    """Walks the luqum tree; one method per node type, dispatched by class name."""

    def __init__(self, default_and: bool, now: Optional[datetime.datetime]):
        self.default_and = default_and
        self.now = now or datetime.datetime.now(datetime.timezone.utc)

    def convert(self, node: tree.Item, field: Optional[str]) -> Node:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise QuerySyntaxError(f"unsupported query syntax: {node!s} ({type(node).__name__})")
        return method(node, field)

    # --- boolean structure
    def _clauses(self, children, field, implicit_and):
        must, should, must_not = [], [], []
        for child in children:
            if isinstance(child, tree.Plus):
                must.append(self.convert(child.a, field))
            elif isinstance(child, (tree.Prohibit, tree.Not)):
                must_not.append(self.convert(child.a, field))
            elif implicit_and:
                must.append(self.convert(child, field))
            else:
                should.append(self.convert(child, field))
        return must, should, must_not

    def _UnknownOperation(self, node, field):
        must, should, must_not = self._clauses(node.children, field, self.default_and)
        return _bool(must, should, must_not, 1 if should and not must else 0)

    def _AndOperation(self, node, field):
        must, should, must_not = self._clauses(node.children, field, True)
        return _bool(must, should, must_not, 0)

    def _OrOperation(self, node, field):
        must, should, must_not = [], [], []
        for child in node.children:
            if isinstance(child, (tree.Prohibit, tree.Not)):
                # "a OR NOT b": documents matching a, or not matching b
                should.append(Bool(must=(MatchAll(),), must_not=(self.convert(child.a, field),)))
            else:
                target = child.a if isinstance(child, tree.Plus) else child
                (must if isinstance(child, tree.Plus) else should).append(self.convert(target, field))
        return _bool(must, should, must_not, 1 if should and not must else 0)

    def _Plus(self, node, field):
        return self.convert(node.a, field)

    def _Not(self, node, field):
        return Bool(must=(MatchAll(),), must_not=(self.convert(node.a, field),))

    _Prohibit = _Not

    def _Group(self, node, field):
        return self.convert(node.expr, field)

    _FieldGroup = _Group

    def _Boost(self, node, field):
        return self.convert(node.expr, field)

    def _Fuzzy(self, node, field):
        return self.convert(node.term, field)

    def _Proximity(self, node, field):
        return self.convert(node.term, field)

    def _SearchField(self, node, field):
        name = unescape(node.name)
        if name == "*" and isinstance(node.expr, tree.Word) and node.expr.value == "*":
            return MatchAll()
        if isinstance(node.expr, tree.SearchField):
            raise QuerySyntaxError(f"nested field {name}:{node.expr!s} is not valid")
        return self.convert(node.expr, name)

    # --- leaves
    def _Word(self, node, field):
        raw = node.value
        if raw == "*":
            return Exists(field) if field else MatchAll()
        if raw in ("AND", "OR", "NOT", "&&", "||"):
            raise QuerySyntaxError(f"operator {raw} needs a term on each side")
        if _has_wildcard(raw):
            return _pattern(field, raw)
        return _exact_or_prefix(field, unescape(raw), Term)

    def _Phrase(self, node, field):
        return _exact_or_prefix(field, unescape(node.value[1:-1]), Phrase)

    def _Regex(self, node, field):
        raise QuerySyntaxError(f"regular expressions are not supported: {node!s}")

    def _Range(self, node, field):
        if not field:
            raise QuerySyntaxError(f"a range needs a field: {node!s}")
        low, high = (self._bound(b, field) for b in (node.low, node.high))
        return Range(field, low, high, bool(node.include_low), bool(node.include_high))

    def _From(self, node, field):
        return Range(field, self._bound(node.a, field), None, bool(node.include))

    def _To(self, node, field):
        return Range(field, None, self._bound(node.a, field), True, bool(node.include))

    def _bound(self, node, field):
        sign = ""
        if isinstance(node, tree.Prohibit):  # luqum reads the "-" of "[-1 TO 1]" as an operator
            sign, node = "-", node.a
        if not isinstance(node, (tree.Word, tree.Phrase)):
            raise QuerySyntaxError(f"a range bound must be a value, not {node!s}")
        value = sign + unescape(node.value[1:-1] if isinstance(node, tree.Phrase) else node.value)
        if value == "*":
            return None
        if is_date_field(field) or value.startswith("NOW"):
            return resolve_date(value, self.now)
        return value


def _has_wildcard(text: str) -> bool:
    """Whether ``text`` has a ``*`` or ``?`` that is not escaped."""
    literal = _ESCAPED.sub("", text)
    return "*" in literal or "?" in literal


def _pattern(field: Optional[str], raw: str) -> Node:
    """A word with wildcards: a Prefix when its only one is a final ``*`` (``wat*``), else a Wildcard."""
    body = raw[:-1]
    if raw.endswith("*") and not _has_wildcard(body):
        return Prefix(field, unescape(body))
    return Wildcard(field, raw)


def _exact_or_prefix(field: Optional[str], value: str, leaf: type) -> Node:
    """``leaf(field, value)`` (a Term or a Phrase); on ``*_ngram`` fields (autocomplete) a Prefix."""
    if field and field.endswith("_ngram"):
        return Prefix(field, value)
    return leaf(field, value)


def _bool(must, should, must_not, minimum) -> Node:
    """Build a Bool, collapsing the trivial one-clause cases."""
    if len(must) == 1 and not should and not must_not:
        return must[0]
    if len(should) == 1 and not must and not must_not:
        return should[0]
    if not must and not should and must_not:
        must = [MatchAll()]  # a purely negative query means "everything except"
    return Bool(tuple(must), tuple(should), tuple(must_not), minimum)
