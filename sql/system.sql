-- name: current_revision()$
-- The schema revision Alembic recorded (raises UndefinedTable on a database never migrated).
SELECT version_num
  FROM alembic_version;

-- name: allow_history_delete(parent_id)$
-- Let this transaction delete the append-only history under one parent (checked by guard_append_only()).
SELECT set_config('jarlpm.deleting', :parent_id, true);
