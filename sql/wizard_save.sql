-- name: create_locked_epic(epic_id, user_id, title)$
-- A new epic of the user, already locked (its snapshot follows in its own statement: row-level security
-- checks a snapshot against an epic that an earlier statement wrote).
INSERT INTO epics (epic_id, user_id, title, current_stage, locked_at)
VALUES (:epic_id, :user_id, :title, 'epic_locked', now())
RETURNING epic_id;

-- name: create_locked_snapshot(user_id, epic_id, problem_statement, desired_outcome, epic_summary, acceptance_criteria, epic_details)$
-- The snapshot of one of the user's new locked epics, confirmed in all three parts (what the epic
-- conversation leaves behind once the final proposal is confirmed).
INSERT INTO epic_snapshots (epic_id, problem_statement, problem_confirmed_at, desired_outcome,
                            outcome_confirmed_at, epic_summary, acceptance_criteria, epic_details,
                            epic_locked_at)
SELECT e.epic_id, :problem_statement, now(), :desired_outcome,
       now(), :epic_summary, :acceptance_criteria, :epic_details,
       now()
  FROM epics AS e
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id
RETURNING epic_id;

-- name: add_decisions(user_id, epic_id, decisions)$
-- Record the decisions (a JSON array, in order) that took one of the user's epics to its stage.
INSERT INTO epic_decisions (decision_id, epic_id, decision_type, from_stage, to_stage, proposal_id,
                            content_snapshot, user_id)
SELECT d.decision_id, e.epic_id, d.decision_type, d.from_stage, d.to_stage, d.proposal_id,
       d.content_snapshot, e.user_id
  FROM jsonb_to_recordset(:decisions::jsonb) AS d(ordinal int, decision_id text, decision_type text,
                                                  from_stage text, to_stage text, proposal_id text,
                                                  content_snapshot text)
  JOIN epics AS e ON e.epic_id = :epic_id
 WHERE e.user_id = :user_id
 ORDER BY d.ordinal
RETURNING decision_id;

-- name: add_work(user_id, epic_id, features, stories)^
-- Add approved features and their draft stories (JSON arrays, ids drawn by the server) to one of the
-- user's epics; nothing when the epic is not theirs. Rows written in one transaction share now(): a
-- microsecond per row keeps the given order, which the rooms read from created_at.
WITH epic AS (
     SELECT epic_id, user_id
       FROM epics
      WHERE epic_id = :epic_id
        AND user_id = :user_id),
added_features AS (
     INSERT INTO features (feature_id, epic_id, title, description, current_stage, source, priority,
                           moscow_score, created_at, updated_at, approved_at)
     SELECT f.feature_id, epic.epic_id, f.title, f.description, 'approved', 'ai_generated', f.priority,
            f.moscow_score, now() + f.ordinal * interval '1 microsecond',
            now() + f.ordinal * interval '1 microsecond', now()
       FROM jsonb_to_recordset(:features::jsonb) AS f(ordinal int, feature_id text, title text,
                                                      description text, priority int, moscow_score text)
      CROSS JOIN epic
     RETURNING feature_id),
added_stories AS (
     INSERT INTO user_stories (story_id, user_id, feature_id, title, persona, action, benefit,
                               acceptance_criteria, labels, story_priority, dependencies, risks, edge_cases,
                               notes_for_engineering, source, story_points, priority, created_at, updated_at)
     SELECT s.story_id, epic.user_id, s.feature_id, s.title, s.persona, s.action, s.benefit,
            s.acceptance_criteria, s.labels, s.story_priority, s.dependencies, s.risks, s.edge_cases,
            s.notes_for_engineering, 'ai_generated', s.story_points, s.priority,
            now() + s.ordinal * interval '1 microsecond', now() + s.ordinal * interval '1 microsecond'
       FROM jsonb_to_recordset(:stories::jsonb) AS s(ordinal int, story_id text, feature_id text, title text,
                                                     persona text, action text, benefit text,
                                                     acceptance_criteria text[], labels text[],
                                                     story_priority text, dependencies text[], risks text[],
                                                     edge_cases text[], notes_for_engineering text,
                                                     story_points int, priority int)
       JOIN added_features AS af ON af.feature_id = s.feature_id
      CROSS JOIN epic
     RETURNING story_id)
SELECT (SELECT count(*) FROM added_features) AS features_created,
       (SELECT count(*) FROM added_stories) AS stories_created;

-- name: record_save(user_id, epic_id, log_id)$
-- Mark one of the user's epics as made by the wizard, linked to the generation it came from only when
-- that generation is the user's.
INSERT INTO initiative_saves (epic_id, user_id, log_id)
SELECT e.epic_id, e.user_id,
       (SELECT l.log_id
          FROM initiative_generation_logs AS l
         WHERE l.log_id = :log_id
           AND l.user_id = :user_id)
  FROM epics AS e
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id
RETURNING log_id;

-- name: edit_counts(user_id, days)
-- The user's edits of wizard-made items in the last `days` days, counted by item type, field and kind.
SELECT entity_type, field_edited, edit_type,
       count(*) AS edits,
       sum(change_ratio) AS change_ratio_sum,
       sum(time_to_edit_seconds) AS seconds_sum
  FROM initiative_edit_logs
 WHERE user_id = :user_id
   AND created_at >= now() - make_interval(days => :days)
 GROUP BY entity_type, field_edited, edit_type;
