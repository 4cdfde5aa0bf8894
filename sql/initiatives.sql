-- name: list_initiatives(user_id, archived, stages, search, sort_by, descending, stage_order, max_rows, skip_rows)
-- One page of the user's archived (or not archived) epics, optionally of some stages and matching a
-- search in title or problem statement, with their feature and story counts and points; sorted on an
-- allow-listed field (epic_id breaks ties) and numbered, so the page and the total come in one query.
-- Every row carries the total; an empty page is one row with the total and nothing else.
WITH matching AS (
     SELECT e.epic_id, e.title, e.current_stage, e.is_archived, e.created_at, e.updated_at,
            s.problem_statement, w.features_count, w.stories_count, w.total_points
       FROM epics AS e
       JOIN epic_snapshots AS s ON s.epic_id = e.epic_id
      CROSS JOIN LATERAL (
            SELECT count(DISTINCT f.feature_id) AS features_count,
                   count(us.story_id) AS stories_count,
                   coalesce(sum(us.story_points), 0) AS total_points
              FROM features AS f
              LEFT JOIN user_stories AS us ON us.feature_id = f.feature_id
             WHERE f.epic_id = e.epic_id) AS w
      WHERE e.user_id = :user_id
        AND e.is_archived = :archived::boolean
        AND (:stages::text[] IS NULL OR e.current_stage = ANY(:stages::text[]))
        AND (:search::text IS NULL
             OR e.title ILIKE :search::text ESCAPE '\'
             OR s.problem_statement ILIKE :search::text ESCAPE '\')),
ranked AS (
     SELECT m.epic_id, m.title, m.current_stage, m.is_archived, m.created_at, m.updated_at,
            m.problem_statement, m.features_count, m.stories_count, m.total_points,
            row_number() OVER (ORDER BY
                CASE WHEN NOT :descending::boolean THEN CASE :sort_by::text
                    WHEN 'created_at' THEN m.created_at WHEN 'updated_at' THEN m.updated_at
                END END ASC,
                CASE WHEN :descending::boolean THEN CASE :sort_by::text
                    WHEN 'created_at' THEN m.created_at WHEN 'updated_at' THEN m.updated_at
                END END DESC,
                CASE WHEN NOT :descending::boolean AND :sort_by::text = 'title' THEN lower(m.title) END ASC,
                CASE WHEN :descending::boolean AND :sort_by::text = 'title' THEN lower(m.title) END DESC,
                CASE WHEN NOT :descending::boolean THEN CASE :sort_by::text
                    WHEN 'current_stage' THEN array_position(:stage_order::text[], m.current_stage::text)
                    WHEN 'features_count' THEN m.features_count WHEN 'stories_count' THEN m.stories_count
                    WHEN 'total_points' THEN m.total_points
                END END ASC,
                CASE WHEN :descending::boolean THEN CASE :sort_by::text
                    WHEN 'current_stage' THEN array_position(:stage_order::text[], m.current_stage::text)
                    WHEN 'features_count' THEN m.features_count WHEN 'stories_count' THEN m.stories_count
                    WHEN 'total_points' THEN m.total_points
                END END DESC,
                m.epic_id) AS position
       FROM matching AS m)
SELECT t.total, r.epic_id, r.title, r.current_stage, r.is_archived, r.created_at, r.updated_at,
       r.problem_statement, r.features_count, r.stories_count, r.total_points
  FROM (SELECT count(*) AS total FROM matching) AS t
  LEFT JOIN ranked AS r
    ON r.position > :skip_rows::bigint
   AND r.position <= :skip_rows::bigint + :max_rows::bigint
 ORDER BY r.position;

-- name: get_initiative(user_id, epic_id)^
-- One of the user's epics with its snapshot text and its feature and story counts and points.
SELECT e.epic_id, e.title, e.current_stage, e.is_archived, e.created_at, e.updated_at,
       s.problem_statement, s.desired_outcome, s.epic_summary, s.acceptance_criteria,
       w.features_count, w.stories_count, w.total_points
  FROM epics AS e
  JOIN epic_snapshots AS s ON s.epic_id = e.epic_id
 CROSS JOIN LATERAL (
       SELECT count(DISTINCT f.feature_id) AS features_count,
              count(us.story_id) AS stories_count,
              coalesce(sum(us.story_points), 0) AS total_points
         FROM features AS f
         LEFT JOIN user_stories AS us ON us.feature_id = f.feature_id
        WHERE f.epic_id = e.epic_id) AS w
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id;

-- name: feature_tree(user_id, epic_id)
-- The features of one of the user's epics in their order, each with its story count, its points and
-- its stories (a JSON array, in the stories' own order).
SELECT f.feature_id, f.title, f.description, f.moscow_score,
       count(us.story_id) AS stories_count,
       coalesce(sum(us.story_points), 0) AS total_points,
       coalesce(
           jsonb_agg(jsonb_build_object(
               'story_id', us.story_id, 'title', us.title, 'story_text', us.story_text,
               'points', us.story_points, 'status', us.current_stage, 'labels', us.labels,
               'priority', us.story_priority)
             ORDER BY us.priority NULLS LAST, us.created_at, us.story_id)
             FILTER (WHERE us.story_id IS NOT NULL),
           '[]'::jsonb) AS stories
  FROM features AS f
  JOIN epics AS e ON e.epic_id = f.epic_id
  LEFT JOIN user_stories AS us ON us.feature_id = f.feature_id
 WHERE f.epic_id = :epic_id
   AND e.user_id = :user_id
 GROUP BY f.feature_id
 ORDER BY f.priority NULLS LAST, f.created_at, f.feature_id;

-- name: set_archived(user_id, epic_id, archived)$
-- Archive or restore one of the user's epics; nothing when it is not theirs or is already so.
UPDATE epics
   SET is_archived = :archived::boolean,
       archived_at = CASE WHEN :archived::boolean THEN now() END
 WHERE epic_id = :epic_id
   AND user_id = :user_id
   AND is_archived <> :archived::boolean
RETURNING epic_id;

-- name: add_activity(activity_id, user_id, epic_id, event_type, details)$
-- Record what happened to one of the user's epics (archived, restored) for their dashboard.
INSERT INTO initiative_activity (activity_id, user_id, epic_id, event_type, details)
SELECT :activity_id, e.user_id, e.epic_id, :event_type, :details
  FROM epics AS e
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id
RETURNING activity_id;

-- name: count_by_stage(user_id)
-- How many of the user's epics are in each stage, archived or not.
SELECT current_stage, is_archived, count(*) AS epics
  FROM epics
 WHERE user_id = :user_id
 GROUP BY current_stage, is_archived;

-- name: regeneration_context(user_id, epic_id, feature_id)^
-- One of the user's epics with its problem and outcome, and one of its features (NULLs when the epic
-- has no such feature); nothing when the epic is not theirs.
SELECT e.epic_id, e.title, s.problem_statement, s.desired_outcome,
       f.feature_id, f.title AS feature_name, f.description AS feature_description
  FROM epics AS e
  JOIN epic_snapshots AS s ON s.epic_id = e.epic_id
  LEFT JOIN features AS f ON f.epic_id = e.epic_id AND f.feature_id = :feature_id
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id;

-- name: copy_snapshot_text(user_id, source_epic_id, copy_epic_id)$
-- Give a copy the text of its original's snapshot without any confirmation time, so the copy's
-- conversation confirms each part afresh (the snapshot trigger freezes only confirmed parts).
UPDATE epic_snapshots AS target
   SET problem_statement = source.problem_statement,
       desired_outcome = source.desired_outcome,
       epic_summary = source.epic_summary,
       acceptance_criteria = source.acceptance_criteria,
       epic_details = source.epic_details
  FROM epic_snapshots AS source
  JOIN epics AS original ON original.epic_id = source.epic_id
  JOIN epics AS duplicate ON duplicate.epic_id = :copy_epic_id
 WHERE source.epic_id = :source_epic_id
   AND original.user_id = :user_id
   AND duplicate.user_id = :user_id
   AND target.epic_id = duplicate.epic_id
RETURNING target.epic_id;

-- name: copy_work(user_id, source_epic_id, copy_epic_id)^
-- Copy the features and stories of one of the user's epics under another of theirs, all in draft:
-- content, order and estimates come along; approvals, conversations and sprint plans stay behind.
-- New ids are drawn once per source feature (MATERIALIZED) so each copied story finds its feature.
-- Rows written in one transaction share now(): a microsecond per row keeps the original order, which
-- the rooms read from created_at.
WITH source_features AS MATERIALIZED (
     SELECT f.feature_id, 'feat_' || left(replace(gen_random_uuid()::text, '-', ''), 12) AS copy_id,
            f.title, f.description, f.acceptance_criteria, f.source, f.priority, f.moscow_score,
            f.moscow_reasoning, f.rice_reach, f.rice_impact, f.rice_confidence, f.rice_effort, f.rice_total,
            f.rice_reasoning, row_number() OVER (ORDER BY f.created_at, f.feature_id) AS ordinal
       FROM features AS f
       JOIN epics AS e ON e.epic_id = f.epic_id
      WHERE f.epic_id = :source_epic_id
        AND e.user_id = :user_id),
duplicate AS (
     SELECT epic_id, user_id
       FROM epics
      WHERE epic_id = :copy_epic_id
        AND user_id = :user_id),
copied_features AS (
     INSERT INTO features (feature_id, epic_id, title, description, acceptance_criteria, source, priority,
                           moscow_score, moscow_reasoning, rice_reach, rice_impact, rice_confidence,
                           rice_effort, rice_total, rice_reasoning, created_at, updated_at)
     SELECT sf.copy_id, d.epic_id, sf.title, sf.description, sf.acceptance_criteria, sf.source, sf.priority,
            sf.moscow_score, sf.moscow_reasoning, sf.rice_reach, sf.rice_impact, sf.rice_confidence,
            sf.rice_effort, sf.rice_total, sf.rice_reasoning,
            now() + sf.ordinal * interval '1 microsecond', now() + sf.ordinal * interval '1 microsecond'
       FROM source_features AS sf
      CROSS JOIN duplicate AS d
     RETURNING feature_id),
copied_stories AS (
     INSERT INTO user_stories (story_id, user_id, feature_id, title, persona, action, benefit,
                               acceptance_criteria, labels, story_priority, dependencies, risks, edge_cases,
                               notes_for_engineering, source, story_points, priority, rice_reach, rice_impact,
                               rice_confidence, rice_effort, rice_total, rice_reasoning, created_at, updated_at)
     SELECT 'story_' || left(replace(gen_random_uuid()::text, '-', ''), 12), d.user_id, sf.copy_id,
            us.title, us.persona, us.action, us.benefit, us.acceptance_criteria, us.labels, us.story_priority,
            us.dependencies, us.risks, us.edge_cases, us.notes_for_engineering, us.source, us.story_points,
            us.priority, us.rice_reach, us.rice_impact, us.rice_confidence, us.rice_effort, us.rice_total,
            us.rice_reasoning,
            now() + row_number() OVER (ORDER BY us.created_at, us.story_id) * interval '1 microsecond',
            now() + row_number() OVER (ORDER BY us.created_at, us.story_id) * interval '1 microsecond'
       FROM user_stories AS us
       JOIN source_features AS sf ON sf.feature_id = us.feature_id
      CROSS JOIN duplicate AS d
     RETURNING story_id)
SELECT (SELECT count(*) FROM copied_features) AS features_copied,
       (SELECT count(*) FROM copied_stories) AS stories_copied;
