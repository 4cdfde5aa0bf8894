"""The dashboard (/api/dashboard): what a product manager lands on after signing in."""
