"""A throwaway PostgreSQL cluster for the test run, from the machine's initdb/pg_ctl."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tool(name: str) -> str:
    """initdb and pg_ctl: on PATH, or in Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise RuntimeError(f"{name} not found: install Debian's postgresql package")


class Cluster:
    """initdb into a temporary folder, start on a free loopback port, remove on stop."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="govtrack-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.user = None
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: run it as the postgres user.
            self.user = "postgres" if _has_user("postgres") else "nobody"
            uid = pwd.getpwnam(self.user)
            os.chown(self.dir, uid.pw_uid, uid.pw_gid)

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> str:
        """Start the cluster; return a SQLAlchemy URL to an empty database."""
        self._run(_tool("initdb"), "-D", str(self.data), "-U", "govtrack", "--auth=trust",
                  "-E", "UTF8", "--locale=C")
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                f"-c unix_socket_directories={self.dir} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run(_tool("pg_ctl"), "-D", str(self.data), "-o", opts, "-l",
                  str(self.dir / "log"), "-w", "start")
        url = f"postgresql+psycopg://govtrack@127.0.0.1:{self.port}/postgres"
        deadline = time.time() + 30
        import psycopg

        while True:
            try:
                with psycopg.connect(f"host=127.0.0.1 port={self.port} user=govtrack "
                                     "dbname=postgres", autocommit=True) as conn:
                    conn.execute("CREATE DATABASE govtrack_test")
                break
            except psycopg.OperationalError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        return url.replace("/postgres", "/govtrack_test")

    def stop(self) -> None:
        """Stop the server and remove its files."""
        try:
            self._run(_tool("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
