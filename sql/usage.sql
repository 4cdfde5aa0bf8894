-- name: add_usage(usage_id, user_id, route, provider, model, input_tokens, output_tokens, duration_ms, outcome, repair, cost_usd)!
-- One provider call: who, from which route, with which model, the tokens reported (or null), how long,
-- how it ended, whether it was a repair, and what it cost (null for a model without a price).
INSERT INTO llm_usage (usage_id, user_id, route, provider, model, input_tokens, output_tokens, duration_ms, outcome,
                       repair, cost_usd)
VALUES (:usage_id, :user_id, :route, :provider, :model, :input_tokens, :output_tokens, :duration_ms, :outcome,
        :repair, :cost_usd);
