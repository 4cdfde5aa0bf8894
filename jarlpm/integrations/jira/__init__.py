"""Jira Cloud: Atlassian 3LO connection, look-ups, preview and push (routes.py), and the direct export
with the user's own API token (direct_routes.py)."""
