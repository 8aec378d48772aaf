"""The SQLite schema of the index, as numbered migrations.

``PRAGMA user_version`` holds how many migrations a database has had, and
``PRAGMA application_id`` is :data:`INDEX_APPLICATION_ID`, the mark that tells
promptbot's index from any other file (see :mod:`bot.store.guard`).  The index
is derived data: a database of ours from a newer promptbot, or a corrupt one, is
simply rebuilt from the library; a file that is not ours is never touched.
"""

from __future__ import annotations

import dataclasses
import json
import operator

import orjson

from bot.models import Problem, Prompt

INDEX_APPLICATION_ID = 0x70624958  # b"pbIX": promptbot's index (one constant per kind of database)

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE files (
        path TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        digest TEXT NOT NULL,
        prompt_id TEXT
    );
    CREATE TABLE prompts (
        n INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL UNIQUE,
        category TEXT NOT NULL,
        category_key TEXT NOT NULL,
        rnd REAL NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX prompts_rnd ON prompts (rnd);
    CREATE INDEX prompts_category_rnd ON prompts (category_key, rnd);
    CREATE TABLE prompt_tags (
        prompt_id TEXT NOT NULL REFERENCES prompts (id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        tag_key TEXT NOT NULL,
        rnd REAL NOT NULL,
        PRIMARY KEY (tag_key, prompt_id)
    );
    CREATE INDEX prompt_tags_rnd ON prompt_tags (tag_key, rnd);
    CREATE INDEX prompt_tags_prompt ON prompt_tags (prompt_id);
    CREATE TABLE problems (
        path TEXT NOT NULL,
        origin TEXT NOT NULL,  -- 'file': from parsing that file; 'scan': from walking the folder
        severity TEXT NOT NULL,
        message TEXT NOT NULL
    );
    CREATE INDEX problems_path ON problems (path);
    """,
    # Dense slot numbers per filter ('' = all, 'c:<category>', 't:<tag>'): a uniform
    # random pick is then two index seeks (the highest slot, then a random slot).
    """
    CREATE TABLE prompt_slots (
        key TEXT NOT NULL,
        slot INTEGER NOT NULL,
        prompt_id TEXT NOT NULL,
        PRIMARY KEY (key, slot)
    ) WITHOUT ROWID;
    """,
    # The search engine's long-field tokens, computed while parsing (in the worker
    # processes), so that loading the engine does no text processing of bodies.
    """
    ALTER TABLE prompts ADD COLUMN body_terms TEXT NOT NULL DEFAULT '';
    """,
    # Categories, tags and random picks are the snapshot's (bot.search.facets): the
    # per-filter slots, the tag table and the columns only they read are dropped.
    """
    DROP TABLE prompt_slots;
    DROP TABLE prompt_tags;
    DROP INDEX prompts_rnd;
    DROP INDEX prompts_category_rnd;
    ALTER TABLE prompts DROP COLUMN rnd;
    ALTER TABLE prompts DROP COLUMN category_key;
    ALTER TABLE prompts DROP COLUMN category;
    """,
    # What the layer above derives from a whole generation of prompts (the search
    # index, as bytes), stored so that a process starts by reading it; valid while
    # meta 'derived_key' names the current meta 'generation' (bumped by every
    # refresh that changes a prompt).
    """
    CREATE TABLE derived (name TEXT PRIMARY KEY, data BLOB NOT NULL);
    """,
    # Characters of each prompt's description and prompt text: the layer above
    # numbers prompts by it, and so can start building before reading any prompt.
    # Forgetting the parser version makes the next refresh parse every file again
    # (which fills it).
    """
    ALTER TABLE prompts ADD COLUMN text_chars INTEGER NOT NULL DEFAULT 0;
    DELETE FROM meta WHERE key = 'parser_version';
    """,
    # The second text the layer above derives per prompt while parsing (the search
    # index's short fields, so that building it reads no prompt), filled the same way.
    """
    ALTER TABLE prompts ADD COLUMN head TEXT NOT NULL DEFAULT '';
    DELETE FROM meta WHERE key = 'parser_version';
    """,
    # A prompt is stored as a JSON array of its fields (prompt_to_json), no longer an
    # object: an older promptbot, which reads objects only, finds a newer schema and
    # rebuilds the index instead of misreading it; forgetting the parser version makes
    # the next refresh parse every file again, rewriting each row as an array.
    """
    DELETE FROM meta WHERE key = 'parser_version';
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


_PROMPT_FIELDS = tuple(f.name for f in dataclasses.fields(Prompt))
_prompt_fields = operator.attrgetter(*_PROMPT_FIELDS)
# The standard library's encoder, for what orjson refuses (a lone surrogate, which
# the parser never lets into a prompt): ASCII output, its fastest path.
_to_json = json.JSONEncoder(separators=(",", ":")).encode


def prompt_to_json(prompt: Prompt) -> str:
    """The prompt's fields as a JSON array, in ``Prompt``'s order (tuples as
    arrays); not ``dataclasses.asdict``, which deep-copies every field.  Every
    parsed file's prompt is: orjson writes one in 5 µs against the standard
    library's 17 (its fastest, ASCII, path), and reads it in 8 against 14."""
    fields = _prompt_fields(prompt)
    try:
        return orjson.dumps(fields).decode()
    except orjson.JSONEncodeError:
        return _to_json(fields)


def prompt_from_json(text: str) -> Prompt:
    """What :func:`prompt_to_json` wrote, or an object of the fields by name (as
    an older promptbot stored them)."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:  # what only the standard library writes (\ud800)
        data = json.loads(text)
    if isinstance(data, list):
        if len(data) != len(_PROMPT_FIELDS):
            raise ValueError(f"a stored prompt has {len(data)} fields, not {len(_PROMPT_FIELDS)}")
        data = dict(zip(_PROMPT_FIELDS, data, strict=True))
    data["tags"] = tuple(data.get("tags") or ())
    data["extra_sections"] = tuple(tuple(pair) for pair in data.get("extra_sections") or ())
    return Prompt(**data)


def problem_row(problem: Problem, origin: str) -> tuple[str, str, str, str]:
    return (problem.path, origin, problem.severity, problem.message)
