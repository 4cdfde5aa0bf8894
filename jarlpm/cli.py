"""`jarlpm serve [--host] [--port] [--workers N]`: prepare the database once, then serve with Hypercorn
(one process, or N worker processes: jarlpm/serving.py) until SIGTERM or Ctrl-C.

`jarlpm backup [--dir DIR]` and `jarlpm restore FILE`: pg_dump / pg_restore of the server's major version
(the restore drill; see jarlpm/admin/backups.py).

`jarlpm import --from URL [--dry-run] [--old-secret-env NAME]`: take over an original JarlPM database
(jarlpm/importer).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import errno
import logging
import os
import sys
from pathlib import Path

import asyncpg

from jarlpm.admin import backups
from jarlpm.config import ConfigError, Settings
from jarlpm.db import embedded
from jarlpm.db.migrate import DatabaseNotAtHead, check_at_head
from jarlpm.db.startup import prepare_database
from jarlpm.importer import cli as importer_cli
from jarlpm.logs import configure_logging
from jarlpm.serving import MAX_WORKERS, check_workers, serve_in_process, serve_workers, workers_from_env

log = logging.getLogger("jarlpm.cli")

# Binding the port fails with these; any other OSError at startup comes from reaching the database.
LISTEN_ERRNOS = frozenset({errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jarlpm", description="JarlPM service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="prepare the database and serve the API")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve_cmd.add_argument("--port", type=int, default=None, help="port to listen on (default $PORT or 8001)")
    serve_cmd.add_argument(
        "--workers",
        type=_worker_count,
        default=None,
        help="worker processes, each with its own database pool (default $WEB_CONCURRENCY or 1)",
    )
    backup_cmd = commands.add_parser("backup", help="dump the database with pg_dump into BACKUP_DIR")
    backup_cmd.add_argument("--dir", type=Path, default=None, help="where to write it (default BACKUP_DIR)")
    restore_cmd = commands.add_parser(
        "restore", help="restore a dump with pg_restore --clean --if-exists --no-owner (replaces the data)"
    )
    restore_cmd.add_argument(
        "file", type=Path, help="a file written by `jarlpm backup` or POST /api/admin/backups/create"
    )
    importer_cli.add_parser(commands)
    return parser


def _worker_count(raw: str) -> int:
    try:
        return check_workers(int(raw))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not an integer from 1 to {MAX_WORKERS}") from None


def serve_command(host: str, port: int | None, workers: int | None = None) -> int:
    try:
        settings = Settings.from_env()
        workers = workers or workers_from_env(os.environ)
    except ConfigError as error:
        print(f"jarlpm: configuration error: {error}", file=sys.stderr)
        return 2
    port = port or settings.port
    try:
        if workers > 1:
            return serve_workers(host, port, workers, lambda: _prepared(settings))
        serve_in_process(_prepared(settings), host, port)
    except (DatabaseNotAtHead, embedded.EmbeddedUnavailable) as error:
        print(f"jarlpm: cannot start: {error}", file=sys.stderr)
        return 3
    except OSError as error:
        if error.errno not in LISTEN_ERRNOS:
            return _database_unreachable(error)
        print(f"jarlpm: cannot start: cannot listen on {host}:{port} ({os.strerror(error.errno)})", file=sys.stderr)
        return 4
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        return _database_unreachable(error)
    finally:
        embedded.stop_all()
    return 0


def _prepared(settings: Settings) -> Settings:
    """Migrations (embedded default, or the dev-only reset) run here, once, before Hypercorn starts."""
    prepared = prepare_database(settings)
    assert prepared.database_url is not None
    check_at_head(prepared.database_url)
    return dataclasses.replace(prepared, db_reset_on_startup=False)


def _database_unreachable(error: BaseException) -> int:
    # Never echo the URL: it may hold a password.
    print(
        f"jarlpm: cannot start: the database at DATABASE_URL is not reachable ({type(error).__name__})", file=sys.stderr
    )
    return 3


def _database_url(settings: Settings) -> str:
    """The owner's URL (pg_dump and pg_restore read and write every user's rows): MIGRATION_DATABASE_URL,
    DATABASE_URL, or the embedded server's (started if it is not running)."""
    return settings.owner_database_url or embedded.start(settings.data_dir)


async def _backup(settings: Settings, url: str, directory: Path | None) -> dict:
    major = await backups.server_major_at(url)
    return await backups.create_backup(url, directory or settings.backups_path, settings.pg_bin_dir, major)


async def _restore(settings: Settings, url: str, file: Path) -> None:
    major = await backups.server_major_at(url)
    await backups.restore_backup(url, file, settings.pg_bin_dir, major)


def backup_command(directory: Path | None = None, restore_file: Path | None = None) -> int:
    """`jarlpm backup` (restore_file None) or `jarlpm restore FILE`."""
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"jarlpm: configuration error: {error}", file=sys.stderr)
        return 2
    try:
        url = _database_url(settings)
        if restore_file is None:
            created = asyncio.run(_backup(settings, url, directory))
            print(f"backup written: {created['path']} ({created['size_bytes']} bytes, {created['duration_seconds']} s)")
        else:
            asyncio.run(_restore(settings, url, restore_file))
            print(f"restored {restore_file} into the database (pg_restore --clean --if-exists --no-owner)")
    except backups.BackupError as error:
        print(f"jarlpm: {error.code}: {error.detail}", file=sys.stderr)
        return 1
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, embedded.EmbeddedUnavailable) as error:
        return _database_unreachable(error)
    finally:
        embedded.stop_all()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging()
    if args.command == "serve":
        return serve_command(args.host, args.port, args.workers)
    if args.command == "backup":
        return backup_command(directory=args.dir)
    if args.command == "restore":
        return backup_command(restore_file=args.file)
    if args.command == importer_cli.COMMAND:
        return importer_cli.run(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
