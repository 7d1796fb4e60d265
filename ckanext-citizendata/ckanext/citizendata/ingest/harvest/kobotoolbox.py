"""(being written: see issue 13)"""
from __future__ import annotations

from typing import Any, Iterator

from .listing import Fetcher, Page, SourceSpec

REFUSED_PATHS: tuple[str, ...] = ()


def authorize(spec: SourceSpec) -> dict[str, str]:
    return {}


def pages(spec: SourceSpec, fetcher: Fetcher, since: Any = None) -> Iterator[Page]:
    raise NotImplementedError
