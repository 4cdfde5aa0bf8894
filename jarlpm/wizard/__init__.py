"""The new-initiative wizard: idea → PRD → epic → features → stories in one streamed run, and its save."""
