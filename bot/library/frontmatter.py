"""Frontmatter splitting and bounded, safe YAML loading.

The YAML is untrusted: only the safe schema is accepted (``!!python/...`` and any
other unknown tag is an error), and before anything is built the event stream is
checked, so that a billion-laughs document (many aliases) or a deeply nested one
cannot blow up memory or the stack.  Nesting is first estimated without PyYAML
(:mod:`bot.library.nesting`), so that the project's bound, not PyYAML's own
refusal of very deep nesting, speaks whatever PyYAML version is installed.
libyaml (``CSafeLoader``) is used when it is available: the corpus parses about
ten times faster with it.

A frontmatter of usual size is read once: a flat one without PyYAML
(:mod:`bot.library.flatyaml`), else composed into a node graph, the bounds
checked on the graph (:func:`_check_nodes`) and built from it.  When a bound is
crossed or anything fails, the event walk and the load run as before and say
exactly what and where (an alias's line is not in the graph).

Splitting and loading go through python-frontmatter: :class:`BoundedYAMLHandler`
is its YAML handler, with the library's ``BaseHandler.split`` on a stricter
boundary and ``YAMLHandler.load`` behind the bounds.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from bot.library import flatyaml, nesting

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_ALIASES = 16  # a real frontmatter has none; 16 bounds the expansion to 2**8
MAX_DEPTH = 20  # nesting of mappings/sequences
MAX_EVENTS = 20_000  # a frontmatter is a few dozen scalars
# Longer frontmatters are walked as events first, which stops at MAX_EVENTS: a graph
# is only composed from a text too short to hold many more nodes than that.
ONE_PASS_MAX_CHARS = 10_000

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


def _given_twice(key: str, line: int | None) -> str:
    return f"'{key:.40}' is given twice in the frontmatter (line {line}); the last one is used"


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
                    warnings.append(_given_twice(event.value, _event_line(event, offset)))
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


def _check_nodes(root: yaml.Node, offset: int) -> list[str] | None:
    """What :func:`_check_events` finds, from the composed node graph of the same
    text: the warnings, or None when a bound is crossed.

    The graph is the event stream with each alias replaced by its anchored node:
    walked in document order (a key before its value), the first visit of a node
    is where its events are, and every later visit is an alias event.
    """
    visited: set[int] = set()
    events = 4  # the stream and the document start and end
    aliases = 0
    seen: set[str] = set()
    warnings: list[str] = []
    # node, the number of collections around it, whether it is a key of the root mapping
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, root_key = stack.pop()
        if id(node) in visited:
            aliases += 1
            events += 1
            continue
        visited.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            events += 1
            if root_key:
                if node.value in seen:
                    warnings.append(_given_twice(node.value, node.start_mark.line + 1 + offset))
                seen.add(node.value)
            continue
        events += 2
        if depth >= MAX_DEPTH:
            return None
        if isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.append((value, depth + 1, False))
                stack.append((key, depth + 1, depth == 0))
        else:
            stack.extend((item, depth + 1, False) for item in reversed(node.value))
    if events > MAX_EVENTS or aliases > MAX_ALIASES:
        return None
    return warnings


def _load_once(yaml_text: str, offset: int) -> tuple[Any, list[str]] | None:
    """``(object, warnings)`` from one parse of ``yaml_text``, or None when a
    bound is crossed or anything fails (then the caller's event walk and load,
    which stop at the first problem, say which and where)."""
    loader = _Loader(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        warnings = _check_nodes(node, offset)
        if warnings is None:
            return None
        return loader.construct_document(node), warnings
    except Exception:  # the slow path raises it again, the same way
        return None
    finally:
        loader.dispose()


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
            # A flat frontmatter is two levels deep at most: the nesting estimate,
            # a lower bound, would not refuse it.
            if len(fm) <= ONE_PASS_MAX_CHARS and (flat := flatyaml.load(fm)) is not None:
                data, twice = flat
                return data, [_given_twice(key, line + 1 + offset) for key, line in twice]
            deep = nesting.exceeding_line(fm, MAX_DEPTH)
            if deep is not None:
                raise _too_deep(deep + 1 + offset)
            if len(fm) <= ONE_PASS_MAX_CHARS and (loaded := _load_once(fm, offset)) is not None:
                return loaded
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
