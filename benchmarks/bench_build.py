"""The search index's build, alone: what ``promptbot index`` does after the refresh of
a big library, timed apart from the parse (whose noise on this VM hides a second).

    python -m benchmarks.bench_build --db INDEX [--tree DIR --tree DIR ...] [--rounds 4]

``INDEX`` is an index that ``promptbot index`` wrote (its parts are built again on a
copy).  Each round runs every tree once, alternating, each in a fresh process: the
builder is started the way ``promptbot index`` starts it (``builder()``, then a pause
standing for the parse), the build submitted to it, and the wall time from submission
to the stored parts printed with the children's CPU time and their peak RSS (the
largest child's).  Compare a tree with the one before a change: ``git worktree add
/tmp/old HEAD~1`` and ``--tree /tmp/old --tree .``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_ONE_BUILD = """
import resource, sys, time
from pathlib import Path
from bot.stored_snapshot import build_and_store, builder

if __name__ == "__main__":
    with builder() as pool:
        time.sleep(2.0)  # the parse, during which the builder starts
        start = time.perf_counter()
        pool.submit(build_and_store, Path(sys.argv[1])).result()
        wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    print(f"{wall:.2f} {cpu:.2f} {usage.ru_maxrss / 1024:.0f}")
"""


def _one(tree: Path, db: Path, scratch: Path) -> tuple[float, float, float]:
    copy = scratch / "index.sqlite3"
    shutil.copyfile(db, copy)
    script = scratch / "one_build.py"
    script.write_text(_ONE_BUILD)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    run = subprocess.run(
        [sys.executable, str(script), str(copy)],
        env=env,
        cwd=scratch,
        capture_output=True,
        text=True,
        check=True,
    )
    wall, cpu, peak = map(float, run.stdout.split())
    return wall, cpu, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--tree", type=Path, action="append")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    trees = [t.resolve() for t in args.tree or [Path(".")]]
    results: dict[Path, list[tuple[float, float, float]]] = {t: [] for t in trees}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            for tree in trees:
                wall, cpu, peak = _one(tree, args.db, Path(tmp))
                results[tree].append((wall, cpu, peak))
                print(f"round {round_ + 1} {tree}: {wall:.2f} s, CPU {cpu:.2f} s, {peak:.0f} MiB")
    for tree, runs in results.items():
        walls = sorted(r[0] for r in runs)
        cpus = sorted(r[1] for r in runs)
        peaks = [r[2] for r in runs]
        print(
            f"{tree}: wall {walls[0]:.2f}-{walls[-1]:.2f} s (median {walls[len(walls) // 2]:.2f}), "
            f"CPU {cpus[0]:.2f}-{cpus[-1]:.2f} s, peak {min(peaks):.0f}-{max(peaks):.0f} MiB"
        )


if __name__ == "__main__":
    main()
