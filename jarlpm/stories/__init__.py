"""User stories: feature-bound (generated from an approved feature) and standalone."""
