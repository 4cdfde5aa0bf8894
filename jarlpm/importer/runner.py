"""One import: read the original in one snapshot, write each user in their own transaction."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from jarlpm.db.pool import init_connection
from jarlpm.db.urls import connect
from jarlpm.importer import mapping, writer
from jarlpm.importer.report import CaseDuplicate, Report
from jarlpm.importer.secrets import OriginalSecrets
from jarlpm.importer.source import Original, open_original

Progress = Callable[[int, int], None]
CASE_DUPLICATE = "email differs only in case from a more recently active account"


async def import_database(
    source_url: str,
    target_url: str,
    *,
    encryption_key: str,
    original_secret: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Report:
    """Copy the original at source_url into ours at target_url (at head); the report says what happened.

    A user whose transaction fails is rolled back whole and listed in the report; the others go on.
    With dry_run every user's transaction is rolled back, so the counts are exactly what a run writes.
    """
    report = Report(dry_run=dry_run)
    secrets = OriginalSecrets(original_secret)
    async with open_original(source_url) as original:
        accounts = await original.users()
        report.users_total = len(accounts)
        kept, dropped = mapping.split_case_duplicates(accounts)
        await _note_case_duplicates(original, dropped, report)
        target = await _connect(target_url)
        try:
            for done, account in enumerate(kept, start=1):
                ctx = mapping.UserContext(owner=account["user_id"], encryption_key=encryption_key, secrets=secrets)
                rows = await original.user_rows(account["user_id"])
                await _import_user(target, account, rows, ctx, report)
                if progress is not None:
                    progress(done, len(kept))
        finally:
            await target.close()
    return report


async def _import_user(
    target: asyncpg.Connection, account: dict, rows: dict[str, list[dict]], ctx: mapping.UserContext, report: Report
) -> None:
    transaction = target.transaction()
    await transaction.start()
    try:
        part = await writer.write_user(target, account, rows, ctx)
    except Exception as error:
        await transaction.rollback()
        report.failures.append((account["user_id"], _why(error)))
        return
    except BaseException:
        await transaction.rollback()
        raise
    if report.dry_run:
        await transaction.rollback()
    else:
        await transaction.commit()
    report.merge(part)


def _why(error: Exception) -> str:
    # The first line only: asyncpg keeps row values in `detail`, never shown here.
    first_line = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {first_line}"


async def _note_case_duplicates(original: Original, dropped: list[tuple[dict, dict]], report: Report) -> None:
    for account, winner in dropped:
        report.table("users").read += 1
        report.table("users").skipped[CASE_DUPLICATE] += 1
        owned = await original.owned_counts(account["user_id"])
        report.case_duplicates.append(
            CaseDuplicate(
                email=account["email"], kept=winner["user_id"], dropped=account["user_id"], dropped_owned=owned
            )
        )


async def _connect(url: str) -> asyncpg.Connection:
    conn = await connect(url)
    await init_connection(conn)
    return conn
