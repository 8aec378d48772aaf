"""Checking and normalising the frontmatter fields of one library file.

Each function takes the loaded frontmatter mapping and returns the field's
value for :class:`bot.models.Prompt`; what is wrong is reported to a
:class:`FieldProblems` and the field is dropped (a warning) -- a wrong optional
field never stops a prompt from being served.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from bot.models import Problem, Severity
from bot.text import clean, fold

# The literal values that mean "no value" in hand-written or converted files.
_NULLS = frozenset({"", "null", "none", "nil", "n/a", "na", "-", "undefined"})
# A URL scheme; "host:8080" is not one.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(?!\d)")
_DRIVE = re.compile(r"^[A-Za-z]:(?:[\\/]|$)")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The common shape of a URL, checked in one match: http(s), a dotted host name
# of letters, digits and hyphens (no user, no port), then a path, query or
# fragment of visible ASCII but the backslash.  The general check (``urlsplit``,
# ~8 µs a URL, three a file) accepts each such URL as it is (a property test).
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:[/?#][\x21-\x5b\x5d-\x7e]*)?"
)
_MD_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?([^)\s>]*)>?\s*\)")


class FieldProblems:
    """The problems found in one file, in order."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, severity: Severity, message: str) -> None:
        self.problems.append(Problem(self.path, severity, message))

    def error(self, message: str) -> None:
        self.add("error", message)

    def warning(self, message: str) -> None:
        self.add("warning", message)

    def result(self) -> tuple[Problem, ...]:
        return tuple(self.problems)


def _kind(value: object) -> str:
    kinds: dict[type, str] = {dict: "a mapping", list: "a list"}
    return kinds.get(type(value), type(value).__name__)


def _scalar_text(value: object) -> str | None:
    """A plain YAML scalar as text (numbers, dates, booleans), else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, dt.date)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return None


def _one_line(text: str) -> str:
    return " ".join(clean(text).split())


def normalise_url(value: str) -> tuple[str | None, str | None]:
    """``(url, None)``: an absolute http(s) URL (``https://`` added when there is
    no scheme); ``(None, None)`` for a "null"-like value; ``(None, why)`` when
    the value is not usable."""
    text = clean(value).strip()
    if text.casefold() in _NULLS:
        return None, None
    if _PLAIN_URL.fullmatch(text):
        return text, None
    return _checked_url(text)


def _checked_url(text: str) -> tuple[str | None, str | None]:
    """:func:`normalise_url` of a cleaned text that is not a "null", the general way."""
    if _SPACE_OR_CONTROL.search(text):
        return None, "contains spaces or control characters"
    if "\\" in text:
        return None, "contains a backslash"
    if text.startswith("//"):
        text = "https:" + text
    scheme = _SCHEME.match(text)
    if scheme is None:
        text = "https://" + text
    elif scheme.group(1).lower() not in ("http", "https"):
        return None, f"uses the scheme '{scheme.group(1).lower()}:' (only http and https)"
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None, "is not a valid URL"
    if not host or ("." not in host and host != "localhost"):
        return None, "has no valid host"
    return text, None


def url_field(meta: dict[Any, Any], name: str, problems: FieldProblems) -> str | None:
    value = meta.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.warning(f"'{name}' must be a URL text, not {_kind(value)}; dropped")
        return None
    url, why = normalise_url(value)
    if why:
        problems.warning(f"'{name}' {value!r:.80} {why}; dropped")
    return url


def preview_field(meta: dict[Any, Any], name: str, problems: FieldProblems) -> str | None:
    """An http(s) URL, or a site-relative path (``/media/...``) that stays inside
    the media folder."""
    value = meta.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.warning(f"'{name}' must be a URL or a path, not {_kind(value)}; dropped")
        return None
    text = clean(value).strip()
    if text.casefold() in _NULLS:
        return None
    shown = f"'{name}' {value!r:.80}"
    if _DRIVE.match(text) or text.lower().startswith("file:"):
        problems.warning(f"{shown} is a local filesystem path; use a path under /media/; dropped")
        return None
    if text.startswith("//") or _SCHEME.match(text):
        url, why = normalise_url(text)
        if why:
            problems.warning(f"{shown} {why}; dropped")
        return url
    if "\\" in text:
        problems.warning(f"{shown} contains a backslash; use '/' in paths; dropped")
        return None
    if _CONTROL.search(text):
        problems.warning(f"{shown} contains control characters; dropped")
        return None
    segments = unquote(text).split("/")
    if any(segment in ("..", ".") for segment in segments) or "\\" in unquote(text):
        problems.warning(f"{shown} escapes the media folder ('..' in the path); dropped")
        return None
    return text if text.startswith("/") else "/" + text


def author_field(meta: dict[Any, Any], problems: FieldProblems) -> tuple[str | None, str | None]:
    """``(author, link_url)``: a Markdown link ``[@handle](url)`` is shown as
    the handle; its URL is returned for use when there is no ``author_url``."""
    value = meta.get("author")
    if value is None:
        return None, None
    text = _scalar_text(value)
    if text is None:
        problems.warning(f"'author' must be a text, not {_kind(value)}; dropped")
        return None, None
    author = _one_line(text)
    link = _MD_LINK.fullmatch(author)
    if link is None:
        return author or None, None
    url, _ = normalise_url(link.group(2))
    return link.group(1).strip() or None, url


def category_field(meta: dict[Any, Any], path: str, problems: FieldProblems) -> str:
    """The frontmatter's category, else the file's first folder, else
    ``uncategorized``; lowercased, spaces collapsed."""
    value = meta.get("category")
    category = ""
    if value is not None:
        text = _scalar_text(value)
        if text is None:
            problems.warning(f"'category' must be a text, not {_kind(value)}; the folder is used")
        else:
            category = _one_line(text).lower()
    if not category and "/" in path:
        category = _one_line(path.split("/", 1)[0]).lower()
    return category or "uncategorized"


def tags_field(meta: dict[Any, Any], problems: FieldProblems) -> tuple[str, ...]:
    """A list of tags (a comma-separated text is accepted too): stripped, blank
    ones dropped, duplicates (after folding case and accents) dropped."""
    value = meta.get("tags")
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = list(value)
    elif (text := _scalar_text(value)) is not None:
        items = [text]
    else:
        problems.warning(f"'tags' must be a list, not {_kind(value)}; dropped")
        return ()
    tags: list[str] = []
    seen: set[str] = set()
    dropped = 0
    for item in items:
        text = _scalar_text(item) if item is not None else ""
        if text is None:
            dropped += 1
            continue
        tag = _one_line(text)
        key = fold(tag)
        if tag and key not in seen:
            seen.add(key)
            tags.append(tag)
    if dropped:
        problems.warning(f"'tags' has {dropped} item(s) that are not plain values; dropped")
    return tuple(tags)
