"""Template placeholders in prompt text, and filling them in.

Two spellings occur in the library: YouMind/Raycast's
``{argument name="subject" default="a tabby cat"}`` (inside JSON prompts the
quotes are often backslash-escaped) and ``{{name}}``.  Filling is one regex
pass whose replacement is a *function*: a value is inserted exactly as typed
and never read again, so ``{0}``, ``{{x}}`` or ``{argument …}`` in a value stay
literal text.  Never ``str.format`` or a template engine on member text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_ARGUMENT = r'\{argument\s+name=\\?"(?P<aname>.*?)\\?"\s+default=\\?"(?P<default>.*?)\\?"\s*\\?\}'
_BRACES = r"\{\{\s*(?!argument\s)(?P<bname>[^{}\n]{1,100}?)\s*\}\}"
PATTERN = re.compile(f"{_ARGUMENT}|{_BRACES}")  # a placeholder never spans lines


@dataclass(frozen=True, slots=True)
class Placeholder:
    name: str
    default: str | None  # None for ``{{name}}``, which has no default


def _name(match: re.Match[str]) -> str:
    return " ".join((match["aname"] if match["aname"] is not None else match["bname"]).split())


def _default(match: re.Match[str]) -> str | None:
    default = match["default"]
    return None if default is None else default.replace('\\"', '"')


def placeholders(text: str) -> list[Placeholder]:
    """The distinct placeholder names of ``text`` in order of first appearance,
    each with the default of its first occurrence that has one."""
    found: dict[str, Placeholder] = {}
    for match in PATTERN.finditer(text):
        name = _name(match)
        if not name:
            continue
        known = found.get(name)
        if known is None or (known.default is None and match["default"] is not None):
            found[name] = Placeholder(name, _default(match))
    return list(found.values())


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every occurrence of each placeholder named in ``values``
    replaced by its value, literally; other placeholders are left as they are."""

    def replace(match: re.Match[str]) -> str:
        name = _name(match)
        return values[name] if name in values else match.group(0)

    return PATTERN.sub(replace, text)
