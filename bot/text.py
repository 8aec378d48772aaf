"""The one place where text is normalised.

``clean`` is applied to everything that is displayed: it repairs what is broken
(mojibake, invisible characters) and keeps the author's wording otherwise.
``fold`` builds on it and makes search keys: case, accents and full-width
forms folded away.  Nothing else in the project normalises text by itself.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy

# Zero-width characters, BOM, word joiner, soft hyphen and the object
# replacement character U+FFFC: invisible, but they break matching and copying.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\ufffc\u00ad"), None)
_SPACES = {ord("\u00a0"): " ", ord("\u202f"): " ", ord("\u2007"): " "}
_TRANSLATE = {**_INVISIBLE, **_SPACES}

# Cheap pre-check: ftfy only runs on text that has a character it could repair.
_SUSPECT = re.compile(
    "[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
    "\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=False,
    decode_inconsistent_utf8=True,
    fix_c1_controls=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


def clean(text: str) -> str:
    """Display normalisation: mojibake repaired, invisible characters dropped,
    no-break spaces made plain, Unicode NFC.  Curly quotes and dashes stay."""
    if _SUSPECT.search(text):
        text = ftfy.fix_text(text, _FTFY_CONFIG)
    return unicodedata.normalize("NFC", text.translate(_TRANSLATE))


def fold(text: str) -> str:
    """Search key: ``clean`` plus NFKC (full-width forms), case folding and
    accents removed.  Idempotent: ``fold(fold(x)) == fold(x)``."""
    text = unicodedata.normalize("NFKD", clean(text).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", text)
