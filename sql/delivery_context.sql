-- name: get_full_context(user_id)^
-- The user's delivery context with its id and timestamps; nothing when it was never created.
SELECT context_id, industry, delivery_methodology, sprint_cycle_length, sprint_start_date, num_developers,
       num_qa, delivery_platform, points_per_dev_per_sprint, quality_mode, created_at, updated_at
  FROM product_delivery_contexts
 WHERE user_id = :user_id;

-- name: create_empty_context(context_id, user_id)^
-- Create the user's empty delivery context; nothing when one exists (possibly created a moment ago).
INSERT INTO product_delivery_contexts (context_id, user_id)
VALUES (:context_id, :user_id)
    ON CONFLICT (user_id) DO NOTHING
RETURNING context_id, industry, delivery_methodology, sprint_cycle_length, sprint_start_date, num_developers,
          num_qa, delivery_platform, points_per_dev_per_sprint, quality_mode, created_at, updated_at;

-- name: replace_context(context_id, user_id, industry, delivery_methodology, sprint_cycle_length, sprint_start_date, num_developers, num_qa, delivery_platform, points_per_dev_per_sprint, quality_mode)^
-- Create or fully replace a user's delivery context.
INSERT INTO product_delivery_contexts (
       context_id, user_id, industry, delivery_methodology, sprint_cycle_length, sprint_start_date,
       num_developers, num_qa, delivery_platform, points_per_dev_per_sprint, quality_mode)
VALUES (:context_id, :user_id, :industry, :delivery_methodology, :sprint_cycle_length, :sprint_start_date,
        :num_developers, :num_qa, :delivery_platform, :points_per_dev_per_sprint, :quality_mode)
    ON CONFLICT (user_id) DO UPDATE
   SET industry = EXCLUDED.industry,
       delivery_methodology = EXCLUDED.delivery_methodology,
       sprint_cycle_length = EXCLUDED.sprint_cycle_length,
       sprint_start_date = EXCLUDED.sprint_start_date,
       num_developers = EXCLUDED.num_developers,
       num_qa = EXCLUDED.num_qa,
       delivery_platform = EXCLUDED.delivery_platform,
       points_per_dev_per_sprint = EXCLUDED.points_per_dev_per_sprint,
       quality_mode = EXCLUDED.quality_mode
RETURNING context_id, industry, delivery_methodology, sprint_cycle_length, sprint_start_date, num_developers,
          num_qa, delivery_platform, points_per_dev_per_sprint, quality_mode, created_at, updated_at;

-- name: get_context(user_id)^
-- The user's delivery context for a prompt; nothing when they never set one.
SELECT industry, delivery_methodology, sprint_cycle_length, sprint_start_date, num_developers, num_qa,
       delivery_platform, points_per_dev_per_sprint, quality_mode
  FROM product_delivery_contexts
 WHERE user_id = :user_id;
