"""Personas (/api/personas): people the epic serves, generated from a locked epic, with portraits."""
