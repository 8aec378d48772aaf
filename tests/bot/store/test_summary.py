"""The refresh's summary line, as `promptbot index` prints it."""

from __future__ import annotations

import pytest

from bot.store.summary import RefreshSummary


@pytest.mark.parametrize(
    ("problem_files", "said"),
    [(0, "0 files with problems"), (1, "1 file with problems"), (2, "2 files with problems")],
)
def test_the_line_counts_files_in_words_that_agree(problem_files: int, said: str) -> None:
    line = RefreshSummary(added=3, unchanged=1, problem_files=problem_files).line()
    assert line == f"indexed: 3 added, 0 updated, 0 removed, 1 unchanged, {said}"
