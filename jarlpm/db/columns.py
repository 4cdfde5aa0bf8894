"""The one MetaData every room's tables.py declares on, and the column shapes the rooms share.

A room's tables.py imports this module and SQLAlchemy only, so the rooms' models and rules can import
their enumerations from it without a cycle. Vocabularies used by several rooms (conversation roles,
work-item stages, MoSCoW scores) live here with the helpers that check them.
"""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Integer,
    MetaData,
    String,
    Text,
    func,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

TRANSCRIPT_ROLES = ("user", "assistant", "system")
MOSCOW_SCORES = ("must_have", "should_have", "could_have", "wont_have")
WorkStage = Literal["draft", "refining", "approved"]
WORK_STAGES: tuple[str, ...] = get_args(WorkStage)  # the CHECK constraint's values
WorkSource = Literal["manual", "ai_generated"]
WORK_SOURCES: tuple[str, ...] = get_args(WorkSource)  # the CHECK constraint's values


def created_at() -> Column:
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def updated_at() -> Column:
    # Kept current by the touch_updated_at() trigger created in the first migration.
    return Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def public_id(name: str, prefix: str) -> tuple[Column, CheckConstraint]:
    """A prefixed string primary key (`user_<12 hex>`), as the web client sees it in every path."""
    column = Column(name, String(50), primary_key=True)
    check = CheckConstraint(f"{name} LIKE '{prefix}\\_%'", name=f"{name}_prefix")
    return column, check


def one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    """An enumeration as a CHECK constraint named `<column>_allowed`."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_allowed")


def owner(*, unique: bool = False, index: bool = True) -> Column:
    """The owning user; their rows go with them. `index=False` when a composite key already leads with it."""
    return Column(
        "user_id",
        String(50),
        ForeignKey("users.user_id", ondelete="CASCADE"),
        nullable=False,
        index=index and not unique,
        unique=unique or None,
    )


def history_order() -> Column:
    """Insertion order of history rows: rows written in one transaction share created_at."""
    return Column("seq", BigInteger, Identity(always=True), nullable=False)


def parent(name: str, table: str, *, index: bool = True, primary_key: bool = False) -> Column:
    """A child's link to its parent row; children go with their parent."""
    return Column(
        name,
        String(50),
        ForeignKey(f"{table}.{name}", ondelete="CASCADE"),
        nullable=False,
        index=index and not primary_key,
        primary_key=primary_key,
    )


def moscow_columns() -> list[Column]:
    return [Column("moscow_score", String(20)), Column("moscow_reasoning", Text)]


def rice_columns() -> list[Column]:
    """Scoring, written by the scoring and poker modules; stays writable after approval."""
    return [
        Column("rice_reach", Integer),
        Column("rice_impact", Float),
        Column("rice_confidence", Float),
        Column("rice_effort", Float),
        Column("rice_total", Float),
        Column("rice_reasoning", Text),
    ]


def work_item_checks() -> list[CheckConstraint]:
    """Features and stories move draft → refining → approved, and remember when they were approved."""
    return [
        one_of("current_stage", WORK_STAGES),
        one_of("source", WORK_SOURCES),
        CheckConstraint("(current_stage = 'approved') = (approved_at IS NOT NULL)", name="approved_at_when_approved"),
    ]


def conversation_role() -> tuple[Column, CheckConstraint]:
    return Column("role", String(20), nullable=False), one_of("role", TRANSCRIPT_ROLES)
