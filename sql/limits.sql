-- name: take_request_slots(limit_keys, shares, max_aheads)
-- One request against each of its limits (GCRA), decided in this one statement: a key admits when its
-- theoretical arrival time (TAT) is at most max_ahead seconds past now, and only then moves its TAT on by
-- one request's share; a refused key is locked, not written. Each key with the seconds a refused one waits
-- (read from the statement's snapshot: a concurrent admission may make the true wait a share longer).
WITH asked AS (
    SELECT limit_key, share, max_ahead
      FROM unnest(:limit_keys::text[], :shares::float8[], :max_aheads::float8[]) AS asked (limit_key, share, max_ahead)
),
taken AS (
    INSERT INTO request_limits AS held (limit_key, tat, max_ahead_seconds)
    SELECT limit_key, statement_timestamp() + make_interval(secs => share), max_ahead
      FROM asked
     ORDER BY limit_key
        ON CONFLICT (limit_key) DO UPDATE
       SET tat = greatest(held.tat, statement_timestamp()) + (EXCLUDED.tat - statement_timestamp())
     WHERE held.tat <= statement_timestamp() + make_interval(secs => EXCLUDED.max_ahead_seconds)
    RETURNING limit_key
)
SELECT asked.limit_key,
       taken.limit_key IS NOT NULL AS admitted,
       coalesce(extract(EPOCH FROM earlier.tat - statement_timestamp())::float8 - asked.max_ahead, asked.share)
           AS wait_seconds
  FROM asked
  LEFT JOIN taken
    ON taken.limit_key = asked.limit_key
  LEFT JOIN request_limits AS earlier
    ON earlier.limit_key = asked.limit_key;

-- name: purge_request_limits(batch)!
-- Forget up to :batch keys whose TAT has passed (the same as no row); rows in use are skipped, not waited for.
DELETE FROM request_limits
 WHERE limit_key IN (
       SELECT limit_key
         FROM request_limits
        WHERE tat < statement_timestamp()
        ORDER BY tat
        LIMIT :batch
          FOR UPDATE SKIP LOCKED
       );

-- name: add_login_failure(failure_key, window_seconds)^
-- Count one failed sign-in under a key, in a window that opens at its first failure (a closed window
-- starts again at one). The failures now counted and the seconds until the window closes.
INSERT INTO login_failures AS counted (failure_key, failures, closes_at)
VALUES (:failure_key, 1, statement_timestamp() + make_interval(secs => :window_seconds))
    ON CONFLICT (failure_key) DO UPDATE
   SET failures = CASE WHEN counted.closes_at <= statement_timestamp() THEN 1 ELSE counted.failures + 1 END,
       closes_at = CASE WHEN counted.closes_at <= statement_timestamp() THEN EXCLUDED.closes_at ELSE counted.closes_at END
RETURNING failures,
          extract(EPOCH FROM closes_at - statement_timestamp())::float8 AS seconds_left;

-- name: take_back_login_failure(failure_key)!
-- Uncount one failure of an open window (the attempt was refused, or its password was right).
UPDATE login_failures
   SET failures = failures - 1
 WHERE failure_key = :failure_key
   AND failures > 0
   AND closes_at > statement_timestamp();

-- name: clear_login_failures(failure_key)!
-- Forget a key's failures.
DELETE FROM login_failures
 WHERE failure_key = :failure_key;

-- name: purge_login_failures(batch)!
-- Forget up to :batch keys whose window has closed; rows in use are skipped, not waited for.
DELETE FROM login_failures
 WHERE failure_key IN (
       SELECT failure_key
         FROM login_failures
        WHERE closes_at <= statement_timestamp()
        ORDER BY closes_at
        LIMIT :batch
          FOR UPDATE SKIP LOCKED
       );
