"""Linear: OAuth, GraphQL look-ups, and pushing an epic tree as issues (or the epic as a project)."""
