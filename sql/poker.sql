-- name: get_story(user_id, story_id)^
-- One of the user's stories (feature-bound or standalone), as the personas read it.
SELECT story_id, title, story_text, acceptance_criteria, story_points, current_stage
  FROM user_stories
 WHERE story_id = :story_id
   AND user_id = :user_id;

-- name: add_session(session_id, user_id, story_id, min_estimate, max_estimate, average_estimate, suggested_estimate)^
-- Open a stored round on one of the user's stories; nothing when the story is gone or not theirs.
INSERT INTO poker_estimate_sessions (session_id, story_id, user_id, min_estimate, max_estimate,
                                     average_estimate, suggested_estimate)
SELECT :session_id, s.story_id, s.user_id, :min_estimate, :max_estimate, :average_estimate, :suggested_estimate
  FROM user_stories AS s
 WHERE s.story_id = :story_id
   AND s.user_id = :user_id
RETURNING session_id;

-- name: add_estimates(user_id, session_id, estimate_ids, persona_names, persona_roles, points, reasonings, confidences)$
-- Store the personas' estimates of one of the user's sessions, one row per array position; the count stored.
WITH stored AS (
    INSERT INTO poker_persona_estimates (estimate_id, session_id, persona_name, persona_role, estimate_points,
                                         reasoning, confidence)
    SELECT e.estimate_id, s.session_id, e.persona_name, e.persona_role, e.estimate_points, e.reasoning, e.confidence
      FROM poker_estimate_sessions AS s
     CROSS JOIN unnest(:estimate_ids::text[], :persona_names::text[], :persona_roles::text[], :points::int[],
                       :reasonings::text[], :confidences::text[])
                AS e(estimate_id, persona_name, persona_role, estimate_points, reasoning, confidence)
     WHERE s.session_id = :session_id
       AND s.user_id = :user_id
    RETURNING estimate_id
)
SELECT count(*) FROM stored;

-- name: set_story_points(user_id, story_id, story_points)^
-- Set the points of one of the user's stories (allowed on approved stories: points are not content).
UPDATE user_stories
   SET story_points = :story_points
 WHERE story_id = :story_id
   AND user_id = :user_id
RETURNING story_id, story_points;

-- name: accept_session(user_id, session_id, story_id, story_points)^
-- Mark one of the user's sessions of that story accepted at these points; nothing otherwise.
UPDATE poker_estimate_sessions
   SET accepted_estimate = :story_points,
       accepted_at = now()
 WHERE session_id = :session_id
   AND story_id = :story_id
   AND user_id = :user_id
RETURNING session_id;

-- name: list_sessions(user_id, story_id, session_id)
-- The user's sessions with their estimates, newest first: those of one story, or the one session asked for.
SELECT s.session_id, s.story_id, s.min_estimate, s.max_estimate, s.average_estimate, s.suggested_estimate,
       s.accepted_estimate, s.accepted_at, s.created_at, e.estimates
  FROM poker_estimate_sessions AS s
 CROSS JOIN LATERAL (
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'persona_name', pe.persona_name,
                   'persona_role', pe.persona_role,
                   'estimate_points', pe.estimate_points,
                   'reasoning', pe.reasoning,
                   'confidence', pe.confidence)), '[]'::jsonb) AS estimates
          FROM poker_persona_estimates AS pe
         WHERE pe.session_id = s.session_id
       ) AS e
 WHERE s.user_id = :user_id
   AND (:story_id::text IS NULL OR s.story_id = :story_id)
   AND (:session_id::text IS NULL OR s.session_id = :session_id)
 ORDER BY s.created_at DESC, s.session_id;

-- name: list_epic_sessions(user_id, epic_id)
-- The stories of one of the user's epics that have a session, each with its latest session.
SELECT st.story_id, st.title, st.story_text AS description, st.story_points, st.current_stage AS stage,
       latest.session
  FROM user_stories AS st
  JOIN features AS f ON f.feature_id = st.feature_id
  JOIN epics AS ep ON ep.epic_id = f.epic_id
 CROSS JOIN LATERAL (
        SELECT jsonb_build_object(
                   'session_id', s.session_id,
                   'story_id', s.story_id,
                   'min_estimate', s.min_estimate,
                   'max_estimate', s.max_estimate,
                   'average_estimate', s.average_estimate,
                   'suggested_estimate', s.suggested_estimate,
                   'accepted_estimate', s.accepted_estimate,
                   'accepted_at', s.accepted_at,
                   'created_at', s.created_at,
                   'estimates', (
                       SELECT coalesce(jsonb_agg(jsonb_build_object(
                                  'persona_name', pe.persona_name,
                                  'persona_role', pe.persona_role,
                                  'estimate_points', pe.estimate_points,
                                  'reasoning', pe.reasoning,
                                  'confidence', pe.confidence)), '[]'::jsonb)
                         FROM poker_persona_estimates AS pe
                        WHERE pe.session_id = s.session_id)) AS session
          FROM poker_estimate_sessions AS s
         WHERE s.story_id = st.story_id
         ORDER BY s.created_at DESC, s.session_id
         LIMIT 1
       ) AS latest
 WHERE ep.epic_id = :epic_id
   AND ep.user_id = :user_id
   AND st.user_id = :user_id
 ORDER BY f.created_at, f.feature_id, st.priority NULLS LAST, st.created_at, st.story_id;

-- name: list_completed_epics(user_id)
-- The user's locked epics (their stories are the ones to estimate), with estimated stories and sessions.
SELECT ep.epic_id, ep.title, ep.current_stage AS stage, ep.updated_at,
       count(DISTINCT st.story_id) FILTER (WHERE st.story_points IS NOT NULL) AS estimated_stories,
       count(DISTINCT s.session_id) AS session_count
  FROM epics AS ep
  LEFT JOIN features AS f ON f.epic_id = ep.epic_id
  LEFT JOIN user_stories AS st ON st.feature_id = f.feature_id
  LEFT JOIN poker_estimate_sessions AS s ON s.story_id = st.story_id
 WHERE ep.user_id = :user_id
   AND ep.current_stage = 'epic_locked'
 GROUP BY ep.epic_id, ep.title, ep.current_stage, ep.updated_at
 ORDER BY ep.updated_at DESC, ep.epic_id;

-- name: list_unestimated_epics(user_id)
-- The user's locked epics that still have stories without points, with how many.
SELECT ep.epic_id, ep.title, ep.current_stage AS stage,
       count(st.story_id) AS total_stories,
       count(st.story_id) FILTER (WHERE st.story_points IS NULL) AS unestimated_stories
  FROM epics AS ep
  JOIN features AS f ON f.epic_id = ep.epic_id
  JOIN user_stories AS st ON st.feature_id = f.feature_id
 WHERE ep.user_id = :user_id
   AND ep.current_stage = 'epic_locked'
 GROUP BY ep.epic_id, ep.title, ep.current_stage, ep.updated_at
HAVING count(st.story_id) FILTER (WHERE st.story_points IS NULL) > 0
 ORDER BY ep.updated_at DESC, ep.epic_id;
