"""Epics: the streamed conversation from an idea to a locked, auditable epic."""
