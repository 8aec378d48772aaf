"""The data that flows from the parser through the index to search and render.

Everything here is plain, immutable data: no I/O, no Discord.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
PromptFormat = Literal["json", "text"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one library file.

    ``error``: the file is not served.  ``warning``: the file is served, the
    offending field is dropped or repaired.
    """

    path: str  # relative to the library root, POSIX separators
    severity: Severity
    message: str

    def line(self) -> str:
        return f"{self.path}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class Prompt:
    """One prompt of the library, as displayed (the author's wording, cleaned)."""

    id: str  # stable, unique, <= ID_MAX_LEN characters, derived from ``path``
    path: str  # relative to the library root, POSIX separators
    title: str
    category: str
    prompt: str  # verbatim prompt text, without the surrounding code fence
    prompt_format: PromptFormat = "text"
    tags: tuple[str, ...] = ()
    author: str | None = None  # display name or ``@handle`` (never Markdown)
    author_url: str | None = None  # http(s) URL or None
    source_url: str | None = None  # http(s) URL or None
    preview: str | None = None  # absolute http(s) URL or site-relative path ``/media/...``
    preview_video: str | None = None
    description: str = ""
    extra_sections: tuple[tuple[str, str], ...] = field(default=())  # (heading, text)


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What the parser makes of one file: a prompt (or None) and its problems."""

    prompt: Prompt | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.prompt is not None
