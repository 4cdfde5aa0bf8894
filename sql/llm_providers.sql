-- name: list_configs(user_id)
-- A user's provider configurations, oldest first (never the key).
SELECT config_id, provider, base_url, model_name, is_active, created_at
  FROM llm_provider_configs
 WHERE user_id = :user_id
 ORDER BY created_at, config_id;

-- name: lock_user_configs(user_id)$
-- Serialise changes to which of a user's configurations is active (held until the transaction ends).
-- NO KEY UPDATE, not UPDATE: it blocks only other writers of this lock, not inserts referencing the user.
SELECT user_id
  FROM users
 WHERE user_id = :user_id
   FOR NO KEY UPDATE;

-- name: deactivate_all(user_id)!
-- Switch off the user's active configuration before another becomes active (one active at most).
UPDATE llm_provider_configs
   SET is_active = false
 WHERE user_id = :user_id
   AND is_active;

-- name: upsert_active(config_id, user_id, provider, encrypted_api_key, base_url, model_name)^
-- Save the user's configuration for a provider (one per provider) as the active one.
INSERT INTO llm_provider_configs (config_id, user_id, provider, encrypted_api_key, base_url, model_name, is_active)
VALUES (:config_id, :user_id, :provider, :encrypted_api_key, :base_url, :model_name, true)
    ON CONFLICT (user_id, provider) DO UPDATE
   SET encrypted_api_key = EXCLUDED.encrypted_api_key,
       base_url = EXCLUDED.base_url,
       model_name = EXCLUDED.model_name,
       is_active = true
RETURNING config_id, provider, base_url, model_name, is_active, created_at;

-- name: activate(user_id, config_id)$
-- Make one of the user's configurations the active one; nothing when it is not theirs.
UPDATE llm_provider_configs
   SET is_active = true
 WHERE config_id = :config_id
   AND user_id = :user_id
RETURNING config_id;

-- name: config_exists(user_id, config_id)$
-- Whether this configuration exists and belongs to the user.
SELECT EXISTS (
       SELECT 1
         FROM llm_provider_configs
        WHERE config_id = :config_id
          AND user_id = :user_id);

-- name: delete_config(user_id, config_id)$
-- Remove one of the user's configurations; nothing when it is not theirs.
DELETE FROM llm_provider_configs
 WHERE config_id = :config_id
   AND user_id = :user_id
RETURNING config_id;

-- name: get_active(user_id)^
-- The configuration every AI call of this user uses, with the encrypted key.
SELECT config_id, provider, encrypted_api_key, base_url, model_name
  FROM llm_provider_configs
 WHERE user_id = :user_id
   AND is_active;
