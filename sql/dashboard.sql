-- name: portfolio(user_id)^
-- The user's portfolio figures and set-up flags: epics not archived, epics locked in the last 30
-- days, the points of every story under an epic not archived, whether a provider configuration is
-- active, and the team from the delivery context (NULLs when it was never set).
SELECT (SELECT count(*)
          FROM epics
         WHERE user_id = :user_id
           AND NOT is_archived) AS active_initiatives,
       (SELECT count(*)
          FROM epics
         WHERE user_id = :user_id
           AND locked_at >= now() - interval '30 days') AS completed_30d,
       (SELECT coalesce(sum(us.story_points), 0)
          FROM epics AS e
          JOIN features AS f ON f.epic_id = e.epic_id
          JOIN user_stories AS us ON us.feature_id = f.feature_id
         WHERE e.user_id = :user_id
           AND NOT e.is_archived) AS total_points_in_flight,
       EXISTS (
       SELECT 1
         FROM llm_provider_configs
        WHERE user_id = :user_id
          AND is_active) AS has_llm_configured,
       c.num_developers, c.points_per_dev_per_sprint
  FROM (SELECT 1) AS one
  LEFT JOIN product_delivery_contexts AS c ON c.user_id = :user_id;

-- name: initiative_points(user_id)
-- The story points and story count of each of the user's epics not archived (the delivery rules
-- assess them against the team's capacity for the at-risk list).
SELECT e.epic_id, e.title, w.total_points, w.stories_count
  FROM epics AS e
 CROSS JOIN LATERAL (
       SELECT count(us.story_id) AS stories_count,
              coalesce(sum(us.story_points), 0) AS total_points
         FROM features AS f
         JOIN user_stories AS us ON us.feature_id = f.feature_id
        WHERE f.epic_id = e.epic_id) AS w
 WHERE e.user_id = :user_id
   AND NOT e.is_archived;

-- name: focus_list(user_id, max_rows)
-- The user's epics still in conversation (not locked, not archived): most must-have points first,
-- then the most recently changed.
SELECT e.epic_id, e.title, e.current_stage, e.updated_at, w.must_have_points, w.total_points
  FROM epics AS e
 CROSS JOIN LATERAL (
       SELECT coalesce(sum(us.story_points) FILTER (WHERE us.story_priority = 'must-have'), 0) AS must_have_points,
              coalesce(sum(us.story_points), 0) AS total_points
         FROM features AS f
         JOIN user_stories AS us ON us.feature_id = f.feature_id
        WHERE f.epic_id = e.epic_id) AS w
 WHERE e.user_id = :user_id
   AND NOT e.is_archived
   AND e.current_stage <> 'epic_locked'
 ORDER BY w.must_have_points DESC, e.updated_at DESC, e.epic_id
 LIMIT :max_rows;

-- name: recent_activity(user_id, max_rows)
-- The newest things that happened to the user's epics: each creation and lock (from the epic's own
-- timestamps) and each recorded activity (archive, restore, scope plan saved). Each part is cut to
-- max_rows first; at equal times the later step of an epic's life comes first.
SELECT event_type, epic_id, title, occurred_at, details
  FROM ((SELECT 'created' AS event_type, epic_id, title, created_at AS occurred_at, NULL::text AS details,
                0 AS step
           FROM epics
          WHERE user_id = :user_id
          ORDER BY created_at DESC
          LIMIT :max_rows)
        UNION ALL
        (SELECT 'epic_locked', epic_id, title, locked_at, NULL, 1
           FROM epics
          WHERE user_id = :user_id
            AND locked_at IS NOT NULL
          ORDER BY locked_at DESC
          LIMIT :max_rows)
        UNION ALL
        (SELECT a.event_type, a.epic_id, e.title, a.created_at, a.details, 2
           FROM initiative_activity AS a
           JOIN epics AS e ON e.epic_id = a.epic_id
          WHERE a.user_id = :user_id
            AND e.user_id = :user_id
          ORDER BY a.created_at DESC
          LIMIT :max_rows)) AS events
 ORDER BY occurred_at DESC, step DESC, epic_id
 LIMIT :max_rows;
