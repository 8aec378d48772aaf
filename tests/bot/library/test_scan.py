import os
import threading
from pathlib import Path

import pytest

from bot.library.scan import scan

DOC = "---\ntitle: T\n---\n\nbody\n"


def write(root: Path, rel: str, text: str = DOC) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_scan_finds_markdown_files_sorted_and_ignores_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "b/two.md")
    write(tmp_path, "a/one.md")
    write(tmp_path, "a/picture.webp", "not a prompt")
    write(tmp_path, "README.md", "# the gallery")
    write(tmp_path, "SOURCES.md", "# where the prompts come from")
    write(tmp_path, ".git/HEAD.md")
    files, problems = scan(tmp_path)
    assert [f.path for f in files] == ["a/one.md", "b/two.md"]
    assert problems == []


def test_symlinks_inside_are_followed_outside_skipped_loops_end(tmp_path: Path) -> None:
    lib, outside = tmp_path / "lib", tmp_path / "outside"
    write(lib, "cat/real.md")
    write(outside, "secret.md")
    os.symlink(outside / "secret.md", lib / "cat" / "leak.md")
    os.symlink(outside, lib / "leakdir")
    os.symlink(lib / "cat" / "real.md", lib / "cat" / "alias.md")
    os.symlink(lib, lib / "cat" / "loop")
    os.symlink(lib / "missing.md", lib / "dangling.md")
    files, problems = scan(lib)
    assert [f.path for f in files] == ["cat/alias.md", "cat/real.md"]
    by_path = {p.path: p.message for p in problems}
    assert "symlink leads outside the library" in by_path["cat/leak.md"]
    assert "symlink leads outside the library" in by_path["leakdir"]
    assert "broken symlink" in by_path["dangling.md"]
    assert all(p.severity == "warning" for p in problems)


def test_a_file_is_read_whole_up_to_one_byte_past_the_cap_whatever_the_scan_saw(
    tmp_path: Path,
) -> None:
    from bot.library.parse import MAX_FILE_BYTES
    from bot.library.scan import read_capped

    path = write(tmp_path, "a/grows.md")
    (file,) = scan(tmp_path)[0]
    assert read_capped(file) == DOC.encode()
    path.write_text(DOC + "more body\n" * 10_000, encoding="utf-8")  # grew since the scan
    assert read_capped(file) == path.read_bytes()
    path.write_bytes(b"x" * (MAX_FILE_BYTES + 70_000))  # grew past the cap
    assert len(read_capped(file)) == MAX_FILE_BYTES + 1
    path.write_text("---\n", encoding="utf-8")  # shrank
    assert read_capped(file) == b"---\n"
    path.write_bytes(b"y" * (MAX_FILE_BYTES + 5))
    (big,) = scan(tmp_path)[0]  # scanned past the cap: still cut one byte past it
    assert read_capped(big) == b"y" * (MAX_FILE_BYTES + 1)


def test_a_file_swapped_for_a_named_pipe_after_the_scan_does_not_hang_the_read(
    tmp_path: Path,
) -> None:
    from bot.library.scan import read_capped

    path = write(tmp_path, "a/pipe.md")
    (file,) = scan(tmp_path)[0]
    path.unlink()
    os.mkfifo(path)  # no writer: a blocking open would wait forever
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(read_capped(file)), daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # let it go (a writer opens the pipe), then fail
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a named pipe blocked")
    assert got == [b""]
