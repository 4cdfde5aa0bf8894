from tests.features.conftest import epic_id  # noqa: F401  (shared fixture)
