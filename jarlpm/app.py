"""create_app(settings) -> Quart: extensions, blueprints, error handlers and the lifecycle."""

from __future__ import annotations

import asyncio
import logging

from quart import Quart
from quart_schema import Info, QuartSchema

from jarlpm import __version__
from jarlpm.auth import service as auth_service
from jarlpm.config import ConfigError, Settings
from jarlpm.db import EXTENSION_KEY as DATABASE_KEY
from jarlpm.db import Database
from jarlpm.db.migrate import current_revision, ensure_at_head
from jarlpm.db.roles import grant_if_needed, warn_unless_protected
from jarlpm.db.scope import CrossUser
from jarlpm.db.startup import prepare_database
from jarlpm.errors import register_error_handlers
from jarlpm.http import SETTINGS_KEY, access_log, cors, inputs, rate_limits
from jarlpm.http.converters import CONVERTERS
from jarlpm.http.openapi import ContractOpenAPIProvider
from jarlpm.http.replies import EXTENSION_KEY as REPLIES_KEY
from jarlpm.http.replies import ReplyLimits, ReplyTracker
from jarlpm.llm.clients import EXTENSION_KEY as LLM_HTTP_KEY
from jarlpm.llm.clients import open_http_client
from jarlpm.logs import configure_logging
from jarlpm.outbound import EXTENSION_KEY as OUTBOUND_KEY
from jarlpm.outbound import open_client as open_outbound_client

log = logging.getLogger(__name__)

# The largest legitimate body (a chat message with its client-held history) is far below this.
MAX_BODY_BYTES = 2 * 1024 * 1024


def _settings_from_env() -> Settings:
    # No settings given: this is the process entrypoint (Hypercorn's `jarlpm.app:create_app()`).
    configure_logging()
    try:
        return Settings.from_env()
    except ConfigError as error:
        # One line naming the variable, not a traceback (Hypercorn imports us directly).
        raise SystemExit(f"jarlpm: configuration error: {error}") from None


def create_app(settings: Settings | None = None) -> Quart:
    settings = settings or _settings_from_env()
    app = Quart("jarlpm", static_folder=None)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.extensions[SETTINGS_KEY] = settings
    QuartSchema(
        app,
        info=Info(title="JarlPM API", version=__version__),
        openapi_path="/openapi.json",
        swagger_ui_path="/docs",
        redoc_ui_path=None,
        scalar_ui_path=None,
        convert_casing=False,
        openapi_provider_class=ContractOpenAPIProvider,
    )
    register_error_handlers(app)
    inputs.install(app)
    access_log.install(app)
    cors.install(app, settings.cors_origins)
    rate_limits.install(app, settings)
    app.url_map.converters.update(CONVERTERS)  # before any route uses them
    _register_blueprints(app, settings)
    _install_lifecycle(app, settings)
    return app


def _register_blueprints(app: Quart, settings: Settings) -> None:
    from jarlpm.admin.routes import blueprint as admin
    from jarlpm.auth.routes import blueprint as auth
    from jarlpm.auth.test_login import blueprint as test_login
    from jarlpm.billing.routes import blueprint as billing
    from jarlpm.billing.routes import webhook_blueprint as stripe_webhook
    from jarlpm.bugs.routes import blueprint as bugs
    from jarlpm.dashboard.routes import blueprint as dashboard
    from jarlpm.delivery.routes import blueprint as delivery
    from jarlpm.delivery_context.routes import blueprint as delivery_context
    from jarlpm.epics.routes import blueprint as epics
    from jarlpm.export.routes import blueprint as export
    from jarlpm.features.routes import blueprint as features
    from jarlpm.initiatives.routes import blueprint as initiatives
    from jarlpm.integrations.azure_devops.direct_routes import blueprint as azure_devops_export
    from jarlpm.integrations.azure_devops.routes import blueprint as azure_devops
    from jarlpm.integrations.jira.direct_routes import blueprint as jira_export
    from jarlpm.integrations.jira.routes import blueprint as jira
    from jarlpm.integrations.linear.routes import blueprint as linear
    from jarlpm.integrations.routes import blueprint as integrations
    from jarlpm.lean_canvas.routes import blueprint as lean_canvas
    from jarlpm.llm_providers.routes import blueprint as llm_providers
    from jarlpm.personas.routes import blueprint as personas
    from jarlpm.poker.routes import blueprint as poker
    from jarlpm.prd.routes import blueprint as prd
    from jarlpm.scoring.routes import blueprint as scoring
    from jarlpm.sprints.routes import blueprint as sprints
    from jarlpm.stories.routes import blueprint as stories
    from jarlpm.stories.standalone_routes import blueprint as standalone_stories
    from jarlpm.subscriptions.routes import blueprint as subscriptions
    from jarlpm.system.routes import blueprint as system
    from jarlpm.usage.routes import blueprint as usage
    from jarlpm.wizard.routes import blueprint as wizard
    from jarlpm.wizard.save_routes import blueprint as wizard_save

    rooms = (
        system,
        auth,
        subscriptions,
        delivery_context,
        llm_providers,
        epics,
        features,
        standalone_stories,
        stories,
        bugs,
        dashboard,
        initiatives,
        delivery,
        sprints,
        scoring,
        poker,
        prd,
        lean_canvas,
        personas,
        wizard,
        wizard_save,
        usage,
        export,
        integrations,
        jira,
        jira_export,
        azure_devops,
        azure_devops_export,
        linear,
        billing,
        stripe_webhook,
        admin,
    )
    for blueprint in rooms:
        app.register_blueprint(blueprint, url_prefix="/api" + (blueprint.url_prefix or ""))
    if settings.test_login and not settings.is_production:
        log.warning("JARLPM_TEST_LOGIN=true: POST /api/auth/test-login signs anyone in as the test user")
        app.register_blueprint(test_login, url_prefix="/api" + (test_login.url_prefix or ""))


def _install_lifecycle(app: Quart, settings: Settings) -> None:
    @app.before_serving
    async def open_database() -> None:
        # A no-op for a plain DATABASE_URL; `jarlpm serve` has already done it for the embedded default.
        prepared = await asyncio.to_thread(prepare_database, settings)
        database = Database(prepared)
        await database.open()
        try:
            async with database.connection() as conn:
                await grant_if_needed(conn, prepared.migration_database_url, str(prepared.database_url))
                ensure_at_head(await current_revision(conn))
                await warn_unless_protected(conn)
            async with database.connection(CrossUser.MAINTENANCE) as conn:
                await auth_service.note_legacy_hashes(conn)  # imported bcrypt hashes left: equal-cost failures
        except BaseException:
            await database.close()
            raise
        app.extensions[SETTINGS_KEY] = prepared  # the concrete URLs (the embedded default's, for backups)
        app.extensions[DATABASE_KEY] = database
        app.extensions[LLM_HTTP_KEY] = open_http_client(settings)
        app.extensions[OUTBOUND_KEY] = open_outbound_client()
        app.extensions[REPLIES_KEY] = ReplyTracker(database, _reply_limits(settings))

    @app.after_serving
    async def close_resources() -> None:
        # Replies still being read need the provider client and the pool: they go first.
        replies = app.extensions.pop(REPLIES_KEY, None)
        if replies is not None:
            await replies.shutdown(settings.shutdown_grace_seconds)
        for key in (LLM_HTTP_KEY, OUTBOUND_KEY):
            http = app.extensions.pop(key, None)
            if http is not None:
                await http.aclose()
        database = app.extensions.pop(DATABASE_KEY, None)
        if database is not None:
            await database.close()


def _reply_limits(settings: Settings) -> ReplyLimits:
    return ReplyLimits(
        max_seconds=settings.llm_max_reply_seconds,
        max_chars=settings.llm_max_reply_chars,
        save_retry_seconds=settings.db_save_retry_seconds,
    )
