-- The AI surface's own statement: everything an AI route's prelude needs about its caller.

-- name: ai_caller(token_hash)^
-- The session's user (and whether the session expired), their subscription, active provider
-- configuration and delivery context, in one round trip (issue 2.10: a prelude is at most two statements).
SELECT s.user_id,
       s.expires_at <= now() AS expired,
       sub.status AS subscription_status,
       coalesce(sub.current_period_end < now(), false) AS subscription_period_over,
       c.provider,
       c.encrypted_api_key,
       c.base_url,
       c.model_name,
       d.user_id IS NOT NULL AS has_delivery_context,
       d.industry,
       d.delivery_methodology,
       d.sprint_cycle_length,
       d.sprint_start_date,
       d.num_developers,
       d.num_qa,
       d.delivery_platform,
       d.points_per_dev_per_sprint,
       d.quality_mode
  FROM user_sessions AS s
  LEFT JOIN subscriptions AS sub ON sub.user_id = s.user_id
  LEFT JOIN llm_provider_configs AS c ON c.user_id = s.user_id AND c.is_active
  LEFT JOIN product_delivery_contexts AS d ON d.user_id = s.user_id
 WHERE s.token_hash = :token_hash;
