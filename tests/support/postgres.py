"""A throwaway PostgreSQL server for tests, benchmarks and end-to-end runs.

In pytest, use the session-scoped ``postgres_server`` fixture (one ``initdb`` per session)
or ``postgres_dsn`` (a fresh database for one test). Elsewhere::

    with PostgresServer() as pg:  # raises PostgresUnavailable without server binaries
        conn = await asyncpg.connect(pg.dsn)

The cluster lives in a temporary folder that is removed on close. As root it runs as the
``postgres`` OS user (PostgreSQL refuses root). Unix-socket connections are trusted (the
helper's own admin work); TCP on 127.0.0.1 needs the password of the ``promptbot`` role.
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

MISSING_BINARIES = (
    "PostgreSQL server binaries not found (install Debian's postgresql package; .ci/run does)"
)
ROLE = "promptbot"
DATABASE = "promptbot"
SUPERUSER = "postgres"
_DB_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_TOOLS = ("initdb", "pg_ctl", "psql")
THROWAWAY = "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"


class PostgresUnavailable(RuntimeError):
    """No server binaries, or no way to run them (root without a ``postgres`` user)."""


class PostgresError(RuntimeError):
    """A PostgreSQL tool failed; the message carries its output (never the password)."""


def find_bindir() -> Path | None:
    """The folder with ``initdb``, ``pg_ctl`` and ``psql``: PATH, then Debian's newest."""
    candidates: list[Path] = []
    if pg_ctl := shutil.which("pg_ctl"):
        candidates.append(Path(pg_ctl).resolve().parent)

    def version(bindir: Path) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", bindir.parent.name))

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for bindir in candidates:
        if all(os.access(bindir / tool, os.X_OK) for tool in _TOOLS):
            return bindir
    return None


def _reachable_by(path: Path, account: pwd.struct_passwd) -> bool:
    """Whether ``account`` may traverse every folder from / down to ``path``."""
    groups = set(os.getgrouplist(account.pw_name, account.pw_gid))
    for folder in (path, *path.parents):
        st = folder.stat()
        owner = st.st_uid == account.pw_uid
        bit = 0o100 if owner else 0o010 if st.st_gid in groups else 0o001
        if not st.st_mode & bit:
            return False
    return True


def _make_root(account: pwd.struct_passwd | None) -> Path:
    """A fresh private folder the server account owns, with a short path (unix sockets)."""
    for base in dict.fromkeys([tempfile.gettempdir(), "/tmp", "/var/tmp"]):
        base_path = Path(base).resolve()
        if len(str(base_path)) > 60 or not base_path.is_dir():
            continue
        if account is not None and not _reachable_by(base_path, account):
            continue
        root = Path(tempfile.mkdtemp(prefix="promptbot-pg-", dir=base_path))
        if account is not None:
            os.chown(root, account.pw_uid, account.pw_gid)
        return root
    raise PostgresUnavailable("no temporary folder the PostgreSQL server user can reach")


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no /proc (not Linux): trust kill()
        return True
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


class PostgresServer:
    """A private PostgreSQL cluster on 127.0.0.1; a context manager (or call ``setup``).

    ``dsn`` is ``postgresql://promptbot:<secret>@127.0.0.1:<port>/promptbot``. ``stop()``
    and ``start()`` take the server down and bring it back on the same port and data.
    """

    host = "127.0.0.1"

    def __init__(self, bindir: Path | None = None, *, durable: bool = False) -> None:
        found = bindir if bindir is not None else find_bindir()
        if found is None or not all(os.access(found / tool, os.X_OK) for tool in _TOOLS):
            raise PostgresUnavailable(MISSING_BINARIES)
        self.bindir = found
        #: False: fsync and synchronous commits off (throwaway data: faster tests); True:
        #: PostgreSQL's defaults, for benchmarks that compare durable writes
        self.durable = durable
        try:  # PostgreSQL refuses to run as root: then run it as the postgres user
            self.account = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        except KeyError:
            raise PostgresUnavailable(
                "running as root, and there is no 'postgres' OS user to run PostgreSQL as "
                "(Debian's postgresql package creates it)"
            ) from None
        self.user = ROLE
        self.database = DATABASE
        self.password = secrets.token_urlsafe(18)
        self.port = 0
        self.root: Path | None = None
        self._names = itertools.count(1)
        self._env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        self._env["LC_ALL"] = "C"

    def __repr__(self) -> str:
        return f"<PostgresServer {self.user}:***@{self.host}:{self.port} root={self.root}>"

    def _path(self, name: str) -> Path:
        if self.root is None:
            raise PostgresError("the server is not set up (use it as a context manager)")
        return self.root / name

    @property
    def data_dir(self) -> Path:
        return self._path("data")

    @property
    def socket_dir(self) -> Path:
        return self._path("sock")

    @property
    def log_file(self) -> Path:
        return self._path("server.log")

    @property
    def dsn(self) -> str:
        return self.dsn_for(self.database)

    def dsn_for(self, database: str) -> str:
        """The password DSN (TCP, 127.0.0.1) of one of this server's databases."""
        user, password = quote(self.user, safe=""), quote(self.password, safe="")
        return f"postgresql://{user}:{password}@{self.host}:{self.port}/{database}"

    @property
    def pid(self) -> int | None:
        """The postmaster's pid from ``postmaster.pid``, or None when it is not running."""
        try:
            return int(self._path("data/postmaster.pid").read_text().split()[0])
        except (OSError, IndexError, ValueError):
            return None

    def _run(self, tool: str, *args: str, stdin: str | None = None) -> str:
        argv = [str(self.bindir / tool), *args]
        if self.account is not None:
            name = self.account.pw_name
            if runuser := shutil.which("runuser"):
                argv = [runuser, "-u", name, "--", *argv]
            else:
                argv = ["su", name, "-s", "/bin/sh", "-c", shlex.join(argv)]
        proc = subprocess.run(
            argv, input=stdin, capture_output=True, text=True, cwd=self.root, env=self._env
        )
        if proc.returncode != 0:
            output = (proc.stderr or proc.stdout).strip()
            raise PostgresError(f"{tool} {args[0] if args else ''} failed: {output[-2000:]}")
        return proc.stdout

    def _admin(self, sql: str) -> None:
        """Run SQL as the superuser over the trusted unix socket (SQL on stdin, not argv)."""
        self._run(
            "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.socket_dir),
            "-p", str(self.port), "-U", SUPERUSER, "-d", "postgres", stdin=sql,
        )  # fmt: skip

    def _write_config(self) -> None:
        sock = str(self.socket_dir).replace("'", "''")
        (self.data_dir / "promptbot.conf").write_text(
            f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
            f"unix_socket_directories = '{sock}'\npassword_encryption = 'scram-sha-256'\n"
            # throwaway data: a clean stop still writes everything
            + ("" if self.durable else THROWAWAY)
        )
        (self.data_dir / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
        )

    def setup(self) -> PostgresServer:
        """initdb, start on a free port, create the ``promptbot`` role and database."""
        if self.root is not None:
            return self
        self.root = _make_root(self.account)
        try:
            self._run(
                "initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "-A", "trust",
                "-E", "UTF8", "--locale=C", "-N",
            )  # fmt: skip
            self.socket_dir.mkdir()
            if self.account is not None:
                os.chown(self.socket_dir, self.account.pw_uid, self.account.pw_gid)
            with (self.data_dir / "postgresql.conf").open("a") as conf:
                conf.write("\ninclude 'promptbot.conf'\n")
            for attempt in range(3):  # another process may take the free port first
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", 0))
                    self.port = int(probe.getsockname()[1])
                self._write_config()
                try:
                    self.start()
                    break
                except PostgresError as error:
                    if attempt == 2 or "in use" not in str(error):
                        raise
            self._admin(
                f"CREATE ROLE {ROLE} LOGIN CREATEDB PASSWORD '{self.password}';\n"
                f"CREATE DATABASE {DATABASE} OWNER {ROLE};\n"
            )
        except BaseException:
            self.close()
            raise
        return self

    def is_running(self) -> bool:
        try:
            self._run("pg_ctl", "-D", str(self.data_dir), "status")
        except PostgresError:
            return False
        return True

    def start(self) -> None:
        """Start the server (same port and data as before); a no-op when it runs."""
        if self.is_running():
            return
        try:
            self._run(
                "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file),
                "-w", "-t", "60", "-s", "start",
            )  # fmt: skip
        except PostgresError as error:
            log = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
            raise PostgresError(f"{error}\nserver log (tail):\n{log[-2000:]}") from None

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast`` ends open sessions); a no-op when it is stopped."""
        pid = self.pid
        if not self.is_running():
            return
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "-s", "stop")
        deadline = time.monotonic() + 10  # the pid file goes just before the process
        while pid is not None and pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.01)

    def new_database(self, name: str | None = None) -> str:
        """Create an empty database owned by the ``promptbot`` role; returns its DSN."""
        name = name if name is not None else f"db_{next(self._names)}"
        if not _DB_NAME.fullmatch(name):
            raise ValueError(f"database name {name!r} is not [a-z_][a-z0-9_]* (max 63)")
        self._admin(f'CREATE DATABASE "{name}" OWNER {ROLE};\n')
        return self.dsn_for(name)

    def close(self) -> None:
        """Stop the server (immediately if a fast stop fails) and remove the folder."""
        if self.root is None:
            return
        try:
            if (self.data_dir / "PG_VERSION").exists():
                try:
                    self.stop()
                except PostgresError:
                    self.stop(mode="immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> PostgresServer:
        return self.setup()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A running throwaway server for the session; skips, saying why, without binaries."""
    try:
        server = PostgresServer()
    except PostgresUnavailable as error:
        pytest.skip(str(error))
    with server:
        yield server


@pytest.fixture
def postgres_dsn(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> str:
    """The DSN of a fresh, empty database for this test (restarts a stopped server)."""
    postgres_server.start()
    stem = re.sub(r"[^a-z0-9_]+", "_", request.node.name.lower())[:40].strip("_")
    return postgres_server.new_database(f"t_{stem}_{next(postgres_server._names)}")
