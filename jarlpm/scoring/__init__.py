"""Scoring (/api/scoring): MoSCoW and RICE, set by hand or suggested by the model, single or in bulk."""
