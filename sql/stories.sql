-- name: list_feature_stories(user_id, feature_id)
-- The stories of one of the user's features: by priority (unset last), then creation.
SELECT story_id, feature_id, user_id, title, persona, action, benefit, story_text, acceptance_criteria,
       current_stage, source, story_points, priority, is_standalone, labels, story_priority, dependencies,
       risks, edge_cases, notes_for_engineering, rice_reach, rice_impact, rice_confidence, rice_effort,
       rice_total, sprint_number, status, blocked_reason, created_at, updated_at, approved_at
  FROM user_stories
 WHERE feature_id = :feature_id
   AND user_id = :user_id
 ORDER BY priority NULLS LAST, created_at, story_id;

-- name: get_story(user_id, story_id, standalone)^
-- One of the user's stories, feature-bound or standalone as asked; nothing otherwise.
SELECT story_id, feature_id, user_id, title, persona, action, benefit, story_text, acceptance_criteria,
       current_stage, source, story_points, priority, is_standalone, labels, story_priority, dependencies,
       risks, edge_cases, notes_for_engineering, rice_reach, rice_impact, rice_confidence, rice_effort,
       rice_total, sprint_number, status, blocked_reason, created_at, updated_at, approved_at
  FROM user_stories
 WHERE story_id = :story_id
   AND user_id = :user_id
   AND is_standalone = :standalone;

-- name: create_story(story_id, user_id, feature_id, title, persona, action, benefit, acceptance_criteria, labels, story_priority, dependencies, risks, edge_cases, notes_for_engineering, source, story_points)^
-- Add a draft story of the user: standalone when feature_id is NULL, else to one of their features
-- (nothing when the feature is not theirs).
-- (::text on a parameter used in several places gives PostgreSQL one type to deduce for it.)
INSERT INTO user_stories (story_id, user_id, feature_id, title, persona, action, benefit, acceptance_criteria,
                          labels, story_priority, dependencies, risks, edge_cases, notes_for_engineering,
                          source, story_points)
SELECT :story_id, :user_id::text, :feature_id::text, :title, :persona, :action, :benefit, :acceptance_criteria,
       :labels, :story_priority, :dependencies, :risks, :edge_cases, :notes_for_engineering,
       :source, :story_points
 WHERE :feature_id::text IS NULL
    OR EXISTS (
       SELECT 1
         FROM features AS f
         JOIN epics AS e ON e.epic_id = f.epic_id
        WHERE f.feature_id = :feature_id::text
          AND e.user_id = :user_id)
RETURNING story_id, feature_id, user_id, title, persona, action, benefit, story_text, acceptance_criteria,
          current_stage, source, story_points, priority, is_standalone, labels, story_priority, dependencies,
          risks, edge_cases, notes_for_engineering, rice_reach, rice_impact, rice_confidence, rice_effort,
          rice_total, sprint_number, status, blocked_reason, created_at, updated_at, approved_at;

-- name: update_story(user_id, story_id, title, persona, action, benefit, acceptance_criteria, labels, story_priority, dependencies, risks, edge_cases, notes_for_engineering, story_points)^
-- Change the given fields (NULL keeps a field) of one of the user's stories that is not approved.
UPDATE user_stories
   SET title = coalesce(:title, title),
       persona = coalesce(:persona, persona),
       action = coalesce(:action, action),
       benefit = coalesce(:benefit, benefit),
       acceptance_criteria = coalesce(:acceptance_criteria, acceptance_criteria),
       labels = coalesce(:labels, labels),
       story_priority = coalesce(:story_priority, story_priority),
       dependencies = coalesce(:dependencies, dependencies),
       risks = coalesce(:risks, risks),
       edge_cases = coalesce(:edge_cases, edge_cases),
       notes_for_engineering = coalesce(:notes_for_engineering, notes_for_engineering),
       story_points = coalesce(:story_points, story_points)
 WHERE story_id = :story_id
   AND user_id = :user_id
   AND current_stage <> 'approved'
RETURNING story_id, feature_id, user_id, title, persona, action, benefit, story_text, acceptance_criteria,
          current_stage, source, story_points, priority, is_standalone, labels, story_priority, dependencies,
          risks, edge_cases, notes_for_engineering, rice_reach, rice_impact, rice_confidence, rice_effort,
          rice_total, sprint_number, status, blocked_reason, created_at, updated_at, approved_at;

-- name: approve_story(user_id, story_id)^
-- Approve one of the user's stories (its content freezes); nothing when it already is, or is not theirs.
UPDATE user_stories
   SET current_stage = 'approved',
       approved_at = now()
 WHERE story_id = :story_id
   AND user_id = :user_id
   AND current_stage <> 'approved'
RETURNING story_id, feature_id, user_id, title, persona, action, benefit, story_text, acceptance_criteria,
          current_stage, source, story_points, priority, is_standalone, labels, story_priority, dependencies,
          risks, edge_cases, notes_for_engineering, rice_reach, rice_impact, rice_confidence, rice_effort,
          rice_total, sprint_number, status, blocked_reason, created_at, updated_at, approved_at;

-- name: delete_story(user_id, story_id, standalone)$
-- Delete one of the user's stories (feature-bound or standalone as asked) with its conversation.
DELETE FROM user_stories
 WHERE story_id = :story_id
   AND user_id = :user_id
   AND is_standalone = :standalone
RETURNING story_id;

-- name: add_event(event_id, user_id, story_id, feature_id, epic_id, role, content, event_metadata)$
-- Append one message to the conversation about one of the user's stories, naming the story's own feature
-- and epic (NULL for a standalone story); nothing otherwise.
INSERT INTO user_story_conversation_events (event_id, story_id, feature_id, epic_id, role, content, event_metadata)
SELECT :event_id, s.story_id, s.feature_id, f.epic_id, :role, :content, :event_metadata
  FROM user_stories AS s
  LEFT JOIN features AS f ON f.feature_id = s.feature_id
 WHERE s.story_id = :story_id
   AND s.user_id = :user_id
   AND s.feature_id IS NOT DISTINCT FROM :feature_id
   AND f.epic_id IS NOT DISTINCT FROM :epic_id
RETURNING event_id;

-- name: open_chat_turn(event_id, user_id, story_id, standalone, content, max_rows)^
-- A refinement turn's prelude in one statement: one of the user's stories (get_story's columns, whether
-- standalone or not, so the caller can tell "not standalone" from "not found"), its feature (jsonb, get_feature's
-- columns; NULL for a standalone story) and its newest `max_rows` user/assistant messages before this one
-- (oldest first, jsonb). Only when the story is of the kind asked and not approved, the user's message is
-- appended (naming the story's feature and epic) and a draft moves to refining. Nothing when not theirs.
WITH story AS (
    SELECT story_id, feature_id, user_id, title, persona, action, benefit, story_text, acceptance_criteria,
           current_stage, source, story_points, priority, is_standalone, labels, story_priority, dependencies,
           risks, edge_cases, notes_for_engineering, rice_reach, rice_impact, rice_confidence, rice_effort,
           rice_total, sprint_number, status, blocked_reason, created_at, updated_at, approved_at
      FROM user_stories
     WHERE story_id = :story_id
       AND user_id = :user_id
), feature AS (
    SELECT f.feature_id, f.epic_id, f.title, f.description, f.acceptance_criteria, f.current_stage, f.source,
           f.priority, f.moscow_score, f.rice_reach, f.rice_impact, f.rice_confidence, f.rice_effort,
           f.rice_total, f.created_at, f.updated_at, f.approved_at
      FROM story
      JOIN features AS f ON f.feature_id = story.feature_id
      JOIN epics AS e ON e.epic_id = f.epic_id
     WHERE e.user_id = :user_id
), recent AS (
    SELECT c.seq, c.role, c.content
      FROM user_story_conversation_events AS c
      JOIN story ON story.story_id = c.story_id
     WHERE c.role IN ('user', 'assistant')
     ORDER BY c.seq DESC
     LIMIT :max_rows
), refinable AS (
    SELECT story.story_id, story.feature_id, feature.epic_id
      FROM story
      LEFT JOIN feature ON feature.feature_id = story.feature_id
     WHERE story.current_stage <> 'approved'
       AND story.is_standalone = :standalone
       AND (story.is_standalone OR feature.feature_id IS NOT NULL)
), started AS (
    UPDATE user_stories AS s
       SET current_stage = 'refining'
      FROM refinable
     WHERE s.story_id = refinable.story_id
       AND s.current_stage = 'draft'
    RETURNING s.story_id
), added AS (
    INSERT INTO user_story_conversation_events (event_id, story_id, feature_id, epic_id, role, content)
    SELECT :event_id, story_id, feature_id, epic_id, 'user', :content
      FROM refinable
    RETURNING event_id
)
SELECT story.*,
       (SELECT to_jsonb(feature) FROM feature) AS feature,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('role', role, 'content', content) ORDER BY seq), '[]')
          FROM recent) AS history
  FROM story;

-- name: list_events(user_id, story_id)
-- The whole conversation about one of the user's stories, oldest first.
SELECT c.event_id, c.story_id, c.role, c.content, c.event_metadata, c.created_at
  FROM user_story_conversation_events AS c
  JOIN user_stories AS s ON s.story_id = c.story_id
 WHERE c.story_id = :story_id
   AND s.user_id = :user_id
 ORDER BY c.seq;

-- name: list_stories(user_id, stage, standalone)
-- The user's stories, optionally only one stage and only standalone (true) or feature-bound (false).
SELECT story_id, feature_id, user_id, title, persona, action, benefit, story_text, acceptance_criteria,
       current_stage, source, story_points, priority, is_standalone, labels, story_priority, dependencies,
       risks, edge_cases, notes_for_engineering, rice_reach, rice_impact, rice_confidence, rice_effort,
       rice_total, sprint_number, status, blocked_reason, created_at, updated_at, approved_at
  FROM user_stories
 WHERE user_id = :user_id
   AND (:stage::text IS NULL OR current_stage = :stage::text)
   AND (:standalone::boolean IS NULL OR is_standalone = :standalone::boolean)
 ORDER BY created_at DESC, story_id;
