"""Azure DevOps (Boards) with a personal access token: connect, look-ups, preview, push, direct export."""
