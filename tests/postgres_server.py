"""A throwaway PostgreSQL server for the tests: its own data folder, port and socket.

Nothing needs to be running beforehand; only the server binaries (Debian's `postgresql`
package puts them in /usr/lib/postgresql/<version>/bin). PostgreSQL refuses to run as
root, so as root the server runs as the `postgres` user the package creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg
from psycopg import sql

DEBIAN_BIN_GLOB = "/usr/lib/postgresql/*/bin"
SERVER_USER = "postgres"  # who runs the server when the tests run as root
ROLE = "test"  # the superuser initdb creates; trust authentication, so no password


class PostgresError(RuntimeError):
    """The throwaway server could not be set up."""


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin -> (15,), /usr/lib/postgresql/9.6/bin -> (9, 6)
    try:
        return tuple(int(part) for part in bin_dir.parent.name.split("."))
    except ValueError:
        return (0,)


def find_postgres_bin() -> Path | None:
    """The folder holding initdb and pg_ctl: Debian's highest version, else from PATH."""
    candidates = [
        path
        for path in Path("/").glob(DEBIAN_BIN_GLOB.lstrip("/"))
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file()
    ]
    if candidates:
        return max(candidates, key=_version_key)
    initdb = shutil.which("initdb")
    if initdb is not None and (Path(initdb).parent / "pg_ctl").is_file():
        return Path(initdb).parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(command: list[str], *, as_user: str | None, cwd: Path) -> None:
    if as_user is not None:
        command = ["runuser", "-u", as_user, "--", *command]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PostgresError(
            f"{' '.join(command)} exited with {result.returncode}:\n{result.stdout}{result.stderr}"
        )


def _url(port: int, database: str) -> str:
    return f"postgresql+psycopg://{ROLE}@127.0.0.1:{port}/{database}"


def _admin_connection(port: int) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host="127.0.0.1", port=port, user=ROLE, dbname="postgres", autocommit=True
    )


def create_database(port: int, name: str) -> str:
    """Create an empty database on the server and return its SQLAlchemy URL."""
    with _admin_connection(port) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _url(port, name)


def drop_database(port: int, name: str) -> None:
    """Drop a database, closing any connection a test left open to it."""
    with _admin_connection(port) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _start(bin_dir: Path, data: Path, base: Path, as_user: str | None) -> int:
    """Start the server on a free port (retrying if another process takes it) and return it."""
    log = base / "server.log"
    for attempt in range(3):
        port = _free_port()
        options = (
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        command = [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "30"]
        try:
            _run([*command, "-o", options, "start"], as_user=as_user, cwd=base)
        except PostgresError as error:
            if attempt < 2:
                continue
            detail = log.read_text(errors="replace") if log.exists() else ""
            raise PostgresError(f"{error}\nserver log:\n{detail}") from None
        return port
    raise AssertionError("unreachable")


@contextmanager
def running_postgres(database: str = "test") -> Iterator[str]:
    """Start a server in a temporary folder, yield the URL of a new database, then remove it all.

    The server's port is in the URL (`sqlalchemy.make_url(url).port`), for creating more
    databases with create_database.
    """
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        raise PostgresError("PostgreSQL's initdb and pg_ctl were not found")
    as_user: str | None = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise PostgresError(
                f"running as root and there is no {SERVER_USER!r} user to run PostgreSQL as"
            ) from None
        as_user = SERVER_USER
    base = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
    data = base / "data"
    try:
        if as_user is not None:
            os.chown(base, owner.pw_uid, owner.pw_gid)
        _run(
            [
                str(bin_dir / "initdb"),
                "-D", str(data),
                "-A", "trust",
                "-U", ROLE,
                "-E", "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            as_user=as_user,
            cwd=base,
        )  # fmt: skip
        port = _start(bin_dir, data, base, as_user)
        yield create_database(port, database)
    finally:
        if (data / "postmaster.pid").exists():
            # If stopping fails the folder goes anyway: a stray server has lost its data.
            with suppress(PostgresError):
                _run(
                    [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                    as_user=as_user,
                    cwd=base,
                )
        shutil.rmtree(base, ignore_errors=True)
