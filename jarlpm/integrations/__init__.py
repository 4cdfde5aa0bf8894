"""Push to the team's tracker: Jira Cloud, Linear and Azure DevOps (one sub-module per tracker)."""
