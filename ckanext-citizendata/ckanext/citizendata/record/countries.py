"""UN M49 codes of countries by ISO 3166-1 alpha-3 code and back (pycountry: a country's M49 code is its ISO
3166-1 numeric code). Which codes are countries, and their names, are the registry's scheme
``iso-3166-1-alpha-3`` like any other vocabulary.

Example::

    >>> m49("GHA"), from_m49("76")
    ('288', 'BRA')
"""
from __future__ import annotations

from typing import Optional

import pycountry


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
