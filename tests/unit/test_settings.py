"""Deployment settings from the environment: bad values are named."""

import pytest

from kimed_hub.settings import Settings, SettingsError


def test_defaults_are_loopback_ports(monkeypatch):
    for name in ("KIMED_PUBLIC_PORT", "KIMED_HUB_PORT", "KIMED_PREFIX", "KIMED_SITE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert settings.public_url == "http://127.0.0.1:8000" and settings.hub_port == 8081


@pytest.mark.parametrize(
    ("name", "value", "phrase"),
    [
        ("KIMED_PUBLIC_PORT", "80a", "not a TCP port"),
        ("KIMED_HUB_PORT", "70000", "not a TCP port"),
        ("KIMED_PREFIX", "Bad Prefix", "lower-case"),
        ("KIMED_SITE_CONFIG", "/nonexistent.yaml", "does not exist"),
    ],
)
def test_bad_setting_is_named(monkeypatch, name, value, phrase):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=phrase) as error:
        Settings.from_env()
    assert name in str(error.value)
