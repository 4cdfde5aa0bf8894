-- name: list_initiatives(user_id)
-- The user's active (non-archived) epics with the points of their feature-bound stories (unestimated
-- counts 0), by priority (an unset one counts as should-have); most recently changed first.
SELECT e.epic_id, e.title, p.total_points, p.stories_count,
       p.must_have_points, p.should_have_points, p.nice_to_have_points
  FROM epics AS e
 CROSS JOIN LATERAL (
       SELECT coalesce(sum(s.story_points), 0)::int AS total_points,
              count(s.story_id)::int AS stories_count,
              coalesce(sum(s.story_points) FILTER (WHERE s.story_priority = 'must-have'), 0)::int
                  AS must_have_points,
              coalesce(sum(s.story_points) FILTER (WHERE coalesce(s.story_priority, 'should-have') = 'should-have'), 0)::int
                  AS should_have_points,
              coalesce(sum(s.story_points) FILTER (WHERE s.story_priority = 'nice-to-have'), 0)::int
                  AS nice_to_have_points
         FROM features AS f
         JOIN user_stories AS s ON s.feature_id = f.feature_id
        WHERE f.epic_id = e.epic_id) AS p
 WHERE e.user_id = :user_id
   AND NOT e.is_archived
 ORDER BY e.updated_at DESC, e.epic_id;

-- name: get_scope(user_id, epic_id)^
-- One of the user's epics (archived or not) with its snapshot text and the points of its feature-bound
-- stories (counted as in list_initiatives), those stories with their feature (title: the story text when
-- the story has none; feature by feature, oldest first; as jsonb) and the deferred story ids of its active
-- scope plan (NULL without one), in one statement; nothing when the epic is not theirs.
SELECT e.epic_id, e.title, e.is_archived, sn.problem_statement, sn.desired_outcome, sn.epic_summary,
       p.total_points, p.stories_count, p.must_have_points, p.should_have_points, p.nice_to_have_points,
       st.stories, pl.deferred_story_ids AS plan_deferred_story_ids
  FROM epics AS e
  JOIN epic_snapshots AS sn ON sn.epic_id = e.epic_id
 CROSS JOIN LATERAL (
       SELECT coalesce(sum(s.story_points), 0)::int AS total_points,
              count(s.story_id)::int AS stories_count,
              coalesce(sum(s.story_points) FILTER (WHERE s.story_priority = 'must-have'), 0)::int
                  AS must_have_points,
              coalesce(sum(s.story_points) FILTER (WHERE coalesce(s.story_priority, 'should-have') = 'should-have'), 0)::int
                  AS should_have_points,
              coalesce(sum(s.story_points) FILTER (WHERE s.story_priority = 'nice-to-have'), 0)::int
                  AS nice_to_have_points
         FROM features AS f
         JOIN user_stories AS s ON s.feature_id = f.feature_id
        WHERE f.epic_id = e.epic_id) AS p
 CROSS JOIN LATERAL (
       SELECT coalesce(jsonb_agg(jsonb_build_object(
                  'story_id', s.story_id, 'title', coalesce(nullif(btrim(s.title), ''), s.story_text),
                  'story_text', s.story_text, 'story_points', s.story_points, 'story_priority', s.story_priority,
                  'feature_id', f.feature_id, 'feature_title', f.title)
              ORDER BY f.created_at, f.feature_id, s.created_at, s.story_id), '[]') AS stories
         FROM features AS f
         JOIN user_stories AS s ON s.feature_id = f.feature_id
        WHERE f.epic_id = e.epic_id) AS st
  LEFT JOIN scope_plans AS pl ON pl.epic_id = e.epic_id AND pl.user_id = e.user_id AND pl.is_active
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id;

-- name: epic_exists(user_id, epic_id)$
-- Whether the epic exists and belongs to the user.
SELECT EXISTS (
       SELECT 1
         FROM epics
        WHERE epic_id = :epic_id
          AND user_id = :user_id);

-- name: lock_epic(user_id, epic_id)$
-- Take the row lock of one of the user's epics for a scope-plan change, so two saves of one epic run
-- one after the other (NO KEY: rows that only reference the epic are not held up); nothing when not theirs.
SELECT epic_id
  FROM epics
 WHERE epic_id = :epic_id
   AND user_id = :user_id
   FOR NO KEY UPDATE;

-- name: unknown_story_ids(user_id, epic_id, story_ids)
-- Which of story_ids are not feature-bound stories of the user's epic, in the order given.
SELECT asked.story_id
  FROM unnest(:story_ids::text[]) WITH ORDINALITY AS asked(story_id, position)
 WHERE NOT EXISTS (
       SELECT 1
         FROM user_stories AS s
         JOIN features AS f ON f.feature_id = s.feature_id
         JOIN epics AS e ON e.epic_id = f.epic_id
        WHERE s.story_id = asked.story_id
          AND e.epic_id = :epic_id
          AND e.user_id = :user_id)
 ORDER BY asked.position;

-- name: get_active_plan(user_id, epic_id)^
-- The active scope plan of one of the user's epics; nothing when there is none.
SELECT plan_id, epic_id, name, deferred_story_ids, total_points, deferred_points, remaining_points, notes,
       is_active, created_at, updated_at
  FROM scope_plans
 WHERE epic_id = :epic_id
   AND user_id = :user_id
   AND is_active;

-- name: deactivate_plan(user_id, epic_id)!
-- Deactivate the active scope plan of one of the user's epics (plans are kept, never deleted).
UPDATE scope_plans
   SET is_active = false
 WHERE epic_id = :epic_id
   AND user_id = :user_id
   AND is_active;

-- name: create_plan(plan_id, user_id, epic_id, name, deferred_story_ids, notes)^
-- A new active scope plan of one of the user's epics, its points summed here over the epic's
-- feature-bound stories (unestimated counts 0); nothing when the epic is not theirs.
INSERT INTO scope_plans (plan_id, epic_id, user_id, name, deferred_story_ids, notes,
                         total_points, deferred_points, remaining_points)
SELECT :plan_id, e.epic_id, e.user_id, :name, :deferred_story_ids::text[], :notes,
       p.total_points, p.deferred_points, p.total_points - p.deferred_points
  FROM epics AS e
 CROSS JOIN LATERAL (
       SELECT coalesce(sum(s.story_points), 0)::int AS total_points,
              coalesce(sum(s.story_points) FILTER (WHERE s.story_id = ANY(:deferred_story_ids::text[])), 0)::int
                  AS deferred_points
         FROM features AS f
         JOIN user_stories AS s ON s.feature_id = f.feature_id
        WHERE f.epic_id = e.epic_id) AS p
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id
RETURNING plan_id, epic_id, name, deferred_story_ids, total_points, deferred_points, remaining_points, notes,
          is_active, created_at, updated_at;

-- name: add_plan_activity(activity_id, user_id, epic_id, details)!
-- Record for the dashboard that a scope plan of one of the user's epics was saved.
INSERT INTO initiative_activity (activity_id, user_id, epic_id, event_type, details)
SELECT :activity_id, e.user_id, e.epic_id, 'scope_plan_saved', :details
  FROM epics AS e
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id;
