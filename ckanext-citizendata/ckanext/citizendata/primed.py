"""Answers read ahead for a batch of records: a bulk job (the index rebuild) reads, in one query per kind, what the
per-record lookups of CKAN's hooks would each ask the database for, and those lookups answer from it while the
batch lasts. Outside a batch, or for a key the batch did not read, a lookup reads as it always does.

Example::

    with primed.batch({"listed_at": {"<id>": [...]}}):
        primed.lookup("listed_at", "<id>", lambda: read_one("<id>"))   # the primed answer, no query
"""
from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Callable, Iterator, Mapping

_answers: contextvars.ContextVar[Mapping[str, Mapping[Any, Any]] | None] = contextvars.ContextVar(
    "citizendata_primed", default=None)


@contextlib.contextmanager
def batch(answers: Mapping[str, Mapping[Any, Any]]) -> Iterator[None]:
    """Answer the lookups named in ``answers`` (kind -> {key: answer}) from it inside the block; every key the
    batch covers must be in its kind's mapping (an absent key is read the usual way)."""
    token = _answers.set(answers)
    try:
        yield
    finally:
        _answers.reset(token)


def lookup(kind: str, key: Any, read: Callable[[], Any]) -> Any:
    """The primed answer of ``kind`` for ``key``, else ``read()``."""
    answers = _answers.get()
    known = answers.get(kind) if answers is not None else None
    if known is not None and key in known:
        return known[key]
    return read()
