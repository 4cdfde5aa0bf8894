"""PRDs (/api/prd): one structured product requirements document per epic, generated, edited, kept."""
