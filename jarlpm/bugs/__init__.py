"""Bugs: a tracked status machine, links to the work they affect, and an AI interview."""
