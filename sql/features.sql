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

-- name: create_feature(feature_id, epic_id, title, description, acceptance_criteria, source)^
-- Add a draft feature to an epic.
INSERT INTO features (feature_id, epic_id, title, description, acceptance_criteria, source)
VALUES (:feature_id, :epic_id, :title, :description, :acceptance_criteria, :source)
RETURNING feature_id, epic_id, title, description, acceptance_criteria, current_stage, source, priority,
          moscow_score, rice_reach, rice_impact, rice_confidence, rice_effort, rice_total,
          created_at, updated_at, approved_at;

-- name: update_feature(feature_id, title, description, acceptance_criteria)^
-- Change the given content fields (NULL keeps a field) of a feature that is not approved.
UPDATE features
   SET title = coalesce(:title, title),
       description = coalesce(:description, description),
       acceptance_criteria = coalesce(:acceptance_criteria, acceptance_criteria)
 WHERE feature_id = :feature_id
   AND current_stage <> 'approved'
RETURNING feature_id, epic_id, title, description, acceptance_criteria, current_stage, source, priority,
          moscow_score, rice_reach, rice_impact, rice_confidence, rice_effort, rice_total,
          created_at, updated_at, approved_at;

-- name: start_refining(feature_id)!
-- The first conversation about a draft feature moves it to refining.
UPDATE features
   SET current_stage = 'refining'
 WHERE feature_id = :feature_id
   AND current_stage = 'draft';

-- name: approve_feature(feature_id)^
-- Approve a feature (its content freezes); nothing when it already is.
UPDATE features
   SET current_stage = 'approved',
       approved_at = now()
 WHERE feature_id = :feature_id
   AND current_stage <> 'approved'
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

-- name: add_event(event_id, feature_id, epic_id, role, content, event_metadata)!
-- Append one message to a feature's conversation.
INSERT INTO feature_conversation_events (event_id, feature_id, epic_id, role, content, event_metadata)
VALUES (:event_id, :feature_id, :epic_id, :role, :content, :event_metadata);

-- name: recent_messages(feature_id, max_rows)
-- The newest user and assistant messages about a feature (newest first; the caller reverses them).
SELECT role, content
  FROM feature_conversation_events
 WHERE feature_id = :feature_id
   AND role IN ('user', 'assistant')
 ORDER BY seq DESC
 LIMIT :max_rows;

-- name: list_events(feature_id)
-- A feature's whole conversation, oldest first.
SELECT event_id, feature_id, role, content, event_metadata, created_at
  FROM feature_conversation_events
 WHERE feature_id = :feature_id
 ORDER BY seq;
