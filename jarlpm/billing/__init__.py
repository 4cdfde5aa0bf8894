"""Billing with Stripe: checkout, cancel and reactivate, and the signed webhook that keeps the
subscription row (and so the 402 gate) in step with Stripe."""
