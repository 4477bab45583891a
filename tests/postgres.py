"""A throw-away PostgreSQL server for tests: initdb on a temporary directory, pg_ctl start on a free
loopback port, a URL to connect to, pg_ctl stop and the directory removed at the end.

The binaries are found on PATH or under /usr/lib/postgresql/<version>/bin (Debian's layout; the newest
version wins), or in ``$SPECGEN_PG_BIN``. initdb refuses to run as root, so as root the server runs as
an unprivileged user (``postgres`` when the system has one, else ``nobody``) through ``runuser``, in a
directory that user owns. The cluster is tuned to be cheap: fsync off, small shared buffers, no Unix
socket. Authentication is ``trust`` on loopback only (the server listens on 127.0.0.1 alone).
"""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

__all__ = ["find_bin", "postgres_server", "Unavailable", "load_frame", "write_duckdb"]

_USER = "specgen"


class Unavailable(RuntimeError):
    """PostgreSQL server binaries are not installed here (the reason says what was looked for)."""


def find_bin() -> Path:
    """The directory holding initdb, pg_ctl and pg_isready."""
    candidates = [os.environ.get("SPECGEN_PG_BIN", "")]
    on_path = shutil.which("pg_ctl")
    candidates.append(str(Path(on_path).resolve().parent) if on_path else "")  # Debian links pg_ctl only
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
                      if p.parent.name.isdigit() else 0, reverse=True)
    candidates += [str(p) for p in versions]
    for c in filter(None, candidates):
        if all((Path(c) / name).is_file() for name in ("initdb", "pg_ctl", "pg_isready")):
            return Path(c)
    raise Unavailable("PostgreSQL server binaries (initdb, pg_ctl, pg_isready) not found on PATH, in $SPECGEN_PG_BIN or "
                      "under /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _runner() -> tuple[list[str], str | None]:
    """The command prefix that runs a server binary, and the user owning the data directory (None: us)."""
    if os.geteuid() != 0:
        return [], None
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return ["runuser", "-u", user, "--"], user
    raise Unavailable("running as root and no unprivileged user (postgres, nobody) to run initdb as")


def _run(argv: list[str], timeout: float = 120) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def _wait_ready(bindir: Path, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = subprocess.run([str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                               capture_output=True)
        if ready.returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL on 127.0.0.1:{port} not ready after {timeout}s")


@contextmanager
def postgres_server():
    """Start a server; yield ``postgresql://specgen@127.0.0.1:PORT/postgres``; stop it and delete its files."""
    bindir = find_bin()
    prefix, user = _runner()
    root = Path(tempfile.mkdtemp(prefix="specgen-pg-"))
    data = root / "data"
    if user:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    port = _free_port()
    try:
        _run(prefix + [str(bindir / "initdb"), "-D", str(data), "-U", _USER, "--auth=trust", "-E", "UTF8",
                       "--no-sync", "--locale=C"])
        options = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=20")
        _run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", options,
                       "-w", "-t", "60", "start"])
        try:
            _wait_ready(bindir, port)
            yield f"postgresql://{_USER}@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)
    finally:
        shutil.rmtree(root, ignore_errors=True)


_PG_TYPES = {"Int8": "smallint", "Int16": "smallint", "Int32": "integer", "Int64": "bigint", "UInt8": "smallint",
             "UInt16": "integer", "UInt32": "bigint", "Float32": "real", "Float64": "double precision",
             "Boolean": "boolean", "String": "text", "Date": "date", "Datetime": "timestamp"}


def _pg_type(dtype) -> str:
    """The PostgreSQL type of a polars dtype; a datetime with a zone is ``timestamptz`` (kept as an instant)."""
    if dtype.base_type().__name__ == "Datetime" and getattr(dtype, "time_zone", None):
        return "timestamptz"
    return _PG_TYPES[dtype.base_type().__name__]


def load_frame(url: str, table: str, frame) -> None:
    """Create (or replace) ``table`` in the database at ``url`` holding the polars ``frame`` (names quoted)."""
    import psycopg
    from psycopg import sql
    columns = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(_pg_type(dtype)))
                                 for name, dtype in frame.schema.items())
    with psycopg.connect(url) as con, con.cursor() as cur:
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))
        cur.execute(sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(table), columns))
        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table),
                                                         sql.SQL(", ").join(map(sql.Identifier, frame.columns)))
        with cur.copy(copy) as out:
            for row in frame.iter_rows():
                out.write_row(row)


def write_duckdb(path, table: str, frame) -> None:
    """Create (or replace) ``table`` in the DuckDB file ``path`` holding the polars ``frame``."""
    import duckdb

    from specgen.runtime.sources import quote_identifier
    with duckdb.connect(str(path)) as con:
        con.register("specgen_frame", frame.to_arrow())
        con.execute(f"CREATE OR REPLACE TABLE {quote_identifier(table)} AS SELECT * FROM specgen_frame")
