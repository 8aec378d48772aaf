"""Index benchmark: cold build, no-change reindex, loading the search engine from
the index, and one-file-changed reindex, with wall time and peak memory, beside
baselines (parsing every file with no index at all, as ``check`` does; building
the engine without the tokens the index stores).

    python -m benchmarks.bench_index --library ../shared/corpus [--library OTHER ...]

Each measurement runs in a fresh child process so that its peak memory
(``ru_maxrss`` of the process plus its parse workers) is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


async def _load_engine(db: Path, stored_terms: bool) -> dict:
    """What the bot does at start with an existing index: read the prompts, build
    the search snapshot (engine + listings)."""
    from bot.catalog import Snapshot
    from bot.search.inverted import derived
    from bot.store.index import Index

    async with Index(db, derive=derived) as index:
        start = time.perf_counter()
        prompts, terms = await index.prompts_and_terms()
        snapshot = Snapshot.build(prompts, terms if stored_terms else None)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "summary": f"{len(snapshot.engine)} prompts searchable"}


async def _refresh(library: Path, db: Path) -> dict:
    from bot.search.inverted import derived
    from bot.store.index import Index

    async with Index(db, derive=derived) as index:
        start = time.perf_counter()
        summary = await index.refresh(library)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "summary": summary.line()}


def _measure(scenario: str, library: Path, db: Path) -> dict:
    if scenario == "baseline-parse-all":
        from bot.library.scan import load_library

        start = time.perf_counter()
        prompts, _problems = load_library(library)
        result = {"seconds": time.perf_counter() - start, "summary": f"{len(prompts)} prompts"}
    elif scenario.startswith("load-engine"):
        result = asyncio.run(_load_engine(db, stored_terms=scenario == "load-engine"))
    else:
        result = asyncio.run(_refresh(library, db))
    result["peak_mib"] = _peak_mib()
    return result


def _child(scenario: str, library: Path, db: Path) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_index",
            "--child",
            scenario,
            "--library",
            str(library),
            "--db",
            str(db),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _touch_one(library: Path) -> None:
    """Append a space to one prompt file (a real edit: new bytes, new mtime)."""
    from bot.library.scan import scan

    files, _ = scan(library)
    with open(files[len(files) // 2].abspath, "a", encoding="utf-8") as handle:
        handle.write(" ")


def run(library: Path) -> list[tuple[str, dict]]:
    with tempfile.TemporaryDirectory(prefix="promptbot-bench-") as tmp:
        work = Path(tmp) / "library"
        shutil.copytree(library, work)  # the edit below must not touch the original
        db = Path(tmp) / "index.sqlite3"
        rows = [("baseline: parse all, no index", _child("baseline-parse-all", work, db))]
        rows.append(("cold build", _child("refresh", work, db)))
        rows.append(("no-change reindex", _child("refresh", work, db)))
        rows.append(("load search engine from index", _child("load-engine", work, db)))
        rows.append(("  baseline: re-tokenise bodies", _child("load-engine-retokenise", work, db)))
        _touch_one(work)
        rows.append(("one file changed", _child("refresh", work, db)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", action="append", type=Path, required=True)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(args.child, args.library[0], args.db)))
        return
    for library in args.library:
        files = sum(1 for _ in library.rglob("*.md"))
        print(f"\n{library} ({files} .md files, {os.cpu_count()} cores)")
        print(f"{'scenario':<32}{'seconds':>10}{'peak MiB':>10}  summary")
        for name, row in run(library):
            print(f"{name:<32}{row['seconds']:>10.3f}{row['peak_mib']:>10.1f}  {row['summary']}")


if __name__ == "__main__":
    main()
