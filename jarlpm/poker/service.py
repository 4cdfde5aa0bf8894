"""One round of planning poker: five personas asked at once, their events sent in persona order, and
the round stored whole by one save."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asyncpg import Connection

from jarlpm import ai
from jarlpm.ai import AIFailure, StreamEnd
from jarlpm.errors import APIError
from jarlpm.llm.calls import LLMCall
from jarlpm.poker import prompts, repo, rules
from jarlpm.poker.models import PersonaEstimate
from jarlpm.poker.prompts import StoryBrief
from jarlpm.poker.rules import PERSONAS, Persona

log = logging.getLogger(__name__)

STORY_NOT_FOUND = ("STORY_NOT_FOUND", "User story not found")
SESSION_NOT_FOUND = ("SESSION_NOT_FOUND", "Estimation session not found")
PERSONA_FAILED = "This persona could not give an estimate"

Event = dict[str, Any]


async def owned_story(conn: Connection, *, user_id: str, story_id: str) -> dict:
    story = await repo.get_story(conn, user_id=user_id, story_id=story_id)
    if story is None:
        raise APIError(404, *STORY_NOT_FOUND)
    return story


def summarise(estimates: Sequence[Mapping[str, Any]]) -> rules.Summary:
    return rules.summarise([estimate["estimate"] for estimate in estimates])


def summary_event(
    estimates: Sequence[Mapping[str, Any]], summary: rules.Summary, session_id: str | None = None
) -> Event:
    """The contract's `summary`; a custom round (nothing stored) has no session_id key."""
    body: dict[str, Any] = {
        "estimates": list(estimates),
        "average": summary.average,
        "suggested": summary.suggested,
        "min": summary.min,
        "max": summary.max,
        "consensus": summary.consensus,
    }
    if session_id is not None:
        body["session_id"] = session_id
    return {"type": "summary", "summary": body}


@dataclass
class Round:
    """The personas' estimates of one story. `estimates` fills in persona order as results are sent."""

    call: LLMCall
    brief: StoryBrief
    context: Mapping | None
    estimates: list[Event] = field(default_factory=list)

    async def events(self, *, with_summary: bool) -> AsyncIterator[Event]:
        """start, each persona's start and result, and (for an unstored round) the summary."""
        yield {"type": "start", "total_personas": len(PERSONAS)}
        # All five are asked at once, so a round lasts as long as its slowest persona, not their sum.
        asks = [asyncio.ensure_future(self._ask(persona)) for persona in PERSONAS]
        try:
            for persona, ask in zip(PERSONAS, asks, strict=True):
                yield {"type": "persona_start", "persona": persona.card()}
                result = await ask
                if result["type"] == "persona_estimate":
                    self.estimates.append(result["estimate"])
                yield result
        finally:
            await _cancel(asks)
        if with_summary and self.estimates:
            yield summary_event(self.estimates, summarise(self.estimates))

    async def _ask(self, persona: Persona) -> Event:
        system = prompts.system_prompt(persona, self.context)
        try:
            answer: PersonaEstimate = await ai.structured(
                self.call, system, prompts.story_message(self.brief), PersonaEstimate
            )
        except AIFailure as failure:
            return persona_error(persona, failure.message)
        except Exception:
            log.exception("poker persona %s failed", persona.id)
            return persona_error(persona, PERSONA_FAILED)
        return {"type": "persona_estimate", "estimate": estimate_of(persona, answer)}


def estimate_of(persona: Persona, answer: PersonaEstimate) -> Event:
    return {
        "persona_id": persona.id,
        "name": persona.name,
        "role": persona.role,
        "avatar": persona.avatar,
        "estimate": answer.estimate,
        "reasoning": answer.reasoning,
        "confidence": answer.confidence,
    }


def persona_error(persona: Persona, message: str) -> Event:
    return {"type": "persona_error", "persona_id": persona.id, "error": message}


async def _cancel(asks: Sequence[asyncio.Future[Event]]) -> None:
    # A round cut short (client gone on a custom round, shutdown) must not leave provider calls running.
    for ask in asks:
        ask.cancel()
    await asyncio.gather(*asks, return_exceptions=True)


def round_saver(round_: Round, *, user_id: str, story_id: str) -> ai.Save:
    """The save of a stored round: the session and every estimate in the save's one transaction, then
    the summary naming it. A round cut short, or one with no estimate, stores nothing and sends none."""

    async def save(conn: Connection, end: StreamEnd) -> list[Event]:
        if not end.completed or not round_.estimates:
            return []
        summary = summarise(round_.estimates)
        session_id = await repo.add_session(
            conn, user_id=user_id, story_id=story_id, summary=summary, estimates=round_.estimates
        )
        if session_id is None:  # the story was deleted while the personas thought
            return []
        return [summary_event(round_.estimates, summary, session_id)]

    return save


async def save_estimate(
    conn: Connection, *, user_id: str, story_id: str, story_points: int, session_id: str | None
) -> None:
    """Set the story's points and accept the session; in the caller's transaction, so a 404 changes nothing."""
    if await repo.set_story_points(conn, user_id=user_id, story_id=story_id, story_points=story_points) is None:
        raise APIError(404, *STORY_NOT_FOUND)
    if session_id is None:
        return
    accepted = await repo.accept_session(
        conn, user_id=user_id, session_id=session_id, story_id=story_id, story_points=story_points
    )
    if not accepted:
        raise APIError(404, *SESSION_NOT_FOUND)
