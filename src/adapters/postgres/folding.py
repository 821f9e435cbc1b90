"""Case and accent folding shared by SQL and Python, so stored and searched text agree.

PostgreSQL's ``unaccent`` is a contrib extension that embedded servers (pgserver) lack, and its
``lower`` leaves accented capitals alone under the C locale. So accents (either case) are first
translated to plain lower-case letters, then ASCII is lower-cased, which every locale does
alike. Python folds search terms with the same table. Text is first normalised to NFC, so an
accent typed as a separate combining mark (as macOS and some keyboards send it) folds too.
"""

from __future__ import annotations

import unicodedata

_LOWER = "áàâãäåéèêëíìîïóòôõöúùûüçñýÿ"
_LOWER_PLAIN = "aaaaaaeeeeiiiiooooouuuucnyy"
ACCENTED = _LOWER + _LOWER.upper()
PLAIN = _LOWER_PLAIN * 2
_TABLE = str.maketrans(ACCENTED, PLAIN)


def fold(text: str) -> str:
    """Lower-case, accent-free ``text``."""
    return unicodedata.normalize("NFC", text).translate(_TABLE).lower()


def fold_sql(expression: str) -> str:
    """The SQL expression folding ``expression`` as :func:`fold` does (for Latin text)."""
    return f"lower(translate(normalize({expression}, NFC), '{ACCENTED}', '{PLAIN}'))"
