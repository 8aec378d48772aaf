"""Deployment files: docker-compose.yml, Dockerfile, .dockerignore, .env.example, the setup doc.

No Docker engine is needed: the compose file is validated against the Compose specification's
JSON schema (vendored by check-jsonschema as ``vendor.compose-spec``) and the Dockerfile is
checked by reading its instructions.
"""

from __future__ import annotations

import copy
import fnmatch
import importlib.resources
import json
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.config import NAMES

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"
SETUP_DOC = ROOT / "docs" / "discord-setup.md"

# The variables the bot's configuration reads (bot.config is the one place that knows them).
CONFIG_VARS = frozenset(NAMES)
# Host paths substituted into docker-compose.yml by Compose; the bot never reads them.
COMPOSE_ONLY_VARS = frozenset({"PROMPTBOT_LIBRARY_HOST", "PROMPTBOT_MEDIA_HOST"})


# --------------------------------------------------------------------------------------------
# helpers


def compose_schema() -> dict[str, Any]:
    resource = importlib.resources.files("check_jsonschema.builtin_schemas.vendor").joinpath(
        "compose-spec.json"
    )
    return json.loads(resource.read_bytes())


def schema_errors(document: Any) -> list[str]:
    schema = compose_schema()
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    validator = validator_cls(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def load_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def the_service(compose: dict[str, Any]) -> dict[str, Any]:
    services = compose["services"]
    assert len(services) == 1, f"expected one service, got {sorted(services)}"
    return next(iter(services.values()))


def environment(service: dict[str, Any]) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) for item in env)
        return {p[0]: (p[1] if len(p) > 1 else None) for p in pairs}
    return {k: (None if v is None else str(v)) for k, v in env.items()}


def mounts(service: dict[str, Any], named_volumes: set[str]) -> list[dict[str, Any]]:
    """Every entry of ``volumes`` in long form: type, source, target, read_only."""
    result = []
    for item in service.get("volumes") or []:
        if isinstance(item, dict):
            result.append(
                {
                    "type": item["type"],
                    "source": item.get("source"),
                    "target": item["target"],
                    "read_only": item.get("read_only") in (True, "true"),
                }
            )
            continue
        # Short syntax: [SOURCE:]TARGET[:MODE]; SOURCE may contain ${VAR:-default}.
        parts = re.split(r":(?![^{]*\})", item)
        if len(parts) == 1:
            source, target, mode = None, parts[0], ""
        else:
            source, target, mode = parts[0], parts[1], (parts[2] if len(parts) > 2 else "")
        kind = "volume" if source is None or source in named_volumes else "bind"
        result.append(
            {
                "type": kind,
                "source": source,
                "target": target,
                "read_only": "ro" in mode.split(","),
            }
        )
    return result


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # comment lines inside a continued instruction are ignored by Docker
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    assert not pending, "Dockerfile ends inside a continued line"
    return instructions


def index_of(instructions: list[tuple[str, str]], predicate, what: str) -> int:
    for i, instruction in enumerate(instructions):
        if predicate(*instruction):
            return i
    raise AssertionError(f"Dockerfile has no {what}")


def copy_sources(args: str) -> list[str]:
    words = [w for w in shlex.split(args) if not w.startswith("--")]
    return words[:-1]


def env_example_vars() -> list[str]:
    """Names set in .env.example, including commented-out ``# NAME=value`` examples."""
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
    return pattern.findall(ENV_EXAMPLE.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# docker-compose.yml: the schema


def test_compose_file_is_valid_against_the_compose_spec() -> None:
    assert schema_errors(load_compose()) == []


def _rename_service_key(compose: dict[str, Any], old: str, new: str) -> None:
    service = the_service(compose)
    service[new] = service.pop(old)


@pytest.mark.parametrize(
    ("mutate", "bad_key"),
    [
        (lambda c: _rename_service_key(c, "restart", "restrat"), "restrat"),
        (lambda c: _rename_service_key(c, "env_file", "envfile"), "envfile"),
        (lambda c: the_service(c)["logging"].__setitem__("optons", {"max-size": "1m"}), "optons"),
        (lambda c: c.update(servics=c.pop("services")), "servics"),
    ],
    ids=["restrat", "envfile", "logging.optons", "servics"],
)
def test_schema_rejects_a_typo(mutate, bad_key: str) -> None:
    compose = copy.deepcopy(load_compose())
    mutate(compose)
    errors = schema_errors(compose)
    assert errors, f"a compose file with {bad_key!r} passed the schema"
    assert any(bad_key in e for e in errors), errors


def _check_jsonschema_cli() -> str:
    exe = Path(sys.executable).with_name("check-jsonschema")
    found = str(exe) if exe.exists() else shutil.which("check-jsonschema")
    if not found:
        pytest.skip("the check-jsonschema command is not installed")
    return found


def test_check_jsonschema_cli_accepts_the_compose_file() -> None:
    cli = _check_jsonschema_cli()
    done = subprocess.run(
        [cli, "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_check_jsonschema_cli_rejects_a_typo(tmp_path: Path) -> None:
    cli = _check_jsonschema_cli()
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert re.search(r"^\s+restart:", text, re.MULTILINE)
    bad = tmp_path / "docker-compose.yml"
    bad.write_text(re.sub(r"^(\s+)restart:", r"\1restrat:", text, flags=re.MULTILINE))
    done = subprocess.run(
        [cli, "--builtin-schema", "vendor.compose-spec", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0, done.stdout + done.stderr
    assert "restrat" in done.stdout + done.stderr


# --------------------------------------------------------------------------------------------
# docker-compose.yml: what matters for this bot


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


@pytest.fixture(scope="module")
def service(compose: dict[str, Any]) -> dict[str, Any]:
    return the_service(compose)


def test_service_builds_this_folder(service: dict[str, Any]) -> None:
    build = service["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    assert context in (".", "./")


def test_library_is_mounted_read_only(compose: dict[str, Any], service: dict[str, Any]) -> None:
    library = environment(service).get("PROMPTBOT_LIBRARY")
    assert library, "PROMPTBOT_LIBRARY must be set to the in-container mount point"
    matching = [
        m for m in mounts(service, set(compose.get("volumes") or {})) if m["target"] == library
    ]
    assert len(matching) == 1, f"nothing (or several things) mounted at {library}"
    assert matching[0]["type"] == "bind"
    assert matching[0]["read_only"], "the prompt library must be mounted read-only"


def test_default_library_host_folder_exists(service: dict[str, Any]) -> None:
    """The mount's default source (``${PROMPTBOT_LIBRARY_HOST:-./seeds}``) is in the repo."""
    library = environment(service)["PROMPTBOT_LIBRARY"]
    (mount,) = [m for m in mounts(service, set()) if m["target"] == library]
    match = re.fullmatch(r"\$\{PROMPTBOT_LIBRARY_HOST:-([^}]+)\}", mount["source"])
    assert match, f"library source should be ${{PROMPTBOT_LIBRARY_HOST:-...}}: {mount['source']}"
    assert (ROOT / match.group(1)).is_dir()


@pytest.mark.parametrize("variable", ["PROMPTBOT_DB", "PROMPTBOT_STATE"])
def test_database_is_on_a_named_volume(
    compose: dict[str, Any], service: dict[str, Any], variable: str
) -> None:
    db = environment(service).get(variable)
    assert db and posixpath.isabs(db)
    named = set(compose.get("volumes") or {})
    folder = posixpath.dirname(db)
    matching = [m for m in mounts(service, named) if m["target"] == folder]
    assert len(matching) == 1, f"nothing mounted at {folder}"
    assert matching[0]["type"] == "volume"
    assert matching[0]["source"] in named, "the database volume must be a declared named volume"
    assert not matching[0]["read_only"]


def test_env_file_is_dot_env(service: dict[str, Any]) -> None:
    env_file = service["env_file"]
    entries = env_file if isinstance(env_file, list) else [env_file]
    paths = [e if isinstance(e, str) else e["path"] for e in entries]
    assert paths == [".env"]


def test_logging_rotates(service: dict[str, Any]) -> None:
    logging = service["logging"]
    assert logging["driver"] in ("json-file", "local")
    options = logging["options"]
    assert re.fullmatch(r"\d+[kmg]", str(options["max-size"]))
    assert int(options["max-file"]) >= 2


def test_restart_init_and_stop_grace(service: dict[str, Any]) -> None:
    assert service["restart"] == "unless-stopped"
    assert service["init"] is True
    assert re.fullmatch(r"\d+(ms|s|m)", str(service["stop_grace_period"]))


def test_compose_environment_names_are_config_variables(service: dict[str, Any]) -> None:
    assert set(environment(service)) <= CONFIG_VARS


def test_compose_substitutions_are_documented() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    uncommented = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", uncommented))
    assert used <= COMPOSE_ONLY_VARS | CONFIG_VARS
    assert used <= set(env_example_vars()), "every ${VAR} in the compose file is in .env.example"


# --------------------------------------------------------------------------------------------
# Dockerfile


@pytest.fixture(scope="module")
def instructions() -> list[tuple[str, str]]:
    return dockerfile_instructions()


def test_base_image_is_slim_python_311(instructions: list[tuple[str, str]]) -> None:
    froms = [args for keyword, args in instructions if keyword == "FROM"]
    assert froms, "no FROM"
    image = froms[-1].split()[0]
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", image), image


def test_runs_as_a_non_root_user(instructions: list[tuple[str, str]]) -> None:
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users, "no USER: the container would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    last_user = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "USER")
    assert all(keyword not in ("RUN",) for keyword, _ in instructions[last_user:]), (
        "RUN after the final USER runs as the bot's user; keep USER last"
    )


def test_dependencies_are_installed_from_the_lock_before_the_source_is_copied(
    instructions: list[tuple[str, str]],
) -> None:
    def copies(name: str):
        return lambda kw, args: (
            kw == "COPY" and any(s.rstrip("/") == name for s in copy_sources(args))
        )

    copy_lock = index_of(instructions, copies("requirements.lock"), "COPY requirements.lock")
    install_deps = index_of(
        instructions,
        lambda kw, args: kw == "RUN" and "pip install" in args and "-r requirements.lock" in args,
        "RUN pip install -r requirements.lock (the dependency layer)",
    )
    copy_bot = index_of(instructions, copies("bot"), "COPY bot")
    copy_cogs = index_of(instructions, copies("cogs"), "COPY cogs")
    install_project = index_of(
        instructions,
        lambda kw, args: kw == "RUN" and re.search(r"pip install (--\S+ )*--no-deps\b", args),
        "RUN pip install --no-deps .",
    )
    assert copy_lock < install_deps < copy_bot < install_project
    assert copy_cogs < install_project
    # Nothing but the lock is copied before the dependency layer.
    for keyword, args in instructions[:install_deps]:
        if keyword in ("COPY", "ADD"):
            assert copy_sources(args) == ["requirements.lock"], args


def _pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, _, version = line.strip().partition("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version.split()[0]
    return pins


def _requirement_name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]).lower()


def test_locks_pin_every_dependency_and_agree() -> None:
    """requirements.lock pins every runtime dependency of pyproject.toml,
    requirements-test.lock also the test extras, and the two agree on every shared pin."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    runtime, test = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-test.lock")
    for requirement in project["dependencies"]:
        assert _requirement_name(requirement) in runtime, requirement
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert _requirement_name(requirement) in test, requirement
    assert {name: test[name] for name in runtime} == runtime


def test_seeds_are_in_the_image(instructions: list[tuple[str, str]]) -> None:
    index_of(
        instructions,
        lambda kw, args: kw == "COPY" and "seeds" in [s.rstrip("/") for s in copy_sources(args)],
        "COPY seeds",
    )


def test_entrypoint_cmd_env_and_volume(instructions: list[tuple[str, str]]) -> None:
    last = {}
    env: dict[str, str] = {}
    for keyword, args in instructions:
        last[keyword] = args
        if keyword == "ENV":
            for word in shlex.split(args):
                name, _, value = word.partition("=")
                env[name] = value
    assert json.loads(last["ENTRYPOINT"]) == ["promptbot"]
    assert json.loads(last["CMD"]) == ["run"]
    assert env.get("PYTHONUNBUFFERED") == "1"
    assert env.get("PROMPTBOT_DB") == "/data/promptbot.sqlite3"
    assert env.get("PROMPTBOT_STATE") == "/data/state.sqlite3"  # member data on the volume
    volume = last["VOLUME"]
    volumes = json.loads(volume) if volume.startswith("[") else volume.split()
    assert "/data" in volumes
    assert (
        set(env)
        - {"PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"}
        - {n for n in env if n.startswith("PIP_")}
        <= CONFIG_VARS
    )


# --------------------------------------------------------------------------------------------
# .dockerignore


def _ignored(path: str, patterns: list[str]) -> bool:
    """A small approximation of Docker's matching: last matching pattern wins."""
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        candidates = [pattern]
        if pattern.startswith("**/"):
            candidates.append(pattern[3:])
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatchcase(p, c) for p in prefixes for c in candidates):
            ignored = not negate
    return ignored


def test_dockerignore_keeps_build_inputs_and_drops_secrets() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    for needed in (
        "pyproject.toml",
        "requirements.lock",
        "README.md",
        "bot/cli.py",
        "cogs/search.py",
        "seeds/a.md",
    ):
        assert not _ignored(needed, patterns), f"{needed} is excluded from the build context"
    for secret in (
        ".env",
        ".env.local",
        "data/promptbot.sqlite3",
        ".git/config",
        "venv/bin/python",
    ):
        assert _ignored(secret, patterns), f"{secret} would be sent to the Docker daemon"


# --------------------------------------------------------------------------------------------
# .env.example and the setup doc


def test_env_example_names_only_known_variables() -> None:
    names = env_example_vars()
    assert len(names) == len(set(names)), "a variable is listed twice"
    assert set(names) <= CONFIG_VARS | COMPOSE_ONLY_VARS, set(names) - CONFIG_VARS


def test_env_example_documents_every_config_variable() -> None:
    assert set(env_example_vars()) >= CONFIG_VARS


def test_env_example_sets_no_secret() -> None:
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("DISCORD_TOKEN="):
            assert line == "DISCORD_TOKEN="


def test_setup_doc_mentions_only_known_variables() -> None:
    text = SETUP_DOC.read_text(encoding="utf-8")
    mentioned = set(re.findall(r"\b((?:PROMPTBOT|DISCORD)_[A-Z0-9_]+|LOG_LEVEL)\b", text))
    assert mentioned <= CONFIG_VARS | COMPOSE_ONLY_VARS, mentioned - CONFIG_VARS - COMPOSE_ONLY_VARS
    assert "DISCORD_TOKEN" in mentioned
