"""/api/initiative: generate an initiative from an idea (streamed), the pipeline's schema, and the user's
generation statistics."""

from __future__ import annotations

from functools import cache

from quart import Blueprint, Response
from quart_schema import validate_querystring, validate_request, validate_response

from jarlpm import ai, db
from jarlpm.http import sse
from jarlpm.http.auth import current_caller, login_required, public
from jarlpm.http.openapi import no_database, streams
from jarlpm.http.rate_limits import ai_route
from jarlpm.http.replies import current_tracker
from jarlpm.wizard import pipeline, prompts, repo, stats
from jarlpm.wizard.models import DaysQuery, GenerateIn, Initiative, PassInfo, SchemaOut, StatsOut

blueprint = Blueprint("wizard", __name__, url_prefix="/initiative")

PIPELINE = [
    PassInfo(
        number=1,
        name="PRD",
        description="Turns the idea into a PRD (problem, users, outcome, metrics, MVP scope, assumptions, "
        "risks, positioning), the product's name and tagline, and the epic. Quality mode then critiques and "
        "improves it once (the original is kept if the improvement is not valid).",
    ),
    PassInfo(
        number=2,
        name="Decomposition",
        description="Decomposes the PRD into 3 to 5 features of 2 to 4 export-ready stories each (Given/When/Then "
        "criteria, points, priority, labels, risks, edge cases...); the server gives them their ids. Quality mode "
        "then critiques and improves it once (the original is kept if the improvement is not valid).",
    ),
    PassInfo(
        number=3,
        name="Critic",
        description="A senior-PM review of the whole initiative: warnings, a quality summary and a confidence "
        "assessment (3 top risks, 3 key assumptions, 3 things to validate first). Nothing is rewritten.",
    ),
]
QUALITY_CHECKS = [
    "Every pass is structured output validated against its schema, repaired up to 2 times",
    "3 to 5 features, each with 2 to 4 stories",
    "Stories in 'As a ..., I want to ..., so that ...' form with Given/When/Then acceptance criteria",
    "Story points on the Fibonacci scale (1, 2, 3, 5, 8, 13); priorities must-have, should-have, nice-to-have",
    "At least one non-functional requirement story",
    "Critic: untestable or oversized stories, vague criteria, scope creep, metrics without targets",
    "Critic: fit to the team's delivery context and a confidence assessment",
]


@blueprint.post("/generate")
@login_required
@ai_route(per_minute_count=10)
@validate_request(GenerateIn)
@streams(
    "warning {message}?",
    "info {message}?",
    "(pass {pass, message}, then progress {pass, message})*",
    "initiative {data}",
    "done {message} | error {message}",
)
async def generate(data: GenerateIn) -> Response:
    """Generate a whole initiative from a rough idea: PRD, epic, features and stories, and a critique (SSE)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, context = await ai.prepare(conn, caller)
        health = await repo.model_health(conn, user_id=caller.id, provider=call.provider, model=call.model)
    setup = pipeline.Setup(
        call=call,
        user_id=caller.id,
        idea=data.idea,
        product_name=data.product_name or None,
        quality_mode=pipeline.quality_mode(data.quality_mode, context),
        context=context,
        warning=pipeline.weak_model_warning(health, call.model),
    )
    return sse.stream(pipeline.Generation(setup, current_tracker()).events(), done=pipeline.DONE)


@blueprint.get("/schema")
@public
@no_database
@validate_response(SchemaOut)
async def schema() -> SchemaOut:
    """The generation pipeline, its quality checks, the prompt version and the JSON Schema of `initiative.data`."""
    return _schema()


@cache
def _schema() -> SchemaOut:
    return SchemaOut(
        pipeline=PIPELINE,
        quality_checks=QUALITY_CHECKS,
        prompt_version=prompts.PROMPT_VERSION,
        schema_=Initiative.model_json_schema(by_alias=True),
    )


@blueprint.get("/analytics/stats")
@login_required
@validate_querystring(DaysQuery)
@validate_response(StatsOut)
async def generation_stats(query_args: DaysQuery) -> StatsOut:
    """The caller's generations of the last `days` days: success rate, retries, tokens and cost.

    The same figures by provider (and its models) and by prompt version."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        rows = await repo.generation_totals(conn, user_id=caller.id, days=query_args.days)
    return StatsOut(**stats.stats(rows, query_args.days))
