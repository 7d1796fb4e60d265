"""In-memory item schemes (code lists, concept schemes) as the writer takes them, and SDMX ids.

A :class:`Scheme` is a maintainable artefact (agency, id, version) with localized names and
descriptions (``{"en": "...", "fr": "..."}``) and a flat list of :class:`Item` whose ``parent``
names another item of the same scheme (simple hierarchy, as SKOS ``broader``).

Example::

    sex = Scheme(agency="IAEG-SDGs", id="CL_SEX", version="1.1", names={"en": "Sex"},
                 descriptions={}, kind="codelist",
                 items=[Item("_T", {"en": "Both sexes or no breakdown by sex"}),
                        Item("F", {"en": "Female"}), Item("M", {"en": "Male"})])
    validate_scheme(sex)   # raises ValueError on an id SDMX would reject
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Literal

Kind = Literal["codelist", "conceptscheme"]
KINDS: tuple[str, ...] = ("codelist", "conceptscheme")

#: The language a single-language field (SDMX-JSON ``name``) is taken from when present.
DEFAULT_LANG = "en"

#: Annotation type that keeps an item's original notation when its SDMX id had to change.
NOTATION_ANNOTATION = "NOTATION"

#: Prefix put before an id that must be an NCName (concepts) but does not start with a letter.
NCNAME_PREFIX = "C"

# SDMX-ML 3.0 common:IDType, NCNameIDType and NestedNCNameIDType (agency ids).
ID_PATTERN = re.compile(r"[A-Za-z0-9_@$\-]+")
NCNAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
AGENCY_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*(\.[A-Za-z][A-Za-z0-9_\-]*)*")

_NOT_ID_CHAR = re.compile(r"[^A-Za-z0-9_@$\-]")
_NOT_NCNAME_CHAR = re.compile(r"[^A-Za-z0-9_\-]")


@dataclasses.dataclass(frozen=True)
class Item:
    """A code or a concept.

    ``id`` is the SDMX id (see :func:`sdmx_id`); ``notation`` is the original notation, written
    as a ``NOTATION`` annotation when it differs from ``id``; ``parent`` is the SDMX id of
    another item of the same scheme.

    Example::

        Item("16_6_2", {"en": "Satisfaction with public services"}, notation="16.6.2")
    """

    id: str
    names: dict[str, str]
    descriptions: dict[str, str] = dataclasses.field(default_factory=dict)
    parent: str | None = None
    notation: str | None = None

    @classmethod
    def from_notation(cls, notation: str, names: dict[str, str],
                      descriptions: dict[str, str] | None = None,
                      parent_notation: str | None = None, *, ncname: bool = False) -> Item:
        """An item whose id (and parent id) are derived from notations with :func:`sdmx_id`.

        Example::

            >>> Item.from_notation("16.6.2", {"en": "x"}, parent_notation="16.6").parent
            '16_6'
        """
        parent = sdmx_id(parent_notation, ncname=ncname) if parent_notation else None
        return cls(id=sdmx_id(notation, ncname=ncname), names=dict(names),
                   descriptions=dict(descriptions or {}), parent=parent, notation=notation)

    @property
    def changed_notation(self) -> str | None:
        """The original notation when it is not the id itself, else None.

        Example::

            >>> Item("16_6_2", {}, notation="16.6.2").changed_notation
            '16.6.2'
        """
        return self.notation if self.notation is not None and self.notation != self.id else None


@dataclasses.dataclass(frozen=True)
class Scheme:
    """A code list or concept scheme, identified by (kind, agency, id, version).

    Example::

        Scheme("CITIZENDATA", "CL_ENGAGEMENT_LEVEL", "1.0", {"en": "Engagement levels"}, {}, [],
               "codelist")
    """

    agency: str
    id: str
    version: str
    names: dict[str, str]
    descriptions: dict[str, str]
    items: list[Item]
    kind: Kind

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(kind, agency, id, version), unique in a structure message.

        Example::

            >>> Scheme("A", "CL_X", "1.0", {}, {}, [], "codelist").key
            ('codelist', 'A', 'CL_X', '1.0')
        """
        return (self.kind, self.agency, self.id, self.version)


def sdmx_id(notation: str, *, ncname: bool = False) -> str:
    """Turn a notation into a valid SDMX id.

    Accents are dropped (``é`` -> ``e``), then every character outside the SDMX ``IDType``
    alphabet ``[A-Za-z0-9_@$-]`` becomes ``_`` (one for one, nothing collapsed, so distinct
    notations of equal length stay distinct). With ``ncname=True`` the result is an
    ``NCNameIDType`` as SDMX requires for concept ids: ``@`` and ``$`` become ``_`` too, and
    an id not starting with a letter gets the prefix :data:`NCNAME_PREFIX`.

    Example::

        >>> sdmx_id("16.6.2"), sdmx_id("_T"), sdmx_id("1"), sdmx_id("1", ncname=True)
        ('16_6_2', '_T', '1', 'C1')

    Raises ValueError for an empty notation.
    """
    text = unicodedata.normalize("NFKD", str(notation).strip())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if not text:
        raise ValueError("an empty notation has no SDMX id")
    if not ncname:
        return _NOT_ID_CHAR.sub("_", text)
    text = _NOT_NCNAME_CHAR.sub("_", text)
    return text if text[0].isascii() and text[0].isalpha() else NCNAME_PREFIX + text


def best_text(texts: dict[str, str]) -> tuple[str, str] | None:
    """(language, text) for a single-language field: :data:`DEFAULT_LANG` if present, else the
    first language given; None when there is no text.

    Example::

        >>> best_text({"fr": "Femme", "en": "Female"})
        ('en', 'Female')
    """
    if not texts:
        return None
    lang = DEFAULT_LANG if DEFAULT_LANG in texts else next(iter(texts))
    return lang, texts[lang]


def names_or_id(names: dict[str, str], fallback_id: str) -> dict[str, str]:
    """The names to write: SDMX requires a name, so an artefact without one is named by its id
    (in :data:`DEFAULT_LANG`).

    Example::

        >>> names_or_id({}, "F")
        {'en': 'F'}
    """
    return dict(names) if names else {DEFAULT_LANG: fallback_id}


def validate_scheme(scheme: Scheme) -> None:
    """Raise ValueError if SDMX would reject the scheme: unknown kind, bad agency/scheme id,
    an item id that is not an SDMX id (an NCName for concepts), duplicate item ids, or a
    parent that is not an item of the scheme.

    Example::

        >>> validate_scheme(Scheme("A", "CL_X", "1.0", {}, {}, [Item("1.2", {})], "codelist"))
        Traceback (most recent call last):
        ValueError: CL_X: item id '1.2' is not a valid SDMX id; use sdmx_id('1.2')
    """
    _check_identity(scheme)
    _check_items(scheme)


def _check_identity(scheme: Scheme) -> None:
    """The scheme's kind, agency, id and version."""
    if scheme.kind not in KINDS:
        raise ValueError(f"{scheme.id}: unknown kind {scheme.kind!r}, expected one of {KINDS}")
    _check(AGENCY_PATTERN, scheme.agency, f"agency {scheme.agency!r} is not an SDMX agency id")
    _check(NCNAME_PATTERN, scheme.id, f"scheme id {scheme.id!r} is not an SDMX NCName id")
    _check(re.compile(r"\S+"), scheme.version, f"{scheme.id}: empty version")


def _check_items(scheme: Scheme) -> None:
    """Every item id valid (an NCName in a concept scheme) and unique; every parent an item of the scheme."""
    ncname = scheme.kind == "conceptscheme"
    ids = [item.id for item in scheme.items]
    for item_id in ids:
        _check_item_id(scheme.id, item_id, ncname)
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{scheme.id}: duplicate item ids {duplicates}")
    orphans = sorted({i.parent for i in scheme.items if i.parent and i.parent not in ids})
    if orphans:
        raise ValueError(f"{scheme.id}: parents {orphans} are not items of the scheme")


def _check_item_id(scheme_id: str, item_id: str, ncname: bool) -> None:
    pattern = NCNAME_PATTERN if ncname else ID_PATTERN
    hint = ", ncname=True" if ncname else ""
    _check(pattern, item_id, f"{scheme_id}: item id {item_id!r} is not a valid SDMX id; "
                             f"use sdmx_id({item_id!r}{hint})")


def _check(pattern: re.Pattern[str], value: str, message: str) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError(message)
