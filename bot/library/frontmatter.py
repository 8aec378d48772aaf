"""Frontmatter splitting and bounded, safe YAML loading.

The YAML is untrusted: only the safe schema is accepted (``!!python/...`` and any
other unknown tag is an error), and before anything is built the event stream is
checked, so that a billion-laughs document (many aliases) or a deeply nested one
cannot blow up memory or the stack.  Nesting is first estimated without PyYAML
(:mod:`bot.library.nesting`), so that the project's bound, not PyYAML's own
refusal of very deep nesting, speaks whatever PyYAML version is installed.
libyaml (``CSafeLoader``) is used when it is available: the corpus parses about
ten times faster with it.

Splitting and loading go through python-frontmatter: :class:`BoundedYAMLHandler`
is its YAML handler, with the library's ``BaseHandler.split`` on a stricter
boundary and ``YAMLHandler.load`` behind the bounds.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from bot.library import nesting

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_ALIASES = 16  # a real frontmatter has none; 16 bounds the expansion to 2**8
MAX_DEPTH = 20  # nesting of mappings/sequences
MAX_EVENTS = 20_000  # a frontmatter is a few dozen scalars

_OPEN = re.compile(r"-{3}[ \t]*\n")


class FrontmatterError(ValueError):
    """The frontmatter is missing, unterminated, unsafe or not valid YAML.

    ``line`` is the 1-based line of the *file* where the problem is, if known.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"{self.message} (line {self.line})" if self.line else self.message


_UNTERMINATED = "the frontmatter is not terminated by a '---' line"


def _too_deep(line: int | None) -> FrontmatterError:
    return FrontmatterError(f"the frontmatter is nested more than {MAX_DEPTH} levels deep", line)


def _event_line(event: yaml.Event, offset: int) -> int | None:
    mark = event.start_mark
    return mark.line + 1 + offset if mark is not None else None


def _mark_line(exc: yaml.YAMLError, offset: int) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 + offset if mark is not None else None


def _check_events(yaml_text: str, offset: int) -> list[str]:
    """Walk the event stream (iterative in libyaml, so depth cannot hurt here)
    and refuse what would be expensive to build.

    Returns warnings: top-level keys given twice (YAML keeps the last one
    silently, which hides mistakes like two ``title`` lines).
    """
    aliases = depth = 0
    root_is_mapping = False
    position = 0  # nodes seen directly in the root mapping: even ones are keys
    seen: set[str] = set()
    warnings: list[str] = []
    for events, event in enumerate(yaml.parse(yaml_text, Loader=_Loader), 1):
        if isinstance(event, yaml.NodeEvent) and depth == 1 and root_is_mapping:
            if position % 2 == 0 and isinstance(event, yaml.ScalarEvent):
                if event.value in seen:
                    line = _event_line(event, offset)
                    warnings.append(
                        f"'{event.value:.40}' is given twice in the frontmatter "
                        f"(line {line}); the last one is used"
                    )
                seen.add(event.value)
            position += 1
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise FrontmatterError(
                    f"the frontmatter uses more than {MAX_ALIASES} YAML aliases (*name); "
                    "write the values out instead",
                    _event_line(event, offset),
                )
        elif isinstance(event, yaml.CollectionStartEvent):
            if depth == 0:
                root_is_mapping = isinstance(event, yaml.MappingStartEvent)
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(_event_line(event, offset))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if events > MAX_EVENTS:
            raise FrontmatterError(f"the frontmatter has more than {MAX_EVENTS} YAML items")
    return warnings


class BoundedYAMLHandler(YAMLHandler):
    """python-frontmatter's YAML handler with this module's bounds.

    ``split`` is the library's ``BaseHandler.split`` on ``FM_BOUNDARY``: a line of
    exactly ``---`` or ``...`` (trailing blanks allowed), so only the *first*
    closing line counts and ``---`` lines in the body (Markdown rules, prompts)
    stay body.  The library's default boundary (``^-{3,}\\s*$``) would also take
    ``----`` and would swallow the blank lines after a boundary, shifting line
    numbers.  ``text`` must have ``\\n`` line ends and no BOM (the parser's
    ``_decode`` does that).  ``load`` is the library's ``YAMLHandler.load`` with
    the safe loader, run only after the bounds checks.

    The library's ``frontmatter.parse``/``loads`` are not used around it: they
    strip the text (a file that starts with blank lines would pass, and line
    numbers would shift), treat any ValueError from ``split`` as "no
    frontmatter" (losing "not terminated" and its line), turn a frontmatter that
    is not a mapping into ``{}`` silently, strip the body (shifting the body's
    line numbers), and ``loads`` builds ``Post(**metadata)``, which raises
    TypeError on a key that is not a string or is named ``content``/``handler``.
    """

    FM_BOUNDARY = re.compile(r"^(?:-{3}|\.{3})[ \t]*(?:\n|\Z)", re.MULTILINE)

    def split(self, text: str) -> tuple[str, str]:
        """``(yaml_text, body)``; raises FrontmatterError (line 1) when ``text``
        does not start with a ``---`` line or has no closing line."""
        if not _OPEN.match(text):
            if text.startswith("---") and "\n" not in text:
                raise FrontmatterError(_UNTERMINATED, 1)
            raise FrontmatterError("no frontmatter: the file must start with a '---' line", 1)
        try:
            return super().split(text)
        except ValueError:  # only the opening boundary: nothing to unpack into three
            raise FrontmatterError(_UNTERMINATED, 1) from None

    def load(self, fm: str, **kwargs: object) -> Any:
        """The object of ``fm``, loaded safely within bounds (FrontmatterError)."""
        return self.load_with_warnings(fm)[0]

    def load_with_warnings(self, fm: str, offset: int = 1) -> tuple[Any, list[str]]:
        """Like :meth:`load`, plus warnings about the YAML (duplicate keys).

        ``offset`` is the number of file lines before ``fm`` (1: the opening
        ``---``), so that error lines are file lines.
        """
        try:
            deep = nesting.exceeding_line(fm, MAX_DEPTH)
            if deep is not None:
                raise _too_deep(deep + 1 + offset)
            warnings = _check_events(fm, offset)
            return super().load(fm, Loader=_Loader), warnings
        except FrontmatterError:
            raise
        except yaml.constructor.ConstructorError as exc:
            problem = exc.problem or "unsupported value"
            if "could not determine a constructor" in problem:
                tag = problem.split("tag", 1)[-1].strip().replace("tag:yaml.org,2002:", "!!")
                problem = f"unsupported YAML tag {tag} (only plain values are allowed)"
            raise FrontmatterError(
                f"invalid frontmatter: {problem}", _mark_line(exc, offset)
            ) from None
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            context = getattr(exc, "context", None)
            what = f"{context}: {problem}" if context else problem
            raise FrontmatterError(
                f"invalid YAML in frontmatter: {what}", _mark_line(exc, offset)
            ) from None
        except (RecursionError, MemoryError, ValueError, TypeError, OverflowError) as exc:
            raise FrontmatterError(f"invalid frontmatter: {exc.__class__.__name__}") from None


HANDLER = BoundedYAMLHandler()


def split(text: str) -> tuple[str, str, int]:
    """``(yaml_text, body, body_first_line)`` of a document that starts with a
    ``---`` line and has a closing ``---`` (or ``...``) line (see
    :class:`BoundedYAMLHandler`)."""
    yaml_text, body = HANDLER.split(text)
    return yaml_text, body, yaml_text.count("\n") + 3


def load(yaml_text: str, offset: int = 1) -> Any:
    """The object of ``yaml_text``, loaded with the safe schema, within bounds."""
    return HANDLER.load_with_warnings(yaml_text, offset)[0]


def load_with_warnings(yaml_text: str, offset: int = 1) -> tuple[Any, list[str]]:
    """Like :func:`load`, plus warnings about the YAML (duplicate keys)."""
    return HANDLER.load_with_warnings(yaml_text, offset)
