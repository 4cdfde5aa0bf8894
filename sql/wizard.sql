-- name: model_health(user_id, provider, model)^
-- How often the user's recent calls to one provider and model needed a repair or failed (the weak-model warning).
SELECT count(*) AS calls,
       count(*) FILTER (WHERE repair OR outcome = 'failed') AS troubled
  FROM llm_usage
 WHERE user_id = :user_id
   AND provider = :provider
   AND model = :model
   AND created_at >= now() - interval '30 days';

-- name: add_generation_log(log_id, user_id, idea_length, idea_hash, product_name_provided, has_delivery_context, industry, methodology, team_size, provider, model, prompt_version, quality_mode, passes, input_tokens, output_tokens, total_retries, estimated_cost_usd, validation_errors, outcome, failed_pass, error_message, features_generated, stories_generated, critic_issues_found, critic_auto_fixed, scope_assessment, duration_ms)!
-- One generation's log row, written once when the run ends; a second write of the same run changes nothing.
INSERT INTO initiative_generation_logs (
       log_id, user_id, idea_length, idea_hash, product_name_provided, has_delivery_context, industry,
       methodology, team_size, provider, model, prompt_version, quality_mode, passes, input_tokens,
       output_tokens, total_retries, estimated_cost_usd, validation_errors, outcome, failed_pass,
       error_message, features_generated, stories_generated, critic_issues_found, critic_auto_fixed,
       scope_assessment, duration_ms)
VALUES (:log_id, :user_id, :idea_length, :idea_hash, :product_name_provided, :has_delivery_context, :industry,
        :methodology, :team_size, :provider, :model, :prompt_version, :quality_mode, :passes, :input_tokens,
        :output_tokens, :total_retries, :estimated_cost_usd, :validation_errors, :outcome, :failed_pass,
        :error_message, :features_generated, :stories_generated, :critic_issues_found, :critic_auto_fixed,
        :scope_assessment, :duration_ms)
    ON CONFLICT (log_id) DO NOTHING;

-- name: generation_totals(user_id, days)
-- The user's generations of the last :days days, counted by provider, model and prompt version.
SELECT provider, model, prompt_version,
       count(*) AS generations,
       count(*) FILTER (WHERE outcome = 'success') AS successes,
       count(*) FILTER (WHERE outcome = 'failed') AS failures,
       count(*) FILTER (WHERE outcome = 'abandoned') AS abandoned,
       coalesce(sum(total_retries), 0) AS retries,
       coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)), 0) AS tokens,
       sum(estimated_cost_usd) AS cost_usd,
       round(avg(duration_ms)) AS avg_duration_ms
  FROM initiative_generation_logs
 WHERE user_id = :user_id
   AND created_at >= now() - make_interval(days => :days)
 GROUP BY provider, model, prompt_version
 ORDER BY provider, model, prompt_version;
