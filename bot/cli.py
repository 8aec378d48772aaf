"""The ``promptbot`` command line: the same program as ``python -m bot``.

Command names, flags and JSON fields are a public contract (see README).
Every command honours the environment and ``.env``; ``--library``/``--db``
override.  Exit codes: 0 fine (a search that matches nothing too: it says so
on stderr), 1 the library has errors (``check``), 2 bad usage or configuration
(an unknown id, category or tag included).  Never a traceback: unexpected
failures are one line on stderr (and the traceback only with ``LOG_LEVEL=DEBUG``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging
from bot.wording import noun

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from bot.catalog import Snapshot
    from bot.models import Problem
    from bot.store.index import Index, RefreshSummary

log = logging.getLogger("promptbot")
PROBLEMS_SHOWN = 20  # problems ``index`` prints (``check`` prints them all)


class UsageError(Exception):
    """A bad option value; exits 2 with a one-line message."""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--library", metavar="DIR", help="prompt library folder (PROMPTBOT_LIBRARY)"
    )
    common.add_argument("--db", metavar="PATH", help="SQLite index file (PROMPTBOT_DB)")
    json_flag = argparse.ArgumentParser(add_help=False)
    json_flag.add_argument("--json", action="store_true", help="machine-readable output")
    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("--category", metavar="C")
    filters.add_argument("--tag", metavar="T")

    parser = argparse.ArgumentParser(prog="promptbot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("index", parents=[common], help="build or refresh the index")
    check = sub.add_parser("check", parents=[common, json_flag], help="validate library files")
    check.add_argument("dir", nargs="?", metavar="DIR", help="folder to check (default: library)")
    search = sub.add_parser("search", parents=[common, json_flag, filters], help="search prompts")
    search.add_argument("query", metavar="QUERY", help="the query, or - to read one per line")
    search.add_argument("--limit", type=int, default=10, metavar="N")
    sub.add_parser("random", parents=[common, json_flag, filters], help="a random prompt")
    sub.add_parser("tags", parents=[common, json_flag], help="categories and tags with counts")
    show = sub.add_parser("show", parents=[common, json_flag], help="the card the bot sends")
    show.add_argument("id", metavar="ID")
    sub.add_parser("run", parents=[common], help="start the Discord bot")
    sync = sub.add_parser("sync", parents=[common], help="register the slash commands")
    sync.add_argument("--guild", metavar="ID", help="sync to one guild instead of globally")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"PROMPTBOT_LIBRARY": args.library, "PROMPTBOT_DB": args.db}
    if getattr(args, "guild", None) is not None:
        overrides["PROMPTBOT_DEV_GUILD"] = args.guild
    return load_settings(overrides=overrides)


def _emit(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


def _result(prompt, score: float | None = None) -> dict:
    return {
        "id": prompt.id,
        "title": prompt.title,
        "category": prompt.category,
        "tags": list(prompt.tags),
        "path": prompt.path,
        "score": None if score is None else round(score, 2),
    }


def _progress_bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done >= total else ""
    sys.stderr.write(f"\rparsing [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")
    sys.stderr.flush()


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.library.scan import load_library

    root = Path(args.dir) if args.dir else settings.library
    if not root.is_dir():
        raise UsageError(f"check: folder '{root}' does not exist")
    _, problems = load_library(root)
    if args.json:
        _emit([{"path": p.path, "severity": p.severity, "message": p.message} for p in problems])
    else:
        for problem in problems:
            print(problem.line())
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        totals = f"{errors} {noun(errors, 'error')}, {warnings} {noun(warnings, 'warning')}"
        print(totals, file=sys.stderr)
    return 1 if any(p.severity == "error" for p in problems) else 0


@asynccontextmanager
async def _opened_index(
    settings: Settings, *, progress: Callable[[int, int], None] | None = None
) -> AsyncIterator[tuple[Index, RefreshSummary]]:
    """The refreshed index, closed on the way out whatever fails (an open
    aiosqlite connection is a thread that keeps the process alive).  The library
    is checked first, so that a bad setting creates no index file."""
    from bot.search.inverted import derived
    from bot.store.index import Index

    library = settings.require_library()
    async with Index(settings.db, derive=derived) as index:
        summary = await index.refresh(library, progress)
        yield index, summary


async def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from bot.stored_snapshot import IN_PROCESS_BELOW, builder, ensure_stored

    stored = str(settings.db) != ":memory:"
    show_bar = sys.stderr.isatty()
    with ExitStack() as stack:
        pool: list[ProcessPoolExecutor] = []

        def progress(done: int, total: int) -> None:
            if show_bar:
                _progress_bar(done, total)
            # Many files to parse: the process that builds the search index starts
            # now, its interpreter and imports (~0.3 s) overlapping the parse.
            if stored and not pool and total >= IN_PROCESS_BELOW:
                pool.append(stack.enter_context(builder()))

        async with _opened_index(settings, progress=progress) as (_, summary):
            pass
        if stored:  # the search index too: the next start only reads it
            ensure_stored(settings.db, pool[0] if pool else None)
    print(summary.line())
    _print_problems(summary.problems)
    return 0


def _print_problems(problems: list[Problem]) -> None:
    """The library's problems, as ``check`` prints them, on stderr: the first
    ``PROBLEMS_SHOWN`` (a library of 100,000 files may have thousands), then
    how many more and where to see them."""
    for problem in problems[:PROBLEMS_SHOWN]:
        print(problem.line(), file=sys.stderr)
    more = len(problems) - PROBLEMS_SHOWN
    if more > 0:
        print(f"... and {more} more: `promptbot check` lists them all", file=sys.stderr)


async def _snapshot(settings: Settings) -> Snapshot:
    """The library as the bot would serve it (the one read model), from the refreshed index."""
    from bot.stored_snapshot import fresh_snapshot

    if str(settings.db) != ":memory:":
        # (the engine and numpy are imported by the snapshot's load, after the
        # refresh has been forked: ~0.2 s that the two processes overlap)
        return await fresh_snapshot(settings.db, settings.require_library())
    from bot.catalog import Snapshot

    async with _opened_index(settings) as (index, _):  # nothing stored: built in memory
        prompts, terms = await index.prompts_and_terms()
        return Snapshot.build(prompts, terms)


async def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    if not 1 <= args.limit <= 100:
        raise UsageError("search: --limit must be between 1 and 100")
    snapshot = await _snapshot(settings)
    _validate_filters(snapshot, args.category, args.tag)
    queries = sys.stdin if args.query == "-" else [args.query]
    for query in queries:
        hits = snapshot.search(
            query.rstrip("\n"), category=args.category, tag=args.tag, limit=args.limit
        )
        if args.json or args.query == "-":
            _emit([_result(hit.prompt, hit.score) for hit in hits])
            if args.query == "-":
                sys.stdout.flush()  # an answer per query as it comes: a program may be waiting
        else:
            for hit in hits:
                print(f"{hit.score:6.1f}  {hit.prompt.id}  {hit.prompt.title}")
            if not hits:
                tries = snapshot.engine.suggest(query)  # from the library's vocabulary
                hint = f"; did you mean: {', '.join(tries)}" if tries else ""
                print(f"no match{hint}", file=sys.stderr)
        sys.stdout.flush()
    return 0


def _validate_filters(snapshot: Snapshot, category: str | None, tag: str | None) -> None:
    facets = snapshot.facets
    if category is not None and facets.category(category) is None:
        names = ", ".join(name for name, _ in facets.categories)
        raise UsageError(f"unknown category '{category}'; categories: {names}")
    if tag is not None and facets.tag(tag) is None:
        raise UsageError(f"unknown tag '{tag}'; `promptbot tags` lists them")


async def cmd_random(args: argparse.Namespace, settings: Settings) -> int:
    snapshot = await _snapshot(settings)
    _validate_filters(snapshot, args.category, args.tag)
    prompt = snapshot.random(args.category, args.tag)
    if prompt is None:
        raise UsageError("no prompt matches both filters (that category and that tag together)")
    if args.json:
        _emit(_result(prompt))
    else:
        print(f"{prompt.id}  {prompt.title}")
    return 0


async def cmd_tags(args: argparse.Namespace, settings: Settings) -> int:
    facets = (await _snapshot(settings)).facets
    categories, tags = facets.categories, facets.tags
    if args.json:
        _emit(
            {
                "categories": [{"name": n, "count": c} for n, c in categories],
                "tags": [{"name": n, "count": c} for n, c in tags],
            }
        )
    else:
        print("categories: " + ", ".join(f"{n} ({c})" for n, c in categories))
        print("tags: " + ", ".join(f"{n} ({c})" for n, c in tags))
    return 0


async def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    from bot.render.card import show_payload

    async with _opened_index(settings) as (index, _):
        prompt = await index.get(args.id)
    if prompt is None:
        raise UsageError(f"show: no prompt with id '{args.id}' (`promptbot search` finds ids)")
    cache = settings.db.parent / "cache"
    payload = show_payload(
        prompt, media_dir=settings.media_dir, media_url=settings.media_url, cache_dir=cache
    )
    if args.json:
        _emit(payload)
    else:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    return 0


def _follow_git(args: argparse.Namespace, settings: Settings) -> None:
    """With ``PROMPTBOT_LIBRARY_GIT``: ``index`` fetches first (on failure it
    warns and indexes the last good checkout); ``run`` and ``sync`` leave it to
    the catalog, which fetches before its first snapshot (``bot.catalog``); the
    other commands use the checkout as it is, cloning it when there is none.
    No checkout at all and no way to get one is one line, exit 2."""
    from bot.gitsource import GitSource, GitSyncError

    source = GitSource.from_settings(settings)
    if source is None or args.command in ("run", "sync") or (args.command == "check" and args.dir):
        return
    if source.has_checkout() and args.command != "index":
        return
    try:
        asyncio.run(source.sync())
    except GitSyncError as err:
        if not source.has_checkout():
            raise source.no_checkout(err) from None
        commit = (source.status().commit or "?")[:12]
        print(
            f"promptbot: warning: {err} (indexing the last good checkout, {commit})",
            file=sys.stderr,
        )


def _dispatch(args: argparse.Namespace) -> int:
    settings = _settings(args)
    setup_logging(settings.log_level, [settings.token or ""])
    _follow_git(args, settings)
    if args.command == "check":
        return cmd_check(args, settings)
    if args.command in ("run", "sync"):
        from bot.app import run_command

        return run_command(args.command, settings)
    command = {
        "index": cmd_index,
        "search": cmd_search,
        "random": cmd_random,
        "tags": cmd_tags,
        "show": cmd_show,
    }[args.command]
    return asyncio.run(command(args, settings))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except (ConfigError, UsageError) as err:
        print(f"promptbot: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader is gone (``| head``): stop quietly, as other tools do
        # (standard output to /dev/null, or the flush at exit fails the same way)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE: what a shell shows for a tool that SIGPIPE ended
    except Exception as err:  # never a traceback for the user; the log has it at DEBUG
        log.debug("unexpected failure", exc_info=True)
        print(f"promptbot: {args.command} failed: {type(err).__name__}: {err}", file=sys.stderr)
        return 3
