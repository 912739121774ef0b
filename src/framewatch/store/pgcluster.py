"""A throwaway PostgreSQL server for tests and benchmarks: `initdb` and `pg_ctl` in a temporary folder,
listening on a free loopback port (and a Unix socket in that folder), trusted local logins only, gone
when stopped. As root it runs the server as the `postgres` user, since PostgreSQL refuses root.

    with TemporaryCluster() as cluster:
        url = cluster.create_database("demo")   # postgresql://framewatch@127.0.0.1:PORT/demo
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SUPERUSER = "framewatch"


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries were found."""


def find_bindir() -> Path | None:
    """Where `initdb` and `pg_ctl` are: `pg_config --bindir`, Debian's /usr/lib/postgresql/N/bin
    (newest first), else PATH."""
    candidates: list[Path] = []
    if shutil.which("pg_config"):
        done = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if done.returncode == 0:
            candidates.append(Path(done.stdout.strip()))
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                      if Path(p).parent.name.isdigit() else 0, reverse=True)
    candidates += [Path(p) for p in versions]
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TemporaryCluster:
    """A PostgreSQL cluster of its own; `settings` are server options (`{"fsync": "off"}` for tests)."""

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise PostgresMissing("PostgreSQL server binaries (initdb, pg_ctl) not found: install the "
                                  "`postgresql` package (apt-get install -y --no-install-recommends postgresql)")
        self.bindir = bindir
        self.settings = settings or {}
        self.folder: Path | None = None
        self.port = 0

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"},
                              timeout=120)
        if done.returncode != 0:
            log = self.folder / "server.log" if self.folder else None
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed ({done.returncode}): {done.stderr.strip()}\n{tail}")

    def start(self) -> TemporaryCluster:
        self.folder = Path(tempfile.mkdtemp(prefix="framewatch-pg-"))
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C")
        self.port = _free_port()
        options = {"listen_addresses": "127.0.0.1", "port": str(self.port),
                   "unix_socket_directories": str(self.folder), **self.settings}
        flags = " ".join(f"-c {key}={value}" for key, value in options.items())
        self._run("pg_ctl", "-D", str(data), "-l", str(self.folder / "server.log"), "-o", flags, "-w", "-t", "60",
                  "start")
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.folder is None:
            return
        try:
            if (self.folder / "data" / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> TemporaryCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
