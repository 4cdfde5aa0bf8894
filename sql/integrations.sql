-- name: add_oauth_state(state_hash, user_id, provider, frontend_callback_url, lifetime_seconds)!
-- A new OAuth state for one user and tracker; the user's stale states go in the same statement.
WITH stale AS (
     DELETE FROM oauth_states
      WHERE user_id = :user_id
        AND expires_at < now())
INSERT INTO oauth_states (state_hash, user_id, provider, frontend_callback_url, expires_at)
VALUES (:state_hash, :user_id, :provider, :frontend_callback_url,
        now() + make_interval(secs => :lifetime_seconds));

-- name: spend_oauth_state(state_hash, provider)^
-- The callback's state, spent whether or not it is still valid (single use); expired tells which.
DELETE FROM oauth_states
 WHERE state_hash = :state_hash
   AND provider = :provider
RETURNING user_id, frontend_callback_url, expires_at < now() AS expired;

-- name: get_integration(user_id, provider)^
-- The user's connection to one tracker, secrets still encrypted.
SELECT integration_id, user_id, provider, status, status_reason, external_account_id, external_account_name,
       access_token_encrypted, refresh_token_encrypted, token_expires_at, pat_encrypted, org_url, scopes,
       default_team_id, default_team_name, default_project_id, default_project_name, field_mappings,
       connected_at, created_at, updated_at
  FROM external_integrations
 WHERE user_id = :user_id
   AND provider = :provider;

-- name: list_integrations(user_id)
-- The user's connections to every tracker (no secrets), for the status page.
SELECT provider, status, status_reason, external_account_name, org_url, default_team_id, default_team_name,
       default_project_id, default_project_name, field_mappings, connected_at
  FROM external_integrations
 WHERE user_id = :user_id;

-- name: connect_integration(integration_id, user_id, provider, external_account_id, external_account_name, access_token_encrypted, refresh_token_encrypted, token_expires_at, pat_encrypted, org_url, scopes)^
-- Connect (or reconnect) the user to a tracker with fresh credentials; defaults chosen before are kept.
INSERT INTO external_integrations (integration_id, user_id, provider, status, external_account_id,
                                   external_account_name, access_token_encrypted, refresh_token_encrypted,
                                   token_expires_at, pat_encrypted, org_url, scopes, connected_at)
VALUES (:integration_id, :user_id, :provider, 'connected', :external_account_id, :external_account_name,
        :access_token_encrypted, :refresh_token_encrypted, :token_expires_at, :pat_encrypted, :org_url, :scopes,
        now())
ON CONFLICT (user_id, provider) DO UPDATE
   SET status = 'connected',
       status_reason = NULL,
       external_account_id = EXCLUDED.external_account_id,
       external_account_name = EXCLUDED.external_account_name,
       access_token_encrypted = EXCLUDED.access_token_encrypted,
       refresh_token_encrypted = EXCLUDED.refresh_token_encrypted,
       token_expires_at = EXCLUDED.token_expires_at,
       pat_encrypted = EXCLUDED.pat_encrypted,
       org_url = EXCLUDED.org_url,
       scopes = EXCLUDED.scopes,
       connected_at = now()
 WHERE external_integrations.user_id = :user_id
RETURNING integration_id;

-- name: store_tokens(user_id, provider, access_token_encrypted, refresh_token_encrypted, token_expires_at)$
-- A refreshed token pair replaces the old one.
UPDATE external_integrations
   SET access_token_encrypted = :access_token_encrypted,
       refresh_token_encrypted = :refresh_token_encrypted,
       token_expires_at = :token_expires_at
 WHERE user_id = :user_id
   AND provider = :provider
RETURNING integration_id;

-- name: mark_unusable(user_id, provider, status, status_reason)$
-- The tracker no longer accepts the credentials (revoked grant, expired PAT): say so, forget them.
UPDATE external_integrations
   SET status = :status,
       status_reason = :status_reason,
       access_token_encrypted = NULL,
       refresh_token_encrypted = NULL,
       token_expires_at = NULL,
       pat_encrypted = NULL
 WHERE user_id = :user_id
   AND provider = :provider
RETURNING integration_id;

-- name: disconnect(user_id, provider)$
-- Forget the credentials; mappings and runs stay, so a reconnect updates what was pushed before.
UPDATE external_integrations
   SET status = 'disconnected',
       status_reason = NULL,
       access_token_encrypted = NULL,
       refresh_token_encrypted = NULL,
       token_expires_at = NULL,
       pat_encrypted = NULL
 WHERE user_id = :user_id
   AND provider = :provider
   AND status <> 'disconnected'
RETURNING integration_id;

-- name: configure(user_id, provider, org_url, external_account_id, external_account_name, default_team_id, default_team_name, default_project_id, default_project_name, field_mappings)^
-- The user's defaults for a connected tracker (a null keeps what was there).
UPDATE external_integrations
   SET org_url = coalesce(:org_url, org_url),
       external_account_id = coalesce(:external_account_id, external_account_id),
       external_account_name = coalesce(:external_account_name, external_account_name),
       default_team_id = coalesce(:default_team_id, default_team_id),
       default_team_name = coalesce(:default_team_name, default_team_name),
       default_project_id = coalesce(:default_project_id, default_project_id),
       default_project_name = coalesce(:default_project_name, default_project_name),
       field_mappings = coalesce(:field_mappings, field_mappings)
 WHERE user_id = :user_id
   AND provider = :provider
   AND status = 'connected'
RETURNING integration_id, org_url, external_account_id, external_account_name, default_team_id,
          default_team_name, default_project_id, default_project_name, field_mappings;

-- name: list_mappings(user_id, provider, entity_ids)
-- What these entities became in the tracker, for planning a push.
SELECT mapping_id, entity_type, entity_id, external_type, external_id, external_key, external_url, last_push_hash
  FROM external_push_mappings
 WHERE user_id = :user_id
   AND provider = :provider
   AND entity_id = ANY(:entity_ids::text[]);

-- name: entity_mappings(user_id, entity_id)
-- Where one entity was pushed, in every tracker.
SELECT provider, external_key, external_url, external_id, last_pushed_at
  FROM external_push_mappings
 WHERE user_id = :user_id
   AND entity_id = :entity_id
 ORDER BY provider;

-- name: record_mapping(mapping_id, user_id, integration_id, entity_type, entity_id, external_type, external_id, external_key, external_url, project_id, team_id, last_push_hash)!
-- What an entity became, right after the tracker created or updated it (so a crash mid-push leaves no
-- item to be created twice).
INSERT INTO external_push_mappings (mapping_id, user_id, integration_id, provider, entity_type, entity_id,
                                    external_type, external_id, external_key, external_url, project_id, team_id,
                                    last_pushed_at, last_push_hash)
SELECT :mapping_id, i.user_id, i.integration_id, i.provider, :entity_type, :entity_id, :external_type, :external_id,
       :external_key, :external_url, :project_id, :team_id, now(), :last_push_hash
  FROM external_integrations AS i
 WHERE i.integration_id = :integration_id
   AND i.user_id = :user_id
ON CONFLICT (user_id, provider, entity_type, entity_id) DO UPDATE
   SET integration_id = EXCLUDED.integration_id,
       external_type = EXCLUDED.external_type,
       external_id = EXCLUDED.external_id,
       external_key = EXCLUDED.external_key,
       external_url = EXCLUDED.external_url,
       project_id = EXCLUDED.project_id,
       team_id = EXCLUDED.team_id,
       last_pushed_at = now(),
       last_push_hash = EXCLUDED.last_push_hash
 WHERE external_push_mappings.user_id = :user_id;

-- name: start_run(run_id, user_id, integration_id, epic_id, push_scope, include_bugs, is_dry_run)!
-- A push through one of the user's integrations begins: recorded as failed until it ends, so a push
-- cut short by a crash says so.
INSERT INTO external_push_runs (run_id, user_id, integration_id, provider, started_at, status, epic_id, push_scope,
                                include_bugs, is_dry_run)
SELECT :run_id, i.user_id, i.integration_id, i.provider, now(), 'failed', :epic_id, :push_scope, :include_bugs,
       :is_dry_run
  FROM external_integrations AS i
 WHERE i.integration_id = :integration_id
   AND i.user_id = :user_id;

-- name: end_run(run_id, user_id, status, summary_json, error_json)!
-- A push ends with its outcome.
UPDATE external_push_runs
   SET status = :status,
       ended_at = greatest(now(), started_at),
       summary_json = :summary_json,
       error_json = :error_json
 WHERE run_id = :run_id
   AND user_id = :user_id;

-- name: list_runs(user_id, provider, max_rows)
-- The user's pushes, newest first (one tracker, or all when provider is null).
SELECT run_id, provider, epic_id, push_scope, status, is_dry_run, started_at, ended_at, summary_json, error_json
  FROM external_push_runs
 WHERE user_id = :user_id
   AND (:provider::text IS NULL OR provider = :provider)
 ORDER BY started_at DESC, run_id
 LIMIT :max_rows;
