"""One wizard run: three structured passes (PRD, decomposition, critic) streamed as the contract's events,
and its log row written once when the run ends, however it ends.

The run is a stream body without a save: nothing of it is stored but its log, so when the client leaves
the run is cancelled with it (no more provider calls the user would pay for and nobody would read), and
the log row is still written as `abandoned` by a shielded short write. A run that completes writes its
row before the `initiative` event, so the `_analytics.log_id` the client may send back to the save names
a stored row. No pooled connection is held during any pass: only the log write acquires one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel

from jarlpm import ai
from jarlpm.ai import AIFailure
from jarlpm.ai.structured import StructuredOutputError
from jarlpm.ai.usage import Stopwatch, UsageRecord, current_meter
from jarlpm.db.ids import new_id
from jarlpm.db.pool import Database
from jarlpm.http.replies import ReplyTracker, save_with_retry
from jarlpm.llm.calls import LLMCall, Message
from jarlpm.wizard import prompts, repo
from jarlpm.wizard.models import CriticPass, DecompositionPass, Initiative, PRDPass
from jarlpm.wizard.tables import GenerationOutcome

log = logging.getLogger(__name__)

Event = dict[str, Any]
Pass = TypeVar("Pass", bound=BaseModel)

PASS_NAMES = {1: "PRD", 2: "features and stories", 3: "quality checks"}
PASS_MESSAGES = {
    1: "Defining the problem...",
    2: "Breaking it into features and stories...",
    3: "Running PM quality checks...",
}
IMPROVED_PASSES = (1, 2)  # quality mode critiques and improves these once
DONE = {"type": "done", "message": "Initiative generated!"}
QUALITY_INFO = "Quality mode: the PRD and the plan are each critiqued and improved once, so this takes longer."
GENERIC_FAILURE = "an unexpected error occurred"
# The run ends itself a little before the stream's own bound (LLM_MAX_REPLY_SECONDS, which covers the
# whole run), so the client reads which pass ran out of time and the log says failed, not abandoned.
TIME_MARGIN_SHARE, TIME_MARGIN_MAX = 0.25, 5.0
MAX_LOGGED_ERRORS = 20

# The weak-model warning: enough recent calls, and too many of them needed a repair or failed.
WEAK_MODEL_MIN_CALLS = 3
WEAK_MODEL_SHARE = 0.30


def weak_model_warning(health: Mapping[str, int], model: str) -> str | None:
    calls, troubled = health["calls"], health["troubled"]
    if calls < WEAK_MODEL_MIN_CALLS or troubled <= WEAK_MODEL_SHARE * calls:
        return None
    return (
        f"{model} needed a repair or failed on {troubled} of your {calls} AI calls of the last 30 days "
        f"({round(100 * troubled / calls)} %). Results may be incomplete; a stronger model gives better initiatives."
    )


def quality_mode(requested: str | None, context: Mapping | None) -> str:
    """The request's mode wins over the delivery context's; standard when neither says."""
    return requested or (context or {}).get("quality_mode") or "standard"


def failure_message(number: int, reason: str) -> str:
    return f"Pass {number} ({PASS_NAMES[number]}) failed: {reason}"


@dataclass(frozen=True)
class Setup:
    """Everything a run needs, gathered in the prelude (plain data and the call: no connection)."""

    call: LLMCall
    user_id: str
    idea: str
    product_name: str | None
    quality_mode: str
    context: Mapping[str, Any] | None
    warning: str | None
    log_id: str = field(default_factory=lambda: new_id("ilog"))


def _sum(values: Sequence[int | None]) -> int | None:
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def _cost(records: Sequence[UsageRecord]) -> Decimal | None:
    """What the calls cost; unknown (None) as soon as one call's price is unknown."""
    costs = [record.cost_usd for record in records]
    if not costs or any(cost is None for cost in costs):
        return None
    return sum((cost for cost in costs if cost is not None), Decimal(0))


def calls_summary(records: Sequence[UsageRecord]) -> dict[str, Any]:
    """A pass's provider calls, as its log entry records them."""
    cost = _cost(records)
    return {
        "calls": len(records),
        "input_tokens": _sum([record.input_tokens for record in records]),
        "output_tokens": _sum([record.output_tokens for record in records]),
        "retries": sum(1 for record in records if record.repair),
        "cost_usd": float(cost) if cost is not None else None,
    }


def with_ids(prd: PRDPass, decomposition: DecompositionPass, product_name: str | None) -> dict[str, Any]:
    """The initiative before its critique: the passes' content with the server's feature and story ids."""
    features = [
        {
            "id": new_id("feat"),
            **feature.model_dump(mode="json", exclude={"stories"}),
            "stories": [{"id": new_id("story"), **story.model_dump(mode="json")} for story in feature.stories],
        }
        for feature in decomposition.features
    ]
    return {
        "product_name": product_name or prd.product_name,
        "tagline": prd.tagline,
        "prd": prd.prd.model_dump(mode="json"),
        "epic": prd.epic.model_dump(mode="json"),
        "features": features,
        "total_points": sum(story["points"] or 0 for feature in features for story in feature["stories"]),
    }


def delivery_context_out(context: Mapping[str, Any] | None) -> dict[str, Any]:
    context = context or {}
    return {
        "industry": context.get("industry"),
        "methodology": context.get("delivery_methodology"),
        "sprint_length": context.get("sprint_cycle_length"),
        "team_velocity": prompts.team_velocity(context),
        "team_size": prompts.team_size(context),
        "platform": context.get("delivery_platform"),
        "definition_of_done": prompts.definition_of_done(context),
    }


def critiqued(critic: CriticPass) -> dict[str, Any]:
    """The critic's report as the initiative carries it: counts follow the warnings, nothing is auto-fixed."""
    summary = critic.quality_summary.model_copy(update={"total_issues": len(critic.warnings), "auto_fixed": 0})
    return {
        "warnings": [warning.model_dump(mode="json") for warning in critic.warnings],
        "quality_summary": summary.model_dump(mode="json"),
        "confidence_assessment": critic.confidence_assessment.model_dump(mode="json"),
    }


class Generation:
    """`events()` is the stream body; the log row is written once, from inside it."""

    def __init__(self, setup: Setup, tracker: ReplyTracker) -> None:
        self.setup = setup
        self.database: Database = tracker.database
        self.save_retry_seconds = tracker.limits.save_retry_seconds
        bound = tracker.limits.max_seconds
        self.max_seconds = bound - min(TIME_MARGIN_MAX, bound * TIME_MARGIN_SHARE)
        self.watch = Stopwatch()
        self.passes: list[dict[str, Any]] = []
        self.validation_errors: list[str] = []
        self.records: list[UsageRecord] = []  # every provider call of the run
        self.current = 0
        self.logged = False
        self.counts: dict[str, Any] = {}
        self.draft: dict[str, Any] = {}
        self.critic: CriticPass | None = None

    async def events(self) -> AsyncIterator[Event]:
        setup = self.setup
        if setup.warning:
            yield {"type": "warning", "message": setup.warning}
        if setup.quality_mode == "quality":
            yield {"type": "info", "message": QUALITY_INFO}
        try:
            async with asyncio.timeout(self.max_seconds):
                async for event in self._passes():
                    yield event
            initiative = self._initiative()
            if not await asyncio.shield(self._log("success")):
                initiative = initiative.model_copy(update={"analytics": None})  # it names no stored row
        except TimeoutError:
            await self._fail(f"it took longer than {self.max_seconds:g} s")
        except AIFailure as failure:
            await self._fail(failure.message)
        except Exception:
            log.exception("initiative generation failed in pass %s", self.current)
            await self._fail(GENERIC_FAILURE)
        finally:
            if not self.logged:  # the client left (or the service stops): the run ends here
                await asyncio.shield(self._log("abandoned"))
        yield {"type": "initiative", "data": initiative.model_dump(mode="json", by_alias=True)}

    async def _passes(self) -> AsyncIterator[Event]:
        """Each pass's `pass` and `progress` events; the results are kept for the initiative."""
        setup = self.setup
        yield self._starting(1)
        prd = await self._run_pass(1, *prompts.prd_prompt(setup.idea, setup.product_name, setup.context), PRDPass)
        yield self._progress(1, f"PRD complete: {setup.product_name or prd.product_name}")

        yield self._starting(2)
        system, messages = prompts.decomposition_prompt(prd.model_dump(mode="json"), setup.context)
        decomposition = await self._run_pass(2, system, messages, DecompositionPass)
        self.draft = with_ids(prd, decomposition, setup.product_name)
        features = len(self.draft["features"])
        stories = sum(len(feature["stories"]) for feature in self.draft["features"])
        self.counts.update(features_generated=features, stories_generated=stories)
        yield self._progress(2, f"Created {features} features, {stories} stories")

        yield self._starting(3)
        self.critic = critic = await self._run_pass(3, *prompts.critic_prompt(self.draft, setup.context), CriticPass)
        issues = len(critic.warnings)
        summary = critic.quality_summary
        self.counts.update(
            critic_issues_found=issues, critic_auto_fixed=0, scope_assessment=summary.scope_assessment or None
        )
        score = critic.confidence_assessment.confidence_score
        yield self._progress(
            3, f"Quality checks complete: {issues} issue{'' if issues == 1 else 's'}, confidence {score}%"
        )

    def _initiative(self) -> Initiative:
        assert self.critic is not None  # the passes ran to their end
        return Initiative.model_validate(
            {
                **self.draft,
                **critiqued(self.critic),
                "delivery_context": delivery_context_out(self.setup.context),
                "_analytics": {"log_id": self.setup.log_id},
            }
        )

    async def _fail(self, reason: str) -> NoReturn:
        """Logs the run failed in the current pass, then ends the stream with an error naming that pass."""
        message = failure_message(self.current, reason)
        await asyncio.shield(self._log("failed", message))
        raise AIFailure(message)

    def _starting(self, number: int) -> Event:
        self.current = number
        return {"type": "pass", "pass": number, "message": PASS_MESSAGES[number]}

    @staticmethod
    def _progress(number: int, message: str) -> Event:
        return {"type": "progress", "pass": number, "message": message}

    async def _run_pass(self, number: int, system: str, messages: list[Message], schema: type[Pass]) -> Pass:
        """One pass (and, in quality mode, its improvement), recorded in the log's passes however it ends."""
        meter = current_meter()
        first = len(meter.records) if meter else 0
        watch = Stopwatch()
        entry: dict[str, Any] = {"pass": number, "name": PASS_NAMES[number], "errors": []}
        try:
            answer: Pass = await ai.structured(self.setup.call, system, messages, schema)
            if self.setup.quality_mode == "quality" and number in IMPROVED_PASSES:
                answer, entry["improved"] = await self._improve(system, messages, answer, schema)
            return answer
        except StructuredOutputError as error:
            entry["errors"] = error.errors[:MAX_LOGGED_ERRORS]
            self.validation_errors += [f"pass {number}: {problem}" for problem in entry["errors"]]
            raise
        finally:
            records = meter.records[first:] if meter else []
            self.records += records
            entry.update(calls_summary(records), duration_ms=watch.milliseconds())
            self.passes.append(entry)

    async def _improve(
        self, system: str, messages: list[Message], answer: Pass, schema: type[Pass]
    ) -> tuple[Pass, bool]:
        """Quality mode: ask for a critique-and-improve of a valid answer (one repair); keep the original
        when the improvement does not come back valid."""
        asked = prompts.improve_messages(messages, answer.model_dump(mode="json"))
        try:
            return await ai.structured(self.setup.call, system, asked, schema, max_repairs=1), True
        except AIFailure as failure:
            log.info("quality improvement kept the original: %s", failure.message)
            return answer, False

    def _log(self, outcome: GenerationOutcome, error: str | None = None) -> asyncio.Future[bool]:
        """Starts writing the run's log row, once (a later call writes nothing and answers False); True
        once stored. Marked written at once, so a cancellation arriving meanwhile cannot log it twice."""
        if self.logged:
            done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            done.set_result(False)
            return done
        self.logged = True
        return asyncio.ensure_future(self._write(self._row(outcome, error)))

    async def _write(self, row: Mapping[str, Any]) -> bool:
        async def once() -> None:
            async with self.database.connection(self.setup.user_id) as conn:
                await repo.add_generation_log(conn, row)

        try:
            await save_with_retry(once, self.save_retry_seconds)
            return True
        except Exception:  # the log never costs the user their initiative
            log.exception("storing an initiative generation log failed")
            return False

    def _row(self, outcome: GenerationOutcome, error: str | None) -> dict[str, Any]:
        setup, context = self.setup, self.setup.context or {}
        return {
            "log_id": setup.log_id,
            "user_id": setup.user_id,
            "idea_length": len(setup.idea),
            "idea_hash": hashlib.sha256(setup.idea.encode()).hexdigest(),
            "product_name_provided": bool(setup.product_name),
            "has_delivery_context": setup.context is not None,
            "industry": context.get("industry"),
            "methodology": context.get("delivery_methodology"),
            "team_size": prompts.team_size(context),
            "provider": setup.call.provider,
            "model": setup.call.model,
            "prompt_version": prompts.PROMPT_VERSION,
            "quality_mode": setup.quality_mode,
            "passes": self.passes,
            "input_tokens": _sum([entry["input_tokens"] for entry in self.passes]),
            "output_tokens": _sum([entry["output_tokens"] for entry in self.passes]),
            "total_retries": sum(entry["retries"] for entry in self.passes),
            "estimated_cost_usd": _cost(self.records),
            "validation_errors": self.validation_errors,
            "outcome": outcome,
            "failed_pass": (self.current or 1) if outcome == "failed" else None,
            "error_message": error,
            "features_generated": self.counts.get("features_generated"),
            "stories_generated": self.counts.get("stories_generated"),
            "critic_issues_found": self.counts.get("critic_issues_found"),
            "critic_auto_fixed": self.counts.get("critic_auto_fixed"),
            "scope_assessment": (self.counts.get("scope_assessment") or "")[:20] or None,
            "duration_ms": self.watch.milliseconds(),
        }
