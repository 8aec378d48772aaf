import os
import threading
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.library.scan import LibraryFile, fingerprint, scan
from bot.models import Problem

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


def test_a_library_without_prompt_files_says_so_and_what_it_holds(tmp_path: Path) -> None:
    """A library pointed at the wrong folder, or at prompts saved as text files,
    would index as "0 added" and check clean: one warning says why."""
    assert [(p.path, p.severity) for p in scan(tmp_path)[1]] == [(".", "warning")]
    assert "no file at all" in scan(tmp_path)[1][0].message
    write(tmp_path, "a/000.txt", "a prompt")
    write(tmp_path, "a/001.txt", "another")
    write(tmp_path, "media/a.webp", "image")
    write(tmp_path, "README.md", "# the gallery")
    (message,) = (p.message for p in scan(tmp_path)[1])
    assert ".md" in message
    assert "4 files that are not prompts (.txt, .webp, README.md)" in message
    for name in ("a/000.txt", "a/001.txt", "media/a.webp"):
        (tmp_path / name).unlink()
    (message,) = (p.message for p in scan(tmp_path)[1])
    assert "1 file that is not a prompt (README.md)" in message
    write(tmp_path, "a/one.md")
    assert scan(tmp_path)[1] == []


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


_files = st.lists(
    st.builds(
        LibraryFile,
        path=st.text(st.characters(blacklist_characters="\0"), min_size=1, max_size=4),
        abspath=st.just("/x"),
        size=st.integers(0, 3),
        mtime_ns=st.integers(-3, 3),
    ),
    max_size=4,
)
_problems = st.lists(
    st.builds(Problem, st.sampled_from(["a", "b"]), st.just("warning"), st.sampled_from("xy")),
    max_size=2,
)


@given(_files, _problems, _files, _problems)
@example(  # any lone surrogate (a name not valid UTF-8 decodes to one), not only U+DC80..DCFF
    files=[], problems=[], other_files=[LibraryFile("\ud800", "/x", 0, 0)], other_problems=[]
)
@example(
    files=[LibraryFile("\udc80", "/x", 0, 0)],
    problems=[],
    other_files=[LibraryFile("\udc81", "/x", 0, 0)],
    other_problems=[],
)
def test_fingerprints_are_equal_exactly_when_what_a_refresh_compares_is(
    files: list[LibraryFile],
    problems: list[Problem],
    other_files: list[LibraryFile],
    other_problems: list[Problem],
) -> None:
    """Equal fingerprints let a refresh skip its file-by-file comparison, so two
    scans that differ in any path, size, modification time, order or problem
    must not share one (where the file lives on disk does not matter)."""

    def compared(files: list[LibraryFile], problems: list[Problem]) -> tuple:
        return [(f.path, f.size, f.mtime_ns) for f in files], problems

    same = compared(files, problems) == compared(other_files, other_problems)
    assert (fingerprint(files, problems) == fingerprint(other_files, other_problems)) == same
    moved = [f._replace(abspath="/elsewhere") for f in files]
    assert fingerprint(moved, problems) == fingerprint(files, problems)


def test_a_fingerprint_tells_paths_apart_however_they_are_split(tmp_path: Path) -> None:
    """The paths are joined with NUL, which no path holds: 'ab' + 'c' is not 'a' + 'bc'."""
    one = [LibraryFile("ab", "", 1, 1), LibraryFile("c", "", 1, 1)]
    two = [LibraryFile("a", "", 1, 1), LibraryFile("bc", "", 1, 1)]
    assert fingerprint(one, []) != fingerprint(two, [])
    odd = tmp_path / "caf\udce9.md"  # a name that is not UTF-8
    assert fingerprint([LibraryFile(odd.name, str(odd), 1, 1)], []) != fingerprint(one, [])
