"""Text folding shared by the search index and the vocabulary registry."""
from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Accents and other combining marks removed (also Arabic short vowels), case kept:
    ``fold("Discriminación") == "Discriminacion"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def natural_key(code: str) -> tuple:
    """Sort key for codes: numbers compare as numbers, ``"1.10"`` after ``"1.9"``."""
    return tuple((0, int(part), "") if part.isdecimal() else (1, 0, part) for part in re.split(r"[.\-_]", code))
