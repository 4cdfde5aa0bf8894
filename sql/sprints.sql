-- name: list_sprint_stories(user_id, sprint_number)
-- The user's stories (feature-bound and standalone) in one sprint; all of them when sprint_number is NULL.
-- A board card's title falls back to the story text (a title is optional); `priority` is the story's
-- must/should/nice-to-have.
SELECT story_id, COALESCE(title, story_text) AS title, story_points, story_priority AS priority, feature_id,
       sprint_number, status, blocked_reason, story_text, updated_at
  FROM user_stories
 WHERE user_id = :user_id
   AND (:sprint_number::integer IS NULL OR sprint_number = :sprint_number::integer)
 ORDER BY created_at, story_id;

-- name: get_sprint_story(user_id, story_id)^
-- One of the user's stories as the board shows it; nothing when it does not exist or is another user's.
SELECT story_id, COALESCE(title, story_text) AS title, story_points, story_priority AS priority, feature_id,
       sprint_number, status, blocked_reason
  FROM user_stories
 WHERE story_id = :story_id
   AND user_id = :user_id;

-- name: assign_sprint(user_id, story_id, sprint_number)^
-- Put one of the user's stories in a sprint (NULL: out of any sprint); nothing when it is not theirs.
UPDATE user_stories
   SET sprint_number = :sprint_number
 WHERE story_id = :story_id
   AND user_id = :user_id
RETURNING story_id, sprint_number;

-- name: set_status(user_id, story_id, status, blocked_reason)^
-- Set the sprint status (and blocked reason) of one of the user's stories; nothing when it is not theirs.
UPDATE user_stories
   SET status = :status,
       blocked_reason = :blocked_reason
 WHERE story_id = :story_id
   AND user_id = :user_id
RETURNING story_id, status, blocked_reason;

-- name: commit_story(user_id, story_id, sprint_number)^
-- Commit one of the user's stories to a sprint: a story not yet started (no status, or draft) becomes
-- ready, any other keeps its status. Nothing when it is not theirs.
UPDATE user_stories
   SET sprint_number = :sprint_number,
       status = CASE WHEN status IS NULL OR status = 'draft' THEN 'ready' ELSE status END
 WHERE story_id = :story_id
   AND user_id = :user_id
RETURNING story_id, sprint_number, status;

-- name: add_insight(insight_id, user_id, sprint_number, insight_type, content)^
-- Keep one AI insight of the user's sprint (older ones stay: readers take the newest of each type).
INSERT INTO sprint_insights (insight_id, user_id, sprint_number, insight_type, content)
VALUES (:insight_id, :user_id, :sprint_number, :insight_type, :content)
RETURNING insight_id, insight_type, content, generated_at;

-- name: newest_insights(user_id, sprint_number)
-- The newest insight of each type of one of the user's sprints (at most one row per type).
SELECT DISTINCT ON (insight_type) insight_id, insight_type, content, generated_at
  FROM sprint_insights
 WHERE user_id = :user_id
   AND sprint_number = :sprint_number
 ORDER BY insight_type, generated_at DESC, created_at DESC, insight_id DESC;

-- name: get_active_scope_plan(user_id, epic_id)^
-- The active scope plan of one of the user's epics; nothing when there is none or the epic is not theirs.
SELECT p.plan_id, p.epic_id, p.deferred_story_ids
  FROM scope_plans AS p
  JOIN epics AS e ON e.epic_id = p.epic_id
 WHERE p.epic_id = :epic_id
   AND p.is_active
   AND e.user_id = :user_id;

-- name: list_epic_stories(user_id, epic_id)
-- The stories of the features of one of the user's epics, as the board shows them.
SELECT s.story_id, COALESCE(s.title, s.story_text) AS title, s.story_points, s.story_priority AS priority,
       s.feature_id, s.sprint_number, s.status, s.blocked_reason
  FROM user_stories AS s
  JOIN features AS f ON f.feature_id = s.feature_id
  JOIN epics AS e ON e.epic_id = f.epic_id
 WHERE f.epic_id = :epic_id
   AND e.user_id = :user_id
 ORDER BY f.priority NULLS LAST, f.created_at, s.priority NULLS LAST, s.created_at, s.story_id;
