"""The one place where text is normalised.

``clean`` is applied to everything that is displayed: it repairs what is broken
(mojibake, invisible characters) and keeps the author's wording otherwise.
``fold`` builds on it and makes search keys: case, accents and full-width
forms folded away.  Nothing else in the project normalises text by itself.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

# Zero-width characters, BOM, word joiner, soft hyphen and the object
# replacement character U+FFFC: invisible, but they break matching and copying.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\ufffc\u00ad"), None)
_SPACES = {ord("\u00a0"): " ", ord("\u202f"): " ", ord("\u2007"): " "}
_TRANSLATE = {**_INVISIBLE, **_SPACES}
_TRANSLATED = re.compile("[" + "".join(map(chr, _TRANSLATE)) + "]")
# Generic combining diacritics (accents), the only marks ``fold`` removes.
_DIACRITICS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# Cheap pre-check: ftfy only runs on text that could be mojibake, i.e. that has
# a UTF-8 lead byte read as Latin-1/cp1252 (U+00C2..U+00F4) followed by a
# continuation byte read the same way (``Ã©``, ``â€“``), or surrogates.  Text with
# curly quotes or dashes alone (most prompts) skips ftfy, which is slow.  (Written
# as one character class first, the lead byte or a surrogate, so that the regex
# engine scans for it at C speed: two alternatives were twice as slow.)
_SUSPECT = re.compile(
    "[\u00c2-\u00f4\ud800-\udfff](?:(?<=[\ud800-\udfff])|"
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122])"
)
# Text with none of these has nothing for the translation and the repair in
# ``clean`` to look at: one
# search of a character class instead of two.
_MAYBE = re.compile("[" + "".join(map(chr, _TRANSLATE)) + "\u00c2-\u00f4\ud800-\udfff]")


@functools.cache
def _fix_text() -> Callable[[str], str]:
    """ftfy's repair as ``clean`` uses it, imported on the first suspect text
    (most never is: importing ftfy is a tenth of a second of every start)."""
    import ftfy

    config = ftfy.TextFixerConfig(
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
    return functools.partial(ftfy.fix_text, config=config)


def clean(text: str) -> str:
    """Display normalisation: mojibake repaired, invisible characters dropped,
    no-break spaces made plain, Unicode NFC.  Curly quotes and dashes stay.

    Idempotent; ASCII text is returned as it is (the common, fast case)."""
    if text.isascii():
        return text
    if _MAYBE.search(text) is None:
        return unicodedata.normalize("NFC", text)
    # Invisible characters go first: one between two mojibake bytes would hide them.
    if _TRANSLATED.search(text):
        text = text.translate(_TRANSLATE)
    for _ in range(3):  # a repair can reveal another layer of mojibake; stop at a fixed point
        if not _SUSPECT.search(text):
            break
        fixed = _fix_text()(text)
        if _TRANSLATED.search(fixed):
            fixed = fixed.translate(_TRANSLATE)
        if fixed == text:
            break
        text = fixed
    return unicodedata.normalize("NFC", text)


def _fold_once(text: str) -> str:
    text = _DIACRITICS.sub("", unicodedata.normalize("NFKD", text))
    return unicodedata.normalize("NFKC", text.casefold())


def _fold_fixed(text: str) -> str:
    for _ in range(4):
        folded = _fold_once(text)
        if folded == text:
            break
        text = folded
    return text


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_FEW_RUNS = 12  # more runs of non-ASCII text (CJK prose) fold faster as one text


def fold(text: str) -> str:
    """Search key: ``clean`` plus NFKC (full-width forms), case folding and
    accents removed.  Idempotent: ``fold(fold(x)) == fold(x)``.

    Only the generic combining diacritics (U+0300..U+036F and kin) are removed:
    Japanese (dakuten), Indic (virama) or Thai marks carry meaning and stay.
    NFKC after case folding can produce new upper case or decomposable letters
    (``ℌ`` -> ``H``), hence the loop to a fixed point.

    A mostly ASCII text is folded piece by piece, each run of non-ASCII
    characters with the character before it, the rest lowered: the same result,
    because every step is per character or a Unicode normalisation, and no
    normalisation joins anything to a following ASCII character (an ASCII
    character is a starter and the second part of no canonical composition).
    """
    return fold_with(text, _fold_pieces)


def fold_with(text: str, fold_text: Callable[[str], str]) -> str:
    """:func:`fold`, with ``fold_text`` folding a cleaned text that is not ASCII
    (by pieces in ``fold``; whole, in the test that the two agree)."""
    folded = text
    for _ in range(3):
        text = clean(text)
        if text.isascii():
            return text.lower()
        folded = fold_text(text)
        # Removing accents can make text that ``clean`` would repair again
        # ("ÂÆ\x80\x80" -> "aæ€€", which reads as the mojibake of "怀"): go on
        # to the fixed point, so that the key of a key is itself.
        if folded == text or clean(folded) == folded:
            return folded
        text = folded
    return folded


def _fold_pieces(text: str) -> str:
    runs = _NON_ASCII.finditer(text)
    spans = [m.span() for m, _ in zip(runs, range(_FEW_RUNS + 1), strict=False)]
    if len(spans) > _FEW_RUNS:
        return _fold_fixed(text)
    parts: list[str] = []
    done = 0
    for start, end in spans:
        start = max(start - 1, done)  # with the character a combining mark would join
        parts.append(text[done:start].lower())
        parts.append(_fold_fixed(text[start:end]))
        done = end
    parts.append(text[done:].lower())
    return "".join(parts)
