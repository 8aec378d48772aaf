"""Reading and parsing a refresh's files, in chunks (in worker processes for many)."""

from __future__ import annotations

import fcntl
import hashlib
from pathlib import Path

import pytest

from bot.library.scan import LibraryFile
from bot.store import parsing
from bot.store.parsing import Job, parse_stream


def _file(root: Path, name: str, text: str | None) -> LibraryFile:
    path = root / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    size = path.stat().st_size if text is not None else 0
    return LibraryFile(name, str(path), size, 0)


GOOD = "---\ntitle: Neon Rain\n---\n## Prompt\n\nneon rain at night\n"


@pytest.mark.parametrize("chunk", [1, 2, 128])
def test_each_file_gets_its_own_result_in_order_whatever_the_chunks(
    chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file gone since the scan, one whose bytes are those indexed, one
    that is not a prompt and good ones, mixed in one chunk or across several."""
    monkeypatch.setattr(parsing, "CHUNK", chunk)
    same = _file(tmp_path, "same.md", GOOD.replace("Neon", "Same"))
    known = hashlib.blake2b(Path(same.abspath).read_bytes(), digest_size=16).hexdigest()
    jobs: list[Job] = [
        (_file(tmp_path, "a.md", GOOD), None),
        (_file(tmp_path, "gone.md", None), None),
        (same, known),
        (_file(tmp_path, "bad.md", "no frontmatter, no prompt"), None),
        (_file(tmp_path, "b.md", GOOD.replace("Neon", "Blue")), "an older digest"),
    ]
    results = list(parse_stream(jobs, None))
    assert len(results) == 5
    a, gone, unchanged, bad, b = results
    assert a is not None and a.row is not None and a.row[0] == "a"
    assert gone is not None and gone.row is None and gone.digest == ""
    assert "cannot read the file" in gone.problems[0].message
    assert unchanged is None
    assert bad is not None and bad.row is None and bad.problems
    assert bad.problems[0].severity == "error"
    assert b is not None and b.row is not None and b.row[0] == "b" and b.digest != "an older digest"


@pytest.mark.skipif(not hasattr(fcntl, "F_GETPIPE_SZ"), reason="pipe sizes are Linux's")
def test_the_pool_s_result_pipe_holds_a_whole_chunk() -> None:
    """A worker must not wait for the parent to read a chunk's results."""
    pool = parsing._pool()
    try:
        writer = pool._result_queue._writer  # type: ignore[attr-defined]
        size = fcntl.fcntl(writer.fileno(), fcntl.F_GETPIPE_SZ)
        assert size >= parsing.RESULT_PIPE_BYTES
        assert list(pool.map(len, ["ab", "c"])) == [2, 1]
    finally:
        pool.shutdown()
