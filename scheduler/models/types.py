"""Column types shared by the models: a UTC instant that refuses naive datetimes, and text
encrypted at rest."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import DateTime, Text
from sqlalchemy.types import TypeDecorator

from scheduler.encryption import decrypt_text, encrypt_text


class NaiveDatetimeError(ValueError):
    """A naive datetime was about to be stored; every stored instant must be aware."""


class UTCDateTime(TypeDecorator):
    """An instant stored in UTC; binding a naive datetime raises, reading gives aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeError(f"naive datetime {value!r}: attach a zone before storing")
        value = value.astimezone(timezone.utc)
        # SQLite has no zone-aware type: store UTC wall time, which also sorts correctly as text.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def result_processor(self, dialect, coltype):
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        # SQLite hands back the stored text; parsing it directly is several times faster than
        # the generic path, and busy-time reads turn thousands of these per request.
        def process(value):
            if value is None:
                return None
            if isinstance(value, str):
                # Parsing the offset is cheaper than replace(); "+00:00" gives timezone.utc.
                return datetime.fromisoformat(value + "+00:00")
            return self.process_result_value(value, dialect)

        return process

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class EncryptedText(TypeDecorator):
    """Text stored encrypted under the app's ENCRYPTION_KEYS (scheduler/encryption.py): Python
    sees the plain value, the database only ciphertext. Not comparable in SQL (each value gets a
    random IV)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return encrypt_text(value, current_app.config["ENCRYPTION_KEYS"])

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return decrypt_text(value, current_app.config["ENCRYPTION_KEYS"])
