-- name: create_epic(epic_id, user_id, title)$
-- A new epic in its first stage.
INSERT INTO epics (epic_id, user_id, title)
VALUES (:epic_id, :user_id, :title)
RETURNING epic_id;

-- name: create_snapshot(user_id, epic_id)$
-- The empty snapshot every epic has; nothing when the epic is not the user's.
INSERT INTO epic_snapshots (epic_id)
SELECT e.epic_id
  FROM epics AS e
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id
RETURNING epic_id;

-- name: list_epics(user_id)
-- The user's epics with their snapshots, most recently changed first (archived ones included).
SELECT e.epic_id, e.title, e.current_stage, e.is_archived, e.pending_proposal, e.moscow_score,
       e.created_at, e.updated_at,
       s.problem_statement, s.problem_confirmed_at, s.desired_outcome, s.outcome_confirmed_at,
       s.epic_summary, s.acceptance_criteria, s.epic_details, s.epic_locked_at
  FROM epics AS e
  JOIN epic_snapshots AS s ON s.epic_id = e.epic_id
 WHERE e.user_id = :user_id
 ORDER BY e.updated_at DESC, e.epic_id;

-- name: get_epic(user_id, epic_id)^
-- One epic with its snapshot; nothing when it does not exist or another user owns it.
SELECT e.epic_id, e.title, e.current_stage, e.is_archived, e.pending_proposal, e.moscow_score,
       e.created_at, e.updated_at,
       s.problem_statement, s.problem_confirmed_at, s.desired_outcome, s.outcome_confirmed_at,
       s.epic_summary, s.acceptance_criteria, s.epic_details, s.epic_locked_at
  FROM epics AS e
  JOIN epic_snapshots AS s ON s.epic_id = e.epic_id
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id;

-- name: lock_epic_row(user_id, epic_id)$
-- Take the epic's row lock for a stage change (confirmations of one epic run one at a time).
SELECT epic_id
  FROM epics
 WHERE epic_id = :epic_id
   AND user_id = :user_id
   FOR UPDATE;

-- name: epic_exists(user_id, epic_id)$
-- Whether the epic exists and belongs to the user.
SELECT EXISTS (
       SELECT 1
         FROM epics
        WHERE epic_id = :epic_id
          AND user_id = :user_id);

-- name: delete_epic(user_id, epic_id)$
-- Delete an epic; its snapshot, history, artifacts (and later features) go with it.
DELETE FROM epics
 WHERE epic_id = :epic_id
   AND user_id = :user_id
RETURNING epic_id;

-- name: add_event(event_id, user_id, epic_id, role, content, stage, event_metadata)$
-- Append one message or system note to the transcript of one of the user's epics; nothing otherwise.
INSERT INTO epic_transcript_events (event_id, epic_id, role, content, stage, event_metadata)
SELECT :event_id, e.epic_id, :role, :content, :stage, :event_metadata
  FROM epics AS e
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id
RETURNING event_id;

-- name: open_chat_turn(event_id, user_id, epic_id, content, max_rows)^
-- A chat turn's prelude in one statement: the user's epic with its snapshot (get_epic's columns), its
-- newest `max_rows` user/assistant messages before this one (oldest first, as jsonb), and the user's
-- message appended at the epic's stage; nothing (and nothing written) when the epic is not theirs.
WITH epic AS (
    SELECT e.epic_id, e.title, e.current_stage, e.is_archived, e.pending_proposal, e.moscow_score,
           e.created_at, e.updated_at,
           s.problem_statement, s.problem_confirmed_at, s.desired_outcome, s.outcome_confirmed_at,
           s.epic_summary, s.acceptance_criteria, s.epic_details, s.epic_locked_at
      FROM epics AS e
      JOIN epic_snapshots AS s ON s.epic_id = e.epic_id
     WHERE e.epic_id = :epic_id
       AND e.user_id = :user_id
), recent AS (
    SELECT t.seq, t.role, t.content
      FROM epic_transcript_events AS t
      JOIN epic ON epic.epic_id = t.epic_id
     WHERE t.role IN ('user', 'assistant')
     ORDER BY t.seq DESC
     LIMIT :max_rows
), added AS (
    INSERT INTO epic_transcript_events (event_id, epic_id, role, content, stage)
    SELECT :event_id, epic.epic_id, 'user', :content, epic.current_stage
      FROM epic
    RETURNING event_id
)
SELECT epic.*,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('role', role, 'content', content) ORDER BY seq), '[]')
          FROM recent) AS history
  FROM epic, added;

-- name: list_events(user_id, epic_id)
-- The whole transcript of one of the user's epics, oldest first.
SELECT t.event_id, t.epic_id, t.role, t.content, t.stage, t.event_metadata, t.created_at
  FROM epic_transcript_events AS t
  JOIN epics AS e ON e.epic_id = t.epic_id
 WHERE t.epic_id = :epic_id
   AND e.user_id = :user_id
 ORDER BY t.seq;

-- name: set_pending_proposal(user_id, epic_id, stage, proposal)$
-- Store the proposal of a reply, unless the epic has moved on from the stage it was made in.
UPDATE epics
   SET pending_proposal = :proposal
 WHERE epic_id = :epic_id
   AND user_id = :user_id
   AND current_stage = :stage
RETURNING epic_id;

-- name: clear_pending_proposal(user_id, epic_id)!
-- Forget the pending proposal (confirmed or rejected).
UPDATE epics
   SET pending_proposal = NULL
 WHERE epic_id = :epic_id
   AND user_id = :user_id;

-- name: set_stage(user_id, epic_id, stage)!
-- Move an epic to a later stage (guard_forward_stage() refuses going back); locking stamps locked_at.
UPDATE epics
   SET current_stage = :stage::text,
       locked_at = CASE WHEN :stage::text = 'epic_locked' THEN now() ELSE locked_at END
 WHERE epic_id = :epic_id
   AND user_id = :user_id;

-- name: confirm_problem(user_id, epic_id, problem_statement)!
-- Write and freeze the problem statement.
UPDATE epic_snapshots AS s
   SET problem_statement = :problem_statement,
       problem_confirmed_at = now()
 WHERE s.epic_id = :epic_id
   AND EXISTS (
       SELECT 1
         FROM epics AS e
        WHERE e.epic_id = s.epic_id
          AND e.user_id = :user_id);

-- name: confirm_outcome(user_id, epic_id, desired_outcome)!
-- Write and freeze the desired outcome.
UPDATE epic_snapshots AS s
   SET desired_outcome = :desired_outcome,
       outcome_confirmed_at = now()
 WHERE s.epic_id = :epic_id
   AND EXISTS (
       SELECT 1
         FROM epics AS e
        WHERE e.epic_id = s.epic_id
          AND e.user_id = :user_id);

-- name: confirm_final(user_id, epic_id, epic_summary, acceptance_criteria, epic_details)!
-- Write and freeze the final epic.
UPDATE epic_snapshots AS s
   SET epic_summary = :epic_summary,
       acceptance_criteria = :acceptance_criteria,
       epic_details = :epic_details,
       epic_locked_at = now()
 WHERE s.epic_id = :epic_id
   AND EXISTS (
       SELECT 1
         FROM epics AS e
        WHERE e.epic_id = s.epic_id
          AND e.user_id = :user_id);

-- name: add_decision(decision_id, user_id, epic_id, decision_type, from_stage, to_stage, proposal_id, content_snapshot)$
-- Record one decision of the user in the audit trail of one of their epics; nothing otherwise.
INSERT INTO epic_decisions (decision_id, epic_id, decision_type, from_stage, to_stage, proposal_id,
                            content_snapshot, user_id)
SELECT :decision_id, e.epic_id, :decision_type, :from_stage, :to_stage, :proposal_id,
       :content_snapshot, e.user_id
  FROM epics AS e
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id
RETURNING decision_id;

-- name: list_decisions(user_id, epic_id)
-- The decisions of one of the user's epics, oldest first.
SELECT d.decision_id, d.epic_id, d.decision_type, d.from_stage, d.to_stage, d.proposal_id, d.content_snapshot,
       d.user_id, d.created_at
  FROM epic_decisions AS d
  JOIN epics AS e ON e.epic_id = d.epic_id
 WHERE d.epic_id = :epic_id
   AND e.user_id = :user_id
 ORDER BY d.seq;

-- name: list_artifacts(user_id, epic_id)
-- The legacy artifacts of one of the user's epics, oldest first.
SELECT a.artifact_id, a.epic_id, a.artifact_type, a.title, a.description, a.acceptance_criteria, a.priority,
       a.created_at
  FROM epic_artifacts AS a
  JOIN epics AS e ON e.epic_id = a.epic_id
 WHERE a.epic_id = :epic_id
   AND e.user_id = :user_id
 ORDER BY a.created_at, a.artifact_id;

-- name: create_artifact(artifact_id, user_id, epic_id, artifact_type, title, description, acceptance_criteria, priority)^
-- Add a legacy artifact to one of the user's epics; nothing otherwise.
INSERT INTO epic_artifacts (artifact_id, epic_id, artifact_type, title, description, acceptance_criteria, priority)
SELECT :artifact_id, e.epic_id, :artifact_type, :title, :description, :acceptance_criteria, :priority
  FROM epics AS e
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id
RETURNING artifact_id, epic_id, artifact_type, title, description, acceptance_criteria, priority, created_at;

-- name: delete_artifact(user_id, epic_id, artifact_id)$
-- Remove an artifact of one of the user's epics.
DELETE FROM epic_artifacts AS a
 USING epics AS e
 WHERE a.artifact_id = :artifact_id
   AND a.epic_id = :epic_id
   AND e.epic_id = a.epic_id
   AND e.user_id = :user_id
RETURNING a.artifact_id;

-- name: epic_outline(user_id, epic_id)^
-- One of the user's epics with its snapshot, its features and their stories (what a document or a prompt is written from).
SELECT e.epic_id, e.title, e.current_stage, s.problem_statement, s.desired_outcome, s.epic_summary,
       s.acceptance_criteria, coalesce(f.features, '[]'::jsonb) AS features
  FROM epics AS e
  JOIN epic_snapshots AS s ON s.epic_id = e.epic_id
  LEFT JOIN LATERAL (
       SELECT jsonb_agg(jsonb_build_object(
                  'title', ft.title, 'description', ft.description, 'priority', ft.priority,
                  'stories', coalesce(
                      (SELECT jsonb_agg(jsonb_build_object(
                                  'title', us.title, 'story', us.story_text,
                                  'acceptance_criteria', us.acceptance_criteria, 'edge_cases', us.edge_cases)
                              ORDER BY us.created_at, us.story_id)
                         FROM user_stories AS us
                        WHERE us.feature_id = ft.feature_id
                          AND us.user_id = :user_id),
                      '[]'::jsonb))
              ORDER BY ft.created_at, ft.feature_id) AS features
         FROM features AS ft
        WHERE ft.epic_id = e.epic_id) AS f ON true
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id;
