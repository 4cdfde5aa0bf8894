-- name: list_features(user_id, epic_id)
-- The features of one of the user's epics, oldest first.
SELECT f.feature_id, f.epic_id, f.title, f.description, f.acceptance_criteria, f.current_stage, f.source,
       f.priority, f.moscow_score, f.rice_reach, f.rice_impact, f.rice_confidence, f.rice_effort, f.rice_total,
       f.created_at, f.updated_at, f.approved_at
  FROM features AS f
  JOIN epics AS e ON e.epic_id = f.epic_id
 WHERE f.epic_id = :epic_id
   AND e.user_id = :user_id
 ORDER BY f.created_at, f.feature_id;

-- name: get_feature(user_id, feature_id)^
-- One feature; nothing when it does not exist or its epic belongs to another user.
SELECT f.feature_id, f.epic_id, f.title, f.description, f.acceptance_criteria, f.current_stage, f.source,
       f.priority, f.moscow_score, f.rice_reach, f.rice_impact, f.rice_confidence, f.rice_effort, f.rice_total,
       f.created_at, f.updated_at, f.approved_at
  FROM features AS f
  JOIN epics AS e ON e.epic_id = f.epic_id
 WHERE f.feature_id = :feature_id
   AND e.user_id = :user_id;

-- name: get_feature_with_epic(user_id, feature_id)^
-- One of the user's features (get_feature's columns) with its epic's title and snapshot (jsonb: what a
-- prompt reads of the epic), in one statement.
SELECT f.feature_id, f.epic_id, f.title, f.description, f.acceptance_criteria, f.current_stage, f.source,
       f.priority, f.moscow_score, f.rice_reach, f.rice_impact, f.rice_confidence, f.rice_effort, f.rice_total,
       f.created_at, f.updated_at, f.approved_at,
       jsonb_build_object(
           'title', e.title, 'problem_statement', s.problem_statement,
           'problem_confirmed_at', s.problem_confirmed_at, 'desired_outcome', s.desired_outcome,
           'outcome_confirmed_at', s.outcome_confirmed_at, 'epic_summary', s.epic_summary,
           'acceptance_criteria', s.acceptance_criteria, 'epic_details', s.epic_details,
           'epic_locked_at', s.epic_locked_at) AS epic
  FROM features AS f
  JOIN epics AS e ON e.epic_id = f.epic_id
  JOIN epic_snapshots AS s ON s.epic_id = e.epic_id
 WHERE f.feature_id = :feature_id
   AND e.user_id = :user_id;

-- name: create_feature(feature_id, user_id, epic_id, title, description, acceptance_criteria, source)^
-- Add a draft feature to one of the user's epics; nothing otherwise.
INSERT INTO features (feature_id, epic_id, title, description, acceptance_criteria, source)
SELECT :feature_id, e.epic_id, :title, :description, :acceptance_criteria, :source
  FROM epics AS e
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id
RETURNING feature_id, epic_id, title, description, acceptance_criteria, current_stage, source, priority,
          moscow_score, rice_reach, rice_impact, rice_confidence, rice_effort, rice_total,
          created_at, updated_at, approved_at;

-- name: update_feature(user_id, feature_id, title, description, acceptance_criteria)^
-- Change the given content fields (NULL keeps a field) of one of the user's features that is not approved.
UPDATE features AS f
   SET title = coalesce(:title, f.title),
       description = coalesce(:description, f.description),
       acceptance_criteria = coalesce(:acceptance_criteria, f.acceptance_criteria)
 WHERE f.feature_id = :feature_id
   AND f.current_stage <> 'approved'
   AND EXISTS (
       SELECT 1
         FROM epics AS e
        WHERE e.epic_id = f.epic_id
          AND e.user_id = :user_id)
RETURNING feature_id, epic_id, title, description, acceptance_criteria, current_stage, source, priority,
          moscow_score, rice_reach, rice_impact, rice_confidence, rice_effort, rice_total,
          created_at, updated_at, approved_at;

-- name: approve_feature(user_id, feature_id)^
-- Approve one of the user's features (its content freezes); nothing when it already is, or is not theirs.
UPDATE features AS f
   SET current_stage = 'approved',
       approved_at = now()
 WHERE f.feature_id = :feature_id
   AND f.current_stage <> 'approved'
   AND EXISTS (
       SELECT 1
         FROM epics AS e
        WHERE e.epic_id = f.epic_id
          AND e.user_id = :user_id)
RETURNING feature_id, epic_id, title, description, acceptance_criteria, current_stage, source, priority,
          moscow_score, rice_reach, rice_impact, rice_confidence, rice_effort, rice_total,
          created_at, updated_at, approved_at;

-- name: delete_feature(user_id, feature_id)$
-- Delete one of the user's features; its stories and conversations go with it.
DELETE FROM features AS f
 USING epics AS e
 WHERE f.feature_id = :feature_id
   AND e.epic_id = f.epic_id
   AND e.user_id = :user_id
RETURNING f.feature_id;

-- name: add_event(event_id, user_id, feature_id, epic_id, role, content, event_metadata)$
-- Append one message to the conversation about one of the user's features (of that epic); nothing otherwise.
INSERT INTO feature_conversation_events (event_id, feature_id, epic_id, role, content, event_metadata)
SELECT :event_id, f.feature_id, f.epic_id, :role, :content, :event_metadata
  FROM features AS f
  JOIN epics AS e ON e.epic_id = f.epic_id
 WHERE f.feature_id = :feature_id
   AND f.epic_id = :epic_id
   AND e.user_id = :user_id
RETURNING event_id;

-- name: open_chat_turn(event_id, user_id, feature_id, content, max_rows)^
-- A refinement turn's prelude in one statement: one of the user's features (get_feature's columns), its
-- epic's title and snapshot (jsonb), its newest `max_rows` user/assistant messages before this one
-- (oldest first, jsonb); unless the feature is approved, the user's message is appended and a draft
-- moves to refining. Nothing (and nothing written) when the feature is not theirs.
WITH feature AS (
    SELECT f.feature_id, f.epic_id, f.title, f.description, f.acceptance_criteria, f.current_stage, f.source,
           f.priority, f.moscow_score, f.rice_reach, f.rice_impact, f.rice_confidence, f.rice_effort,
           f.rice_total, f.created_at, f.updated_at, f.approved_at
      FROM features AS f
      JOIN epics AS e ON e.epic_id = f.epic_id
     WHERE f.feature_id = :feature_id
       AND e.user_id = :user_id
), epic AS (
    SELECT e.title, s.problem_statement, s.problem_confirmed_at, s.desired_outcome, s.outcome_confirmed_at,
           s.epic_summary, s.acceptance_criteria, s.epic_details, s.epic_locked_at
      FROM feature
      JOIN epics AS e ON e.epic_id = feature.epic_id
      JOIN epic_snapshots AS s ON s.epic_id = e.epic_id
), recent AS (
    SELECT c.seq, c.role, c.content
      FROM feature_conversation_events AS c
      JOIN feature ON feature.feature_id = c.feature_id
     WHERE c.role IN ('user', 'assistant')
     ORDER BY c.seq DESC
     LIMIT :max_rows
), refinable AS (
    SELECT feature_id, epic_id
      FROM feature
     WHERE current_stage <> 'approved'
), started AS (
    UPDATE features AS f
       SET current_stage = 'refining'
      FROM refinable
     WHERE f.feature_id = refinable.feature_id
       AND f.current_stage = 'draft'
    RETURNING f.feature_id
), added AS (
    INSERT INTO feature_conversation_events (event_id, feature_id, epic_id, role, content)
    SELECT :event_id, feature_id, epic_id, 'user', :content
      FROM refinable
    RETURNING event_id
)
SELECT feature.*,
       (SELECT to_jsonb(epic) FROM epic) AS epic,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('role', role, 'content', content) ORDER BY seq), '[]')
          FROM recent) AS history
  FROM feature;

-- name: list_events(user_id, feature_id)
-- The whole conversation about one of the user's features, oldest first.
SELECT c.event_id, c.feature_id, c.role, c.content, c.event_metadata, c.created_at
  FROM feature_conversation_events AS c
  JOIN features AS f ON f.feature_id = c.feature_id
  JOIN epics AS e ON e.epic_id = f.epic_id
 WHERE c.feature_id = :feature_id
   AND e.user_id = :user_id
 ORDER BY c.seq;
