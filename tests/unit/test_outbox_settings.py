"""The outbox's lease, batch size and polling come from the environment (tests scale them
down); a value that is not a positive number stops the app with a message naming it."""
from __future__ import annotations

import pytest

from scheduler.config import ConfigError, settings_from_env

NAMES = ("OUTBOX_LEASE_SECONDS", "OUTBOX_BATCH_SIZE", "OUTBOX_POLL_SECONDS")


@pytest.fixture
def environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "test-secret")  # no key file written under instance/
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_are_short_claims_under_a_two_minute_lease(environment):
    settings = settings_from_env()
    assert [settings[name] for name in NAMES] == [120, 5, 30]


def test_the_environment_scales_them(environment):
    environment.setenv("OUTBOX_LEASE_SECONDS", "1.5")
    environment.setenv("OUTBOX_BATCH_SIZE", "10")
    environment.setenv("OUTBOX_POLL_SECONDS", "0.2")
    settings = settings_from_env()
    assert [settings[name] for name in NAMES] == [1.5, 10, 0.2]


@pytest.mark.parametrize("name, value", [
    ("OUTBOX_LEASE_SECONDS", "0"), ("OUTBOX_LEASE_SECONDS", "two minutes"),
    ("OUTBOX_LEASE_SECONDS", "nan"), ("OUTBOX_BATCH_SIZE", "2.5"), ("OUTBOX_BATCH_SIZE", "-1"),
    ("OUTBOX_POLL_SECONDS", "-30"),
])
def test_anything_but_a_positive_number_is_refused_by_name(environment, name, value):
    environment.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        settings_from_env()
