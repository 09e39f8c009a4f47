"""Settings from the environment: in development the public address (BASE_URL, used in every
email's links) follows PORT, the port `python3 dev.py run` serves on, unless BASE_URL is set."""
from __future__ import annotations

import pytest

from scheduler.config import settings_from_env


@pytest.fixture
def environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "test-secret")  # no key file written under instance/
    for name in ("BASE_URL", "PORT", "APP_ENV"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_development_address_follows_port(environment):
    environment.setenv("PORT", "5123")
    assert settings_from_env()["BASE_URL"] == "http://127.0.0.1:5123"


def test_without_port_it_is_the_default_port(environment):
    assert settings_from_env()["BASE_URL"] == "http://127.0.0.1:5000"
    environment.setenv("PORT", "")  # set but empty: the default too
    assert settings_from_env()["BASE_URL"] == "http://127.0.0.1:5000"


def test_an_explicit_base_url_wins(environment):
    environment.setenv("PORT", "5123")
    environment.setenv("BASE_URL", "https://hire.example.com/")
    assert settings_from_env()["BASE_URL"] == "https://hire.example.com"


def test_the_rate_limit_key_prefix_comes_from_the_environment(environment):
    # Production builds the app from the environment alone (wsgi.py): two deployments sharing
    # one Redis must be able to count apart without code.
    environment.delenv("RATELIMIT_KEY_PREFIX", raising=False)
    assert settings_from_env()["RATELIMIT_KEY_PREFIX"] == ""
    environment.setenv("RATELIMIT_KEY_PREFIX", "hire-eu")
    assert settings_from_env()["RATELIMIT_KEY_PREFIX"] == "hire-eu"
