-- name: create_inactive(subscription_id, user_id)!
-- The subscription row every new account starts with.
INSERT INTO subscriptions (subscription_id, user_id, status)
VALUES (:subscription_id, :user_id, 'inactive');

-- name: activate_for_days(subscription_id, user_id, days)!
-- Make (or refresh) an active subscription that runs for the given number of days from now.
INSERT INTO subscriptions (subscription_id, user_id, status, current_period_start, current_period_end)
VALUES (:subscription_id, :user_id, 'active', now(), now() + make_interval(days => :days))
    ON CONFLICT (user_id) DO UPDATE
   SET status = 'active',
       current_period_start = EXCLUDED.current_period_start,
       current_period_end = EXCLUDED.current_period_end,
       cancel_at_period_end = false;

-- name: get_subscription(user_id)^
-- The user's subscription, and whether its paid period is over.
SELECT status, stripe_subscription_id, current_period_end, cancel_at_period_end, billing_cycle,
       coalesce(current_period_end < now(), false) AS period_over
  FROM subscriptions
 WHERE user_id = :user_id;
