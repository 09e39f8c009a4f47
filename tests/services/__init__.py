"""Service and model tests against a real database (SQLite file and PostgreSQL)."""
