"""`Idempotency-Key` on creates: a retried create returns the first answer instead of a duplicate.

The key is claimed, the create runs and its answer is stored in ONE transaction, so a key is used
exactly when its create committed: after a lost connection or an unknown COMMIT outcome
(503 DB_OUTCOME_UNKNOWN) the client retries with the same key and gets either the stored answer or a
fresh run. Keys belong to the user, last a day, and may not be reused for another request (422).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from quart import current_app, request

from jarlpm import db
from jarlpm.db.queries import queries
from jarlpm.db.scope import CrossUser
from jarlpm.errors import APIError
from jarlpm.http.auth import AnyResponse, current_caller

HEADER = "Idempotency-Key"
IDEMPOTENT_ATTRIBUTE = "jarlpm_idempotent"  # read by the OpenAPI description
KEY_SHAPE = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as the header's draft standard suggests
CLEANUP_SHARE = 0.01  # one create in a hundred also deletes expired keys


def _key() -> str | None:
    key = request.headers.get(HEADER)
    if key is not None and not KEY_SHAPE.fullmatch(key):
        raise APIError(400, "INVALID_IDEMPOTENCY_KEY", f"{HEADER} must be 1 to 255 visible ASCII characters")
    return key


async def _fingerprint() -> str:
    body = await request.get_data(True, False, False)
    return hashlib.sha256(b"\n".join([request.method.encode(), request.path.encode(), body])).hexdigest()


async def _replay(stored: dict, fingerprint: str) -> AnyResponse:
    if stored["request_hash"] != fingerprint:
        raise APIError(422, "IDEMPOTENCY_KEY_REUSED", f"This {HEADER} was already used for a different request")
    headers = {"Idempotent-Replayed": "true"}
    return await current_app.make_response((stored["response_body"], stored["status_code"], headers))


def idempotent(view: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """For create routes, under @login_required: honours an Idempotency-Key header when one is sent."""

    @wraps(view)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = _key()
        if key is None:
            return await view(*args, **kwargs)
        caller, fingerprint = current_caller(), await _fingerprint()
        async with db.current().hold_for_request(caller) as conn:
            user_id = caller.id
            if (
                await queries.idempotency.claim_key(
                    conn, user_id=user_id, idempotency_key=key, request_hash=fingerprint
                )
                is None
            ):
                stored = await queries.idempotency.get_answer(conn, user_id=user_id, idempotency_key=key)
                return await _replay(dict(stored), fingerprint)
            response = await current_app.make_response(await view(*args, **kwargs))
            await queries.idempotency.store_answer(
                conn,
                user_id=user_id,
                idempotency_key=key,
                status_code=response.status_code,
                response_body=await response.get_json(),
            )
        if random.random() < CLEANUP_SHARE:
            async with db.connection(CrossUser.MAINTENANCE) as conn:  # every user's expired keys
                await queries.idempotency.forget_old_keys(conn)
        return response

    setattr(wrapper, IDEMPOTENT_ATTRIBUTE, True)
    return wrapper
