"""`jarlpm import --from postgresql://... [--dry-run] [--old-secret-env NAME]`.

Wired into jarlpm/cli.py by `add_parser(commands)` and `run(args)`. The report goes to stdout,
progress and errors to stderr; neither URL nor any secret is ever printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import asyncpg

from jarlpm.config import ConfigError, Settings
from jarlpm.db import embedded
from jarlpm.db.migrate import DatabaseNotAtHead, check_at_head
from jarlpm.importer.runner import import_database
from jarlpm.importer.secrets import ORIGINAL_DEFAULT_SECRET
from jarlpm.importer.source import OriginalUnreadable

COMMAND = "import"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser(
        COMMAND, help="copy an original JarlPM database into this service's database (at head)"
    )
    command.add_argument(
        "--from", dest="source_url", required=True, metavar="URL", help="the original's postgresql:// URL (read only)"
    )
    command.add_argument(
        "--dry-run", action="store_true", help="read everything and report what would be written; write nothing"
    )
    command.add_argument(
        "--old-secret-env",
        metavar="NAME",
        help="environment variable holding the original's ENCRYPTION_SECRET_KEY (default: its built-in default)",
    )


def target_url(settings: Settings) -> str:
    """Where the import writes, as the role that owns the tables (it writes every user's rows):
    MIGRATION_DATABASE_URL, DATABASE_URL, or the embedded server (started if it is not running)."""
    return settings.owner_database_url or embedded.start(settings.data_dir)


def run(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        return _fail(f"configuration error: {error}", 2)
    if not args.source_url.startswith(("postgresql://", "postgres://")):
        return _fail("--from takes a postgresql:// URL", 2)
    secret = _original_secret(args.old_secret_env)
    if secret is None:
        return _fail(f"the environment variable {args.old_secret_env} (--old-secret-env) is not set or empty", 2)
    try:
        target = target_url(settings)
        if target == args.source_url:
            return _fail("--from names the database this service uses: nothing to import", 2)
        check_at_head(target)
        report = asyncio.run(
            import_database(
                args.source_url,
                target,
                encryption_key=settings.encryption_key,
                original_secret=secret,
                dry_run=args.dry_run,
                progress=_progress,
            )
        )
    except KeyboardInterrupt:
        return _fail("interrupted: users reported done are imported; run the same command again to resume", 130)
    except DatabaseNotAtHead as error:
        return _fail(f"cannot import: {error}", 3)
    except OriginalUnreadable as error:
        return _fail(f"cannot import: {error}", 3)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, embedded.EmbeddedUnavailable) as error:
        # Never echo a URL: it may hold a password.
        return _fail(f"cannot import: a database is not reachable or refused the import ({type(error).__name__})", 3)
    finally:
        embedded.stop_all()
    print(report.render())
    return 0 if report.ok else 1


def _original_secret(env_name: str | None) -> str | None:
    if env_name is None:
        print("jarlpm import: no --old-secret-env: trying the original's built-in default secret", file=sys.stderr)
        return ORIGINAL_DEFAULT_SECRET
    return os.environ.get(env_name) or None


def _progress(done: int, total: int) -> None:
    print(f"jarlpm import: users {done}/{total}", file=sys.stderr, flush=True)


def _fail(message: str, code: int) -> int:
    print(f"jarlpm import: {message}", file=sys.stderr)
    return code
