"""The REST API under /api/v1/: personal tokens, and thin operations over the apps' services."""
