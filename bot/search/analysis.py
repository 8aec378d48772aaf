"""Search keys: how a prompt and a query are turned into comparable tokens.

Every key goes through :func:`bot.text.fold` (case, accents, full-width forms);
this module only decides *what* is folded and how folded text is cut into
tokens.  Scripts written without spaces (Chinese, Japanese, Korean runs) are
cut into overlapping character bigrams, so a CJK query matches inside a longer
CJK run without a dictionary.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.models import Prompt
from bot.text import fold

# YouMind/Raycast templating: ``{argument name="x" default="Y"}`` is searched as
# ``Y``.  Inside JSON prompts the quotes are often backslash-escaped.
_PLACEHOLDER = re.compile(r'\{argument\s+name=\\?".*?\\?"\s+default=\\?"(.*?)\\?"\s*\}')

# Letters and digits; ``_`` and punctuation separate words.
_WORD = re.compile(r"[^\W_]+")
_CJK_CHARS = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana
    "\u3400-\u4dbf"  # CJK Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
)
_CJK_RUN = re.compile(f"[{_CJK_CHARS}]+")
_HAS_CJK = re.compile(f"[{_CJK_CHARS}]")
_STATUS = re.compile(r"/status(?:es)?/(\d+)")


# ASCII letters and digits stay (the word regex's, upper case too), other ASCII
# bytes separate, the bytes of non-ASCII characters stay as they are.
_ASCII_SEPARATE_MIXED = bytes(c if c >= 128 or chr(c).isalnum() else 32 for c in range(256))


def strip_placeholders(text: str) -> str:
    """Replace each ``{argument name=… default="X"}`` by ``X`` (for keys only)."""
    if "{argument" not in text:
        return text
    return _PLACEHOLDER.sub(lambda m: m.group(1).replace('\\"', '"'), text)


def cjk_grams(run: str) -> list[str]:
    """Overlapping bigrams of a CJK run; a single character stays itself."""
    if len(run) < 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(folded: str) -> list[str]:
    """Tokens of already folded text, in order (duplicates kept).  ASCII text
    (most titles and queries) is cut in C: a third of the word regex's time,
    ~0.3 s of a build's titles at 100,000 prompts."""
    if folded.isascii():
        return folded.encode().translate(_ASCII_SEPARATE_MIXED).decode().split()
    return _regex_tokens(folded)


def _regex_tokens(folded: str) -> list[str]:
    """:func:`tokens` the general way: the word regex, CJK runs cut into bigrams."""
    if not _HAS_CJK.search(folded):
        return _WORD.findall(folded)
    out: list[str] = []
    for word in _WORD.findall(folded):
        if not _HAS_CJK.search(word):
            out.append(word)
            continue
        pos = 0
        for m in _CJK_RUN.finditer(word):
            if m.start() > pos:
                out.append(word[pos : m.start()])
            out.extend(cjk_grams(m.group()))
            pos = m.end()
        if pos < len(word):
            out.append(word[pos:])
    return out


def is_cjk(token: str) -> bool:
    return bool(_HAS_CJK.search(token))


def key(text: str) -> str:
    """The folded search key of a displayed field."""
    return fold(strip_placeholders(text))


# ASCII bytes that make up words (``[^\W_]`` once lower-cased): the rest separate.
_ASCII_SEPARATE = bytes(c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256))


# The non-ASCII characters most common in prompt bodies that separate words
# (none is a word character): replaced by spaces, most bodies become ASCII.
SEPARATORS = "\u201c\u201d\u2018\u2019\u2014\u2013\u2022\u2026\u3002\u3001\u00b7\u2550"


def token_text(text: str) -> str:
    """The tokens of a displayed field (``tokens(key(text))``), in order, apart
    by white space: what the index stores of a prompt body, and what
    :func:`doc_tokens` splits.  ASCII keys (most prompt bodies) are cut with
    ``bytes.translate`` (every byte that is not part of a word becomes a
    space) instead of the Unicode word regex, and not split at all.

    A text of ASCII and SEPARATORS only is not folded at all: ``fold`` would only
    lower its ASCII letters (none of SEPARATORS is changed by ``clean``, case
    folding or NFKC, but ``…``, which NFKC makes ``...``), and the separators
    become spaces either way."""
    text = strip_placeholders(text)
    if not text.isascii():
        plain = text
        for sep in SEPARATORS:
            if sep in plain:
                plain = plain.replace(sep, " ")
        if plain.isascii():
            text = plain
    if text.isascii():
        return text.lower().encode().translate(_ASCII_SEPARATE).decode()
    k = fold(text)
    if not k.isascii():
        for sep in SEPARATORS:
            if sep in k:
                k = k.replace(sep, " ")
        if not k.isascii():
            return " ".join(_mixed_tokens(k))  # no token holds white space
    return k.encode().translate(_ASCII_SEPARATE).decode()


def doc_tokens(text: str) -> list[str]:
    """The tokens of a displayed field, in order, repeats kept."""
    return token_text(text).split()


def _mixed_tokens(folded: str) -> list[str]:
    """``tokens(folded)``: cut at ASCII separators and white space in C first, so
    that the word regex runs only on the pieces with non-ASCII characters (the
    pieces are cut where no word goes on, so their tokens are the same)."""
    data = folded.encode("utf-8", "surrogatepass").translate(_ASCII_SEPARATE_MIXED)
    out: list[str] = []
    for piece in data.decode("utf-8", "surrogatepass").split():
        if piece.isascii():
            out.append(piece)
        else:
            out.extend(tokens(piece))
    return out


def doc_terms(text: str) -> set[str]:
    """The distinct tokens of a displayed field: ``set(tokens(key(text)))``."""
    return set(doc_tokens(text))


def words(folded: str) -> list[str]:
    """The words of already folded text, a CJK run being one word (for showing
    a query back; :func:`tokens` cuts CJK runs into bigrams for matching)."""
    return _WORD.findall(folded)


def body_text(prompt: Prompt) -> str:
    """What the long field of a prompt is: its description and its prompt text."""
    return f"{prompt.description}\n{prompt.prompt}" if prompt.description else prompt.prompt


COUNT_MAX = 255  # a term's count in a document is kept in a byte: BM25 saturates long before


def body_terms(prompt: Prompt) -> str:
    """The long field's tokens (:func:`token_text`): what the index stores so
    that building the engine needs no text processing of prompt bodies.

    The tokens themselves, not their counts: the parse workers do the per-file
    work, and counting a body's tokens there (a ``Counter`` and its encoding,
    ~half of deriving a file) cost more than the build's counting of all of
    them at once, sorted by numpy (:func:`bot.search.inverted.long_part`)."""
    return token_text(body_text(prompt))


_SUFFIXES = (
    "ically",
    "ation",
    "ness",
    "ical",
    "ing",
    "ies",
    "ied",
    "al",
    "ed",
    "es",
    "ly",
    "s",
    "y",
    "e",
)


_SUFFIXES_BY_LAST: dict[str, tuple[str, ...]] = {}
for _suffix in _SUFFIXES:
    _SUFFIXES_BY_LAST[_suffix[-1]] = (*_SUFFIXES_BY_LAST.get(_suffix[-1], ()), _suffix)


def stem(term: str) -> str:
    """A crude English stem, used only to offer word-form variants of a query
    word ("hats" -> "hat", "arrested" -> "arrest", "satirical" -> "satir")."""
    for suffix in _SUFFIXES_BY_LAST.get(term[-1:], ()):  # in _SUFFIXES order
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            return term[: -len(suffix)]
    return term


def post_key(url: str | None) -> str | None:
    """The post behind a prompt's source URL (twitter.com and x.com are the same post)."""
    if not url:
        return None
    m = _STATUS.search(url)
    if m:
        return "status:" + m.group(1)
    parts = urlsplit(url)
    if not parts.netloc:
        return None
    return "url:" + parts.netloc.lower().removeprefix("www.") + parts.path.rstrip("/")


def clip(text: str, limit: int = 100) -> str:
    """``text`` on one line, at most ``limit`` characters, cut at a word with …."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-–—") + "…"
