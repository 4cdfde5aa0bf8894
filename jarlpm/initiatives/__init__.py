"""The initiative library (/api/initiatives): every epic as an initiative, its tree, archive, duplicate."""
