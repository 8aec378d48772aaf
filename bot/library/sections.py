"""Splitting a library file's Markdown body into description, prompt and sections.

The prompt is free text written by someone else: it may contain its own ``##``
headings, ``---`` rules and code fences.  So the ``## Prompt`` section ends only
at a *known* trailing section heading (``## Source``, ``## Example Output``, ...)
outside any code fence, and fences are matched the CommonMark way (same
character, closing run at least as long as the opening one).

Where the prompt is (the README's "library format" says the same):

- the ``## Prompt`` section, when there is one;
- else, when the body before the first section is a short description and the
  first section holds a single fenced code block (``## Video Specification``
  and the like; not a section that comes *after* a prompt, see ``NOT_PROMPT``),
  that block is the prompt and the text before it the description;
- else the body before the first known section (the older gallery files).
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
# Known sections that never hold the prompt itself (rule 1 skips them).
NOT_PROMPT = KNOWN_SECTIONS - {"video specification"}
SHORT_DESCRIPTION = 1000  # characters: longer text before a section is a prompt of its own
_TITLE_IN_MESSAGE = 60
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
    warnings: tuple[str, ...] = field(default=())  # the file is ambiguous (see rule 1)


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
    run = ""
    i, n = 0, len(lines)
    while True:
        while i < n:
            line = lines[i]
            # (``run in line``, ``"#" in line[:6]``: cheap tests that most lines fail)
            if fence is not None:
                if run in line and _closes(line, fence[0], fence[1]):
                    fence, candidate = None, None
                elif candidate is None and "#" in line[:6]:
                    title = _heading(line)
                    if title is not None and heading_key(title) in KNOWN_SECTIONS:
                        candidate = i
            elif ("```" in line or "~~~" in line) and (opened := _opens(line)) is not None:
                fence = (opened[0], opened[1], i)
                run = opened[0] * opened[1]  # a closing line holds the opening run
            elif "#" in line[:6] and (title := _heading(line)) is not None:
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
    run = char * length  # a closing line holds the opening run
    for j in range(1, len(lines)):
        if run in lines[j] and _closes(lines[j], char, length):
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


def _single_block(lines: list[str]) -> tuple[str, str] | None:
    """``(content, info)`` when ``lines`` hold exactly one fenced code block."""
    content, info = _unfence(_trim(lines))
    if info is None:
        return None
    return "\n".join(content), info


def _quote(title: str) -> str:
    return repr(" ".join(clean(title).split())[:_TITLE_IN_MESSAGE])


def _section_prompt(
    lines: list[str], headings: list[tuple[int, str]], keys: list[str], warnings: list[str]
) -> tuple[int, int] | None:
    """Rule 1, for a file without ``## Prompt``: the line range of the prompt
    when the first section holds a single fenced block after a short description.

    Adds a warning to ``warnings`` where the file is ambiguous: the block is
    empty, a second such section follows, or the text before is no description.
    """
    if not headings or keys[0] in NOT_PROMPT:
        return None
    first = headings[0][0] + 1
    last = headings[1][0] if len(headings) > 1 else len(lines)
    block = _single_block(lines[first:last])
    if block is None:
        return None
    title = _quote(headings[0][1])
    preamble = lines[: headings[0][0]]
    if not block[0].strip():
        warnings.append(
            f"the section {title} holds an empty code block, so the text before it is"
            " taken as the prompt"
        )
        return None
    if len(_text(preamble)) > SHORT_DESCRIPTION or any(_opens(line) for line in preamble):
        warnings.append(
            f"the section {title} holds one code block, but the text before it is not a"
            f" short description (at most {SHORT_DESCRIPTION} characters, no code), so the"
            " block is not taken as the prompt; add a '## Prompt' heading to say which it is"
        )
        return None
    if len(headings) > 1 and keys[1] not in NOT_PROMPT:
        after = headings[2][0] if len(headings) > 2 else len(lines)
        if _single_block(lines[last + 1 : after]) is not None:
            warnings.append(
                f"the sections {title} and {_quote(headings[1][1])} each hold one code block;"
                f" the first is taken as the prompt (add a '## Prompt' heading to choose)"
            )
    return first, last


def split_body(body: str) -> Body:
    """Split ``body`` (``\\n`` line ends) into its parts; never raises."""
    lines = body.split("\n")
    headings, unclosed = _scan(lines)
    keys = [heading_key(title) for _, title in headings]
    warnings: list[str] = []
    prompt_at = next((h for h, key in enumerate(keys) if key == "prompt"), None)
    section = None if prompt_at is not None else _section_prompt(lines, headings, keys, warnings)
    if section is not None:
        description = _text(lines[: headings[0][0]])
        prompt_lines = lines[section[0] : section[1]]
        extras_from: int | None = 1 if len(headings) > 1 else None
    else:
        start = 0 if prompt_at is None else prompt_at + 1
        extras_from = next(
            (h for h in range(start, len(headings)) if keys[h] in KNOWN_SECTIONS), None
        )
        end_line = len(lines) if extras_from is None else headings[extras_from][0]
        if prompt_at is None:
            description = ""
            prompt_lines = lines[:end_line]
        else:
            description = _text(lines[: headings[prompt_at][0]])
            prompt_lines = lines[headings[prompt_at][0] + 1 : end_line]

    content, info = _unfence(_trim(prompt_lines))
    prompt = clean("\n".join(content)).rstrip()
    if not prompt.partition("\n")[0].strip():  # else there is no blank line to trim
        prompt = "\n".join(_trim(prompt.split("\n")))
    is_json = (info is not None and info.split(" ")[0].casefold() in JSON_INFO) or _is_json(prompt)

    extras: list[tuple[str, str]] = []
    source_link: str | None = None
    if extras_from is not None:
        for h in range(extras_from, len(headings)):
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
        warnings=tuple(warnings),
    )
