"""`jarlpm serve [--host] [--port]`: prepare the database, then serve with Hypercorn until SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import errno
import logging
import os
import signal
import sys

import asyncpg
from hypercorn.asyncio import serve
from hypercorn.config import Config as HypercornConfig

from jarlpm.config import ConfigError, Settings
from jarlpm.db import embedded
from jarlpm.db.migrate import DatabaseNotAtHead, check_at_head
from jarlpm.db.startup import prepare_database
from jarlpm.logs import configure_logging

log = logging.getLogger("jarlpm.cli")

GRACEFUL_TIMEOUT_SECONDS = 10
# Binding the port fails with these; any other OSError at startup comes from reaching the database.
LISTEN_ERRNOS = frozenset({errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jarlpm", description="JarlPM service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="prepare the database and serve the API")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve_cmd.add_argument("--port", type=int, default=None, help="port to listen on (default $PORT or 8001)")
    return parser


def _hypercorn_config(host: str, port: int) -> HypercornConfig:
    config = HypercornConfig()
    config.bind = [f"{host}:{port}"]
    config.accesslog = None  # the app writes one JSON line per request itself
    config.errorlog = logging.getLogger("hypercorn.error")  # through our JSON handler
    config.graceful_timeout = GRACEFUL_TIMEOUT_SECONDS
    return config


async def _serve_until_signal(settings: Settings, host: str, port: int) -> None:
    from jarlpm.app import create_app

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("serving on http://%s:%d (environment %s)", host, port, settings.env)
    await serve(create_app(settings), _hypercorn_config(host, port), shutdown_trigger=stop.wait)
    log.info("stopped")


def serve_command(host: str, port: int | None) -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"jarlpm: configuration error: {error}", file=sys.stderr)
        return 2
    try:
        # Migrations (embedded default, or the dev-only reset) run here, before Hypercorn starts.
        url = prepare_database(settings)
        check_at_head(url)
        settings = dataclasses.replace(settings, database_url=url, db_reset_on_startup=False)
        port = port or settings.port
        asyncio.run(_serve_until_signal(settings, host, port))
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


def _database_unreachable(error: BaseException) -> int:
    # Never echo the URL: it may hold a password.
    print(
        f"jarlpm: cannot start: the database at DATABASE_URL is not reachable ({type(error).__name__})", file=sys.stderr
    )
    return 3


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging()
    if args.command == "serve":
        return serve_command(args.host, args.port)
    return 2


if __name__ == "__main__":
    sys.exit(main())
