"""The GraphQL operations JarlPM sends to Linear, each named (the operation name is what Linear's logs,
and our fake, go by). Only the fields we read are asked for."""

from __future__ import annotations

VIEWER = """
query Viewer {
  viewer { id name email }
  organization { id name urlKey }
}
"""

TEAMS = """
query Teams($first: Int!) {
  teams(first: $first) { nodes { id name key } }
}
"""

TEAM_PROJECTS = """
query TeamProjects($teamId: String!, $first: Int!) {
  team(id: $teamId) { id projects(first: $first) { nodes { id name state url } } }
}
"""

TEAM_LABELS = """
query TeamLabels($teamId: String!, $first: Int!) {
  team(id: $teamId) { id labels(first: $first) { nodes { id name color } } }
}
"""

LABELS = """
query Labels($first: Int!) {
  issueLabels(first: $first) { nodes { id name color team { id name } } }
}
"""

ISSUE_FIELDS = "success issue { id identifier url }"

ISSUE_CREATE = f"""
mutation IssueCreate($input: IssueCreateInput!) {{
  issueCreate(input: $input) {{ {ISSUE_FIELDS} }}
}}
"""

ISSUE_UPDATE = f"""
mutation IssueUpdate($id: String!, $input: IssueUpdateInput!) {{
  issueUpdate(id: $id, input: $input) {{ {ISSUE_FIELDS} }}
}}
"""

PROJECT_FIELDS = "success project { id name url }"

PROJECT_CREATE = f"""
mutation ProjectCreate($input: ProjectCreateInput!) {{
  projectCreate(input: $input) {{ {PROJECT_FIELDS} }}
}}
"""

PROJECT_UPDATE = f"""
mutation ProjectUpdate($id: String!, $input: ProjectUpdateInput!) {{
  projectUpdate(id: $id, input: $input) {{ {PROJECT_FIELDS} }}
}}
"""

LABEL_CREATE = """
mutation IssueLabelCreate($input: IssueLabelCreateInput!) {
  issueLabelCreate(input: $input) { success issueLabel { id name } }
}
"""
