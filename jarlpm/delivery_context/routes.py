"""/api/delivery-context: how the user's team delivers (read by every prompt)."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_request, validate_response

from jarlpm import db
from jarlpm.delivery_context import repo
from jarlpm.delivery_context.models import DeliveryContextIn, DeliveryContextOut
from jarlpm.delivery_context.rules import ENUMS, unknown_enum_value
from jarlpm.errors import APIError
from jarlpm.http.auth import current_caller, login_required

blueprint = Blueprint("delivery_context", __name__, url_prefix="/delivery-context")


@blueprint.get("")
@login_required
@validate_response(DeliveryContextOut)
async def get_context() -> DeliveryContextOut:
    """The user's delivery context (created empty on first read)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        context = await repo.get_or_create(conn, user_id=caller.id)
    return DeliveryContextOut(**context)


def _checked(data: DeliveryContextIn) -> dict:
    """The replacement values, enums lower-cased; 400 naming the allowed values for an unknown one."""
    values = data.model_dump()
    for field in ENUMS:
        error = unknown_enum_value(field, values[field])
        if error:
            raise APIError(400, "INVALID_ENUM_VALUE", error)
        values[field] = values[field].lower() if values[field] else None
    values["industry"] = (values["industry"] or "").strip() or None
    values["points_per_dev_per_sprint"] = values["points_per_dev_per_sprint"] or 8
    values["quality_mode"] = values["quality_mode"] or "standard"
    return values


@blueprint.put("")
@login_required
@validate_request(DeliveryContextIn)
@validate_response(DeliveryContextOut)
async def replace_context(data: DeliveryContextIn) -> DeliveryContextOut:
    """Replace the whole delivery context (omitted fields become empty or their default)."""
    values = _checked(data)
    caller = current_caller()
    async with db.connection(caller) as conn:
        context = await repo.replace_context(conn, user_id=caller.id, **values)
    return DeliveryContextOut(**context)
