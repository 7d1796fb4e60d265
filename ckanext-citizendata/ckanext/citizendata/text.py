"""Text folding shared by the search index and the vocabulary registry."""
from __future__ import annotations

import re
import unicodedata


# an e-mail address as every way in takes it (the record validator, the harvest mappings): one "@", a dot after it
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def fold(text: str) -> str:
    """Accents and other combining marks removed (also Arabic short vowels), case kept:
    ``fold("Discriminación") == "Discriminacion"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def natural_key(code: str) -> tuple:
    """Sort key for codes: numbers compare as numbers, ``"1.10"`` after ``"1.9"``."""
    return tuple((0, int(part), "") if part.isdecimal() else (1, 0, part) for part in re.split(r"[.\-_]", code))


_UNREADABLE = re.compile("[\x00\ud800-\udfff]")


def unreadable(text: str) -> str | None:
    """What makes ``text`` unfit for any field or query, else None: a NUL character (PostgreSQL text cannot hold
    it) or a lone surrogate (not Unicode text; it cannot be encoded), with its position counted from 1:
    ``unreadable("a\\x00b") == "a NUL character (U+0000) at position 2"``."""
    found = _UNREADABLE.search(text)
    if found is None:
        return None
    char = found.group()
    what = "a NUL character" if char == "\x00" else "a lone surrogate"
    return f"{what} (U+{ord(char):04X}) at position {found.start() + 1}"


def N_(message: str) -> str:
    """Marks a message for extraction (Babel's ``N_`` keyword) where it is defined; it is translated with
    ``toolkit._`` where it is shown, at request time: ``HEADINGS = {"due": N_("Assessment due")}``."""
    return message
