-- name: list_canvases(user_id)
-- The user's lean canvases with their epic's title, most recently changed first.
SELECT c.canvas_id, c.epic_id, e.title AS epic_title, c.source, c.created_at, c.updated_at
  FROM lean_canvases AS c
  JOIN epics AS e ON e.epic_id = c.epic_id
 WHERE c.user_id = :user_id
   AND e.user_id = :user_id
 ORDER BY c.updated_at DESC, c.canvas_id;

-- name: epics_without_canvas(user_id)
-- The user's epics that have no lean canvas yet, newest first.
SELECT e.epic_id, e.title, e.current_stage AS stage
  FROM epics AS e
 WHERE e.user_id = :user_id
   AND NOT EXISTS (SELECT 1 FROM lean_canvases AS c WHERE c.epic_id = e.epic_id)
 ORDER BY e.created_at DESC, e.epic_id;

-- name: get_canvas(user_id, epic_id)^
-- One of the user's epics with its canvas columns (null when it has none); nothing when the epic is not theirs.
SELECT e.epic_id, e.title AS epic_title, c.canvas_id, c.problem, c.solution, c.unique_value,
       c.unfair_advantage, c.customer_segments, c.key_metrics, c.channels, c.cost_structure,
       c.revenue_streams, c.source, c.updated_at
  FROM epics AS e
  LEFT JOIN lean_canvases AS c ON c.epic_id = e.epic_id
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id;

-- name: upsert_canvas(canvas_id, user_id, epic_id, problem, solution, unique_value, unfair_advantage, customer_segments, key_metrics, channels, cost_structure, revenue_streams, source)^
-- Create or replace the canvas of one of the user's epics; nothing when the epic is gone or not theirs.
INSERT INTO lean_canvases (canvas_id, epic_id, user_id, problem, solution, unique_value, unfair_advantage,
                           customer_segments, key_metrics, channels, cost_structure, revenue_streams, source)
SELECT :canvas_id, e.epic_id, e.user_id, :problem, :solution, :unique_value, :unfair_advantage,
       :customer_segments, :key_metrics, :channels, :cost_structure, :revenue_streams, :source
  FROM epics AS e
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id
    ON CONFLICT (epic_id) DO UPDATE
   SET problem = excluded.problem,
       solution = excluded.solution,
       unique_value = excluded.unique_value,
       unfair_advantage = excluded.unfair_advantage,
       customer_segments = excluded.customer_segments,
       key_metrics = excluded.key_metrics,
       channels = excluded.channels,
       cost_structure = excluded.cost_structure,
       revenue_streams = excluded.revenue_streams,
       source = excluded.source,
       updated_at = now()
RETURNING canvas_id;
