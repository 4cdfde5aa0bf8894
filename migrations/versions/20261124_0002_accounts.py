"""accounts: verification tokens, subscriptions, delivery contexts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 21:23:04.322411
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOUCHED_TABLES = ("subscriptions", "product_delivery_contexts")


def upgrade() -> None:
    op.create_table('product_delivery_contexts',
    sa.Column('context_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('industry', sa.String(length=500), nullable=True),
    sa.Column('delivery_methodology', sa.String(length=20), nullable=True),
    sa.Column('sprint_cycle_length', sa.Integer(), nullable=True),
    sa.Column('sprint_start_date', sa.Date(), nullable=True),
    sa.Column('num_developers', sa.Integer(), nullable=True),
    sa.Column('num_qa', sa.Integer(), nullable=True),
    sa.Column('delivery_platform', sa.String(length=20), nullable=True),
    sa.Column('points_per_dev_per_sprint', sa.Integer(), server_default=sa.text('8'), nullable=False),
    sa.Column('quality_mode', sa.String(length=20), server_default=sa.text("'standard'"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("context_id LIKE 'ctx\\_%'", name=op.f('ck_product_delivery_contexts_context_id_prefix')),
    sa.CheckConstraint("delivery_methodology IN ('waterfall', 'agile', 'scrum', 'kanban', 'hybrid')", name=op.f('ck_product_delivery_contexts_delivery_methodology_allowed')),
    sa.CheckConstraint("delivery_platform IN ('jira', 'azure_devops', 'none', 'other')", name=op.f('ck_product_delivery_contexts_delivery_platform_allowed')),
    sa.CheckConstraint("quality_mode IN ('standard', 'quality')", name=op.f('ck_product_delivery_contexts_quality_mode_allowed')),
    sa.CheckConstraint('num_developers >= 0', name=op.f('ck_product_delivery_contexts_num_developers_range')),
    sa.CheckConstraint('num_qa >= 0', name=op.f('ck_product_delivery_contexts_num_qa_range')),
    sa.CheckConstraint('points_per_dev_per_sprint BETWEEN 1 AND 50', name=op.f('ck_product_delivery_contexts_points_per_dev_per_sprint_range')),
    sa.CheckConstraint('sprint_cycle_length BETWEEN 1 AND 365', name=op.f('ck_product_delivery_contexts_sprint_cycle_length_range')),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_product_delivery_contexts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('context_id', name=op.f('pk_product_delivery_contexts')),
    sa.UniqueConstraint('user_id', name=op.f('uq_product_delivery_contexts_user_id'))
    )
    op.create_table('subscriptions',
    sa.Column('subscription_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('status', sa.String(length=20), server_default=sa.text("'inactive'"), nullable=False),
    sa.Column('stripe_subscription_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_customer_id', sa.String(length=255), nullable=True),
    sa.Column('current_period_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('current_period_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_at_period_end', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('active', 'inactive', 'canceled', 'past_due', 'trial')", name=op.f('ck_subscriptions_status_allowed')),
    sa.CheckConstraint("subscription_id LIKE 'sub\\_%'", name=op.f('ck_subscriptions_subscription_id_prefix')),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_subscriptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subscription_id', name=op.f('pk_subscriptions')),
    sa.UniqueConstraint('user_id', name=op.f('uq_subscriptions_user_id'))
    )
    op.create_table('verification_tokens',
    sa.Column('token_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('token_type', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("token_hash ~ '^[0-9a-f]{64}$'", name=op.f('ck_verification_tokens_token_hash_shape')),
    sa.CheckConstraint("token_id LIKE 'vtok\\_%'", name=op.f('ck_verification_tokens_token_id_prefix')),
    sa.CheckConstraint("token_type IN ('email_verification', 'password_reset')", name=op.f('ck_verification_tokens_token_type_allowed')),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_verification_tokens_expires_after_creation')),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_verification_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_id', name=op.f('pk_verification_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_verification_tokens_token_hash'))
    )
    op.create_index(op.f('ix_verification_tokens_user_id'), 'verification_tokens', ['user_id'], unique=False)
    for table in TOUCHED_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_touch_updated_at BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION touch_updated_at()"
        )


def downgrade() -> None:
    for table in TOUCHED_TABLES:
        op.execute(f"DROP TRIGGER {table}_touch_updated_at ON {table}")
    op.drop_index(op.f('ix_verification_tokens_user_id'), table_name='verification_tokens')
    op.drop_table('verification_tokens')
    op.drop_table('subscriptions')
    op.drop_table('product_delivery_contexts')
