"""A throwaway PostgreSQL that speaks only TLS on loopback TCP, for `BENCH_DATABASE_URL=...?sslmode=require`.

    python -m bench.tls_postgres start [--dir DIR] [--port PORT]   # prints the line to export
    python -m bench.tls_postgres stop --dir DIR
    python -m bench streams --tls ...                              # or let the bench start and stop one

The embedded wheel's PostgreSQL is built without OpenSSL (`pg_config --configure` has no --with-ssl), so
this uses a system PostgreSQL (Debian: `apt-get install postgresql`; the newest under
/usr/lib/postgresql/*/bin, or PG_BIN). It makes a data dir with initdb, a self-signed certificate with
`openssl req`, and a pg_hba.conf that accepts TCP only over TLS with a password (SCRAM), then starts the
server with `pg_ctl` (as the `postgres` user when run as root) and creates the `jarlpm` database.

The password is random; the URL holding it is written to DIR/bench_url (mode 0600) and never printed.
"""

from __future__ import annotations

import argparse
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

DATABASE = "jarlpm"
RUN_AS_CANDIDATES = ("postgres", "pgserver")  # Debian's package user, or the one the embedded wheel makes
HBA = """\
local     all  all                trust
hostssl   all  all  127.0.0.1/32  scram-sha-256
hostnossl all  all  127.0.0.1/32  reject
"""


def pg_bin() -> Path:
    configured = os.environ.get("PG_BIN")
    if configured:
        return Path(configured)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise SystemExit("no system PostgreSQL with TLS found: apt-get install postgresql (or set PG_BIN)")
    return found[-1].parent


def run_as() -> pwd.struct_passwd | None:
    """PostgreSQL refuses to run as root: the unprivileged user to run it as, or None when not root."""
    if os.geteuid() != 0:
        return None
    for name in RUN_AS_CANDIDATES:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise SystemExit(f"running as root and none of the users {RUN_AS_CANDIDATES} exists to run PostgreSQL as")


def _run(command: list[str], user: pwd.struct_passwd | None, cwd: Path) -> None:
    kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise SystemExit(f"{Path(command[0]).name} failed ({result.returncode}):\n{result.stderr or result.stdout}")


def _own(path: Path, user: pwd.struct_passwd | None, mode: int) -> None:
    path.chmod(mode)
    if user:
        os.chown(path, user.pw_uid, user.pw_gid)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_certificate(pgdata: Path, user: pwd.struct_passwd | None) -> None:
    command = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7", "-subj", "/CN=localhost",
        "-keyout", str(pgdata / "server.key"), "-out", str(pgdata / "server.crt"),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"openssl req failed:\n{result.stderr}")
    _own(pgdata / "server.key", user, 0o600)  # the server refuses a key others can read
    _own(pgdata / "server.crt", user, 0o644)


def configure(pgdata: Path, socket_dir: Path, port: int) -> None:
    settings = {
        "listen_addresses": "'127.0.0.1'",
        "port": str(port),
        "unix_socket_directories": f"'{socket_dir}'",
        "ssl": "on",
        "ssl_cert_file": "'server.crt'",
        "ssl_key_file": "'server.key'",
        # Several workers' pools (15 each), the bench's own connections and the ceiling app's pool.
        "max_connections": "300",
    }
    with open(pgdata / "postgresql.conf", "a") as conf:
        conf.write("\n# bench/tls_postgres.py\n" + "".join(f"{key} = {value}\n" for key, value in settings.items()))
    (pgdata / "pg_hba.conf").write_text(HBA)


def start(directory: Path, port: int | None = None) -> str:
    """Initialise and start a TLS-only server under `directory`; returns its URL (with the password)."""
    bin_dir, user = pg_bin(), run_as()
    port = port or free_port()
    directory.mkdir(parents=True, exist_ok=True)
    _own(directory, user, 0o700)
    pgdata = directory / "data"
    password = secrets.token_urlsafe(18)
    password_file = directory / "initdb-password"
    password_file.write_text(password + "\n")
    _own(password_file, user, 0o600)
    initdb = [str(bin_dir / "initdb"), "-D", str(pgdata), "-U", "postgres", "--encoding=UTF8"]
    _run([*initdb, "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={password_file}"], user, directory)
    password_file.unlink()
    self_signed_certificate(pgdata, user)
    configure(pgdata, directory, port)
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(pgdata), "-l", str(directory / "server.log")]
    _run([*pg_ctl, "-w", "start"], user, directory)
    psql = [str(bin_dir / "psql"), "-h", str(directory), "-p", str(port), "-U", "postgres", "-d", "postgres", "-q"]
    _run([*psql, "-c", f"CREATE DATABASE {DATABASE}"], user, directory)
    url = f"postgresql://postgres:{password}@127.0.0.1:{port}/{DATABASE}?sslmode=require"
    url_file = directory / "bench_url"
    url_file.write_text(url + "\n")
    url_file.chmod(0o600)  # root's, the password in it
    return url


def stop(directory: Path) -> None:
    _run([str(pg_bin() / "pg_ctl"), "-D", str(directory / "data"), "-m", "fast", "-w", "stop"], run_as(), directory)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.tls_postgres", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--dir", type=Path, default=None, help="its own directory (start: default a new temporary one)")
    parser.add_argument("--port", type=int, default=None)
    args = parser.parse_args()
    if args.action == "stop":
        if args.dir is None:
            parser.error("stop needs --dir")
        stop(args.dir)
        shutil.rmtree(args.dir, ignore_errors=True)
        print(f"stopped and removed {args.dir}")
        return
    directory = args.dir or Path(tempfile.mkdtemp(prefix="jarlpm-tls-pg-"))
    start(directory, args.port)
    print(f'TLS PostgreSQL running in {directory}\n  export BENCH_DATABASE_URL="$(cat {directory}/bench_url)"')
    print(f"  stop it with: python -m bench.tls_postgres stop --dir {directory}")


if __name__ == "__main__":
    main()
