"""The library file parser: bytes of one ``.md`` file in, a Prompt or problems out.

Pure: no filesystem access (the caller reads at most ``MAX_FILE_BYTES + 1``
bytes and checks symlinks), never raises.  A file is a prompt when its
frontmatter loads safely as a mapping, it has a non-blank string ``title`` and
a non-empty prompt text.  Optional fields of the wrong type or with unsafe
values are dropped with a warning; the file is still served.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from bot.library import frontmatter as frontmatter_safe
from bot.library import sections
from bot.library.fields import (
    FieldProblems,
    author_field,
    category_field,
    preview_field,
    tags_field,
    url_field,
)
from bot.models import ParseResult, Problem, Prompt
from bot.text import clean

MAX_FILE_BYTES = 1024 * 1024
ID_MAX_LEN = 80
_HASH_LEN = 8
_ASCII_SAFE = re.compile(r"[\x21-\x7e]*")  # printable ASCII, no space: the common case


def _utf16_len(text: str) -> int:
    """Discord counts a custom id in UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _unsafe(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def prompt_id(path: str) -> str:
    """The prompt's id: its path without ``.md``, readable and stable.

    When that is longer than ``ID_MAX_LEN`` or has characters that are unsafe
    in a Discord custom id (whitespace, control and format characters), it is
    sanitised, cut, and ``~`` plus 8 hex digits of a hash of the full path are
    appended, so that it stays unique.
    """
    base = path[:-3] if path.endswith(".md") else path
    room = ID_MAX_LEN - 1 - _HASH_LEN
    if _ASCII_SAFE.fullmatch(base) is not None:  # the common case: one code unit a character
        if len(base) <= ID_MAX_LEN:
            return base
        safe = base[:room]
    else:
        if _utf16_len(base) <= ID_MAX_LEN and not any(_unsafe(ch) for ch in base):
            return base
        kept: list[str] = []
        for ch in base:
            room -= 2 if ord(ch) > 0xFFFF else 1
            if room < 0:
                break
            kept.append("-" if _unsafe(ch) else ch)
        safe = "".join(kept)
    digest = hashlib.blake2b(path.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return f"{safe}~{digest[:_HASH_LEN]}"


def _decode(data: bytes | str) -> tuple[str | None, str | None]:
    """``(text, None)`` with ``\\n`` line ends and no BOM, or ``(None, message)``."""
    if isinstance(data, str):
        if len(data) > MAX_FILE_BYTES:
            return None, f"file is larger than {MAX_FILE_BYTES} bytes"
        try:
            size = len(data.encode("utf-8"))
        except UnicodeEncodeError:
            return None, "file contains lone surrogate characters (not valid Unicode text)"
        if size > MAX_FILE_BYTES:
            return None, f"file is larger than {MAX_FILE_BYTES} bytes"
        text = data
    else:
        if len(data) > MAX_FILE_BYTES:
            return None, f"file is larger than {MAX_FILE_BYTES} bytes"
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return None, "file is UTF-16 encoded; save it as UTF-8"
        if b"\x00" in data:
            return None, "file is binary (contains NUL bytes), not a Markdown text file"
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            return None, f"file is not valid UTF-8 (byte {exc.start}, line {line}); save as UTF-8"
    if "\x00" in text:
        return None, "file is binary (contains NUL characters), not a Markdown text file"
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None, "file is empty"
    return text, None


def _title(meta: dict[Any, Any], problems: FieldProblems) -> str | None:
    value = meta.get("title")
    if value is None:
        problems.error("missing 'title' in the frontmatter")
        return None
    if not isinstance(value, str):
        problems.error(
            f"'title' must be a text, not {type(value).__name__} ({value!r:.40}); quote it"
        )
        return None
    title = " ".join(clean(value).split())
    if not title:
        problems.error("'title' is blank")
        return None
    return title


def parse_document(data: bytes | str, path: str) -> ParseResult:
    """Parse one library file (``path``: relative to the library root, POSIX).

    Never raises: whatever is wrong with the file is reported as a Problem.
    """
    try:
        return _parse(data, path)
    except Exception as exc:
        message = f"internal parser error ({exc.__class__.__name__}: {exc}); please report"
        return ParseResult(None, (Problem(path, "error", message),))


def _parse(data: bytes | str, path: str) -> ParseResult:
    text, message = _decode(data)
    if text is None:
        return ParseResult(None, (Problem(path, "error", message or "unreadable file"),))
    try:
        yaml_text, body, body_line = frontmatter_safe.split(text)
        meta, yaml_warnings = frontmatter_safe.load_with_warnings(yaml_text)
    except frontmatter_safe.FrontmatterError as exc:
        return ParseResult(None, (Problem(path, "error", str(exc)),))
    if not isinstance(meta, dict):
        kind = "list" if isinstance(meta, list) else "single value"
        what = "empty" if meta is None else f"a {kind}, not a mapping of fields (name: value)"
        return ParseResult(None, (Problem(path, "error", f"the frontmatter is {what}"),))

    problems = FieldProblems(path)
    for warning in yaml_warnings:
        problems.warning(warning)
    title = _title(meta, problems)
    parts = sections.split_body(body)
    for line in parts.unclosed_fences:
        problems.warning(f"the code fence opened on line {body_line + line} is never closed")
    for warning in parts.warnings:
        problems.warning(warning)
    if not parts.prompt.strip():
        problems.error("no prompt text: the body is empty (expected the prompt under '## Prompt')")
    if title is None or not parts.prompt.strip():
        return ParseResult(None, problems.result())

    author, link_url = author_field(meta, problems)
    author_url = url_field(meta, "author_url", problems) or link_url
    source_url = url_field(meta, "source_url", problems)
    if source_url is None and "source_url" not in meta and parts.source_link:
        source_url = url_field({"source_url": parts.source_link}, "source_url", FieldProblems(path))
    preview = preview_field(meta, "preview", problems)
    preview_video = preview_field(meta, "previewVideo", problems)
    if preview_video is None:
        preview_video = preview_field(meta, "preview_video", problems)
    prompt = Prompt(
        id=prompt_id(path),
        path=path,
        title=title,
        category=category_field(meta, path, problems),
        prompt=parts.prompt,
        prompt_format="json" if parts.prompt_format == "json" else "text",
        tags=tags_field(meta, problems),
        author=author,
        author_url=author_url,
        source_url=source_url,
        preview=preview,
        preview_video=preview_video,
        description=parts.description,
        extra_sections=parts.extra_sections,
    )
    return ParseResult(prompt, problems.result())
