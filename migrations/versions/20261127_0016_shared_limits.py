"""shared limits: request rate limits and sign-in failure counts, shared by every worker and instance

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 19:37:17.687043
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# UNLOGGED (also declared in jarlpm/http/tables.py): every limited request writes here and the rows are
# disposable, so they skip the WAL; a crash that empties them only resets the limits.
revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('login_failures',
    sa.Column('failure_key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("failure_key ~ '^[0-9a-f]{64}$'", name=op.f('ck_login_failures_failure_key_shape')),
    sa.CheckConstraint('failures >= 0', name=op.f('ck_login_failures_failures_not_negative')),
    sa.PrimaryKeyConstraint('failure_key', name=op.f('pk_login_failures')),
    prefixes=['UNLOGGED'],
    )
    op.create_index(op.f('ix_login_failures_closes_at'), 'login_failures', ['closes_at'], unique=False)
    op.create_table('request_limits',
    sa.Column('limit_key', sa.String(length=64), nullable=False),
    sa.Column('tat', sa.DateTime(timezone=True), nullable=False),
    sa.Column('max_ahead_seconds', sa.Float(), nullable=False),
    sa.CheckConstraint("limit_key ~ '^[0-9a-f]{64}$'", name=op.f('ck_request_limits_limit_key_shape')),
    sa.PrimaryKeyConstraint('limit_key', name=op.f('pk_request_limits')),
    prefixes=['UNLOGGED'],
    )
    op.create_index(op.f('ix_request_limits_tat'), 'request_limits', ['tat'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_request_limits_tat'), table_name='request_limits')
    op.drop_table('request_limits')
    op.drop_index(op.f('ix_login_failures_closes_at'), table_name='login_failures')
    op.drop_table('login_failures')
