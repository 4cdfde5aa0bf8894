-- name: create_user(user_id, email, name, password_hash)^
-- A new account; nothing when the email is taken, whatever its case.
INSERT INTO users (user_id, email, name, password_hash)
VALUES (:user_id, :email, :name, :password_hash)
    ON CONFLICT ((lower(email))) DO NOTHING
RETURNING user_id, email, name, picture, email_verified;

-- name: get_user(user_id)^
-- The public profile of one user.
SELECT user_id, email, name, picture, email_verified
  FROM users
 WHERE user_id = :user_id;

-- name: get_credentials(email)^
-- The account an email signs in to (case-insensitive), with its password hash.
SELECT user_id, email, name, password_hash, email_verified
  FROM users
 WHERE lower(email) = lower(:email);

-- name: set_password_hash(user_id, password_hash)!
-- Store a new (or re-parameterised) password hash.
UPDATE users
   SET password_hash = :password_hash
 WHERE user_id = :user_id;

-- name: mark_email_verified(user_id)!
-- The user proved they receive mail at their address.
UPDATE users
   SET email_verified = true
 WHERE user_id = :user_id
   AND NOT email_verified;

-- name: upsert_test_user(user_id, email, name, password_hash)^
-- The development test user, created or refreshed (verified, with the known password).
INSERT INTO users (user_id, email, name, password_hash, email_verified)
VALUES (:user_id, :email, :name, :password_hash, true)
    ON CONFLICT ((lower(email))) DO UPDATE
   SET name = EXCLUDED.name,
       password_hash = EXCLUDED.password_hash,
       email_verified = true
RETURNING user_id, email, name;

-- name: create_session(session_id, user_id, token_hash, ttl_seconds)^
-- A new session, valid for ttl_seconds from now.
INSERT INTO user_sessions (session_id, user_id, token_hash, expires_at)
VALUES (:session_id, :user_id, :token_hash, now() + make_interval(secs => :ttl_seconds))
RETURNING session_id, expires_at;

-- name: get_session(token_hash)^
-- The user behind a session token hash, and whether the session has expired.
SELECT user_id, expires_at <= now() AS expired
  FROM user_sessions
 WHERE token_hash = :token_hash;

-- name: delete_session(token_hash)!
-- End one session (logout).
DELETE FROM user_sessions
 WHERE token_hash = :token_hash;

-- name: delete_user_sessions(user_id)!
-- End every session of a user (after a password reset).
DELETE FROM user_sessions
 WHERE user_id = :user_id;

-- name: purge_expired_sessions()!
-- Remove every expired session (runs on sign-in; ix_user_sessions_expires_at keeps it cheap).
DELETE FROM user_sessions
 WHERE expires_at <= now();

-- name: discard_unused_tokens(user_id, token_type)!
-- Invalidate earlier unused links of one kind before a new one is sent.
DELETE FROM verification_tokens
 WHERE user_id = :user_id
   AND token_type = :token_type
   AND used_at IS NULL;

-- name: create_token(token_id, user_id, token_hash, token_type, ttl_seconds)!
-- A single-use emailed token (verification or reset), valid for ttl_seconds.
INSERT INTO verification_tokens (token_id, user_id, token_hash, token_type, expires_at)
VALUES (:token_id, :user_id, :token_hash, :token_type, now() + make_interval(secs => :ttl_seconds));

-- name: get_token(token_hash)^
-- An emailed token by its hash, with its state.
SELECT token_id, user_id, token_type, expires_at, used_at IS NOT NULL AS used, expires_at <= now() AS expired
  FROM verification_tokens
 WHERE token_hash = :token_hash;

-- name: use_token(token_id)$
-- Spend a token exactly once: the user id when this call spent it, nothing when it was already spent.
UPDATE verification_tokens
   SET used_at = now()
 WHERE token_id = :token_id
   AND used_at IS NULL
RETURNING user_id;

-- name: has_bcrypt_hashes()$
-- Whether any account still signs in with a bcrypt hash imported from the original service.
SELECT EXISTS (
    SELECT 1
      FROM users
     WHERE password_hash LIKE '$2_$%'
);
