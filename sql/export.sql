-- name: export_epic(user_id, epic_id)^
-- One of the user's epics with its snapshot, as the export writes it; nothing when it is not theirs.
SELECT e.epic_id, e.title, e.current_stage, e.moscow_score, e.created_at,
       s.problem_statement, s.desired_outcome, s.epic_summary,
       coalesce(s.acceptance_criteria, '{}') AS acceptance_criteria
  FROM epics AS e
  LEFT JOIN epic_snapshots AS s ON s.epic_id = e.epic_id
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id;

-- name: export_features(user_id, epic_id)
-- The features of one of the user's epics, in their order, with their scores.
SELECT f.feature_id, f.title, f.description, f.acceptance_criteria, f.current_stage,
       f.moscow_score, f.rice_reach, f.rice_impact, f.rice_confidence, f.rice_effort, f.rice_total
  FROM features AS f
  JOIN epics AS e ON e.epic_id = f.epic_id
 WHERE f.epic_id = :epic_id
   AND e.user_id = :user_id
 ORDER BY f.priority NULLS LAST, f.created_at, f.feature_id;

-- name: export_stories(user_id, epic_id)
-- Every story of the features of one of the user's epics, in one statement, each feature's in their
-- order (the export groups them under their feature).
SELECT us.story_id, us.feature_id, us.title, us.persona, us.action, us.benefit, us.story_text,
       us.acceptance_criteria, us.labels, us.story_priority, us.story_points, us.current_stage,
       us.sprint_number, us.status, us.rice_reach, us.rice_impact, us.rice_confidence, us.rice_effort,
       us.rice_total
  FROM user_stories AS us
  JOIN features AS f ON f.feature_id = us.feature_id
  JOIN epics AS e ON e.epic_id = f.epic_id
 WHERE f.epic_id = :epic_id
   AND e.user_id = :user_id
   AND us.user_id = :user_id
 ORDER BY us.feature_id, us.priority NULLS LAST, us.created_at, us.story_id;

-- name: export_bugs(user_id, epic_id)
-- The user's bugs (not deleted) linked to the epic, one of its features or one of their stories, each
-- once, with the links that point into this epic's tree (epic, then features, then stories).
SELECT b.bug_id, b.title, b.description, b.severity, b.priority, b.status, b.steps_to_reproduce,
       b.expected_behavior, b.actual_behavior, b.environment, b.rice_reach, b.rice_impact,
       b.rice_confidence, b.rice_effort, b.rice_total, t.links
  FROM bugs AS b
  JOIN LATERAL (
       SELECT jsonb_agg(jsonb_build_object(
                  'entity_type', l.entity_type,
                  'entity_id', coalesce(l.epic_id, l.feature_id, l.story_id))
              ORDER BY array_position(ARRAY['epic', 'feature', 'story'], l.entity_type::text),
                       coalesce(l.epic_id, l.feature_id, l.story_id)) AS links
         FROM bug_links AS l
         LEFT JOIN features AS lf ON lf.feature_id = l.feature_id
         LEFT JOIN user_stories AS ls ON ls.story_id = l.story_id
         LEFT JOIN features AS sf ON sf.feature_id = ls.feature_id
        WHERE l.bug_id = b.bug_id
          AND (l.epic_id = :epic_id OR lf.epic_id = :epic_id OR sf.epic_id = :epic_id)) AS t
    ON t.links IS NOT NULL
 WHERE b.user_id = :user_id
   AND NOT b.is_deleted
   AND EXISTS (SELECT 1 FROM epics AS e WHERE e.epic_id = :epic_id AND e.user_id = :user_id)
 ORDER BY b.created_at, b.bug_id;
