"""The poker room's tables: estimate sessions of a story and each persona's estimate in them."""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy import CheckConstraint, Column, DateTime, Float, ForeignKey, Index, Integer, String, Table, Text

from jarlpm.db.columns import created_at, metadata, one_of, owner, public_id

FIBONACCI_POINTS = (1, 2, 3, 5, 8, 13)
Confidence = Literal["low", "medium", "high"]
CONFIDENCES: tuple[str, ...] = get_args(Confidence)  # the CHECK constraint's values
POINTS_CHECK = ", ".join(str(value) for value in FIBONACCI_POINTS)

# A session is stored whole, with its estimates, in one transaction; only acceptance changes it later.
poker_estimate_sessions = Table(
    "poker_estimate_sessions",
    metadata,
    *public_id("session_id", "pses"),
    Column("story_id", String(50), ForeignKey("user_stories.story_id", ondelete="CASCADE"), nullable=False),
    owner(),
    Column("min_estimate", Integer),
    Column("max_estimate", Integer),
    Column("average_estimate", Float),
    Column("suggested_estimate", Integer),
    Column("accepted_estimate", Integer),
    Column("accepted_at", DateTime(timezone=True)),
    created_at(),
    CheckConstraint(
        f"accepted_estimate IS NULL OR accepted_estimate IN ({POINTS_CHECK})", name="accepted_is_fibonacci"
    ),
    CheckConstraint("(accepted_estimate IS NULL) = (accepted_at IS NULL)", name="accepted_at_when_accepted"),
    Index("ix_poker_estimate_sessions_story_id_created_at", "story_id", "created_at"),
)

poker_persona_estimates = Table(
    "poker_persona_estimates",
    metadata,
    *public_id("estimate_id", "pest"),
    Column(
        "session_id",
        String(50),
        ForeignKey("poker_estimate_sessions.session_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("persona_name", String(100), nullable=False),
    Column("persona_role", String(100), nullable=False),
    Column("estimate_points", Integer, nullable=False),
    Column("reasoning", Text, nullable=False),
    Column("confidence", String(20)),
    created_at(),
    CheckConstraint(f"estimate_points IN ({POINTS_CHECK})", name="estimate_is_fibonacci"),
    one_of("confidence", CONFIDENCES),
)
