"""Service endpoints: identity, liveness and readiness."""
