"""/api/usage: what the caller's AI calls cost, and the price table every call is priced with."""

from __future__ import annotations

from quart import Blueprint
from quart.blueprints import BlueprintSetupState
from quart_schema import validate_querystring, validate_response

from jarlpm import db
from jarlpm.config import ConfigError, Settings
from jarlpm.http import SETTINGS_KEY
from jarlpm.http.auth import current_caller, login_required
from jarlpm.usage import prices, repo, service
from jarlpm.usage.models import UsageOut, UsageQuery

blueprint = Blueprint("usage", __name__, url_prefix="/usage")


@blueprint.record_once
def install_prices(state: BlueprintSetupState) -> None:
    # Creating the app installs its price table: a malformed file stops create_app() with one clear line.
    settings: Settings = state.app.extensions[SETTINGS_KEY]
    try:
        prices.use_prices(prices.load_prices(settings.llm_prices_file))
    except prices.PriceFileError as error:
        raise ConfigError(f"LLM_PRICES_FILE is invalid: {error}") from None


@blueprint.get("")
@login_required
@validate_querystring(UsageQuery)
@validate_response(UsageOut)
async def usage(query_args: UsageQuery) -> UsageOut:
    """The caller's AI calls of the last `days` days: totals, by provider and model, and per day."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        rows = await repo.usage_summary(conn, user_id=caller.id, days=query_args.days)
    return service.usage_out(rows, query_args.days)
