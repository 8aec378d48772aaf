"""The command line as users run it: ``python -m bot`` in a subprocess, real files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.foreign_files import FOREIGN, read_only, snapshot

ROOT = Path(__file__).parents[2]


def cli(*args: str, cwd: Path, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PROMPTBOT_", "DISCORD_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={**clean, **env, "PYTHONPATH": str(ROOT)},
        cwd=cwd,
        timeout=120,
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A working folder with the seeds as ``seeds/``: the zero-configuration layout."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path


def test_zero_configuration_index_then_search(home: Path) -> None:
    first = cli("index", cwd=home)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == (
        "indexed: 3 added, 0 updated, 0 removed, 0 unchanged, 0 files with problems"
    )
    assert (home / "data" / "promptbot.sqlite3").is_file()
    again = cli("index", cwd=home)
    assert "0 added, 0 updated, 0 removed, 3 unchanged" in again.stdout

    found = cli("search", "neon rain", "--json", cwd=home)
    results = json.loads(found.stdout)
    assert results[0]["title"] == "Neon Dreams on a Rainy Dusk"
    assert set(results[0]) == {"id", "title", "category", "tags", "path", "score"}
    assert results[0]["path"] == "3d/neon-dreams-on-a-rainy-dusk.md"
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


def test_search_answers_from_the_files_as_they_are_now(home: Path) -> None:
    """``search`` reads the search index stored last while it refreshes the index:
    after an edit it must answer from the edited file, not from what was stored."""
    assert cli("index", cwd=home).returncode == 0
    assert json.loads(cli("search", "neon rain", "--json", cwd=home).stdout)[0]["title"] == (
        "Neon Dreams on a Rainy Dusk"
    )
    path = home / "seeds" / "3d" / "neon-dreams-on-a-rainy-dusk.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "Neon Dreams on a Rainy Dusk", "Quokka Lanterns at Noon"
        ),
        encoding="utf-8",
    )
    found = json.loads(cli("search", "quokka lanterns", "--json", cwd=home).stdout)
    assert found and found[0]["title"] == "Quokka Lanterns at Noon"
    again = json.loads(cli("search", "quokka lanterns", "--json", cwd=home).stdout)
    assert again == found  # the next one reads what the last one stored


def test_search_reads_queries_from_stdin_one_array_per_line(home: Path) -> None:
    out = cli("search", "-", "--limit", "1", cwd=home, stdin="neon rain\nnight drive\nzzqqxx\n")
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 3
    assert lines[0][0]["title"] == "Neon Dreams on a Rainy Dusk"
    assert lines[1][0]["title"].startswith("Cinematic Night Drive")
    assert lines[2] == []


def test_answers_come_one_a_query_and_a_closed_pipe_ends_it_quietly(home: Path) -> None:
    """A program that asks on stdin gets each answer at once; one that stops
    reading (``| head``) ends the command without an error message."""
    assert cli("index", cwd=home).returncode == 0
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PROMPTBOT_", "DISCORD_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "search", "-", "--limit", "1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**clean, "PYTHONPATH": str(ROOT)},
        cwd=home,
    )
    assert process.stdin and process.stdout and process.stderr
    try:
        process.stdin.write("neon rain\n")
        process.stdin.flush()
        assert json.loads(process.stdout.readline())[0]["title"] == "Neon Dreams on a Rainy Dusk"
        process.stdout.close()  # the reader goes away
        process.stdin.write("night drive\n")
        process.stdin.close()
        assert process.wait(timeout=60) == 141
        assert process.stderr.read() == ""
    finally:
        process.kill()
        process.wait()


def test_a_search_that_matches_nothing_suggests_queries_from_the_library(home: Path) -> None:
    assert cli("index", cwd=home).returncode == 0
    out = cli("search", "ducks", cwd=home)
    assert out.returncode == 0 and out.stdout == ""
    assert out.stderr.startswith("no match; did you mean: dusk")
    assert out.stderr.count("\n") == 1  # one line
    nothing_near = cli("search", "zzqqxx", cwd=home)
    assert nothing_near.stderr.strip().splitlines()[-1] == "no match"


def test_search_filters_and_bad_values(home: Path) -> None:
    out = cli("search", "neon", "--category", "Portraits", "--json", cwd=home)
    assert {r["category"] for r in json.loads(out.stdout)} == {"portraits"}
    out = cli("search", "", "--tag", "vintage", "--json", cwd=home)
    assert [r["title"][:9] for r in json.loads(out.stdout)] == ["Cinematic"]
    bad = cli("search", "neon", "--category", "nope", cwd=home)
    assert bad.returncode == 2 and "unknown category 'nope'; categories:" in bad.stderr
    bad = cli("search", "neon", "--limit", "0", cwd=home)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_random_and_tags(home: Path) -> None:
    one = json.loads(cli("random", "--category", "3d", "--json", cwd=home).stdout)
    assert one["id"] == "3d/neon-dreams-on-a-rainy-dusk" and one["score"] is None
    tagged = json.loads(cli("random", "--tag", "vintage", "--json", cwd=home).stdout)
    assert tagged["title"].startswith("Cinematic Night Drive")
    none = cli("random", "--category", "3d", "--tag", "vintage", cwd=home)
    assert none.returncode == 2 and "no prompt matches" in none.stderr
    tags = json.loads(cli("tags", "--json", cwd=home).stdout)
    assert tags["categories"] == [{"name": "portraits", "count": 2}, {"name": "3d", "count": 1}]
    assert {"name": "neon", "count": 2} in tags["tags"]


def test_show_prints_the_payload_and_files_that_exist(home: Path) -> None:
    out = cli(
        "show",
        "portraits/neon-dreams-a-night-in-the-city",
        "--json",
        cwd=home,
        PROMPTBOT_MEDIA_DIR=str(home / "seeds"),
    )
    payload = json.loads(out.stdout)
    assert payload["allowed_mentions"] == {"parse": []}
    assert payload["embeds"][0]["title"] == "Neon Dreams: A Night in the City"
    assert payload["files"] and all(Path(f["path"]).is_file() for f in payload["files"])
    assert payload["embeds"][0]["image"]["url"] == f"attachment://{payload['files'][0]['filename']}"
    missing = cli("show", "no/such-id", cwd=home)
    assert missing.returncode == 2 and "no prompt with id 'no/such-id'" in missing.stderr


def test_check_reports_paths_and_exit_codes(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    (lib / "a").mkdir(parents=True)
    (lib / "a" / "good.md").write_text("---\ntitle: Good\n---\n\n## Prompt\n\nA cat.\n")
    (lib / "a" / "bad.md").write_text("---\ntitle: [unclosed\n---\n\nbody\n")
    (lib / "a" / "binary.md").write_bytes(b"\x00\x01\x02")
    out = cli("check", str(lib), cwd=tmp_path)
    assert out.returncode == 1
    assert out.stdout.splitlines()[0].startswith("a/bad.md: error: ")
    report = json.loads(cli("check", str(lib), "--json", cwd=tmp_path).stdout)
    assert {r["path"] for r in report} == {"a/bad.md", "a/binary.md"}
    assert all(set(r) == {"path", "severity", "message"} for r in report)
    assert out.stderr.splitlines()[-1] == "2 errors, 0 warnings"
    (lib / "a" / "binary.md").unlink()
    assert cli("check", str(lib), cwd=tmp_path).stderr.splitlines()[-1] == "1 error, 0 warnings"
    (lib / "a" / "bad.md").unlink()
    assert cli("check", str(lib), cwd=tmp_path).returncode == 0


def test_a_missing_library_is_exit_2_with_one_line(tmp_path: Path) -> None:
    out = cli("index", "--library", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert out.returncode == 2
    assert (
        out.stderr.strip()
        == f"promptbot: PROMPTBOT_LIBRARY: folder '{tmp_path / 'nowhere'}' does not exist"
    )
    out = cli("check", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr


_EVERY_COMMAND = [
    ("index",),
    ("search", "x"),
    ("search", "-"),
    ("random",),
    ("tags",),
    ("show", "some/id"),
    ("run",),
    ("sync",),
]


@pytest.mark.parametrize("args", _EVERY_COMMAND, ids=" ".join)
@pytest.mark.parametrize("kind", ["missing", "a file"])
def test_a_bad_library_setting_exits_2_at_once(
    tmp_path: Path, args: tuple[str, ...], kind: str
) -> None:
    """One line, exit 2, and no hang: nothing (no aiosqlite thread) is left open,
    and no index file is created for a library that is not there."""
    library = tmp_path / "nowhere"
    if kind == "a file":
        library.write_text("not a folder")
    db = tmp_path / "data" / "index.sqlite3"
    env = {"PROMPTBOT_LIBRARY": str(library), "PROMPTBOT_DB": str(db), "DISCORD_TOKEN": "t"}
    try:
        out = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            capture_output=True,
            text=True,
            input="",
            env={**_clean_env(), **env, "PYTHONPATH": str(ROOT)},
            cwd=tmp_path,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`promptbot {' '.join(args)}` hung with PROMPTBOT_LIBRARY {kind}")
    assert out.returncode == 2, out.stderr
    assert len(out.stderr.splitlines()) == 1, out.stderr
    assert out.stderr.startswith("promptbot: PROMPTBOT_LIBRARY: ")
    assert str(library) in out.stderr and out.stdout == ""
    assert not db.exists() and not db.parent.exists()


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PROMPTBOT_", "DISCORD_"))}


# --- --db / PROMPTBOT_DB naming something promptbot did not write --------------------------


def _db_cli(
    home: Path, db: Path, *, flag: bool, wrap: Callable[[list[str]], list[str]] | None = None
) -> subprocess.CompletedProcess:
    args = ["tags", "--db", str(db)] if flag else ["tags"]
    env = {} if flag else {"PROMPTBOT_DB": str(db)}
    command = [sys.executable, "-m", "bot", *args]
    try:
        return subprocess.run(
            wrap(command) if wrap else command,
            capture_output=True,
            text=True,
            env={**_clean_env(), **env, "PYTHONPATH": str(ROOT)},
            cwd=home,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`promptbot tags` hung with PROMPTBOT_DB={db}")


def _one_line_exit_2(out: subprocess.CompletedProcess, db: Path) -> str:
    assert out.returncode == 2, out.stderr
    assert len(out.stderr.splitlines()) == 1 and out.stdout == "", out.stderr
    assert out.stderr.startswith(f"promptbot: PROMPTBOT_DB: '{db}'") or out.stderr.startswith(
        f"promptbot: PROMPTBOT_DB: cannot use '{db}'"
    ), out.stderr
    assert "Traceback" not in out.stderr
    return out.stderr


@pytest.mark.parametrize("flag", [True, False], ids=["--db", "PROMPTBOT_DB"])
@pytest.mark.parametrize("make", FOREIGN.values(), ids=list(FOREIGN))
def test_a_db_setting_naming_a_file_promptbot_did_not_write(
    home: Path, make: Callable[[Path], Path], flag: bool
) -> None:
    spot = home / "spot"
    spot.mkdir()
    db = make(spot)
    before = snapshot(db)
    assert "left untouched" in _one_line_exit_2(_db_cli(home, db, flag=flag), db)
    assert snapshot(db) == before


def test_a_db_setting_naming_an_empty_file_or_missing_folders(home: Path) -> None:
    empty = home / "empty.sqlite3"
    empty.touch()
    assert _db_cli(home, empty, flag=True).returncode == 0
    deep = home / "new" / "folders" / "index.sqlite3"  # the folders are created
    assert _db_cli(home, deep, flag=False).returncode == 0 and deep.is_file()
    blocked = home / "seeds" / "3d" / "neon-dreams-on-a-rainy-dusk.md" / "index.sqlite3"
    before = snapshot(blocked.parent)
    assert "a folder on its path is a file" in _one_line_exit_2(
        _db_cli(home, blocked, flag=True), blocked
    )
    assert snapshot(blocked.parent) == before


@pytest.mark.parametrize("existing", [False, True], ids=["new index", "our index"])
def test_a_db_in_a_read_only_location(home: Path, existing: bool) -> None:
    folder = home / "ro"
    folder.mkdir()
    db = folder / "index.sqlite3"
    if existing:
        assert _db_cli(home, db, flag=True).returncode == 0
    before = snapshot(db) if existing else None
    with read_only(folder) as wrap:
        out = _db_cli(home, db, flag=False, wrap=wrap)
    assert "can promptbot write there?" in _one_line_exit_2(out, db)
    if existing:
        assert snapshot(db) == before
    else:
        assert list(folder.iterdir()) == []


def test_our_own_corrupt_index_is_moved_aside_and_rebuilt(home: Path) -> None:
    db = home / "data" / "promptbot.sqlite3"
    assert cli("index", cwd=home).returncode == 0 and db.is_file()
    damaged = db.read_bytes()[:100] + b"\xff" * (db.stat().st_size - 100)
    db.write_bytes(damaged)
    out = cli("tags", cwd=home)
    assert out.returncode == 0, out.stderr
    assert "rebuilding it from the library" in out.stderr
    assert Path(f"{db}.corrupt").read_bytes() == damaged


def test_index_names_the_files_with_problems_and_how_many_more(home: Path) -> None:
    """As ``check`` does, on stderr, the first PROBLEMS_SHOWN of them; the
    summary line on stdout stays one line."""
    from bot.cli import PROBLEMS_SHOWN

    for i in range(PROBLEMS_SHOWN + 5):
        (home / "seeds" / f"broken{i:02}.md").write_text("---\ntitle: [unclosed\n---\n")
    out = cli("index", cwd=home)
    assert out.returncode == 0, out.stderr
    assert f"{PROBLEMS_SHOWN + 5} files with problems" in out.stdout.strip()
    named = [line for line in out.stderr.splitlines() if ": error: " in line]
    assert len(named) == PROBLEMS_SHOWN
    assert named[0].startswith("broken00.md: error: ")
    assert "... and 5 more: `promptbot check` lists them all" in out.stderr
    again = cli("index", cwd=home)  # nothing changed: still reported
    assert (
        len([line for line in again.stderr.splitlines() if ": error: " in line]) == PROBLEMS_SHOWN
    )
