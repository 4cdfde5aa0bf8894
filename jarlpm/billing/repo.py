"""Billing rows: a connection in, plain values out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from asyncpg import Connection

from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row


async def get_account(conn: Connection, *, user_id: str) -> dict | None:
    return optional_row(await queries.billing.get_account(conn, user_id=user_id))


async def keep_customer(conn: Connection, *, user_id: str, customer_id: str) -> str:
    kept: str = await queries.billing.keep_customer(
        conn, subscription_id=new_id("sub"), user_id=user_id, customer_id=customer_id
    )
    return kept


async def add_pending_checkout(
    conn: Connection, *, user_id: str, session_id: str, amount: Decimal, currency: str, payment_metadata: dict
) -> None:
    await queries.billing.add_pending_checkout(
        conn,
        transaction_id=new_id("txn"),
        user_id=user_id,
        session_id=session_id,
        amount=amount,
        currency=currency,
        payment_metadata=payment_metadata,
    )


async def get_checkout(conn: Connection, *, user_id: str, session_id: str) -> dict | None:
    return optional_row(await queries.billing.get_checkout(conn, user_id=user_id, session_id=session_id))


async def claim_event(conn: Connection, *, event_id: str, event_type: str) -> bool:
    return await queries.billing.claim_event(conn, event_id=event_id, event_type=event_type) is not None


async def find_subscriber(conn: Connection, *, customer_id: str | None, subscription_id: str | None) -> dict | None:
    if customer_id is None and subscription_id is None:
        return None
    row = await queries.billing.find_subscriber(conn, customer_id=customer_id, subscription_id=subscription_id)
    return optional_row(row)


async def settle_checkout(
    conn: Connection,
    *,
    user_id: str,
    session_id: str,
    payment_status: str,
    payment_id: str | None,
    amount: Decimal | None,
    currency: str | None,
) -> bool:
    settled = await queries.billing.settle_checkout(
        conn,
        user_id=user_id,
        session_id=session_id,
        payment_status=payment_status,
        payment_id=payment_id,
        amount=amount,
        currency=currency,
    )
    return settled is not None


async def link_checkout(
    conn: Connection, *, user_id: str, customer_id: str | None, subscription_id: str | None
) -> None:
    await queries.billing.link_checkout(conn, user_id=user_id, customer_id=customer_id, subscription_id=subscription_id)


async def sync_subscription(conn: Connection, *, user_id: str, row: dict[str, Any]) -> None:
    await queries.billing.sync_subscription(conn, user_id=user_id, **row)


async def set_status(conn: Connection, *, user_id: str, status: str) -> None:
    await queries.billing.set_status(conn, user_id=user_id, status=status)


async def record_invoice(
    conn: Connection,
    *,
    user_id: str,
    invoice_id: str,
    payment_id: str | None,
    amount: Decimal,
    currency: str,
    payment_status: str,
    payment_metadata: dict,
) -> None:
    await queries.billing.record_invoice(
        conn,
        transaction_id=new_id("txn"),
        user_id=user_id,
        invoice_id=invoice_id,
        payment_id=payment_id,
        amount=amount,
        currency=currency,
        payment_status=payment_status,
        payment_metadata=payment_metadata,
    )
