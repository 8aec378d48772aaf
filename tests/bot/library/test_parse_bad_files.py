"""One test per class of bad file: each gives a clear problem, none raises.

Errors: the file is not served.  Warnings: the file is served, the field dropped.
"""

from __future__ import annotations

import time

import pytest

from bot.library.parse import MAX_FILE_BYTES, parse_document
from bot.models import ParseResult

BODY = "\n## Prompt\n\nA cat.\n"
PATH = "cat/bad.md"


def fm(front: str, body: str = BODY) -> str:
    return f"---\n{front}\n---\n{body}"


def parsed(data: str | bytes) -> ParseResult:
    result = parse_document(data, PATH)
    assert all(p.path == PATH for p in result.problems)
    return result


def error(data: str | bytes) -> str:
    """The one error message of a file that is not served."""
    result = parsed(data)
    assert result.prompt is None
    assert [p.severity for p in result.problems] == ["error"], result.problems
    return result.problems[0].message


def warning(data: str | bytes) -> tuple[str, object]:
    """The one warning of a file that is served, and its prompt."""
    result = parsed(data)
    assert result.prompt is not None, result.problems
    assert [p.severity for p in result.problems] == ["warning"], result.problems
    return result.problems[0].message, result.prompt


# --- errors: the file is not a prompt --------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "file is empty"),
        (" \n\t\r\n", "file is empty"),
        ("\ufeff\n", "file is empty"),
        (b"---\ntitle: T\n---\n\x00\x01\x02", "binary (contains NUL bytes)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("---\ntitle: Caf\xe9\n---\nP".encode("latin-1"), "not valid UTF-8 (byte 14, line 2)"),
        ("---\ntitle: T\n---\nP".encode("utf-16"), "UTF-16"),
        ("---\ntitle: T\n---\n\x00", "NUL characters"),
        ("---\ntitle: \ud800\n---\nP", "surrogate"),
    ],
)
def test_unreadable_files(data: str | bytes, expected: str) -> None:
    assert expected in error(data)


def test_oversized_bytes_and_text() -> None:
    big = b"---\ntitle: T\n---\n" + b"a" * MAX_FILE_BYTES
    assert "larger than 1048576 bytes" in error(big)
    assert "larger than" in error(big.decode())
    assert "larger than" in error("---\ntitle: T\n---\n" + "é" * (MAX_FILE_BYTES // 2))


def test_a_file_of_exactly_the_cap_is_parsed() -> None:
    head = fm("title: T").encode()
    data = head + b"a" * (MAX_FILE_BYTES - len(head))
    assert len(data) == MAX_FILE_BYTES
    assert parsed(data).ok


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# Title\n\nA prompt", "no frontmatter: the file must start with a '---' line (line 1)"),
        ("---", "not terminated by a '---' line"),
        ("---\ntitle: T\n\n## Prompt\n\nA cat.\n", "not terminated by a '---' line"),
    ],
)
def test_missing_or_unterminated_frontmatter(text: str, expected: str) -> None:
    assert expected in error(text)


@pytest.mark.parametrize(
    ("front", "line"),
    [
        ("title: T\ntags: [a, b\nauthor: x", 4),
        ("title: T\n  author: x", 3),
        ("title: 'unclosed", 3),
        ("title: T\nauthor: x: y", 3),
        ("title: T\n\ttags: [a]", 3),
    ],
)
def test_invalid_yaml_names_the_file_line(front: str, line: int) -> None:
    message = error(fm(front))
    assert message.startswith("invalid YAML in frontmatter:")
    assert message.endswith(f"(line {line})")


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("", "the frontmatter is empty"),
        ("- a\n- b", "the frontmatter is a list, not a mapping"),
        ("just a sentence", "the frontmatter is a single value, not a mapping"),
    ],
)
def test_frontmatter_that_is_not_a_mapping(front: str, expected: str) -> None:
    assert expected in error(fm(front))


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("author: x", "missing 'title' in the frontmatter"),
        ("title:", "missing 'title'"),
        ("title: [a, b]", "'title' must be a text, not list"),
        ("title: {a: b}", "'title' must be a text, not dict"),
        ("title: 1984", "'title' must be a text, not int (1984); quote it"),
        ("title: 2024-01-01", "'title' must be a text, not date"),
        ("title: '   '", "'title' is blank"),
        ("title: '\u200b\u00a0'", "'title' is blank"),
    ],
)
def test_missing_or_wrong_title(front: str, expected: str) -> None:
    assert expected in error(fm(front))


@pytest.mark.parametrize(
    "body",
    ["", "\n\n", "## Prompt\n\n## Source\n\n- x\n", "## Prompt\n\n```json\n```\n", "\u200b\n"],
)
def test_no_prompt_text(body: str) -> None:
    assert "no prompt text" in error(fm("title: T", body))


# --- unsafe YAML ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object/apply:os.system ['echo pwned']",
        "!!python/name:os.system",
        "!!python/object:__main__.X {}",
        "!custom value",
    ],
)
def test_unsafe_or_unknown_yaml_tags_are_errors(value: str) -> None:
    message = error(fm(f"title: {value}"))
    assert "unsupported YAML tag" in message and "(line 2)" in message


def test_billion_laughs_is_refused_quickly() -> None:
    levels = ["a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    for n in range(1, 9):
        prev, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    message = error(fm("title: T\n" + "\n".join(levels)))
    assert "more than 16 YAML aliases" in message
    assert time.perf_counter() - start < 1


def test_a_few_aliases_are_fine() -> None:
    result = parsed(fm("title: &t T\nx: *t\ntags: [&n neon, *n]"))
    assert result.prompt is not None and result.prompt.tags == ("neon",)


def _block(depth: int) -> str:
    return "x:\n" + "".join(" " * level + "k:\n" for level in range(1, depth)) + " " * depth + "v"


@pytest.mark.parametrize(
    ("front", "line"),
    [
        *[("x: " + "[" * d + "]" * d, 3) for d in (25, 1_000, 10_000, 200_000)],
        ("x: " + "{a: " * 5_000 + "}" * 5_000, 3),
        ("x: !!seq &a " + "[ !!seq " * 5_000 + "]" * 5_000, 3),
        ("x: [\n" + "[ # a comment\n" * 5_000 + "]" * 5_001, 22),
        ("x:\n" + "- " * 5_000 + "v", 4),
        ("x:\n" + "".join("  " * i + "- a:\n" for i in range(200)), 13),
        ("x:\n" + "".join(f"{'  ' * i}a:\n{'  ' * i}-\n" for i in range(1, 200)), 23),
        (_block(1_200), 23),  # block nesting by indentation (about 730 kB)
        ("x:\n  y:\n    z: " + "[" * 2_000, 5),  # block and flow levels add up
    ],
)
def test_deep_nesting_is_refused(front: str, line: int) -> None:
    """The verdict is the project's own: PyYAML refuses deep nesting itself, in its
    own words and at a depth that depends on its version; the bound speaks first."""
    message = error(fm("title: T\n" + front))
    assert message == f"the frontmatter is nested more than 20 levels deep (line {line})"


def test_the_nesting_verdict_does_not_depend_on_pyyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    def refuse(*args: object, **kwargs: object) -> object:
        raise yaml.YAMLError("a PyYAML that speaks first, in its own words")

    monkeypatch.setattr(yaml, "parse", refuse)
    monkeypatch.setattr(yaml, "load", refuse)
    assert "nested more than 20 levels" in error(fm("title: T\nx: " + "[" * 1_000))
    assert "nested more than 20 levels" in error(fm("title: T\n" + _block(30)))


@pytest.mark.parametrize(
    "front",
    [
        "x: " + "[" * 19 + "]" * 19,  # with the mapping around x: 20 levels
        "x: " + "{a: " * 19 + "b" + "}" * 19,
        _block(19),
        "x:\n" + "- " * 19 + "v",
        "x: '" + "[" * 5_000 + "'",
        'x: "' + '\\" [' * 5_000 + '"',
        "x: a " + "[" * 5_000,
        "x: a\n  " + "{" * 5_000 + "\n  " + "- " * 5_000,
        "x: |\n  " + "[" * 5_000 + "\n  " + "- " * 5_000,
        "x: v # " + "[" * 5_000,
        "x: [don't, '" + "[" * 5_000 + "']",
        "x: [a?'b', '" + "[" * 5_000 + "']",
    ],
)
def test_twenty_levels_and_brackets_in_text_are_fine(front: str) -> None:
    result = parsed(fm("title: T\n" + front))
    assert result.prompt is not None and result.problems == (), result.problems


def test_a_huge_number_of_items_is_refused() -> None:
    message = error(fm("title: T\nx: [" + ",".join(["1"] * 30_000) + "]"))
    assert "more than 20000 YAML items" in message


# --- warnings: the file is served, the field dropped -------------------------------------


@pytest.mark.parametrize(
    ("front", "field", "expected"),
    [
        ("tags: {a: 1}", "tags", "'tags' must be a list, not a mapping; dropped"),
        ("tags: [a, [b], {c: d}]", "tags", "'tags' has 2 item(s) that are not plain values"),
        ("author: [a, b]", "author", "'author' must be a text, not a list; dropped"),
        ("author: {name: a}", "author", "'author' must be a text, not a mapping"),
        ("category: [a]", "category", "'category' must be a text, not a list; the folder is used"),
        ("source_url: 12", "source_url", "'source_url' must be a URL text, not int"),
        ("author_url: [x]", "author_url", "'author_url' must be a URL text, not a list"),
        ("preview: {a: b}", "preview", "'preview' must be a URL or a path, not a mapping"),
    ],
)
def test_optional_fields_of_the_wrong_type(front: str, field: str, expected: str) -> None:
    message, prompt = warning(fm(f"title: T\n{front}"))
    assert expected in message
    assert getattr(prompt, field) in ((), None, "cat", ("a",))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/media/../../etc/passwd", "escapes the media folder"),
        ("../secret.png", "escapes the media folder"),
        ("/media/%2e%2e/%2E%2E/x.png", "escapes the media folder"),
        ("/media/./x.png", "escapes the media folder"),
        ("'media\\x.png'", "contains a backslash"),
        ("'C:/Users/x.png'", "local filesystem path"),
        ("'C:\\Users\\x.png'", "local filesystem path"),
        ("'file:///etc/x.png'", "local filesystem path"),
        ("'javascript:alert(1)'", "uses the scheme 'javascript:'"),
        ("'data:image/png;base64,AAAA'", "uses the scheme 'data:'"),
        ("'ftp://example.org/x.png'", "uses the scheme 'ftp:'"),
        ("'https://exa mple.org/x.png'", "contains spaces"),
        ("'https:///x.png'", "has no valid host"),
        ('"/media/x\\u0007.png"', "control characters"),
    ],
)
def test_unsafe_previews_are_dropped(value: str, expected: str) -> None:
    for field, attribute in (("preview", "preview"), ("previewVideo", "preview_video")):
        message, prompt = warning(fm(f"title: T\n{field}: {value}"))
        assert expected in message and f"'{field}'" in message
        assert getattr(prompt, attribute) is None


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("source_url: 'javascript:alert(1)'", "uses the scheme 'javascript:'"),
        ("author_url: 'mailto:a@b.c'", "uses the scheme 'mailto:'"),
        ("author_url: 'https://x.com/a b'", "contains spaces"),
        ("source_url: 'https://localhost:99999/x'", "not a valid URL"),
    ],
)
def test_unusable_urls_are_dropped(front: str, expected: str) -> None:
    message, prompt = warning(fm(f"title: T\n{front}"))
    assert expected in message
    assert prompt.source_url is None and prompt.author_url is None


def test_duplicate_keys_warn_and_the_last_one_wins() -> None:
    message, prompt = warning(fm("title: A\ntags: [a]\ntitle: B"))
    assert message == "'title' is given twice in the frontmatter (line 4); the last one is used"
    assert prompt.title == "B"


def test_unclosed_fence_warns_and_does_not_swallow_the_sections() -> None:
    body = '\n## Prompt\n\n```json\n{"a": 1}\n\n## Source\n\n- [Post](https://x.com/s/1)\n'
    message, prompt = warning(fm("title: T", body))
    assert message == "the code fence opened on line 7 is never closed"
    assert (prompt.prompt, prompt.prompt_format) == ('{"a": 1}', "json")
    assert prompt.source_url == "https://x.com/s/1"


# --- hostile input stays fast (linear time) --------------------------------------------

_M = MAX_FILE_BYTES - 100
_H = "---\ntitle: T\n---\n"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_H + "## P" + " \t" * (_M // 4) + "x\n", id="whitespace-heading"),
        pytest.param(_H + "```x\n" * (_M // 5), id="unclosable-fences"),
        pytest.param(
            _H + "## Prompt\n" + "````\n```\n## Source\n" * (_M // 20), id="nested-fences"
        ),
        pytest.param(_H + "## Source\n" * (_M // 10), id="many-headings"),
        pytest.param(_H + "## Prompt\nP\n## Source\n" + "](" * (_M // 2), id="link-soup"),
        pytest.param(_H + "## Prompt\n" + "[" * (_M // 2), id="deep-json"),
        pytest.param(_H + "Ã©" * (_M // 4), id="mojibake"),
        pytest.param("---\ntitle: '" + "a" * (_M - 30) + "'\n---\nP\n", id="huge-yaml-string"),
        pytest.param("---\ntitle: T\nauthor: '" + "[" * (_M // 2) + "'\n---\nP\n", id="author"),
    ],
)
def test_hostile_input_is_parsed_quickly(text: str) -> None:
    start = time.perf_counter()
    parse_document(text, PATH)
    assert time.perf_counter() - start < 3
