"""The latency benchmark's summary and its child, run on the seed library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.bench_latency import main, summarise

ROOT = Path(__file__).parents[2]


def test_first_pass_and_each_querys_fastest_are_summarised_apart() -> None:
    # two passes of three searches and two keystrokes
    runs = [[[5.0, 1.0, 9.0], [2.0, 4.0]], [[3.0, 2.0, 1.0], [3.0, 1.0]]]
    figures = summarise(runs)
    assert figures["search, first pass"] == (5.0, 9.0)
    assert figures["search, fastest"] == (1.0, 3.0)  # min per query: 3, 1, 1
    assert figures["autocomplete, first pass"] == (4.0, 4.0)
    assert figures["autocomplete, fastest"] == (2.0, 2.0)  # 2, 1


def test_a_tree_is_measured_in_a_child_on_the_given_queries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = tmp_path / "few.json"
    queries.write_text(json.dumps([{"query": "neon rain"}, {"query": "xyzzy"}]))
    argv = ["--corpus", str(ROOT / "seeds"), "--queries", str(queries), "--passes", "2"]
    assert main([*argv, "--tree", str(ROOT)]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("  few (2):"))
    assert "search, first pass" in line and "autocomplete, fastest" in line


def test_a_tree_that_cannot_search_is_named(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="the run failed") as failed:
        main(["--corpus", str(ROOT / "seeds"), "--tree", str(tmp_path), "--passes", "1"])
    assert str(tmp_path) in str(failed.value)


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (["--tree", "/nonexistent"], "no such folder"),
        (["--queries", "/nonexistent.json"], "no such file"),
        (["--passes", "0"], "at least 1"),
    ],
)
def test_a_bad_option_is_one_line(
    option: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as failed:
        main(["--corpus", str(ROOT / "seeds"), *option])
    assert failed.value.code == 2 and said in capsys.readouterr().err
