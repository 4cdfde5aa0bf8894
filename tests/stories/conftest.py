from tests.features.conftest import epic_id, other, pm  # noqa: F401  (shared fixtures)
