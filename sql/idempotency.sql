-- name: claim_key(user_id, idempotency_key, request_hash)$
-- Claim a key for a create in its own transaction; waits while a concurrent request holds the same key,
-- and returns nothing when the key was already used (its stored answer is then replayed).
INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, status_code, response_body)
VALUES (:user_id, :idempotency_key, :request_hash, 0, 'null'::jsonb)
    ON CONFLICT (user_id, idempotency_key) DO NOTHING
RETURNING idempotency_key;

-- name: get_answer(user_id, idempotency_key)^
-- The answer stored for a key the user already used, with the fingerprint of its request.
SELECT request_hash, status_code, response_body
  FROM idempotency_keys
 WHERE user_id = :user_id
   AND idempotency_key = :idempotency_key;

-- name: store_answer(user_id, idempotency_key, status_code, response_body)!
-- Keep the answer of a create with its key, in the create's transaction.
UPDATE idempotency_keys
   SET status_code = :status_code,
       response_body = :response_body
 WHERE user_id = :user_id
   AND idempotency_key = :idempotency_key;

-- name: forget_old_keys()!
-- Keys are kept for a day: long enough for any client retry.
DELETE FROM idempotency_keys
 WHERE created_at < now() - interval '1 day';
