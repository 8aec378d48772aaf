"""The instruction-count benchmark's parts that run without valgrind: the
queries it splits, the child process it measures, its one-line refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import bench_instructions
from benchmarks.bench_instructions import CHILD, split_queries

ROOT = Path(__file__).parents[2]


def test_queries_split_into_descriptions_and_shorter_ones() -> None:
    parts = split_queries(["neon rain", "a cat on a roof", "cat", "red fox in snow"])
    assert {part: queries for part, queries in parts.items() if part != "keystrokes"} == {
        "load": [],
        "descriptions": ["a cat on a roof", "red fox in snow"],
        "shorter": ["neon rain", "cat"],
    }
    assert parts["keystrokes"][:3] == ["n", "ne", "neo"]
    assert parts["keystrokes"][-3:] == ["red fox in sn", "red fox in sno", "red fox in snow"]
    assert len(parts["keystrokes"]) == len("neon raina cat on a roofcatred fox in snow")


def test_the_measured_child_searches_an_index_as_the_bot_does(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROMPTBOT_", "DISCORD_"))}
    env["PYTHONPATH"] = str(ROOT)
    db = tmp_path / "index.sqlite3"
    run = [sys.executable, "-m", "bot", "index", "--library", str(ROOT / "seeds"), "--db", str(db)]
    subprocess.run(run, env=env, check=True, capture_output=True, timeout=120)
    queries = ["neon dreams on a rainy dusk", "xyzzy"]
    for part, hits in (("load", "0"), ("descriptions", None), ("keystrokes", None)):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, part, str(db), json.dumps(queries)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        if hits is not None:
            assert done.stdout.strip() == hits
        else:
            assert int(done.stdout) >= 1  # the seed titled so is found


def test_without_valgrind_or_an_index_it_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bench_instructions.shutil, "which", lambda name: None)
    assert bench_instructions.main(["--db", str(tmp_path / "none.sqlite3")]) == 2
    assert "valgrind is not installed" in capsys.readouterr().err
    monkeypatch.setattr(bench_instructions.shutil, "which", lambda name: "/usr/bin/valgrind")
    assert bench_instructions.main(["--db", str(tmp_path / "none.sqlite3")]) == 2
    assert "promptbot index" in capsys.readouterr().err
