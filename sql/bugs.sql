-- name: create_bug(bug_id, user_id, title, description, severity, steps_to_reproduce, expected_behavior, actual_behavior, environment, priority, due_date)$
-- A new bug in draft.
INSERT INTO bugs (bug_id, user_id, title, description, severity, steps_to_reproduce, expected_behavior,
                  actual_behavior, environment, priority, due_date)
VALUES (:bug_id, :user_id, :title, :description, :severity, :steps_to_reproduce, :expected_behavior,
        :actual_behavior, :environment, :priority, :due_date)
RETURNING bug_id;

-- name: get_bug(user_id, bug_id)^
-- One of the user's bugs (not deleted) with its links.
SELECT b.bug_id, b.title, b.description, b.severity, b.status, b.steps_to_reproduce, b.expected_behavior,
       b.actual_behavior, b.environment, b.assignee_id, b.priority, b.due_date, b.created_at, b.updated_at,
       coalesce(l.links, '[]'::jsonb) AS links
  FROM bugs AS b
  LEFT JOIN LATERAL (
       SELECT jsonb_agg(jsonb_build_object(
                  'link_id', link_id, 'entity_type', entity_type,
                  'entity_id', coalesce(epic_id, feature_id, story_id), 'created_at', created_at)
              ORDER BY created_at, link_id) AS links
         FROM bug_links
        WHERE bug_id = b.bug_id) AS l ON true
 WHERE b.bug_id = :bug_id
   AND b.user_id = :user_id
   AND NOT b.is_deleted;

-- name: list_bugs(user_id, status, severity, assignee_id, linked, entity_type, entity_id, sort_by, descending, max_rows, skip_rows)
-- The user's bugs (not deleted) with their links, filtered, sorted on an allow-listed column
-- (severity and status in their natural order), then paged.
SELECT b.bug_id, b.title, b.description, b.severity, b.status, b.steps_to_reproduce, b.expected_behavior,
       b.actual_behavior, b.environment, b.assignee_id, b.priority, b.due_date, b.created_at, b.updated_at,
       coalesce(l.links, '[]'::jsonb) AS links
  FROM bugs AS b
  LEFT JOIN LATERAL (
       SELECT jsonb_agg(jsonb_build_object(
                  'link_id', link_id, 'entity_type', entity_type,
                  'entity_id', coalesce(epic_id, feature_id, story_id), 'created_at', created_at)
              ORDER BY created_at, link_id) AS links
         FROM bug_links
        WHERE bug_id = b.bug_id) AS l ON true
 WHERE b.user_id = :user_id
   AND NOT b.is_deleted
   AND (:status::text IS NULL OR b.status = :status::text)
   AND (:severity::text IS NULL OR b.severity = :severity::text)
   AND (:assignee_id::text IS NULL OR b.assignee_id = :assignee_id::text)
   AND (:linked::boolean IS NULL OR (l.links IS NOT NULL) = :linked::boolean)
   AND (:entity_id::text IS NULL OR EXISTS (
           SELECT 1
             FROM bug_links AS target
            WHERE target.bug_id = b.bug_id
              AND target.entity_type = :entity_type::text
              AND (target.epic_id = :entity_id::text
                   OR target.feature_id = :entity_id::text
                   OR target.story_id = :entity_id::text)))
 ORDER BY
       CASE WHEN NOT :descending::boolean THEN CASE :sort_by::text
           WHEN 'created_at' THEN b.created_at WHEN 'updated_at' THEN b.updated_at WHEN 'due_date' THEN b.due_date
       END END ASC NULLS LAST,
       CASE WHEN :descending::boolean THEN CASE :sort_by::text
           WHEN 'created_at' THEN b.created_at WHEN 'updated_at' THEN b.updated_at WHEN 'due_date' THEN b.due_date
       END END DESC NULLS LAST,
       CASE WHEN NOT :descending::boolean THEN CASE :sort_by::text
           WHEN 'severity' THEN array_position(ARRAY['low', 'medium', 'high', 'critical'], b.severity::text)
           WHEN 'status' THEN array_position(ARRAY['draft', 'confirmed', 'in_progress', 'resolved', 'closed'], b.status::text)
       END END ASC NULLS LAST,
       CASE WHEN :descending::boolean THEN CASE :sort_by::text
           WHEN 'severity' THEN array_position(ARRAY['low', 'medium', 'high', 'critical'], b.severity::text)
           WHEN 'status' THEN array_position(ARRAY['draft', 'confirmed', 'in_progress', 'resolved', 'closed'], b.status::text)
       END END DESC NULLS LAST,
       CASE WHEN NOT :descending::boolean THEN CASE :sort_by::text
           WHEN 'title' THEN lower(b.title) WHEN 'priority' THEN b.priority
       END END ASC NULLS LAST,
       CASE WHEN :descending::boolean THEN CASE :sort_by::text
           WHEN 'title' THEN lower(b.title) WHEN 'priority' THEN b.priority
       END END DESC NULLS LAST,
       b.bug_id
 LIMIT :max_rows
OFFSET :skip_rows;

-- name: update_bug(user_id, bug_id, title, description, severity, steps_to_reproduce, expected_behavior, actual_behavior, environment, priority, due_date, assignee_id)$
-- Change the given fields (NULL keeps a field) of one of the user's draft bugs; nothing otherwise.
UPDATE bugs
   SET title = coalesce(:title, title),
       description = coalesce(:description, description),
       severity = coalesce(:severity, severity),
       steps_to_reproduce = coalesce(:steps_to_reproduce, steps_to_reproduce),
       expected_behavior = coalesce(:expected_behavior, expected_behavior),
       actual_behavior = coalesce(:actual_behavior, actual_behavior),
       environment = coalesce(:environment, environment),
       priority = coalesce(:priority, priority),
       due_date = coalesce(:due_date, due_date),
       assignee_id = coalesce(:assignee_id, assignee_id)
 WHERE bug_id = :bug_id
   AND user_id = :user_id
   AND status = 'draft'
   AND NOT is_deleted
RETURNING bug_id;

-- name: set_status(user_id, bug_id, from_status, to_status)$
-- Move a bug from one status to the next; nothing when it is no longer in from_status.
UPDATE bugs
   SET status = :to_status
 WHERE bug_id = :bug_id
   AND user_id = :user_id
   AND status = :from_status
   AND NOT is_deleted
RETURNING bug_id;

-- name: soft_delete(user_id, bug_id)$
-- Hide one of the user's bugs (its history stays).
UPDATE bugs
   SET is_deleted = true,
       deleted_at = now()
 WHERE bug_id = :bug_id
   AND user_id = :user_id
   AND NOT is_deleted
RETURNING bug_id;

-- name: add_history(history_id, user_id, bug_id, from_status, to_status, notes)$
-- Record one status change of one of the user's bugs, made by them; nothing otherwise.
INSERT INTO bug_status_history (history_id, bug_id, from_status, to_status, changed_by, notes)
SELECT :history_id, b.bug_id, :from_status, :to_status, b.user_id, :notes
  FROM bugs AS b
 WHERE b.bug_id = :bug_id
   AND b.user_id = :user_id
RETURNING history_id;

-- name: list_history(user_id, bug_id)
-- The status changes of one of the user's bugs, oldest first.
SELECT h.history_id, h.from_status, h.to_status, h.changed_by, h.notes, h.created_at
  FROM bug_status_history AS h
  JOIN bugs AS b ON b.bug_id = h.bug_id
 WHERE h.bug_id = :bug_id
   AND b.user_id = :user_id
 ORDER BY h.seq;

-- name: entity_owned(user_id, entity_type, entity_id)$
-- Whether the user owns this epic, feature or story (what a bug may link to).
SELECT CASE :entity_type::text
           WHEN 'epic' THEN EXISTS (
               SELECT 1 FROM epics WHERE epic_id = :entity_id AND user_id = :user_id)
           WHEN 'feature' THEN EXISTS (
               SELECT 1 FROM features AS f JOIN epics AS e ON e.epic_id = f.epic_id
                WHERE f.feature_id = :entity_id AND e.user_id = :user_id)
           WHEN 'story' THEN EXISTS (
               SELECT 1 FROM user_stories WHERE story_id = :entity_id AND user_id = :user_id)
           ELSE false
       END;

-- name: add_link(link_id, user_id, bug_id, entity_type, epic_id, feature_id, story_id)^
-- Link one of the user's bugs to one target of theirs; nothing when the link already exists, or the bug
-- or the target is not theirs.
-- (::text on a parameter used in several places gives PostgreSQL one type to deduce for it.)
INSERT INTO bug_links (link_id, bug_id, entity_type, epic_id, feature_id, story_id)
SELECT :link_id, b.bug_id, :entity_type, :epic_id::text, :feature_id::text, :story_id::text
  FROM bugs AS b
 WHERE b.bug_id = :bug_id
   AND b.user_id = :user_id
   AND NOT b.is_deleted
   AND (:epic_id::text IS NULL OR EXISTS (
           SELECT 1 FROM epics WHERE epic_id = :epic_id::text AND user_id = :user_id))
   AND (:feature_id::text IS NULL OR EXISTS (
           SELECT 1 FROM features AS f JOIN epics AS e ON e.epic_id = f.epic_id
            WHERE f.feature_id = :feature_id::text AND e.user_id = :user_id))
   AND (:story_id::text IS NULL OR EXISTS (
           SELECT 1 FROM user_stories WHERE story_id = :story_id::text AND user_id = :user_id))
    ON CONFLICT DO NOTHING
RETURNING link_id, entity_type, coalesce(epic_id, feature_id, story_id) AS entity_id, created_at;

-- name: list_links(user_id, bug_id)
-- The links of one of the user's bugs, oldest first.
SELECT l.link_id, l.entity_type, coalesce(l.epic_id, l.feature_id, l.story_id) AS entity_id, l.created_at
  FROM bug_links AS l
  JOIN bugs AS b ON b.bug_id = l.bug_id
 WHERE l.bug_id = :bug_id
   AND b.user_id = :user_id
 ORDER BY l.created_at, l.link_id;

-- name: delete_link(user_id, bug_id, link_id)$
-- Remove one link of one of the user's bugs; nothing otherwise.
DELETE FROM bug_links AS l
 USING bugs AS b
 WHERE l.link_id = :link_id
   AND l.bug_id = :bug_id
   AND b.bug_id = l.bug_id
   AND b.user_id = :user_id
RETURNING l.link_id;
