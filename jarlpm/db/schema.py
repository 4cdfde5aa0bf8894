"""Every table, constraint and index, gathered into the one MetaData: Alembic's target_metadata.

Each room declares its own tables in `jarlpm/<room>/tables.py` on `jarlpm.db.columns.metadata`;
importing those modules here is what puts every table on it. A new room's tables.py joins TABLE_MODULES.
Queries never use this module (they are plain SQL in sql/); it exists so that
`alembic revision --autogenerate` drafts migrations and `alembic check` catches drift.
"""

from __future__ import annotations

from jarlpm.ai import tables as ai_tables
from jarlpm.auth import tables as auth_tables
from jarlpm.billing import tables as billing_tables
from jarlpm.bugs import tables as bugs_tables
from jarlpm.db.columns import metadata
from jarlpm.delivery import tables as delivery_tables
from jarlpm.delivery_context import tables as delivery_context_tables
from jarlpm.epics import tables as epics_tables
from jarlpm.features import tables as features_tables
from jarlpm.http import tables as http_tables
from jarlpm.initiatives import tables as initiatives_tables
from jarlpm.integrations import tables as integrations_tables
from jarlpm.lean_canvas import tables as lean_canvas_tables
from jarlpm.llm_providers import tables as llm_providers_tables
from jarlpm.personas import tables as personas_tables
from jarlpm.poker import tables as poker_tables
from jarlpm.prd import tables as prd_tables
from jarlpm.sprints import tables as sprints_tables
from jarlpm.stories import tables as stories_tables
from jarlpm.subscriptions import tables as subscriptions_tables
from jarlpm.wizard import tables as wizard_tables

TABLE_MODULES = (
    auth_tables,
    subscriptions_tables,
    delivery_context_tables,
    llm_providers_tables,
    epics_tables,
    features_tables,
    stories_tables,
    bugs_tables,
    http_tables,
    ai_tables,
    delivery_tables,
    sprints_tables,
    initiatives_tables,
    poker_tables,
    prd_tables,
    lean_canvas_tables,
    personas_tables,
    wizard_tables,
    integrations_tables,
    billing_tables,
)

__all__ = ["TABLE_MODULES", "metadata"]
