"""How deeply a YAML text is nested, estimated without a YAML library.

Why: PyYAML refuses very deep flow nesting on its own, with its own wording, at
a depth that depends on its version (with libyaml 0.2.5, ``[`` nested about a
thousand times within the scanner's look-ahead of one line), before the event
check in :mod:`bot.library.frontmatter` sees level 21.  This scan runs first, so
the project's bound speaks whatever PyYAML is installed.

The estimate is a *lower bound* of the real depth of any YAML that PyYAML
accepts, so it never refuses a valid frontmatter that is within the bound; it
counts only what is certainly a level:

- block collections: a line that starts entries (``- `` or ``key:``, also
  compact ``- - x`` and ``- key: v``) indented deeper than the entry above it
  is nested in it;
- flow collections: ``[`` and ``{`` outside quoted scalars and comments.

Whatever it cannot tell apart (continuation lines of plain and block scalars,
complex ``?`` keys, properties) it does not count.  The event check stays the
exact bound.  Linear in the text: quoted scalars are skipped with ``str.find``.
"""

from __future__ import annotations

import re

_SPACE = " \t"
_PLAIN_KEY_START = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`]|[-?:][^\s]")
_KEY_COLON = re.compile(r":(?=[ \t]|$)")
_QUOTED_KEY = re.compile(r"""(?:'(?:[^']|'')*'|"(?:[^"\\]|\\.)*")[ \t]*:(?=[ \t]|$)""")
_FLOW_SPECIAL = re.compile(r"""[?:'"#&!*]""")
_DOUBLE_QUOTE_END = re.compile(r'\\.|"')
_LINE_START = re.compile(r"^( *)((?:-[ \t]+)*)", re.MULTILINE)


class _Scan:
    """The state carried from line to line."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.stack: list[int] = []  # columns of the open block collections
        self.keys: list[bool] = []  # for each: is it a mapping (else a sequence)
        self.open_key = False  # the last line ended with a key whose value is below it
        self.flow = 0  # open flow collections
        self.quote = ""  # the quote of an open quoted scalar, or ""
        self.plain = False  # inside a plain scalar in flow context
        self.zone: int | None = None  # lines indented deeper than this are scalar text

    def too_deep(self) -> bool:
        return len(self.stack) + self.flow > self.limit

    def threshold(self) -> int:
        return self.stack[-1] if self.stack else -1


def exceeding_line(yaml_text: str, limit: int) -> int | None:
    """The 0-based line of ``yaml_text`` where its nesting first certainly goes
    deeper than ``limit`` levels, or None."""
    if _upper_bound(yaml_text) <= limit:
        return None  # the common case, decided at C speed
    state = _Scan(limit)
    for number, line in enumerate(yaml_text.split("\n")):
        if _line(state, line):
            return number
    return None


def _upper_bound(yaml_text: str) -> int:
    """At least the highest depth that the scan below can count.

    Its block levels sit at strictly increasing columns (a sequence under a key
    may share the key's column: at most two per column), and every column is
    where a line's indentation or run of ``- `` indicators ends or passes; its
    flow levels are ``[`` and ``{`` characters.
    """
    columns: set[int] = set()
    for indent, dashes in set(_LINE_START.findall(yaml_text)):
        columns.update(range(len(indent), len(indent) + len(dashes) + 1))
    return 2 * len(columns) + yaml_text.count("[") + yaml_text.count("{")


def _line(state: _Scan, line: str) -> bool:  # noqa: C901, PLR0912 - one scanner state machine
    if state.quote or state.flow:
        return _inline(state, line, 0)
    content = line.lstrip(" ")
    indent = len(line) - len(content)
    if not content.strip(_SPACE) or content.startswith(("#", "\t")):
        return False  # blank, comment, or a tab where indentation is (invalid YAML)
    if indent == 0 and line.startswith(("---", "...")) and line[3:4] in ("", " ", "\t"):
        state.stack.clear()  # a document marker (not in a frontmatter: the split stops there)
        state.keys.clear()
        state.zone = None
        return _value(state, line, _skip_space(line, 3))
    if state.zone is not None:
        if indent > state.zone:
            return False  # a continuation line of a plain or block scalar
        state.zone = None
    while state.stack and state.stack[-1] > indent:
        _pop(state)
    if state.stack and state.stack[-1] == indent:
        # ``key:`` then ``- item`` at the same column: the sequence is the key's
        # value, and the mapping stays open under its next items
        if not _is_entry(line, indent):
            _pop(state)
            if state.stack and state.stack[-1] == indent:
                _pop(state)
        elif not state.keys[-1]:
            _pop(state)  # the next item of the same sequence (pushed again below)
        elif not state.open_key:
            _pop(state)
    state.open_key = False
    pos = indent
    while True:
        if _is_entry(line, pos):
            _push(state, pos, key=False)  # a block sequence entry
            pos = _skip_space(line, pos + 1)
            if state.too_deep():
                return True
            continue
        key_end = _key_end(line, pos)
        if key_end is not None:
            _push(state, pos, key=True)  # a block mapping key
            if state.too_deep():
                return True
            pos = _skip_space(line, key_end)
            state.open_key = pos >= len(line) or line[pos] == "#"
        return _value(state, line, pos)


def _is_entry(line: str, pos: int) -> bool:
    return line.startswith("-", pos) and (pos + 1 == len(line) or line[pos + 1] in _SPACE)


def _pop(state: _Scan) -> None:
    state.stack.pop()
    state.keys.pop()


def _push(state: _Scan, column: int, *, key: bool) -> None:
    state.stack.append(column)
    state.keys.append(key)


def _property_end(line: str, pos: int, indicator: str) -> int:
    """The end of the name that starts at ``pos`` after a ``!``, ``&`` or ``*``:
    a tag's runs to the next space, an anchor's or an alias's is letters,
    digits, ``-`` and ``_`` (as PyYAML scans them: ``&a:b`` is the anchor
    ``a`` on the plain scalar ``:b``)."""
    n = len(line)
    if indicator == "!":
        while pos < n and line[pos] not in _SPACE:
            pos += 1
    else:
        while pos < n and (line[pos].isalnum() or line[pos] in "-_"):
            pos += 1
    return pos


def _skip_space(line: str, pos: int) -> int:
    while pos < len(line) and line[pos] in _SPACE:
        pos += 1
    return pos


def _key_end(line: str, pos: int) -> int | None:
    """The end of the ``key:`` at ``pos`` (after the colon), or None."""
    quoted = _QUOTED_KEY.match(line, pos)
    if quoted:
        return quoted.end()
    if not _PLAIN_KEY_START.match(line, pos):
        return None
    colon = _KEY_COLON.search(line, pos)
    if colon is None:
        return None
    before = line[pos : colon.start()]
    if " #" in before or "\t#" in before:
        return None  # the colon is in a comment
    return colon.end()


def _value(state: _Scan, line: str, pos: int) -> bool:
    """The node that starts at ``pos`` of a block line (after its indicators)."""
    while line.startswith(("&", "!"), pos):  # an anchor or a tag: skip it
        pos = _skip_space(line, _property_end(line, pos + 1, line[pos]))
    if pos >= len(line) or line[pos] == "#":
        return False  # the node is on the next lines
    if line[pos] in "[{'\"":
        state.plain = False
        return _inline(state, line, pos)
    state.zone = state.threshold()  # a plain, block or alias scalar
    return False


def _inline(state: _Scan, line: str, pos: int) -> bool:
    """Quoted scalars and flow collections, from ``pos`` to the end of the line."""
    n = len(line)
    while pos < n:
        if state.quote:
            pos = _quote_end(state, line, pos)
            if pos < 0:
                return False  # the quoted scalar goes on on the next line
            state.quote = ""
            state.plain = False
            if not state.flow:
                state.zone = state.threshold()
                return False
            continue
        found = _FLOW_SPECIAL.search(line, pos)
        stop = found.start() if found else n
        verdict = _brackets(state, line[pos:stop])
        if verdict is not None:
            return verdict
        if found is None:
            return False
        ch, pos = found.group(), stop + 1
        if ch == "#":
            if not state.plain or stop == 0 or line[stop - 1] in _SPACE:
                return False  # a comment (inside a plain scalar, only after a space)
        elif ch == "?":
            pass  # a key indicator, or text inside a plain scalar (libyaml): no change
        elif ch == ":":
            if not state.plain or pos >= n or line[pos] in " \t,[]{}":
                state.plain = False  # a value indicator
        elif state.plain:
            pass  # a quote, & ! or * inside a plain scalar is text
        elif ch in "'\"":
            state.quote = ch
        else:  # a tag, an anchor or an alias
            pos = _property_end(line, pos, ch)
    return False


def _brackets(state: _Scan, segment: str) -> bool | None:
    """Flow indicators and plain text (no quote, comment, property or ``:``):
    True when too deep, False when the outermost flow collection closed, else None."""
    opens = segment.count("[") + segment.count("{")
    closes = segment.count("]") + segment.count("}")
    if opens + closes == 0 or (
        closes < state.flow and state.flow + opens + len(state.stack) <= state.limit
    ):  # the common case: no bracket can matter, only the counts
        state.flow += opens - closes
        text = segment.rstrip(_SPACE)
        if text:
            state.plain = text[-1] not in "[]{},"
        return None
    for ch in segment:
        if ch in "[{":
            state.flow += 1
            state.plain = False
            if state.too_deep():
                return True
        elif ch in "]}":
            state.flow -= 1
            state.plain = False
            if state.flow <= 0:  # back in block context: the rest of the line is not a node
                state.flow = 0
                state.zone = state.threshold()
                return False
        elif ch == ",":
            state.plain = False
        elif ch not in _SPACE:
            state.plain = True
    return None


def _quote_end(state: _Scan, line: str, pos: int) -> int:
    """The index after the closing quote, or -1 when the line has none."""
    if state.quote == "'":
        while True:
            end = line.find("'", pos)
            if end < 0:
                return -1
            if line.startswith("''", end):
                pos = end + 2
                continue
            return end + 1
    while True:
        found = _DOUBLE_QUOTE_END.search(line, pos)
        if found is None:
            return -1
        if found.group() == '"':
            return found.end()
        pos = found.end()
