"""billing: payment transactions, processed Stripe events, the subscription's billing cycle

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 19:12:52.204452
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOUCHED = ("payment_transactions",)


def upgrade() -> None:
    op.create_table('stripe_events',
    sa.Column('event_id', sa.String(length=255), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_stripe_events'))
    )
    op.create_table('payment_transactions',
    sa.Column('transaction_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('stripe_session_id', sa.String(length=255), nullable=False),
    sa.Column('stripe_payment_id', sa.String(length=255), nullable=True),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=10), server_default=sa.text("'usd'"), nullable=False),
    sa.Column('payment_status', sa.String(length=30), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('transaction_type', sa.String(length=30), server_default=sa.text("'subscription'"), nullable=False),
    sa.Column('payment_metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("transaction_id LIKE 'txn\\_%'", name=op.f('ck_payment_transactions_transaction_id_prefix')),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_payment_transactions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('transaction_id', name=op.f('pk_payment_transactions')),
    sa.UniqueConstraint('stripe_session_id', name=op.f('uq_payment_transactions_stripe_session_id'))
    )
    op.create_index(op.f('ix_payment_transactions_user_id'), 'payment_transactions', ['user_id'], unique=False)
    op.add_column('subscriptions', sa.Column('billing_cycle', sa.String(length=20), nullable=True))
    op.create_check_constraint(op.f('ck_subscriptions_billing_cycle_allowed'), 'subscriptions', "billing_cycle IN ('monthly', 'annual')")
    for table in TOUCHED:
        op.execute(f"CREATE TRIGGER {table}_touch_updated_at BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION touch_updated_at()")


def downgrade() -> None:
    for table in TOUCHED:
        op.execute(f"DROP TRIGGER {table}_touch_updated_at ON {table}")
    op.drop_constraint(op.f('ck_subscriptions_billing_cycle_allowed'), 'subscriptions', type_='check')
    op.drop_column('subscriptions', 'billing_cycle')
    op.drop_index(op.f('ix_payment_transactions_user_id'), table_name='payment_transactions')
    op.drop_table('payment_transactions')
    op.drop_table('stripe_events')
