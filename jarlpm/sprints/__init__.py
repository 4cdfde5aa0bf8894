"""Sprints (/api/sprints): the current sprint from the delivery context, stories in it, AI insights."""
