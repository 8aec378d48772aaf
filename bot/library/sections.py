"""Splitting a library file's Markdown body into description, prompt and sections.

The prompt is free text written by someone else: it may contain its own ``##``
headings, ``---`` rules and code fences.  So the ``## Prompt`` section ends only
at a *known* trailing section heading (``## Source``, ``## Example Output``, ...)
outside any code fence, and fences are matched the CommonMark way (same
character, closing run at least as long as the opening one).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from bot.text import clean

# Headings that end the prompt: what the gallery puts *after* a prompt.
KNOWN_SECTIONS = frozenset(
    {
        "source",
        "sources",
        "example output",
        "example outputs",
        "reference image",
        "reference images",
        "notes",
        "note",
        "style notes",
        "usage",
        "video specification",
        "rendering tips",
    }
)
# Known sections that are represented by Prompt fields, not kept as extra sections.
_STANDARD = frozenset({"source", "sources", "example output", "example outputs"})
JSON_INFO = frozenset({"json", "jsonc", "json5"})

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
# Simple, linear-time patterns only: the input is untrusted and up to 1 MiB.
_HEADING_START = re.compile(r" {0,3}##[ \t]")
_LINK = re.compile(r"\]\( ?<?([^()\[\]<>\s]*)>?[ )]")
_LINK_SCAN = 10_000  # characters of ``## Source`` searched for the link


@dataclass(frozen=True, slots=True)
class Body:
    description: str
    prompt: str
    prompt_format: str  # "json" or "text"
    extra_sections: tuple[tuple[str, str], ...]
    source_link: str | None  # the first link of ``## Source``, raw
    unclosed_fences: tuple[int, ...] = field(default=())  # 0-based body lines


def heading_key(title: str) -> str:
    """``'**Example Output:**'`` -> ``'example output'``."""
    return " ".join(title.strip().strip("*_").strip().rstrip(":").split()).casefold()


def _heading(line: str) -> str | None:
    """The title of an ATX level-2 heading line (``## Title ##``), else None."""
    if "#" not in line[:6] or (match := _HEADING_START.match(line)) is None:
        return None
    title = line[match.end() :].strip()
    unclosed = title.rstrip("#")
    if unclosed != title and (not unclosed or unclosed[-1] in " \t"):
        title = unclosed.strip()  # the optional closing run of '#'
    return title or None


def _opens(line: str) -> tuple[str, int, str] | None:
    """``(char, length, info)`` if ``line`` opens a code fence."""
    if "```" not in line and "~~~" not in line:
        return None
    match = _FENCE.match(line)
    if not match:
        return None
    run, info = match.group(1), match.group(2)
    if run[0] == "`" and "`" in info:
        return None
    return run[0], len(run), info.strip()


def _closes(line: str, char: str, length: int) -> bool:
    stripped = line.strip()
    return (
        len(line) - len(line.lstrip(" ")) <= 3
        and len(stripped) >= length
        and stripped == char * len(stripped)
    )


def _scan(lines: list[str]) -> tuple[list[tuple[int, str]], list[int]]:
    """The ``##`` headings outside code fences, as ``(line, title)``, and the
    lines of fences that are never closed.

    A fence left open would swallow everything after it, the ``## Source`` and
    ``## Example Output`` sections included.  So when a fence is still open at
    the end, it is taken to end before the first known section heading inside
    it, and the scan resumes there (always forward: linear time).
    """
    headings: list[tuple[int, str]] = []
    unclosed: list[int] = []
    fence: tuple[str, int, int] | None = None  # char, length, line
    candidate: int | None = None
    i, n = 0, len(lines)
    while True:
        while i < n:
            line = lines[i]
            if fence is not None:
                if _closes(line, fence[0], fence[1]):
                    fence, candidate = None, None
                elif candidate is None:
                    title = _heading(line)
                    if title is not None and heading_key(title) in KNOWN_SECTIONS:
                        candidate = i
            elif (opened := _opens(line)) is not None:
                fence = (opened[0], opened[1], i)
            elif (title := _heading(line)) is not None:
                headings.append((i, title))
            i += 1
        if fence is None:
            return headings, unclosed
        unclosed.append(fence[2])
        if candidate is None:
            return headings, unclosed
        fence, i, candidate = None, candidate, None


def _trim(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _unfence(lines: list[str]) -> tuple[list[str], str | None]:
    """The content of ``lines`` and the fence's info string if ``lines`` is
    exactly one fenced code block (or one that is never closed), else
    ``(lines, None)``."""
    if not lines or (opened := _opens(lines[0])) is None:
        return lines, None
    char, length, info = opened
    for j in range(1, len(lines)):
        if _closes(lines[j], char, length):
            if j == len(lines) - 1:
                return lines[1:j], info
            return lines, None
    return lines[1:], info  # never closed: the block runs to the end


def _is_json(text: str) -> bool:
    stripped = text.strip()
    if not stripped or stripped[0] not in "[{":
        return False
    try:
        return isinstance(json.loads(stripped), (dict, list))
    except (ValueError, RecursionError):
        return False


def _text(lines: list[str]) -> str:
    return clean("\n".join(_trim(lines))).strip()


def split_body(body: str) -> Body:
    """Split ``body`` (``\\n`` line ends) into its parts; never raises."""
    lines = body.split("\n")
    headings, unclosed = _scan(lines)
    keys = [heading_key(title) for _, title in headings]
    prompt_at = next((h for h, key in enumerate(keys) if key == "prompt"), None)
    start = 0 if prompt_at is None else prompt_at + 1
    known = next((h for h in range(start, len(headings)) if keys[h] in KNOWN_SECTIONS), None)
    end_line = len(lines) if known is None else headings[known][0]
    if prompt_at is None:
        description = ""
        prompt_lines = lines[:end_line]
    else:
        description = _text(lines[: headings[prompt_at][0]])
        prompt_lines = lines[headings[prompt_at][0] + 1 : end_line]

    content, info = _unfence(_trim(prompt_lines))
    prompt = clean("\n".join(content)).rstrip()
    prompt = "\n".join(_trim(prompt.split("\n")))
    is_json = (info is not None and info.split(" ")[0].casefold() in JSON_INFO) or _is_json(prompt)

    extras: list[tuple[str, str]] = []
    source_link: str | None = None
    if known is not None:
        for h in range(known, len(headings)):
            first = headings[h][0] + 1
            last = headings[h + 1][0] if h + 1 < len(headings) else len(lines)
            text = _text(lines[first:last])
            if keys[h] in _STANDARD:
                if source_link is None and keys[h].startswith("source"):
                    match = _LINK.search(text[:_LINK_SCAN])
                    source_link = match.group(1) if match else None
                continue
            extras.append((clean(headings[h][1]).strip(), text))
    return Body(
        description=description,
        prompt=prompt,
        prompt_format="json" if is_json else "text",
        extra_sections=tuple(extras),
        source_link=source_link,
        unclosed_fences=tuple(unclosed),
    )
