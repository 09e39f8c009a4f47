"""Unit tests: pure domain and builders, no app, no database."""
