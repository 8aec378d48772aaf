"""Rule 1 of the library format: without ``## Prompt``, a section that holds a
single fenced block after a short description is the prompt (``## Video
Specification`` and the like).  Table-driven, with hostile variants."""

from __future__ import annotations

import pytest

from bot.library.parse import parse_document
from bot.library.sections import SHORT_DESCRIPTION, split_body

DESC = "A 12-second launch video."
SPEC = '```json\n{"project": {"fps": 30}}\n```'
TAIL = "\n\n## Usage\n\nUse it with GSAP.\n\n## Source\n\n- [Post](https://x.com/a/status/1)\n"

# (case, body, prompt, description, extra headings, warning: a word it must contain or None)
CASES = [
    (
        "description then Video Specification",
        f"{DESC}\n\n## Video Specification\n\n{SPEC}{TAIL}",
        '{"project": {"fps": 30}}',
        DESC,
        ["Usage"],
        None,
    ),
    (
        "any heading holding one block",
        f"{DESC}\n\n## JSON Prompt\n\n```\nplain block text\n```{TAIL}",
        "plain block text",
        DESC,
        ["Usage"],
        None,
    ),
    (
        "no description at all",
        f"## Video Specification\n\n{SPEC}{TAIL}",
        '{"project": {"fps": 30}}',
        "",
        ["Usage"],
        None,
    ),
    (
        "description only, empty Video Specification",
        f"{DESC}\n\n## Video Specification\n\n```json\n```{TAIL}",
        DESC,
        "",
        ["Video Specification", "Usage"],
        "empty",
    ),
    (
        "Video Specification of blank lines",
        f"{DESC}\n\n## Video Specification\n\n```\n\n   \n```{TAIL}",
        DESC,
        "",
        ["Video Specification", "Usage"],
        "empty",
    ),
    (
        "nested fences: the outer block is the prompt",
        f"{DESC}\n\n## Video Specification\n\n````markdown\n```json\n{{}}\n```\n## Source\n````"
        + TAIL,
        "```json\n{}\n```\n## Source",
        DESC,
        ["Usage"],
        None,
    ),
    (
        "a prompt that is only backticks",
        f"{DESC}\n\n## Video Specification\n\n````\n```\n````{TAIL}",
        "```",
        DESC,
        ["Usage"],
        None,
    ),
    (
        "two sections with one block each: the first, with a warning",
        f"{DESC}\n\n## Video Specification\n\n{SPEC}\n\n## Audio Specification\n\n```\nbeat\n```"
        + TAIL,
        '{"project": {"fps": 30}}',
        DESC,
        ["Audio Specification", "Usage"],
        "Audio Specification",
    ),
    (
        "a long text before the block is a prompt of its own",
        "word " * (SHORT_DESCRIPTION // 4) + f"\n\n## Video Specification\n\n{SPEC}{TAIL}",
        ("word " * (SHORT_DESCRIPTION // 4)).strip(),
        "",
        ["Video Specification", "Usage"],
        "short description",
    ),
    (
        "code in the text before the block",
        f"{DESC}\n\n```\ncode\n```\n\n## Video Specification\n\n{SPEC}{TAIL}",
        f"{DESC}\n\n```\ncode\n```",
        "",
        ["Video Specification", "Usage"],
        "short description",
    ),
    (
        "a section with a block and text is part of the prompt",
        f"{DESC}\n\n## Scene\n\n```\nx\n```\nMore text.{TAIL}",
        f"{DESC}\n\n## Scene\n\n```\nx\n```\nMore text.",
        "",
        ["Usage"],
        None,
    ),
    (
        "Notes holding a block never hold the prompt",
        f"Short prompt.\n\n## Notes\n\n```\nreplace X\n```{TAIL}",
        "Short prompt.",
        "",
        ["Notes", "Usage"],
        None,
    ),
    (
        "Reference Image holding a block never holds the prompt",
        f"Short prompt.\n\n## Reference Image\n\n```\nA photo.\n```{TAIL}",
        "Short prompt.",
        "",
        ["Reference Image", "Usage"],
        None,
    ),
    (
        "## Prompt wins over a Video Specification",
        f"{DESC}\n\n## Prompt\n\nThe prompt.\n\n## Video Specification\n\n{SPEC}{TAIL}",
        "The prompt.",
        DESC,
        ["Video Specification", "Usage"],
        None,
    ),
]


@pytest.mark.parametrize(
    ("body", "prompt", "description", "extras", "warning"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_prompt_in_another_section(
    body: str, prompt: str, description: str, extras: list[str], warning: str | None
) -> None:
    result = parse_document(f"---\ntitle: T\n---\n\n{body}", "motion/x.md")
    assert result.prompt is not None, result.problems
    assert result.prompt.prompt == prompt
    assert result.prompt.description == description
    assert [heading for heading, _ in result.prompt.extra_sections] == extras
    messages = [p.message for p in result.problems]
    assert all(p.severity == "warning" for p in result.problems)
    if warning is None:
        assert messages == []
    else:
        assert len(messages) == 1 and warning in messages[0], messages


def test_the_rule_is_not_fooled_by_an_unclosed_block() -> None:
    body = f"{DESC}\n\n## Video Specification\n\n```json\n{{}}\n\n## Source\n\n- s\n"
    result = parse_document(f"---\ntitle: T\n---\n\n{body}", "motion/x.md")
    assert result.prompt is not None
    assert (result.prompt.prompt, result.prompt.description) == ("{}", DESC)
    assert [p.message for p in result.problems if "never closed" in p.message] != []


def test_a_description_only_file_is_still_served_as_before() -> None:
    parts = split_body(f"{DESC}\n\n## Source\n\n- [Post](https://x.com/a/status/1)\n")
    assert (parts.prompt, parts.description, parts.warnings) == (DESC, "", ())


def test_the_heading_in_a_warning_is_cut() -> None:
    title = "Specification " + "x" * 500
    parts = split_body(f"{DESC}\n\n## {title}\n\n```\n```\n")
    assert len(parts.warnings) == 1 and len(parts.warnings[0]) < 300
