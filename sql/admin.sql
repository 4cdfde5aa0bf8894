-- The operator's statements. They span every user on purpose (the admin guard stands before them):
-- the session lookup behind the email allowlist, and the retention of push runs (the audit log).

-- name: session_admin(token_hash)^
-- The verified-or-not email behind a live session token hash (the allowlist check of the admin guard).
SELECT u.user_id, u.email, u.email_verified
  FROM user_sessions AS s
  JOIN users AS u ON u.user_id = s.user_id
 WHERE s.token_hash = :token_hash
   AND s.expires_at > now();

-- name: push_run_stats()^
-- How many push runs are kept, and the oldest and newest of them.
SELECT count(*) AS total_records,
       min(created_at) AS oldest_record,
       max(created_at) AS newest_record
  FROM external_push_runs;

-- name: delete_push_runs_before(cutoff)^
-- Retention: every user's push runs created before the cutoff; returns how many went.
WITH deleted AS (
    DELETE FROM external_push_runs
     WHERE created_at < :cutoff
    RETURNING run_id
)
SELECT count(*) AS deleted_count
  FROM deleted;

-- name: trim_push_runs(max_records)^
-- The record limit: every push run beyond the newest max_records; returns how many went.
WITH deleted AS (
    DELETE FROM external_push_runs
     WHERE run_id IN (
           SELECT run_id
             FROM external_push_runs
            ORDER BY created_at DESC, run_id DESC
           OFFSET :max_records
     )
    RETURNING run_id
)
SELECT count(*) AS deleted_count
  FROM deleted;
