-- name: claim_reply(reply_id)$
-- Record, in the transaction that stores an AI reply, that this reply is stored; nothing when an
-- earlier attempt already committed it. Claims older than an hour are no longer needed by any retry.
WITH expired AS (
    DELETE FROM saved_replies
     WHERE saved_at < now() - interval '1 hour'
)
INSERT INTO saved_replies (reply_id)
VALUES (:reply_id)
    ON CONFLICT (reply_id) DO NOTHING
RETURNING reply_id;
