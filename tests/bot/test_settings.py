"""Settings come from the environment with typed defaults; a value of the wrong type names its variable."""

from __future__ import annotations

import pytest

from bot.settings import SettingError, Settings


def test_defaults_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BACKEND_PORT", "BACKEND_TIMEOUT_S"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.backend_port == 8000 and settings.backend_timeout_s == 3.0


def test_numbers_and_flags_are_read_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKEND_PORT", " 8100 ")
    monkeypatch.setenv("BACKEND_TIMEOUT_S", "1.5")
    monkeypatch.setenv("BACKEND_RETRIES", "")  # set but empty: the default
    settings = Settings()
    assert (settings.backend_port, settings.backend_timeout_s, settings.backend_retries) == (8100, 1.5, 2)


@pytest.mark.parametrize(("name", "value"), [("BACKEND_PORT", "80a0"), ("BACKEND_TIMEOUT_S", "3s"),
                                             ("BACKEND_RETRIES", "2.5")])
def test_a_malformed_number_names_its_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError, match=rf"^{name}='{value}' is not a valid"):
        Settings()


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("Yes", True), ("on", True), ("false", False),
                                                 ("0", False), ("", False)])
def test_flags(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("CONSOLE_SECURE_COOKIE", value)
    assert Settings().console_secure_cookie is expected


def test_a_flag_that_is_neither_yes_nor_no_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    # "ture" silently read as "no" would turn a production safeguard off without a word
    monkeypatch.setenv("CONSOLE_SECURE_COOKIE", "ture")
    with pytest.raises(SettingError, match="^CONSOLE_SECURE_COOKIE='ture' is not a yes/no value"):
        Settings()
