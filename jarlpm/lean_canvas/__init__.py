"""Lean canvases (/api/lean-canvas): one nine-section canvas per epic, generated (not saved) or saved."""
