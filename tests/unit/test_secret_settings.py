"""Settings for secrets at rest and calendar addresses: ENCRYPTION_KEYS (generated into instance/
in development, required in production, checked for shape) and CALENDAR_ALLOW_PRIVATE_URLS
("1" for every private address, or a list of the networks allowed)."""
from __future__ import annotations

import pytest

from scheduler import config
from scheduler.config import ConfigError, settings_from_env

KEY = "bELXO0m0gG6ltPXZIqoXgKuN59wBvrEvuKuML65Lk0o="


@pytest.fixture
def environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    for name in ("APP_ENV", "ENCRYPTION_KEYS", "CALENDAR_ALLOW_PRIVATE_URLS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    return monkeypatch


def test_development_generates_one_key_into_the_instance_folder_and_keeps_it(environment, tmp_path):
    first = settings_from_env()["ENCRYPTION_KEYS"]
    assert len(first) == 1 and len(first[0]) == 44
    assert (tmp_path / "encryption_key").stat().st_mode & 0o777 == 0o600
    assert settings_from_env()["ENCRYPTION_KEYS"] == first


def test_production_refuses_to_start_without_keys_and_takes_several(environment, tmp_path):
    environment.setenv("APP_ENV", "production")
    with pytest.raises(ConfigError, match="ENCRYPTION_KEYS must be set in production"):
        settings_from_env()
    assert not (tmp_path / "encryption_key").exists()
    other = KEY[:-2] + "A="
    environment.setenv("ENCRYPTION_KEYS", f"{KEY}, {other}")
    assert settings_from_env()["ENCRYPTION_KEYS"] == (KEY, other)


@pytest.mark.parametrize("keys", ["not-a-key", KEY[:-4], f"{KEY},short"])
def test_a_malformed_key_is_refused(environment, keys):
    environment.setenv("ENCRYPTION_KEYS", keys)
    with pytest.raises(ConfigError, match="is not a Fernet key"):
        settings_from_env()


@pytest.mark.parametrize("text, allowed", [
    ("", (False, ())),
    ("1", (True, ())),
    ("127.0.0.2, 10.2.0.0/16", (False, ("127.0.0.2/32", "10.2.0.0/16"))),
])
def test_private_calendar_addresses_are_allowed_all_or_by_network(environment, text, allowed):
    environment.setenv("CALENDAR_ALLOW_PRIVATE_URLS", text)
    settings = settings_from_env()
    assert (settings["CALENDAR_ALLOW_PRIVATE_URLS"], settings["CALENDAR_PRIVATE_NETWORKS"]) == allowed


def test_a_wrong_network_is_refused(environment):
    environment.setenv("CALENDAR_ALLOW_PRIVATE_URLS", "yes")
    with pytest.raises(ConfigError, match="CALENDAR_ALLOW_PRIVATE_URLS"):
        settings_from_env()
