"""wizard edit logs: a trigger logs each content edit of a wizard-made feature or story

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 18:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A field's value as text: list columns joined by newlines, NULL as the empty string.
EDIT_TEXT = """
CREATE FUNCTION wizard_edit_text(value jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE jsonb_typeof(value)
               WHEN 'array' THEN (
                   SELECT coalesce(string_agg(item, E'\\n' ORDER BY ordinal), '')
                     FROM jsonb_array_elements_text(value) WITH ORDINALITY AS element(item, ordinal))
               ELSE coalesce(value #>> '{}', '')
           END
$$
"""

# How much of the longer text changed: 1 - (common prefix + common suffix) / longer length, in [0, 1].
# Both common parts are found by bisection, so a 20,000-character field costs a few dozen comparisons.
CHANGE_RATIO = """
CREATE FUNCTION wizard_change_ratio(original text, edited text) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    longest int := greatest(length(original), length(edited));
    shortest int := least(length(original), length(edited));
    low int := 0;
    high int := shortest;
    middle int;
    prefix int;
BEGIN
    IF longest = 0 THEN
        RETURN 0;
    END IF;
    WHILE low < high LOOP
        middle := (low + high + 1) / 2;
        IF left(original, middle) = left(edited, middle) THEN
            low := middle;
        ELSE
            high := middle - 1;
        END IF;
    END LOOP;
    prefix := low;
    low := 0;
    high := shortest - prefix;
    WHILE low < high LOOP
        middle := (low + high + 1) / 2;
        IF right(original, middle) = right(edited, middle) THEN
            low := middle;
        ELSE
            high := middle - 1;
        END IF;
    END LOOP;
    RETURN 1 - (prefix + low)::double precision / longest;
END;
$$
"""

# After an update of a feature or story whose epic the wizard saved: one initiative_edit_logs row per
# changed content field. Arguments: the entity type, its id column, then the content columns. Living in
# the database, it sees every path that edits (PUT, refinement chats) without those rooms knowing.
LOG_EDIT = """
CREATE FUNCTION log_wizard_edit() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
    item_epic text;
    saved record;
    field_name text;
    before_text text;
    after_text text;
    ratio double precision;
BEGIN
    IF kind = 'feature' THEN
        item_epic := new_row ->> 'epic_id';
    ELSE
        SELECT f.epic_id INTO item_epic
          FROM features AS f
         WHERE f.feature_id = new_row ->> 'feature_id';
    END IF;
    SELECT s.epic_id, s.user_id, s.log_id, s.created_at INTO saved
      FROM initiative_saves AS s
     WHERE s.epic_id = item_epic;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    FOR argument IN 2 .. TG_NARGS - 1 LOOP
        field_name := TG_ARGV[argument];
        before_text := wizard_edit_text(old_row -> field_name);
        after_text := wizard_edit_text(new_row -> field_name);
        CONTINUE WHEN before_text = after_text;
        ratio := wizard_change_ratio(before_text, after_text);
        INSERT INTO initiative_edit_logs (edit_id, user_id, epic_id, log_id, entity_type, entity_id,
                                          field_edited, original_length, edited_length, change_ratio,
                                          edit_type, time_to_edit_seconds)
        VALUES ('iedit_' || left(replace(gen_random_uuid()::text, '-', ''), 12), saved.user_id, saved.epic_id,
                saved.log_id, kind, new_row ->> TG_ARGV[1], field_name, length(before_text),
                length(after_text), ratio,
                CASE
                    WHEN length(before_text) = 0 THEN 'add'
                    WHEN length(after_text) = 0 THEN 'remove'
                    WHEN ratio > 0.7 THEN 'rewrite'
                    ELSE 'modify'
                END,
                greatest(0, floor(extract(epoch FROM now() - saved.created_at)))::int);
    END LOOP;
    RETURN NULL;
END;
$$
"""

FEATURE_FIELDS = ("title", "description", "acceptance_criteria")
STORY_FIELDS = (
    "title",
    "persona",
    "action",
    "benefit",
    "acceptance_criteria",
    "labels",
    "story_priority",
    "dependencies",
    "risks",
    "edge_cases",
    "notes_for_engineering",
)


def _trigger(name: str, table: str, kind: str, id_column: str, fields: Sequence[str]) -> str:
    # The WHEN clause keeps the function off every update that touches no content (points, sprints...).
    changed = " OR ".join(f"OLD.{field} IS DISTINCT FROM NEW.{field}" for field in fields)
    arguments = ", ".join(f"'{value}'" for value in (kind, id_column, *fields))
    return (
        f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW WHEN ({changed}) "
        f"EXECUTE FUNCTION log_wizard_edit({arguments})"
    )


TRIGGERS = {
    "features_wizard_edit_log": ("features", "feature", "feature_id", FEATURE_FIELDS),
    "user_stories_wizard_edit_log": ("user_stories", "story", "story_id", STORY_FIELDS),
}
FUNCTIONS = ("log_wizard_edit()", "wizard_change_ratio(text, text)", "wizard_edit_text(jsonb)")


def upgrade() -> None:
    for function in (EDIT_TEXT, CHANGE_RATIO, LOG_EDIT):
        op.execute(function)
    for name, (table, kind, id_column, fields) in TRIGGERS.items():
        op.execute(_trigger(name, table, kind, id_column, fields))


def downgrade() -> None:
    for name, (table, *_) in TRIGGERS.items():
        op.execute(f"DROP TRIGGER {name} ON {table}")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
