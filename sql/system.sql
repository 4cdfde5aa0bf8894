-- name: current_revision()$
-- The schema revision Alembic recorded (raises UndefinedTable on a database never migrated).
SELECT version_num
  FROM alembic_version;
