"""Countries by ISO 3166-1 alpha-3 code (pycountry): the allowed codes, names, and UN M49 codes both ways.

Example::

    >>> name("GHA"), m49("GHA")
    ('Ghana', '288')
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

import pycountry


@lru_cache(maxsize=1)
def codes() -> frozenset:
    return frozenset(c.alpha_3 for c in pycountry.countries)


def name(code: str) -> str:
    """The country's name, or the code itself when unknown."""
    country = pycountry.countries.get(alpha_3=str(code))
    return country.name if country else str(code)


def m49(code: str) -> Optional[str]:
    """The UN M49 code of a country (its ISO 3166-1 numeric code), None when unknown."""
    country = pycountry.countries.get(alpha_3=str(code))
    return country.numeric if country else None


def from_m49(code: str) -> Optional[str]:
    """The alpha-3 code of a country's UN M49 code, with or without leading zeros (``"76"`` or ``"076"`` ->
    ``"BRA"``); None when no country has it."""
    if not str(code).isdigit():
        return None
    country = pycountry.countries.get(numeric=str(code).zfill(3))
    return country.alpha_3 if country else None
