-- name: add_usage(usage_id, user_id, route, provider, model, input_tokens, output_tokens, duration_ms, outcome)!
-- One provider call: who, from which route, with which model, the tokens reported (or null), how long, how it ended.
INSERT INTO llm_usage (usage_id, user_id, route, provider, model, input_tokens, output_tokens, duration_ms, outcome)
VALUES (:usage_id, :user_id, :route, :provider, :model, :input_tokens, :output_tokens, :duration_ms, :outcome);
