"""The data that flows from the parser through the index to search and render,
and the library's status as the admin ``/library`` view shows it.

Everything here is plain, immutable data: no I/O, no Discord.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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

    @property
    def text_chars(self) -> int:
        """The size of the long field the search ranks by: characters of the
        description and the prompt text (stored with the prompt, so that
        building the search index numbers prompts by it without reading them)."""
        return len(self.description) + len(self.prompt)


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What the parser makes of one file: a prompt (or None) and its problems."""

    prompt: Prompt | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.prompt is not None


@dataclass(frozen=True, slots=True)
class LibraryStatus:
    """Where the served library comes from and how it is doing (``bot.follow``
    builds it, ``bot.render.library_status`` shows it).  Nothing in it holds a
    credential: ``repository`` is the redacted URL."""

    folder: str  # the folder served: a path, or the folder inside the repository
    prompts: int
    categories: int
    problem_files: int
    problems: tuple[Problem, ...]  # paths as the admin finds them (in the repository)
    reindexed_at: datetime | None  # the last reindex (UTC)
    repository: str | None = None  # None: a plain folder
    ref: str | None = None  # None: the remote's default branch
    commit: str | None = None
    fetched_at: datetime | None = None  # the last successful fetch (UTC)
    fetch_error: str | None = None  # the last failure, when it came after the last success
    fetch_error_at: datetime | None = None
    interval: int = 0  # seconds between fetches; 0: only at start


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """What one "Sync now" (or one scheduled fetch) did."""

    before: str | None  # the commit served before (None: a plain folder)
    after: str | None  # the commit served now
    changed: bool  # a new commit, or the reindex added, updated or removed prompts
    summary: str | None  # the reindex's summary line; None when it did not run
    error: str | None = None  # one line (redacted) when the fetch or the reindex failed

    @property
    def ok(self) -> bool:
        return self.error is None
