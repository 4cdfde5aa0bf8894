-- Scoring: MoSCoW on epics and features, RICE on features, stories and bugs. Every statement names the
-- owner; a feature is the user's through its epic, a story and a bug through their own user_id.

-- name: get_epic_moscow(user_id, epic_id)^
-- The epic's title and MoSCoW score; nothing when it does not exist or another user owns it.
SELECT e.epic_id, e.title, e.moscow_score, e.moscow_reasoning
  FROM epics AS e
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id;

-- name: set_epic_moscow(user_id, epic_id, score, reasoning)^
-- Score one of the user's epics (MoSCoW).
UPDATE epics
   SET moscow_score = :score,
       moscow_reasoning = coalesce(:reasoning, moscow_reasoning)
 WHERE epic_id = :epic_id
   AND user_id = :user_id
RETURNING epic_id, title, moscow_score, moscow_reasoning;

-- name: get_epic_for_scoring(user_id, epic_id)^
-- What the prompts say about one of the user's epics.
SELECT e.epic_id, e.title, e.moscow_score, s.problem_statement, s.desired_outcome, s.epic_summary,
       s.acceptance_criteria
  FROM epics AS e
  JOIN epic_snapshots AS s ON s.epic_id = e.epic_id
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id;

-- name: get_feature(user_id, feature_id)^
-- One feature of one of the user's epics, with its scores.
SELECT f.feature_id, f.epic_id, f.title, f.description, f.acceptance_criteria, f.moscow_score,
       f.moscow_reasoning, f.rice_reach, f.rice_impact, f.rice_confidence, f.rice_effort, f.rice_total,
       f.rice_reasoning
  FROM features AS f
  JOIN epics AS e ON e.epic_id = f.epic_id
 WHERE f.feature_id = :feature_id
   AND e.user_id = :user_id;

-- name: set_feature_moscow(user_id, feature_id, epic_id, score, reasoning)^
-- Score one of the user's features (MoSCoW); with an epic_id, only a feature of that epic. Returns its scores.
UPDATE features AS f
   SET moscow_score = :score,
       moscow_reasoning = coalesce(:reasoning, f.moscow_reasoning)
  FROM epics AS e
 WHERE f.feature_id = :feature_id
   AND e.epic_id = f.epic_id
   AND e.user_id = :user_id
   AND (:epic_id::text IS NULL OR f.epic_id = :epic_id)
RETURNING f.feature_id, f.epic_id, f.title, f.description, f.acceptance_criteria, f.moscow_score,
          f.moscow_reasoning, f.rice_reach, f.rice_impact, f.rice_confidence, f.rice_effort, f.rice_total,
          f.rice_reasoning;

-- name: set_feature_rice(user_id, feature_id, epic_id, reach, impact, confidence, effort, total, reasoning)^
-- Score one of the user's features (RICE); with an epic_id, only a feature of that epic.
UPDATE features AS f
   SET rice_reach = :reach,
       rice_impact = :impact,
       rice_confidence = :confidence,
       rice_effort = :effort,
       rice_total = :total,
       rice_reasoning = coalesce(:reasoning, f.rice_reasoning)
  FROM epics AS e
 WHERE f.feature_id = :feature_id
   AND e.epic_id = f.epic_id
   AND e.user_id = :user_id
   AND (:epic_id::text IS NULL OR f.epic_id = :epic_id)
RETURNING f.feature_id, f.epic_id, f.title, f.description, f.acceptance_criteria, f.moscow_score,
          f.moscow_reasoning, f.rice_reach, f.rice_impact, f.rice_confidence, f.rice_effort, f.rice_total,
          f.rice_reasoning;

-- name: get_story(user_id, story_id, standalone)^
-- One of the user's stories (only a standalone one when standalone is true), with its scores.
SELECT s.story_id, s.feature_id, s.title, s.story_text, s.acceptance_criteria, s.story_points, s.rice_reach,
       s.rice_impact, s.rice_confidence, s.rice_effort, s.rice_total, s.rice_reasoning
  FROM user_stories AS s
 WHERE s.story_id = :story_id
   AND s.user_id = :user_id
   AND (NOT :standalone OR s.is_standalone);

-- name: set_story_rice(user_id, story_id, epic_id, reach, impact, confidence, effort, total, reasoning)^
-- Score one of the user's stories (RICE); with an epic_id, only a story of a feature of that epic.
UPDATE user_stories AS s
   SET rice_reach = :reach,
       rice_impact = :impact,
       rice_confidence = :confidence,
       rice_effort = :effort,
       rice_total = :total,
       rice_reasoning = coalesce(:reasoning, s.rice_reasoning)
 WHERE s.story_id = :story_id
   AND s.user_id = :user_id
   AND (:epic_id::text IS NULL
        OR s.feature_id IN (SELECT f.feature_id FROM features AS f WHERE f.epic_id = :epic_id))
RETURNING s.story_id, s.feature_id, s.title, s.story_text, s.acceptance_criteria, s.story_points, s.rice_reach,
          s.rice_impact, s.rice_confidence, s.rice_effort, s.rice_total, s.rice_reasoning;

-- name: get_bug(user_id, bug_id)^
-- One of the user's bugs (not deleted), with its scores.
SELECT b.bug_id, b.title, b.description, b.severity, b.priority, b.steps_to_reproduce, b.rice_reach,
       b.rice_impact, b.rice_confidence, b.rice_effort, b.rice_total, b.rice_reasoning
  FROM bugs AS b
 WHERE b.bug_id = :bug_id
   AND b.user_id = :user_id
   AND NOT b.is_deleted;

-- name: set_bug_rice(user_id, bug_id, epic_id, reach, impact, confidence, effort, total, reasoning)^
-- Score one of the user's bugs (RICE); with an epic_id, only a bug linked to that epic or below it.
UPDATE bugs AS b
   SET rice_reach = :reach,
       rice_impact = :impact,
       rice_confidence = :confidence,
       rice_effort = :effort,
       rice_total = :total,
       rice_reasoning = coalesce(:reasoning, b.rice_reasoning)
 WHERE b.bug_id = :bug_id
   AND b.user_id = :user_id
   AND NOT b.is_deleted
   AND (:epic_id::text IS NULL OR b.bug_id IN (
            SELECT l.bug_id
              FROM bug_links AS l
              LEFT JOIN features AS lf ON lf.feature_id = l.feature_id
              LEFT JOIN user_stories AS ls ON ls.story_id = l.story_id
              LEFT JOIN features AS sf ON sf.feature_id = ls.feature_id
             WHERE l.epic_id = :epic_id
                OR lf.epic_id = :epic_id
                OR sf.epic_id = :epic_id))
RETURNING b.bug_id, b.title, b.description, b.severity, b.priority, b.steps_to_reproduce, b.rice_reach,
          b.rice_impact, b.rice_confidence, b.rice_effort, b.rice_total, b.rice_reasoning;

-- name: epic_for_bulk_scoring(user_id, epic_id, with_stories_and_bugs)^
-- One of the user's epics (get_epic_for_scoring's columns) with, as jsonb lists, its features, and when
-- asked its stories and linked bugs (epic_features', epic_stories' and epic_bugs' columns and order), in
-- one statement; nothing when the epic is not theirs.
SELECT e.epic_id, e.title, e.moscow_score, s.problem_statement, s.desired_outcome, s.epic_summary,
       s.acceptance_criteria,
       (SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'feature_id', f.feature_id, 'title', f.title, 'description', f.description,
                   'moscow_score', f.moscow_score, 'moscow_reasoning', f.moscow_reasoning,
                   'rice_reach', f.rice_reach, 'rice_impact', f.rice_impact, 'rice_confidence', f.rice_confidence,
                   'rice_effort', f.rice_effort, 'rice_total', f.rice_total, 'rice_reasoning', f.rice_reasoning)
               ORDER BY f.priority NULLS LAST, f.created_at, f.feature_id), '[]')
          FROM features AS f
         WHERE f.epic_id = e.epic_id) AS features,
       (SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'story_id', us.story_id, 'feature_id', us.feature_id, 'title', us.title,
                   'story_text', us.story_text, 'story_points', us.story_points, 'rice_reach', us.rice_reach,
                   'rice_impact', us.rice_impact, 'rice_confidence', us.rice_confidence,
                   'rice_effort', us.rice_effort, 'rice_total', us.rice_total, 'rice_reasoning', us.rice_reasoning)
               ORDER BY f.created_at, f.feature_id, us.created_at, us.story_id), '[]')
          FROM user_stories AS us
          JOIN features AS f ON f.feature_id = us.feature_id
         WHERE f.epic_id = e.epic_id
           AND us.user_id = e.user_id
           AND :with_stories_and_bugs) AS stories,
       (SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'bug_id', b.bug_id, 'title', b.title, 'description', b.description, 'severity', b.severity,
                   'rice_reach', b.rice_reach, 'rice_impact', b.rice_impact, 'rice_confidence', b.rice_confidence,
                   'rice_effort', b.rice_effort, 'rice_total', b.rice_total, 'rice_reasoning', b.rice_reasoning)
               ORDER BY b.created_at, b.bug_id), '[]')
          FROM bugs AS b
         WHERE b.user_id = e.user_id
           AND NOT b.is_deleted
           AND :with_stories_and_bugs
           AND b.bug_id IN (
               SELECT l.bug_id
                 FROM bug_links AS l
                 LEFT JOIN features AS lf ON lf.feature_id = l.feature_id
                 LEFT JOIN user_stories AS ls ON ls.story_id = l.story_id
                 LEFT JOIN features AS sf ON sf.feature_id = ls.feature_id
                WHERE l.epic_id = e.epic_id
                   OR lf.epic_id = e.epic_id
                   OR sf.epic_id = e.epic_id)) AS bugs
  FROM epics AS e
  JOIN epic_snapshots AS s ON s.epic_id = e.epic_id
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id;

-- name: epic_features(user_id, epic_id)
-- The features of one of the user's epics, with their scores, in their order.
SELECT f.feature_id, f.title, f.description, f.moscow_score, f.moscow_reasoning, f.rice_reach, f.rice_impact,
       f.rice_confidence, f.rice_effort, f.rice_total, f.rice_reasoning
  FROM features AS f
  JOIN epics AS e ON e.epic_id = f.epic_id
 WHERE f.epic_id = :epic_id
   AND e.user_id = :user_id
 ORDER BY f.priority NULLS LAST, f.created_at, f.feature_id;

-- name: epic_stories(user_id, epic_id)
-- The stories under the features of one of the user's epics, with their scores.
SELECT s.story_id, s.feature_id, s.title, s.story_text, s.story_points, s.rice_reach, s.rice_impact,
       s.rice_confidence, s.rice_effort, s.rice_total, s.rice_reasoning
  FROM user_stories AS s
  JOIN features AS f ON f.feature_id = s.feature_id
 WHERE f.epic_id = :epic_id
   AND s.user_id = :user_id
 ORDER BY f.created_at, f.feature_id, s.created_at, s.story_id;

-- name: epic_bugs(user_id, epic_id)
-- The user's bugs (not deleted) linked to the epic, to one of its features or to one of their stories.
SELECT b.bug_id, b.title, b.description, b.severity, b.rice_reach, b.rice_impact, b.rice_confidence,
       b.rice_effort, b.rice_total, b.rice_reasoning
  FROM bugs AS b
 WHERE b.user_id = :user_id
   AND NOT b.is_deleted
   AND b.bug_id IN (
       SELECT l.bug_id
         FROM bug_links AS l
         LEFT JOIN features AS lf ON lf.feature_id = l.feature_id
         LEFT JOIN user_stories AS ls ON ls.story_id = l.story_id
         LEFT JOIN features AS sf ON sf.feature_id = ls.feature_id
        WHERE l.epic_id = :epic_id
           OR lf.epic_id = :epic_id
           OR sf.epic_id = :epic_id)
 ORDER BY b.created_at, b.bug_id;

-- name: scored_epics(user_id)
-- The user's epics with a MoSCoW score, and how many of their features carry a score.
SELECT e.epic_id AS item_id, e.title, s.epic_summary AS description, e.moscow_score, e.updated_at AS scored_at,
       count(f.feature_id) AS children_total,
       count(f.feature_id) FILTER (WHERE f.moscow_score IS NOT NULL OR f.rice_total IS NOT NULL)
           AS children_scored
  FROM epics AS e
  JOIN epic_snapshots AS s ON s.epic_id = e.epic_id
  LEFT JOIN features AS f ON f.epic_id = e.epic_id
 WHERE e.user_id = :user_id
   AND e.moscow_score IS NOT NULL
 GROUP BY e.epic_id, s.epic_summary
 ORDER BY e.updated_at DESC, e.epic_id;

-- name: scored_standalone_stories(user_id)
-- The user's standalone stories with a RICE score.
SELECT s.story_id AS item_id, coalesce(s.title, s.story_text) AS title, s.story_text AS description,
       s.rice_reach, s.rice_impact, s.rice_confidence, s.rice_effort, s.rice_total, s.updated_at AS scored_at
  FROM user_stories AS s
 WHERE s.user_id = :user_id
   AND s.is_standalone
   AND s.rice_total IS NOT NULL
 ORDER BY s.updated_at DESC, s.story_id;

-- name: scored_standalone_bugs(user_id)
-- The user's bugs (not deleted, linked to nothing) with a RICE score.
SELECT b.bug_id AS item_id, b.title, b.description, b.rice_reach, b.rice_impact, b.rice_confidence,
       b.rice_effort, b.rice_total, b.updated_at AS scored_at
  FROM bugs AS b
 WHERE b.user_id = :user_id
   AND NOT b.is_deleted
   AND b.rice_total IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM bug_links AS l WHERE l.bug_id = b.bug_id)
 ORDER BY b.updated_at DESC, b.bug_id;

-- name: scorable_epics(user_id)
-- The user's locked, non-archived epics, the ones that can be scored.
SELECT e.epic_id, e.title, e.moscow_score
  FROM epics AS e
 WHERE e.user_id = :user_id
   AND e.current_stage = 'epic_locked'
   AND NOT e.is_archived
 ORDER BY e.updated_at DESC, e.epic_id;

-- name: scorable_standalone_stories(user_id)
-- The user's standalone stories.
SELECT s.story_id, coalesce(s.title, s.story_text) AS title, s.rice_total
  FROM user_stories AS s
 WHERE s.user_id = :user_id
   AND s.is_standalone
 ORDER BY s.created_at DESC, s.story_id;

-- name: scorable_standalone_bugs(user_id)
-- The user's bugs (not deleted) linked to nothing.
SELECT b.bug_id, b.title, b.severity, b.rice_total
  FROM bugs AS b
 WHERE b.user_id = :user_id
   AND NOT b.is_deleted
   AND NOT EXISTS (SELECT 1 FROM bug_links AS l WHERE l.bug_id = b.bug_id)
 ORDER BY b.created_at DESC, b.bug_id;
