"""A real, throwaway PostgreSQL server for the ledger tests, and a fresh database per test.

A ledger test takes `ledger_url` and runs twice: once on SQLite, once on PostgreSQL. The server is
started once per session from the locally installed binaries (no Docker, no mock), on a free
loopback port, and removed at the end. Environment:

  SWTALENT_TEST_PG_URL  SQLAlchemy URL of an existing server to use instead (nothing is started);
                        test databases are created and dropped on it, so it needs CREATEDB.
  SWTALENT_TEST_PG_BIN  folder holding initdb/pg_ctl/postgres, overriding the search.
  CI=true               a missing or broken PostgreSQL fails the tests instead of skipping them.
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
import warnings
from pathlib import Path

import pytest

URL_ENV = "SWTALENT_TEST_PG_URL"
BIN_ENV = "SWTALENT_TEST_PG_BIN"
SERVER_USER = "postgres"


class PostgresUnavailable(UserWarning):
    """The PostgreSQL half of the ledger tests did not run."""


def find_bin_dir() -> Path:
    if os.environ.get(BIN_ENV):
        candidates = [Path(os.environ[BIN_ENV])]
    else:
        on_path = shutil.which("pg_ctl")
        # Debian keeps the server binaries off PATH, one folder per major version: newest first.
        debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True,
                        key=lambda d: int(Path(d).parent.name) if Path(d).parent.name.isdigit() else 0)
        # Resolve symlinks: pg_ctl must find `postgres` next to the real binary.
        candidates = ([Path(on_path).resolve().parent] if on_path else []) + [Path(d) for d in debian]
    for folder in candidates:
        if all(os.access(folder / exe, os.X_OK) for exe in ("initdb", "pg_ctl", "postgres")):
            return folder
    searched = ", ".join(map(str, candidates)) or "PATH and /usr/lib/postgresql/*/bin"
    raise RuntimeError(f"no PostgreSQL server binaries (initdb, pg_ctl, postgres) in {searched}; "
                       "install them (Debian: apt-get install postgresql) or set " + BIN_ENV)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scratch_parent() -> str | None:
    # Memory-backed /dev/shm makes initdb and each CREATE DATABASE many times faster than a slow disk
    # (measured on a VM disk: 10 ms against 150-250 ms a database). Docker's default 64 MB /dev/shm
    # is too small for a cluster, hence the size check.
    try:
        shm = os.statvfs("/dev/shm")
    except OSError:
        return None
    roomy = shm.f_bavail * shm.f_frsize >= 1 << 30
    shared = os.stat("/dev/shm").st_mode & 0o001 and os.access("/dev/shm", os.W_OK)  # the server user gets in
    return "/dev/shm" if roomy and shared else None


class Server:
    """initdb + pg_ctl start in a private temp folder; stop() removes everything."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        as_root = os.geteuid() == 0
        # initdb refuses to run as root, so as root the cluster belongs to the `postgres` user, in a
        # folder it owns, under a world-traversable parent (/dev/shm or /tmp, unlike e.g. /root).
        owner = pwd.getpwnam(SERVER_USER) if as_root else None  # KeyError -> reported as unavailable
        parent = scratch_parent() or ("/tmp" if as_root else None)
        self.root = Path(tempfile.mkdtemp(prefix="swtalent-pg-", dir=parent))
        if owner is not None:
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.data = self.root / "data"
        self.log = self.root / "log"
        self.prefix = ["runuser", "-u", SERVER_USER, "--"] if as_root else []
        self.port = 0

    def run(self, *args: str) -> subprocess.CompletedProcess:
        # cwd=root: the server user may not be allowed into the caller's working directory.
        # check=False: callers turn a failure into a readable reason (stderr, server log).
        return subprocess.run([*self.prefix, *args], check=False, cwd=self.root, capture_output=True, text=True,
                              timeout=120)

    def start(self) -> str:
        # Throwaway data: skip every fsync; --locale=C so results never depend on the machine's locales.
        r = self.run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                     "--no-sync", "-E", "UTF8", "--locale=C")
        if r.returncode:
            raise RuntimeError(f"initdb failed: {(r.stderr or r.stdout).strip()[-800:]}")
        # The port is free when picked but may be taken before the server binds it (another session
        # doing the same thing): retry with a new one.
        for _ in range(3):
            self.port = free_port()
            options = (f"-p {self.port} -k {shlex.quote(str(self.root))} -c listen_addresses=127.0.0.1 "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                       # Each CREATE DATABASE writes the template (~8 MB) to WAL: checkpoint often
                       # rather than let up to 1 GB of WAL pile up (in memory, on /dev/shm).
                       "-c max_wal_size=128MB -c min_wal_size=32MB")
            r = self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log),
                         "-w", "-t", "60", "start")
            if r.returncode == 0:
                return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
            self.stop(remove=False)
        log = self.log.read_text(errors="replace")[-800:] if self.log.exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {(r.stderr or r.stdout).strip()[-400:]}\n{log}")

    def stop(self, remove: bool = True) -> None:
        if (self.data / "postmaster.pid").exists():
            for mode in ("fast", "immediate"):
                if self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop").returncode == 0:
                    break
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)


def unavailable(config: pytest.Config, reason: str) -> None:
    """Skip the PostgreSQL tests loudly; under CI=true fail them: CI must really test PostgreSQL."""
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"PostgreSQL is required when CI=true, but: {reason}", pytrace=False)
    message = f"POSTGRESQL TESTS SKIPPED: {reason}"
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None:
        # Fixture output is captured and only shown for failures; this must reach the terminal now.
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write_line("")
            reporter.write_line(message, yellow=True, bold=True)
    warnings.warn(message, PostgresUnavailable, stacklevel=2)  # repeated in the warnings summary
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url(pytestconfig):
    """SQLAlchemy URL of the session's PostgreSQL server (its `postgres` database, superuser)."""
    url, server, problem = os.environ.get(URL_ENV), None, None
    try:
        if not url:
            server = Server(find_bin_dir())
            url = server.start()
        # Imported here (also below): conftest imports this module, and a missing driver must only
        # cost the PostgreSQL tests, reported like any other reason, not break collection of all.
        import sqlalchemy as sa
        engine = sa.create_engine(url)
        try:  # proves the driver is installed and the server answers
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        finally:
            engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any reason means "no PostgreSQL", reported below
        problem = f"{type(exc).__name__}: {exc}"
        if server is not None:
            server.stop()
    if problem:
        unavailable(pytestconfig, problem)  # outside `except`: no chained traceback in the report
    try:
        yield url
    finally:
        if server is not None:
            server.stop()


@pytest.fixture(params=["sqlite", "postgresql"], ids=["sqlite", "postgresql"])
def ledger_url(request, tmp_path):
    """URL of a fresh, empty ledger database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/ledger.db"
        return
    # Looked up here, not declared, so that SQLite-only runs (-k sqlite) never start a server.
    import sqlalchemy as sa
    server = sa.make_url(request.getfixturevalue("postgres_url"))
    # AUTOCOMMIT: CREATE/DROP DATABASE cannot run in a transaction. NullPool: nothing to dispose.
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"t_{uuid.uuid4().hex}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            # A test's engine may still hold pooled connections, which would block the DROP.
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                         {"name": name})
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
