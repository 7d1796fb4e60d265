"""Text folding shared by the search index and the vocabulary registry."""
from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Accents and other combining marks removed (also Arabic short vowels), case kept:
    ``fold("Discriminación") == "Discriminacion"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))
