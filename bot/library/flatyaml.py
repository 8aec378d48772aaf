"""The common frontmatter, loaded without a YAML parser.

Almost every library file's frontmatter is flat: ``key: value`` lines, and keys
followed by a block list of ``- item`` lines or by a one-line flow list of
double-quoted texts, every value a quoted or a plain one-line scalar that
PyYAML reads as text.  Building that through PyYAML was
most of the cost of parsing a file (its constructor is pure Python), so
:func:`load` reads exactly that shape itself and gives up (None) on anything
else: comments, flow collections, escapes, tabs, anchors, tags, multi-line
scalars, a value PyYAML would read as a number, a date, a boolean or null
(it asks PyYAML's own resolver), ...  The caller then uses PyYAML.

What it returns is what ``yaml.load`` with the safe loader returns for the same
text, and the keys given twice, which :mod:`bot.library.frontmatter` warns about.
"""

from __future__ import annotations

import re
from typing import Any

from yaml.resolver import Resolver

# Characters that YAML reads as themselves in a scalar; anything else (tabs, NEL,
# line and paragraph separators, a BOM, non-printable characters) is left to PyYAML.
_PLAIN_TEXT = re.compile(
    "[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*"
)
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,99}):(?: (.*))?")
_ITEM = re.compile(r"( *)- (.*)")
_DOUBLE = re.compile(r'"([^"\\]*)"')
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
# A flow list of double-quoted texts, as the galleries' converters write tags
# (``tags: []``, ``tags: ["3d", "art"]``; a sixth of the corpus's files).
_FLOW_LIST = re.compile(r'\[(?:"[^"\\]*"(?:, "[^"\\]*")*)?\]')
# A plain scalar that goes on to the end of the line: no indicator first, no
# comment (``#``), no trailing colon or blank (and no ``: ``, checked apart).
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^#]*[^\s#:])?")


def _is_text(plain: str) -> bool:
    """Whether PyYAML resolves the plain scalar ``plain`` to a string (the same
    lookup as ``Resolver.resolve``; the safe loader's resolver is ``Resolver``)."""
    resolvers = Resolver.yaml_implicit_resolvers
    for _tag, regexp in resolvers.get(plain[0], ()):
        if regexp.match(plain):
            return False
    return all(not regexp.match(plain) for _tag, regexp in resolvers.get(None, ()))


def _scalar(text: str) -> str | None:
    """The string of a one-line scalar as PyYAML loads it, or None when it is
    not a string or not one of the simple forms."""
    if not text:
        return None
    first = text[0]
    if first == '"':
        match = _DOUBLE.fullmatch(text)
        return match.group(1) if match else None
    if first == "'":
        match = _SINGLE.fullmatch(text)
        return match.group(1).replace("''", "'") if match else None
    if _PLAIN.fullmatch(text) and ": " not in text and _is_text(text):
        return text
    return None


def load(yaml_text: str) -> tuple[dict[str, Any], list[tuple[str, int]]] | None:
    """``(mapping, twice)`` of a flat frontmatter, else None (see the module
    docstring); ``twice``: ``(key, 0-based line)`` of each key given again."""
    if Resolver.yaml_path_resolvers or not _PLAIN_TEXT.fullmatch(yaml_text):
        return None
    data: dict[str, Any] = {}
    twice: list[tuple[str, int]] = []
    key = ""  # the last key
    items: list[str] | None = None  # the list being read, under ``key``
    indent: str | None = None  # the indentation of its items
    for number, line in enumerate(yaml_text.split("\n")):
        if not line:
            continue
        if items is not None and line[0] in " -":
            match = _ITEM.fullmatch(line)
            if match is None or (indent is not None and match.group(1) != indent):
                return None
            indent = match.group(1)
            item = _scalar(match.group(2))
            if item is None:
                return None
            items.append(item)
            continue
        if items is not None and not items:
            data[key] = None  # a key with neither a value nor items: null
        match = _KEY.fullmatch(line)
        if match is None or not _is_text(key := match.group(1)):
            return None
        if key in data:
            twice.append((key, number))
        if match.group(2) is None:
            items, indent = [], None
            data[key] = items
            continue
        text = match.group(2)
        value: str | list[str] | None = _scalar(text)
        if value is None and _FLOW_LIST.fullmatch(text):
            value = _DOUBLE.findall(text)  # the items: no quote inside one
        if value is None:
            return None
        items = None
        data[key] = value
    if items is not None and not items:
        data[key] = None
    return (data, twice) if data else None
