"""Pure text helpers of the renderer: JSON layout, list lines, display escaping.

No Discord objects here, only strings (``discord.utils`` escaping functions
are pure).
"""

from __future__ import annotations

import json

from discord.utils import escape_markdown, escape_mentions

from bot.limits import SELECT_OPTION_LABEL, clip, measure
from bot.models import Prompt

_INDENT = "  "
NOTES_FILENAME = "notes.md"


def parse_json(text: str) -> object | None:
    """The JSON object or array that ``text`` is, else None."""
    stripped = text.strip()
    if not stripped or stripped[0] not in "[{":
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    return value if isinstance(value, dict | list) else None


def reindent_json(text: str) -> str | None:
    """``text`` laid out with two-space indentation, or None if it is not a JSON
    object or array.

    Only whitespace outside strings changes: string and number literals are
    copied character for character (no re-serialisation, so escapes, number
    spellings and duplicate keys survive), which keeps the prompt as written.
    """
    if parse_json(text) is None:
        return None
    out: list[str] = []
    depth = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
            continue
        if ch in " \t\r\n":
            i += 1
            continue
        if ch in "[{":
            k = i + 1
            while k < n and text[k] in " \t\r\n":
                k += 1
            if k < n and text[k] == ("]" if ch == "[" else "}"):
                out.append(ch + text[k])  # empty container stays compact
                i = k + 1
                continue
            depth += 1
            out.append(ch + "\n" + _INDENT * depth)
        elif ch in "]}":
            depth -= 1
            out.append("\n" + _INDENT * depth + ch)
        elif ch == ",":
            out.append(",\n" + _INDENT * depth)
        elif ch == ":":
            out.append(": ")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def display_title(text: str) -> str:
    """A title or other single-line text for a place where Discord renders
    Markdown: mentions neutralised, paired Markdown characters escaped (single
    ``*`` or ``_`` stay as they are, readable), newlines folded."""
    text = " ".join(text.split())
    return escape_markdown(escape_mentions(text))


def display_plain(text: str) -> str:
    """Text for a place where Discord does not render Markdown (embed author,
    footer, select labels): only mentions neutralised, newlines folded."""
    return escape_mentions(" ".join(text.split()))


def clip_display(text: str, n: int, transform=display_title) -> str:
    """``transform(text)`` clipped to ``n``: the raw text is clipped first so an
    escape sequence is never cut in half, shorter until the result fits."""
    budget = n
    while True:
        shown = transform(clip(text, budget))
        excess = measure(shown) - n
        if excess <= 0:
            return shown
        budget -= max(excess, 1)


def list_line(prompt: Prompt, n: int = SELECT_OPTION_LABEL) -> str:
    """One line naming a prompt, for pagination or select-option labels
    (plain text, no Markdown): ``Title — author``, at most ``n`` characters."""
    title = " ".join(prompt.title.split()) or prompt.id
    author = " ".join((prompt.author or "").split())
    if author and measure(title) + measure(author) + 3 <= n:
        return f"{title} — {author}"
    return clip(title, n)


def list_description(prompt: Prompt, n: int = SELECT_OPTION_LABEL) -> str:
    """A second line for a select option: category and the first tags."""
    parts = [prompt.category, *[t for t in prompt.tags if t != prompt.category]]
    return clip(" · ".join(p for p in parts if p), n)


def full_prompt_file(prompt: Prompt) -> tuple[str, bytes]:
    """The full prompt as a file: verbatim, UTF-8, ``prompt.json`` when the text
    is a JSON object or array, else ``prompt.txt``."""
    name = "prompt.json" if parse_json(prompt.prompt) is not None else "prompt.txt"
    return name, prompt.prompt.encode("utf-8")


def shown_sections(prompt: Prompt) -> list[tuple[str, str]]:
    """The file's other sections (Notes, Usage, Reference Image, ...) that have
    text: what the card shows as fields and "Full prompt" gives whole."""
    return [(h.strip(), t.strip()) for h, t in prompt.extra_sections if h.strip() and t.strip()]


def sections_file(prompt: Prompt) -> tuple[str, bytes] | None:
    """The sections as a Markdown file, verbatim (a file pings no one), or None."""
    sections = shown_sections(prompt)
    if not sections:
        return None
    text = "\n\n".join(f"## {heading}\n\n{body}" for heading, body in sections)
    return NOTES_FILENAME, (text + "\n").encode("utf-8")


def sections_message(prompt: Prompt) -> str:
    """The sections for a chat message: bold headings, mentions neutralised."""
    return "\n\n".join(
        f"**{display_title(heading)}**\n{escape_mentions(body)}"
        for heading, body in shown_sections(prompt)
    )
