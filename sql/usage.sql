-- name: add_usage(usage_id, user_id, route, provider, model, input_tokens, output_tokens, duration_ms, outcome, repair, cost_usd)!
-- One provider call: who, from which route, with which model, the tokens reported (or null), how long,
-- how it ended, whether it was a repair, and what it cost (null for a model without a price).
INSERT INTO llm_usage (usage_id, user_id, route, provider, model, input_tokens, output_tokens, duration_ms, outcome,
                       repair, cost_usd)
VALUES (:usage_id, :user_id, :route, :provider, :model, :input_tokens, :output_tokens, :duration_ms, :outcome,
        :repair, :cost_usd);

-- name: usage_summary(user_id, days)
-- The caller's calls of the last `days` UTC days (today included), grouped three ways in one pass: by provider
-- and model, by UTC day, and all together (`grouped_by` says which). A sum is null when no row of its group
-- has a value: for cost_usd, when no call of the group had a price.
SELECT CASE
           WHEN GROUPING(c.provider, c.model) = 0 THEN 'model'
           WHEN GROUPING(c.day) = 0 THEN 'day'
           ELSE 'total'
       END AS grouped_by,
       c.provider,
       c.model,
       c.day,
       count(c.usage_id) AS calls,
       coalesce(sum(c.input_tokens), 0) AS input_tokens,
       coalesce(sum(c.output_tokens), 0) AS output_tokens,
       sum(c.cost_usd) AS cost_usd,
       count(c.usage_id) FILTER (WHERE c.cost_usd IS NULL) AS unpriced_calls
  FROM (SELECT u.usage_id,
               u.provider,
               u.model,
               (u.created_at AT TIME ZONE 'UTC')::date AS day,
               u.input_tokens,
               u.output_tokens,
               u.cost_usd
          FROM llm_usage AS u
         WHERE u.user_id = :user_id
           AND u.created_at >= (((now() AT TIME ZONE 'UTC')::date - (:days::integer - 1))::timestamp AT TIME ZONE 'UTC')
       ) AS c
 GROUP BY GROUPING SETS ((c.provider, c.model), (c.day), ())
 ORDER BY grouped_by, c.provider, c.model, c.day;
