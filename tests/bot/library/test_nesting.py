"""The YAML-free nesting estimate: never above the real depth of YAML that
PyYAML accepts (so a valid frontmatter is never refused by it), and at the real
depth on the shapes that PyYAML would otherwise refuse in its own words."""

from __future__ import annotations

import string
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.library.nesting import exceeding_line

try:
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as Loader  # type: ignore[assignment]


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max([0, *(max(depth(k), depth(v)) for k, v in value.items())])
    if isinstance(value, list):
        return 1 + max([0, *(depth(v) for v in value)])
    return 0


def estimate(text: str) -> int:
    """The deepest nesting the scan is sure of."""
    limit = 0
    while exceeding_line(text, limit) is not None:
        limit += 1
    return limit


_TEXT = string.printable + "éü猫🐱:-[]{}&*!|>'\"#, ?"
_SCALARS = st.one_of(st.text(_TEXT, max_size=30), st.integers(), st.none(), st.booleans())
_TREES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(_TEXT, max_size=12), inner, max_size=4)
    ),
    max_leaves=40,
)
_STYLES = st.sampled_from([None, False, True, "canonical"])


def dump(value: Any, style: object, width: int, indent: int) -> str:
    if style == "canonical":
        return yaml.safe_dump(value, canonical=True)
    return yaml.safe_dump(
        value, default_flow_style=style, width=width, indent=indent, allow_unicode=True
    )


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(_TREES, _STYLES, st.integers(10, 200), st.integers(2, 6))
def test_never_above_the_real_depth_of_dumped_yaml(
    value: Any, style: object, width: int, indent: int
) -> None:
    text = dump(value, style, width, indent)
    assert estimate(text) <= depth(yaml.load(text, Loader=Loader))


_PIECES = st.sampled_from(
    [*"ab -:?#'\"[]{},&*!|>\n\t\\x", "- ", ": ", "  ", "\n  ", "\n- ", "''", "[[[[", "]]]]"]
)


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_PIECES, max_size=60).map("".join))
@example("&a:a\n- ")  # the anchor is "a": the plain scalar ":a" goes on over "- "
def test_never_above_the_real_depth_of_any_yaml_pyyaml_accepts(text: str) -> None:
    for loader in {Loader, yaml.SafeLoader}:
        try:
            value = yaml.load(text, Loader=loader)
        except yaml.YAMLError:
            continue
        assert estimate(text) <= depth(value), loader


def chain(levels: int, leaf: Any = "v") -> Any:
    value = leaf
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


@settings(max_examples=60, deadline=None)
@given(st.integers(21, 300), _STYLES, st.integers(2, 6))
def test_deep_dumped_yaml_is_seen_at_its_real_depth(
    levels: int, style: object, indent: int
) -> None:
    text = dump(chain(levels), style, 80, indent)
    assert exceeding_line(text, levels) is None
    assert exceeding_line(text, levels - 1) is not None
    assert exceeding_line(text, 20) is not None


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[" * 30, 0),
        ("a:\n  b: " + "{x: " * 30, 1),
        ("a:\n" + "- " * 30, 1),
        ("a: 'it''s [[[['\nb: [\n" + "[\n" * 30, 20),
    ],
)
def test_the_line_where_the_bound_is_crossed(text: str, line: int) -> None:
    assert exceeding_line(text, 20) == line
