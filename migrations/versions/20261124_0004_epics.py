"""epics

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 21:45:40.464630
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# History rows (transcripts, decisions) are append-only. A DELETE is allowed only while the transaction
# deleting their parent has said so with `SELECT set_config('jarlpm.deleting', <parent id>, true)`; the
# trigger's arguments name the columns that may hold that parent id.
GUARD_APPEND_ONLY = """
CREATE FUNCTION guard_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    deleting text := current_setting('jarlpm.deleting', true);
    parent_column text;
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(deleting, '') <> '' THEN
        FOREACH parent_column IN ARRAY TG_ARGV LOOP
            IF to_jsonb(OLD) ->> parent_column = deleting THEN
                RETURN OLD;
            END IF;
        END LOOP;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$
"""

STAGE_ORDER = "ARRAY['problem_capture', 'problem_confirmed', 'outcome_capture', 'outcome_confirmed', 'epic_drafted', 'epic_locked']"

GUARD_FORWARD_STAGE = f"""
CREATE FUNCTION guard_forward_stage() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF array_position({STAGE_ORDER}, NEW.current_stage) < array_position({STAGE_ORDER}, OLD.current_stage) THEN
        RAISE EXCEPTION 'epic % cannot go back from % to %', OLD.epic_id, OLD.current_stage, NEW.current_stage
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$
"""

# A snapshot field is frozen once its confirmation time is set (and so is that time).
GUARD_CONFIRMED_SNAPSHOT = """
CREATE FUNCTION guard_confirmed_snapshot() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.problem_confirmed_at IS NOT NULL AND (
           NEW.problem_statement IS DISTINCT FROM OLD.problem_statement
        OR NEW.problem_confirmed_at IS DISTINCT FROM OLD.problem_confirmed_at) THEN
        RAISE EXCEPTION 'the problem statement of epic % is confirmed and cannot change', OLD.epic_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.outcome_confirmed_at IS NOT NULL AND (
           NEW.desired_outcome IS DISTINCT FROM OLD.desired_outcome
        OR NEW.outcome_confirmed_at IS DISTINCT FROM OLD.outcome_confirmed_at) THEN
        RAISE EXCEPTION 'the desired outcome of epic % is confirmed and cannot change', OLD.epic_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.epic_locked_at IS NOT NULL AND (
           NEW.epic_summary IS DISTINCT FROM OLD.epic_summary
        OR NEW.acceptance_criteria IS DISTINCT FROM OLD.acceptance_criteria
        OR NEW.epic_details IS DISTINCT FROM OLD.epic_details
        OR NEW.epic_locked_at IS DISTINCT FROM OLD.epic_locked_at) THEN
        RAISE EXCEPTION 'epic % is locked: its summary and criteria cannot change', OLD.epic_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$
"""

TRIGGERS = [
    ("epic_transcript_events_append_only", "BEFORE UPDATE OR DELETE ON epic_transcript_events", "guard_append_only('epic_id')"),
    ("epic_decisions_append_only", "BEFORE UPDATE OR DELETE ON epic_decisions", "guard_append_only('epic_id')"),
    ("epics_forward_stage", "BEFORE UPDATE OF current_stage ON epics", "guard_forward_stage()"),
    ("epic_snapshots_confirmed", "BEFORE UPDATE ON epic_snapshots", "guard_confirmed_snapshot()"),
    ("epics_touch_updated_at", "BEFORE UPDATE ON epics", "touch_updated_at()"),
    ("epic_artifacts_touch_updated_at", "BEFORE UPDATE ON epic_artifacts", "touch_updated_at()"),
]
TRIGGER_TABLES = {name: when.rsplit(" ON ", 1)[1] for name, when, _ in TRIGGERS}


def upgrade() -> None:
    op.create_table('epics',
    sa.Column('epic_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('current_stage', sa.String(length=30), server_default=sa.text("'problem_capture'"), nullable=False),
    sa.Column('is_archived', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pending_proposal', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('moscow_score', sa.String(length=20), nullable=True),
    sa.Column('moscow_reasoning', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(current_stage = 'epic_locked') = (locked_at IS NOT NULL)", name=op.f('ck_epics_locked_at_when_locked')),
    sa.CheckConstraint("current_stage IN ('problem_capture', 'problem_confirmed', 'outcome_capture', 'outcome_confirmed', 'epic_drafted', 'epic_locked')", name=op.f('ck_epics_current_stage_allowed')),
    sa.CheckConstraint("epic_id LIKE 'epic\\_%'", name=op.f('ck_epics_epic_id_prefix')),
    sa.CheckConstraint("moscow_score IN ('must_have', 'should_have', 'could_have', 'wont_have')", name=op.f('ck_epics_moscow_score_allowed')),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_epics_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('epic_id', name=op.f('pk_epics'))
    )
    op.create_index(op.f('ix_epics_user_id'), 'epics', ['user_id'], unique=False)
    op.create_table('epic_artifacts',
    sa.Column('artifact_id', sa.String(length=50), nullable=False),
    sa.Column('epic_id', sa.String(length=50), nullable=False),
    sa.Column('artifact_type', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('acceptance_criteria', sa.ARRAY(sa.Text()), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("artifact_id LIKE 'art\\_%'", name=op.f('ck_epic_artifacts_artifact_id_prefix')),
    sa.CheckConstraint("artifact_type IN ('feature', 'user_story', 'bug')", name=op.f('ck_epic_artifacts_artifact_type_allowed')),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_epic_artifacts_epic_id_epics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('artifact_id', name=op.f('pk_epic_artifacts'))
    )
    op.create_index(op.f('ix_epic_artifacts_epic_id'), 'epic_artifacts', ['epic_id'], unique=False)
    op.create_table('epic_decisions',
    sa.Column('decision_id', sa.String(length=50), nullable=False),
    sa.Column('epic_id', sa.String(length=50), nullable=False),
    sa.Column('decision_type', sa.String(length=30), nullable=False),
    sa.Column('from_stage', sa.String(length=30), nullable=False),
    sa.Column('to_stage', sa.String(length=30), nullable=True),
    sa.Column('proposal_id', sa.String(length=50), nullable=True),
    sa.Column('content_snapshot', sa.Text(), nullable=True),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.CheckConstraint("decision_id LIKE 'dec\\_%'", name=op.f('ck_epic_decisions_decision_id_prefix')),
    sa.CheckConstraint("decision_type IN ('confirm_proposal', 'reject_proposal', 'auto_advance')", name=op.f('ck_epic_decisions_decision_type_allowed')),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_epic_decisions_epic_id_epics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_epic_decisions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('decision_id', name=op.f('pk_epic_decisions'))
    )
    op.create_index('ix_epic_decisions_epic_id_seq', 'epic_decisions', ['epic_id', 'seq'], unique=False)
    op.create_table('epic_snapshots',
    sa.Column('epic_id', sa.String(length=50), nullable=False),
    sa.Column('problem_statement', sa.Text(), nullable=True),
    sa.Column('problem_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('desired_outcome', sa.Text(), nullable=True),
    sa.Column('outcome_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('epic_summary', sa.Text(), nullable=True),
    sa.Column('acceptance_criteria', sa.ARRAY(sa.Text()), nullable=True),
    sa.Column('epic_details', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('epic_locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_epic_snapshots_epic_id_epics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('epic_id', name=op.f('pk_epic_snapshots'))
    )
    op.create_table('epic_transcript_events',
    sa.Column('event_id', sa.String(length=50), nullable=False),
    sa.Column('epic_id', sa.String(length=50), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('event_metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.CheckConstraint("event_id LIKE 'evt\\_%'", name=op.f('ck_epic_transcript_events_event_id_prefix')),
    sa.CheckConstraint("role IN ('user', 'assistant', 'system')", name=op.f('ck_epic_transcript_events_role_allowed')),
    sa.CheckConstraint("stage IN ('problem_capture', 'problem_confirmed', 'outcome_capture', 'outcome_confirmed', 'epic_drafted', 'epic_locked')", name=op.f('ck_epic_transcript_events_stage_allowed')),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_epic_transcript_events_epic_id_epics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_epic_transcript_events'))
    )
    op.create_index('ix_epic_transcript_events_epic_id_seq', 'epic_transcript_events', ['epic_id', 'seq'], unique=False)
    for function in (GUARD_APPEND_ONLY, GUARD_FORWARD_STAGE, GUARD_CONFIRMED_SNAPSHOT):
        op.execute(function)
    for name, when, function in TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION {function}")


def downgrade() -> None:
    for name, table in TRIGGER_TABLES.items():
        op.execute(f"DROP TRIGGER {name} ON {table}")
    for function in ("guard_append_only()", "guard_forward_stage()", "guard_confirmed_snapshot()"):
        op.execute(f"DROP FUNCTION {function}")
    op.drop_index('ix_epic_transcript_events_epic_id_seq', table_name='epic_transcript_events')
    op.drop_table('epic_transcript_events')
    op.drop_table('epic_snapshots')
    op.drop_index('ix_epic_decisions_epic_id_seq', table_name='epic_decisions')
    op.drop_table('epic_decisions')
    op.drop_index(op.f('ix_epic_artifacts_epic_id'), table_name='epic_artifacts')
    op.drop_table('epic_artifacts')
    op.drop_index(op.f('ix_epics_user_id'), table_name='epics')
    op.drop_table('epics')
