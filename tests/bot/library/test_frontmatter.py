"""The bounded python-frontmatter handler: the library's split and load, with the
project's boundary and bounds (the parser's own messages are tested through
``parse_document`` in test_parse_bad_files.py)."""

from __future__ import annotations

import frontmatter
import pytest
import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from bot.library import frontmatter as frontmatter_module
from bot.library.frontmatter import (
    HANDLER,
    BoundedYAMLHandler,
    FrontmatterError,
    load_with_warnings,
    split,
)


def test_it_is_python_frontmatters_yaml_handler_and_split() -> None:
    assert isinstance(HANDLER, YAMLHandler)
    text = "---\ntitle: T\n---\nbody\n---\nmore"
    assert (
        HANDLER.split(text) == BaseHandler.split(HANDLER, text) == ("title: T\n", "body\n---\nmore")
    )


_RULES = "---\na: 1\n----\nb: 2\n---\n## Prompt\n---\nP"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\ntitle: T\n---\nbody\n", ("title: T\n", "body\n", 4)),
        ("---\ntitle: T\n...\nbody", ("title: T\n", "body", 4)),
        ("---  \ntitle: T\n---\t\n\n\nbody", ("title: T\n", "\n\nbody", 4)),
        (_RULES, ("a: 1\n----\nb: 2\n", "## Prompt\n---\nP", 6)),
        ("---\n---\n", ("", "", 3)),
        ("---\nt: T\n---", ("t: T\n", "", 4)),
    ],
)
def test_only_the_first_exact_closing_line_counts(
    text: str, expected: tuple[str, str, int]
) -> None:
    assert split(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# Title\n---\nt: T\n---\n", "no frontmatter"),
        ("\n---\nt: T\n---\n", "no frontmatter"),
        ("----\nt: T\n---\n", "no frontmatter"),
        ("...\nt: T\n---\n", "no frontmatter"),
        ("---", "not terminated"),
        ("---\nt: T\n", "not terminated"),
        ("---\nt: T\n----\n", "not terminated"),
    ],
)
def test_missing_and_unterminated_frontmatter(text: str, expected: str) -> None:
    with pytest.raises(FrontmatterError, match=expected) as caught:
        HANDLER.split(text)
    assert caught.value.line == 1


def test_load_has_the_bounds() -> None:
    assert HANDLER.load("title: T\ntags: [a, b]") == {"title": "T", "tags": ["a", "b"]}
    for unsafe in (
        "x: !!python/name:os.system",
        "x: " + "[" * 5_000,
        "a: &a [1]\n" + "\n".join(f"k{i}: *a" for i in range(20)),
        "x: [" + ",".join(["1"] * 25_000) + "]",
    ):
        with pytest.raises(FrontmatterError):
            HANDLER.load(unsafe)


def test_error_lines_are_file_lines() -> None:
    with pytest.raises(FrontmatterError) as caught:
        load_with_warnings("\n\nauthor: x: y", offset=1)  # a blank line after the opener
    assert caught.value.line == 4


def test_the_librarys_own_entry_points_keep_the_bounds() -> None:
    post = frontmatter.loads("---\ntitle: T\n---\nbody\n", handler=BoundedYAMLHandler())
    assert (post["title"], post.content) == ("T", "body")
    with pytest.raises(FrontmatterError, match="unsupported YAML tag"):
        frontmatter.loads("---\nx: !!python/name:os.system\n---\n", handler=HANDLER)
    with pytest.raises(FrontmatterError, match="nested more than 20"):
        frontmatter.parse("---\nx: " + "[" * 10_000 + "\n---\n", handler=HANDLER)


@pytest.mark.parametrize(
    "text",
    [
        "title: T\ntags: [a, b]\nn: 1\n",
        "a: {b: [1, {c: d}]}\nt: 2024-01-02\n",
        "a: &x [1, 2]\nb: *x\n? k\n: v\n",
        "a: &x k\n*x : 1\na: 2\n",  # an alias key is no key given twice; 'a' is
        "title: [T]\ntitle: 2\n'title': 3\n",
        "x: " + "[" * 19 + "]" * 19 + "\n",  # 20 levels with the root
        "a: &a [1]\n" + "\n".join(f"k{i}: *a" for i in range(16)) + "\n",
        "# only a comment\n",
    ],
)
def test_one_pass_reads_what_the_event_walk_and_load_read(text: str) -> None:
    loaded = frontmatter_module._load_once(text, 1)
    assert loaded == (yaml.load(text, Loader=frontmatter_module._Loader), _walk(text))


def _walk(text: str) -> list[str]:
    return frontmatter_module._check_events(text, 1)


@pytest.mark.parametrize(
    "text",
    [
        "x: " + "[" * 21 + "]" * 21 + "\n",  # too deep
        "a: &a [1]\n" + "\n".join(f"k{i}: *a" for i in range(17)) + "\n",  # too many aliases
        "x: [" + ",".join(["1"] * 20_000) + "]\n",  # too many items
        "x: !!python/name:os.system\n",
        "a: 1\n---\nb: 2\n",
        "x: [\n",
    ],
)
def test_one_pass_leaves_what_is_wrong_to_the_event_walk(text: str) -> None:
    assert frontmatter_module._load_once(text, 1) is None
