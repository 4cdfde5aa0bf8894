"""The AI surface every room is written against (shapes below, filled in as the rooms move to it)."""

from jarlpm.ai.ending import Save, StreamEnd
from jarlpm.ai.failures import AIFailure
from jarlpm.ai.prepare import prepare
from jarlpm.ai.reply import Reply
from jarlpm.ai.shapes import (
    AFTER_FAILED_DRAFTS,
    HistoryMessage,
    Interview,
    InterviewIn,
    Refinement,
    RefinementWrites,
    call_metadata,
    chunks,
    drafts,
)
from jarlpm.ai.structured import structured

__all__ = [
    "AFTER_FAILED_DRAFTS",
    "AIFailure",
    "HistoryMessage",
    "Interview",
    "InterviewIn",
    "Refinement",
    "RefinementWrites",
    "Reply",
    "Save",
    "StreamEnd",
    "call_metadata",
    "chunks",
    "drafts",
    "prepare",
    "structured",
]
