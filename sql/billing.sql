-- name: get_account(user_id)^
-- The user's email and Stripe ids, what checkout, cancel and reactivate start from.
SELECT u.email, s.status, s.stripe_customer_id, s.stripe_subscription_id,
       coalesce(s.current_period_end < now(), false) AS period_over
  FROM users AS u
  LEFT JOIN subscriptions AS s
    ON s.user_id = u.user_id
 WHERE u.user_id = :user_id;

-- name: keep_customer(subscription_id, user_id, customer_id)$
-- Store the Stripe customer made for the user; a customer stored meanwhile wins (the one to use is returned).
INSERT INTO subscriptions (subscription_id, user_id, stripe_customer_id)
VALUES (:subscription_id, :user_id, :customer_id)
    ON CONFLICT (user_id) DO UPDATE
   SET stripe_customer_id = coalesce(subscriptions.stripe_customer_id, EXCLUDED.stripe_customer_id)
RETURNING stripe_customer_id;

-- name: add_pending_checkout(transaction_id, user_id, session_id, amount, currency, payment_metadata)!
-- The payment a new Checkout Session stands for, pending until Stripe says it completed.
INSERT INTO payment_transactions (transaction_id, user_id, stripe_session_id, amount, currency, payment_status,
                                  transaction_type, payment_metadata)
VALUES (:transaction_id, :user_id, :session_id, :amount, :currency, 'pending', 'subscription', :payment_metadata);

-- name: get_checkout(user_id, session_id)^
-- One of the user's own Checkout Sessions; nothing for another user's.
SELECT transaction_id, payment_status, amount, currency
  FROM payment_transactions
 WHERE stripe_session_id = :session_id
   AND transaction_type = 'subscription'
   AND user_id = :user_id;

-- name: claim_event(event_id, event_type)$
-- Claim a Stripe event id; nothing comes back when it was processed before (a replay or a retry).
INSERT INTO stripe_events (event_id, event_type)
VALUES (:event_id, :event_type)
    ON CONFLICT (event_id) DO NOTHING
RETURNING event_id;

-- name: find_subscriber(customer_id, subscription_id)^
-- The user a signed Stripe event names: by its subscription id, else by the customer stored at checkout.
SELECT user_id, status, stripe_customer_id, stripe_subscription_id
  FROM subscriptions
 WHERE stripe_subscription_id = :subscription_id
    OR stripe_customer_id = :customer_id
 ORDER BY stripe_subscription_id = :subscription_id DESC NULLS LAST
 LIMIT 1
   FOR UPDATE;

-- name: settle_checkout(user_id, session_id, payment_status, payment_id, amount, currency)$
-- Record the outcome of the user's completed Checkout Session; nothing when the session is not theirs.
UPDATE payment_transactions
   SET payment_status = :payment_status,
       stripe_payment_id = coalesce(:payment_id, stripe_payment_id),
       amount = coalesce(:amount, amount),
       currency = coalesce(:currency, currency)
 WHERE stripe_session_id = :session_id
   AND user_id = :user_id
RETURNING transaction_id;

-- name: link_checkout(user_id, customer_id, subscription_id)!
-- Tie the Stripe customer and subscription a completed checkout made to the user's row.
UPDATE subscriptions
   SET stripe_customer_id = coalesce(:customer_id, stripe_customer_id),
       stripe_subscription_id = coalesce(:subscription_id, stripe_subscription_id)
 WHERE user_id = :user_id;

-- name: sync_subscription(user_id, stripe_subscription_id, status, current_period_start, current_period_end, cancel_at_period_end, billing_cycle)!
-- Copy Stripe's view of the user's subscription onto their row (what the 402 gate reads).
UPDATE subscriptions
   SET stripe_subscription_id = :stripe_subscription_id,
       status = :status,
       current_period_start = coalesce(:current_period_start, current_period_start),
       current_period_end = coalesce(:current_period_end, current_period_end),
       cancel_at_period_end = :cancel_at_period_end,
       billing_cycle = coalesce(:billing_cycle, billing_cycle)
 WHERE user_id = :user_id;

-- name: set_status(user_id, status)!
-- A payment outcome's effect on the user's subscription status.
UPDATE subscriptions
   SET status = :status
 WHERE user_id = :user_id;

-- name: record_invoice(transaction_id, user_id, invoice_id, payment_id, amount, currency, payment_status, payment_metadata)!
-- A renewal paid or a payment failed, keyed by Stripe's invoice id (held in stripe_session_id), once.
INSERT INTO payment_transactions (transaction_id, user_id, stripe_session_id, stripe_payment_id, amount, currency,
                                  payment_status, transaction_type, payment_metadata)
VALUES (:transaction_id, :user_id, :invoice_id, :payment_id, :amount, :currency, :payment_status, 'invoice',
        :payment_metadata)
    ON CONFLICT (stripe_session_id) DO NOTHING;
