"""Subscriptions: who may use the AI features (status, pricing; payments later)."""
