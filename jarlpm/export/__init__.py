"""Export an epic's tree as Jira CSV, Azure DevOps CSV, JSON or Markdown."""
