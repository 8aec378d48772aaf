"""The flat frontmatter reader: what it reads must be what PyYAML's safe loader
reads (and its duplicate keys what the event walk reports); what it cannot
be sure of it leaves to PyYAML (None)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.library import flatyaml, frontmatter


def _pyyaml(text: str) -> tuple[Any, list[str]]:
    """The event walk and the load that the reader stands in for."""
    return yaml.load(text, Loader=frontmatter._Loader), frontmatter._check_events(text, 0)


def _shape(value: Any) -> Any:
    """The value with its types, so that ``'1'`` and ``1`` differ."""
    if isinstance(value, dict):
        return [(_shape(k), _shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return (type(value).__name__, value)


def _agrees(text: str) -> bool:
    """Whether the reader read ``text``; asserts that it read it as PyYAML does."""
    flat = flatyaml.load(text)
    if flat is None:
        return False
    data, twice = flat
    expected, warnings = _pyyaml(text)
    assert _shape(data) == _shape(expected)
    assert [frontmatter._given_twice(key, line + 1) for key, line in twice] == warnings
    return True


@pytest.mark.parametrize(
    "text",
    [
        "title: \"A 'quoted' # title: yes\"\ncategory: 3d\n",
        "title: 'It''s here: #1'\nauthor: '[@a](https://x.com/a)'\n",
        "title: Plain words, (and) more/less-ish?\npreview: /media/a b.webp\n",
        "tags:\n  - \"a\"\n  - b\n  - 'c'\nauthor: x\n",
        "tags:\n- a\n- b\ntitle: t\n",
        "tags:\n\n  - a\n\n  - b\n",
        "title: a\ntags:\nauthor: b\ntags:\n",
        "title: first\ncategory: c\ntitle: second\n",
        "title: 中文 タイトル é\nsource_url: https://x.com/a/status/1?s=20\n",
        "title: t\ntags: []\nauthor: a\n",
        'tags: ["3d", "a, b", "x: #y", ""]\ntitle: t\n',
    ],
)
def test_the_common_shapes_are_read_as_pyyaml_reads_them(text: str) -> None:
    assert _agrees(text)


@pytest.mark.parametrize(
    "text",
    [
        "title: yes\n",  # a boolean
        "on: x\n",  # a boolean key
        "title: 2024-01-02\n",  # a date
        "title: 12\n",
        "title: ~\n",
        "title: a # comment\n",
        "title: a: b\n",
        "title: a:\n",
        'title: "a\\tb"\n',  # an escape
        "title: 'a\n  b'\n",  # a multi-line scalar
        "title: a\n  continued\n",
        "title: a\tb\n",
        "title:\ttab\n",
        "title: [a, b]\n",
        'tags: ["a",]\n',
        'tags: [ "a" ]\n',
        'tags: ["a\\"b"]\n',
        'tags: ["a\\\\b"]\n',  # an escape in an item
        'tags:\n  - ["a"]\n',
        "title: &x a\nb: *x\n",
        "title: !!str 1\n",
        "tags:\n  - a\n    - b\n",
        "tags:\n  - a\n - b\n",
        "tags:\n  -\n",
        "tags:\n  - a: b\n",
        "# comment\ntitle: a\n",
        "'title': a\n",
        "title: a \n",
        "title: \u2028a\n",
        "title: \ufeffa\n",
        "- a\n",
        "",
    ],
)
def test_anything_else_is_left_to_pyyaml(text: str) -> None:
    assert flatyaml.load(text) is None


_KEYS = st.sampled_from(["title", "tags", "on", "yes", "null", "No", "a-b", "_x", "y", "T"])
_VALUES = st.one_of(
    st.sampled_from(["3", "3d", "1.5", ".inf", "~", "null", "No", "0x1f", "-a", "a #b", "a#b"]),
    st.sampled_from(["12:30", "2001-12-14", "1_000", "<<", "=", "a b", "a:", "x: y", "é"]),
    st.text(alphabet="ab '\"#:-[]{},&*!|>%@`?\\\t é中", min_size=0, max_size=6),
    st.lists(st.text(alphabet='ab "#:,[]\\é', max_size=3), max_size=3).map(
        lambda items: "[" + ", ".join(f'"{item}"' for item in items) + "]"
    ),
    st.sampled_from(["[]", "[ ]", '["a","b"]', '["a" , "b"]', "[a]", '["a", b]']),
)
_LINES = st.one_of(
    st.tuples(_KEYS, st.sampled_from([": ", ":"]), _VALUES).map("".join),
    st.tuples(st.sampled_from(["", " ", "  "]), st.just("- "), _VALUES).map("".join),
    st.sampled_from(["", "# c", "  more", "? k"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_LINES, min_size=1, max_size=6))
def test_whatever_it_reads_pyyaml_reads_the_same(lines: list[str]) -> None:
    _agrees("\n".join(lines) + "\n")
